"""Settings that change when the site runs on several processes or servers (docs/scale-out.md): a cache they share,
a Redis task queue, a search cluster's nodes and replicas. Each environment is read by a fresh process, as a
server starting with it would."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from search.backends.elastic import ElasticsearchBackend
from search.es_documents import index_body
from tests.cop_site.test_project import PRODUCTION_ENV, run_manage

REDIS_CACHE = "redis://cache.internal:6379/0"
REDIS_QUEUE = "redis://queue.internal:6379/0"
SHOW_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'cache': s.CACHES['default'], 'tasks': s.TASKS['default']['BACKEND'], 'apps': s.INSTALLED_APPS, "
    "'rq_queues': getattr(s, 'RQ_QUEUES', None), 'sessions': s.SESSION_ENGINE}))"
)
WITHOUT_REDIS = {"REDIS_URL": "", "TASKS_REDIS_URL": ""}
WITH_REDIS = {"REDIS_URL": REDIS_CACHE, "TASKS_REDIS_URL": REDIS_QUEUE}


def settings_for(**env):
    result = run_manage("shell", "--no-imports", "-c", SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_on_one_server_keeps_a_cache_per_process_and_the_database_queue():
    settings = settings_for(**PRODUCTION_ENV, **WITHOUT_REDIS)
    assert settings["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings["tasks"] == "django_tasks_db.DatabaseBackend"
    assert "django_rq" not in settings["apps"]
    assert settings["rq_queues"] is None


def test_production_with_redis_shares_one_cache_and_queues_tasks_in_redis():
    settings = settings_for(**PRODUCTION_ENV, **WITH_REDIS)
    assert settings["cache"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE}
    assert settings["tasks"] == "django_tasks_rq.RQBackend"
    assert {"django_rq", "django_tasks_rq"} <= set(settings["apps"])
    assert settings["rq_queues"]["default"]["URL"] == REDIS_QUEUE
    # Sessions stay in the database, which every web process shares, whether or not there is a Redis.
    assert settings["sessions"] == "django.contrib.sessions.backends.db"


def test_the_redis_queue_passes_the_deploy_checks():
    """The RQ backend's own checks: django_rq installed and every queue it uses configured for it."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV, **WITH_REDIS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_tests_keep_their_own_cache_and_immediate_tasks_whatever_redis_the_shell_names():
    settings = settings_for(DJANGO_SETTINGS_MODULE="cop_site.settings.test", **WITH_REDIS)
    assert settings["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"


@pytest.mark.parametrize(("most", "expanded"), [("1", "0-1"), ("2", "0-2"), ("all", "0-all"), (" ALL ", "0-all")])
def test_the_search_index_has_as_many_replicas_as_nodes_allow_up_to_the_setting(settings, most, expanded):
    settings.ELASTICSEARCH_REPLICAS = most
    assert index_body()["settings"]["auto_expand_replicas"] == expanded


def test_by_default_one_node_is_green_and_a_cluster_keeps_one_replica():
    assert index_body()["settings"]["auto_expand_replicas"] == "0-1"


@pytest.mark.parametrize("most", ["two", "-1", "1-2", ""])
def test_a_replica_count_elasticsearch_would_refuse_is_refused_when_the_index_is_made(settings, most):
    settings.ELASTICSEARCH_REPLICAS = most
    with pytest.raises(ImproperlyConfigured, match="ELASTICSEARCH_REPLICAS"):
        index_body()


def test_the_search_client_knows_every_node_of_a_cluster():
    backend = ElasticsearchBackend("http://127.0.0.1:9201, http://127.0.0.1:9202,http://127.0.0.1:9203,")
    nodes = [node.base_url for node in backend.client.transport.node_pool.all()]
    # Shuffled in each process, so that the processes of a server don't all ask the same node first.
    assert sorted(nodes) == ["http://127.0.0.1:9201", "http://127.0.0.1:9202", "http://127.0.0.1:9203"]


SHOW_DATABASE_OPTIONS = "import json; from django.conf import settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
POSTGRES = {"DATABASE_URL": "postgres://cop@db.internal:5432/cop_site"}


def database_options(**env):
    result = run_manage("shell", "--no-imports", "-c", SHOW_DATABASE_OPTIONS, **{**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_sends_parameters_apart_and_prepares_queries_a_connection_repeats():
    options = database_options(**POSTGRES)
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 2
    assert "lock_timeout=5000" in options["options"]


def test_prepared_statements_can_be_turned_off_for_a_pooler_that_cannot_keep_them():
    options = database_options(**POSTGRES, DATABASE_PREPARED_STATEMENTS="false")
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] is None


def test_sqlite_takes_no_postgresql_options():
    assert database_options() == {}  # PRODUCTION_ENV names an SQLite database
