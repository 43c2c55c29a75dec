import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities.models import Profile
from tests.factories import create_member

pytestmark = pytest.mark.django_db


def png_bytes(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1d4f91").save(buffer, "PNG")
    return buffer.getvalue()


PROFILE = {"display_name": "Alex Morgan", "organisation": "Northfield BC", "job_title": "Performance Lead",
           "bio": "I run **quarterly** reviews.", "email_frequency": "daily"}


def test_every_new_user_gets_a_profile():
    user = create_member(username="newcomer")
    assert Profile.objects.filter(user=user).count() == 1


def test_public_profile_shows_name_role_and_rendered_bio(client, member):
    member.profile.job_title = "Performance Lead"
    member.profile.bio = "Ask me about **NI14** and [the LGA](https://www.local.gov.uk)."
    member.profile.save()
    response = client.get("/members/alex/")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "Alex Morgan"
    assert "Performance Lead, Northfield Borough Council" in soup.find(class_="profile-role").get_text()
    assert soup.find("strong", string="NI14")
    assert soup.find("a", href="https://www.local.gov.uk")["rel"] == ["nofollow", "ugc", "noopener"]


def test_profile_never_shows_the_email_address(client, member):
    assert member.email.encode() not in client.get("/members/alex/").content


def test_bio_cannot_run_script(client, member):
    member.profile.bio = '<script>alert("x")</script> [click](javascript:alert(1))'
    member.profile.save()
    content = client.get("/members/alex/").content
    assert b"<script>alert" not in content
    assert b"javascript:" not in content


def test_unknown_or_deactivated_member_is_not_found(client, member):
    assert client.get("/members/nobody/").status_code == 404
    member.is_active = False
    member.save()
    assert client.get("/members/alex/").status_code == 404


def test_profile_edit_requires_sign_in(client, home):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/accounts/profile/")


def test_member_edits_their_profile_and_sees_it_in_public(client, member):
    client.force_login(member)
    avatar = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    response = client.post("/accounts/profile/", {**PROFILE, "avatar": avatar}, follow=True)
    assert response.redirect_chain[-1][0] == "/members/alex/"
    assert b"Your profile has been saved." in response.content
    profile = Profile.objects.get(user=member)
    assert profile.job_title == "Performance Lead"
    assert profile.avatar.name.startswith("avatars/")
    assert b"<strong>quarterly</strong>" in response.content


def test_an_html_file_renamed_as_png_is_refused_and_the_typed_text_is_kept(client, member):
    client.force_login(member)
    fake = SimpleUploadedFile("me.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client.post("/accounts/profile/", {**PROFILE, "avatar": fake})
    assert response.status_code == 200
    assert b"not a picture we can read" in response.content
    assert b'value="Performance Lead"' in response.content
    assert b"I run **quarterly** reviews." in response.content
    assert not Profile.objects.get(user=member).avatar


def test_an_oversized_picture_is_refused_with_its_size(client, member, settings):
    settings.AVATAR_MAX_BYTES = 100
    client.force_login(member)
    response = client.post("/accounts/profile/", {**PROFILE, "avatar": SimpleUploadedFile("big.png", png_bytes((64, 64)))})
    assert b"the limit is 100" in response.content


def test_a_bio_over_the_limit_is_refused_and_kept(client, member):
    client.force_login(member)
    response = client.post("/accounts/profile/", {**PROFILE, "bio": "x" * 2001})
    assert response.status_code == 200
    assert b"at most 2000 characters" in response.content
    assert Profile.objects.get(user=member).bio == ""


def test_rendered_bio_is_refreshed_when_the_markup_rules_change(member, monkeypatch):
    member.profile.bio = "*hello*"
    member.profile.save()
    Profile.objects.filter(pk=member.profile.pk).update(body_html="<p>stale</p>", body_html_version="old")
    profile = Profile.objects.get(pk=member.profile.pk)
    assert profile.rendered == "<p><em>hello</em></p>"
