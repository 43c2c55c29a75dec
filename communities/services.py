"""Everything that changes a community or its forum, each in one transaction.

Views call these and show `ForumError` messages to the user. Notifications are recorded in the same
transaction (so a rollback leaves none) and emailed by background tasks after commit.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from cop_site import ratelimit
from cop_site.database import lock_wait_exceeded

from . import notifications
from .models import CommunityPage, Flag, Membership, ModerationLog, Post, PostRevision, Thread, ThreadRead, Watch
from .permissions import can_join, can_moderate, can_post, forget_memberships, membership

Status = Membership.Status
Action = ModerationLog.Action


class ForumError(Exception):
    """A refusal the user should read, e.g. "This thread is locked"."""


BUSY = ("Another change to this thread was in progress, so your post was not saved. Your text is kept below: "
        "send it again in a few seconds.")


@contextmanager
def posting_transaction():
    """One atomic write of a post; if the thread stays locked by another transaction, a ForumError the form shows."""
    try:
        with transaction.atomic():
            yield
    except OperationalError as error:
        if lock_wait_exceeded(error):
            raise ForumError(BUSY) from error
        raise


def log(actor, action, community, *, thread=None, post=None, target_user=None, detail=""):
    ModerationLog.objects.create(
        actor=actor, action=action, community=community, thread=thread, post=post, target_user=target_user, detail=detail[:300]
    )


def refresh_member_count(community):
    CommunityPage.objects.filter(pk=community.pk).update(
        member_count=Membership.objects.active().filter(community=community).count()
    )


# Membership

@transaction.atomic
def join(user, community, message=""):
    """Join an open community at once, or ask to join one that needs approval."""
    if not can_join(user, community):
        raise ForumError("You can't join this community.")
    status = Status.ACTIVE if community.join_policy == CommunityPage.JoinPolicy.OPEN else Status.PENDING
    joined, _ = Membership.objects.update_or_create(
        user=user, community=community,
        defaults={"status": status, "role": Membership.Role.MEMBER, "request_message": message, "decided_at": None},
    )
    forget_memberships(user)
    if status == Status.ACTIVE:
        refresh_member_count(community)
    else:
        notifications.record_join_request(joined)
    return joined


@transaction.atomic
def decide(facilitator, request, approve, message=""):
    """Approve or decline a join request; the member is told either way."""
    if not can_moderate(facilitator, request.community):
        raise ForumError("Only this community's facilitators can decide join requests.")
    if request.status != Status.PENDING:
        raise ForumError("That request has already been decided.")
    request.status = Status.ACTIVE if approve else Status.DECLINED
    request.decision_message = message
    request.decided_by = facilitator
    request.decided_at = timezone.now()
    request.save()
    log(facilitator, Action.APPROVE if approve else Action.DECLINE, request.community, target_user=request.user, detail=message)
    refresh_member_count(request.community)
    notifications.record_join_decision(request, facilitator)
    return request


@transaction.atomic
def invite(facilitator, community, user):
    if not can_moderate(facilitator, community):
        raise ForumError("Only this community's facilitators can invite people.")
    found = membership(user, community)
    if found and found.is_active:
        raise ForumError(f"{user.profile.name} is already a member.")
    invited, _ = Membership.objects.update_or_create(
        user=user, community=community, defaults={"status": Status.INVITED, "decided_by": facilitator}
    )
    forget_memberships(user)
    notifications.record_invitation(invited, facilitator)
    return invited


@transaction.atomic
def accept_invitation(user, community):
    found = membership(user, community)
    if not found or found.status != Status.INVITED:
        raise ForumError("There is no invitation to accept.")
    found.status = Status.ACTIVE
    found.decided_at = timezone.now()
    found.save(update_fields=["status", "decided_at"])
    forget_memberships(user)
    refresh_member_count(community)
    return found


@transaction.atomic
def leave(user, community):
    found = membership(user, community)
    if not found or found.status not in {Status.ACTIVE, Status.PENDING, Status.INVITED}:
        raise ForumError("You are not a member of this community.")
    found.delete()
    Watch.objects.filter(user=user, community=community).delete()
    Watch.objects.filter(user=user, thread__community=community).delete()
    forget_memberships(user)
    refresh_member_count(community)


@transaction.atomic
def remove_member(facilitator, removed, reason=""):
    if not can_moderate(facilitator, removed.community):
        raise ForumError("Only this community's facilitators can remove members.")
    if removed.user_id == facilitator.pk:
        raise ForumError("You can't remove yourself; leave the community instead.")
    removed.status = Status.REMOVED
    removed.decided_by = facilitator
    removed.decided_at = timezone.now()
    removed.save(update_fields=["status", "decided_by", "decided_at"])
    Watch.objects.filter(user=removed.user, thread__community=removed.community).delete()
    Watch.objects.filter(user=removed.user, community=removed.community).delete()
    log(facilitator, Action.REMOVE_MEMBER, removed.community, target_user=removed.user, detail=reason)
    refresh_member_count(removed.community)


# Posting

def check_posting_rate(user):
    """At most FORUM_POSTS_PER_MINUTE posts a minute per member, so a script or a stuck key can't flood a forum."""
    if not ratelimit.hit_user(user, "forum-posts", settings.FORUM_POSTS_PER_MINUTE, ratelimit.MINUTE):
        raise ForumError("You're posting very quickly. Please wait a minute and try again; your text is kept below.")


