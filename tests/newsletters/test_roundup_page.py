"""A roundup as a web page: what it shows, to whom, at what cost, and the offer to get it by email."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from communities import services
from newsletters.models import Subscription
from newsletters.subscriptions import is_subscribed, subscription
from newsletters.figures import Figure, key_figures
from newsletters.views.roundup import render_roundup
from tests.factories import add_community, add_member
from tests.library.conftest import add_deck, publish_case_study
from tests.newsletters.support import add_roundup, heading, thread_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]

FIGURES = {
    "posts": 12, "previous_posts": 8, "active_members": 4, "previous_active_members": 5, "new_members": 2,
    "new_threads": 3, "new_decks": 1, "new_case_studies": 0, "posts_per_day": [0, 3, 9] + [0] * 28,
}


@pytest.fixture
def public(community_factory):
    """A public community and its thread, "Secret public thread title" with one reply."""
    return community_factory("public")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def render_for(user, roundup):
    """What the editor's preview does: render the page, with no permission check."""
    request = RequestFactory().get(roundup.url)
    request.user = user
    return render_roundup(request, roundup).render()


def text_of(response):
    return " ".join(soup(response).get_text(" ").split())


def deck_item(deck, line=""):
    return {"type": "deck", "value": {"deck": deck.pk, "section": "decks", "line": line}}


def case_study_item(study, line=""):
    return {"type": "case_study", "value": {"case_study": study.pk, "section": "case_studies", "line": line}}


def test_a_roundup_shows_its_title_month_community_intro_and_items(client, public):
    community, thread = public
    roundup = add_roundup(community, intro="<p>A month of <b>baselines</b>.</p>", figures=FIGURES, blocks=[
        heading("Busiest discussions"),
        thread_item(thread, "How councils set NI14 baselines.", replies=3),
    ])

    response = client.get(roundup.url)

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == roundup.title
    assert page.find("time", datetime="2026-10").get_text() == "October 2026"
    assert page.select_one(".roundup-meta a")["href"] == community.url
    assert page.select_one(".roundup-intro b").get_text() == "baselines"
    item = page.select_one(".roundup-item-thread")
    assert item.h3.a["href"] == thread.get_absolute_url() and item.h3.a.get_text() == thread.title
    words = " ".join(item.get_text(" ").split())
    assert "Discussion in Public Community · 3 replies" in words
    assert "How councils set NI14 baselines." in words
    assert [h.get_text() for h in page.find_all(["h1", "h2"])] == [
        roundup.title, "The month in numbers", "Busiest discussions", "Get this roundup by email",
    ]


def test_the_key_figures_give_the_change_on_last_month_in_words_and_numbers(client, public):
    roundup = add_roundup(public[0], figures=FIGURES)

    figures = {
        " ".join(figure.dt.get_text().split()): " ".join(figure.dd.get_text(" ").split())
        for figure in soup(client.get(roundup.url)).select(".figure")
    }

    assert figures == {
        "Posts": "12 up 4 (50%) on last month's 8",
        "Members taking part": "4 down 1 (20%) on last month's 5",
        "New members": "2", "New discussions": "3", "Slide decks shared": "1", "Case studies published": "0",
    }


def test_a_change_from_nothing_or_to_the_same_is_said_plainly():
    assert Figure("Posts", 5, 0).change == "up 5 from none last month"
    assert Figure("Posts", 5, 5).change == "the same as last month"
    assert Figure("Posts", 0, 3).change == "down 3 (100%) on last month's 3"
    assert Figure("New members", 2).change == ""
    assert key_figures({}) == []


def test_posts_per_day_are_charted_with_words_for_those_who_cannot_see_it(client, public):
    busy = add_roundup(public[0], figures=FIGURES)
    quiet = add_roundup(public[0], figures={**FIGURES, "posts_per_day": [0] * 30}, month=busy.month.replace(month=9))

    chart = soup(client.get(busy.url)).select_one(".roundup-figures svg")
    assert chart["role"] == "img"
    assert chart["aria-label"] == "Posts per day, October 2026: 12 in total; the most, 9, on 3 Oct."
    assert soup(client.get(quiet.url)).select_one(".roundup-figures svg") is None


def test_each_kind_of_item_links_to_it(client, public, home):
    community, thread = public
    deck = add_deck(community, title="Sampling avoidable contact")
    study = publish_case_study(home.get_children().get(slug="library").specific, title="Quicker answers at Brackenfield")
    roundup = add_roundup(community, blocks=[
        thread_item(thread), deck_item(deck, "Slides from the regional network."), case_study_item(study),
        {"type": "text", "value": "<p>And a <i>word</i> from the facilitator.</p>"},
    ])

    page = soup(client.get(roundup.url))

    assert [(a.get_text(), a["href"]) for a in page.select(".roundup-item h3 a")] == [
        (thread.title, thread.get_absolute_url()), (deck.title, deck.get_absolute_url()), (study.title, study.url),
    ]
    assert [" ".join(p.get_text(" ").split()) for p in page.select(".roundup-item .meta")] == [
        "Discussion in Public Community", "Slide deck in Public Community", "Case study",
    ]
    assert page.select_one(".roundup-text i").get_text() == "word"
    assert page.find("h2", string="Highlights"), "items with no heading of their own still sit under one"


