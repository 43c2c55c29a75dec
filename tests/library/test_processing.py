import io
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from library.models import SlideDeck, SlideDeckPreview
from library.processing import BRAND_BLUE, PREVIEW_WIDTH, THUMBNAIL_WIDTH, process_deck
from library.tasks import FILE_MISSING, enqueue_processing, process_deck_task, rescue_stalled_decks
from library.validation import inspect_deck_upload
from tests.factories import create_member
from tests.library import files

pytestmark = pytest.mark.django_db

Status = SlideDeck.Status


def open_png(field_file):
    with field_file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    assert image.format == "PNG"
    return image


def brand_rgb():
    return Image.new("RGB", (1, 1), BRAND_BLUE).getpixel((0, 0))


def test_a_pdf_gets_its_page_count_text_thumbnail_and_previews():
    deck = files.create_deck(files.make_pdf(pages=3), uploaded_by=create_member(username="sam"))
    process_deck_task.enqueue(deck.pk)
    deck.refresh_from_db()

    assert deck.status == Status.READY
    assert deck.processing_attempts == 1
    assert deck.page_count == 3
    for number in (1, 2, 3):
        assert files.heading(number) in deck.extracted_text
    assert "Avoidable contact (NI14)" in deck.extracted_text
    assert "  " not in deck.extracted_text
    assert open_png(deck.thumbnail).width == THUMBNAIL_WIDTH
    previews = list(deck.previews.all())
    assert [p.page_number for p in previews] == [1, 2, 3]
    assert all(open_png(p.image).width == PREVIEW_WIDTH for p in previews)


def test_a_400_page_pdf_is_processed_within_the_page_caps_and_quickly(settings):
    upload = files.make_pdf(pages=400, title="Performance board pack")
    started = time.perf_counter()
    kind = inspect_deck_upload(upload)
    validated = time.perf_counter()
    deck = files.create_deck(upload, kind=kind)
    process_deck_task.enqueue(deck.pk)
    finished = time.perf_counter()
    deck.refresh_from_db()

    assert deck.status == Status.READY
    assert deck.page_count == 400
    last = settings.DECK_TEXT_MAX_PAGES
    assert files.page_marker(last, 400) in deck.extracted_text
    assert files.page_marker(last + 1, 400) not in deck.extracted_text
    assert deck.previews.count() == settings.DECK_PREVIEW_PAGES
    assert len(deck.extracted_text) <= settings.DECK_TEXT_MAX_CHARS
    print(f"400-page PDF: validated in {validated - started:.2f}s, processed in {finished - validated:.2f}s")
    assert finished - started < 20


def test_extracted_text_stops_at_the_character_cap(settings):
    settings.DECK_TEXT_MAX_CHARS = 500
    deck = files.create_deck(files.make_pdf(pages=5))
    process_deck(deck)
    assert len(deck.extracted_text) == 500


def test_a_pptx_gets_text_from_every_slide_and_its_notes():
    deck = files.create_deck(files.make_pptx(slides=4, title="Channel shift in practice"))
    process_deck_task.enqueue(deck.pk)
    deck.refresh_from_db()

    assert deck.status == Status.READY
    assert deck.page_count == 4
    assert "Channel shift in practice" in deck.extracted_text
    assert "Northfield Borough Council" in deck.extracted_text
    assert "What the scrutiny committee asked (4)" in deck.extracted_text
    assert "missed bin collections" in deck.extracted_text
    assert "ask about NI14" in deck.extracted_text
    assert deck.previews.count() == 4


def test_a_pptx_without_an_embedded_thumbnail_gets_a_brand_title_card():
    deck = files.create_deck(files.make_pptx(with_thumbnail=False))
    process_deck(deck)
    thumbnail = open_png(deck.thumbnail)
    assert thumbnail.width == THUMBNAIL_WIDTH
    assert thumbnail.convert("RGB").getpixel((2, 2)) == brand_rgb()


