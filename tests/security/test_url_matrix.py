"""Every URL of the project, read (GET) by every role, in every visibility (see ``matrix_rules``).

The URL names (our admin screens included), RoutablePage routes and page types are read from the project itself:
a new one without an entry in EXPECTATIONS fails ``test_every_url_has_a_matrix_entry``. Each entry says how to
build a concrete URL from the world (see matrix_support) and which statuses each role may get. Whatever the status,
a secret word the role may not read must not appear in the response, nor in a redirect's location.

A URL the same in every scene is requested once per role and checked against every scene's secret; a URL inside
a scene (its community, thread, deck, roundup...) once per role and scene. What the state-changing URLs do when
POSTed is test_action_matrix's; search counts and suggestions, test_search_matrix's; emails, test_delivery_matrix's.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from communities.models import ModerationLog, Notification
from tests.security.matrix_rules import (
    ADMIN_USERS, COMMUNITY_MEMBERS, LOGIN, MODERATORS, POSTERS, READERS, ROLES, VISIBILITIES, can_read, reads_forum,
    refusal, secret, sees_community,
)
from tests.security.matrix_support import (
    COMMUNITY_SCENES, AnyScene, C, all_named_url_patterns, build_path, collected_names, in_library, in_scene,
    is_per_scene, read, sign_in, third_party_named_patterns, thread_path, world_fixture,
)

world = world_fixture()


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


# Rules: (role, visibility) -> the set of statuses allowed. A URL the same in every scene gets visibility None.

def everyone(role, visibility):
    return {200}


def refused(role, visibility):
    status = refusal(role, visibility)
    return {302 if status == LOGIN else status}


def community_page(role, visibility):
    """A community's about page: shown to all unless it is private (or not live)."""
    return {200} if sees_community(role, visibility) else {404}


def readers(role, visibility):
    """The forum list, the community's library and roundups: for those who read its discussions."""
    return {200} if reads_forum(role, visibility) else refused(role, visibility)


def thread_readers(role, visibility):
    """A thread: a hidden one is for the community's moderators; anyone else is told it does not exist."""
    if visibility == "hidden" and role not in MODERATORS:
        return {404}
    return readers(role, visibility)


def its_members(role, visibility):
    """The members list: for the community's members (and staff) even when the community is public."""
    return {200} if role in READERS and sees_community(role, visibility) else refused(role, visibility)


def files(role, visibility):
    """A deck's page and file: a refused role is told nothing exists. An unpublished community's deck: staff only."""
    if visibility == "draft":
        return {200} if role == "staff" else {404}
    return {200} if reads_forum(role, visibility) else {404}


def images(role, visibility):
    """A deck's thumbnail and slide previews: as its file, and none yet for the hidden scene's unprocessed deck."""
    return {404} if visibility == "hidden" else files(role, visibility)


def moderators(role, visibility):
    return {200} if role in MODERATORS and sees_community(role, visibility) else refused(role, visibility)


def post_moderators(role, visibility):
    """A post's history: moderators; in a hidden thread, anyone else signed in is told the post does not exist."""
    if visibility == "hidden" and role not in MODERATORS | {"visitor"}:
        return {404}
    return moderators(role, visibility)


def posters(role, visibility):
    """Forms to write in a community: for its verified members and staff."""
    return {200} if role in POSTERS and sees_community(role, visibility) else refused(role, visibility)


def permalink(role, visibility):
    """A post's permalink redirects to its place in the thread, for those who may read the thread."""
    if visibility == "hidden":
        return {302} if role in MODERATORS else {404}
    return {302} if reads_forum(role, visibility) else refused(role, visibility)


def community_feed(role, visibility):
    """RSS is public: a members-only or private community has no feed (a reader's app cannot sign in)."""
    return {200} if visibility in {"public", "hidden"} else refused(role, visibility)


