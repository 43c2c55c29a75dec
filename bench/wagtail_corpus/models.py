from django.db import models
from wagtail.search import index


class BenchDocument(index.Indexed, models.Model):
    """One corpus document as a plain indexed model, for Wagtail's own search backends to index and search.

    Its search fields mirror what our backends index: title (boosted as ours is), body and topic names, with
    the fields the permission filter and the narrowing filters need.
    """

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    title = models.TextField()
    body = models.TextField()
    topic_names = models.TextField(blank=True)
    access = models.CharField(max_length=16)
    community_id = models.IntegerField(null=True)
    year = models.IntegerField()
    date = models.DateTimeField()

    search_fields = [
        index.SearchField("title", boost=3),
        index.SearchField("body"),
        index.SearchField("topic_names"),
        index.FilterField("kind"),
        index.FilterField("access"),
        index.FilterField("community_id"),
        index.FilterField("year"),
    ]

    class Meta:
        app_label = "wagtail_corpus"

    def __str__(self):
        return self.key
