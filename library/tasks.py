"""Background work for the library: preparing an uploaded deck (text, thumbnail, previews) outside the request.

Safe to run twice: a run first *claims* the deck (pending or failed -> processing), so a ready deck or one
another worker holds is left alone. A failure never raises and never touches the uploaded file: the deck is
marked failed with a message its page can show, and ``enqueue_processing`` (the Retry button, the
``process_decks`` command) tries again.

A worker that dies mid-deck leaves it "being processed"; ``rescue_stalled_decks`` (run every minute by
``run_periodic``) takes such a deck up again once DECK_PROCESSING_TIMEOUT has passed, and a deck whose
upload never reached the queue too, until DECK_MAX_ATTEMPTS runs have been spent on it.
"""

import logging
from functools import partial

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from search import service as search_service

from .models import SlideDeck
from .processing import DeckUnreadable, process_deck

logger = logging.getLogger(__name__)

Status = SlideDeck.Status

FILE_MISSING = "The uploaded file is missing, so it couldn't be processed. Upload it again."
FILE_UNREADABLE = "This {kind} couldn't be read: it may be damaged. Save it again and upload a fresh copy."
SOMETHING_WENT_WRONG = "Something went wrong while preparing the previews. Retry; if it keeps failing, tell the site team."
GAVE_UP = ("Preparing the previews stopped before it finished, {attempts} times. The file is kept: retry, or save it "
           "again with fewer or smaller slides and upload a fresh copy.")


def enqueue_processing(deck):
    """Mark the deck as waiting and queue its processing once the surrounding transaction commits."""
    SlideDeck.objects.filter(pk=deck.pk).update(status=Status.PENDING, processing_error="")
    deck.status, deck.processing_error = Status.PENDING, ""
    # robust: if the queue is down the upload still succeeds; the deck stays pending for `process_decks`.
    transaction.on_commit(partial(process_deck_task.enqueue, deck.pk), robust=True)


@task()
def process_deck_task(deck_id):
    """Prepare one deck; its outcome lives on the deck (status, processing_error), so this never raises."""
    status = process_now(deck_id)
    return status and str(status)


def process_now(deck_id):
    """Process one deck in this process; returns its new status, or None when there was nothing to claim."""
    now = timezone.now()
    claimable = Q(status__in=[Status.PENDING, Status.FAILED]) | abandoned(now)
    claimed = SlideDeck.objects.filter(claimable, pk=deck_id).update(
        status=Status.PROCESSING, processing_attempts=F("processing_attempts") + 1, processing_started_at=now
    )
    if not claimed:
        return None
    deck = SlideDeck.objects.get(pk=deck_id)
    try:
        process_deck(deck)
    except Exception as error:
        logger.exception("Processing slide deck %s (%s) failed", deck_id, deck.file.name)
        SlideDeck.objects.filter(pk=deck_id).update(status=Status.FAILED, processing_error=failure_message(deck, error))
        return Status.FAILED
    SlideDeck.objects.filter(pk=deck_id).update(status=Status.READY, processing_error="")
    search_service.index(deck)  # its extracted text is searchable now
    return Status.READY


def abandoned(now):
    """Decks a worker claimed and never finished: it died, or was killed, mid-way."""
    return Q(status=Status.PROCESSING, processing_started_at__lt=now - timedelta(seconds=settings.DECK_PROCESSING_TIMEOUT))


def rescue_stalled_decks(now=None):
    """Process here the decks a dead worker abandoned or a lost queue entry never started; returns how many.

    A deck that has already used up its attempts (one that kills the worker every time, say) is marked failed
    instead, with a message, so its owner can see it and retry on purpose.
    """
    now = now or timezone.now()
    used_up = Q(processing_attempts__gte=settings.DECK_MAX_ATTEMPTS)
    SlideDeck.objects.filter(abandoned(now) & used_up).update(
        status=Status.FAILED, processing_error=GAVE_UP.format(attempts=settings.DECK_MAX_ATTEMPTS)
    )
    never_started = Q(status=Status.PENDING, created_at__lt=now - timedelta(seconds=settings.DECK_PROCESSING_TIMEOUT))
    stalled = SlideDeck.objects.filter((abandoned(now) & ~used_up) | never_started).order_by("pk")
    return sum(process_now(deck_id) is not None for deck_id in stalled.values_list("pk", flat=True))


def failure_message(deck, error):
    """What the deck's page tells its owner: short, and no internals."""
    if isinstance(error, FileNotFoundError):
        message = FILE_MISSING
    elif isinstance(error, DeckUnreadable):
        message = FILE_UNREADABLE.format(kind="PDF" if deck.kind == SlideDeck.Kind.PDF else "PowerPoint file")
    else:
        message = SOMETHING_WENT_WRONG
    return message[: SlideDeck._meta.get_field("processing_error").max_length]
