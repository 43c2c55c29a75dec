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


def test_a_year_runs_from_its_first_day_to_its_last_on_postgresql(client, library):  # noqa: F811
    for day in ("2023-12-31", "2024-01-01", "2024-12-31", "2025-01-01"):
        add_deck(title=f"Presented {day}", presented_on=day)
    for _ in range(7):  # past psycopg's preparing of the statement and PostgreSQL's first five custom plans
        assert titles(client.get("/library/", {"year": "2024"})) == ["Presented 2024-12-31", "Presented 2024-01-01"]
