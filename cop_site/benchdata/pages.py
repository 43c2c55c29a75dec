"""Wagtail pages in bulk: live children of one parent, written as rows rather than saved one by one.

Saving a page through treebeard's `add_child` costs some 25 queries (validation, the tree, the log, each
many-to-many field); thousands of them cost minutes. Here each page gets the tree position `add_child` would give
it (the next path step under the parent, its depth and url_path), a row in Wagtail's page table and one in its own,
and rows for its many-to-many fields; the parent's child count is moved on once at the end. Like pages made
through the API by code, they have no revisions yet: the first edit in the admin starts their history.
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from wagtail.fields import StreamField
from wagtail.models import Page

from .rows import TableWriter, next_id, reset_sequences

PAGE_FIELDS = [
    "id", "path", "depth", "numchild", "translation_key", "locale", "latest_revision", "live", "has_unpublished_changes",
    "first_published_at", "last_published_at", "live_revision", "go_live_at", "expire_at", "expired", "locked",
    "locked_at", "locked_by", "title", "draft_title", "slug", "content_type", "url_path", "owner",
    "latest_revision_created_at", "alias_of", "show_in_menus", "seo_title", "search_description",
]


class ChildPages:
    """`with ChildPages(parent, CaseStudyPage, rng) as pages: pages.add(...)` appends live pages under `parent`."""

    def __init__(self, parent, model, rng):
        self.parent, self.model, self.rng = parent, model, rng
        last = parent.get_last_child()
        self.step = Page._str2int(last.path[-Page.steplen:]) if last else 0
        self.next_id = next_id(Page)
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        self.own_fields = [field for field in model._meta.concrete_fields
                           if field.model is model and not field.primary_key]
        self.pages = TableWriter(Page, PAGE_FIELDS)
        self.rows = TableWriter(model, ["page_ptr", *(field.name for field in self.own_fields)])
        self.relations = {}
        self.added = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc_info):
        if exc_type is not None:
            return
        for writer in [self.pages, self.rows, *self.relations.values()]:
            writer.flush()
        Page.objects.filter(pk=self.parent.pk).update(numchild=F("numchild") + self.added)
        self.parent.numchild += self.added
        reset_sequences([Page])

    def add(self, title, slug, published, owner_id=None, related=None, **values):
        """Append one live page, published at `published` (a datetime); `values` fill the model's own fields
        (StreamFields as lists of (block type, value)); `related` maps many-to-many field names to lists of ids.
        Returns the page's id."""
        page_id, self.next_id = self.next_id, self.next_id + 1
        self.step += 1
        self.added += 1
        self.pages.add((
            page_id, Page._get_path(self.parent.path, self.parent.depth + 1, self.step), self.parent.depth + 1, 0,
            uuid.UUID(int=self.rng.getrandbits(128)), self.parent.locale_id, None, True, False, published, published,
            None, None, None, False, False, None, None, title, title, slug, self.content_type_id,
            f"{self.parent.url_path}{slug}/", owner_id, published, None, False, "", "",
        ))
        self.rows.add((page_id, *(self._value(field, values) for field in self.own_fields)))
        for name, ids in (related or {}).items():
            writer = self._relation(name)
            for related_id in ids:
                writer.add((page_id, related_id))
        return page_id

    def _value(self, field, values):
        if field.name not in values:
            return field.get_default()
        value = values[field.name]
        if isinstance(field, StreamField):
            blocks = [{"type": kind, "value": block, "id": str(uuid.UUID(int=self.rng.getrandbits(128)))}
                      for kind, block in value]
            return field.get_db_prep_save(field.to_python(blocks), connection)
        return value

    def _relation(self, name):
        if name not in self.relations:
            field = self.model._meta.get_field(name)
            self.relations[name] = TableWriter(field.remote_field.through,
                                               [field.m2m_field_name(), field.m2m_reverse_field_name()])
        return self.relations[name]
