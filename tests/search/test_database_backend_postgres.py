"""The database backend on PostgreSQL full text: the same backend contract as on SQLite.

Runs only in the integration run (scripts/with-test-services.sh sets DATABASE_URL to a real PostgreSQL);
there it must run on PostgreSQL, so anything else fails rather than skips.
"""

import pytest
from django.db import connection

from search.backends.database import DatabaseBackend
from tests.search.relevance import RelevanceCases
from tests.search.contract import BackendContract
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
