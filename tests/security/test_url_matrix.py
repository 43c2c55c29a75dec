"""Every URL of the project, for every role, in public, members-only and private communities.

The URL names, RoutablePage routes and page types are read from the project itself: a new one without an
entry in EXPECTATIONS fails ``test_every_url_has_a_matrix_entry``. Each entry says how to build a concrete
URL from the world (see matrix_support) and which statuses each role may get. Whatever the status, a secret
word of a community a role may not read must not appear in the response body.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.matrix_support import (
    ROLES, VISIBILITIES, build_world, collected_names, secret, third_party_named_patterns,
)

READERS = {"unverified", "member", "facilitator", "staff"}  # the three communities' members, and staff
MODERATORS = {"facilitator", "staff"}


def can_read(role, visibility):
    """The platform's rule: public content for all; members-only and private content for members and staff."""
    return visibility == "public" or role in READERS


def refused(role, visibility):
    """How a role is refused: private is invisible (404); members-only asks a visitor to sign in, others 403."""
    if visibility == "private":
        return {404}
    return {302} if role == "visitor" else {403}


# Rules: (role, visibility) -> the set of statuses allowed.
def everyone(role, visibility):
    return {200}


def readers(role, visibility):
    return {200} if can_read(role, visibility) else refused(role, visibility)


def community_page(role, visibility):
    """A community's about page is shown to all unless the community is private."""
    return {200} if visibility != "private" or can_read(role, visibility) else {404}


def its_members(role, visibility):
    """The members list: for the community's members even when the community is public."""
    if role in READERS:
        return {200}
    return {404} if visibility == "private" else ({302} if role == "visitor" else {403})


def files(role, visibility):
    """A deck's page and files: a refused role is told nothing exists."""
    return {200} if can_read(role, visibility) else {404}


def moderators(role, visibility):
    if role in MODERATORS:
        return {200}
    if visibility == "private" and role not in READERS:
        return {404}
    return {302} if role == "visitor" else {403}


def posters(role, visibility):
    """Forms to write in a community: for its verified members and staff."""
    if role in READERS:
        return {403} if role == "unverified" else {200}
    return {404} if visibility == "private" else ({302} if role == "visitor" else {403})


def permalink(role, visibility):
    return {302} if can_read(role, visibility) else refused(role, visibility)


def community_feed(role, visibility):
    """RSS is public: a members-only or private community has no feed (a reader's app cannot sign in)."""
    if visibility == "public":
        return {200}
    if visibility == "private" and role not in READERS:
        return {404}
    return {302} if role == "visitor" else {403}


def signed_in(role, visibility):
    return {302} if role == "visitor" else {200}


def signed_in_not_found(role, visibility):
    return {302} if role == "visitor" else {404}


def post_only(role, visibility):
    """An action answers a GET with 405 before it looks at anything, so it never shows nor does anything."""
    return {405}


def join_form(role, visibility):
    """Joining: those who may not see a private community get 404, a visitor signs in, a member already in is
    refused, and a private community is joined by invitation only."""
    if visibility == "private" and role not in READERS:
        return {404}
    if role == "visitor":
        return {302}
    if role in READERS - {"staff"} or visibility == "private":
        return {403}
    return {200}


def uploaders(role, visibility):
    """Sharing a deck or a case study: verified members of any community (and staff); a visitor signs in."""
    if role == "visitor":
        return {302}
    return {403} if role == "unverified" else {200}


def C(path):
    """A URL inside the scenario's community."""
    return lambda world, visibility: world.scenes[visibility].community.url + path(world.scenes[visibility])


def fixed(url):
    return lambda world, visibility: url


def library(path):
    return lambda world, visibility: world.library.url + path(world.scenes[visibility])


def thread_path(scene):
    return f"forum/{scene.thread.pk}-{scene.thread.slug}/"


def search_for(path):
    return lambda world, visibility: f"{path}?q={secret(visibility)}"


