"""Who hears about what: notification rows written inside the write transaction, emailed after commit.

services.py calls the ``record_*`` functions from inside its transactions, so a rollback leaves no
notification behind and, because the email task is only enqueued by ``transaction.on_commit``,
sends nothing either. Reading permission is decided by ``permissions`` alone: a recipient who may not
read a thread is never told about it, here or (re-checked at send time) in ``tasks``.

The helpers at the bottom (``target_url``, ``describe``, ``subject``...) are what the notification list
and the emails show, so both say the same thing.
"""

import html
import re
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from .models import Membership, Notification, Watch
from .permissions import can_moderate, can_read_thread, prime_memberships

Kind = Notification.Kind

POST_KINDS = frozenset({Kind.REPLY, Kind.NEW_THREAD, Kind.MENTION, Kind.QUOTE})
# Higher wins when one person has several reasons to hear about the same post.
PRECEDENCE = {Kind.NEW_THREAD: 0, Kind.REPLY: 1, Kind.QUOTE: 2, Kind.MENTION: 3}
MAX_MENTIONS = 20
EXCERPT_CHARS = 300

# @name preceded by start, whitespace or punctuation (not part of a word or an email address).
_MENTION = re.compile(r"(?<![\w@.+-])@([\w][\w.@+-]{0,149})")
# Text that quotes or shows code: "@someone" in there is not a mention by this author.
_FENCED = re.compile(r"^ {0,3}(```|~~~).*?(^ {0,3}\1|\Z)", re.S | re.M)
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_QUOTE_LINE = re.compile(r"^ {0,3}>.*$", re.M)


# Recording

def mentioned_usernames(body):
    """Lower-cased names written as @name in the author's own text (not in code or quoted lines)."""
    text = _QUOTE_LINE.sub("", _INLINE_CODE.sub("", _FENCED.sub("", body or "")))
    names = []
    for match in _MENTION.finditer(text):
        name = match.group(1)
        # "Thanks @alex." or "@alex's": try the name as written, then without trailing punctuation.
        for candidate in (name, name.rstrip(".@+-")):
            candidate = candidate.lower()
            if candidate and candidate not in names:
                names.append(candidate)
        if len(names) >= MAX_MENTIONS * 2:
            break
    return names