def public_feed(role, visibility):
    """A community's own roundup feed: only a public (live) community has one; for any other, 404 to all."""
    return {200} if visibility in {"public", "hidden"} else {404}


def signed_in(role, visibility):
    return {302} if role == "visitor" else {200}


def signed_in_not_found(role, visibility):
    return {302} if role == "visitor" else {404}


def visitors_only(role, visibility):
    """Signing up is for visitors: anyone signed in is sent on to their own home page."""
    return {200} if role == "visitor" else {302}


def post_only(role, visibility):
    """An action answers a GET with 405 before it looks at anything, so it never shows nor does anything."""
    return {405}


def community_post_only(role, visibility):
    """As post_only; in an unpublished community, Wagtail answers 404 before the view is reached."""
    return {404} if visibility == "draft" else post_only(role, visibility)


def join_form(role, visibility):
    """Joining: those who may not see the community get 404, a visitor signs in, a member already in is refused,
    and a private community is joined by invitation only."""
    if not sees_community(role, visibility):
        return {404}
    if role == "visitor":
        return {302}
    if role in COMMUNITY_MEMBERS or visibility == "private":
        return {403}
    return {200}


def uploaders(role, visibility):
    """Sharing a deck: verified members of some community, facilitators (the public library) and staff. An editor
    belongs to no community, so has nowhere on the site to share one."""
    if role == "visitor":
        return {302}
    return {403} if role in {"unverified", "editor"} else {200}


def case_study_authors(role, visibility):
    """Submitting a case study: anyone signed in with a verified email address."""
    if role == "visitor":
        return {302}
    return {403} if role == "unverified" else {200}


def roundup_readers(role, visibility):
    """A roundup follows its community; an unpublished one is 404 on the site for everyone."""
    return {404} if visibility == "draft" else readers(role, visibility)


def published_case_study(role, visibility):
    """Published case studies are public; one under review or in draft is not live: 404 for everyone."""
    return {200} if visibility in COMMUNITY_SCENES else {404}


def admin_users(role, visibility):
    """An admin screen for everyone who may open the admin; the others are sent to the admin's sign-in."""
    return {200} if role in ADMIN_USERS else {302}


def admin_compilers(role, visibility):
    """The Roundups screens: for facilitators (staff too, once they may open the admin); an editor compiles none."""
    return {200} if role in {"facilitator", "other_facilitator"} else {302}


def scene_compilers(role, visibility):
    """One roundup's screens: for the facilitators of its community."""
    return {200} if role == "facilitator" else {302}


def model_admins(role, visibility):
    """Screens behind Wagtail model permissions (memberships, join requests, flags, the log): none of the roles
    has them (superusers do), so every role is sent away: to the admin's home, or to its sign-in."""
    return {302}


def chooser_readers(role, visibility):
    """A thread chosen in the admin (a roundup item): admin users who may read it; a hidden one is never offered."""
    if role not in ADMIN_USERS:
        return {302}
    return {200} if visibility in COMMUNITY_SCENES and can_read(role, visibility) else {404}


def deck_chooser_readers(role, visibility):
    """A deck chosen in the admin: admin users who may see it (the hidden scene's deck is a public one)."""
    if role not in ADMIN_USERS:
        return {302}
    if visibility == "draft":
        return {404}
    return {200} if reads_forum(role, visibility) else {404}


# URL builders (see also matrix_support's)

def search_for(path):
    return lambda world, visibility: f"{path}?q={secret(visibility)}"


def chosen_threads(world):
    return "/admin/thread-chooser/chosen-multiple/?" + "&".join(f"id={s.thread.pk}" for s in world.scenes.values())


def chosen_decks(world):
    return "/admin/deck-chooser/chosen-multiple/?" + "&".join(f"id={s.deck.pk}" for s in world.scenes.values())


def members_notification(world, visibility):
    """The member's notification of the facilitator's reply in the scene's thread."""
    notification = Notification.objects.get(recipient=world.people["member"], post=world.scenes[visibility].flag.post)
    return f"/notifications/{notification.pk}/"


