"""Sending a published roundup: one Delivery row per recipient, claimed before its email goes out.

1. Publishing calls ``begin`` once the publish has committed (signals.py). The first publish stamps
   ``sending_started_at`` and enqueues ``tasks.queue_roundup``; any later publish finds the stamp and
   sends nothing.
2. ``dispatch`` writes one queued Delivery per recipient, all in one transaction (so a crash leaves all of
   them or none), reading the recipients as a stream; then hands the rows to ``tasks.send_roundup_batch``
   ``BATCH_SIZE`` at a time.
3. ``send_batch`` claims each row (queued, failed and due for a retry, or claimed so long ago that its
   sender must have died), checks again that the member should still get it, sends it over the batch's one
   SMTP connection and marks it sent straight away. A refused message is marked failed with a retry time
   that backs off, and given up after ROUNDUP_MAX_ATTEMPTS; the rest of the batch carries on.
4. ``resume`` (every minute, from cop_site.periodic) hands out again whatever is due; the ``send_roundup``
   command does the same work in its own process, with progress.

Exactly once: only the sender that claimed a row sends it, and it marks the row sent as soon as the mail
server has accepted the message. The one window a ledger cannot close is between that acceptance and the
mark: a crash there leaves the row "sending", and it is sent again once its claim is older than
ROUNDUP_CLAIM_TIMEOUT. Both copies carry the same Message-ID, so mail programs that de-duplicate show one.

Settings (cop_site.settings.base): ROUNDUP_MAX_ATTEMPTS (5), ROUNDUP_RETRY_BACKOFF (seconds before the first retry,
doubled for each further one: 300), ROUNDUP_CLAIM_TIMEOUT (seconds: 900) and ROUNDUP_REQUEUE_AFTER
(seconds a handed-out row may wait for a worker before ``resume`` hands it out again: 900).
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from communities.models import CommunityPage, Membership
from communities.permissions import prime_memberships

from .emails import RoundupMail, message_id
from .models import Delivery, RoundupPage, Subscription

logger = logging.getLogger(__name__)

Status = Delivery.Status
CREATE_CHUNK = 1000
BATCH_SIZE = 200
# How long after sending began a roundup without deliveries is taken to have lost its queueing task.
# Bounded, so a roundup nobody was subscribed to is not looked at again for ever.
LOST_QUEUEING_HORIZON = timedelta(days=1)
NOT_ELIGIBLE = "No longer subscribed, verified or allowed to read this roundup."
STUCK = "Claimed the most times allowed without being confirmed sent; it may have been delivered."


def max_attempts():
    return settings.ROUNDUP_MAX_ATTEMPTS


def retry_backoff(attempts):
    """How long to wait after the given number of failed attempts: the base delay, doubled each time."""
    return timedelta(seconds=settings.ROUNDUP_RETRY_BACKOFF) * 2 ** (attempts - 1)


def claim_timeout():
    return timedelta(seconds=settings.ROUNDUP_CLAIM_TIMEOUT)


def requeue_after():
    return timedelta(seconds=settings.ROUNDUP_REQUEUE_AFTER)


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    gave_up: int = 0
    errors: list = field(default_factory=list)  # (address, error text)

    def add(self, other):
        self.sent += other.sent
        self.skipped += other.skipped
        self.failed += other.failed
        self.gave_up += other.gave_up
        self.errors.extend(other.errors)


# Who gets it

def recipients(roundup):
    """The members who should get this roundup now, as one query: ``can_subscribe`` and ``can_read_roundup``.

    Active subscribers of the roundup's stream who are active users whose address is verified; for a
    members-only or private community, only its active members (someone who subscribed while asking to join
    gets it once they are in); for an unpublished community, nobody.
    """
    community = roundup.community
    if community is not None and not community.live:
        return get_user_model().objects.none()
    subscribed = Subscription.objects.filter(user=OuterRef("pk"), is_active=True)
    subscribed = subscribed.filter(community=community) if community is not None else subscribed.filter(community__isnull=True)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True)
    users = get_user_model().objects.filter(Exists(subscribed), Exists(verified), is_active=True).exclude(email="")
    if community is not None and community.visibility != CommunityPage.Visibility.PUBLIC:
        users = users.filter(Exists(Membership.objects.active().filter(user=OuterRef("pk"), community=community)))
    return users


# Starting

def begin(roundup_id):
    """Start sending a live roundup that has never been sent, enqueueing its queueing; False if it was."""
    from .tasks import queue_roundup

    if not RoundupPage.objects.filter(pk=roundup_id, live=True).exists() or not stamp_started(roundup_id):
        return False
    queue_roundup.enqueue(roundup_id)
    return True


def stamp_started(roundup_id):
    """Set ``sending_started_at`` if it is empty: True for the one caller that does. The claim on the whole send."""
    return RoundupPage.objects.filter(pk=roundup_id, sending_started_at__isnull=True).update(
        sending_started_at=timezone.now()
    ) == 1


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def queue_deliveries(roundup):
    """One queued Delivery per recipient, written in a single transaction; nothing if any exist already.

    Recipients are streamed and written ``CREATE_CHUNK`` at a time, so memory stays flat however many
    there are. Because the rows appear all at once or not at all, "no rows" means "never queued".
    """
    if Delivery.objects.filter(roundup=roundup).exists():
        return 0
    handed_out_until = timezone.now() + requeue_after()
    queued = 0
    with transaction.atomic():
        rows = recipients(roundup).order_by("pk").values_list("pk", "email").iterator(chunk_size=CREATE_CHUNK)
        for chunk in _chunks(rows, CREATE_CHUNK):
            Delivery.objects.bulk_create(
                [Delivery(roundup=roundup, user_id=user_id, email=email, next_attempt_at=handed_out_until)
                 for user_id, email in chunk],
                ignore_conflicts=True,
            )
            queued += len(chunk)
    return queued


def dispatch(roundup):
    """Queue the roundup's deliveries and hand them to workers: the queueing task's whole job."""
    queued = queue_deliveries(roundup)
    enqueue_batches(roundup.pk, Delivery.objects.filter(roundup=roundup, status=Status.QUEUED))
    return queued


# Which rows are due

def claimable(now, timeout):
    """Rows a sender may claim: queued, failed and due for a retry, or claimed longer ago than ``timeout``."""
    return (
        Q(status=Status.QUEUED)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lte=now - timeout, attempts__lt=max_attempts())
    )


def waiting(now, timeout):
    """Rows ``resume`` should hand out: claimable ones, except queued rows handed out too recently to have run."""
    return claimable(now, timeout) & ~Q(status=Status.QUEUED, next_attempt_at__gt=now)


def id_batches(deliveries, size=BATCH_SIZE):
    """The rows' ids in order, ``size`` at a time, read afresh for each batch since rows change as they are sent."""
    last = 0
    while ids := list(deliveries.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]):
        yield ids
        last = ids[-1]


