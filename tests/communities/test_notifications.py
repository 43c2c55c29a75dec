from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from communities import notifications as notes
from communities import services
from communities.context_processors import notifications as notifications_context
from communities.permissions import forget_memberships
from communities.models import CommunityPage, Membership, Notification, Profile, Watch
from communities.tasks import retry_overdue, send_notification_digests, send_notification_emails
from tests.factories import create_member

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
Role = Membership.Role
Status = Membership.Status


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000


def make_community(home, slug, visibility="public", join_policy="open"):
    index = home.get_children().get(slug="communities").specific
    return index.add_child(instance=CommunityPage(
        title=slug.replace("-", " ").title(), slug=slug, summary=f"About {slug}.",
        visibility=visibility, join_policy=join_policy,
    ))


def enrol(user, community, role=Role.MEMBER, status=Status.ACTIVE):
    return Membership.objects.create(user=user, community=community, role=role, status=status)


def set_frequency(user, frequency):
    Profile.objects.filter(user=user).update(email_frequency=frequency)


@pytest.fixture
def people(db):
    return {
        name: create_member(username=name, display_name=f"{name.title()} Example")
        for name in ["ann", "bob", "cat", "dan", "fay", "olive"]
    }


@pytest.fixture
def public(home, people):
    community = make_community(home, "contact-centres")
    for name in ["ann", "bob", "cat", "dan"]:
        enrol(people[name], community)
    enrol(people["fay"], community, Role.FACILITATOR)
    return community


@pytest.fixture
def members_only(home, people):
    community = make_community(home, "scrutiny-officers", visibility="members")
    for name in ["ann", "bob"]:
        enrol(people[name], community)
    enrol(people["fay"], community, Role.FACILITATOR)
    return community


@pytest.fixture
def private(home, people):
    community = make_community(home, "chief-executives", visibility="private")
    for name in ["ann", "bob"]:
        enrol(people[name], community)
    enrol(people["fay"], community, Role.FACILITATOR)
    return community


def kinds_for(post):
    return {n.recipient.username: n.kind for n in Notification.objects.filter(post=post).select_related("recipient")}


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message):
    return message.alternatives[0][0]


# Who is notified

def test_reply_notifies_each_watcher_exactly_once_and_never_the_author(public, people):
    thread = services.start_thread(people["ann"], public, "Avoidable contact baselines", "How do you set yours?")
    services.set_watch(people["bob"], thread=thread, watching=True)
    services.set_watch(people["cat"], thread=thread, watching=True)
    services.set_watch(people["bob"], community=public, watching=True)  # a forum watch must not double up

    reply = services.reply(people["dan"], thread, "We sample a week a quarter.")

    assert kinds_for(reply) == {"ann": Kind.REPLY, "bob": Kind.REPLY, "cat": Kind.REPLY}
    assert Notification.objects.filter(post=reply).count() == 3
    second = services.reply(people["ann"], thread, "Thanks, that helps.")
    assert kinds_for(second) == {"bob": Kind.REPLY, "cat": Kind.REPLY, "dan": Kind.REPLY}


def test_starting_and_replying_make_the_author_a_watcher(public, people):
    thread = services.start_thread(people["ann"], public, "Channel shift targets", "Opening post.")
    assert Watch.objects.filter(user=people["ann"], thread=thread).exists()
    services.reply(people["bob"], thread, "A reply.")
    assert Watch.objects.filter(user=people["bob"], thread=thread).exists()


def test_new_thread_notifies_forum_watchers_but_not_the_starter(public, people):
    services.set_watch(people["bob"], community=public, watching=True)
    services.set_watch(people["ann"], community=public, watching=True)
    thread = services.start_thread(people["ann"], public, "NI14 definitions", "Which do you use?")
    assert kinds_for(thread.posts.get()) == {"bob": Kind.NEW_THREAD}
    reply = services.reply(people["cat"], thread, "The 2008 guidance.")
    assert kinds_for(reply) == {"ann": Kind.REPLY}  # forum watchers hear about new threads, not every reply


def test_mentions_notify_readers_once_and_outrank_watching(public, people):
    thread = services.start_thread(people["ann"], public, "Scrutiny of call handling", "Opening post.")
    services.set_watch(people["bob"], thread=thread, watching=True)
    body = "Thanks @Bob, and cc @cat. Not @ann herself, not dan@example.org, nor `@dan` in code.\n\n> @fay said so"
    reply = services.reply(people["ann"], thread, body)
    assert kinds_for(reply) == {"bob": Kind.MENTION, "cat": Kind.MENTION}