def check_flagging_rate(user):
    """At most FORUM_FLAGS_PER_HOUR flags an hour per member, so the flag queue can't be flooded."""
    if not ratelimit.hit_user(user, "forum-flags", settings.FORUM_FLAGS_PER_HOUR, ratelimit.HOUR):
        raise ForumError(
            "You have flagged a lot of posts in the last hour. Please wait a while before flagging more; "
            "your note is kept below. If something needs urgent attention, contact the community's facilitators."
        )


def _add_post(user, thread, body, quoted_post, submission_key):
    """Append a post at the next position, keeping the thread's counters in step."""
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    now = timezone.now()
    post = Post.objects.create(
        thread=locked, position=locked.post_count + 1, author=user, body=body,
        quoted_post=quoted_post, submission_key=submission_key,
    )
    is_reply = post.position > 1
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1,
        reply_count=F("reply_count") + (1 if is_reply else 0),
        last_post_at=now, last_poster=user,
    )
    CommunityPage.objects.filter(pk=thread.community_id).update(last_activity_at=now)
    Watch.objects.get_or_create(user=user, thread=locked)
    ThreadRead.objects.update_or_create(user=user, thread=locked, defaults={"last_read_position": post.position})
    notifications.record_post(post)
    return post


def _existing_submission(user, submission_key):
    if submission_key is None:
        return None
    return Post.objects.select_related("thread").filter(author=user, submission_key=submission_key).first()


def start_thread(user, community, title, body, submission_key=None):
    if not can_post(user, community):
        raise ForumError("Only members with a verified email address can start threads here.")
    existing = _existing_submission(user, submission_key)
    if existing:
        return existing.thread
    check_posting_rate(user)
    try:
        with posting_transaction():
            thread = Thread.objects.create(community=community, title=title, author=user, last_post_at=timezone.now(), last_poster=user)
            CommunityPage.objects.filter(pk=community.pk).update(thread_count=F("thread_count") + 1)
            _add_post(user, thread, body, None, submission_key)
    except IntegrityError:
        existing = _existing_submission(user, submission_key)
        if existing:
            return existing.thread
        raise
    return thread


def reply(user, thread, body, quoted_post=None, submission_key=None):
    if not can_post(user, thread.community):
        raise ForumError("Only members with a verified email address can reply here.")
    if thread.is_locked and not can_moderate(user, thread.community):
        raise ForumError("This thread is locked: a facilitator has closed it to new replies.")
    if quoted_post is not None and quoted_post.thread_id != thread.pk:
        quoted_post = None
    existing = _existing_submission(user, submission_key)
    if existing:
        return existing
    check_posting_rate(user)
    try:
        with posting_transaction():
            return _add_post(user, thread, body, quoted_post, submission_key)
    except IntegrityError:
        existing = _existing_submission(user, submission_key)
        if existing:
            return existing
        raise


@transaction.atomic
def edit_post(user, post, body):
    if post.author_id != user.pk or post.is_deleted:
        raise ForumError("You can only edit your own posts.")
    if post.thread.is_locked and not can_moderate(user, post.thread.community):
        raise ForumError("This thread is locked, so its posts can't be edited.")
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=user)
    post.body = body
    post.edited_at = timezone.now()
    post.save()
    return post


@transaction.atomic
def delete_post(user, post):
    """Soft delete: the post keeps its place (so permalinks and quotes stay coherent) but loses its text."""
    if post.author_id != user.pk and not can_moderate(user, post.thread.community):
        raise ForumError("You can only delete your own posts.")
    if post.position == 1 and post.thread.post_count > 1 and not can_moderate(user, post.thread.community):
        raise ForumError("The opening post of a thread with replies can't be deleted; edit it instead.")
    if post.is_deleted:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=user)
    post.is_deleted = True
    post.save(update_fields=["is_deleted"])
    if post.position > 1 and not post.is_hidden:
        Thread.objects.filter(pk=post.thread_id).update(reply_count=F("reply_count") - 1)
    return post