def view_draft(page):
    """Wagtail's "view draft" of one of the scene's pages."""
    return in_scene(lambda s: f"/admin/pages/{page(s).pk}/view_draft/")


def draft_editors(editors):
    """A draft in the admin: for those who may edit it; the others are sent to the admin's home or sign-in."""
    return lambda role, visibility: {200} if role in editors else {302}


def public_admin(path):
    """An admin URL about one of the public scene's rows: {membership}, {flag}, {log} or {deck}."""
    def build(world):
        scene = world.scenes["public"]
        return "/admin/" + path.format(membership=scene.community.memberships.first().pk, flag=scene.flag.pk,
                                       log=ModerationLog.objects.first().pk, deck=scene.deck.pk)
    return AnyScene(build)


SHOWN = frozenset(COMMUNITY_SCENES)  # where a reader finds the scene's secret on pages that list its content
SHOWN_WITH_HIDDEN = SHOWN | {"hidden"}  # ... and where moderators also find the hidden thread, marked as hidden


@dataclass(frozen=True)
class Entry:
    url: object  # a path, an AnyScene, or (world, visibility) -> the path in that scene
    rule: Callable
    shown: frozenset = frozenset()  # scenes whose secret a role that may read it must find in a 200 answer
    visibilities: tuple = tuple(VISIBILITIES)  # the scenes a per-scene URL exists in
    sees: Callable = can_read  # (role, visibility) -> whether the role may see the scene's secret here
    private_file: bool = False  # a file a visitor may not fetch must say no shared cache may keep it

    @property
    def per_scene(self):
        return is_per_scene(self.url)

    def path(self, world, visibility):
        return build_path(self.url, world, visibility)


