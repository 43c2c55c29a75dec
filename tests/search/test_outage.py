"""Elasticsearch goes away and comes back: search keeps answering, and no index update is lost."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from elasticsearch import Elasticsearch

from communities import services
from search import service
from search.indexing import apply_all, pending_counts
from tests.factories import add_community, add_member

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def elastic_url(settings):
    if not settings.ELASTICSEARCH_URL:
        pytest.fail("This test needs the real Elasticsearch node: run it through `make test`.")
    settings.SEARCH_INDEX_PREFIX = f"test-outage-{uuid.uuid4().hex[:8]}"
    url = settings.ELASTICSEARCH_URL
    yield url
    settings.ELASTICSEARCH_URL = url
    client = Elasticsearch(url)
    for name in client.indices.get(index=f"{settings.SEARCH_INDEX_PREFIX}-*", allow_no_indices=True):
        client.indices.delete(index=name)  # Elasticsearch 8 refuses to delete by wildcard


def test_search_falls_back_and_replays_what_happened_meanwhile(settings, elastic_url, home, people,
                                                               django_capture_on_commit_callbacks):
    community = add_community(home, "contact-centres")
    add_member(people["member"], community)

    settings.ELASTICSEARCH_URL = UNREACHABLE
    with django_capture_on_commit_callbacks(execute=True):
        services.start_thread(people["member"], community, "Abandoned calls during the outage", "Written while down.")
    results = service.search("abandoned", AnonymousUser())
    assert results.degraded
    assert [hit.title for hit in results.hits] == ["Abandoned calls during the outage"]
    assert pending_counts()["elasticsearch"] >= 1  # kept for later, not lost

    settings.ELASTICSEARCH_URL = elastic_url
    apply_all()
    assert pending_counts()["elasticsearch"] == 0
    results = service.search("abandoned", AnonymousUser())
    assert not results.degraded
    assert [hit.title for hit in results.hits] == ["Abandoned calls during the outage"]
