"""Every state-changing URL, POSTed with valid data by every role in every visibility (see ``matrix_rules``).

A role the rules allow succeeds (200 or a redirect) and the change happened; any other gets its refusal (a sign-in
redirect, the admin's "permission denied" redirect, 403 or 404) or is told why not, and NOTHING changed: the request
wrote no row to any table (see ``matrix_support.recorded_writes``) and sent no email. Whatever the outcome short of
success, the answer shows no secret word the role may not read.

ACTIONS is keyed like test_url_matrix's EXPECTATIONS, with the action's variant after the name where one URL does
several things (``...:thread_action:pin``). ``test_every_url_that_accepts_a_post_is_an_action`` POSTs every URL of
the GET matrix as a superuser: one that does not answer 405 must be an action here, or answer a POST exactly as it
answers a GET (POST_AS_GET). Each cell runs in a savepoint of its own, on the module's one world.
"""

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from communities import services
from communities.models import Flag, Membership, Notification, Post, Thread, Watch
from communities.views import forum
from library.models import CaseStudyPage, SlideDeck, Topic
from newsletters.compile import current_month
from newsletters.models import Delivery, RoundupPage, Subscription
from newsletters.subscriptions import unsubscribe_token
from tests.factories import create_member
from tests.library import files
from tests.library.test_case_studies import submission
from tests.security.matrix_rules import (
    ADMIN_USERS, COMMUNITY_MEMBERS, LOGIN, MODERATORS, POSTERS, READERS, ROLES, VISIBILITIES, can_read, reads_forum,
    refusal, secret, sees_community,
)
from tests.security.matrix_support import (
    AnyScene, C, build_path, in_library, in_scene, is_per_scene, read, recorded_writes, sign_in, world_fixture,
)
from tests.security.test_url_matrix import EXPECTATIONS

world = world_fixture()


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


# Outcomes: DONE (the change happened), NOTHING (answered, nothing changed), or a refusal.
DONE = "done"
NOTHING = "nothing"
AWAY = "away"  # the admin's "permission denied": a redirect to the admin's home
# LOGIN (matrix_rules): a redirect to a sign-in page; 403 and 404 are statuses.


# Rules: (role, visibility) -> outcome. Fixed actions (the same in every scene) get visibility None.

def in_forum(role, visibility, gate=None, hidden_thread=False):
    """A community action: 404 in an unpublished community; then the view asks whether the role reads the forum
    (signed in), is in ``gate``, and, for the hidden scene's thread, is one of its moderators."""
    if visibility == "draft":
        return 404
    if role == "visitor" or not reads_forum(role, visibility) or (gate is not None and role not in gate):
        return refusal(role, visibility)
    if hidden_thread and visibility == "hidden" and role not in MODERATORS:
        return 404
    return DONE


def thread_readers(role, visibility):
    """Watching a thread: whoever may read it."""
    return in_forum(role, visibility, hidden_thread=True)


def thread_posters(role, visibility):
    return in_forum(role, visibility, gate=POSTERS, hidden_thread=True)


def thread_moderators(role, visibility):
    return in_forum(role, visibility, gate=MODERATORS)


def forum_readers(role, visibility):
    return in_forum(role, visibility)


def moderators_desk(role, visibility):
    """Join requests and the flag queue: moderators only, whether or not others read the forum."""
    if visibility == "draft":
        return 404
    return DONE if role in MODERATORS and sees_community(role, visibility) else refusal(role, visibility)


def community_posters(role, visibility):
    """Starting a thread: the community's verified members and staff."""
    if visibility == "draft":
        return 404
    return DONE if role in POSTERS and sees_community(role, visibility) else refusal(role, visibility)


def post_rule(allowed):
    """An action on a post: the forum's readers reach the post (in a hidden thread, its moderators only); then
    ``allowed`` decides, and anyone else is refused with 403."""
    def rule(role, visibility):
        reached = in_forum(role, visibility, hidden_thread=True)
        if reached != DONE:
            return reached
        return DONE if role in allowed else 403
    return rule


