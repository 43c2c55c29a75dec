"""The search matrix on the real services: PostgreSQL full text and a real Elasticsearch 8 node, on the same
world as tests/security (every role, every scene: see tests/security/matrix_rules and search_checks).

The world is built on PostgreSQL and indexed into both backends the way the site does it (the outbox, applied
after commit); each backend is then asked directly, and the pages through the search service, which must be
answered by Elasticsearch (not by the database fallback).
"""

import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings

from search import service
from search.backends import get_backend
from tests.security.matrix_rules import ROLES, VISIBILITIES
from tests.security.matrix_support import world_fixture
from tests.security.search_checks import COMMON_WORD, check_search, check_search_pages

pytestmark = pytest.mark.integration

RUN_THROUGH_MAKE = "run the integration tests through `make test` (scripts/with-test-services.sh provides the services)"
CELLS = [pytest.param(role, visibility, id=f"{visibility}-{role}") for visibility in VISIBILITIES for role in ROLES]


@contextmanager
def search_indexes_of_its_own():
    """Elasticsearch indexes for this module alone, deleted (by name) afterwards whatever happens."""
    if not settings.ELASTICSEARCH_URL:
        pytest.fail(f"settings.ELASTICSEARCH_URL is empty: {RUN_THROUGH_MAKE}")
    prefix = f"test-matrix-{uuid.uuid4().hex[:12]}"
    with override_settings(SEARCH_INDEX_PREFIX=prefix):
        try:
            yield
        finally:
            client = get_backend("elasticsearch").client
            for name in client.indices.get(index=f"{prefix}-*"):
                client.indices.delete(index=name)


world = world_fixture(around=search_indexes_of_its_own)


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


@pytest.mark.django_db
def test_the_world_is_on_postgresql_and_searched_by_elasticsearch(world):
    if connection.vendor != "postgresql":
        pytest.fail(f"the database is {connection.vendor}, not PostgreSQL: {RUN_THROUGH_MAKE}")
    results = service.search(COMMON_WORD, AnonymousUser())
    assert not results.degraded and results.total > 0


@pytest.mark.django_db
@pytest.mark.parametrize("role, visibility", CELLS)
def test_postgresql_full_text_finds_only_what_the_role_may_read(world, role, visibility):
    assert check_search(get_backend("database"), world, role, visibility) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role, visibility", CELLS)
def test_elasticsearch_finds_only_what_the_role_may_read(world, role, visibility):
    assert check_search(get_backend("elasticsearch"), world, role, visibility) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role, visibility", CELLS)
def test_the_search_pages_on_elasticsearch_show_only_what_the_role_may_read(world, role, visibility):
    assert check_search_pages(world, role, visibility) == []
