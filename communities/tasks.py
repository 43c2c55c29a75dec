"""Background work for communities: notification emails, one at a time or as a daily digest.

Every task is safe to run twice: a notification is *claimed* (email_claimed_at set where nobody holds it)
before its email goes out, so only one run can send it, and marked emailed once the mail server has taken
it. Access is re-checked at send time, because a member can lose it between the post and the email. A
failed send is un-claimed and re-raised, so the task shows as failed; ``retry_overdue`` (every minute from
``run_periodic``) sends it later. A run that dies between claiming and sending leaves a claim that is taken
over after NOTIFICATION_CLAIM_TIMEOUT. Only the moment between the server accepting a message and the row
being marked can give a second copy; both copies then carry the same Message-ID.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from cop_site.mail import stable_message_id

from . import notifications as notes
from .models import Membership, Notification, Profile
from .permissions import prime_memberships

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Frequency = Profile.EmailFrequency
RETRY_AFTER = timedelta(minutes=10)


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0
    waiting: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)


# Loading and deciding

def _load(queryset):
    return list(
        queryset.select_related(
            "recipient__profile", "actor__profile", "community", "post__thread__community", "membership"
        ).order_by("created_at", "pk")
    )


def frequency(user):
    profile = getattr(user, "profile", None)
    return profile.email_frequency if profile is not None else Frequency.IMMEDIATELY


def still_worth_sending(notification):
    """Whether the recipient may, and still needs to, hear about this by email."""
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        return False
    if notes.is_about_post(notification):
        post = notification.post
        if post is None or post.is_hidden or post.is_deleted:
            return False  # never email text a moderator or the author has taken down
        return notes.can_see(recipient, notification)
    membership = notification.membership
    if notification.kind == Kind.JOIN_REQUEST:
        return (
            membership is not None and membership.status == Membership.Status.PENDING
            and notes.can_see(recipient, notification)
        )
    if notification.kind == Kind.INVITATION:
        return membership is not None and membership.status == Membership.Status.INVITED
    return True


def claim(notification, now=None):
    """Take the sending of `notification` if it is unsent and nobody holds it; True means this run owns it."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)
    claimed = Notification.objects.awaiting_email().filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale), pk=notification.pk
    ).update(email_claimed_at=now)
    if claimed:
        notification.email_claimed_at = now
    return claimed == 1


def mark_emailed(notifications):
    now = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    for notification in notifications:
        notification.emailed_at = now


def unclaim(notifications):
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(email_claimed_at=None)


def skip(notifications):
    ids = [n.pk for n in notifications]
    if ids:
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(email_skipped=True)
    return len(ids)


# Building emails

ACTIONS = {
    Kind.REPLY: "Read the reply",
    Kind.NEW_THREAD: "Read the thread",
    Kind.MENTION: "Read the post",
    Kind.QUOTE: "Read the post",
    Kind.JOIN_REQUEST: "Review the request",
    Kind.JOIN_APPROVED: "Visit the community",
    Kind.JOIN_DECLINED: "Visit the community",
    Kind.INVITATION: "See the invitation",
}


def item_context(notification):
    post = notification.post if notes.is_about_post(notification) else None
    return {
        "notification": notification,
        "description": notes.describe(notification),
        "url": notes.absolute_url(notes.target_url(notification)),
        "action": ACTIONS.get(notification.kind, "Open it"),
        "thread_title": post.thread.title if post else "",
        "community_title": notes.community_of(notification).title,
        "excerpt": notes.excerpt(post) if post else "",
        "decision_message": (
            notification.membership.decision_message
            if notification.kind in {Kind.JOIN_APPROVED, Kind.JOIN_DECLINED} and notification.membership
            else ""
        ),
        "request_message": (
            notification.membership.request_message
            if notification.kind == Kind.JOIN_REQUEST and notification.membership
            else ""
        ),
    }


def common_context(recipient):
    return {
        "recipient": recipient,
        "recipient_name": notes.display_name(recipient),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": notes.absolute_url("/"),
        "preferences_url": notes.absolute_url(reverse("profile_edit")),
        "notifications_url": notes.absolute_url(reverse("notification_list")),
    }


def build_email(template, subject, recipient, context, message_id):
    context = {**common_context(recipient), **context}
    message = EmailMultiAlternatives(
        subject=notes.one_line(subject),
        body=render_to_string(f"communities/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All", "Message-ID": message_id},
    )
    message.attach_alternative(render_to_string(f"communities/email/{template}.html", context), "text/html")
    return message


def notification_email(notification):
    return build_email(
        "notification", notes.subject(notification), notification.recipient, {"item": item_context(notification)},
        stable_message_id("notification", notification.pk),
    )