def post_history(role, visibility):
    """A post's earlier versions answer a POST as a GET: for moderators, and nothing changes."""
    outcome = post_rule(MODERATORS)(role, visibility)
    return NOTHING if outcome == DONE else outcome


def joiners(role, visibility):
    """Joining (or asking to): signed-in people who see the community and are not in it; private is by invitation."""
    if not sees_community(role, visibility):
        return 404
    if role == "visitor":
        return LOGIN
    return 403 if role in COMMUNITY_MEMBERS or visibility == "private" else DONE


def invited(role, visibility):
    """Accepting an invitation: those invited (everyone signed in and not a member was, before the POST: an
    invitation makes a private community visible); members have none to accept."""
    if visibility == "draft":
        return 404
    if role == "visitor":
        return LOGIN if sees_community(role, visibility) else 404
    return 403 if role in COMMUNITY_MEMBERS else DONE


def uninvited(role, visibility):
    """Accepting an invitation nobody sent: refused, and a private community stays invisible."""
    if not sees_community(role, visibility):
        return 404
    return LOGIN if role == "visitor" else 403


def leavers(role, visibility):
    """Leaving: the community's members; anyone else signed in is told they are not a member."""
    if visibility == "draft" or not sees_community(role, visibility):
        return 404
    if role == "visitor":
        return LOGIN
    return DONE if role in COMMUNITY_MEMBERS else NOTHING


def member_list_moderators(role, visibility):
    """Removing and inviting members: moderators; a member who POSTs is shown the list, and nothing changes."""
    if visibility == "draft":
        return 404
    if role in MODERATORS and sees_community(role, visibility):
        return DONE
    if role in READERS and sees_community(role, visibility):
        return NOTHING
    return refusal(role, visibility)


def deck_uploaders(role, visibility):
    """Sharing a deck with the scene's community: its verified members and staff, while it is live; a form that
    names a community the role may not share with is shown again, and nothing is saved."""
    if role == "visitor":
        return LOGIN
    if role in {"unverified", "editor"}:
        return 403
    if visibility == "draft" or role not in POSTERS:
        return NOTHING
    return DONE


def deck_managers(role, visibility):
    """Retrying a deck's processing: its uploader, the community's moderators and staff, among those who see it."""
    if visibility == "draft":
        return DONE if role == "staff" else 404
    if not reads_forum(role, visibility):
        return 404
    return DONE if role in {"member"} | MODERATORS else 403


def case_study_authors(role, visibility):
    """Submitting a case study naming the scene's community: verified members of that (live) community."""
    if role == "visitor":
        return LOGIN
    if role == "unverified":
        return 403
    return DONE if role in {"member", "facilitator"} and visibility != "draft" else NOTHING


def roundup_takers(role, visibility):
    """Choosing the scene's roundup on the preferences page: it is offered to the (live) community's members."""
    if role == "visitor":
        return LOGIN
    return DONE if role in COMMUNITY_MEMBERS and visibility != "draft" else NOTHING


def roundup_page_subscribers(role, visibility):
    """"Email me this roundup" on its page: readers of the roundup who may take it (its members, or anyone for a
    public community's); a draft is 404."""
    if visibility == "draft":
        return 404
    if not reads_forum(role, visibility):
        return refusal(role, visibility)
    if role == "visitor":
        return LOGIN
    if visibility in {"public", "hidden"} or role in COMMUNITY_MEMBERS:
        return DONE
    return NOTHING


def signed_in(role, visibility):
    return LOGIN if role == "visitor" else DONE


def anyone(role, visibility):
    return DONE


def visitors(role, visibility):
    """Signing up: someone signed in is sent on (allauth), and nothing is made."""
    return DONE if role == "visitor" else NOTHING


def nobody_bad_token(role, visibility):
    return 400


def admin_refusal(role):
    return AWAY if role in ADMIN_USERS else LOGIN


def compilers(role, visibility):
    """Compiling the scene's community's roundup: its facilitators (staff, once they may open the admin)."""
    return DONE if role == "facilitator" else admin_refusal(role)


