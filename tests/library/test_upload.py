"""Sharing a deck through the form: who may, what happens to good and bad files, and what the member sees."""

import pytest
from bs4 import BeautifulSoup

from library.models import SlideDeck, Topic
from tests.factories import add_community, add_member, create_member
from tests.library import files
from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_of(home, library):
    community = add_community(home, "contact-centres", visibility="members")
    member = create_member(username="tom", display_name="Tom Ellery")
    add_member(member, community)
    return member, community


def form_data(community, **overrides):
    return {"title": "Resolution, not just response", "description": "Slides from the **forum**.",
            "where": str(community.pk), "event": "Contact Centre Managers' Forum", "presented_on": "2025-10-14",
            "topics": [Topic.objects.get(slug="contact-centres").pk], **overrides}


def test_member_shares_a_pdf_and_sees_its_previews(client, member_of, django_capture_on_commit_callbacks):
    member, community = member_of
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/library/decks/upload/", {**form_data(community), "file": files.make_pdf(pages=3)})
    deck = SlideDeck.objects.get()
    assert response.url == deck.get_absolute_url()
    assert (deck.community, deck.uploaded_by, deck.kind, deck.status) == (community, member, "pdf", "ready")
    assert deck.page_count == 3 and deck.original_filename == "avoidable-contact.pdf"
    page = BeautifulSoup(client.get(response.url).content, "html.parser")
    assert page.h1.get_text() == "Resolution, not just response"
    assert page.find("img", alt="Resolution, not just response: slide 3")
    assert page.find("a", string=lambda text: text and text.startswith("Download PDF"))
    assert page.find(class_="prose").strong.get_text() == "forum"


def test_member_shares_a_pptx(client, member_of, django_capture_on_commit_callbacks):
    member, community = member_of
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/library/decks/upload/", {**form_data(community), "file": files.make_pptx(slides=4)})
    deck = SlideDeck.objects.get()
    assert (deck.kind, deck.status, deck.page_count) == ("pptx", "ready", 4)
    assert deck.thumbnail


@pytest.mark.parametrize("bad_file, message", [
    (files.html_renamed_pdf, "Only PDF and PowerPoint (.pptx) files can be shared."),
    (files.svg_with_script_renamed_pdf, "Only PDF and PowerPoint (.pptx) files can be shared."),
    (files.truncated_pdf, "This PDF looks damaged or incomplete"),
    (files.text_renamed_pptx, "This isn&#x27;t a PowerPoint (.pptx) file"),
    (files.windows_executable, "Only PDF and PowerPoint (.pptx) files can be shared."),
])
def test_a_bad_file_is_refused_clearly_and_the_form_keeps_what_was_typed(client, member_of, bad_file, message):
    member, community = member_of
    client.force_login(member)
    response = client.post("/library/decks/upload/", {**form_data(community), "file": bad_file()})
    assert response.status_code == 200
    assert message.encode() in response.content
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("input", attrs={"name": "title"})["value"] == "Resolution, not just response"
    assert page.find("input", attrs={"name": "event"})["value"] == "Contact Centre Managers' Forum"
    assert not SlideDeck.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(client, member_of, settings):
    settings.DECK_MAX_BYTES = 1024
    member, community = member_of
    client.force_login(member)
    response = client.post("/library/decks/upload/", {**form_data(community), "file": files.make_pdf(pages=20)})
    assert b"the limit is 1 KB" in response.content or b"the limit is 1.0 KB" in response.content


def test_members_can_only_share_with_their_own_communities(client, member_of, home):
    member, _ = member_of
    other = add_community(home, "elsewhere")
    client.force_login(member)
    response = client.post("/library/decks/upload/", {**form_data(other), "file": files.make_pdf()})
    assert b"Select a valid choice" in response.content
    assert not SlideDeck.objects.exists()


def test_only_facilitators_may_share_with_the_public_library(client, member_of):
    member, community = member_of
    client.force_login(member)
    form = BeautifulSoup(client.get("/library/decks/upload/").content, "html.parser")
    assert [option["value"] for option in form.find("select", attrs={"name": "where"}).find_all("option")] == [str(community.pk)]
    response = client.post("/library/decks/upload/", {**form_data(community, where=""), "file": files.make_pdf()})
    assert b"This field is required." in response.content
    assert not SlideDeck.objects.exists()


def test_visitors_sign_in_first_and_unverified_members_are_told_why(client, library):
    assert client.get("/library/decks/upload/").url.startswith("/accounts/login/")
    client.force_login(create_member(username="una", verified=False))
    response = client.get("/library/decks/upload/")
    assert response.status_code == 403
    assert b"verify your email address" in response.content


def test_a_failed_deck_says_so_keeps_its_file_and_can_be_retried(client, member_of, django_capture_on_commit_callbacks):
    member, community = member_of
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/library/decks/upload/", {**form_data(community), "file": files.make_pdf()})
    deck = SlideDeck.objects.get()
    good = deck.file.read()
    deck.file.close()
    with deck.file.open("wb") as stored:
        stored.write(good[: len(good) // 3])  # damaged on disk after upload
    SlideDeck.objects.filter(pk=deck.pk).update(status=SlideDeck.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/library/decks/{deck.pk}/retry/")
    page = client.get(deck.get_absolute_url()).content
    assert b"We couldn't prepare previews for this deck." in page
    assert b"Try again" in page
    assert client.get(f"/library/decks/{deck.pk}/download/").status_code == 200
    with deck.file.open("wb") as stored:
        stored.write(good)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/library/decks/{deck.pk}/retry/")
    deck.refresh_from_db()
    assert deck.status == SlideDeck.Status.READY


def test_someone_else_cannot_retry_a_deck(client, member_of, home):
    member, community = member_of
    deck = add_deck(community, uploader=member, status=SlideDeck.Status.FAILED)
    other = create_member(username="sam")
    add_member(other, community)
    client.force_login(other)
    assert client.post(f"/library/decks/{deck.pk}/retry/").status_code == 403
