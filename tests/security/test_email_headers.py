"""Email header injection: member-written text that ends up in a header stays on one line and adds no header."""

import pytest
from django.core import mail

from communities import services, tasks
from communities.models import Notification

pytestmark = pytest.mark.django_db

INJECTED = "Budget question\r\nBcc: harvest@evil.example\r\nX-Injected: yes"


def test_a_thread_title_with_line_breaks_cannot_add_recipients_or_headers(client, community_factory, people):
    community, _ = community_factory("public")
    client.force_login(people["member"])
    client.post(community.url + "forum/new/", {"title": INJECTED, "body": "Which budget lines do you report?"})
    thread = community.threads.get(title__startswith="Budget question")
    services.reply(people["facilitator"], thread, "We report all of them.")
    notification = Notification.objects.filter(recipient=people["member"]).latest("pk")
    mail.outbox.clear()
    tasks.send_immediate([notification.pk])
    [message] = mail.outbox
    headers = message.message().as_string().split("\n\n", 1)[0]
    assert "Budget question Bcc: harvest@evil.example X-Injected: yes" in message.subject
    assert "\nBcc:" not in headers and "\nX-Injected:" not in headers
    assert message.recipients() == [people["member"].email]