def model_admins(role, visibility):
    """Wagtail model-permission screens: none of the roles has the permissions (superusers do)."""
    return admin_refusal(role)


# What an allowed role finds changed: (world, scene, user) -> bool.

def thread(scene):
    return Thread.objects.get(pk=scene.thread.pk)


def post(pk):
    return Post.objects.get(pk=pk)


def watching(user, **target):
    return Watch.objects.filter(user=user, **target).exists()


def membership_status(user, community):
    return Membership.objects.filter(user=user, community=community).values_list("status", flat=True).first()


def applicant(scene):
    """The outsider, asking to join the scene's community (see ``pending_applicant``)."""
    return Membership.objects.get(user__username="olive", community=scene.community)


# Preparations, run in the cell's savepoint before the POST: (world, scene, user) -> None.

def pending_applicant(world, scene, user):
    Membership.objects.update_or_create(user=world.people["outsider"], community=scene.community,
                                        defaults={"status": Membership.Status.PENDING})


def invite_if_not_in(world, scene, user):
    if user is not None and not Membership.objects.filter(user=user, community=scene.community).exists():
        Membership.objects.create(user=user, community=scene.community, status=Membership.Status.INVITED)


def set_thread(field):
    return lambda world, scene, user: Thread.objects.filter(pk=scene.thread.pk).update(**{field: True})


def hide_reply(world, scene, user):
    Post.objects.filter(pk=scene.flag.post_id).update(is_hidden=True)


def watch_thread(world, scene, user):
    if user is not None:
        Watch.objects.get_or_create(user=user, thread=scene.thread)


def watch_forum(world, scene, user):
    if user is not None:
        Watch.objects.get_or_create(user=user, community=scene.community)


def unread_notification(world, scene, user):
    if user is not None:
        Notification.objects.update_or_create(recipient=user, post=scene.flag.post, defaults={
            "kind": Notification.Kind.REPLY, "community": scene.community, "read_at": None})


def failed_delivery(world, scene, user):
    member = world.people["member"]
    Delivery.objects.create(roundup=scene.roundup, user=member, email=member.email, status=Delivery.Status.FAILED,
                            attempts=1, next_attempt_at=timezone.now())


def member_subscribed(world, scene, user):
    Subscription.objects.create(user=world.people["member"], community=scene.community, is_active=True,
                                consent_source=Subscription.Source.ADMIN)


# Data: (world, scene, user) -> the POST's fields.

def move_target(world, scene):
    """Another of the facilitator's communities."""
    return world.scenes["members" if scene.visibility == "public" else "public"].community


def upload_data(world, scene, user):
    return {"title": "Resolution, not just response", "description": "Slides.", "where": str(scene.community.pk),
            "event": "Contact Centre Managers' Forum", "presented_on": "2025-10-14",
            "topics": [Topic.objects.get(slug="contact-centres").pk], "file": files.make_pdf()}


def compile_data(world, scene, user):
    return {"community": str(scene.community.pk), "month": f"{current_month():%Y-%m}"}


def compiled(world, scene, user):
    """The month's draft is compiled, without the thread a facilitator hid."""
    roundup = RoundupPage.objects.filter(community=scene.community, month=current_month()).first()
    return roundup is not None and roundup.compiled_at is not None and f"thread:{scene.thread.pk}" not in (
        roundup.compiled_keys if scene.visibility == "hidden" else {})


@dataclass(frozen=True)
class Action:
    url: object  # as in matrix_support.build_path
    rule: Callable
    done: Callable = None  # (world, scene, user) -> whether the change happened
    data: Callable = lambda world, scene, user: {}
    prepare: Callable = None


def every_scene(path):
    """A URL the same in every scene, POSTed with each scene's data."""
    return lambda world, visibility: path


def T(action):
    """A thread action on the scene's thread."""
    return C(lambda s: f"forum/{s.thread.pk}/{action}/")


