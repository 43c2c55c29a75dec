"""The search backends: the database one always, Elasticsearch as well when ELASTICSEARCH_URL is set."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "elasticsearch": "search.backends.elastic.ElasticsearchBackend",
}


def configured_backend_names():
    return ["database", "elasticsearch"] if settings.ELASTICSEARCH_URL else ["database"]


@cache
def _backend(name, url):
    return import_string(BACKENDS[name])(url=url)


def get_backend(name):
    return _backend(name, settings.ELASTICSEARCH_URL if name == "elasticsearch" else "")
