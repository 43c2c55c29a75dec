"""Runs the phases in order and keeps the time and row counts of each for the summary.

All in one transaction, with the receivers that queue per-object work quiet, Wagtail's reference index not
updated page by page, and (on PostgreSQL) the written tables' foreign keys dropped during the bulk phases and
added back, which checks every row, before the roundups are compiled through the ORM.
"""

import random
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update

from communities.models import (
    CommunityPage, Flag, Membership, ModerationLog, Notification, Post, PostRevision, Profile, Thread, ThreadRead, Watch,
)
from cop_site.site_structure import ensure_site_structure
from library.models import CaseStudyPage, SlideDeck, SlideDeckPreview
from newsletters.models import Subscription

from .communities import create_communities, create_memberships
from .forum import create_forum
from .library import create_case_studies, create_decks
from .newsletters import create_roundups, create_subscriptions
from .notices import Notifications
from .people import create_people
from .progress import Progress
from .rows import analyze, per_object_signals_quiet, release_foreign_keys, reset_sequences, restore_foreign_keys
from .timeline import Timeline

DEFAULT_SEED = 2009


class DatabaseNotEmpty(Exception):
    """The database already has forum threads: generating more needs `force`."""


@dataclass
class Run:
    """One generation: its preset and seed, where progress goes, and what each phase took and wrote."""

    preset: object
    seed: int
    timeline: Timeline
    stderr: object = sys.stderr        # None: no progress bars
    counts: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)   # (phase, seconds)

    def rng(self, part):
        """A Random of its own for each part, so one part's draws never shift another's."""
        return random.Random(f"{self.seed}:{part}")

    def progress(self, label, total):
        return Progress(label, total, self.stderr)

    def count(self, name, rows):
        self.counts[name] = self.counts.get(name, 0) + rows

    @contextmanager
    def phase(self, name):
        started = time.monotonic()
        yield
        self.timings.append((name, time.monotonic() - started))

    @property
    def seconds(self):
        return sum(seconds for _, seconds in self.timings)


def bulk_written_models():
    """Every table the phases write rows to directly (not through the ORM)."""
    User = get_user_model()
    return [
        User, EmailAddress, Profile, Membership, Watch, ModerationLog, Notification, Thread, Post, ThreadRead,
        PostRevision, Flag, SlideDeck, SlideDeck.topics.through, SlideDeckPreview, Subscription, Page, CommunityPage,
        CaseStudyPage, CommunityPage.topics.through, CaseStudyPage.topics.through,
        CaseStudyPage.related_decks.through, CaseStudyPage.related_threads.through,
    ]


def generate(preset, seed=DEFAULT_SEED, *, force=False, stderr=sys.stderr):
    """Fill the database with `preset`'s data for `seed`; refuses a database with threads unless `force`.

    Everything is written in one transaction: an error leaves the database as it was (deck files already
    written stay in storage).
    """
    threads = Thread.objects.count()
    if threads and not force:
        raise DatabaseNotEmpty(f"The database already has {threads:,} forum threads.")
    run = Run(preset, seed, Timeline(timezone.now().replace(microsecond=0)), stderr)
    with transaction.atomic(), per_object_signals_quiet(), disable_reference_index_auto_update():
        with run.phase("Site structure"):
            ensure_site_structure()
            keys = release_foreign_keys(bulk_written_models())
        with run.phase("Members"):
            people = create_people(run)
        notifications = Notifications(run, people)
        with run.phase("Communities"):
            communities = create_communities(run)
        with run.phase("Memberships"):
            create_memberships(run, people, communities, notifications)
        with run.phase("Forum"):
            forum = create_forum(run, communities, notifications)
            notifications.flush()
            run.count("notifications", notifications.written)
        with run.phase("Slide decks"):
            library = create_decks(run, communities)
        with run.phase("Case studies"):
            create_case_studies(run, people, communities, forum, library)
        with run.phase("Subscriptions"):
            create_subscriptions(run, people, communities)
        with run.phase("Keys and statistics"):
            restore_foreign_keys(keys)
            reset_sequences([get_user_model(), Membership, Thread, Post, SlideDeck])
            analyze()
        with run.phase("Roundups"):
            create_roundups(run, people, communities)
    return run
