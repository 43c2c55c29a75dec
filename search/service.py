"""The one search interface the rest of the site uses.

    search(query, user, filters, page) -> SearchResults
    suggest(prefix, user) -> [{"title", "url", "kind"}]
    index(obj) / remove(obj)

Elasticsearch answers when ELASTICSEARCH_URL is set; if it can't be reached the database backend
answers instead and the results say so (`degraded`). The database index is always kept up to date.
"""

import logging

from django.conf import settings

from .backends import get_backend
from .backends.base import SearchUnavailable
from .documents import SearchFilters
from .indexing import record_changes
from .permissions import reader_for
from .sources import keys_affected_by

logger = logging.getLogger(__name__)
MAX_QUERY_LENGTH = 200


def _answer(method, *args, **kwargs):
    """Ask Elasticsearch when configured, the database otherwise or when Elasticsearch is down."""
    if settings.ELASTICSEARCH_URL:
        try:
            return getattr(get_backend("elasticsearch"), method)(*args, **kwargs), False
        except SearchUnavailable as error:
            logger.warning("Elasticsearch unavailable, answering from the database: %s", error)
            return getattr(get_backend("database"), method)(*args, **kwargs), True
    return getattr(get_backend("database"), method)(*args, **kwargs), False


def search(query, user, filters=None, page=1, per_page=10):
    """Results with every word of the query; when none has them all, results with any of them (``relaxed``)."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    arguments = (query, reader_for(user), filters or SearchFilters(), max(1, page), per_page)
    results, degraded = _answer("search", *arguments)
    if results.total == 0 and len(query.split()) > 1:
        relaxed, degraded_again = _answer("search", *arguments, match_all=False)
        if relaxed.total:
            relaxed.relaxed, relaxed.suggestion = True, relaxed.suggestion or results.suggestion
            results, degraded = relaxed, degraded or degraded_again
    results.degraded = degraded
    return results


def suggest(prefix, user, limit=8):
    prefix = (prefix or "").strip()[:MAX_QUERY_LENGTH]
    if len(prefix) < 2:
        return []
    suggestions, _ = _answer("suggest", prefix, reader_for(user), limit)
    return suggestions


def index(obj):
    """Refresh whatever documents `obj` affects, after the current transaction commits."""
    record_changes(keys_affected_by(obj))


def remove(obj):
    """Forget `obj`'s documents: deleted or hidden things resolve to no document, so the outbox removes them."""
    index(obj)