EXPECTATIONS = {
    # Django URL names.
    "url:profile_detail": Entry(AnyScene(lambda world: f"/members/{world.people['member'].username}/"), everyone),
    "url:profile_edit": Entry("/accounts/profile/", signed_in),
    "url:account_signup": Entry("/accounts/signup/", visitors_only),  # ours: cop_site.accounts.SignupView
    "url:notification_list": Entry("/notifications/", signed_in),
    "url:notification_open": Entry("/notifications/999999/", signed_in_not_found),
    "url:member_home": Entry("/my/", signed_in),
    "url:roundup_preferences": Entry("/newsletters/preferences/", signed_in),
    "url:roundup_unsubscribe": Entry("/newsletters/unsubscribe/not-a-token/", lambda role, visibility: {400}),
    "url:search": Entry(search_for("/search/"), everyone, SHOWN),
    "url:search_autocomplete": Entry(search_for("/search/autocomplete/"), everyone, SHOWN),
    "url:sitemap": Entry("/sitemap.xml", everyone),
    # Our admin screens (Wagtail's own admin views are Wagtail's to test).
    "url:roundups:index": Entry("/admin/newsletters/", admin_compilers),
    "url:roundups:compile": Entry("/admin/newsletters/compile/", admin_compilers),
    "url:roundups:send_test": Entry(in_scene(lambda s: f"/admin/newsletters/{s.roundup.pk}/send-test/"), scene_compilers),
    "url:roundups:deliveries": Entry(in_scene(lambda s: f"/admin/newsletters/{s.roundup.pk}/deliveries/"), scene_compilers),
    "url:thread_chooser:choose": Entry("/admin/thread-chooser/", admin_users, SHOWN),
    "url:thread_chooser:choose_results": Entry("/admin/thread-chooser/results/", admin_users, SHOWN),
    "url:thread_chooser:chosen": Entry(in_scene(lambda s: f"/admin/thread-chooser/chosen/{s.thread.pk}/"), chooser_readers, SHOWN),
    "url:thread_chooser:chosen_multiple": Entry(AnyScene(chosen_threads), admin_users, SHOWN),
    "url:deck_chooser:choose": Entry("/admin/deck-chooser/", admin_users, SHOWN),
    "url:deck_chooser:choose_results": Entry("/admin/deck-chooser/results/", admin_users, SHOWN),
    "url:deck_chooser:chosen": Entry(in_scene(lambda s: f"/admin/deck-chooser/chosen/{s.deck.pk}/"), deck_chooser_readers, SHOWN),
    "url:deck_chooser:chosen_multiple": Entry(AnyScene(chosen_decks), admin_users, SHOWN),
    "url:community_memberships:index": Entry("/admin/communities/memberships/", model_admins),
    "url:community_memberships:index_results": Entry("/admin/communities/memberships/results/", model_admins),
    "url:community_memberships:add": Entry("/admin/communities/memberships/new/", model_admins),
    "url:community_memberships:edit": Entry(public_admin("communities/memberships/edit/{membership}/"), model_admins),
    "url:community_memberships:delete": Entry(public_admin("communities/memberships/delete/{membership}/"), model_admins),
    "url:community_join_requests:index": Entry("/admin/communities/join-requests/", model_admins),
    "url:community_join_requests:index_results": Entry("/admin/communities/join-requests/results/", model_admins),
    "url:community_join_requests:approve": Entry(public_admin("communities/join-requests/approve/{membership}/"), model_admins),
    "url:community_join_requests:decline": Entry(public_admin("communities/join-requests/decline/{membership}/"), model_admins),
    "url:community_flags:index": Entry("/admin/communities/flags/", model_admins),
    "url:community_flags:index_results": Entry("/admin/communities/flags/results/", model_admins),
    "url:community_flags:resolve": Entry(public_admin("communities/flags/resolve/{flag}/"), model_admins),
    "url:community_moderation_log:index": Entry("/admin/communities/moderation-log/", model_admins),
    "url:community_moderation_log:index_results": Entry("/admin/communities/moderation-log/results/", model_admins),
    # Wagtail's generic views under our admin screens, on the public scene's rows: the same model permissions.
    "url:community_memberships:history": Entry(public_admin("communities/memberships/history/{membership}/"), model_admins),
    "url:community_memberships:history_results": Entry(
        public_admin("communities/memberships/history-results/{membership}/"), model_admins),
    "url:community_memberships:usage": Entry(public_admin("communities/memberships/usage/{membership}/"), model_admins),
    "url:community_flags:inspect": Entry(public_admin("communities/flags/inspect/{flag}/"), model_admins),
    "url:community_moderation_log:inspect": Entry(public_admin("communities/moderation-log/inspect/{log}/"), model_admins),
    "url:slide_decks:index": Entry("/admin/library/decks/", model_admins),
    "url:slide_decks:index_results": Entry("/admin/library/decks/results/", model_admins),
    "url:slide_decks:add": Entry("/admin/library/decks/new/", model_admins),
    "url:slide_decks:edit": Entry(public_admin("library/decks/edit/{deck}/"), model_admins),
    "url:slide_decks:copy": Entry(public_admin("library/decks/copy/{deck}/"), model_admins),
    "url:slide_decks:delete": Entry(public_admin("library/decks/delete/{deck}/"), model_admins),
    "url:slide_decks:history": Entry(public_admin("library/decks/history/{deck}/"), model_admins),
    "url:slide_decks:history_results": Entry(public_admin("library/decks/history-results/{deck}/"), model_admins),
    "url:slide_decks:inspect": Entry(public_admin("library/decks/inspect/{deck}/"), model_admins),
    "url:slide_decks:usage": Entry(public_admin("library/decks/usage/{deck}/"), model_admins),
    "url:thread_chooser:create": Entry("/admin/thread-chooser/create/", model_admins),
    "url:deck_chooser:create": Entry("/admin/deck-chooser/create/", model_admins),
    # CommunityPage routes.
    "route:communities.CommunityPage:community_home": Entry(C(lambda s: ""), community_page),
    "route:communities.CommunityPage:join": Entry(C(lambda s: "join/"), join_form),
    "route:communities.CommunityPage:leave": Entry(C(lambda s: "leave/"), community_post_only),
    "route:communities.CommunityPage:library": Entry(C(lambda s: "library/"), readers, SHOWN),
    "route:communities.CommunityPage:members": Entry(C(lambda s: "members/"), its_members),
    "route:communities.CommunityPage:join_requests": Entry(C(lambda s: "requests/"), moderators),
    "route:communities.CommunityPage:forum": Entry(C(lambda s: "forum/"), readers, SHOWN_WITH_HIDDEN),
    "route:communities.CommunityPage:new_thread": Entry(C(lambda s: "forum/new/"), posters),
    "route:communities.CommunityPage:watch_forum": Entry(C(lambda s: "forum/watch/"), community_post_only),
    "route:communities.CommunityPage:thread": Entry(C(thread_path), thread_readers, SHOWN_WITH_HIDDEN),
    "route:communities.CommunityPage:thread_action": Entry(C(lambda s: f"forum/{s.thread.pk}/pin/"), community_post_only),
    "route:communities.CommunityPage:post_permalink": Entry(C(lambda s: f"forum/posts/{s.opening.pk}/"), permalink),
    "route:communities.CommunityPage:post_action": Entry(C(lambda s: f"forum/posts/{s.opening.pk}/history/"), post_moderators),
    "route:communities.CommunityPage:flag_queue": Entry(C(lambda s: "flags/"), moderators),
    "route:communities.CommunityPage:moderation_log": Entry(C(lambda s: "log/"), moderators),
    "route:communities.CommunityPage:dashboard": Entry(C(lambda s: "dashboard/"), moderators, SHOWN),
    "route:communities.CommunityPage:feed": Entry(C(lambda s: "feed/"), community_feed),
    "route:communities.CommunityPage:index_route": Entry(C(lambda s: ""), community_page),
    # LibraryIndexPage routes.
    "route:library.LibraryIndexPage:index": Entry("/library/", everyone, SHOWN),
    "route:library.LibraryIndexPage:upload": Entry("/library/decks/upload/", uploaders),
    "route:library.LibraryIndexPage:deck": Entry(in_scene(lambda s: s.deck.get_absolute_url()), files, SHOWN),
    "route:library.LibraryIndexPage:download": Entry(
        in_library(lambda s: f"decks/{s.deck.pk}/download/"), files, private_file=True),
    "route:library.LibraryIndexPage:thumbnail": Entry(
        in_library(lambda s: f"decks/{s.deck.pk}/thumbnail/"), images, private_file=True),
    "route:library.LibraryIndexPage:preview": Entry(
        in_library(lambda s: f"decks/{s.deck.pk}/previews/1/"), images, private_file=True),
    "route:library.LibraryIndexPage:retry": Entry(in_library(lambda s: f"decks/{s.deck.pk}/retry/"), post_only),
    "route:library.LibraryIndexPage:submit_case_study": Entry("/library/case-studies/submit/", case_study_authors),
    "route:library.LibraryIndexPage:feed": Entry("/library/feed/", everyone),
    "route:library.LibraryIndexPage:index_route": Entry("/library/", everyone, SHOWN),
    # NewsletterIndexPage routes.
    "route:newsletters.NewsletterIndexPage:archive": Entry("/newsletters/", everyone),
    "route:newsletters.NewsletterIndexPage:feed": Entry("/newsletters/feed/", everyone),
    "route:newsletters.NewsletterIndexPage:index_route": Entry("/newsletters/", everyone),
    # Page types.
    "page:cop_site.HomePage": Entry("/", everyone),
    "page:communities.CommunityIndexPage": Entry("/communities/", everyone),
    "page:communities.CommunityPage": Entry(C(lambda s: ""), community_page),
    "page:library.LibraryIndexPage": Entry("/library/", everyone, SHOWN),
    "page:library.CaseStudyPage": Entry(in_scene(lambda s: s.case_study.url), published_case_study),
    "page:newsletters.NewsletterIndexPage": Entry("/newsletters/", everyone),
    "page:newsletters.RoundupPage": Entry(in_scene(lambda s: s.roundup.url), roundup_readers, SHOWN),
    # Not names of their own.
    # The site-wide roundup lists each scene's thread to those who may read it (a hidden one to nobody).
    "extra:site-wide roundup": Entry(AnyScene(lambda world: world.site_roundup.url), everyone, SHOWN),
    # Drafts are read in the admin only, by those who may edit them: Wagtail's editors (the Editors group's page
    # permissions), and a roundup's compilers; everyone else is sent away (see draft_editors).
    "extra:draft roundup, in the admin": Entry(
        view_draft(lambda s: s.roundup), draft_editors({"editor", "facilitator"}), frozenset({"draft"}), ("draft",),
        sees=lambda role, visibility: role in {"editor", "facilitator"}),
    "extra:draft case study, in the admin": Entry(
        view_draft(lambda s: s.case_study), draft_editors({"editor"}), frozenset({"draft"}), ("draft",),
        sees=lambda role, visibility: role == "editor"),
    "extra:case study under review, in the admin": Entry(
        view_draft(lambda s: s.case_study), draft_editors({"editor"}), frozenset({"hidden"}), ("hidden",),
        sees=lambda role, visibility: role in {"editor", "facilitator", "staff"}),
    # The community's own view answers its preview, and admits only staff to a community that is not live (see
    # communities.permissions.can_see_community): an editor is told it does not exist. Nobody reads it.
    "extra:unpublished community, in the admin": Entry(
        view_draft(lambda s: s.community), lambda role, visibility: {404} if role == "editor" else {302},
        visibilities=("draft",)),
    # The member's notification of the facilitator's reply: it leads to the post while they may read it, else back
    # to the list (a hidden thread, an unpublished community); it is nobody else's to open.
    "extra:a member's notification of a reply": Entry(
        members_notification, lambda role, visibility: {302} if role in {"visitor", "member"} else {404}),
    # Filters and choices that name a scene's community or its content.
    "extra:library filtered by a scene's community": Entry(
        in_scene(lambda s: f"/library/?community={s.community.slug}"), everyone, SHOWN),
    "extra:roundup archive of a scene's community": Entry(
        in_scene(lambda s: f"/newsletters/?community={s.community.slug}"), everyone),
    "extra:roundup feed of a scene's community": Entry(
        in_scene(lambda s: f"/newsletters/feed/?community={s.community.slug}"), public_feed),
    "extra:compile screen, a scene's month at a glance": Entry(
        in_scene(lambda s: f"/admin/newsletters/compile/?community={s.community.pk}"), scene_compilers),
    "extra:thread chooser, searched": Entry("/admin/thread-chooser/results/?q=quillback", admin_users, SHOWN),
    "extra:deck chooser, searched": Entry("/admin/deck-chooser/results/?q=quillback", admin_users, SHOWN),
    # A visible thread with a hidden post: its moderators read the post, marked as hidden; nobody else does.
    "extra:thread with a hidden post": Entry(
        C(lambda s: f"forum/{s.post_thread.pk}-{s.post_thread.slug}/"), readers, frozenset({"hidden"}), ("hidden",)),
}