def P(action, which="opening"):
    """A post action on the scene's opening post ("opening") or the facilitator's reply ("reply")."""
    return C(lambda s: f"forum/posts/{(s.opening.pk if which == 'opening' else s.flag.post_id)}/{action}/")


THREAD_FIELD_ACTIONS = {
    action: Action(T(action), thread_moderators, lambda w, s, u, f=field, v=value: getattr(thread(s), f) == v,
                   prepare=None if value else set_thread(field))
    for action, (field, value, logged) in services.THREAD_ACTIONS.items()
}

ACTIONS = {
    # Membership.
    "route:communities.CommunityPage:join": Action(
        C(lambda s: "join/"), joiners, lambda w, s, u: membership_status(u, s.community) is not None,
        data=lambda w, s, u: {"request_message": "I lead performance at Hollowmere.", "roundup": "on"}),
    "route:communities.CommunityPage:join:accept_invitation": Action(
        C(lambda s: "join/"), invited, lambda w, s, u: membership_status(u, s.community) == Membership.Status.ACTIVE,
        data=lambda w, s, u: {"accept_invitation": "1"}, prepare=invite_if_not_in),
    "route:communities.CommunityPage:join:accept_invitation_uninvited": Action(
        C(lambda s: "join/"), uninvited, data=lambda w, s, u: {"accept_invitation": "1"}),
    "route:communities.CommunityPage:leave": Action(
        C(lambda s: "leave/"), leavers, lambda w, s, u: membership_status(u, s.community) is None),
    "route:communities.CommunityPage:members:remove": Action(
        C(lambda s: "members/"), member_list_moderators,
        lambda w, s, u: membership_status(w.people["member"], s.community) == Membership.Status.REMOVED,
        data=lambda w, s, u: {"membership": Membership.objects.get(user=w.people["member"], community=s.community).pk,
                              "reason": "Left the council."}),
    "route:communities.CommunityPage:members:invite": Action(
        C(lambda s: "members/"), member_list_moderators,
        lambda w, s, u: membership_status(w.people["editor"], s.community) == Membership.Status.INVITED,
        data=lambda w, s, u: {"invite": "1", "username": w.people["editor"].username}),
    "route:communities.CommunityPage:join_requests:approve": Action(
        C(lambda s: "requests/"), moderators_desk, lambda w, s, u: applicant(s).status == Membership.Status.ACTIVE,
        data=lambda w, s, u: {"membership": applicant(s).pk, "decision": "approve", "message": "Welcome."},
        prepare=pending_applicant),
    "route:communities.CommunityPage:join_requests:decline": Action(
        C(lambda s: "requests/"), moderators_desk, lambda w, s, u: applicant(s).status == Membership.Status.DECLINED,
        data=lambda w, s, u: {"membership": applicant(s).pk, "decision": "decline", "message": "Not now."},
        prepare=pending_applicant),
    # The forum.
    "route:communities.CommunityPage:new_thread": Action(
        C(lambda s: "forum/new/"), community_posters,
        lambda w, s, u: Thread.objects.filter(community=s.community, title="Benchmarking call handling").exists(),
        data=lambda w, s, u: {"title": "Benchmarking call handling", "body": "Who compares answer times?"}),
    "route:communities.CommunityPage:watch_forum:watch": Action(
        C(lambda s: "forum/watch/"), forum_readers, lambda w, s, u: watching(u, community=s.community),
        data=lambda w, s, u: {"watch": "1"}),
    "route:communities.CommunityPage:watch_forum:unwatch": Action(
        C(lambda s: "forum/watch/"), forum_readers, lambda w, s, u: not watching(u, community=s.community),
        prepare=watch_forum),
    "route:communities.CommunityPage:thread_action:reply": Action(
        T("reply"), thread_posters, lambda w, s, u: thread(s).posts.filter(body="Thanks, that helps.").exists(),
        data=lambda w, s, u: {"body": "Thanks, that helps."}),
    "route:communities.CommunityPage:thread_action:watch": Action(
        T("watch"), thread_readers, lambda w, s, u: watching(u, thread=s.thread)),
    "route:communities.CommunityPage:thread_action:unwatch": Action(
        T("unwatch"), thread_readers, lambda w, s, u: not watching(u, thread=s.thread), prepare=watch_thread),
    **{f"route:communities.CommunityPage:thread_action:{action}": entry for action, entry in THREAD_FIELD_ACTIONS.items()},
    "route:communities.CommunityPage:thread_action:move": Action(
        T("move"), thread_moderators, lambda w, s, u: thread(s).community_id == move_target(w, s).pk,
        data=lambda w, s, u: {"target": move_target(w, s).pk}),
    "route:communities.CommunityPage:post_action:edit": Action(
        P("edit"), post_rule({"member"}), lambda w, s, u: post(s.opening.pk).body == "Edited: the figures are for Q2.",
        data=lambda w, s, u: {"body": "Edited: the figures are for Q2."}),
    "route:communities.CommunityPage:post_action:delete": Action(
        P("delete", "reply"), post_rule(MODERATORS), lambda w, s, u: post(s.flag.post_id).is_deleted),
    "route:communities.CommunityPage:post_action:hide": Action(
        P("hide", "reply"), post_rule(MODERATORS), lambda w, s, u: post(s.flag.post_id).is_hidden),
    "route:communities.CommunityPage:post_action:unhide": Action(
        P("unhide", "reply"), post_rule(MODERATORS), lambda w, s, u: not post(s.flag.post_id).is_hidden,
        prepare=hide_reply),
    "route:communities.CommunityPage:post_action:flag": Action(
        P("flag"), post_rule(POSTERS), lambda w, s, u: Flag.objects.filter(post=s.opening, reporter=u).exists(),
        data=lambda w, s, u: {"reason": "spam", "note": "Looks like an advert."}),
    "route:communities.CommunityPage:post_action:history": Action(P("history"), post_history),
    "route:communities.CommunityPage:flag_queue:dismiss": Action(
        C(lambda s: "flags/"), moderators_desk, lambda w, s, u: Flag.objects.get(pk=s.flag.pk).resolved_at is not None,
        data=lambda w, s, u: {"action": "dismiss", "post": s.flag.post_id}),
    "route:communities.CommunityPage:flag_queue:hide": Action(
        C(lambda s: "flags/"), moderators_desk, lambda w, s, u: post(s.flag.post_id).is_hidden,
        data=lambda w, s, u: {"action": "hide", "post": s.flag.post_id, "resolution": "Off topic."}),
    # The library.
    "route:library.LibraryIndexPage:upload": Action(
        every_scene("/library/decks/upload/"), deck_uploaders,
        lambda w, s, u: SlideDeck.objects.filter(title="Resolution, not just response", community=s.community).exists(),
        data=upload_data),
    "route:library.LibraryIndexPage:retry": Action(
        in_library(lambda s: f"decks/{s.deck.pk}/retry/"), deck_managers,
        lambda w, s, u: SlideDeck.objects.get(pk=s.deck.pk).status == SlideDeck.Status.PENDING),
    "route:library.LibraryIndexPage:submit_case_study": Action(
        every_scene("/library/case-studies/submit/"), case_study_authors,
        lambda w, s, u: CaseStudyPage.objects.filter(title="Cutting repeat calls about missed bins", live=False).exists(),
        data=lambda w, s, u: submission(community=str(s.community.pk))),
    # Roundups and preferences.
    "url:roundup_preferences": Action(
        every_scene("/newsletters/preferences/"), roundup_takers,
        lambda w, s, u: Subscription.objects.filter(user=u, community=s.community, is_active=True).exists(),
        data=lambda w, s, u: {f"community_{s.community.pk}": "on"}),
    "page:newsletters.RoundupPage": Action(
        in_scene(lambda s: s.roundup.url), roundup_page_subscribers,
        lambda w, s, u: Subscription.objects.filter(user=u, community=s.community, is_active=True).exists()),
    "extra:site-wide roundup": Action(
        AnyScene(lambda w: w.site_roundup.url), signed_in,
        lambda w, s, u: Subscription.objects.filter(user=u, community=None, is_active=True).exists()),
    "url:roundup_unsubscribe": Action(
        lambda w, v: unsubscribe_url(w, v), anyone,
        lambda w, s, u: not Subscription.objects.get(user=w.people["member"], community=s.community).is_active,
        data=lambda w, s, u: {"List-Unsubscribe": "One-Click"}, prepare=member_subscribed),
    "url:roundup_unsubscribe:forged": Action(
        "/newsletters/unsubscribe/not-a-token/", nobody_bad_token, data=lambda w, s, u: {"List-Unsubscribe": "One-Click"}),
    # Accounts: the sign-up view is ours (cop_site.accounts.SignupView); allauth's others are out of scope.
    "url:account_signup": Action(
        "/accounts/signup/", visitors,
        lambda w, s, u: get_user_model().objects.filter(email="new.member@example.gov.uk").exists(),
        data=lambda w, s, u: {"email": "new.member@example.gov.uk", "password1": "a-long-Passphrase-42",
                              "password2": "a-long-Passphrase-42"}),
    # The member's own things.
    "url:profile_edit": Action(
        "/accounts/profile/", signed_in, lambda w, s, u: u.profile.__class__.objects.get(user=u).job_title == "Analyst",
        data=lambda w, s, u: {"display_name": "New Name", "job_title": "Analyst", "email_frequency": "daily"}),
    "url:notification_list": Action(
        "/notifications/", signed_in,
        lambda w, s, u: not Notification.objects.filter(recipient=u, read_at__isnull=True).exists(),
        prepare=unread_notification),
    "url:member_home": Action(
        "/my/", signed_in, lambda w, s, u: u.profile.__class__.objects.get(user=u).home_seen_at is not None),
    # Our admin screens.
    "url:roundups:compile": Action(every_scene("/admin/newsletters/compile/"), compilers, compiled, data=compile_data),
    "url:roundups:send_test": Action(
        in_scene(lambda s: f"/admin/newsletters/{s.roundup.pk}/send-test/"), compilers,
        lambda w, s, u: any(message.to == [u.email] for message in mail.outbox)),
    "url:roundups:deliveries": Action(
        in_scene(lambda s: f"/admin/newsletters/{s.roundup.pk}/deliveries/"), compilers,
        lambda w, s, u: not Delivery.objects.filter(roundup=s.roundup, status=Delivery.Status.FAILED).exists(),
        prepare=failed_delivery),
    "url:thread_chooser:create": Action("/admin/thread-chooser/create/", model_admins),
    "url:deck_chooser:create": Action("/admin/deck-chooser/create/", model_admins),
    "url:community_memberships:add": Action("/admin/communities/memberships/new/", model_admins),
    "url:community_memberships:edit": Action(AnyScene(lambda w: public_admin(w, "memberships/edit")), model_admins),
    "url:community_memberships:delete": Action(AnyScene(lambda w: public_admin(w, "memberships/delete")), model_admins),
    "url:community_join_requests:approve": Action(
        AnyScene(lambda w: public_admin(w, "join-requests/approve")), model_admins),
    "url:community_join_requests:decline": Action(
        AnyScene(lambda w: public_admin(w, "join-requests/decline")), model_admins),
    "url:community_flags:resolve": Action(
        AnyScene(lambda w: f"/admin/communities/flags/resolve/{w.scenes['public'].flag.pk}/"), model_admins,
        data=lambda w, s, u: {"resolution": "Fine.", "hide_post": "on"}),
    "url:slide_decks:add": Action("/admin/library/decks/new/", model_admins),
    "url:slide_decks:edit": Action(AnyScene(lambda w: f"/admin/library/decks/edit/{w.scenes['public'].deck.pk}/"),
                                   model_admins, data=lambda w, s, u: {"title": "Renamed"}),
    "url:slide_decks:delete": Action(AnyScene(lambda w: f"/admin/library/decks/delete/{w.scenes['public'].deck.pk}/"),
                                     model_admins),
    "url:slide_decks:copy": Action(AnyScene(lambda w: f"/admin/library/decks/copy/{w.scenes['public'].deck.pk}/"),
                                   model_admins),
}


