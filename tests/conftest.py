import pytest
from django.core.cache import cache

from cop_site.site_structure import ensure_site_structure
from tests.factories import create_member


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a per-test folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache, keyed by user id; ids are reused after a flush."""
    cache.clear()


@pytest.fixture
def home(db):
    return ensure_site_structure(hostname="testserver", port=80)


@pytest.fixture
def member(db):
    return create_member(username="alex", display_name="Alex Morgan", organisation="Northfield Borough Council")
