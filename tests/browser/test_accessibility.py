"""axe-core over every kind of page, each as the person who would see it, failing on serious or critical violations.

One world holds something for every page: a public community with a busy thread (a quote, a code block, a table,
a hidden post, an open flag), a members-only community someone has asked to join, a deck with its thumbnail, a case
study, a roundup with its chart, notifications. Each test opens one page type, so a failure names the page.
"""

import re
from dataclasses import dataclass
from typing import Callable

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from communities import services
from communities.models import Flag, Membership
from cop_site.site_structure import ensure_site_structure
from library.models import Topic
from tests.browser.axe import assert_accessible, open_disclosures
from tests.factories import add_community, add_member, create_member
from tests.library.conftest import add_deck, publish_case_study
from tests.newsletters.support import add_roundup, heading, thread_item

OPENING_POST = """Over two weeks we coded every call by why it happened.

> Avoidable contact is demand caused by a failure to do something, or do something right, for the customer.

```
avoidable_share = (progress_chasing + repeat_calls) / all_calls
```

| Channel | Calls | Avoidable |
|---------|------:|----------:|
| Phone   | 4,210 | 38% |
| Email   | 1,045 | 21% |
"""


@dataclass
class World:
    people: dict
    centres: object
    scrutiny: object
    thread: object
    opening: object
    deck: object
    case_study: object
    roundup: object


