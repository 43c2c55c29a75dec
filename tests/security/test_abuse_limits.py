"""Abuse limits, open redirects and account enumeration: what a script hammering the site runs into."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from communities import services
from communities.models import Flag
from cop_site import ratelimit
from library.models import SlideDeck, Topic
from tests.factories import PASSWORD, add_community, add_member, create_member
from tests.library import files

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "jo.bloggs@example.gov.uk", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"}
# Documentation addresses (RFC 5737): never routed anywhere.
ADDRESS, OTHER_ADDRESS = "192.0.2.10", "198.51.100.20"


# The one mechanism

def test_hit_allows_up_to_the_limit_then_refuses():
    assert [ratelimit.hit("unit:a", 3, 60) for _ in range(5)] == [True, True, True, False, False]
    assert ratelimit.hit("unit:b", 3, 60), "another key has its own count"


def test_a_window_starts_at_the_first_hit_and_ends_after_it():
    assert ratelimit.hit("unit:short", 1, 1)
    assert not ratelimit.hit("unit:short", 1, 1)
    time.sleep(1.1)
    assert ratelimit.hit("unit:short", 1, 1)


def request_from(address, user=None, **headers):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/search/", REMOTE_ADDR=address, **headers)
    request.user = user or AnonymousUser()
    return request


def test_requests_count_per_ip_address_and_per_user(member):
    other = create_member(username="sam")
    assert ratelimit.hit_request(request_from(ADDRESS, member), "unit", 1, 60)
    assert not ratelimit.hit_request(request_from(ADDRESS, other), "unit", 1, 60), "same address, another user"
    assert not ratelimit.hit_request(request_from(OTHER_ADDRESS, member), "unit", 1, 60), "same user, another address"
    assert ratelimit.hit_request(request_from(OTHER_ADDRESS, other), "unit-2", 1, 60)


def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_count():
    assert ratelimit.hit_request(request_from(ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.1"), "unit", 1, 60)
    assert ratelimit.client_ip(request_from(ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.2")) == ADDRESS
    assert not ratelimit.hit_request(request_from(ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.2"), "unit", 1, 60)


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(request_from(ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.7, 203.0.113.9")) == "203.0.113.9"


# Accounts (django-allauth's limits, configured in base settings; tests switch them off unless they test them)

def test_base_settings_limit_sign_in_sign_up_and_password_reset():
    from cop_site.settings import base

    for action in ("login", "login_failed", "signup", "reset_password", "reset_password_from_key"):
        assert base.ACCOUNT_RATE_LIMITS[action], action


def test_too_many_sign_ups_from_one_address_get_a_friendly_429(client, home, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    for number in range(2):
        client.post("/accounts/signup/", {**SIGNUP, "email": f"person{number}@example.org"})
        client.logout()
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "person3@example.org"})
    assert response.status_code == 429
    assert b"Please slow down" in response.content
    assert b'class="skip-link"' in response.content, "the site's own page, not a bare error"
    assert not get_user_model().objects.filter(email="person3@example.org").exists()


def test_repeated_failed_sign_ins_lock_out_even_the_right_password_with_a_clear_message(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,3/5m/key"}
    for _ in range(3):
        client.post("/accounts/login/", {"login": member.email, "password": "guess"})
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert b"Too many attempts from you in a short time. Please wait a few minutes and try again." in response.content
    assert not response.context["user"].is_authenticated


def test_password_reset_requests_for_one_address_are_limited_with_a_clear_message(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "20/m/ip,2/m/key"}
    for _ in range(2):
        client.post("/accounts/password/reset/", {"email": member.email})
    sent = len(mail.outbox)
    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 429
    assert b"Please slow down" in response.content and b"Please wait a few minutes and try again." in response.content
    assert len(mail.outbox) == sent


# Posting, flagging, uploading

@pytest.fixture
def forum(community_factory, settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    return community_factory("public")


def test_posting_moves_onto_the_shared_counter(client, forum, people, settings):
    settings.FORUM_POSTS_PER_MINUTE = 1
    community, thread = forum
    client.force_login(people["member"])
    client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "First reply"})
    response = client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "Second, too soon"})
    assert b"posting very quickly" in response.content and b"Second, too soon" in response.content
    assert not ratelimit.hit_user(people["member"], "forum-posts", 1, ratelimit.MINUTE)


def test_flagging_too_often_is_refused_and_the_note_is_kept(client, forum, people, settings):
    settings.FORUM_FLAGS_PER_HOUR = 2
    community, thread = forum
    posts = [services.reply(people["facilitator"], thread, f"Reply {n} to flag.") for n in range(3)]
    client.force_login(people["member"])
    for post in posts[:2]:
        response = client.post(f"{community.url}forum/posts/{post.pk}/flag/", {"reason": "spam", "note": "Advert."})
        assert response.status_code == 302
    response = client.post(f"{community.url}forum/posts/{posts[2].pk}/flag/",
                           {"reason": "abuse", "note": "Names a resident in full."})
    assert response.status_code == 200
    assert b"flagged a lot of posts in the last hour" in response.content
    assert b"Names a resident in full." in response.content
    assert Flag.objects.filter(reporter=people["member"]).count() == 2


def test_flagging_the_same_post_twice_explains_on_the_form(client, forum, people):
    community, thread = forum
    post = thread.posts.last()
    client.force_login(people["member"])
    client.post(f"{community.url}forum/posts/{post.pk}/flag/", {"reason": "spam", "note": ""})
    response = client.post(f"{community.url}forum/posts/{post.pk}/flag/", {"reason": "spam", "note": "Again"})
    assert b"You have already flagged this post" in response.content
    assert Flag.objects.filter(post=post).count() == 1


@pytest.fixture
def uploader(home):
    community = add_community(home, "contact-centres")
    member = create_member(username="tom", display_name="Tom Ellery")
    add_member(member, community)
    return member, community


def upload_data(community, title):
    return {"title": title, "description": "", "where": str(community.pk), "event": "", "presented_on": "",
            "topics": [Topic.objects.get(slug="contact-centres").pk], "file": files.make_pdf(pages=1)}


def test_uploading_too_many_decks_an_hour_is_refused_and_the_form_keeps_what_was_typed(client, uploader, settings):
    settings.LIBRARY_UPLOADS_PER_HOUR = 1
    member, community = uploader
    client.force_login(member)
    assert client.post("/library/decks/upload/", upload_data(community, "First deck")).status_code == 302
    response = client.post("/library/decks/upload/", upload_data(community, "Second deck today"))
    assert response.status_code == 200
    assert b"You have shared 1 decks in the last hour" in response.content
    assert b'value="Second deck today"' in response.content
    assert list(SlideDeck.objects.values_list("title", flat=True)) == ["First deck"]


# Search

def test_searching_too_fast_gets_a_friendly_429_page(client, home, settings):
    settings.SEARCH_REQUESTS_PER_MINUTE = 2
    for _ in range(2):
        assert client.get("/search/?q=contact", REMOTE_ADDR=ADDRESS).status_code == 200
    response = client.get("/search/?q=contact", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"You have searched a lot in the last minute" in response.content
    assert client.get("/search/?q=contact", REMOTE_ADDR=OTHER_ADDRESS).status_code == 200


def test_looking_for_words_in_the_library_counts_as_searching(client, home, settings):
    """The library's word filter asks the search index too, so it shares the search page's limit."""
    settings.SEARCH_REQUESTS_PER_MINUTE = 2
    assert client.get("/search/?q=contact", REMOTE_ADDR=ADDRESS).status_code == 200
    assert client.get("/library/?q=contact", REMOTE_ADDR=ADDRESS).status_code == 200
    response = client.get("/library/?q=contact&topic=complaints", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    assert b"You have searched a lot in the last minute" in response.content
    assert client.get("/library/?topic=complaints", REMOTE_ADDR=ADDRESS).status_code == 200  # filters alone: no search


def test_a_signed_in_member_is_limited_whatever_address_they_search_from(client, member, home, settings):
    settings.SEARCH_REQUESTS_PER_MINUTE = 1
    client.force_login(member)
    assert client.get("/search/?q=contact", REMOTE_ADDR=ADDRESS).status_code == 200
    assert client.get("/search/?q=contact", REMOTE_ADDR=OTHER_ADDRESS).status_code == 429


def test_autocomplete_answers_429_in_json(client, home, settings):
    settings.SEARCH_SUGGESTIONS_PER_MINUTE = 1
    assert client.get("/search/autocomplete/?q=co").status_code == 200
    response = client.get("/search/autocomplete/?q=con")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "You have searched a lot in the last minute. Please wait a moment and try again.",
                               "suggestions": []}


# Open redirects

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_never_sends_a_member_off_site(client, member, target):
    response = client.post(f"/accounts/login/?next={target}", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/my/"  # the member home, where every sign-in without a safe next= lands


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_form_with_next_field_never_sends_a_member_off_site(client, member, target):
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD, "next": target})
    assert response.url == "/my/"


def test_sign_in_follows_a_local_next(client, member, home):
    response = client.post("/accounts/login/?next=/communities/", {"login": member.email, "password": PASSWORD})
    assert response.url == "/communities/"


@pytest.mark.parametrize("target", EVIL)
def test_sign_up_and_sign_out_never_send_anyone_off_site(client, home, target):
    response = client.post(f"/accounts/signup/?next={target}", SIGNUP)
    assert response.status_code == 302 and "evil" not in response.url and not response.url.startswith("javascript")
    response = client.post("/accounts/logout/", {"next": target})
    assert response.status_code == 302 and "evil" not in response.url and not response.url.startswith("javascript")


def test_the_sign_in_redirect_for_a_members_page_stays_on_site(client, community_factory):
    community, thread = community_factory("members")
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/communities/")


@pytest.mark.parametrize("target", EVIL)
def test_the_roundup_send_test_page_refuses_an_off_site_next(client, home, target):
    from tests.newsletters.support import add_roundup

    admin = create_member(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    roundup = add_roundup()
    url = reverse("roundups:send_test", args=[roundup.pk])
    page = client.get(url, {"next": target})
    assert page.status_code == 200 and b"evil.example" not in page.content and b"javascript:" not in page.content
    response = client.post(f"{url}?next={target}")
    assert response.status_code == 302
    assert "evil" not in response.url and not response.url.startswith("javascript")


# Account enumeration

def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, member, home):
    known = client.post("/accounts/password/reset/", {"email": member.email}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content.replace(member.email.encode(), b"") == unknown.content.replace(b"nobody@example.org", b"")


def test_sign_in_failure_does_not_say_whether_the_address_is_registered(client, member):
    known = client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    unknown = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    message = b"email address and/or password you specified are not correct"
    assert message in known.content and message in unknown.content


def test_sign_up_with_a_taken_address_neither_signs_in_nor_touches_that_account(client, member):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": member.email})
    assert not response.wsgi_request.user.is_authenticated
    assert get_user_model().objects.filter(email=member.email).count() == 1
    assert EmailAddress.objects.filter(email=member.email).count() == 1


def test_sign_up_answers_the_same_for_a_new_and_a_taken_address(client, member, home):
    taken = client.post("/accounts/signup/", {**SIGNUP, "email": member.email})
    taken_page = client.get(taken["Location"])
    new = client.post("/accounts/signup/", SIGNUP)
    new_page = client.get(new["Location"])

    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert (new.status_code, new["Location"]) == (302, reverse("account_email_verification_sent"))
    assert not taken_page.context["user"].is_authenticated and not new_page.context["user"].is_authenticated
    # Each page echoes the address its visitor typed ("Confirmation email sent to ..."), and nothing else differs.
    assert taken_page.content.replace(member.email.encode(), b"ADDRESS") == new_page.content.replace(
        SIGNUP["email"].encode(), b"ADDRESS")

    # Only the owner of each address learns which case it was, from an email to that address.
    assert sorted((message.to, message.subject) for message in mail.outbox) == [
        ([member.email], "[Practice Exchange] You already have an account"),
        ([SIGNUP["email"]], "[Practice Exchange] Confirm your email address to finish signing up"),
    ]
    assert client.login(username=member.email, password=PASSWORD), "the registered account is unchanged"
    assert not client.login(username=member.email, password=SIGNUP["password1"])
