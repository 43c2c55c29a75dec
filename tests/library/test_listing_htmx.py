"""Library filters with htmx: a changed filter answers with the results and their count, not the page."""

import pytest
from bs4 import BeautifulSoup

from library.models import Topic
from tests.factories import add_community, add_member
from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# The site, then the pages on the path and the library as its own class (3); the listing: the page of matching items
# with how many there are, their cards, their topics. None for the filter options, which the fragment leaves out.
RESULTS_QUERIES = 7


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def titles(page):
    return [a.get_text() for a in page.select(".library-card .card-title a")]


def test_a_changed_filter_answers_with_the_results_and_their_count_for_the_live_heading(client, library):
    add_deck(title="Zebra: NI14 sampling", presented_on="2009-05-01")
    add_deck(title="Alpha: scrutiny questions", presented_on="2024-02-01")
    response = client.get("/library/", {"year": "2024"}, headers=HTMX)
    page = soup(response)
    assert "<html" not in response.content.decode() and page.find("form") is None  # no page, no filter form
    assert titles(page) == ["Alpha: scrutiny questions"]
    count = page.find("h2", id="results-title")
    assert count["hx-swap-oob"] == "innerHTML" and count["aria-live"] == "polite"
    assert count.get_text() == "1 item"
    assert "HX-Request" in response["Vary"]


def test_the_results_keep_the_filters_in_their_page_links(client, library):
    for number in range(26):
        add_deck(title=f"Deck {number:02d}")
    page = soup(client.get("/library/", {"sort": "title", "kind": "deck"}, headers=HTMX))
    assert titles(page)[:2] == ["Deck 00", "Deck 01"]
    assert page.find("a", rel="next")["href"] == "?sort=title&kind=deck&page=2"
    assert page.find("h2", id="results-title").get_text() == "26 items"


def test_no_match_says_so_in_place_with_a_way_back(client, library):
    add_deck(title="A deck")
    page = soup(client.get("/library/", {"kind": "case_study"}, headers=HTMX))
    assert titles(page) == []
    assert "Nothing matches these filters." in page.get_text()
    assert page.find("a", string="Show everything")["href"] == "/library/"
    assert page.find("h2", id="results-title").get_text() == "0 items"


def test_results_swapped_in_never_include_another_communitys_private_decks(client, library, home, people):
    private = add_community(home, "leads", visibility="private")
    add_member(people["member"], private)
    add_deck(title="Leads' budget deck", community=private)
    add_deck(title="Public deck")
    client.force_login(people["outsider"])
    assert titles(soup(client.get("/library/", {"sort": "title"}, headers=HTMX))) == ["Public deck"]
    client.force_login(people["member"])
    assert titles(soup(client.get("/library/", {"sort": "title"}, headers=HTMX))) == ["Leads' budget deck", "Public deck"]


@pytest.mark.parametrize("count", [2, 30])
def test_the_results_cost_the_same_queries_whatever_their_size(client, library, home, count, django_assert_num_queries):
    community = add_community(home, "busy")
    topic = Topic.objects.first()
    for number in range(count):
        deck = add_deck(title=f"Deck {number}", community=community if number % 2 else None)
        deck.topics.add(topic)
    client.get("/library/", headers=HTMX)
    with django_assert_num_queries(RESULTS_QUERIES):
        client.get("/library/", {"topic": topic.slug}, headers=HTMX)


def test_the_page_wires_the_filters_to_the_results_and_keeps_apply_for_pages_without_javascript(client, library):
    add_deck(title="A deck")
    response = client.get("/library/")
    page = soup(response)
    form = page.find("form", class_="library-filters")
    assert form["method"] == "get" and form["hx-get"] == "/library/"
    assert form["hx-target"] == "#library-results" and form["hx-push-url"] == "true"
    assert form.find("button", type="submit").get_text() == "Apply"
    assert page.find(id="library-results").find(class_="library-card")
    assert page.find("h2", id="results-title").get_text() == "1 item"
    assert not page.find("h2", id="results-title").has_attr("hx-swap-oob")
    assert "HX-Request" in response["Vary"]  # a cache must not hand the page to htmx, nor the fragment to a reload
