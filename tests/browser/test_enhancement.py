"""Progressive enhancement in a real browser.

With JavaScript, replying, quoting, watching, flagging, filtering the library and picking a search suggestion all
happen in the page: a marker set on `window` before each action is still there after it, so no page was loaded.
The policy stays strict throughout: no CSP violation and no script error. Without JavaScript (a context with it
turned off) the same journeys work with page loads.
"""

import re

import pytest
from playwright.sync_api import expect

from communities import services
from communities.models import Flag, Post
from cop_site.site_structure import ensure_site_structure
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.factories import PASSWORD, add_community, add_member, create_member
from tests.library.conftest import add_deck


@pytest.fixture
def site(settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    home = ensure_site_structure()
    community = add_community(home, "contact-centres", title="Contact Centres")
    tom = create_member(username="tom", display_name="Tom Ellery")
    ann = create_member(username="ann", display_name="Ann Carter")
    add_member(tom, community)
    add_member(ann, community)
    thread = services.start_thread(tom, community, "Measuring avoidable contact", "We sample two weeks of calls.")
    services.reply(tom, thread, "And we code each call by *reason*.")
    add_deck(title="Avoidable contact sampling", community=community, presented_on="2024-03-01")
    add_deck(title="Parks budget consultation", presented_on="2019-05-01")
    return {"community": community, "thread": thread, "tom": tom, "ann": ann}


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))  # wherever signing in lands


@pytest.fixture
def enhanced(page):
    """The page with JavaScript, recording policy violations and script errors."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)
    yield page
    assert errors == []


@pytest.fixture
def plain(browser, live_server, transactional_db):
    """A page in a browser context with JavaScript turned off."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def mark(page):
    page.evaluate("window.__marker = 'no page load'")


def still_marked(page):
    """True while the page has not been reloaded, and nothing broke the policy on the way."""
    assert page.evaluate("window.__cspViolations") == []
    return page.evaluate("window.__marker") == "no page load"


def test_replying_quoting_watching_and_flagging_happen_in_the_page(enhanced, site):
    page, thread, ann = enhanced, site["thread"], site["ann"]
    sign_in(page, ann)
    page.goto(thread.get_absolute_url())
    mark(page)

    # An empty reply: the error comes back in place and takes focus.
    page.get_by_role("button", name="Post reply").click()
    summary = page.locator("#reply .error-summary")
    expect(summary).to_contain_text("This field is required")
    expect(summary).to_be_focused()

    # Quote the opening post: the quote the server would prefill goes into the box, after what was typed.
    reply = page.get_by_label("Your reply")
    reply.fill("Good question.")
    page.get_by_role("link", name="Quote").first.click()
    expect(reply).to_have_value("Good question.\n\nTom Ellery wrote:\n\n> We sample two weeks of calls.\n\n")
    expect(reply).to_be_focused()
    reply.press("Control+End")
    reply.press_sequentially("Two weeks works for us too.")
    page.get_by_role("button", name="Post reply").click()
    posted = page.locator("#thread-posts > li").last
    expect(posted).to_contain_text("Two weeks works for us too.")
    expect(posted.locator(".quote-source")).to_contain_text("In reply to Tom Ellery's post")
    expect(posted).to_be_focused()
    expect(page.get_by_label("Your reply")).to_have_value("")
    post = Post.objects.get(thread=thread, position=3)
    assert post.quoted_post.position == 1 and post.author == ann
    assert still_marked(page)

    # Watch: replying started watching; the toggle flips in place and says so.
    watch = page.locator(".watch-button")
    expect(watch).to_have_text("Watching thread")
    watch.click()
    expect(page.locator(".watch-button")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".watch-button")).to_have_text("Watch thread")
    expect(page.locator(".messages")).to_have_text("You've stopped watching this thread.")
    page.locator(".watch-button").click()
    expect(page.locator(".watch-button")).to_have_attribute("aria-pressed", "true")
    assert still_marked(page)

    # Flag: the form opens under the post; Cancel closes it, focus back on the link; sending confirms in place.
    opening = thread.posts.get(position=1)
    flag_link = page.locator(f"#{opening.anchor}").get_by_role("link", name="Flag")
    flag_link.click()
    panel = page.locator(f"#flag-slot-{opening.pk}")
    expect(panel.get_by_role("heading", name="Flag this post for the facilitators")).to_be_focused()
    panel.get_by_role("button", name="Cancel").click()
    expect(panel).to_be_empty()
    expect(flag_link).to_be_focused()
    flag_link.click()
    panel.get_by_role("button", name="Send to facilitators").click()
    expect(panel.locator(".error-summary")).to_be_focused()  # no reason chosen
    panel.get_by_label("Spam or advertising").check()
    panel.get_by_label("Anything the facilitators should know").fill("Sales pitch.")
    panel.get_by_role("button", name="Send to facilitators").click()
    expect(panel).to_contain_text("The facilitators have been asked to look at this post.")
    assert Flag.objects.get(post=opening).note == "Sales pitch."
    assert still_marked(page)