def enqueue_batches(roundup_id, deliveries):
    """Hand the rows to ``send_roundup_batch`` tasks; a row no worker has taken is handed out again later."""
    from .tasks import send_roundup_batch

    handed = 0
    for ids in id_batches(deliveries):
        Delivery.objects.filter(pk__in=ids, status__in=[Status.QUEUED, Status.FAILED]).update(
            status=Status.QUEUED, next_attempt_at=timezone.now() + requeue_after()
        )
        send_roundup_batch.enqueue(roundup_id, ids)
        handed += len(ids)
    return handed


# Sending

def claim(delivery_id, timeout):
    """Take the row for sending if nobody else may have it (see ``claimable``): True if this caller did."""
    now = timezone.now()
    return Delivery.objects.filter(claimable(now, timeout), pk=delivery_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    ) == 1


def _finish(delivery, status, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)


def _reply(text):
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def describe_error(error):
    """A line for the ledger: the server's reply where there is one ("550 5.1.1 No such user (x@example.org)")."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {_reply(reply)} ({address})" for address, (code, reply) in error.recipients.items())
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_reply(error.smtp_error)}"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:1000]


def _record_failure(delivery, address, error, outcome):
    attempts = delivery.attempts + 1  # the claim counted this one
    text = describe_error(error)
    outcome.errors.append((address, text))
    logger.warning("Roundup delivery %s to %s failed (attempt %s): %s", delivery.pk, address, attempts, text)
    if attempts >= max_attempts():
        _finish(delivery, Status.GAVE_UP, last_error=text, next_attempt_at=None)
        outcome.gave_up += 1
    else:
        _finish(delivery, Status.FAILED, last_error=text, next_attempt_at=timezone.now() + retry_backoff(attempts))
        outcome.failed += 1


def _reconnect_if_dropped(connection, error):
    """After the server hung up (or said 421, "closing"), open a new connection for the rest of the batch.

    Raises if that fails too: the rest of the batch stays as it was, for a later run.
    """
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError) or getattr(error, "smtp_code", None) == 421:
        connection.close()
        connection.open()


def _deliver(delivery, address, mail, connection, timeout, outcome):
    if not claim(delivery.pk, timeout):
        return  # sent meanwhile, or another sender has it
    if address is None:
        _finish(delivery, Status.SKIPPED, last_error=NOT_ELIGIBLE, next_attempt_at=None)
        outcome.skipped += 1
        return
    identifier = message_id(delivery.roundup_id, delivery.user_id)
    try:
        connection.send_messages([mail.message(delivery.user, to=address, message_id=identifier)])
    except Exception as error:  # noqa: BLE001 - recorded on the row; the rest of the batch carries on
        _record_failure(delivery, address, error, outcome)
        _reconnect_if_dropped(connection, error)
    else:
        _finish(delivery, Status.SENT, sent_at=timezone.now(), email=address, message_id=identifier,
                last_error="", next_attempt_at=None)
        outcome.sent += 1


def send_batch(roundup_id, delivery_ids, timeout=None):
    """Send these deliveries of one roundup over one mail server connection; see the module docstring.

    The connection is opened before anything is claimed, so an unreachable server costs no attempts.
    """
    timeout = claim_timeout() if timeout is None else timeout
    outcome = Outcome()
    deliveries = list(
        Delivery.objects.filter(claimable(timezone.now(), timeout), roundup_id=roundup_id, pk__in=list(delivery_ids))
        .select_related("user__profile").order_by("pk")
    )
    if not deliveries:
        return outcome
    roundup = RoundupPage.objects.select_related("community").get(pk=roundup_id)
    users = [delivery.user for delivery in deliveries]
    addresses = dict(recipients(roundup).filter(pk__in=[user.pk for user in users]).values_list("pk", "email"))
    prime_memberships(users)
    mail = RoundupMail(roundup)
    with get_connection() as connection:
        for delivery in deliveries:
            _deliver(delivery, addresses.get(delivery.user_id), mail, connection, timeout, outcome)
    return outcome


def claimable_deliveries(roundup, timeout=None):
    timeout = claim_timeout() if timeout is None else timeout
    return Delivery.objects.filter(claimable(timezone.now(), timeout), roundup=roundup)


def send_due(roundup, timeout=None, progress=None):
    """Send every delivery of the roundup that may be claimed, here and now, batch by batch (the command's way)."""
    total = Outcome()
    for ids in id_batches(claimable_deliveries(roundup, timeout)):
        batch = send_batch(roundup.pk, ids, timeout)
        total.add(batch)
        if progress:
            progress(total, batch)
    return total


# Recovering

def give_up_stuck(roundup=None):
    """Rows whose every claim ran out without a "sent": stop retrying them (each retry may be a duplicate)."""
    stuck = Delivery.objects.filter(
        status=Status.SENDING, claimed_at__lte=timezone.now() - claim_timeout(), attempts__gte=max_attempts()
    )
    if roundup is not None:
        stuck = stuck.filter(roundup=roundup)
    return stuck.update(status=Status.GAVE_UP, last_error=STUCK)


def _lost_queueing(roundup, now):
    """Roundups whose sending began a while ago but whose deliveries were never written."""
    started = RoundupPage.objects.filter(
        sending_started_at__lte=now - requeue_after(), sending_started_at__gte=now - LOST_QUEUEING_HORIZON
    ).filter(~Exists(Delivery.objects.filter(roundup=OuterRef("pk"))))
    if roundup is not None:
        started = started.filter(pk=roundup.pk)
    return list(started.values_list("pk", flat=True))


def resume(roundup=None):
    """Hand out again everything due, for one roundup or all: the periodic runner calls this every minute.

    That is: queueing that was lost, queued rows no worker took, failed rows whose retry time has come, and
    rows whose sender died holding the claim. Returns how many rows were handed out.
    """
    from .tasks import queue_roundup

    now = timezone.now()
    give_up_stuck(roundup)
    for roundup_id in _lost_queueing(roundup, now):
        queue_roundup.enqueue(roundup_id)
    due = Delivery.objects.filter(waiting(now, claim_timeout()))
    if roundup is not None:
        due = due.filter(roundup=roundup)
    roundup_ids = list(due.order_by().values_list("roundup_id", flat=True).distinct())
    return sum(enqueue_batches(roundup_id, due.filter(roundup_id=roundup_id)) for roundup_id in roundup_ids)


# Reporting

@dataclass
class Ledger:
    counts: dict
    problems: list  # Delivery rows that failed or were given up, newest attempt first

    @property
    def total(self):
        return sum(self.counts.values())


def retry_now(roundup):
    """Make the roundup's failed deliveries due at once and hand them out: the admin's "retry now"."""
    roundup.deliveries.filter(status=Status.FAILED).update(next_attempt_at=timezone.now())
    return resume(roundup)


def ledger(roundup, problems=20):
    """How the roundup's sending stands: rows per status, and the latest failures with their errors."""
    counts = {status: 0 for status in Status.values}
    counts.update(Delivery.objects.filter(roundup=roundup).order_by().values_list("status").annotate(Count("pk")))
    failing = Delivery.objects.filter(roundup=roundup, status__in=[Status.FAILED, Status.GAVE_UP])
    return Ledger(counts=counts, problems=list(failing.order_by("-claimed_at", "pk")[:problems]))
