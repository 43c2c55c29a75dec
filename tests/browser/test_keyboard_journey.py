"""Keyboard-only journeys: no mouse, no clicks, no element focused by the test. Only Tab, Shift+Tab, Enter, Space,
arrows and typing, as someone who cannot use a pointer gets around. Every element Tab lands on must show where
focus is.
"""

import re

import pytest
from playwright.sync_api import expect

from communities import services
from communities.models import Membership
from cop_site.site_structure import ensure_site_structure
from newsletters.compile import current_month
from newsletters.models import RoundupPage
from tests.factories import PASSWORD, add_community, add_member, create_member
from tests.library.conftest import add_deck
from tests.newsletters.support import add_roundup, thread_item

# What the focused element is, for a failure message, and whether it shows a focus indicator.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return {name: "(the page itself)", indicated: true, onPage: true};
  const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
  const words = (element.getAttribute("aria-label") || label || element.innerText || element.value || "").trim();
  const style = getComputedStyle(element);
  // Chromium highlights the focused part of a date or month field inside the field itself, not on the element.
  const segmented = ["date", "month", "week", "time", "datetime-local"].includes(element.type);
  return {
    name: `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}> ${words.replace(/\\s+/g, " ").slice(0, 60)}`,
    indicated: segmented || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
    closedSummary: element.tagName === "SUMMARY" && !element.parentElement.open,
  };
}"""


def tab_to(page, target, *, backwards=False, limit=60):
    """Press Tab (Shift+Tab backwards) until ``target`` has focus, at most ``limit`` times.

    Fails with every element passed on the way if it is not reached, and if any element that took focus showed
    no focus indicator.
    """
    key = "Shift+Tab" if backwards else "Tab"
    element = target.element_handle()
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        assert focused["indicated"], f"{focused['name']} has focus but shows no focus indicator"
        if element.evaluate("element => element === document.activeElement"):
            return
        passed.append(focused["name"])
    pytest.fail(f"{key} pressed {limit} times without reaching {target}; focus went through:\n  " + "\n  ".join(passed))


def press_on(page, target, key="Enter", **options):
    """Tab to ``target`` and press a key on it."""
    tab_to(page, target, **options)
    page.keyboard.press(key)


@pytest.fixture
def world(settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    home = ensure_site_structure()
    centres = add_community(home, "contact-centres", title="Contact Centres")
    add_community(home, "scrutiny", title="Scrutiny and Accountability")
    member = create_member(username="priya", display_name="Priya Natarajan")
    colleague = create_member(username="tom", display_name="Tom Ellery")
    facilitator = create_member(username="gwen", display_name="Gwen Pritchard")
    add_member(member, centres)
    add_member(colleague, centres)
    add_member(facilitator, centres, Membership.Role.FACILITATOR)
    thread = services.start_thread(colleague, centres, "Measuring avoidable contact",
                                   "We sample two weeks of calls. How do you code them?")
    services.reply(member, thread, "By the customer's reason for calling, not the service's.")
    deck = add_deck(centres, title="Avoidable contact sampling", uploader=member)
    roundup = add_roundup(centres, intro="<p>What stood out this month.</p>", blocks=[thread_item(thread, line="Worth a read.")])
    return {"community": centres, "thread": thread, "deck": deck, "roundup": roundup,
            "member": member, "colleague": colleague, "facilitator": facilitator}


def sign_in_with_keyboard(page, email):
    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password"))  # past the "Forgot your password?" link
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("banner").get_by_text("Account menu for")).to_be_attached()


def test_a_member_signs_in_and_replies_to_a_thread_with_the_keyboard_alone(page, world):
    page.goto("/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the first thing in the page's content, past the header
    expect(page.locator("main").get_by_role("link", name="Browse communities")).to_be_focused()

    press_on(page, page.get_by_role("banner").get_by_role("link", name="Sign in"), backwards=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(world["member"].email)
    tab_to(page, page.get_by_label("Password"))  # past the "Forgot your password?" link
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("group").filter(has_text="Account menu for Priya Natarajan")).to_be_visible()

    press_on(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Communities")
    press_on(page, page.get_by_role("main").get_by_role("link", name="Contact Centres"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact Centres")
    press_on(page, page.get_by_role("navigation", name="Contact Centres").get_by_role("link", name="Forum"))
    press_on(page, page.get_by_role("link", name="Measuring avoidable contact"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Measuring avoidable contact")

    reply = page.get_by_label("Your reply")
    tab_to(page, reply)
    page.keyboard.type("We code by reason too, then count the avoidable ones each week.")
    press_on(page, page.get_by_role("button", name="Post reply"))

    posts = page.locator("#thread-posts > li")
    expect(posts).to_have_count(3)
    expect(posts.last).to_contain_text("We code by reason too, then count the avoidable ones each week.")
    expect(posts.last).to_contain_text("Priya Natarajan")
    expect(page.get_by_label("Your reply")).to_have_value("")


def test_a_visitor_searches_and_opens_a_result_with_the_keyboard_alone(page, world):
    page.goto("/")
    press_on(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Search"))
    box = page.get_by_role("main").get_by_label("Search discussions, the library")
    tab_to(page, box)
    page.keyboard.type("avoidable contact")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"results? for “avoidable contact”"))).to_be_visible()

    press_on(page, page.get_by_role("link", name="Measuring avoidable contact"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Measuring avoidable contact")
    expect(page.get_by_text("We sample two weeks of calls.")).to_be_visible()


def test_a_facilitator_compiles_a_roundup_draft_in_the_admin_with_the_keyboard_alone(page, world):
    facilitator = world["facilitator"]
    scrutiny = world["community"].get_parent().get_children().get(slug="scrutiny").specific
    add_member(facilitator, scrutiny, Membership.Role.FACILITATOR)

    page.goto("/admin/")  # Wagtail's sign-in page, then its dashboard
    tab_to(page, page.locator("#id_username"))
    page.keyboard.type(facilitator.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    press_on(page, page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Roundups"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compile")

    roundup_of = page.get_by_label("Roundup of")
    tab_to(page, roundup_of)
    page.keyboard.type("Scrutiny")  # a focused select picks the option whose label starts with what is typed
    expect(roundup_of).to_have_value(str(scrutiny.pk))
    press_on(page, page.get_by_role("button", name="Show this month"))
    expect(page.get_by_role("heading", name=re.compile("at a glance: Scrutiny and Accountability"))).to_be_visible()

    press_on(page, page.get_by_role("button", name="Compile draft"))
    expect(page.get_by_text(re.compile("Compiled the draft with"))).to_be_visible()
    draft = RoundupPage.objects.get(community=scrutiny, month=current_month())
    assert not draft.live


SWEPT_PAGES = {
    "home, to a visitor": (None, lambda world: "/"),
    "thread, to its facilitator (moderation tools, post actions, reply box)": (
        "facilitator", lambda world: world["thread"].get_absolute_url()),
    "new thread form": ("member", lambda world: f"{world['community'].url}forum/new/"),
    "library with filters": (None, lambda world: "/library/?kind=deck"),
    "deck page": ("member", lambda world: world["deck"].get_absolute_url()),
    "search results with facets": ("member", lambda world: "/search/?q=avoidable"),
    "roundup": (None, lambda world: world["roundup"].url),
}


@pytest.mark.parametrize("name", SWEPT_PAGES)
def test_every_control_on_the_page_shows_when_it_has_focus(page, world, name):
    """Tab from the top of the page to its end, opening each closed disclosure (menus, moderation tools) on the way."""
    role, path = SWEPT_PAGES[name]
    if role:
        sign_in_with_keyboard(page, world[role].email)
    page.goto(path(world))
    reached, unmarked = [], []
    for _ in range(250):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused.get("onPage"):
            break
        reached.append(focused["name"])
        if not focused["indicated"]:
            unmarked.append(focused["name"])
        if focused["closedSummary"]:
            page.keyboard.press("Enter")
    else:
        pytest.fail(f"{name}: focus never reached the end of the page")
    assert len(reached) > 5, f"{name}: Tab reached only {reached}"
    assert not unmarked, f"{name}: these take focus but show no focus indicator: {unmarked}"
