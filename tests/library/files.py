"""Real deck files built in memory, good and bad, as the uploads a member's browser would send.

Bad files carry the misleading name and content type an attacker (or a confused member) would give them,
so the tests prove decisions are made from content alone.
"""

import io
import re
import zipfile
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pptx import Presentation
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from library.models import SlideDeck

PDF_TYPE = "application/pdf"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

HEADINGS = [
    "Avoidable contact (NI14)",
    "Channel shift: from phone to web",
    "First-contact resolution in the contact centre",
    "What the scrutiny committee asked",
    "Customer insight from complaints data",
    "Performance indicators that drive improvement",
]
BODY = [
    "Avoidable contact is contact that could have been prevented by getting things right first time.",
    "We sampled 2,000 calls over four weeks and coded each one as avoidable or of value.",
    "Progress chasing and repeat calls about missed bin collections made up a third of the total.",
    "Actions: fix the root cause with the service, then publish what we changed.",
]
# An embedded thumbnail in a colour no generated card uses, so tests can tell which one they got.
THUMBNAIL_COLOUR = (230, 120, 20)


def heading(number):
    return HEADINGS[(number - 1) % len(HEADINGS)]


def page_marker(number, pages):
    """A line unique to each page, to tell exactly which pages' text was extracted."""
    return f"Page {number} of {pages}"


@lru_cache(maxsize=16)
def pdf_bytes(pages=3, title="Reducing avoidable contact", password=None, owner_password=None):
    """Cached: a 400-page PDF is built once per test run, however many tests use it."""
    buffer = io.BytesIO()
    encrypt = None
    if password is not None or owner_password is not None:
        encrypt = pdfencrypt.StandardEncryption(password or "", ownerPassword=owner_password or "owner", canModify=0)
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4), encrypt=encrypt)
    pdf.setTitle(title)
    width, height = landscape(A4)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 28)
        pdf.drawString(60, height - 90, heading(number))
        pdf.setFont("Helvetica", 16)
        for line_number, line in enumerate(BODY):
            pdf.drawString(60, height - 150 - 28 * line_number, line)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(60, 40, f"{title} - {page_marker(number, pages)}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_pdf(pages=3, title="Reducing avoidable contact", name="avoidable-contact.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(pages, title), content_type=PDF_TYPE)


def pptx_bytes(slides=3, title="Channel shift in practice", with_thumbnail=False, notes="Speaker notes: ask about NI14."):
    presentation = Presentation()
    first = presentation.slides.add_slide(presentation.slide_layouts[0])
    first.shapes.title.text = title
    first.placeholders[1].text = "Northfield Borough Council, customer services"
    first.notes_slide.notes_text_frame.text = notes
    for number in range(2, slides + 1):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = f"{heading(number)} ({number})"
        body = slide.placeholders[1].text_frame
        body.text = BODY[0]
        for line in BODY[1:]:
            body.add_paragraph().text = line
    buffer = io.BytesIO()
    presentation.save(buffer)
    # python-pptx's template always carries a generic thumbnail: replace it with ours, or take it out.
    return _rewrite_zip(buffer.getvalue(), _thumbnail_jpeg() if with_thumbnail else None)


def make_pptx(slides=3, title="Channel shift in practice", with_thumbnail=False, name="channel-shift.pptx"):
    return SimpleUploadedFile(name, pptx_bytes(slides, title, with_thumbnail), content_type=PPTX_TYPE)


def _thumbnail_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (256, 144), THUMBNAIL_COLOUR).save(buffer, "JPEG")
    return buffer.getvalue()


