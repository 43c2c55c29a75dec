"""Turn an uploaded deck into what its page shows: page count, searchable text, a thumbnail and slide previews.

The work is bounded whatever the file: text from at most DECK_TEXT_MAX_PAGES pages and DECK_TEXT_MAX_CHARS
characters, images of at most DECK_PREVIEW_PAGES pages, each rendered at a capped size. A 400-page PDF
costs little more than a 12-page one.
"""

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE
from pptx.shapes.group import GroupShape

from .models import SlideDeck, SlideDeckPreview

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 640
PREVIEW_WIDTH = 1024
# A page twice as tall as it is wide is already unusual; anything taller is rendered smaller, not bigger.
MAX_HEIGHT_RATIO = 2
BRAND_BLUE = "#1d4f91"
CARD_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
CARD_CAPTION_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CARD_MAX_LINES = 4
CARD_MAX_CHARS = 200
# An embedded thumbnail larger than this is not a thumbnail; don't decode it.
EMBEDDED_THUMBNAIL_MAX_PIXELS = 4096 * 4096


class DeckUnreadable(Exception):
    """The stored file could not be read as its kind: damaged, or not what it claimed to be."""


@dataclass
class Extracted:
    page_count: int
    text: str
    thumbnail: bytes
    previews: list = field(default_factory=list)  # PNG bytes, page 1 first


def process_deck(deck):
    """Fill the deck's page count, text, thumbnail and previews from its file; previous previews are replaced."""
    read = read_pdf if deck.kind == SlideDeck.Kind.PDF else read_pptx
    with deck.file.open("rb") as stored:
        try:
            extracted = read(stored, deck.title)
        except Exception as error:
            raise DeckUnreadable(f"{deck.get_kind_display()} {deck.pk} could not be read: {error}") from error
    _store(deck, extracted)
    return extracted


def _store(deck, extracted):
    old_files = [name for name in deck.previews.values_list("image", flat=True) if name]
    if deck.thumbnail:
        old_files.append(deck.thumbnail.name)
    with transaction.atomic():
        deck.previews.all().delete()
        deck.page_count = extracted.page_count
        deck.extracted_text = extracted.text
        deck.thumbnail.save(f"deck-{deck.pk}-thumbnail.png", ContentFile(extracted.thumbnail), save=False)
        previews = []
        for number, png in enumerate(extracted.previews, start=1):
            preview = SlideDeckPreview(deck=deck, page_number=number)
            preview.image.save(f"deck-{deck.pk}-page-{number}.png", ContentFile(png), save=False)
            previews.append(preview)
        SlideDeckPreview.objects.bulk_create(previews)
        deck.save(update_fields=["page_count", "extracted_text", "thumbnail"])
        # Old images go only once the new rows are committed, so a failure never leaves rows without files.
        transaction.on_commit(lambda: _delete_files(deck.file.storage, old_files))


