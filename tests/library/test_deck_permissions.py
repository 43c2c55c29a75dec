"""Deck pages, downloads, thumbnails and previews for every role and every kind of community."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "outsider", "member", "facilitator", "other_facilitator", "staff"]
ALL = (200,) * 6
MEMBERS_ONLY = (404, 404, 200, 200, 404, 200)
EXPECTED = {"library": ALL, "public": ALL, "members": MEMBERS_ONLY, "private": MEMBERS_ONLY}
SURFACES = {
    "page": "{deck_url}",
    "download": "/library/decks/{pk}/download/",
    "thumbnail": "/library/decks/{pk}/thumbnail/",
    "preview": "/library/decks/{pk}/previews/1/",
}


@pytest.fixture
def deck_in(community_factory, library, people):
    def make(where):
        community = None if where == "library" else community_factory(where)[0]
        return add_deck(community, title=f"Confidential {where} deck", uploader=people["member"])
    return make


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("where", EXPECTED)
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_deck_surfaces_follow_the_community_rules(client, deck_in, people, surface, where, role_index, role):
    deck = deck_in(where)
    if role != "visitor":
        client.force_login(people[role])
    response = client.get(SURFACES[surface].format(deck_url=deck.get_absolute_url(), pk=deck.pk))
    assert response.status_code == EXPECTED[where][role_index]
    if response.status_code == 404:
        assert b"Confidential" not in response.content


def test_download_is_an_attachment_with_the_original_name_and_counts(client, deck_in):
    deck = deck_in("library")
    response = client.get(f"/library/decks/{deck.pk}/download/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="slides.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    deck.refresh_from_db()
    assert deck.download_count == 1


def test_members_only_files_are_not_cached_by_shared_caches(client, deck_in, people):
    deck = deck_in("members")
    client.force_login(people["member"])
    assert client.get(f"/library/decks/{deck.pk}/thumbnail/")["Cache-Control"] == "private, no-store"


def test_deck_files_are_stored_outside_the_public_media_folder(deck_in, client):
    deck = deck_in("private")
    stored = Path(deck.file.path).resolve()
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in stored.parents
    assert Path(settings.MEDIA_ROOT).resolve() not in stored.parents
    assert client.get(f"{settings.MEDIA_URL}{deck.file.name}").status_code == 404
    assert client.get(f"/documents/{deck.pk}/slides.pdf").status_code == 404


def test_private_decks_are_not_listed_to_outsiders(client, deck_in, people):
    deck_in("private")
    deck_in("public")
    client.force_login(people["outsider"])
    content = client.get("/library/").content
    assert b"Confidential public deck" in content
    assert b"Confidential private deck" not in content
    client.force_login(people["member"])
    assert b"Confidential private deck" in client.get("/library/").content


def test_library_feed_shows_only_public_items(client, deck_in, people):
    deck_in("members")
    deck_in("library")
    client.force_login(people["member"])  # a member's session must not leak into the shared feed
    content = client.get("/library/feed/").content
    assert b"Confidential library deck" in content
    assert b"Confidential members deck" not in content


def test_sitemap_lists_public_decks_only(client, deck_in):
    public = deck_in("public")
    members = deck_in("members")
    content = client.get("/sitemap.xml").content
    assert public.get_absolute_url().encode() in content
    assert members.get_absolute_url().encode() not in content


def test_editors_list_and_inspect_decks_in_the_wagtail_admin(client, deck_in):
    from django.contrib.auth import get_user_model

    deck = deck_in("private")
    client.force_login(get_user_model().objects.create_superuser("editor", "editor@example.org", "x"))
    listing = client.get("/admin/library/decks/")
    assert listing.status_code == 200 and b"Confidential private deck" in listing.content
    assert client.get(f"/admin/library/decks/inspect/{deck.pk}/").status_code == 200
    assert client.get("/admin/snippets/library/topic/").status_code == 200
