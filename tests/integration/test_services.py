"""The real services behind the integration run: PostgreSQL with every migration applied, and an Elasticsearch 8 node.

`make test` runs these through scripts/with-test-services.sh, which starts (or reuses) both services and passes them in
as DATABASE_URL and ELASTICSEARCH_URL. Run on their own they fail, on purpose, rather than skip.
"""

import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from elasticsearch import Elasticsearch
from elasticsearch_dsl import Document, Text, connections

pytestmark = pytest.mark.integration

RUN_THROUGH_MAKE = "run the integration tests through `make test` (scripts/with-test-services.sh provides the services)"

# One index per test run, so parallel or aborted runs never see each other's documents.
INDEX_NAME = f"test-services-{uuid.uuid4().hex}"


class ServiceCheckDocument(Document):
    body = Text(analyzer="english")

    class Index:
        name = INDEX_NAME


def elasticsearch_url():
    url = settings.ELASTICSEARCH_URL
    if not url:
        pytest.fail(f"settings.ELASTICSEARCH_URL is empty (ELASTICSEARCH_URL not set): {RUN_THROUGH_MAKE}")
    return url


@pytest.fixture
def es():
    client = Elasticsearch(elasticsearch_url())
    yield client
    client.close()


@pytest.fixture
def dsl_alias():
    """An elasticsearch-dsl connection of its own; the test index is deleted afterwards whatever happens."""
    alias = f"test-services-{uuid.uuid4().hex}"
    connections.create_connection(alias=alias, hosts=[elasticsearch_url()])
    try:
        yield alias
    finally:
        client = connections.get_connection(alias)
        client.indices.delete(index=INDEX_NAME, ignore_unavailable=True)
        connections.remove_connection(alias)
        client.close()


def test_migrations_are_applied_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.fail(f"the database is {connection.vendor}, not PostgreSQL: {RUN_THROUGH_MAKE}")

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())

    assert plan == [], f"unapplied migrations: {[str(migration) for migration, _ in plan]}"
    assert "wagtailcore_page" in connection.introspection.table_names()


def test_a_query_a_connection_runs_again_is_prepared_on_the_server(db):
    """Parameters go apart from the SQL, so the same query for another user is the same statement, planned once."""
    from communities.models import Notification

    for recipient_id in (1, 2, 3):
        list(Notification.objects.filter(recipient_id=recipient_id).order_by("-created_at")[:10])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "communities_notification"%'],
        )
        prepared = [statement for (statement,) in cursor.fetchall()]

    assert len(prepared) == 1
    assert "$1" in prepared[0]


def test_elasticsearch_node_is_real_and_version_8(es):
    info = es.info()

    assert info["version"]["number"].startswith("8.")
    assert info["tagline"] == "You Know, for Search"
    # The product header and the node list come from the server itself, not from the banner.
    assert info.meta.headers["x-elastic-product"] == "Elasticsearch"
    nodes = es.nodes.info()["nodes"]
    assert [node["version"] for node in nodes.values()] == [info["version"]["number"]]


def test_document_is_indexed_refreshed_and_found(dsl_alias):
    ServiceCheckDocument.init(using=dsl_alias)
    document = ServiceCheckDocument(body="Performance management in contact centres")
    document.save(using=dsl_alias, refresh=True)

    # "managed" is not in the text: only the english analyzer's stemming (manag) lets both terms match.
    response = (
        ServiceCheckDocument.search(using=dsl_alias)
        .query("match", body={"query": "performance managed", "operator": "and"})
        .execute()
    )

    assert [hit.meta.id for hit in response] == [document.meta.id]
    assert response[0].body == "Performance management in contact centres"