def record_post(post):
    """Tell watchers, mentioned members and the quoted author about a new post: one row each at most."""
    thread = post.thread
    community = thread.community
    author_id = post.author_id

    if post.position > 1:
        watchers = Watch.objects.filter(thread=thread)
        watch_kind = Kind.REPLY
    else:
        watchers = Watch.objects.filter(community=community)
        watch_kind = Kind.NEW_THREAD
    reasons = {user_id: watch_kind for user_id in watchers.values_list("user_id", flat=True)}

    quoted = post.quoted_post
    if quoted is not None and quoted.author_id:
        reasons[quoted.author_id] = Kind.QUOTE  # outranks reply and new thread

    names = mentioned_usernames(post.body)
    wanted = Q(pk__in=list(reasons))
    if names:
        wanted |= Q(lower_username__in=names)
    candidates = list(
        get_user_model().objects.annotate(lower_username=Lower("username")).filter(wanted, is_active=True)
    )
    mentioned = [user for user in candidates if user.lower_username in names][:MAX_MENTIONS]
    for user in mentioned:
        reasons[user.pk] = Kind.MENTION

    recipients = [user for user in candidates if user.pk in reasons and user.pk != author_id]
    prime_memberships(recipients)
    rows = [
        Notification(recipient=user, kind=reasons[user.pk], actor_id=author_id, community=community, post=post)
        for user in recipients
        if can_read_thread(user, thread)
    ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(Notification.objects.filter(post=post).values_list("pk", flat=True))
    email_after_commit(ids)
    return ids


def _record_membership_event(kind, membership, recipients, actor):
    """One row per recipient for this membership event; an earlier row for the same event is replaced."""
    recipient_ids = {getattr(user, "pk", user) for user in recipients}
    if not recipient_ids:
        return []
    # A request asked again after a decline, or an invitation sent again, is news again.
    Notification.objects.filter(membership=membership, kind=kind, recipient_id__in=recipient_ids).delete()
    rows = Notification.objects.bulk_create(
        Notification(
            recipient_id=recipient_id, kind=kind, actor=actor, community_id=membership.community_id, membership=membership
        )
        for recipient_id in sorted(recipient_ids)
    )
    ids = [row.pk for row in rows]
    email_after_commit(ids)
    return ids


def record_join_request(membership):
    facilitators = (
        Membership.objects.facilitators()
        .filter(community_id=membership.community_id, user__is_active=True)
        .exclude(user_id=membership.user_id)
        .values_list("user_id", flat=True)
    )
    return _record_membership_event(Kind.JOIN_REQUEST, membership, list(facilitators), membership.user)


def record_join_decision(membership, facilitator):
    if membership.status == Membership.Status.ACTIVE:
        kind = Kind.JOIN_APPROVED
    elif membership.status == Membership.Status.DECLINED:
        kind = Kind.JOIN_DECLINED
    else:
        return []
    return _record_membership_event(kind, membership, [membership.user_id], facilitator)


def record_invitation(membership, facilitator):
    return _record_membership_event(Kind.INVITATION, membership, [membership.user_id], facilitator)


def email_after_commit(notification_ids):
    """Enqueue the email task once the transaction commits; a rollback sends nothing.

    robust=True: if the queue is unavailable the post is still saved, and the sweep in
    ``send_notification_digests`` sends the email later.
    """
    if not notification_ids:
        return
    from .tasks import send_notification_emails

    ids = list(notification_ids)
    transaction.on_commit(lambda: send_notification_emails.enqueue(ids), robust=True)


# Reading: what the list page and the emails show

def is_about_post(notification):
    return notification.kind in POST_KINDS


def thread_of(notification):
    return notification.post.thread if notification.post_id else None


def community_of(notification):
    """The community the notification is about now (a thread may have moved since)."""
    thread = thread_of(notification)
    return thread.community if thread is not None else notification.community


def can_see(user, notification):
    """Whether `user` may still see what the notification points at; visibility is permissions' call."""
    if is_about_post(notification):
        return notification.post_id is not None and can_read_thread(user, notification.post.thread)
    if notification.kind == Kind.JOIN_REQUEST:
        return can_moderate(user, notification.community)
    return True


def display_name(user):
    profile = getattr(user, "profile", None)
    return profile.name if profile is not None else user.get_username()


def actor_name(notification):
    return "A former member" if notification.actor is None else display_name(notification.actor)


def describe(notification, viewer=None):
    """One plain-text line, e.g. 'Alex Morgan replied in “NI14 baselines”'. Escape it when showing it.

    If `viewer` may no longer read the thread, its title is not repeated.
    """
    kind = notification.kind
    actor = actor_name(notification)
    if is_about_post(notification):
        if viewer is not None and not can_see(viewer, notification):
            return "A discussion you can no longer see"
        title = notification.post.thread.title
        return {
            Kind.REPLY: f"{actor} replied in “{title}”",
            Kind.NEW_THREAD: f"{actor} started “{title}” in {community_of(notification).title}",
            Kind.MENTION: f"{actor} mentioned you in “{title}”",
            Kind.QUOTE: f"{actor} quoted your post in “{title}”",
        }[kind]
    community = notification.community.title
    return {
        Kind.JOIN_REQUEST: f"{actor} asked to join {community}",
        Kind.JOIN_APPROVED: f"Your request to join {community} was approved",
        Kind.JOIN_DECLINED: f"Your request to join {community} was declined",
        Kind.INVITATION: f"{actor} invited you to join {community}",
    }.get(kind, notification.get_kind_display())


def subject(notification):
    """The email subject: '[Practice Exchange] New reply in “<thread title>”'."""
    kind = notification.kind
    if is_about_post(notification):
        title = notification.post.thread.title
        text = {
            Kind.REPLY: f"New reply in “{title}”",
            Kind.NEW_THREAD: f"New thread in {community_of(notification).title}: “{title}”",
            Kind.MENTION: f"{actor_name(notification)} mentioned you in “{title}”",
            Kind.QUOTE: f"{actor_name(notification)} quoted your post in “{title}”",
        }[kind]
    else:
        text = describe(notification)
    return one_line(f"[{settings.WAGTAIL_SITE_NAME}] {text}")


def one_line(text):
    return " ".join(str(text).split())


def target_url(notification):
    """Where the notification leads, as a site path: the post's permalink or the community's page."""
    if notification.post_id:
        return notification.post.get_absolute_url()
    community = notification.community
    base = community.url
    if not base:
        return reverse("notification_list")
    if notification.kind == Kind.JOIN_REQUEST:
        return base + community.reverse_subpage("join_requests")
    return base


def absolute_url(path):
    """A link for emails: site paths are joined to WAGTAILADMIN_BASE_URL; full URLs are kept."""
    return urljoin(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/", path)


def excerpt(post, length=EXCERPT_CHARS):
    """The start of a post as plain text, or '' for a hidden or deleted post (its text is never shown)."""
    if post is None or post.is_hidden or post.is_deleted:
        return ""
    text = html.unescape(strip_tags(post.rendered))
    return Truncator(" ".join(text.split())).chars(length)