def _rewrite_zip(data, thumbnail, extra=None):
    """Copy a package, with `thumbnail` as docProps/thumbnail.jpeg (None: no thumbnail) and `extra` members."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "docProps/thumbnail.jpeg":
                if thumbnail is None:
                    continue
                content = thumbnail
            elif member.filename == "_rels/.rels" and thumbnail is None:
                content = _without_thumbnail_relationship(content)
            target.writestr(member.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def _without_thumbnail_relationship(rels):
    return re.sub(rb"<Relationship [^>]*metadata/thumbnail[^>]*/>", b"", rels)


# Bad files: each named and typed to pass for a deck.


def html_renamed_pdf():
    page = b"<!DOCTYPE html><html><body><h1>Q3 KPIs</h1><script>alert(document.cookie)</script></body></html>"
    return SimpleUploadedFile("q3-kpis.pdf", page, content_type=PDF_TYPE)


def html_with_pdf_marker():
    """An HTML page that names %PDF- in its first kilobyte, hoping a sniffer stops there."""
    page = b"<html><!-- %PDF-1.7 --><body><script>alert(1)</script></body></html>"
    return SimpleUploadedFile("report.pdf", page, content_type=PDF_TYPE)


def svg_with_script_renamed_pdf():
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b"<script>fetch('/accounts/email/').then(r => r.text()).then(t => alert(t))</script>"
        b'<rect width="100" height="100" fill="#1d4f91"/></svg>'
    )
    return SimpleUploadedFile("chart.pdf", svg, content_type=PDF_TYPE)


def truncated_pdf():
    """The first half of a real PDF, as an interrupted download leaves it."""
    data = pdf_bytes(pages=3)
    return SimpleUploadedFile("avoidable-contact.pdf", data[: len(data) // 2], content_type=PDF_TYPE)


def encrypted_pdf():
    return SimpleUploadedFile("board-report.pdf", pdf_bytes(pages=2, password="secret"), content_type=PDF_TYPE)


def owner_restricted_pdf():
    """Encrypted with an owner password only: every reader opens it without asking, so it is a usable deck."""
    return SimpleUploadedFile("restricted.pdf", pdf_bytes(pages=2, owner_password="owner"), content_type=PDF_TYPE)


def text_renamed_pptx():
    notes = b"Notes from the scrutiny committee, 12 March: members asked for NI14 figures by ward.\n"
    return SimpleUploadedFile("scrutiny-notes.pptx", notes, content_type=PPTX_TYPE)


def text_file():
    return SimpleUploadedFile("notes.txt", b"Channel shift targets for 2025/26\n", content_type="text/plain")


def empty_file(name="slides.pdf"):
    return SimpleUploadedFile(name, b"", content_type=PDF_TYPE)


def windows_executable():
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
    return SimpleUploadedFile("slides.pdf", stub, content_type=PDF_TYPE)


def linux_executable():
    return SimpleUploadedFile("slides.pptx.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 57, content_type=PDF_TYPE)


def png_image():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#1d4f91").save(buffer, "PNG")
    return SimpleUploadedFile("slide-1.pdf", buffer.getvalue(), content_type=PDF_TYPE)


def old_ppt():
    """The OLE2 compound-file header every pre-2007 .ppt starts with."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return SimpleUploadedFile("budget-2006.ppt", header + b"\x00" * 480, content_type="application/vnd.ms-powerpoint")


def zip_not_pptx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("minutes.txt", "Minutes of the performance board.")
    return SimpleUploadedFile("deck.pptx", buffer.getvalue(), content_type=PPTX_TYPE)


def truncated_pptx():
    data = pptx_bytes()
    return SimpleUploadedFile("channel-shift.pptx", data[: len(data) // 2], content_type=PPTX_TYPE)


def pptx_with_macros():
    data = _rewrite_zip(pptx_bytes(), None, extra={"ppt/vbaProject.bin": b"\x00" * 64})
    return SimpleUploadedFile("channel-shift.pptx", data, content_type=PPTX_TYPE)


def pptx_with_padding(unpacked_bytes):
    """A real deck with a member of zeros: tiny when packed, `unpacked_bytes` when unpacked."""
    data = _rewrite_zip(pptx_bytes(), None, extra={"ppt/media/padding.bin": b"\x00" * unpacked_bytes})
    return SimpleUploadedFile("channel-shift.pptx", data, content_type=PPTX_TYPE)


def create_deck(upload, kind=None, **fields):
    """A SlideDeck row holding `upload`, as the upload view would save it (before processing)."""
    fields.setdefault("title", upload.name.rsplit(".", 1)[0].replace("-", " ").capitalize())
    deck = SlideDeck(
        original_filename=upload.name,
        kind=kind or (SlideDeck.Kind.PPTX if upload.name.endswith(".pptx") else SlideDeck.Kind.PDF),
        file_size=upload.size,
        **fields,
    )
    deck.file.save(upload.name, upload, save=False)
    deck.save()
    return deck
