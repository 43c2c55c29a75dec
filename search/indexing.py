"""Keeping the indexes in step: changes go into the IndexChange outbox and are applied after commit."""

import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .backends import configured_backend_names, get_backend
from .backends.base import SearchUnavailable
from .models import IndexChange
from .sources import document_for_key

logger = logging.getLogger(__name__)
BATCH_SIZE = 200


def record_changes(keys):
    """Note that these documents need refreshing in every configured backend, then apply after commit."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    now = timezone.now()
    # A change already waiting gets the new time, so a run that read the older state won't delete it.
    IndexChange.objects.bulk_create(
        [IndexChange(key=key, backend=backend, created_at=now) for key in keys for backend in configured_backend_names()],
        update_conflicts=True, unique_fields=["key", "backend"], update_fields=["created_at"],
    )
    from .tasks import apply_index_changes

    transaction.on_commit(apply_index_changes.enqueue, robust=True)


def apply_changes(backend_name, limit=None):
    """Apply pending changes for one backend, oldest first. Returns how many were applied.

    Safe to run twice at once: a change is deleted only if it wasn't re-recorded meanwhile.
    """
    backend = get_backend(backend_name)
    applied = 0
    while limit is None or applied < limit:
        batch = list(IndexChange.objects.filter(backend=backend_name).order_by("created_at", "pk")[:BATCH_SIZE])
        if not batch:
            break
        documents, removals = [], []
        for change in batch:
            document = document_for_key(change.key)
            (documents.append(document) if document is not None else removals.append(change.key))
        try:
            if documents:
                backend.index(documents)
            if removals:
                backend.remove(removals)
        except SearchUnavailable as error:
            IndexChange.objects.filter(pk__in=[c.pk for c in batch]).update(
                attempts=F("attempts") + 1, last_error=str(error)[:300]
            )
            logger.warning("Search backend %s unavailable; %d changes kept for later: %s", backend_name, len(batch), error)
            break
        # Delete what we applied, unless the same key was recorded again after we read it.
        applied_now = Q()
        for change in batch:
            applied_now |= Q(pk=change.pk, created_at=change.created_at)
        IndexChange.objects.filter(applied_now).delete()
        applied += len(batch)
    return applied


def apply_all():
    return {name: apply_changes(name) for name in configured_backend_names()}


def pending_counts():
    return {name: IndexChange.objects.filter(backend=name).count() for name in configured_backend_names()}
