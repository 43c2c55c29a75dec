import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from library import validation
from library.models import SlideDeck
from library.validation import inspect_deck_upload
from tests.library import files


def refusal(upload):
    with pytest.raises(ValidationError) as raised:
        inspect_deck_upload(upload)
    assert upload.tell() == 0, "the file must be left ready to save"
    return raised.value


def test_accepts_a_real_pdf_and_leaves_it_at_the_start():
    upload = files.make_pdf()
    assert inspect_deck_upload(upload) == SlideDeck.Kind.PDF
    assert upload.tell() == 0


def test_accepts_a_real_pptx_with_or_without_its_thumbnail():
    assert inspect_deck_upload(files.make_pptx()) == SlideDeck.Kind.PPTX
    assert inspect_deck_upload(files.make_pptx(with_thumbnail=True)) == SlideDeck.Kind.PPTX


def test_decides_by_content_not_by_name_or_content_type():
    upload = files.make_pdf(name="slides.pptx")
    upload.content_type = "text/html"
    assert inspect_deck_upload(upload) == SlideDeck.Kind.PDF


def test_accepts_a_pdf_with_junk_before_its_header_as_pdf_readers_do():
    upload = SimpleUploadedFile("deck.pdf", b"\r\n\x00\x00" + files.pdf_bytes())
    assert inspect_deck_upload(upload) == SlideDeck.Kind.PDF


def test_accepts_a_pdf_restricted_only_by_an_owner_password():
    assert inspect_deck_upload(files.owner_restricted_pdf()) == SlideDeck.Kind.PDF


def test_accepts_a_400_page_pdf():
    assert inspect_deck_upload(files.make_pdf(pages=400)) == SlideDeck.Kind.PDF


@pytest.mark.parametrize(
    "make",
    [
        files.html_renamed_pdf,
        files.html_with_pdf_marker,
        files.svg_with_script_renamed_pdf,
        files.windows_executable,
        files.linux_executable,
        files.png_image,
        files.text_file,
    ],
)
def test_refuses_anything_that_is_neither_pdf_nor_pptx(make):
    error = refusal(make())
    assert error.code == "unsupported"
    assert error.messages == [validation.ONLY_PDF_OR_PPTX]
    assert error.messages[0].startswith("Only PDF and PowerPoint (.pptx) files can be shared.")


def test_refuses_an_empty_file():
    error = refusal(files.empty_file())
    assert error.messages == ["This file is empty: choose the file again and re-upload."]


def test_refuses_a_file_over_the_size_limit_saying_both_sizes(settings):
    settings.DECK_MAX_BYTES = 50 * 1024 * 1024
    upload = files.make_pdf()
    upload.size = 63 * 1024 * 1024
    error = refusal(upload)
    assert error.code == "too_big"
    assert error.messages[0].startswith("This file is 63 MB; the limit is 50 MB.")


def test_refuses_a_real_deck_just_over_a_small_limit(settings):
    upload = files.make_pptx()
    settings.DECK_MAX_BYTES = upload.size - 1
    assert refusal(upload).code == "too_big"


def test_refuses_a_truncated_pdf_as_damaged():
    error = refusal(files.truncated_pdf())
    assert error.messages == ["This PDF looks damaged or incomplete: save it again and re-upload."]


def test_refuses_a_password_protected_pdf():
    error = refusal(files.encrypted_pdf())
    assert error.code == "pdf_password"
    assert "password" in error.messages[0]
    assert "Save a copy without the password" in error.messages[0]


def test_refuses_a_text_file_named_pptx_saying_it_is_not_powerpoint():
    error = refusal(files.text_renamed_pptx())
    assert error.code == "not_pptx"
    assert error.messages[0].startswith("This isn't a PowerPoint (.pptx) file")


def test_refuses_a_zip_that_is_not_a_presentation():
    error = refusal(files.zip_not_pptx())
    assert error.messages == [validation.NOT_A_PPTX]


def test_refuses_an_old_binary_ppt_asking_for_pptx_or_pdf():
    error = refusal(files.old_ppt())
    assert error.code == "old_ppt"
    assert "save it as .pptx or PDF" in error.messages[0]


def test_refuses_a_truncated_pptx_as_damaged():
    error = refusal(files.truncated_pptx())
    assert error.messages == ["This PowerPoint file looks damaged or incomplete: save it again and re-upload."]


def test_refuses_a_presentation_with_macros():
    error = refusal(files.pptx_with_macros())
    assert error.code == "pptx_macros"


def test_refuses_a_pptx_that_unpacks_to_more_than_the_cap(monkeypatch):
    monkeypatch.setattr(validation, "PPTX_MAX_UNPACKED_BYTES", 1024 * 1024)
    upload = files.pptx_with_padding(2 * 1024 * 1024)
    assert upload.size < 100 * 1024, "the bomb is small when packed"
    error = refusal(upload)
    assert error.code == "pptx_too_big"
    assert "the limit is 1 MB" in error.messages[0]


def test_refuses_a_pptx_with_too_many_parts(monkeypatch):
    monkeypatch.setattr(validation, "PPTX_MAX_MEMBERS", 10)
    assert refusal(files.make_pptx()).code == "pptx_too_big"