@pytest.fixture
def world(settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    home = ensure_site_structure()
    topic, _ = Topic.objects.get_or_create(slug="contact-centres", defaults={"name": "Contact centres"})
    Topic.objects.get_or_create(slug="performance-management", defaults={"name": "Performance management"})
    people = {
        "facilitator": create_member(username="tom", display_name="Tom Ellery", job_title="Contact Centre Manager",
                                     organisation="Riverside District Council"),
        "member": create_member(username="priya", display_name="Priya Natarajan", job_title="Performance Officer",
                                organisation="Northfield Borough Council", bio="I look after our **NI14** returns."),
        "colleague": create_member(username="ann", display_name="Ann Carter"),
        "applicant": create_member(username="rhys", display_name="Rhys Bowen"),
    }
    centres = add_community(home, "contact-centres", title="Contact Centres")
    scrutiny = add_community(home, "scrutiny", visibility="members", join_policy="approval",
                             title="Scrutiny and Accountability")
    add_member(people["facilitator"], centres, Membership.Role.FACILITATOR)
    add_member(people["facilitator"], scrutiny, Membership.Role.FACILITATOR)
    add_member(people["member"], centres)
    add_member(people["colleague"], centres)
    services.join(people["applicant"], scrutiny, "I support our scrutiny committee at Riverside.")

    thread = services.start_thread(people["member"], centres, "Measuring avoidable contact", OPENING_POST)
    opening = thread.posts.get(position=1)
    services.reply(people["facilitator"], thread, "We found the same split.\n\nWhich week did you sample?",
                   quoted_post=opening)
    off_topic = services.reply(people["colleague"], thread, "Anyone selling headsets? Message me.")
    services.set_post_hidden(people["facilitator"], off_topic, True)
    services.reply(people["colleague"], thread, "A week in March and a week in October, to catch the council tax peak.")
    services.flag_post(people["member"], thread.posts.get(position=4), Flag.Reason.OFF_TOPIC, "Not about avoidable contact.")
    services.moderate_thread(people["facilitator"], thread, "pin")
    locked = services.start_thread(people["colleague"], centres, "Web chat opening hours", "Does anyone staff chat at weekends?")
    services.moderate_thread(people["facilitator"], locked, "lock")

    deck = add_deck(centres, title="Avoidable contact sampling", uploader=people["member"], presented_on="2025-03-12",
                    download_count=3)
    deck.topics.add(topic)
    library = home.get_children().get(slug="library").specific
    case_study = publish_case_study(library)
    roundup = add_roundup(centres, intro="<p>What stood out this month.</p>", blocks=[
        heading("Busiest discussions"), thread_item(thread, line="How two councils sample their calls.", replies=3),
    ], figures={
        "posts": 12, "previous_posts": 8, "active_members": 4, "previous_active_members": 5, "new_members": 2,
        "new_threads": 3, "new_decks": 1, "new_case_studies": 0, "posts_per_day": [0, 3, 9] + [0] * 28,
    })
    return World(people, centres, scrutiny, thread, opening, deck, case_study, roundup)


@pytest.fixture
def visit(page, live_server, world):
    """Open a path as a role ("visitor" or a key of world.people), signed in through a real session cookie."""

    def open_as(role, path):
        page.context.clear_cookies()
        if role != "visitor":
            client = Client()
            client.force_login(world.people[role])
            page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                       "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        return page.goto(path)

    return open_as


def submit_empty(button):
    """Submit the form on the page as it stands, so it comes back with its errors."""
    return lambda page: page.get_by_role("button", name=button).click()


def submit_signup_with_errors(page):
    page.get_by_label("Email").fill("not an email address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)", exact=True).fill("different")
    page.get_by_role("button", name="Sign Up").click()


def submit_login_with_errors(page):
    page.get_by_label("Email").fill("priya@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign In").click()


@dataclass(frozen=True)
class PageType:
    role: str
    path: Callable[[World], str]
    shows: str = ""  # text that proves the page shows what it is meant to, so the audit covers the real thing
    then: Callable = None  # what to do on the page before the audit (submit a form to see its errors)
    status: int = 200


def forum(world):
    return f"{world.centres.url}forum/"


PAGE_TYPES = {
    "home": PageType("visitor", lambda world: "/", shows="Practice Exchange"),
    "community index": PageType("visitor", lambda world: "/communities/", shows="Scrutiny and Accountability"),
    "community page": PageType("visitor", lambda world: world.centres.url, shows="About contact-centres."),
    "forum list": PageType("member", forum, shows="Web chat opening hours"),
    "forum closed to a non-member": PageType("colleague", lambda world: f"{world.scrutiny.url}forum/",
                                             shows="This community's discussions are for its members.", status=403),
    "thread, as a member (hidden post placeholder)": PageType(
        "member", lambda world: world.thread.get_absolute_url(), shows="This post has been hidden by a facilitator."),
    "thread, as its facilitator (hidden post and tools)": PageType(
        "facilitator", lambda world: world.thread.get_absolute_url(), shows="Anyone selling headsets?"),
    "new thread form": PageType("member", lambda world: f"{forum(world)}new/", shows="Title"),
    "new thread form with errors": PageType("member", lambda world: f"{forum(world)}new/", then=submit_empty("Post thread")),
    "post edit": PageType("member", lambda world: f"{forum(world)}posts/{world.opening.pk}/edit/", shows="Over two weeks"),
    "flag form": PageType("colleague", lambda world: f"{forum(world)}posts/{world.opening.pk}/flag/", shows="Off topic"),
    "join page": PageType("colleague", lambda world: f"{world.scrutiny.url}join/", shows="Why would you like to join?"),
    "members list": PageType("member", lambda world: f"{world.centres.url}members/", shows="Ann Carter"),
    "community library": PageType("visitor", lambda world: f"{world.centres.url}library/", shows="Avoidable contact sampling"),
    "notifications": PageType("member", lambda world: "/notifications/", shows="Measuring avoidable contact"),
    "profile": PageType("visitor", lambda world: "/members/priya/", shows="NI14"),
    "profile edit": PageType("member", lambda world: "/accounts/profile/", shows="Display name"),
    "library index with filters": PageType("visitor", lambda world: "/library/?kind=deck&topic=contact-centres",
                                           shows="Avoidable contact sampling"),
    "deck page": PageType("visitor", lambda world: world.deck.get_absolute_url(), shows="Avoidable contact sampling"),
    "deck upload form": PageType("member", lambda world: "/library/decks/upload/", shows="Share with"),
    "case study": PageType("visitor", lambda world: world.case_study.url, shows="Rota rebuilt around the Monday peak"),
    "case study submission form": PageType("member", lambda world: "/library/case-studies/submit/", shows="Interventions"),
    "case study submission form with errors": PageType("member", lambda world: "/library/case-studies/submit/",
                                                        then=submit_empty("Send for review")),
    "search with results and facets": PageType("member", lambda world: "/search/?q=avoidable", shows="Slide decks"),
    "search with no results": PageType("visitor", lambda world: "/search/?q=quillback", shows="Nothing matched"),
    "newsletters archive": PageType("visitor", lambda world: "/newsletters/", shows="roundup"),
    "roundup": PageType("visitor", lambda world: world.roundup.url, shows="The month in numbers"),
    "roundup preferences": PageType("member", lambda world: "/newsletters/preferences/", shows="Contact Centres"),
    "login": PageType("visitor", lambda world: "/accounts/login/", shows="Password"),
    "login with errors": PageType("visitor", lambda world: "/accounts/login/", then=submit_login_with_errors),
    "signup": PageType("visitor", lambda world: "/accounts/signup/", shows="Password (again)"),
    "signup with errors": PageType("visitor", lambda world: "/accounts/signup/", then=submit_signup_with_errors),
    "verification sent": PageType("visitor", lambda world: "/accounts/confirm-email/", shows="Check your email"),
    "password reset": PageType("visitor", lambda world: "/accounts/password/reset/", shows="Email"),
    "not found": PageType("visitor", lambda world: "/no-such-page/", status=404),
    "flag queue": PageType("facilitator", lambda world: f"{world.centres.url}flags/", shows="Not about avoidable contact."),
    "join request queue": PageType("facilitator", lambda world: f"{world.scrutiny.url}requests/",
                                   shows="I support our scrutiny committee at Riverside."),
    "moderation log": PageType("facilitator", lambda world: f"{world.centres.url}log/", shows="Measuring avoidable contact"),
    "member home": PageType("member", lambda world: "/my/", shows="Web chat opening hours"),
    "facilitator dashboard": PageType("facilitator", lambda world: f"{world.centres.url}dashboard/",
                                      shows="Web chat opening hours"),
}


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_has_no_serious_accessibility_violations(page, visit, world, name):
    page_type = PAGE_TYPES[name]
    response = visit(page_type.role, page_type.path(world))
    assert response.status == page_type.status, f"{name}: {page.url} answered {response.status}"
    if page_type.shows:
        expect(page.get_by_text(page_type.shows).first).to_be_visible()
    if page_type.then:
        page_type.then(page)
        expect(page.locator(".error-summary:focus")).to_be_visible()
    page.wait_for_load_state("networkidle")
    open_disclosures(page)
    assert_accessible(page, name)


def test_a_form_with_errors_is_announced_and_each_field_says_what_is_wrong(page, visit, world):
    visit("member", f"{forum(world)}new/")
    page.get_by_label("Title").fill("Hi")
    page.get_by_role("button", name="Post thread").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are problems with what you entered")
    title, message = page.get_by_label("Title"), page.get_by_label("Your message")
    for field, error in [(title, "at least 5 characters"), (message, "This field is required.")]:
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(error))
    expect(title).to_have_value("Hi")
    page.keyboard.press("Tab")  # from the summary to its first link, which leads to the field
    expect(summary.get_by_role("link", name=re.compile("^Title:"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(title).to_be_focused()


def test_a_group_of_checkboxes_is_named_by_its_legend_and_described_by_its_error(page, visit):
    visit("member", "/library/case-studies/submit/")
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".error-summary:focus")).to_contain_text("There are problems with what you entered")
    topics = page.get_by_role("group", name="Topics")
    expect(topics).to_have_accessible_description("Choose at least one. Choose at least one topic.")
    expect(topics.get_by_role("checkbox", name="Contact centres")).to_have_attribute("aria-invalid", "true")


def test_signing_up_with_mistakes_names_them_on_the_fields(page, visit):
    visit("visitor", "/accounts/signup/")
    submit_signup_with_errors(page)
    expect(page.get_by_role("alert")).to_be_focused()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("valid email address"))


# Thumbnails load lazily, so wait for the image to arrive (or fail) rather than look at it once.
LOADED = """img => img.complete && img.naturalWidth > 0 || new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth > 0));
    img.addEventListener("error", () => done(false));
})"""


def test_deck_thumbnails_are_named_by_the_deck_title_wherever_they_appear(page, visit, world):
    for path in ["/library/", f"{world.centres.url}library/", world.deck.get_absolute_url(), "/my/"]:
        visit("member", path)
        thumbnail = page.get_by_role("img", name="Avoidable contact sampling", exact=True)
        expect(thumbnail, f"the thumbnail on {path}").to_be_visible()
        assert thumbnail.evaluate(LOADED), f"the thumbnail on {path} did not load"
