"""Leaving a roundup from the email's link, without signing in: the page, its button, and mail programs' one click."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from newsletters.models import Subscription
from newsletters.subscriptions import unsubscribe_token
from tests.newsletters.support import subscribe

pytestmark = pytest.mark.django_db

Source = Subscription.Source


@pytest.fixture
def community(community_factory):
    return community_factory("members")[0]


@pytest.fixture
def subscribed(community, people):
    """Mo takes the site-wide and the community's roundup; Fay takes the community's."""
    return {
        "site": subscribe(people["member"]),
        "community": subscribe(people["member"], community),
        "other": subscribe(people["facilitator"], community),
    }


@pytest.fixture
def mail_program():
    """A client that enforces CSRF like a real browser request without a token would be checked."""
    return Client(enforce_csrf_checks=True)


def link(user, community=None):
    return reverse("roundup_unsubscribe", args=[unsubscribe_token(user, community)])


def active(subscription):
    subscription.refresh_from_db()
    return subscription.is_active


def test_the_link_shows_a_page_naming_the_roundup_and_changes_nothing(client, community, people, subscribed):
    response = client.get(link(people["member"], community))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Unsubscribe from the Members Community roundup?" in content
    assert '<form method="post"' in content and '<button type="submit" class="button">Unsubscribe</button>' in content
    assert '<meta name="robots" content="noindex">' in content
    assert active(subscribed["community"])


def test_the_button_unsubscribes_without_signing_in(mail_program, community, people, subscribed):
    response = mail_program.post(link(people["member"], community))

    assert response.status_code == 200
    assert "You won't get the Members Community roundup by email any more." in response.content.decode()
    assert f'href="{reverse("roundup_preferences")}"' in response.content.decode()  # to resubscribe
    found = subscribed["community"]
    assert not active(found)
    assert found.unsubscribe_source == Source.UNSUBSCRIBE_LINK and found.unsubscribed_at is not None
    assert active(subscribed["site"]) and active(subscribed["other"])


def test_a_mail_programs_one_click_post_works_without_a_csrf_token(mail_program, people, subscribed):
    response = mail_program.post(link(people["member"]), data="List-Unsubscribe=One-Click",
                                 content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    found = subscribed["site"]
    assert not active(found)
    assert found.unsubscribe_source == Source.ONE_CLICK
    assert active(subscribed["community"])


def test_unsubscribing_twice_is_harmless(mail_program, people, subscribed):
    mail_program.post(link(people["member"]))
    first = Subscription.objects.get(pk=subscribed["site"].pk).unsubscribed_at

    response = mail_program.post(link(people["member"]))

    assert response.status_code == 200
    assert Subscription.objects.get(pk=subscribed["site"].pk).unsubscribed_at == first


def test_the_page_says_so_when_already_unsubscribed(client, people, subscribed):
    client.post(link(people["member"]))

    assert "You are not subscribed to the Practice Exchange roundup" in client.get(link(people["member"])).content.decode()


@pytest.mark.parametrize("forge", [
    "tampered", "another_members_payload_with_my_signature", "unsigned", "other_salt", "truncated",
])
def test_a_forged_or_mangled_token_is_refused_and_changes_nothing(mail_program, community, people, subscribed, forge):
    mine = unsubscribe_token(people["member"], community)
    theirs = unsubscribe_token(people["facilitator"], community)
    payload, signature = mine.rsplit(":", 1)
    token = {
        "tampered": f"{payload}:{signature[:-2]}xx",
        "another_members_payload_with_my_signature": f"{theirs.rsplit(':', 1)[0]}:{signature}",
        "unsigned": signing.b64_encode(b'[%d,%d]' % (people["facilitator"].pk, community.pk)).decode(),
        "other_salt": signing.dumps([people["facilitator"].pk, community.pk], salt="something.else"),
        "truncated": mine[:-5],
    }[forge]

    for response in (mail_program.get(f"/newsletters/unsubscribe/{token}/"),
                     mail_program.post(f"/newsletters/unsubscribe/{token}/", data="List-Unsubscribe=One-Click",
                                       content_type="application/x-www-form-urlencoded")):
        assert response.status_code == 400
        assert "This unsubscribe link isn't valid" in response.content.decode()
    assert all(active(subscription) for subscription in subscribed.values())


def test_a_token_for_a_deleted_member_is_refused(client, people, subscribed):
    url = link(people["unverified"])
    people["unverified"].delete()

    assert client.post(url).status_code == 400


def test_only_get_and_post_are_answered(client, people, subscribed):
    url = link(people["member"])

    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert active(subscribed["site"])


def test_the_signed_token_is_the_only_credential(client, community, people, subscribed):
    """A signed-in member following someone else's link unsubscribes that person, never themselves."""
    client.force_login(people["facilitator"])

    client.post(link(people["member"], community))

    assert not active(subscribed["community"])
    assert active(subscribed["other"])