def public_admin(world, path):
    """An admin action on the public scene's member's membership: /admin/communities/<path>/<pk>/."""
    scene = world.scenes["public"]
    pk = Membership.objects.get(user=world.people["member"], community=scene.community).pk
    return f"/admin/communities/{path}/{pk}/"


def unsubscribe_url(world, visibility):
    scene = world.scenes[visibility]
    return f"/newsletters/unsubscribe/{unsubscribe_token(world.people['member'], scene.community)}/"


# URLs that answer a POST exactly as they answer a GET (they read, or ignore the method): {name: why}.
POST_AS_GET = {
    "route:communities.CommunityPage:community_home": "the page renders whatever the method",
    "route:communities.CommunityPage:index_route": "the page renders whatever the method",
    "page:communities.CommunityPage": "the page renders whatever the method",
    "route:communities.CommunityPage:library": "a listing",
    "route:communities.CommunityPage:forum": "a listing",
    "route:communities.CommunityPage:thread": "reading marks the thread read, as a GET does",
    "route:communities.CommunityPage:post_permalink": "a redirect",
    "route:communities.CommunityPage:moderation_log": "a listing",
    "route:communities.CommunityPage:dashboard": "figures",
    "route:communities.CommunityPage:feed": "a feed",
    "route:library.LibraryIndexPage:index": "a listing",
    "route:library.LibraryIndexPage:index_route": "a listing",
    "route:library.LibraryIndexPage:deck": "a deck's page",
    "route:library.LibraryIndexPage:download": "a file (counted as a download, as a GET is)",
    "route:library.LibraryIndexPage:thumbnail": "a file",
    "route:library.LibraryIndexPage:preview": "a file",
    "route:library.LibraryIndexPage:feed": "a feed",
    "route:newsletters.NewsletterIndexPage:archive": "a listing",
    "route:newsletters.NewsletterIndexPage:index_route": "a listing",
    "route:newsletters.NewsletterIndexPage:feed": "a feed",
    "page:cop_site.HomePage": "a page",
    "page:communities.CommunityIndexPage": "a page",
    "page:library.LibraryIndexPage": "a page",
    "page:library.CaseStudyPage": "a page",
    "page:newsletters.NewsletterIndexPage": "a page",
    "url:profile_detail": "a page",
    "url:sitemap": "the sitemap",
    "extra:thread with a hidden post": "see route:communities.CommunityPage:thread",
    "extra:library filtered by a scene's community": "a listing",
    "extra:roundup archive of a scene's community": "a listing",
    "extra:roundup feed of a scene's community": "a feed",
    "extra:compile screen, a scene's month at a glance": "without the compile form's fields a POST compiles nothing "
                                                         "(compiling is url:roundups:compile's action)",
    **{f"extra:{draft}, in the admin": "Wagtail's view of the latest draft"
       for draft in ("draft roundup", "draft case study", "case study under review", "unpublished community")},
}