# Named patterns in scope whose view is third-party and which serve no content of their own.
THIRD_PARTY = {
    "wagtail_serve": "serves the page types above",
    "wagtailcore_login": "Wagtail's page-privacy sign-in; the project sets no page view restrictions",
    "wagtailcore_authenticate_with_password": "Wagtail's page-privacy password form; no view restrictions are set",
}

# Cells where a role is shown what it must not see: {(name, visibility or None, role): reason}. Each is a strict xfail.
KNOWN_LEAKS = {}


def test_every_url_has_a_matrix_entry():
    missing = [name for name in collected_names() if name not in EXPECTATIONS]
    assert not missing, f"URL names, routes or page types without an entry in EXPECTATIONS: {missing}"
    stale = [name for name in EXPECTATIONS if not name.startswith("extra:") and name not in collected_names()]
    assert not stale, f"EXPECTATIONS entries for names that no longer exist: {stale}"


def test_every_third_party_pattern_in_scope_is_accounted_for():
    unknown = sorted(set(third_party_named_patterns()) - set(THIRD_PARTY))
    assert not unknown, f"Named third-party URL patterns in scope with no reason given: {unknown}"


def test_the_wagtail_api_is_not_enabled():
    """Not enabled: if it is, its endpoints serve pages (drafts and private communities' pages among them) and
    need entries of their own here."""
    api_apps = [app for app in settings.INSTALLED_APPS if app.startswith(("wagtail.api", "rest_framework"))]
    api_urls = [name for name, (route, module) in all_named_url_patterns().items()
                if module.startswith(("wagtail.api", "rest_framework"))]
    assert not api_apps and not api_urls, f"The Wagtail API is enabled ({api_apps}, {api_urls}): add it to the matrix"
    assert "api/" not in {str(pattern.pattern) for pattern in get_resolver().url_patterns}