def test_a_pptx_with_an_embedded_thumbnail_uses_it():
    deck = files.create_deck(files.make_pptx(with_thumbnail=True))
    process_deck(deck)
    thumbnail = open_png(deck.thumbnail).convert("RGB")
    assert thumbnail.width == THUMBNAIL_WIDTH
    red, green, blue = thumbnail.getpixel((thumbnail.width // 2, thumbnail.height // 2))
    expected = files.THUMBNAIL_COLOUR
    assert abs(red - expected[0]) < 10 and abs(green - expected[1]) < 10 and abs(blue - expected[2]) < 10


def test_pptx_previews_are_cards_for_at_most_the_first_slides(settings):
    deck = files.create_deck(files.make_pptx(slides=15))
    process_deck(deck)
    assert deck.page_count == 15
    assert deck.previews.count() == settings.DECK_PREVIEW_PAGES
    card = open_png(deck.previews.first().image)
    assert card.width == PREVIEW_WIDTH
    assert card.convert("RGB").getpixel((2, 2)) == brand_rgb()


def test_running_twice_leaves_one_set_of_previews():
    deck = files.create_deck(files.make_pdf(pages=3))
    process_deck_task.enqueue(deck.pk)
    process_deck_task.enqueue(deck.pk)
    deck.refresh_from_db()
    assert deck.processing_attempts == 1, "a ready deck is left alone"

    process_deck(deck)
    process_deck(deck)
    assert SlideDeckPreview.objects.filter(deck=deck).count() == 3


def test_a_corrupt_file_fails_with_a_message_keeps_the_file_and_can_be_retried(django_capture_on_commit_callbacks):
    deck = files.create_deck(files.make_pdf(pages=2))
    with deck.file.storage.open(deck.file.name, "wb") as stored:
        stored.write(b"%PDF-1.7\n this is not the rest of a PDF")

    process_deck_task.enqueue(deck.pk)
    deck.refresh_from_db()
    assert deck.status == Status.FAILED
    assert deck.processing_error == "This PDF couldn't be read: it may be damaged. Save it again and upload a fresh copy."
    assert deck.processing_attempts == 1
    assert deck.file.storage.exists(deck.file.name)
    assert not deck.previews.exists()

    with deck.file.storage.open(deck.file.name, "wb") as stored:
        stored.write(files.pdf_bytes(pages=2))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_processing(deck)
    deck.refresh_from_db()
    assert deck.status == Status.READY
    assert deck.processing_error == ""
    assert deck.processing_attempts == 2
    assert deck.page_count == 2


def test_a_missing_file_fails_with_its_own_message():
    deck = files.create_deck(files.make_pptx())
    deck.file.storage.delete(deck.file.name)
    process_deck_task.enqueue(deck.pk)
    deck.refresh_from_db()
    assert deck.status == Status.FAILED
    assert deck.processing_error == FILE_MISSING


def test_enqueue_processing_waits_for_the_transaction_to_commit(django_capture_on_commit_callbacks):
    deck = files.create_deck(files.make_pdf())
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_processing(deck)
        assert SlideDeck.objects.get(pk=deck.pk).status == Status.PENDING
    assert len(callbacks) == 1
    assert SlideDeck.objects.get(pk=deck.pk).status == Status.PENDING


# The process_decks command


def run(*args, verbosity=1):
    out = io.StringIO()
    call_command("process_decks", *args, verbosity=verbosity, stdout=out)
    return out.getvalue()


def test_command_says_so_when_nothing_is_waiting():
    assert run() == "Nothing to process.\n"
    assert run(verbosity=0) == ""


def test_command_processes_waiting_decks_with_progress():
    first = files.create_deck(files.make_pdf(), title="Avoidable contact")
    second = files.create_deck(files.make_pptx(), title="Channel shift")
    output = run(verbosity=2)
    assert "Processing 2 deck(s)." in output
    assert "[1/2] Avoidable contact: ready" in output
    assert "[2/2] Channel shift: ready" in output
    assert "2 ready, 0 failed, 0 skipped." in output
    assert set(SlideDeck.objects.values_list("status", flat=True)) == {Status.READY}
    assert first.previews.count() and second.previews.count()


def test_command_leaves_failed_decks_alone_unless_asked_and_then_reports_the_failure():
    deck = files.create_deck(files.make_pdf(), title="Broken pack")
    with deck.file.storage.open(deck.file.name, "wb") as stored:
        stored.write(b"not a pdf")
    SlideDeck.objects.filter(pk=deck.pk).update(status=Status.FAILED)

    assert run() == "Nothing to process.\n"
    with pytest.raises(CommandError, match="1 deck\\(s\\) failed"):
        run("--failed")
    deck.refresh_from_db()
    assert deck.status == Status.FAILED
    assert deck.processing_attempts == 1


def test_command_all_redoes_ready_decks_keeping_one_set_of_previews():
    deck = files.create_deck(files.make_pdf(pages=2))
    process_deck_task.enqueue(deck.pk)
    output = run("--all")
    assert "1 ready, 0 failed, 0 skipped." in output
    deck.refresh_from_db()
    assert deck.processing_attempts == 2
    assert deck.previews.count() == 2


def test_a_pptx_that_is_not_a_pptx_on_disk_fails_cleanly():
    deck = files.create_deck(files.text_renamed_pptx(), kind=SlideDeck.Kind.PPTX)
    process_deck_task.enqueue(deck.pk)
    deck.refresh_from_db()
    assert deck.status == Status.FAILED
    assert deck.processing_error.startswith("This PowerPoint file couldn't be read")
    assert deck.file.storage.exists(deck.file.name)


# A worker that dies mid-deck, or an upload whose queue entry was lost


def stall(deck, minutes_ago, status=Status.PROCESSING, attempts=1):
    """Leave `deck` as a worker killed `minutes_ago` would (or, for PENDING, as an upload never picked up)."""
    then = timezone.now() - timedelta(minutes=minutes_ago)
    SlideDeck.objects.filter(pk=deck.pk).update(status=status, processing_started_at=then, processing_attempts=attempts)
    if status == Status.PENDING:
        SlideDeck.objects.filter(pk=deck.pk).update(created_at=then)


def test_a_deck_a_dead_worker_left_half_processed_is_taken_up_again_after_the_timeout(settings):
    settings.DECK_PROCESSING_TIMEOUT = 15 * 60
    deck = files.create_deck(files.make_pdf(pages=2))
    recent = files.create_deck(files.make_pdf(pages=1))
    stall(deck, minutes_ago=20)
    stall(recent, minutes_ago=5)

    assert rescue_stalled_decks() == 1
    deck.refresh_from_db()
    recent.refresh_from_db()
    assert (deck.status, deck.processing_attempts, deck.page_count) == (Status.READY, 2, 2)
    assert list(deck.previews.values_list("page_number", flat=True)) == [1, 2]
    assert recent.status == Status.PROCESSING, "a worker may still be on it"
    assert rescue_stalled_decks() == 0, "a rescued deck is done once"


def test_an_upload_whose_task_never_ran_is_processed_by_the_rescue():
    waiting = files.create_deck(files.make_pptx())
    just_uploaded = files.create_deck(files.make_pdf(pages=1))
    stall(waiting, minutes_ago=30, status=Status.PENDING, attempts=0)

    assert rescue_stalled_decks() == 1
    waiting.refresh_from_db()
    just_uploaded.refresh_from_db()
    assert waiting.status == Status.READY
    assert just_uploaded.status == Status.PENDING, "its task is still queued"


def test_a_deck_that_keeps_killing_the_worker_is_failed_with_a_message_and_keeps_its_file(settings,
                                                                                    django_capture_on_commit_callbacks):
    settings.DECK_MAX_ATTEMPTS = 3
    deck = files.create_deck(files.make_pdf(pages=2))
    stall(deck, minutes_ago=20, attempts=3)

    assert rescue_stalled_decks() == 0
    deck.refresh_from_db()
    assert deck.status == Status.FAILED
    assert deck.processing_error.startswith("Preparing the previews stopped before it finished, 3 times.")
    assert deck.file.storage.exists(deck.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_processing(deck)   # the owner's Retry
    deck.refresh_from_db()
    assert (deck.status, deck.processing_attempts) == (Status.READY, 4)