# name -> (URL builder, rule, must the secret be shown to those who may read it?)
EXPECTATIONS = {
    # Django URL names.
    "url:profile_detail": (lambda world, visibility: f"/members/{world.people['member'].username}/", everyone, False),
    "url:profile_edit": (fixed("/accounts/profile/"), signed_in, False),
    "url:notification_list": (fixed("/notifications/"), signed_in, False),
    "url:notification_open": (fixed("/notifications/999999/"), signed_in_not_found, False),
    "url:member_home": (fixed("/my/"), signed_in, False),
    "url:roundup_preferences": (fixed("/newsletters/preferences/"), signed_in, False),
    "url:roundup_unsubscribe": (fixed("/newsletters/unsubscribe/not-a-token/"), lambda role, visibility: {400}, False),
    "url:search": (search_for("/search/"), everyone, True),
    "url:search_autocomplete": (search_for("/search/autocomplete/"), everyone, True),
    "url:sitemap": (fixed("/sitemap.xml"), everyone, False),
    # CommunityPage routes.
    "route:communities.CommunityPage:community_home": (C(lambda s: ""), community_page, False),
    "route:communities.CommunityPage:join": (C(lambda s: "join/"), join_form, False),
    "route:communities.CommunityPage:leave": (C(lambda s: "leave/"), post_only, False),
    "route:communities.CommunityPage:library": (C(lambda s: "library/"), readers, True),
    "route:communities.CommunityPage:members": (C(lambda s: "members/"), its_members, False),
    "route:communities.CommunityPage:join_requests": (C(lambda s: "requests/"), moderators, False),
    "route:communities.CommunityPage:forum": (C(lambda s: "forum/"), readers, True),
    "route:communities.CommunityPage:new_thread": (C(lambda s: "forum/new/"), posters, False),
    "route:communities.CommunityPage:watch_forum": (C(lambda s: "forum/watch/"), post_only, False),
    "route:communities.CommunityPage:thread": (C(thread_path), readers, True),
    "route:communities.CommunityPage:thread_action": (C(lambda s: f"forum/{s.thread.pk}/pin/"), post_only, False),
    "route:communities.CommunityPage:post_permalink": (C(lambda s: f"forum/posts/{s.opening.pk}/"), permalink, False),
    "route:communities.CommunityPage:post_action": (C(lambda s: f"forum/posts/{s.opening.pk}/history/"), moderators, False),
    "route:communities.CommunityPage:flag_queue": (C(lambda s: "flags/"), moderators, False),
    "route:communities.CommunityPage:moderation_log": (C(lambda s: "log/"), moderators, False),
    "route:communities.CommunityPage:dashboard": (C(lambda s: "dashboard/"), moderators, True),
    "route:communities.CommunityPage:feed": (C(lambda s: "feed/"), community_feed, False),
    "route:communities.CommunityPage:index_route": (C(lambda s: ""), community_page, False),
    # LibraryIndexPage routes.
    "route:library.LibraryIndexPage:index": (fixed("/library/"), everyone, True),
    "route:library.LibraryIndexPage:upload": (fixed("/library/decks/upload/"), uploaders, False),
    "route:library.LibraryIndexPage:deck": (lambda world, visibility: world.scenes[visibility].deck.get_absolute_url(), files, True),
    "route:library.LibraryIndexPage:download": (library(lambda s: f"decks/{s.deck.pk}/download/"), files, False),
    "route:library.LibraryIndexPage:thumbnail": (library(lambda s: f"decks/{s.deck.pk}/thumbnail/"), files, False),
    "route:library.LibraryIndexPage:preview": (library(lambda s: f"decks/{s.deck.pk}/previews/1/"), files, False),
    "route:library.LibraryIndexPage:retry": (library(lambda s: f"decks/{s.deck.pk}/retry/"), post_only, False),
    "route:library.LibraryIndexPage:submit_case_study": (fixed("/library/case-studies/submit/"), uploaders, False),
    "route:library.LibraryIndexPage:feed": (fixed("/library/feed/"), everyone, False),
    "route:library.LibraryIndexPage:index_route": (fixed("/library/"), everyone, True),
    # NewsletterIndexPage routes.
    "route:newsletters.NewsletterIndexPage:archive": (fixed("/newsletters/"), everyone, False),
    "route:newsletters.NewsletterIndexPage:feed": (fixed("/newsletters/feed/"), everyone, False),
    "route:newsletters.NewsletterIndexPage:index_route": (fixed("/newsletters/"), everyone, False),
    # Page types.
    "page:cop_site.HomePage": (fixed("/"), everyone, False),
    "page:communities.CommunityIndexPage": (fixed("/communities/"), everyone, False),
    "page:communities.CommunityPage": (C(lambda s: ""), community_page, False),
    "page:library.LibraryIndexPage": (fixed("/library/"), everyone, True),
    "page:library.CaseStudyPage": (lambda world, visibility: world.case_study.url, everyone, False),
    "page:newsletters.NewsletterIndexPage": (fixed("/newsletters/"), everyone, False),
    "page:newsletters.RoundupPage": (lambda world, visibility: world.scenes[visibility].roundup.url, readers, True),
    # Not a name of its own: the site-wide roundup lists each community's thread to those who may read it.
    "extra:site-wide roundup": (lambda world, visibility: world.site_roundup.url, everyone, True),
}

