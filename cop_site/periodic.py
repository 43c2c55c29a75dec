"""Work that must happen on a clock: scheduled publishing, retries, outbox replay, rescues and the daily digest.

``manage.py run_periodic`` runs these in a loop beside the task worker (``make run`` starts it); in
production, cron can run ``manage.py run_periodic --once`` every minute instead. Every job is safe to
run twice and at any time, so a missed or doubled tick loses and repeats nothing.
"""

import logging
from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

logger = logging.getLogger(__name__)


def publish_scheduled_pages():
    """Wagtail's own scheduled publishing (a roundup with a go-live time is sent when it goes live)."""
    call_command("publish_scheduled", verbosity=0)


def replay_search_outbox():
    """Index changes made while a search backend was unreachable."""
    from search.indexing import apply_all

    apply_all()


def resume_roundup_deliveries():
    """Roundup emails that are queued, due for a retry, or were in flight when a worker died."""
    from newsletters.sending import resume

    resume()


def rescue_stalled_decks():
    """Slide decks a dead worker left half-processed, or whose queue entry was lost."""
    from library.tasks import rescue_stalled_decks

    rescue_stalled_decks()


def retry_notification_emails():
    """Notification emails a failed send or a dead worker left unsent."""
    from communities.tasks import retry_overdue

    retry_overdue()


def send_notification_digests():
    call_command("send_notification_digests", verbosity=0)


@dataclass
class Job:
    name: str
    run: object
    daily_at: time | None = None  # None: every tick

    def is_due(self, now, last_run):
        if self.daily_at is None:
            return True
        local = timezone.localtime(now)
        return local.time() >= self.daily_at and (last_run is None or timezone.localtime(last_run).date() < local.date())


def jobs():
    return [
        Job("publish scheduled pages", publish_scheduled_pages),
        Job("replay the search outbox", replay_search_outbox),
        Job("resume roundup deliveries", resume_roundup_deliveries),
        Job("rescue stalled slide decks", rescue_stalled_decks),
        Job("retry notification emails", retry_notification_emails),
        Job("send notification digests", send_notification_digests, daily_at=time(settings.DIGEST_HOUR)),
    ]


def run_due(last_runs, now=None, include_daily=True):
    """Run every job that is due, each on its own: one failing does not stop the others.

    ``last_runs`` maps job names to when they last ran, and is updated. Returns the names that failed.
    """
    now = now or timezone.now()
    failed = []
    for job in jobs():
        if job.daily_at is not None and not include_daily:
            continue
        if not job.is_due(now, last_runs.get(job.name)):
            continue
        try:
            job.run()
        except Exception:  # noqa: BLE001 - logged, reported, retried on the next tick
            logger.exception("Periodic job %r failed", job.name)
            failed.append(job.name)
        else:
            last_runs[job.name] = now
    return failed