def test_mention_of_someone_who_cannot_read_the_thread_notifies_nobody(members_only, people):
    thread = services.start_thread(people["ann"], members_only, "Committee work plans", "Opening post.")
    reply = services.reply(people["bob"], thread, "@olive might know, and @nobody-here.")
    assert kinds_for(reply) == {"ann": Kind.REPLY}


def test_quote_notifies_the_quoted_author_and_mention_wins_over_quote(public, people):
    thread = services.start_thread(people["ann"], public, "Customer insight surveys", "Opening post.")
    bobs = services.reply(people["bob"], thread, "We use a panel.")
    services.set_watch(people["bob"], thread=thread, watching=False)
    services.set_watch(people["ann"], thread=thread, watching=False)
    quoting = services.reply(people["cat"], thread, "> We use a panel.\n\nHow big?", quoted_post=bobs)
    assert kinds_for(quoting) == {"bob": Kind.QUOTE}
    both = services.reply(people["dan"], thread, "@bob same question", quoted_post=bobs)
    assert kinds_for(both) == {"bob": Kind.MENTION, "cat": Kind.REPLY}


def test_quoting_yourself_notifies_nobody_about_it(public, people):
    thread = services.start_thread(people["ann"], public, "Self quote", "Opening post.")
    services.set_watch(people["ann"], thread=thread, watching=False)
    first = thread.posts.get()
    reply = services.reply(people["ann"], thread, "As I said", quoted_post=first)
    assert kinds_for(reply) == {}


def test_hidden_thread_is_not_announced_to_members(public, people):
    thread = services.start_thread(people["ann"], public, "Hidden one", "Opening post.")
    services.set_watch(people["bob"], thread=thread, watching=True)
    services.set_watch(people["fay"], thread=thread, watching=True)
    services.moderate_thread(people["fay"], thread, "hide")
    thread.refresh_from_db()
    reply = services.reply(people["ann"], thread, "Still talking")
    assert kinds_for(reply) == {"fay": Kind.REPLY}  # only moderators may read a hidden thread


@pytest.mark.parametrize("watchers", [1, 25])
def test_recording_a_post_costs_the_same_queries_whatever_the_number_of_watchers(public, people, watchers, django_assert_num_queries):
    thread = services.start_thread(people["ann"], public, "Busy thread", "Opening post.")
    for n in range(watchers):
        watcher = create_member(username=f"watcher{n}")
        enrol(watcher, public)
        Watch.objects.create(user=watcher, thread=thread)
    post = thread.posts.get()
    post.position = 2  # pretend it is a reply, without another write
    # watchers, candidate users, their memberships, insert, new ids
    with django_assert_num_queries(5):
        ids = notes.record_post(post)
    assert len(ids) == watchers


# Emails: after commit, at most once, to those who may read

def test_emails_go_out_only_after_commit(public, people, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], public, "Contact centre KPIs", "Opening post.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.reply(people["bob"], thread, "First call resolution is the one that matters.")
        assert Notification.objects.filter(recipient=people["ann"]).count() == 1
        assert mail.outbox == []
    assert len(callbacks) == 2  # the notification email, and the search index update
    [message] = mail.outbox
    assert message.to == [people["ann"].email]
    assert message.subject == "[Practice Exchange] New reply in “Contact centre KPIs”"


def test_a_rolled_back_reply_sends_nothing(public, people, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], public, "Rolled back", "Opening post.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.reply(people["bob"], thread, "This never happened.")
                raise RuntimeError("boom")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=people["ann"]).exists()


def test_running_the_email_task_twice_sends_one_email(public, people, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], public, "Twice", "Opening post.")
    with django_capture_on_commit_callbacks(execute=False):
        reply = services.reply(people["bob"], thread, "Only once please.")
    ids = list(Notification.objects.filter(post=reply).values_list("pk", flat=True))
    send_notification_emails.enqueue(ids)
    send_notification_emails.enqueue(ids)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=ids[0]).emailed_at is not None


def test_email_has_excerpt_absolute_links_and_preferences_link(public, people, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], public, "Excerpts", "Opening post.")
    body = "We **re-based** NI14 in 2009. " + "More detail follows. " * 40 + "THE-END-MARKER"
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply(people["bob"], thread, body)
    [message] = mail.outbox
    permalink = "http://testserver" + reply.get_absolute_url()
    assert "We re-based NI14 in 2009." in message.body  # plain text, not Markdown
    assert "THE-END-MARKER" not in message.body  # an excerpt, not the whole post
    assert permalink in message.body
    assert "http://testserver/accounts/profile/" in message.body
    html = BeautifulSoup(html_of(message), "html.parser")
    assert html.find("a", href=permalink)
    assert html.find("a", href="http://testserver/accounts/profile/")
    assert "<strong>" not in message.body


