"""The Content-Security-Policy in a real browser: every kind of page runs with no violation and no script error.

Chromium reports each blocked script, style, image or frame on the console; a page that needs something the
policy forbids fails here before it fails for a member.
"""

import pytest
from playwright.sync_api import expect

from communities import services
from cop_site.site_structure import ensure_site_structure
from tests.factories import PASSWORD, add_community, add_member, create_member
from tests.library.conftest import add_deck
from tests.newsletters.support import add_roundup

# Events carry what the console says in words: the directive, and what was blocked.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.__cspViolations.push(
  `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations (console and events) and uncaught script errors."""
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)

    def visit(path):
        problems.clear()
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        found = problems + page.evaluate("window.__cspViolations")
        assert response.status == 200, f"{path}: {response.status}"
        assert not found, f"{path}: {found}"

    page.visit = visit
    return page


@pytest.fixture
def site(settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    home = ensure_site_structure()
    community = add_community(home, "contact-centres", title="Contact Centres")
    member = create_member(username="tom", display_name="Tom Ellery")
    add_member(member, community)
    thread = services.start_thread(member, community, "Measuring avoidable contact",
                                   "We sample two weeks of calls.\n\n> A quote\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    services.reply(member, thread, "And a **reply** with a [link](https://example.org/).")
    deck = add_deck(community, title="Avoidable contact sampling", uploader=member)
    roundup = add_roundup(community, intro="<p>What stood out this month.</p>", figures={  # with its SVG chart
        "posts": 12, "previous_posts": 8, "active_members": 4, "previous_active_members": 5, "new_members": 2,
        "new_threads": 3, "new_decks": 1, "new_case_studies": 0, "posts_per_day": [0, 3, 9] + [0] * 28,
    })
    return {"community": community, "thread": thread, "deck": deck, "member": member, "roundup": roundup}


def test_public_pages_run_without_a_policy_violation(watched, site):
    for path in ["/", "/communities/", site["community"].url, site["thread"].get_absolute_url(), "/library/",
                 site["deck"].get_absolute_url(), "/search/?q=avoidable", "/newsletters/", site["roundup"].url,
                 "/accounts/login/", "/accounts/signup/", "/accounts/confirm-email/", "/accounts/password/reset/"]:
        watched.visit(path)


def test_members_pages_and_the_search_script_run_without_a_policy_violation(watched, site, sign_in):
    sign_in(site["member"].email, PASSWORD)
    for path in [site["thread"].get_absolute_url(), f"{site['community'].url}forum/new/", site["deck"].get_absolute_url(),
                 "/library/decks/upload/", "/accounts/profile/", "/notifications/", "/newsletters/preferences/"]:
        watched.visit(path)
    watched.visit("/search/?q=avoidable")
    with watched.expect_response(lambda response: "/search/autocomplete/" in response.url) as answer:
        watched.locator("main input[data-autocomplete-url]").fill("avoid")
    assert answer.value.status == 200
    assert not watched.evaluate("window.__cspViolations")


def test_a_slide_image_opened_on_its_own_still_shows(watched, site):
    watched.goto(f"/library/decks/{site['deck'].pk}/thumbnail/")
    image = watched.locator("img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0


def test_the_wagtail_admin_and_its_preview_run_within_the_admin_policy(watched, site):
    admin = create_member(username="root", display_name="Rita Root", is_staff=True, is_superuser=True)
    watched.goto("/admin/login/")
    watched.locator("#id_username").fill(admin.email)
    watched.locator("#id_password").fill(PASSWORD)
    watched.get_by_role("button", name="Sign in").click()
    watched.wait_for_url("**/admin/")
    community = site["community"]
    for path in ["/admin/", f"/admin/pages/{community.get_parent().pk}/", "/admin/images/", "/admin/users/"]:
        watched.visit(path)
    watched.visit(f"/admin/pages/{community.pk}/edit/")
    watched.locator("[data-side-panel-toggle='preview']").first.click()
    preview = watched.frame_locator("iframe[data-w-preview-target='iframe']").first
    expect(preview.get_by_role("heading", level=1)).to_have_text("Contact Centres")
    assert not watched.evaluate("window.__cspViolations")
    watched.visit("/")  # the staff-only Wagtail userbar on a public page