def _cells():
    for name, entry in EXPECTATIONS.items():
        for visibility in (entry.visibilities if entry.per_scene else [None]):
            for role in ROLES:
                marks = []
                if (name, visibility, role) in KNOWN_LEAKS:
                    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[(name, visibility, role)])]
                yield pytest.param(name, visibility, role, id=f"{name}-{visibility or 'any'}-{role}", marks=marks)


_responses = {}


def fetch(world, role, url):
    """(status, body, location, cache control) of a GET; the same for every test, since each one starts from the
    same world."""
    if (role, url) not in _responses:
        client = Client()
        sign_in(client, world, role)
        response = client.get(url)
        _responses[(role, url)] = (response.status_code, read(response), response.get("Location", ""),
                                   response.get("Cache-Control", ""))
    return _responses[(role, url)]


NOWHERE = secret("nowhere")


@pytest.mark.django_db
@pytest.mark.parametrize("name, visibility, role", list(_cells()))
def test_url_matrix(world, name, visibility, role):
    entry = EXPECTATIONS[name]
    url = entry.path(world, visibility)
    status, body, location, cache_control = fetch(world, role, url)
    assert status in entry.rule(role, visibility), f"{role} GET {url} ({visibility or 'any scene'}): {status}"
    for scene in ([visibility] if visibility else VISIBILITIES):
        word = secret(scene)
        if entry.sees(role, scene):
            if scene in entry.shown and status == 200:
                assert word.encode() in body, f"{role} GET {url}: should show {scene} content (the leak checks rely on it)"
            continue
        # A refused role may see the word only where its own request echoes it (a search query, a URL slug).
        allowed_in_body = allowed_in_location = 0
        if word in url:
            echo_status, echo_body, echo_location, _ = fetch(world, role, url.replace(word, NOWHERE))
            allowed_in_body, allowed_in_location = echo_body.count(NOWHERE.encode()), echo_location.count(NOWHERE)
        assert location.count(word) <= allowed_in_location, f"{role} GET {url}: redirect names {scene} content"
        assert body.count(word.encode()) <= allowed_in_body, f"{role} GET {url}: shows {scene} content"
    if entry.private_file and status == 200 and entry.rule("visitor", visibility) != {200}:
        assert {"private", "no-store"} <= {part.strip() for part in cache_control.split(",")}, (
            f"{role} GET {url}: a shared cache may keep it ({cache_control!r})")