# Moderation

THREAD_ACTIONS = {
    "pin": ("is_pinned", True, Action.PIN),
    "unpin": ("is_pinned", False, Action.UNPIN),
    "lock": ("is_locked", True, Action.LOCK),
    "unlock": ("is_locked", False, Action.UNLOCK),
    "hide": ("is_hidden", True, Action.HIDE_THREAD),
    "unhide": ("is_hidden", False, Action.UNHIDE_THREAD),
}


@transaction.atomic
def moderate_thread(user, thread, action):
    if not can_moderate(user, thread.community):
        raise ForumError("Only this community's facilitators can do that.")
    field, value, logged = THREAD_ACTIONS[action]
    if getattr(thread, field) != value:
        setattr(thread, field, value)
        thread.save(update_fields=[field])
        log(user, logged, thread.community, thread=thread)
    return thread


@transaction.atomic
def set_post_hidden(user, post, hidden):
    if not can_moderate(user, post.thread.community):
        raise ForumError("Only this community's facilitators can hide posts.")
    if post.is_hidden == hidden:
        return post
    post.is_hidden = hidden
    post.save(update_fields=["is_hidden"])
    if post.position > 1 and not post.is_deleted:
        Thread.objects.filter(pk=post.thread_id).update(reply_count=F("reply_count") + (-1 if hidden else 1))
    log(user, Action.HIDE_POST if hidden else Action.UNHIDE_POST, post.thread.community, thread=post.thread, post=post)
    return post


@transaction.atomic
def move_thread(user, thread, target):
    source = thread.community
    if not (can_moderate(user, source) and can_moderate(user, target)):
        raise ForumError("You can only move threads between communities you facilitate.")
    if target.pk == source.pk:
        return thread
    thread.community = target
    thread.save(update_fields=["community"])
    CommunityPage.objects.filter(pk=source.pk).update(thread_count=F("thread_count") - 1)
    CommunityPage.objects.filter(pk=target.pk).update(thread_count=F("thread_count") + 1)
    # The source's log is read by its facilitators, who may not be allowed to know a private target's name.
    log(user, Action.MOVE, source, thread=thread, detail="to a private community" if target.is_private else f"to {target.title}")
    return thread


@transaction.atomic
def flag_post(user, post, reason, note=""):
    if not can_post(user, post.thread.community):
        raise ForumError("Only members can flag posts.")
    check_flagging_rate(user)
    flag, created = Flag.objects.get_or_create(
        post=post, reporter=user, resolved_at=None, defaults={"reason": reason, "note": note}
    )
    if not created:
        raise ForumError("You have already flagged this post; a facilitator will look at it.")
    return flag


@transaction.atomic
def resolve_flag(user, flag, resolution, hide_post=False):
    community = flag.post.thread.community
    if not can_moderate(user, community):
        raise ForumError("Only this community's facilitators can resolve flags.")
    if flag.resolved_at is not None:
        raise ForumError("That flag has already been resolved.")
    if hide_post:
        set_post_hidden(user, flag.post, True)
    Flag.objects.filter(post=flag.post, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=user, resolution=resolution[:200]
    )
    log(user, Action.RESOLVE_FLAG, community, thread=flag.post.thread, post=flag.post, detail=resolution)


# Reading and watching

def set_watch(user, *, thread=None, community=None, watching):
    target = {"thread": thread} if thread is not None else {"community": community}
    if watching:
        Watch.objects.get_or_create(user=user, **target)
    else:
        Watch.objects.filter(user=user, **target).delete()


def mark_read(user, thread, position):
    """Move the member's read marker forward (never back) to `position`.

    Only a convenience: if the thread is locked by another transaction (a post being added), the marker stays
    where it was rather than the page failing; the next visit moves it. No query when the thread was loaded with
    the marker already there (queries.thread_for).
    """
    if not user.is_authenticated:
        return
    known = getattr(thread, "read_position", None)
    if known is not None and known >= position:
        return
    try:
        # No savepoint: views run in autocommit, where this is a transaction of its own.
        with transaction.atomic(savepoint=False):
            updated = ThreadRead.objects.filter(user=user, thread=thread, last_read_position__lt=position).update(
                last_read_position=position
            )
            if not updated:
                ThreadRead.objects.get_or_create(user=user, thread=thread, defaults={"last_read_position": position})
    except OperationalError as error:
        if not lock_wait_exceeded(error):
            raise