def _delete_files(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete old deck image %s", name, exc_info=True)


class TextCollector:
    """Joins per-page text, whitespace-normalised, and stops at the character cap."""

    def __init__(self, max_chars):
        self.max_chars = max_chars
        self.parts = []
        self.length = 0

    @property
    def full(self):
        return self.length >= self.max_chars

    def add(self, text):
        text = " ".join(text.split())
        if text and not self.full:
            self.parts.append(text[: self.max_chars - self.length])
            self.length += len(self.parts[-1]) + 2

    def text(self):
        return "\n\n".join(self.parts)[: self.max_chars]


# PDF


def read_pdf(file, title=""):
    text_pages = settings.DECK_TEXT_MAX_PAGES
    preview_pages = settings.DECK_PREVIEW_PAGES
    texts = TextCollector(settings.DECK_TEXT_MAX_CHARS)
    previews = []
    thumbnail = None
    pdf = pdfium.PdfDocument(file)
    try:
        page_count = len(pdf)
        # Page 1 is always opened: it is the thumbnail even when no previews are wanted.
        for index in range(min(page_count, max(text_pages, preview_pages, 1))):
            page = pdf[index]
            try:
                if index < text_pages and not texts.full:
                    texts.add(_pdf_page_text(page))
                if index < preview_pages or index == 0:
                    image = _render_pdf_page(page, PREVIEW_WIDTH)
                    if index == 0:
                        thumbnail = _png(_fit_width(image, THUMBNAIL_WIDTH))
                    if index < preview_pages:
                        previews.append(_png(image))
            finally:
                page.close()
    finally:
        pdf.close()
    return Extracted(page_count=page_count, text=texts.text(), thumbnail=thumbnail, previews=previews)


def _pdf_page_text(page):
    textpage = page.get_textpage()
    try:
        return textpage.get_text_bounded()
    finally:
        textpage.close()


def _render_pdf_page(page, width):
    page_width, page_height = page.get_size()
    scale = min(width / max(page_width, 1), width * MAX_HEIGHT_RATIO / max(page_height, 1))
    bitmap = page.render(scale=scale)
    try:
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()


# PowerPoint


def read_pptx(file, title=""):
    """Text from every shape (and speaker notes); images are title cards, as slides are not rendered here."""
    text_pages = settings.DECK_TEXT_MAX_PAGES
    preview_pages = settings.DECK_PREVIEW_PAGES
    texts = TextCollector(settings.DECK_TEXT_MAX_CHARS)
    presentation = Presentation(file)
    slides = presentation.slides
    page_count = len(slides)
    previews = []
    for number, slide in enumerate(slides, start=1):
        if number > max(text_pages, preview_pages):
            break
        shape_texts = list(_shape_texts(slide.shapes))
        if number <= text_pages and not texts.full:
            texts.add(" ".join([*shape_texts, _notes_text(slide)]))
        if number <= preview_pages:
            slide_title = _slide_title(slide, shape_texts) or f"Slide {number}"
            previews.append(_png(title_card(slide_title, PREVIEW_WIDTH, caption=f"Slide {number} of {page_count}")))
    thumbnail = _embedded_thumbnail(presentation) or _png(title_card(title or "Slides", THUMBNAIL_WIDTH))
    return Extracted(page_count=page_count, text=texts.text(), thumbnail=thumbnail, previews=previews)


def _shape_texts(shapes):
    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shape_texts(shape.shapes)
        elif shape.has_text_frame:
            yield shape.text_frame.text
        elif getattr(shape, "has_table", False):
            for row in shape.table.rows:
                for cell in row.cells:
                    yield cell.text_frame.text


def _notes_text(slide):
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return frame.text if frame is not None else ""


def _slide_title(slide, shape_texts):
    title = slide.shapes.title
    text = title.text_frame.text if title is not None and title.has_text_frame else ""
    return " ".join(text.split()) or next((" ".join(t.split()) for t in shape_texts if t.strip()), "")


def _embedded_thumbnail(presentation):
    """The preview picture PowerPoint saves in the package, as a PNG; None when absent or unusable."""
    try:
        blob = presentation.part.package.part_related_by(RELATIONSHIP_TYPE.THUMBNAIL).blob
        with Image.open(io.BytesIO(blob)) as image:
            if image.width * image.height > EMBEDDED_THUMBNAIL_MAX_PIXELS:
                return None
            return _png(_fit_width(image.convert("RGB"), THUMBNAIL_WIDTH))
    except Exception:  # missing (KeyError), or a format Pillow can't decode here (EMF/WMF)
        logger.info("No usable embedded thumbnail", exc_info=True)
        return None


# Images


def title_card(text, width, caption=""):
    """A 16:9 brand-blue card with the title in white: stands in for a slide we don't render."""
    height = width * 9 // 16
    margin = width // 14
    image = Image.new("RGB", (width, height), BRAND_BLUE)
    draw = ImageDraw.Draw(image)
    font = _font(CARD_FONT, width // 16)
    # Only a few lines fit; cutting first keeps wrapping cheap for a slide that is one enormous text box.
    lines = _wrap(draw, " ".join(text.split())[:CARD_MAX_CHARS], font, width - 2 * margin)
    line_height = int(font.size * 1.3)
    y = (height - line_height * len(lines)) // 2
    for line in lines:
        draw.text((margin, y), line, font=font, fill="white")
        y += line_height
    if caption:
        caption_font = _font(CARD_CAPTION_FONT, width // 40)
        draw.text((margin, height - margin // 2 - caption_font.size), caption, font=caption_font, fill="#c8d6ea")
    return image


def _font(path, size):
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _wrap(draw, text, font, max_width):
    """Greedy word wrap, at most CARD_MAX_LINES lines, over-long words cut, an ellipsis when text was dropped."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while draw.textlength(word, font=font) > max_width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and draw.textlength(word[:cut], font=font) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) > CARD_MAX_LINES:
        lines = lines[:CARD_MAX_LINES]
        last = lines[-1]
        while last and draw.textlength(f"{last}…", font=font) > max_width:
            last = last[:-1]
        lines[-1] = f"{last.rstrip()}…"
    return lines


def _fit_width(image, width):
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.LANCZOS)


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
