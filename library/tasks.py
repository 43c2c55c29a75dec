"""Background work for the library: preparing an uploaded deck (text, thumbnail, previews) outside the request.

Safe to run twice: a run first *claims* the deck (pending or failed -> processing), so a ready deck or one
another worker holds is left alone. A failure never raises and never touches the uploaded file: the deck is
marked failed with a message its page can show, and ``enqueue_processing`` (the Retry button, the
``process_decks`` command) tries again.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models import F
from django_tasks import task

from search import service as search_service

from .models import SlideDeck
from .processing import DeckUnreadable, process_deck

logger = logging.getLogger(__name__)

Status = SlideDeck.Status

FILE_MISSING = "The uploaded file is missing, so it couldn't be processed. Upload it again."
FILE_UNREADABLE = "This {kind} couldn't be read: it may be damaged. Save it again and upload a fresh copy."
SOMETHING_WENT_WRONG = "Something went wrong while preparing the previews. Retry; if it keeps failing, tell the site team."


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
    claimed = SlideDeck.objects.filter(pk=deck_id, status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.PROCESSING, processing_attempts=F("processing_attempts") + 1
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


def failure_message(deck, error):
    """What the deck's page tells its owner: short, and no internals."""
    if isinstance(error, FileNotFoundError):
        message = FILE_MISSING
    elif isinstance(error, DeckUnreadable):
        message = FILE_UNREADABLE.format(kind="PDF" if deck.kind == SlideDeck.Kind.PDF else "PowerPoint file")
    else:
        message = SOMETHING_WENT_WRONG
    return message[: SlideDeck._meta.get_field("processing_error").max_length]
