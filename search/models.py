from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class IndexChange(models.Model):
    """A document one backend still has to refresh: written in the same transaction as the change itself,
    deleted once the backend has it. While Elasticsearch is down the rows wait here, so nothing is lost."""

    key = models.CharField(max_length=64)
    backend = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "backend"], name="one_pending_change_per_backend")]
        indexes = [models.Index(fields=["backend", "created_at"])]

    def __str__(self):
        return f"{self.key} for {self.backend}"


class SearchEntry(models.Model):
    """One searchable document as the database backend (search.backends.database) holds it.

    The full-text index lives beside it: on PostgreSQL in `search_vector` (weighted tsvector with a
    GIN index) and `title_vector` (title and topic names only, to rank many matches cheaply), both
    written by a trigger as the row is written (migration 0003); on SQLite in the FTS5 table
    `site_search_searchentry_fts`, kept in step with this table by triggers. Only the backend writes
    these rows.
    """

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    title = models.TextField()
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    access = models.CharField(max_length=16)
    community_id = models.IntegerField(null=True, blank=True, db_index=True)
    community_title = models.CharField(max_length=255, blank=True)
    topics = models.TextField(blank=True)       # slugs joined by spaces; filtered on whole slugs only
    topic_names = models.TextField(blank=True)  # names joined by newlines, in the order of `topics`
    date = models.DateTimeField()
    year = models.IntegerField(db_index=True)
    fingerprint = models.CharField(max_length=40)
    search_vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only; unused on SQLite
    title_vector = SearchVectorField(null=True, editable=False)   # PostgreSQL only; unused on SQLite

    class Meta:
        verbose_name_plural = "search entries"

    def __str__(self):
        return self.key