def test_hidden_post_is_not_emailed(public, people, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], public, "Spam target", "Opening post.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = services.reply(people["bob"], thread, "BUY CHEAP THINGS")
    services.set_post_hidden(people["fay"], reply, True)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get(post=reply).email_skipped


def test_never_means_no_email(public, people, django_capture_on_commit_callbacks):
    set_frequency(people["ann"], Profile.EmailFrequency.NEVER)
    thread = services.start_thread(people["ann"], public, "Quiet please", "Opening post.")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply(people["bob"], thread, "Hello")
    assert mail.outbox == []
    notification = Notification.objects.get(post=reply)
    assert notification.email_skipped and notification.read_at is None  # still shown on the site
    send_notification_digests.enqueue()
    assert mail.outbox == []


def test_daily_waits_for_one_digest_listing_them(public, people, django_capture_on_commit_callbacks):
    set_frequency(people["ann"], Profile.EmailFrequency.DAILY)
    thread = services.start_thread(people["ann"], public, "Digest me", "Opening post.")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(people["bob"], thread, "First reply text")
        services.reply(people["cat"], thread, "Second reply text")
    assert mails_to(people["ann"]) == []

    send_notification_digests.enqueue()
    [digest] = mails_to(people["ann"])
    assert "digest" in digest.subject.lower()
    assert "First reply text" in digest.body and "Second reply text" in digest.body
    assert "Bob Example replied in “Digest me”" in digest.body
    assert "http://testserver/accounts/profile/" in digest.body
    assert "Second reply text" in html_of(digest)

    send_notification_digests.enqueue()
    assert len(mails_to(people["ann"])) == 1
    assert not Notification.objects.awaiting_email().filter(recipient=people["ann"]).exists()


def test_member_who_lost_access_is_not_emailed(members_only, people, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], members_only, "Committee private matters", "Opening post.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = services.reply(people["bob"], thread, "Confidential detail")
    services.remove_member(people["fay"], Membership.objects.get(user=people["ann"], community=members_only))
    for callback in callbacks:
        callback()
    assert mails_to(people["ann"]) == []
    assert Notification.objects.get(post=reply, recipient=people["ann"]).email_skipped


def test_private_thread_title_never_reaches_a_non_member(private, people, django_capture_on_commit_callbacks):
    set_frequency(people["cat"], Profile.EmailFrequency.DAILY)
    thread = services.start_thread(people["ann"], private, "Secret restructure plans", "Opening post.")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply(people["bob"], thread, "@olive @cat what do you think?")
    assert not Notification.objects.filter(recipient__in=[people["olive"], people["cat"]]).exists()
    # Even a stale row (e.g. written before a removal) is not emailed, now or in a digest.
    stale = [
        Notification.objects.create(recipient=people[name], kind=Kind.MENTION, actor=people["bob"], community=private, post=reply)
        for name in ["olive", "cat"]
    ]
    send_notification_emails.enqueue([n.pk for n in stale])
    send_notification_digests.enqueue()
    call_command("send_notification_digests", verbosity=0)
    for message in mail.outbox:
        if message.to != [people["ann"].email]:
            assert "Secret restructure plans" not in message.subject + message.body + html_of(message)
    assert mails_to(people["olive"]) == mails_to(people["cat"]) == []


def test_a_failed_send_is_unclaimed_and_retried_by_the_command(public, people, monkeypatch, django_capture_on_commit_callbacks):
    thread = services.start_thread(people["ann"], public, "Flaky SMTP", "Opening post.")
    from django.core.mail import EmailMultiAlternatives

    original_send = EmailMultiAlternatives.send

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with django_capture_on_commit_callbacks(execute=False):
        reply = services.reply(people["bob"], thread, "Will this arrive?")
    notification = Notification.objects.get(post=reply)
    result = send_notification_emails.enqueue([notification.pk])
    assert result.status == "FAILED"
    notification.refresh_from_db()
    assert notification.emailed_at is None and not notification.email_skipped

    monkeypatch.setattr(EmailMultiAlternatives, "send", original_send)
    call_command("send_notification_digests", verbosity=0)
    assert mail.outbox == []  # younger than 10 minutes: its task may still be on its way

    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    call_command("send_notification_digests", "--dry-run", verbosity=0)
    assert mail.outbox == []
    call_command("send_notification_digests", verbosity=0)
    assert len(mails_to(people["ann"])) == 1
    call_command("send_notification_digests", verbosity=0)
    assert len(mails_to(people["ann"])) == 1


