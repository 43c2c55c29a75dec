"""The library listing's page and count come from one SQL query of its own (library.queries.counted_rows): the same
answers on PostgreSQL as on SQLite, sorted either way, past the last page and when nothing matches."""

import pytest

from library.models import Topic
from tests.library.conftest import add_deck, library  # noqa: F401  (the fixture)
from tests.library.test_listing import titles

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_library_pages_filters_and_sorts_on_postgresql(client, library):  # noqa: F811
    topic = Topic.objects.get(slug="national-indicators")
    for number in range(26):
        deck = add_deck(title=f"Deck {number:02d}", presented_on=f"{2000 + number % 2}-03-01")
        deck.topics.add(topic)

    first = titles(client.get("/library/", {"sort": "title", "topic": topic.slug}))
    assert first == [f"Deck {number:02d}" for number in range(24)]
    assert titles(client.get("/library/", {"sort": "title", "topic": topic.slug, "page": 2})) == ["Deck 24", "Deck 25"]
    assert titles(client.get("/library/", {"sort": "title", "page": 9})) == ["Deck 24", "Deck 25"]
    assert titles(client.get("/library/", {"year": "2001", "kind": "deck"}))[:2] == ["Deck 25", "Deck 23"]  # newest first
    assert titles(client.get("/library/", {"year": "1999", "page": 2})) == []
