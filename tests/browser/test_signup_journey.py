import re

from django.core import mail
from playwright.sync_api import expect

from cop_site.site_structure import ensure_site_structure


def verification_path(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)


def test_visitor_signs_up_verifies_signs_in_and_edits_their_public_profile(page, artifacts):
    ensure_site_structure()
    page.goto("/")
    page.screenshot(path=artifacts / "home.png", full_page=True)

    page.get_by_role("link", name="Register").click()
    page.get_by_label("Email").fill("morgan.lee@example.gov.uk")
    page.get_by_label("Password", exact=True).fill("a-long-Passphrase-42")
    page.get_by_label("Password (again)", exact=True).fill("a-long-Passphrase-42")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("Confirmation email sent to morgan.lee@example.gov.uk.")).to_be_visible()
    expect(page.get_by_role("link", name="Register")).to_be_visible()  # not signed in until the address is confirmed

    page.goto(verification_path(mail.outbox[-1]))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You have confirmed morgan.lee@example.gov.uk.")).to_be_visible()
    expect(page.locator(".account-menu summary")).to_be_visible()  # the link signed them in

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("morgan.lee@example.gov.uk")
    page.get_by_label("Password").fill("a-long-Passphrase-42")
    page.get_by_role("button", name="Sign In").click()

    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Display name").fill("Morgan Lee")
    page.get_by_label("Organisation").fill("Riverside District Council")
    page.get_by_label("Job title").fill("Scrutiny Officer")
    page.get_by_label("Short bio").fill("I support the **overview and scrutiny** committee.")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Morgan Lee")
    expect(page.get_by_text("Scrutiny Officer, Riverside District Council")).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("overview and scrutiny")
    assert re.search(r"/members/[\w.@+-]+/$", page.url)
