"""The database backend on SQLite (FTS5): the whole backend contract, plus what is particular to it."""

import pytest
from django.db import connection

from search.backends.database import FTS_TABLE, DatabaseBackend
from search.documents import SearchFilters
from tests.search.relevance import RelevanceCases
from tests.search.contract import CORPUS, VISITOR, BackendContract, doc, keys
from tests.search.database_backend_checks import DatabaseBackendChecks


@pytest.fixture
def backend(db):
    return DatabaseBackend()


class TestDatabaseBackendOnSQLite(BackendContract, RelevanceCases, DatabaseBackendChecks):
    def test_runs_on_sqlite(self, backend):
        assert connection.vendor == "sqlite"

    @pytest.mark.parametrize("lost", [
        [f"DROP TABLE {FTS_TABLE}"],
        # what remaking the entries table in a later SQLite migration does: its triggers go with the old table
        [f"DROP TRIGGER {FTS_TABLE}_insert", f"DROP TRIGGER {FTS_TABLE}_update", f"DROP TRIGGER {FTS_TABLE}_delete"],
    ])
    def test_a_lost_fts_table_or_trigger_is_remade_and_refilled(self, backend, lost):
        backend.index(CORPUS)
        with connection.cursor() as cursor:
            for statement in lost:
                cursor.execute(statement)
        fresh = DatabaseBackend()
        assert "thread:1" in keys(fresh.search("resolution", VISITOR, SearchFilters()))
        fresh.index([doc("thread:50", "Benchmarking clubs")])
        assert keys(fresh.search("benchmarking clubs", VISITOR, SearchFilters())) == ["thread:50"]