def test_the_command_reports_progress_and_stops_early(public, people, capsys, django_capture_on_commit_callbacks):
    call_command("send_notification_digests")
    assert capsys.readouterr().out.strip() == "Nothing to send."
    set_frequency(people["ann"], Profile.EmailFrequency.DAILY)
    thread = services.start_thread(people["ann"], public, "Progress", "Opening post.")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(people["bob"], thread, "Hello")
    call_command("send_notification_digests", "--dry-run", verbosity=2)
    out = capsys.readouterr().out
    assert "Would send 1 daily digest(s)." in out and "ann@example.org" in out
    assert mail.outbox == []
    call_command("send_notification_digests", verbosity=2)
    out = capsys.readouterr().out
    assert "1 digest(s) sent." in out
    call_command("send_notification_digests", verbosity=0)
    assert capsys.readouterr().out == ""
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError):
        call_command("send_notification_digests", "--bogus")


# Membership notifications

def test_join_request_decision_and_invitation_are_notified_and_emailed(home, people, django_capture_on_commit_callbacks):
    community = make_community(home, "performance-leads", join_policy="approval")
    enrol(people["fay"], community, Role.FACILITATOR)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.join(people["olive"], community, "I lead performance at Northfield.")
    [asked] = Notification.objects.filter(kind=Kind.JOIN_REQUEST)
    assert asked.recipient == people["fay"] and asked.actor == people["olive"] and asked.membership == request
    [to_fay] = mails_to(people["fay"])
    assert "Olive Example asked to join Performance Leads" in to_fay.subject
    assert "I lead performance at Northfield." in to_fay.body
    assert f"http://testserver{community.url}requests/" in to_fay.body

    with django_capture_on_commit_callbacks(execute=True):
        services.decide(people["fay"], request, approve=False, message="Please ask your manager to nominate you.")
    [declined] = Notification.objects.filter(recipient=people["olive"])
    assert declined.kind == Kind.JOIN_DECLINED and declined.actor == people["fay"]
    [to_olive] = mails_to(people["olive"])
    assert "declined" in to_olive.subject
    assert "Please ask your manager to nominate you." in to_olive.body
    assert "Please ask your manager to nominate you." in html_of(to_olive)

    # Asking again after a decline is news again: the old row is replaced, not silently kept.
    forget_memberships(people["olive"])
    with django_capture_on_commit_callbacks(execute=True):
        request = services.join(people["olive"], community, "Second try.")
    assert Notification.objects.filter(kind=Kind.JOIN_REQUEST, recipient=people["fay"]).get().read_at is None
    assert len(mails_to(people["fay"])) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(people["fay"], request, approve=True, message="Welcome aboard.")
    assert Notification.objects.get(recipient=people["olive"], kind=Kind.JOIN_APPROVED).actor == people["fay"]
    assert "Welcome aboard." in mails_to(people["olive"])[-1].body

    private = make_community(home, "inner-circle", visibility="private")
    enrol(people["fay"], private, Role.FACILITATOR)
    forget_memberships(people["fay"])
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(people["fay"], private, people["cat"])
    invited = Notification.objects.get(recipient=people["cat"])
    assert invited.kind == Kind.INVITATION and invited.actor == people["fay"]
    assert "Inner Circle" in mails_to(people["cat"])[0].subject


# The bell and the list

def test_bell_shows_unread_count_and_the_list_marks_read(client, public, people):
    thread = services.start_thread(people["ann"], public, "Bell test", "Opening post.")
    services.reply(people["bob"], thread, "One")
    services.reply(people["cat"], thread, "Two")
    client.force_login(people["ann"])

    page = BeautifulSoup(client.get("/").content, "html.parser")
    link = page.find("header").find("a", href="/notifications/")
    assert link.get_text(" ", strip=True) == "Notifications 2 unread"
    assert link.find(class_="badge").find(class_="visually-hidden").get_text() == " unread"

    listing = BeautifulSoup(client.get("/notifications/").content, "html.parser")
    items = listing.select(".notification-list li")
    assert [li.a.get_text() for li in items] == ["Cat Example replied in “Bell test”", "Bob Example replied in “Bell test”"]
    assert all("notification-unread" in li["class"] for li in items)

    newest = Notification.objects.filter(recipient=people["ann"]).first()
    response = client.get(f"/notifications/{newest.pk}/")
    assert response.status_code == 302 and response.url == newest.post.get_absolute_url()
    newest.refresh_from_db()
    assert newest.read_at is not None
    link = BeautifulSoup(client.get("/").content, "html.parser").find("a", href="/notifications/")
    assert link.get_text(" ", strip=True) == "Notifications 1 unread"

    response = client.post("/notifications/", follow=True)
    page = BeautifulSoup(response.content, "html.parser")
    assert not page.select(".notification-unread")
    assert page.find("a", href="/notifications/").get_text(" ", strip=True) == "Notifications"
    assert not Notification.objects.unread().filter(recipient=people["ann"]).exists()


