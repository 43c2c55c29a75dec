"""Response headers browsers enforce: on pages, on the admin, on private files, and in production settings."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from communities.models import Profile
from tests.cop_site.test_project import PRODUCTION_ENV, run_manage
from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {name: values for name, _, values in (part.strip().partition(" ") for part in policy.split(";"))}


@pytest.fixture
def library(home):
    return home.get_children().get(slug="library").specific


def test_a_public_page_sends_a_strict_content_security_policy(client, home):
    policy = directives(client.get("/"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert not any("unsafe" in values for values in policy.values())


@pytest.mark.parametrize("path", ["/", "/communities/", "/library/", "/search/?q=contact", "/accounts/login/",
                                  "/accounts/signup/", "/accounts/confirm-email/", "/newsletters/"])
def test_every_public_page_sends_the_security_headers(client, home, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_public_pages_have_no_inline_script_or_style(client, home):
    for path in ["/", "/communities/", "/library/", "/search/?q=contact", "/accounts/login/", "/accounts/confirm-email/",
                 "/newsletters/"]:
        html = client.get(path).content.decode()
        assert "<script>" not in html and "<style" not in html, path
        assert " style=" not in html and " onclick=" not in html and " onload=" not in html, path


def test_only_the_wagtail_admin_is_allowed_inline_scripts_and_styles(admin_client, home):
    policy = directives(admin_client.get("/admin/"))
    assert policy["script-src"] == "'self' 'unsafe-inline'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["frame-ancestors"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in admin_client.get("/").headers["Content-Security-Policy"]


def test_the_admin_shows_no_gravatar_pictures(admin_client, home):
    assert b"gravatar.com" not in admin_client.get("/admin/").content


@pytest.fixture
def deck(library, home):
    return add_deck(None, title="Avoidable contact sampling")


def test_a_deck_download_is_an_attachment_of_its_checked_type(client, deck):
    response = client.get(f"/library/decks/{deck.pk}/download/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="slides.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert directives(response)["default-src"] == "'none'"


def test_a_pptx_download_says_so_whatever_the_file_was_called(client, library):
    deck = add_deck(None)
    type(deck).objects.filter(pk=deck.pk).update(kind="pptx", original_filename="notes.html")
    response = client.get(f"/library/decks/{deck.pk}/download/")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert response["Content-Disposition"] == 'attachment; filename="notes.html"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("surface", ["thumbnail/", "previews/1/"])
def test_slide_images_are_served_as_png_that_can_run_nothing(client, deck, surface):
    response = client.get(f"/library/decks/{deck.pk}/{surface}")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert directives(response)["default-src"] == "'none'"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_avatar_is_stored_under_a_random_name_that_matches_its_real_format(client, member, home):
    from tests.communities.test_profiles import PROFILE, png_bytes

    client.force_login(member)
    upload = SimpleUploadedFile("holiday photo of me.gif", png_bytes(), content_type="image/gif")
    client.post("/accounts/profile/", {**PROFILE, "avatar": upload})
    name = Profile.objects.get(user=member).avatar.name
    assert name.startswith("avatars/") and name.endswith(".png")
    assert "holiday" not in name


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_https_responses_carry_hsts_when_configured(client, home):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


PRODUCTION_VALUES = [
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS", "ALLAUTH_TRUSTED_PROXY_COUNT", "DEBUG",
]


@pytest.fixture(scope="module")
def production():
    """The production settings as a real process loads them from the environment."""
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{k: getattr(s, k) for k in {PRODUCTION_VALUES!r}}} | "
            "{'CSP': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], 'MIDDLEWARE': s.MIDDLEWARE}))")
    result = run_manage("shell", "-c", code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_https_only_with_secure_cookies(production):
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["DEBUG"] is False


def test_production_sends_the_same_strict_policy_and_headers(production):
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["CSP"]["script-src"] == ["'self'"]
    assert production["CSP"]["upgrade-insecure-requests"] is True
    assert "cop_site.security.ContentSecurityPolicyMiddleware" in production["MIDDLEWARE"]
    assert "cop_site.security.PermissionsPolicyMiddleware" in production["MIDDLEWARE"]


def test_production_trusts_no_forwarded_address_unless_told(production):
    assert production["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_no_site_template_needs_inline_script_or_style():
    """Emails carry inline styles (no browser policy applies to them); admin templates run under the admin's policy."""
    offenders = []
    for app in ["cop_site", "communities", "library", "newsletters", "search"]:
        for template in (Path(settings.BASE_DIR) / app / "templates").rglob("*.html"):
            if {"email", "admin"} & set(template.parts):
                continue
            offenders += [f"{template.relative_to(settings.BASE_DIR)}: {match}" for match in INLINE.findall(template.read_text())]
    assert not offenders
