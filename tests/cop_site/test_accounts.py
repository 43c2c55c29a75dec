"""Registration, verification, sign-in by email, password reset and email change, through allauth's real views."""

import re

import pytest
from bs4 import BeautifulSoup
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, add_member

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "jo.bloggs@example.gov.uk", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"}


def link_in(message):
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_sign_up_creates_a_member_with_a_profile_and_sends_a_verification_email(client, home):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="jo.bloggs@example.gov.uk")
    assert user.profile.name == user.username
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jo.bloggs@example.gov.uk"]
    assert mail.outbox[0].subject == "[Practice Exchange] Confirm your email address to finish signing up"
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_sign_up_does_not_sign_in_and_says_to_confirm_the_address_first(client, home):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.redirect_chain == [("/accounts/confirm-email/", 302)]
    assert not response.context["user"].is_authenticated
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text() == "Check your email"
    text = " ".join(page.main.get_text().split())
    assert "Confirmation email sent to jo.bloggs@example.gov.uk." in text
    assert "Follow the link in it to confirm your address and finish signing up." in text
    assert "If you already have an account with this address, the email says how to sign in" in text
    assert "sign in with the password you chose" in text
    assert page.main.find("a", string="sign in")["href"] == "/accounts/login/"


def test_member_can_sign_in_and_browse_before_verifying_but_not_post(client, community_factory):
    community, thread = community_factory("public")
    client.post("/accounts/signup/", SIGNUP)
    response = client.post("/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert client.get("/").context["user"].email == SIGNUP["email"]
    assert client.get("/accounts/profile/").status_code == 200
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified

    add_member(get_user_model().objects.get(email=SIGNUP["email"]), community)
    assert b"verify your email address before posting" in client.get(thread.get_absolute_url()).content
    assert client.get(community.url + "forum/new/").status_code == 403


def test_following_the_link_from_the_email_verifies_the_address_and_signs_in(client, home):
    client.post("/accounts/signup/", SIGNUP)
    confirm_url = link_in(mail.outbox[0])
    page = client.get(confirm_url)
    assert page.status_code == 200  # a page with a button: a mail scanner's GET confirms nothing
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert not page.context["user"].is_authenticated

    response = client.post(confirm_url)
    assert response.status_code == 302 and response.url == "/my/"
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.get("/").context["user"].email == SIGNUP["email"]


def test_the_link_opened_in_another_browser_verifies_but_does_not_sign_in(client, home):
    client.post("/accounts/signup/", SIGNUP)
    elsewhere = Client()
    elsewhere.post(link_in(mail.outbox[0]))
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert not elsewhere.get("/").context["user"].is_authenticated, "whoever holds the link cannot sign in with it"


def test_signing_up_with_a_registered_address_emails_its_owner_how_to_sign_in(client, home, member):
    client.post("/accounts/signup/", {**SIGNUP, "email": member.email})
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "[Practice Exchange] You already have an account"
    assert "Someone (perhaps you) tried to sign up to Practice Exchange with this address" in message.body
    assert "Sign in: http://testserver/accounts/login/" in message.body
    assert "Reset it: http://testserver/accounts/password/reset/" in message.body


def test_sign_up_with_mismatched_passwords_keeps_the_email_and_explains(client, home):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something-else-42"})
    assert response.status_code == 200
    assert b'value="jo.bloggs@example.gov.uk"' in response.content
    assert b"error-summary" in response.content
    assert b"same password" in response.content
    assert not get_user_model().objects.filter(email=SIGNUP["email"]).exists()


def test_sign_up_refuses_a_weak_password(client, home):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert b"too common" in response.content


def test_member_signs_in_with_email_and_password(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == member


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": "nope"})
    assert response.status_code == 200
    assert b"email address and/or password you specified are not correct" in response.content
    assert not response.context["user"].is_authenticated


def test_sign_out_needs_a_post(client, member):
    client.force_login(member)
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_sends_a_link_that_sets_a_new_password(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    assert len(mail.outbox) == 1
    reset_url = link_in(mail.outbox[0])
    form_url = client.get(reset_url).url  # allauth moves the key into the session, then shows the form
    response = client.post(form_url, {"password1": "brand-New-passphrase-7", "password2": "brand-New-passphrase-7"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("brand-New-passphrase-7")


def test_password_reset_does_not_reveal_whether_an_address_is_registered(client, home, member):
    known = client.post("/accounts/password/reset/", {"email": member.email}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert mail.outbox[-1].to == ["nobody@example.org"]  # told there is no account, in the inbox only they can read


def test_member_adds_and_verifies_a_new_email_address(client, member):
    client.force_login(member)
    client.post("/accounts/email/", {"action_add": "", "email": "alex.new@example.org"})
    assert EmailAddress.objects.filter(user=member, email="alex.new@example.org", verified=False).exists()
    client.post(link_in(mail.outbox[-1]))
    assert EmailAddress.objects.get(email="alex.new@example.org").verified


def test_account_pages_use_the_site_layout(client, home):
    response = client.get("/accounts/login/")
    assert b'class="skip-link"' in response.content
    title = " ".join(BeautifulSoup(response.content, "html.parser").title.get_text().split())
    assert title == "Sign In · Practice Exchange"


def test_repeated_failed_sign_ins_are_rate_limited(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    for _ in range(3):
        client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert b"Too many attempts from you in a short time" in response.content
    assert not response.context["user"].is_authenticated


def test_production_settings_keep_allauth_rate_limits_on():
    from cop_site.settings import base

    assert base.ACCOUNT_RATE_LIMITS["login_failed"]
    assert base.ACCOUNT_RATE_LIMITS["signup"]
    assert base.ACCOUNT_RATE_LIMITS["reset_password"]