def digest_email(recipient, items):
    count = len(items)
    subject = f"[{settings.WAGTAIL_SITE_NAME}] Your daily digest: {count} notification{'' if count == 1 else 's'}"
    return build_email("digest", subject, recipient, {"items": [item_context(n) for n in items], "count": count},
                       stable_message_id("digest", recipient.pk, *sorted(n.pk for n in items)[:1], len(items)))


# Sending

def send_immediate(notification_ids):
    """Email each notification whose recipient wants them as they happen; see the module docstring."""
    found = _load(Notification.objects.filter(pk__in=list(notification_ids)).filter(emailed_at__isnull=True, email_skipped=False))
    prime_memberships({n.recipient_id: n.recipient for n in found}.values())
    outcome = Outcome()
    for notification in found:
        wants = frequency(notification.recipient)
        if wants == Frequency.NEVER or not still_worth_sending(notification):
            outcome.skipped += skip([notification])
            continue
        if wants != Frequency.IMMEDIATELY:
            outcome.waiting += 1  # the daily digest picks it up
            continue
        if not claim(notification):
            continue  # another run has it
        try:
            notification_email(notification).send()
        except Exception as error:  # noqa: BLE001 - un-claim, carry on with the others, re-raise at the end
            unclaim([notification])
            logger.exception("Notification %s could not be emailed", notification.pk)
            outcome.failed += 1
            outcome.errors.append(error)
        else:
            mark_emailed([notification])
            outcome.sent += 1
    return outcome


def pending_digests():
    """{recipient: [notifications]} waiting for a daily digest."""
    waiting = _load(
        Notification.objects.awaiting_email().filter(
            recipient__profile__email_frequency=Frequency.DAILY, recipient__is_active=True
        )
    )
    by_recipient = defaultdict(list)
    for notification in waiting:
        by_recipient[notification.recipient].append(notification)
    return dict(by_recipient)


def send_digest(recipient, waiting, outcome):
    """One email listing the recipient's unread, still visible notifications, claimed one by one."""
    prime_memberships([recipient])
    stale = [n for n in waiting if n.read_at is not None or not still_worth_sending(n)]
    outcome.skipped += skip(stale)
    now = timezone.now()
    claimed = [n for n in waiting if n not in stale and claim(n, now)]
    if not claimed:
        return 0
    try:
        digest_email(recipient, claimed).send()
    except Exception as error:  # noqa: BLE001
        unclaim(claimed)
        logger.exception("Digest for user %s could not be emailed", recipient.pk)
        outcome.failed += 1
        outcome.errors.append(error)
        return 0
    mark_emailed(claimed)
    outcome.sent += 1
    return len(claimed)


def send_digests(progress=None):
    outcome = Outcome()
    for recipient, waiting in pending_digests().items():
        count = send_digest(recipient, waiting, outcome)
        if progress and count:
            progress(recipient, count)
    return outcome


def overdue_immediate(now=None):
    """Notifications that should have gone out as they happened but have not (a failed send, a lost task)."""
    cutoff = (now or timezone.now()) - RETRY_AFTER
    return Notification.objects.awaiting_email().filter(created_at__lt=cutoff).filter(
        Q(recipient__profile__email_frequency=Frequency.IMMEDIATELY) | Q(recipient__profile__isnull=True)
    )


def retry_overdue(overdue_ids=None, batch=200, progress=None):
    """Email, in batches, the immediate notifications still unsent RETRY_AFTER after they happened."""
    if overdue_ids is None:
        overdue_ids = list(overdue_immediate().values_list("pk", flat=True))
    outcome = Outcome()
    for start in range(0, len(overdue_ids), batch):
        result = send_immediate(overdue_ids[start:start + batch])
        outcome.sent, outcome.failed = outcome.sent + result.sent, outcome.failed + result.failed
        outcome.errors += result.errors
        if progress:
            progress(min(start + batch, len(overdue_ids)), len(overdue_ids), outcome.sent)
    return outcome


def never_wanted():
    return Notification.objects.awaiting_email().filter(
        Q(recipient__profile__email_frequency=Frequency.NEVER) | Q(recipient__is_active=False)
    )


def _raise_first(outcome):
    if outcome.errors:
        raise outcome.errors[0]


@task()
def send_notification_emails(notification_ids):
    """Email new notifications to recipients who want them immediately. Safe to run twice."""
    outcome = send_immediate(notification_ids)
    _raise_first(outcome)
    return {"sent": outcome.sent, "skipped": outcome.skipped, "waiting": outcome.waiting}


@task()
def send_notification_digests():
    """The daily digest: one email per recipient who asked for it, listing what they have not seen."""
    outcome = send_digests()
    _raise_first(outcome)
    return {"sent": outcome.sent, "skipped": outcome.skipped}
