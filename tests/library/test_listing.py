from datetime import date, datetime, timezone

import pytest
from bs4 import BeautifulSoup

from library.models import SlideDeck, Topic
from tests.factories import add_community, add_member
from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db

# The site, then the pages on the path and the library as its own class (3); the page of matching items with how many
# there are, their cards, their topics. The filter form's topics, communities and years are cached once read (two
# queries more the first time).
LISTING_QUERIES = 7


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
    assert titles(client.get("/library/", {"sort": "title", "page": 7})) == ["Deck 24", "Deck 25"]  # past the end: the last


def test_a_filter_nothing_matches_lists_nothing_on_any_page(client, library):
    add_deck(title="A deck", presented_on="2024-02-01")
    for page in ("1", "3"):
        response = client.get("/library/", {"year": "2019", "page": page})
        assert response.status_code == 200
        assert titles(response) == []


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


def year_options(response):
    return [option["value"] for option in BeautifulSoup(response.content, "html.parser").select("#filter-year option")][1:]


def test_a_deck_without_a_presentation_date_is_listed_under_the_year_it_was_shared(client, library):
    shared_2019 = add_deck(title="Shared in 2019")
    presented_2024 = add_deck(title="Presented in 2024, shared in 2019", presented_on="2024-03-01")
    SlideDeck.objects.filter(pk__in=[shared_2019.pk, presented_2024.pk]).update(
        created_at=datetime(2019, 6, 15, 12, tzinfo=timezone.utc)
    )
    assert titles(client.get("/library/", {"year": "2019"})) == ["Shared in 2019"]
    assert titles(client.get("/library/", {"year": "2024", "kind": "deck"})) == ["Presented in 2024, shared in 2019"]
    assert titles(client.get("/library/", {"year": "2023"})) == []
    assert year_options(client.get("/library/")) == ["2024", "2019"]


def test_a_year_lists_the_decks_listed_from_its_first_day_to_its_last(client, library):
    for day in ("2023-12-31", "2024-01-01", "2024-12-31", "2025-01-01"):
        add_deck(title=f"Presented {day}", presented_on=day)
    assert titles(client.get("/library/", {"year": "2024"})) == ["Presented 2024-12-31", "Presented 2024-01-01"]


def test_a_deck_is_dated_on_its_card_by_the_sites_calendar_and_moves_year_when_its_presentation_date_is_set(
        client, library, django_capture_on_commit_callbacks):
    deck = add_deck(title="Shared just after midnight in London")
    SlideDeck.objects.filter(pk=deck.pk).update(created_at=datetime(2025, 6, 30, 23, 30, tzinfo=timezone.utc))
    card = BeautifulSoup(client.get("/library/").content, "html.parser").select_one(".library-card")
    assert card.time["datetime"] == "2025-07-01"  # 00:30 British Summer Time, not 30 June as UTC has it

    deck.refresh_from_db()
    deck.presented_on = date(2008, 3, 1)
    with django_capture_on_commit_callbacks(execute=True):
        deck.save()
    assert deck.listed_on == date(2008, 3, 1)  # the database's new value, not the one loaded before saving
    assert titles(client.get("/library/", {"year": "2008"})) == ["Shared just after midnight in London"]
    assert titles(client.get("/library/", {"year": "2025"})) == []
    # With words, the search index answers: it files the deck under the same year.
    assert titles(client.get("/library/", {"year": "2008", "q": "midnight"})) == ["Shared just after midnight in London"]
    assert titles(client.get("/library/", {"year": "2025", "q": "midnight"})) == []


def test_the_year_filter_offers_a_new_year_as_soon_as_a_deck_is_listed_in_it_and_drops_it_when_removed(client, library):
    add_deck(title="Recent", presented_on="2024-02-01")
    assert year_options(client.get("/library/")) == ["2024"]
    old = add_deck(title="Old", presented_on="2011-02-01")
    assert year_options(client.get("/library/")) == ["2024", "2011"]
    old.delete()
    assert year_options(client.get("/library/")) == ["2024"]


def test_the_year_filter_offers_only_years_of_decks_the_reader_may_read(client, library, home, people):
    private = add_community(home, "leads", visibility="private")
    add_member(people["member"], private)
    add_deck(title="Public", presented_on="2024-02-01")
    add_deck(title="Private", presented_on="2012-02-01", community=private)
    assert year_options(client.get("/library/")) == ["2024"]  # a visitor's years are cached first
    client.force_login(people["member"])
    assert year_options(client.get("/library/")) == ["2024", "2012"]
    client.force_login(people["outsider"])
    assert year_options(client.get("/library/")) == ["2024"]


def community_options(response):
    return [option["value"] for option in BeautifulSoup(response.content, "html.parser").select("#filter-community option")][1:]


def test_the_community_filter_offers_only_communities_the_reader_may_see_listed(client, library, home, people):
    add_community(home, "parks")
    leads = add_community(home, "leads", visibility="private")
    add_member(people["member"], leads)
    assert community_options(client.get("/library/")) == ["parks"]  # a visitor's choices are cached first
    client.force_login(people["member"])
    assert community_options(client.get("/library/")) == ["leads", "parks"]
    client.force_login(people["outsider"])
    assert community_options(client.get("/library/")) == ["parks"]


def test_the_filter_choices_follow_communities_and_topics_as_soon_as_they_change(client, library, home):
    parks = add_community(home, "parks")
    assert community_options(client.get("/library/")) == ["parks"]
    roads = add_community(home, "roads")
    assert community_options(client.get("/library/")) == ["parks", "roads"]

    parks.title = "Zoos and parks"
    parks.save_revision().publish()
    page = BeautifulSoup(client.get("/library/").content, "html.parser")
    assert [option.get_text() for option in page.select("#filter-community option")][1:] == ["Roads", "Zoos and parks"]

    roads.unpublish()
    assert community_options(client.get("/library/")) == ["parks"]
    parks.delete()
    assert community_options(client.get("/library/")) == []

    Topic.objects.create(name="Waste and recycling", slug="waste")
    assert "waste" in [option["value"] for option in
                       BeautifulSoup(client.get("/library/").content, "html.parser").select("#filter-topic option")]


def test_the_filter_form_shows_the_chosen_values_and_escapes_names(client, library, home):
    add_community(home, "parks", title="Parks & <Open> Spaces")
    add_community(home, "roads")
    response = client.get("/library/", {"community": "parks", "kind": "deck", "sort": "title"})
    page = BeautifulSoup(response.content, "html.parser")
    assert [option["value"] for option in page.select("#filter-community option[selected]")] == ["parks"]
    assert page.select_one("#filter-community option[value=parks]").get_text() == "Parks & <Open> Spaces"
    assert b"Parks &amp; &lt;Open&gt; Spaces" in response.content
    assert [option["value"] for option in page.select("#filter-kind option[selected]")] == ["deck"]
    assert [option["value"] for option in page.select("#filter-sort option[selected]")] == ["title"]
    assert page.select("#filter-topic option[selected]") == []

