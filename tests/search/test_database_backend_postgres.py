"""The database backend on PostgreSQL full text: the same backend contract as on SQLite.

Runs only in the integration run (scripts/with-test-services.sh sets DATABASE_URL to a real PostgreSQL);
there it must run on PostgreSQL, so anything else fails rather than skips.
"""

import pytest
from django.db import connection

from search.backends import database
from search.backends.database import DatabaseBackend
from search.documents import SearchFilters
from tests.search.relevance import RelevanceCases
from tests.search.contract import CORPUS, VISITOR, BackendContract, doc, keys
from tests.search.database_backend_checks import DatabaseBackendChecks

pytestmark = pytest.mark.integration


@pytest.fixture
def backend(db):
    if connection.vendor != "postgresql":
        pytest.fail(f"the PostgreSQL contract run needs DATABASE_URL pointing at PostgreSQL, not {connection.vendor}")
    return DatabaseBackend()


class TestDatabaseBackendOnPostgreSQL(BackendContract, RelevanceCases, DatabaseBackendChecks):
    def test_runs_on_postgresql(self, backend):
        assert connection.vendor == "postgresql"


def stored_vectors(key):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text, title_vector::text FROM site_search_searchentry WHERE key = %s", [key]
        )
        return cursor.fetchone()


class TestPostgreSQLStorageAndRanking:
    """What the PostgreSQL engine adds to the contract: vectors written by a trigger, a narrow row, the exact
    ranking of the best RANK_CANDIDATES by title, and planner settings that stay inside the search."""

    def test_the_trigger_writes_both_vectors_and_rewrites_them_when_the_text_changes(self, backend):
        backend.index([doc("thread:60", "Benchmarking clubs", "Peers compare call costs.", topics=("benchmarking",))])
        search_vector, title_vector = stored_vectors("thread:60")
        assert search_vector == "'benchmark':1A,7C 'call':5B 'club':2A 'compar':4B 'cost':6B 'peer':3B"
        assert title_vector == "'benchmark':1A,3C 'club':2A"
        backend.index([doc("thread:60", "Benchmarking clubs", "Peers compare abandonment.", topics=("benchmarking",))])
        assert "'abandon'" in stored_vectors("thread:60")[0] and "'cost'" not in stored_vectors("thread:60")[0]
        assert keys(backend.search("abandonment", VISITOR, SearchFilters())) == ["thread:60"]

    def test_rows_are_kept_narrow_with_the_body_and_search_vector_out_of_line(self, backend):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'site_search_searchentry'")
            assert cursor.fetchone()[0] == ["toast_tuple_target=128"]
            cursor.execute(
                "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'site_search_searchentry'::regclass "
                "AND attstorage <> 'p'"
            )
            storage = dict(cursor.fetchall())
        assert storage.pop("body") == storage.pop("search_vector") == "x"   # compressed, then out of line
        assert set(storage.values()) == {"m"}                               # everything else stays in the row

    def test_beyond_the_ranked_candidates_matches_follow_in_title_order_and_every_page_is_consistent(
            self, backend, monkeypatch):
        monkeypatch.setattr(database, "RANK_CANDIDATES", 3)
        backend.index(
            [doc(f"thread:{70 + n}", f"Benchmarking note {n}", "benchmarking " * (4 - n), year=2010 + n) for n in range(5)]
            + [doc(f"thread:{80 + n}", f"Note {n}", "Some benchmarking.", year=2010 + n) for n in range(4)]
        )
        pages = [backend.search("benchmarking", VISITOR, SearchFilters(), page=page, per_page=2) for page in range(1, 6)]
        found = [key for results in pages for key in keys(results)]
        assert all(results.total == 9 for results in pages)
        assert sorted(found) == sorted([f"thread:{70 + n}" for n in range(5)] + [f"thread:{80 + n}" for n in range(4)])
        # the 3 candidates are the newest title matches, ranked exactly: the body that repeats the word most first
        assert found[:3] == ["thread:72", "thread:73", "thread:74"]
        # then the other title matches (ranked exactly, these would come first), and the body-only matches, each
        # newest first
        assert found[3:] == ["thread:71", "thread:70", "thread:83", "thread:82", "thread:81", "thread:80"]

    def test_the_search_settings_do_not_outlive_the_search(self, backend):
        backend.index(CORPUS)
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            before = cursor.fetchone()
            assert backend.search("contact", VISITOR, SearchFilters()).total
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone() == before == ("on",)
