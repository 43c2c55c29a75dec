import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from library.models import SlideDeck, SlideDeckPreview

STUB_PDF = b"%PDF-1.4 test"


@pytest.fixture
def library(home):
    return home.get_children().get(slug="library").specific


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), "#1d4f91").save(buffer, "PNG")
    return buffer.getvalue()


def add_deck(community=None, title="Reducing avoidable contact", uploader=None, presented_on=None, **fields):
    """A processed (ready) deck with a stub PDF, a thumbnail and one preview: for pages, permissions and listings."""
    if isinstance(presented_on, str):
        presented_on = date.fromisoformat(presented_on)
    deck = SlideDeck(
        title=title, community=community, uploaded_by=uploader, presented_on=presented_on,
        original_filename="slides.pdf", kind=SlideDeck.Kind.PDF, file_size=len(STUB_PDF),
        page_count=1, **{"status": SlideDeck.Status.READY, **fields},
    )
    deck.file.save("slides.pdf", ContentFile(STUB_PDF), save=False)
    deck.thumbnail.save("thumbnail.png", ContentFile(_png()), save=False)
    deck.save()
    preview = SlideDeckPreview(deck=deck, page_number=1)
    preview.image.save("page-1.png", ContentFile(_png()), save=True)
    return deck
