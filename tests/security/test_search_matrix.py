"""Search through the permission filter, for every role and scene, on the database backend (SQLite FTS5 here).

What is checked is in search_checks; tests/integration/test_search_matrix.py checks the same on PostgreSQL and
Elasticsearch. Feeds and the sitemap are in test_url_matrix (every role, every scene's secret).
"""

import pytest

from search.backends import get_backend
from tests.security.matrix_rules import ROLES, VISIBILITIES
from tests.security.matrix_support import world_fixture
from tests.security.search_checks import check_search, check_search_pages

world = world_fixture()

CELLS = [pytest.param(role, visibility, id=f"{visibility}-{role}") for visibility in VISIBILITIES for role in ROLES]


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


@pytest.mark.django_db
@pytest.mark.parametrize("role, visibility", CELLS)
def test_the_database_backend_finds_only_what_the_role_may_read(world, role, visibility):
    assert check_search(get_backend("database"), world, role, visibility) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role, visibility", CELLS)
def test_the_search_pages_show_only_what_the_role_may_read(world, role, visibility):
    assert check_search_pages(world, role, visibility) == []
