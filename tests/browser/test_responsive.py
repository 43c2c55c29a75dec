"""The main pages at phone, tablet and desktop widths: nothing wider than the screen, nothing drawn over anything else.

The checker is the one `make screenshots` runs on the demo site (scripts/screenshots.py). Here it runs on a small
site built with factories, with the awkward things members really post: long links, wide code, wide tables.
"""

import pytest
from playwright.sync_api import expect

from communities import services
from communities.models import Membership
from cop_site.site_structure import ensure_site_structure
from scripts.screenshots import WIDTHS, layout_problems
from tests.factories import PASSWORD, add_community, add_member, create_member
from tests.library.conftest import add_deck, publish_case_study
from tests.newsletters.support import add_roundup, heading, thread_item

AWKWARD_POST = """## Sampling avoidable contact

Our method is written up at https://www.example.org/performance/avoidable-contact/ni14-sampling-method-2009-revised-final-version.pdf
and the spreadsheet column is `avoidable_contact_percentage_of_all_contact_by_channel_and_service`.

> The third step is the one that matters. The number on its own changed nothing.

1. Sample two weeks of contacts
2. Classify each one
    - value
    - avoidable: progress chasing, repeats, wrong department

```
SELECT service, channel, SUM(CASE WHEN avoidable THEN 1 ELSE 0 END) * 100.0 / COUNT(*) AS avoidable_percentage FROM contacts GROUP BY service, channel;
```

| Service | Phone | Web | Face to face | Email | Letters | Avoidable | Change on last year |
|---|---:|---:|---:|---:|---:|---:|---|
| Council tax | 12,400 | 30,100 | 900 | 4,100 | 2,000 | 31% | down four points after the reminder letter was rewritten |
| Waste and recycling | 8,200 | 22,900 | 150 | 2,300 | 400 | 27% | flat |

Supercalifragilisticexpialidociouslylongidentifierwithoutanyspaces_that_a_member_pasted_from_a_spreadsheet.
"""


@pytest.fixture
def site(settings):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    home = ensure_site_structure()
    community = add_community(home, "contact-centres", title="Contact Centres and Customer Service")
    facilitator = create_member(username="tom", display_name="Tom Ellery", organisation="Westmarsh District Council",
                                job_title="Customer Services Manager")
    member = create_member(username="dana", display_name="Dana Whitlock", organisation="Harbourside Unitary Authority")
    add_member(facilitator, community, Membership.Role.FACILITATOR)
    add_member(member, community)
    thread = services.start_thread(member, community, "NI14 avoidable contact: a sampling approach that survived audit",
                                   AWKWARD_POST)
    services.reply(facilitator, thread, "Agree about step three. We published the top five causes every quarter.")
    deck = add_deck(community, title="Avoidable contact: a sampling method", uploader=member, presented_on="2026-10-02",
                    event="Regional performance forum")
    case_study = publish_case_study(home.get_children().get(slug="library").specific)
    roundup = add_roundup(community, intro="<p>Avoidable contact was the month's big discussion.</p>",
                          blocks=[heading("The busiest discussions"), thread_item(thread, "Sampling that survived audit.", 1)],
                          figures={"posts": 12, "previous_posts": 8, "active_members": 4, "previous_active_members": 5,
                                   "new_members": 2, "new_threads": 3, "new_decks": 1, "new_case_studies": 0,
                                   "posts_per_day": [0, 3, 9] + [0] * 28})
    return {"community": community, "thread": thread, "deck": deck, "case_study": case_study, "roundup": roundup,
            "facilitator": facilitator}


def problems_at_every_width(page, paths):
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{path}: {response.status}"
            problems += [f"{path} at {width} px: {problem}" for problem in layout_problems(page)]
    return problems


def test_public_pages_fit_every_width_without_overlaps(page, site):
    page.goto("/search/?q=avoidable")
    expect(page.locator(".search-hit").first).to_be_visible()  # the results layout is what gets checked
    paths = ["/", site["community"].url, site["thread"].get_absolute_url(), "/library/", site["deck"].get_absolute_url(),
             site["case_study"].url, "/search/?q=avoidable", "/newsletters/", site["roundup"].url]
    problems = problems_at_every_width(page, paths)
    assert not problems, "\n".join(problems)


def test_a_facilitators_thread_page_with_its_tools_and_reply_box_fits_every_width(page, site, sign_in):
    sign_in(site["facilitator"].email, PASSWORD)
    problems = problems_at_every_width(page, [site["thread"].get_absolute_url(), "/notifications/"])
    assert not problems, "\n".join(problems)


@pytest.fixture
def sketch(browser):
    """A blank phone-sized page to draw broken layouts on, to show the checker sees them."""
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def test_the_checker_names_what_sticks_out_sideways(sketch):
    sketch.set_content("""
        <p>fine words</p>
        <p id="long">Averyveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordthatwillnotwrap</p>
        <div style="width: 300px"><table id="wide" style="width: 600px"><tr><td>cell</td></tr></table></div>
    """)
    problems = layout_problems(sketch)
    assert any("p#long" in problem for problem in problems), problems
    assert any("table#wide" in problem for problem in problems), problems
    assert all("wider than the 375 px screen" in problem for problem in problems)
    assert not any("td" in problem.split(" reaches ")[0] for problem in problems), "only the outermost box is named"


def test_wide_content_that_scrolls_in_its_own_box_is_not_overflow(sketch):
    sketch.set_content('<div style="overflow-x: auto"><pre id="code">' + "x" * 300 + "</pre></div>")
    assert layout_problems(sketch) == []


def test_the_checker_finds_links_and_buttons_drawn_over_each_other(sketch):
    sketch.set_content("""
        <a href="/a" style="position: absolute; top: 10px; left: 10px">Quote</a>
        <button style="position: absolute; top: 12px; left: 20px">Delete</button>
        <h2 style="margin-top: 80px">A heading <a href="/in-heading">with a link inside</a></h2>
        <a href="/b" style="position: absolute; top: 80px; left: 10px; visibility: hidden">Hidden under the heading</a>
    """)
    assert layout_problems(sketch) == ['overlap: a "Quote" overlaps button "Delete"']


def test_a_page_that_fits_has_no_problems(sketch):
    sketch.set_content('<h1>Title</h1><p>Short text with <a href="/x">a link</a>.</p><button>Go</button>')
    assert layout_problems(sketch) == []