# Cells where a role is answered or changes what it must not: {(name, visibility or None, role): reason}. Each is
# a strict xfail.
KNOWN_LEAKS = {}


def dispatched_slugs(view):
    """The action slugs a view dispatches on: strings compared with ``action``, and the keys of a ``views`` table."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(view))))
    slugs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "action":
            slugs |= {c.value for part in node.comparators for c in ast.walk(part)
                      if isinstance(c, ast.Constant) and isinstance(c.value, str)}
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["views"]:
            slugs |= {key.value for key in node.value.keys}
    return slugs


def test_every_thread_and_post_action_has_an_entry():
    thread_slugs = dispatched_slugs(forum.thread_action) | set(services.THREAD_ACTIONS)
    post_slugs = dispatched_slugs(forum.post_action)
    assert {"reply", "move", "pin"} <= thread_slugs and {"edit", "flag", "history"} <= post_slugs
    missing = sorted(
        [f"thread_action:{slug}" for slug in thread_slugs
         if f"route:communities.CommunityPage:thread_action:{slug}" not in ACTIONS]
        + [f"post_action:{slug}" for slug in post_slugs if f"route:communities.CommunityPage:post_action:{slug}" not in ACTIONS]
    )
    assert not missing, f"Forum actions without an entry in ACTIONS: {missing}"


def covered_names():
    """The EXPECTATIONS names ACTIONS covers: a key is the name, or the name and a variant after it."""
    return {name for name in EXPECTATIONS if any(key == name or key.startswith(name + ":") for key in ACTIONS)}


@pytest.mark.django_db
def test_every_url_that_accepts_a_post_is_an_action(world):
    superuser = create_member(username="probe", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)  # Wagtail's chooser creation views fail on a POST (no form)
    client.force_login(superuser)
    accepting, unexplained, different = [], [], []
    for name, entry in EXPECTATIONS.items():
        url = entry.path(world, entry.visibilities[0] if entry.per_scene else None)
        with transaction.atomic(), recorded_writes() as post_writes:
            status = client.post(url).status_code
            transaction.set_rollback(True)
        if status == 405:
            continue
        accepting.append(name)
        if name in covered_names():
            continue
        if name not in POST_AS_GET:
            unexplained.append(f"{name} ({status})")
            continue
        with transaction.atomic(), recorded_writes() as get_writes:
            client.get(url)
            transaction.set_rollback(True)
        if post_writes != get_writes:
            different.append(f"{name}: POST wrote {post_writes}, GET {get_writes}")
    assert not unexplained, f"URLs that accept a POST with no entry in ACTIONS or POST_AS_GET: {unexplained}"
    assert not different, f"URLs in POST_AS_GET whose POST does more than their GET: {different}"
    stale = sorted(covered_names() - set(accepting))
    assert not stale, f"ACTIONS entries for URLs that refuse a POST (405): {stale}"


def _cells():
    for name, action in ACTIONS.items():
        for visibility in (VISIBILITIES if is_per_scene(action.url) else [None]):
            for role in ROLES:
                marks = []
                if (name, visibility, role) in KNOWN_LEAKS:
                    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[(name, visibility, role)])]
                yield pytest.param(name, visibility, role, id=f"{name}-{visibility or 'any'}-{role}", marks=marks)


def redirect_path(response):
    return urlsplit(response.get("Location", "")).path


@pytest.mark.django_db
@pytest.mark.parametrize("name, visibility, role", list(_cells()))
def test_action_matrix(world, name, visibility, role):
    action = ACTIONS[name]
    scene = world.scenes[visibility or "public"]
    user = world.user(role)
    if action.prepare:
        action.prepare(world, scene, user)
    url = build_path(action.url, world, visibility)
    client = Client()
    sign_in(client, world, role)
    data = action.data(world, scene, user)
    sent_before = len(mail.outbox)
    with recorded_writes() as writes:
        response = client.post(url, data)
    expected = action.rule(role, visibility)
    cell = f"{role} POST {url} ({visibility or 'any scene'}): {response.status_code} {response.get('Location', '')}"
    if expected == DONE:
        assert response.status_code in {200, 302}, cell
        assert action.done(world, scene, user), f"{cell}: allowed, but the change did not happen"
        return
    if expected == LOGIN:
        assert response.status_code == 302 and redirect_path(response) in {"/accounts/login/", "/admin/login/"}, cell
    elif expected == AWAY:
        assert response.status_code == 302 and redirect_path(response) == "/admin/", cell
    elif expected == NOTHING:
        assert response.status_code in {200, 302}, cell
    else:
        assert response.status_code == expected, f"{cell}: expected {expected}"
    assert (writes, len(mail.outbox)) == ([], sent_before), f"{cell}: refused, but wrote to {writes} or sent email"
    answer = read(response).decode(errors="replace") + response.get("Location", "")
    shown = [secret(v) for v in VISIBILITIES if not can_read(role, v) and secret(v) in answer]
    assert not shown, f"{cell}: the answer shows {shown}"