def test_visitors_see_no_bell_and_the_count_costs_nothing_until_shown(client, home, people, django_assert_num_queries):
    page = BeautifulSoup(client.get("/").content, "html.parser")
    assert not page.find("a", href="/notifications/")
    request = RequestFactory().get("/")
    request.user = people["ann"]
    with django_assert_num_queries(0):
        context = notifications_context(request)
    with django_assert_num_queries(1):
        assert context["unread_notification_count"] == 0


def test_notification_pages_need_sign_in_and_hide_other_peoples(client, public, people):
    thread = services.start_thread(people["ann"], public, "Mine only", "Opening post.")
    services.reply(people["bob"], thread, "Hello Ann")
    notification = Notification.objects.get(recipient=people["ann"])
    assert client.get("/notifications/").status_code == 302
    assert client.get(f"/notifications/{notification.pk}/").status_code == 302
    client.force_login(people["cat"])
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    assert client.get("/notifications/999999/").status_code == 404
    client.post("/notifications/")  # marking all read only touches one's own
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "Mine only" not in client.get("/notifications/").content.decode()


def test_list_does_not_repeat_titles_the_member_can_no_longer_read(client, members_only, people):
    thread = services.start_thread(people["ann"], members_only, "Members only title", "Opening post.")
    services.reply(people["bob"], thread, "Hello")
    services.remove_member(people["fay"], Membership.objects.get(user=people["ann"], community=members_only))
    client.force_login(people["ann"])
    content = client.get("/notifications/").content.decode()
    assert "A discussion you can no longer see" in content
    assert "Members only title" not in content
    notification = Notification.objects.get(recipient=people["ann"])
    assert client.get(f"/notifications/{notification.pk}/").url == "/notifications/"


@pytest.mark.parametrize("count", [2, 30])
def test_notification_list_costs_the_same_queries_whatever_its_length(client, public, people, count, django_assert_num_queries):
    thread = services.start_thread(people["ann"], public, "Query count", "Opening post.")
    posts = [services.reply(people["bob"], thread, f"Reply {n}") for n in range(count)]
    Notification.objects.filter(recipient=people["ann"]).delete()
    Notification.objects.bulk_create(
        Notification(recipient=people["ann"], kind=Kind.REPLY, actor=people["bob"], community=public, post=post)
        for post in posts
    )
    join_request = enrol(people["olive"], public, status=Status.PENDING)
    Notification.objects.create(recipient=people["ann"], kind=Kind.JOIN_DECLINED, actor=people["fay"], community=public, membership=join_request)
    client.force_login(people["ann"])
    # session, user (with the unread count), count + page of notifications
    with django_assert_num_queries(4):
        response = client.get("/notifications/")
    assert len(BeautifulSoup(response.content, "html.parser").select(".notification-list li")) == min(count + 1, 30)


def test_a_claim_left_by_a_run_that_died_is_taken_over_after_the_timeout_and_sent_once(
        public, people, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CLAIM_TIMEOUT = 10 * 60
    thread = services.start_thread(people["ann"], public, "Worker died", "Opening post.")
    with django_capture_on_commit_callbacks(execute=False):
        reply = services.reply(people["bob"], thread, "Sent by a worker that was killed.")
    notification = Notification.objects.get(post=reply)
    long_ago = timezone.now() - timedelta(minutes=11)
    # What a worker killed between claiming and sending leaves behind.
    Notification.objects.filter(pk=notification.pk).update(created_at=long_ago, email_claimed_at=timezone.now())

    assert retry_overdue().sent == 0, "a fresh claim may still be sending"
    assert mail.outbox == []

    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=long_ago)
    assert retry_overdue().sent == 1
    assert retry_overdue().sent == 0
    [message] = mail.outbox
    assert message.to == [people["ann"].email]
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@testserver>"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_run_periodic_retries_overdue_notification_emails_every_tick(public, people, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    from django.core.mail import EmailMultiAlternatives

    def mail_server_down(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP is down")

    thread = services.start_thread(people["ann"], public, "Down at the time", "Opening post.")
    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", mail_server_down)
        with django_capture_on_commit_callbacks(execute=True):
            services.reply(people["bob"], thread, "Posted while the mail server was down.")
    assert mail.outbox == []
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=11))

    call_command("run_periodic", "--once", verbosity=0)
    assert [message.to for message in mail.outbox] == [[people["ann"].email]]
