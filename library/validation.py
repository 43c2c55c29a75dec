"""Decide what an uploaded slide deck really is, from its bytes alone.

File names and browser-sent content types are whatever the sender chose, so neither decides anything:
a deck is accepted only when it opens with the library that will process it. Every refusal says what was
wrong and what the member can do about it.
"""

import zipfile

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pptx import Presentation

from .models import SlideDeck

# PDF readers find the header anywhere in the first kilobyte (some tools prepend junk).
PDF_HEADER = b"%PDF-"
PDF_HEADER_WINDOW = 1024
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06")
# A .pptx is a zip: cap what it may unpack to, so a small upload cannot expand into gigabytes.
PPTX_MAX_UNPACKED_BYTES = 300 * 1024 * 1024
PPTX_MAX_MEMBERS = 10_000
CONTENT_TYPES_MAX_BYTES = 1024 * 1024

ONLY_PDF_OR_PPTX = "Only PDF and PowerPoint (.pptx) files can be shared. Save your slides as PDF or .pptx and upload that."
NOT_A_PPTX = (
    "This isn't a PowerPoint (.pptx) file (it may have been renamed). "
    "Save your slides from PowerPoint as .pptx or PDF and upload that."
)
OLD_PPT = (
    "This is an older PowerPoint (.ppt) file, which can't be shared. "
    "Open it in PowerPoint, save it as .pptx or PDF, and upload that."
)
PDF_DAMAGED = "This PDF looks damaged or incomplete: save it again and re-upload."
PDF_PASSWORD = "This PDF is protected by a password. Save a copy without the password and upload that."
PDF_NO_PAGES = "This PDF has no pages: export your slides again and re-upload."
PPTX_DAMAGED = "This PowerPoint file looks damaged or incomplete: save it again and re-upload."
PPTX_MACROS = (
    "This PowerPoint file contains macros, which can't be shared. "
    "Save it as a PowerPoint Presentation (.pptx) or PDF and upload that."
)
PPTX_NO_SLIDES = "This presentation has no slides: add your slides, save it and re-upload."
EMPTY = "This file is empty: choose the file again and re-upload."


def human_size(num_bytes):
    """'63 MB' rather than Django's '63.0 MB'; plain spaces so the text reads the same in email and logs."""
    return filesizeformat(num_bytes).replace("\xa0", " ").replace(".0 ", " ")


def inspect_deck_upload(uploaded_file):
    """Return the deck's Kind, or raise ValidationError saying why it can't be shared. Leaves the file at position 0."""
    size = uploaded_file.size
    if not size:
        raise ValidationError(EMPTY, code="empty")
    if size > settings.DECK_MAX_BYTES:
        raise ValidationError(
            f"This file is {human_size(size)}; the limit is {human_size(settings.DECK_MAX_BYTES)}. "
            "Compress its pictures or save it as PDF, then try again.",
            code="too_big",
        )
    try:
        uploaded_file.seek(0)
        head = uploaded_file.read(PDF_HEADER_WINDOW)
        uploaded_file.seek(0)
        if _looks_like_pdf(head):
            _check_pdf(uploaded_file)
            return SlideDeck.Kind.PDF
        if head.startswith(ZIP_HEADERS):
            _check_pptx(uploaded_file)
            return SlideDeck.Kind.PPTX
        if head.startswith(OLE2_HEADER):
            raise ValidationError(OLD_PPT, code="old_ppt")
        if (uploaded_file.name or "").lower().endswith(".pptx"):
            # The name only chooses the wording; the verdict is the same as for any unknown file.
            raise ValidationError(NOT_A_PPTX, code="not_pptx")
        raise ValidationError(ONLY_PDF_OR_PPTX, code="unsupported")
    finally:
        uploaded_file.seek(0)


def _looks_like_pdf(head):
    start = head.find(PDF_HEADER)
    # Junk before the header is tolerated, markup is not: that is an HTML/SVG page carrying a PDF marker.
    return start != -1 and b"<" not in head[:start]


def _check_pdf(uploaded_file):
    try:
        pdf = pdfium.PdfDocument(uploaded_file)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_raw.FPDF_ERR_PASSWORD:
            raise ValidationError(PDF_PASSWORD, code="pdf_password") from error
        raise ValidationError(PDF_DAMAGED, code="pdf_damaged") from error
    try:
        if len(pdf) < 1:
            raise ValidationError(PDF_NO_PAGES, code="pdf_no_pages")
        try:
            pdf[0].close()
        except pdfium.PdfiumError as error:
            raise ValidationError(PDF_DAMAGED, code="pdf_damaged") from error
    finally:
        pdf.close()


def _check_pptx(uploaded_file):
    try:
        archive = zipfile.ZipFile(uploaded_file)
    except Exception as error:  # BadZipFile, EOFError, OSError...: a zip header on a broken archive.
        raise ValidationError(PPTX_DAMAGED, code="pptx_damaged") from error
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if len(members) > PPTX_MAX_MEMBERS or unpacked > PPTX_MAX_UNPACKED_BYTES:
            raise ValidationError(
                f"This PowerPoint file unpacks to {human_size(unpacked)} in {len(members)} parts, more than we can "
                f"process (the limit is {human_size(PPTX_MAX_UNPACKED_BYTES)}). "
                "Compress its pictures or save it as PDF, then try again.",
                code="pptx_too_big",
            )
        names = {member.filename for member in members}
        content_types = _read_content_types(archive, names)
        if b"presentationml" not in content_types or "ppt/presentation.xml" not in names:
            raise ValidationError(NOT_A_PPTX, code="not_pptx")
        if b"macroenabled" in content_types.lower() or "ppt/vbaProject.bin" in names:
            raise ValidationError(PPTX_MACROS, code="pptx_macros")
    uploaded_file.seek(0)
    try:
        slide_count = len(Presentation(uploaded_file).slides)
    except Exception as error:  # python-pptx raises many kinds (KeyError, lxml errors, ...) for a broken package.
        raise ValidationError(PPTX_DAMAGED, code="pptx_damaged") from error
    if slide_count < 1:
        raise ValidationError(PPTX_NO_SLIDES, code="pptx_no_slides")


def _read_content_types(archive, names):
    """The package's table of contents, or b'' when it is missing or implausibly large."""
    if "[Content_Types].xml" not in names:
        return b""
    if archive.getinfo("[Content_Types].xml").file_size > CONTENT_TYPES_MAX_BYTES:
        return b""
    try:
        return archive.read("[Content_Types].xml")
    except Exception as error:  # bad CRC, zlib error, encrypted or unsupported compression
        raise ValidationError(PPTX_DAMAGED, code="pptx_damaged") from error
