import pytest
from bs4 import BeautifulSoup

from library.models import Topic
from tests.factories import add_community, add_member
from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db

# The site, then the pages on the path and the library as its own class (3); the matching items, their cards, their
# topics; the filter form's topics and communities, then its years.
LISTING_QUERIES = 9


def titles(response):
    return [a.get_text() for a in BeautifulSoup(response.content, "html.parser").select(".library-card .card-title a")]


def test_library_lists_decks_newest_first_with_their_cards(client, library):
    add_deck(title="Older deck")
    add_deck(title="Newer deck")
    response = client.get("/library/")
    assert titles(response) == ["Newer deck", "Older deck"]
    card = BeautifulSoup(response.content, "html.parser").select_one(".library-card")
    assert card.img["alt"] == "Newer deck"
    assert "Slide deck" in card.get_text()


def test_library_filters_by_topic_community_year_and_sorts_by_title(client, library, home):
    community = add_community(home, "contact-centres")
    ni14 = Topic.objects.get(slug="national-indicators")
    tagged = add_deck(title="Zebra: NI14 sampling", community=community, presented_on="2009-05-01")
    tagged.topics.add(ni14)
    add_deck(title="Alpha: scrutiny questions", presented_on="2024-02-01")
    assert titles(client.get("/library/", {"topic": "national-indicators"})) == ["Zebra: NI14 sampling"]
    assert titles(client.get("/library/", {"community": "contact-centres"})) == ["Zebra: NI14 sampling"]
    assert titles(client.get("/library/", {"year": "2024"})) == ["Alpha: scrutiny questions"]
    assert titles(client.get("/library/", {"sort": "title"})) == ["Alpha: scrutiny questions", "Zebra: NI14 sampling"]
    assert titles(client.get("/library/", {"kind": "case_study"})) == []


def test_unknown_filter_values_are_ignored_not_errors(client, library):
    add_deck(title="A deck")
    response = client.get("/library/", {"year": "20x4", "sort": "drop table", "kind": "nope", "page": "999"})
    assert response.status_code == 200
    assert titles(response) == ["A deck"]


def test_library_paginates_and_keeps_filters_in_page_links(client, library):
    for number in range(26):
        add_deck(title=f"Deck {number:02d}")
    response = client.get("/library/", {"sort": "title"})
    assert len(titles(response)) == 24
    next_link = BeautifulSoup(response.content, "html.parser").find("a", rel="next")["href"]
    assert next_link == "?sort=title&page=2"
    assert titles(client.get("/library/", {"sort": "title", "page": 2})) == ["Deck 24", "Deck 25"]


def test_community_library_tab_shows_only_its_items(client, library, home):
    community = add_community(home, "scrutiny")
    add_deck(title="Scrutiny deck", community=community)
    add_deck(title="Elsewhere deck")
    assert titles(client.get("/communities/scrutiny/library/")) == ["Scrutiny deck"]


@pytest.mark.parametrize("count", [2, 30])
def test_library_listing_costs_the_same_queries_whatever_its_size(client, library, home, count, django_assert_num_queries):
    community = add_community(home, "busy")
    topic = Topic.objects.first()
    for number in range(count):
        deck = add_deck(title=f"Deck {number}", community=community if number % 2 else None)
        deck.topics.add(topic)
    client.get("/library/")
    with django_assert_num_queries(LISTING_QUERIES):
        client.get("/library/")


def test_words_in_the_filter_box_search_the_library_through_the_search_service(client, library, home, people,
                                                                              django_capture_on_commit_callbacks):
    from communities import services

    community = add_community(home, "contact-centres")
    add_member(people["member"], community)
    with django_capture_on_commit_callbacks(execute=True):
        add_deck(title="Avoidable contact: measuring NI14", description="Sampling two weeks of contacts.")
        add_deck(title="Budget setting for parks")
        services.start_thread(people["member"], community, "Avoidable contact in our forum", "A thread, not a deck.")
    assert titles(client.get("/library/", {"q": "national indicator 14"})) == ["Avoidable contact: measuring NI14"]
    assert titles(client.get("/library/", {"q": "avoidable"})) == ["Avoidable contact: measuring NI14"]
    assert titles(client.get("/library/", {"q": "avoidable", "kind": "case_study"})) == []