def test_library_filters_and_search_suggestions_happen_in_the_page(enhanced, site):
    page = enhanced
    page.goto("/library/")
    count = page.locator("#results-title")
    expect(count).to_have_text("2 items")
    mark(page)
    page.get_by_label("Year").select_option("2024")
    expect(count).to_have_text("1 item")
    expect(page.locator(".library-card .card-title")).to_have_text(["Avoidable contact sampling"])
    expect(page).to_have_url(re.compile(r"/library/\?.*year=2024"))
    page.get_by_label("Words").press_sequentially("parks")
    expect(count).to_have_text("0 items")
    expect(page.get_by_text("Nothing matches these filters.")).to_be_visible()
    assert still_marked(page)
    page.go_back()  # the filtered URL before the words: loaded again from the server
    expect(page.get_by_label("Year")).to_have_value("2024")
    expect(count).to_have_text("1 item")

    page.goto("/search/")
    mark(page)
    box = page.get_by_role("combobox", name=re.compile("Search discussions"))
    box.press_sequentially("avoid")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box.press("ArrowUp")  # wraps round to the last
    expect(listbox.get_by_role("option").last).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("Avoidable contact sampling")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert still_marked(page)
    box.press("Escape")  # closed: Escape clears the box as a search box does
    box.press_sequentially("avoid")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("avoid")
    box.press("Enter")  # no suggestion chosen: the search runs
    expect(page.get_by_role("heading", name=re.compile("results? for “avoid”"))).to_be_visible()


def test_the_same_forum_journeys_work_without_javascript(plain, site):
    page, thread, ann = plain, site["thread"], site["ann"]
    sign_in(page, ann)
    page.goto(thread.get_absolute_url())
    page.get_by_role("link", name="Quote").first.click()
    reply = page.get_by_label("Your reply")
    expect(reply).to_have_value("Tom Ellery wrote:\n\n> We sample two weeks of calls.\n\n")
    reply.press("Control+End")
    reply.press_sequentially("Same here.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#thread-posts > li").last).to_contain_text("Same here.")
    assert Post.objects.get(thread=thread, position=3).quoted_post.position == 1

    page.get_by_role("button", name="Watching thread").click()
    expect(page.get_by_text("You've stopped watching this thread.")).to_be_visible()
    expect(page.locator(".watch-button")).to_have_attribute("aria-pressed", "false")

    page.locator(f"#{thread.posts.get(position=1).anchor}").get_by_role("link", name="Flag").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flag a post for the facilitators")
    page.get_by_label("Off topic").check()
    page.get_by_role("button", name="Send to facilitators").click()
    expect(page.get_by_text("The facilitators have been asked to look at this post.")).to_be_visible()
    assert Flag.objects.filter(reporter=ann).count() == 1


def test_the_library_filters_and_search_work_without_javascript(plain, site):
    page = plain
    page.goto("/library/")
    page.get_by_label("Year").select_option("2024")
    expect(page.locator("#results-title")).to_have_text("2 items")  # nothing happens until Apply
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"year=2024"))
    expect(page.locator("#results-title")).to_have_text("1 item")

    page.goto("/search/")
    box = page.get_by_label(re.compile("Search discussions"))
    box.fill("avoidable")
    box.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("results? for “avoidable”"))).to_be_visible()