# Named patterns in scope whose view is third-party and which serve no content of their own.
THIRD_PARTY = {
    "wagtail_serve": "serves the page types above",
    "wagtailcore_login": "Wagtail's page-privacy sign-in; the project sets no page view restrictions",
    "wagtailcore_authenticate_with_password": "Wagtail's page-privacy password form; no view restrictions are set",
}

# Cells where a role is shown what it must not see: {(name, visibility, role): reason}. Each is a strict xfail.
KNOWN_LEAKS = {}


def test_every_url_has_a_matrix_entry():
    missing = [name for name in collected_names() if name not in EXPECTATIONS]
    assert not missing, f"URL names, routes or page types without an entry in EXPECTATIONS: {missing}"
    stale = [name for name in EXPECTATIONS if not name.startswith("extra:") and name not in collected_names()]
    assert not stale, f"EXPECTATIONS entries for names that no longer exist: {stale}"


def test_every_third_party_pattern_in_scope_is_accounted_for():
    unknown = sorted(set(third_party_named_patterns()) - set(THIRD_PARTY))
    assert not unknown, f"Named third-party URL patterns in scope with no reason given: {unknown}"


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole module, in a transaction rolled back at its end."""
    folder = tmp_path_factory.mktemp("url-matrix")
    with override_settings(MEDIA_ROOT=folder / "media", PRIVATE_MEDIA_ROOT=folder / "private-media"):
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


def _cases():
    for name in EXPECTATIONS:
        for visibility in VISIBILITIES:
            for role in ROLES:
                marks = []
                if (name, visibility, role) in KNOWN_LEAKS:
                    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[(name, visibility, role)])]
                yield pytest.param(name, visibility, role, id=f"{name}-{visibility}-{role}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize("name, visibility, role", list(_cases()))
def test_url_matrix(world, client, name, visibility, role):
    build, rule, shown = EXPECTATIONS[name]
    if role != "visitor":
        client.force_login(world.people[role])
    url = build(world, visibility)
    response = client.get(url)
    assert response.status_code in rule(role, visibility), f"{role} GET {url} ({visibility}): {response.status_code}"
    word = secret(visibility)
    if can_read(role, visibility):
        if shown and response.status_code == 200:
            assert word.encode() in read(response), f"{role} GET {url}: should show {visibility} content (the leak checks rely on it)"
        return
    # A refused role may see the word only where its own request echoes it (a search query, a URL slug).
    allowed_in_body = allowed_in_location = 0
    if word in url:
        echo = client.get(url.replace(word, NOWHERE))
        allowed_in_body = read(echo).count(NOWHERE.encode())
        allowed_in_location = echo.get("Location", "").count(NOWHERE)
    assert response.get("Location", "").count(word) <= allowed_in_location, f"{role} GET {url}: redirect names {visibility} content"
    assert read(response).count(word.encode()) <= allowed_in_body, f"{role} GET {url}: shows {visibility} content"


NOWHERE = secret("nowhere")


def read(response):
    return b"".join(response.streaming_content) if response.streaming else response.content
