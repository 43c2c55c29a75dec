"""Notification rows as the site would have left them: mostly read, the recent ones often not, and each one
emailed as its recipient chose (at once, in the next morning's digest, or never), so nothing is left for the
email jobs to send when the generated site starts."""

from django.conf import settings

from communities.models import Notification, Profile

from .people import FREQUENCIES, People
from .rows import TableWriter
from .timeline import DAY, as_datetime, next_morning

RECENT = 14 * DAY
UNREAD_RECENT_SHARE = 0.5
UNREAD_OLDER_SHARE = 0.08
Frequency = Profile.EmailFrequency


class Notifications:
    def __init__(self, run, people: People):
        self.rng = run.rng("notifications")
        self.now = run.timeline.now
        self.people = people
        self.writer = TableWriter(Notification, [
            "recipient", "kind", "actor", "community", "post", "membership", "created_at", "read_at", "emailed_at",
            "email_claimed_at", "email_skipped",
        ])

    def add(self, recipient_id, kind, actor_id, community_id, created, post_id=None, membership_id=None):
        rng = self.rng
        unread_share = UNREAD_RECENT_SHARE if created >= self.now - RECENT else UNREAD_OLDER_SHARE
        read_at = None if rng.random() < unread_share else min(self.now, created + rng.expovariate(1 / (2 * DAY)))
        frequency = FREQUENCIES[self.people.frequency[recipient_id - self.people.first_id]]
        emailed_at, skipped = None, False
        if frequency == Frequency.IMMEDIATELY:
            emailed_at = min(self.now, created + 60)
        elif frequency == Frequency.DAILY:
            digest = next_morning(created, settings.DIGEST_HOUR)
            emailed_at = digest if digest <= self.now else None  # waits for tomorrow's digest
        else:
            skipped = True
        self.writer.add((recipient_id, kind, actor_id, community_id, post_id, membership_id, as_datetime(created),
                         as_datetime(read_at) if read_at else None, as_datetime(emailed_at) if emailed_at else None,
                         None, skipped))

    def flush(self):
        self.writer.flush()

    @property
    def written(self):
        return self.writer.written