def test_a_site_wide_roundup_never_shows_an_item_the_reader_may_not_read(client, community_factory, people):
    public_thread = community_factory("public")[1]
    private_thread = community_factory("private", slug="leads")[1]
    roundup = add_roundup(blocks=[
        heading("Busiest discussions"), thread_item(public_thread, "Open to all."),
        heading("From the leads"), thread_item(private_thread, "Candid notes."),
    ])

    for reader in (None, people["outsider"]):
        if reader:
            client.force_login(reader)
        words = text_of(client.get(roundup.url))
        assert public_thread.title in words
        assert private_thread.title not in words and "Candid notes." not in words
        assert "From the leads" not in words, "a heading with nothing under it is dropped"

    client.force_login(people["member"])
    words = text_of(client.get(roundup.url))
    assert private_thread.title in words and "From the leads" in words


@pytest.mark.parametrize("visibility, visitor, outsider", [("members", 302, 403), ("private", 404, 404)])
def test_a_members_only_communitys_roundup_is_for_its_members(client, community_factory, people, visibility, visitor, outsider):
    community = community_factory(visibility)[0]
    roundup = add_roundup(community, intro="<p>Between ourselves.</p>")

    response = client.get(roundup.url)
    assert response.status_code == visitor
    if visitor == 302:
        assert response["Location"].startswith("/accounts/login/?next=")
    client.force_login(people["outsider"])
    response = client.get(roundup.url)
    assert response.status_code == outsider
    assert b"Between ourselves" not in response.content
    client.force_login(people["member"])
    assert b"Between ourselves" in client.get(roundup.url).content


def test_a_draft_is_not_served_but_the_preview_renders_it(client, public, people):
    roundup = add_roundup(public[0], intro="<p>Still writing this.</p>", live=False)

    assert client.get(roundup.url).status_code == 404
    assert b"Still writing this." in render_for(people["facilitator"], roundup).content


def test_the_page_costs_the_same_queries_for_3_items_as_for_20(client, public, people, home):
    community, thread = public
    add_member(people["member"], add_community(home, "leads", visibility="private"))
    library = home.get_children().get(slug="library").specific
    threads = [services.start_thread(people["member"], community, f"Question {n}", "Body.") for n in range(12)]
    decks = [add_deck(community, title=f"Deck {n}") for n in range(4)]
    studies = [publish_case_study(library, slug=f"study-{n}", title=f"Study {n}") for n in range(4)]
    small = add_roundup(community, figures=FIGURES, blocks=[
        heading("Discussions"), thread_item(thread), deck_item(decks[0]), case_study_item(studies[0]),
    ])
    large = add_roundup(community, figures=FIGURES, month=small.month.replace(month=9), blocks=[
        heading("Discussions"), *map(thread_item, threads), heading("Decks"), *map(deck_item, decks),
        heading("Case studies"), *map(case_study_item, studies),
    ])
    client.force_login(people["member"])
    client.get(small.url)  # warm the site's cached root paths

    counts = {}
    for roundup in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(roundup.url).status_code == 200
        counts[roundup.pk] = len(queries)

    assert len(soup(client.get(large.url)).select(".roundup-item")) == 20
    # Finding the page (site, the pages on the path, the roundup: 4) and the signed-in user, then one query per kind
    # of item and the reader's subscription.
    assert counts == {small.pk: 13, large.pk: 13}


def test_a_visitor_is_offered_sign_in_and_the_rss_feed(client, public):
    roundup = add_roundup(public[0])

    page = soup(client.get(roundup.url))

    offer = page.select_one(".roundup-offer")
    assert offer.find("a", string="Sign in or register to choose your roundups")["href"] == "/newsletters/preferences/"
    assert offer.find("a", string="RSS feed")["href"] == "/newsletters/feed/?community=public-community"
    assert page.find("link", rel="alternate")["href"] == "/newsletters/feed/?community=public-community"
    assert page.find("link", rel="alternate")["type"] == "application/rss+xml"


def test_a_member_subscribes_from_the_page_and_is_then_told_they_get_it(client, public, people):
    roundup = add_roundup(public[0])
    client.force_login(people["member"])
    assert soup(client.get(roundup.url)).select_one(".roundup-offer button").get_text() == "Email me the Public Community roundup"

    response = client.post(roundup.url)

    assert response.status_code == 302 and response["Location"] == roundup.url
    assert [str(m) for m in get_messages(response.wsgi_request)][0].startswith("You'll get the Public Community roundup")
    found = subscription(people["member"], public[0])
    assert found.is_active and found.consent_source == Subscription.Source.PREFERENCES
    offer = text_of(client.get(roundup.url))
    assert "You get the Public Community roundup by email each month." in offer


def test_subscribing_from_the_page_needs_a_sign_in_and_a_readable_roundup(client, community_factory, people):
    community = community_factory("members")[0]
    roundup = add_roundup(community)

    assert client.post(roundup.url)["Location"].startswith("/accounts/login/")
    client.force_login(people["outsider"])
    assert client.post(roundup.url).status_code == 403
    assert not is_subscribed(people["outsider"], community)


def test_the_site_wide_roundup_feeds_from_every_public_roundup(client, home):
    roundup = add_roundup()

    page = soup(client.get(roundup.url))

    assert page.find("link", rel="alternate")["href"] == "/newsletters/feed/"
    assert "Site-wide" in page.select_one(".breadcrumb").get_text()
