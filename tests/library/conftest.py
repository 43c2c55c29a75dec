import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from library.models import CaseStudyPage, SlideDeck, SlideDeckPreview, Topic

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


def publish_case_study(library, slug="quicker-answers", **fields):
    page = CaseStudyPage(
        title=fields.pop("title", "Quicker answers at Brackenfield"), slug=slug,
        organisation="Brackenfield Borough Council", organisation_type="metropolitan", region="north-west",
        summary="Answer times fell from five minutes to under one.",
        challenge="<p>Queues were long every Monday.</p>", approach="<p>We rebuilt the rota around demand.</p>",
        lessons="<p>Measure resolution, not only speed.</p>",
        interventions=[("intervention", {
            "intervention": "Rota rebuilt around the Monday peak", "by_when": "By March", "by_whom": "Contact centre manager",
            "resource_implications": "Overtime for six weeks", "main_risk": "Staff resistance to new shifts",
            "contingency": "Voluntary swaps first", "monitoring": "Weekly queue report", "expected_outcome": "Shorter Monday queues",
        })],
        outcomes=[
            ("outcome", {"metric": "Calls answered within 60 seconds", "before": Decimal("48"), "after": Decimal("81"), "unit": "%", "period": "Q1 to Q1"}),
            ("outcome", {"metric": "Average speed of answer", "before": Decimal("305"), "after": Decimal("52"), "unit": "seconds", "period": ""}),
        ],
        **fields,
    )
    page.topics = list(Topic.objects.filter(slug__in=["contact-centres", "performance-management"]))
    library.add_child(instance=page)
    page.save_revision().publish()
    return CaseStudyPage.objects.get(pk=page.pk)
