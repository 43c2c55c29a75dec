"""Compiling a month's roundup: the month's activity, the items worth reading, and the late entries.

Compile creates the roundup as a draft, or adds to the draft it made before. Everything it ever offered is
remembered in ``compiled_keys``, so a re-compile adds only what is new: the facilitator's intro, order,
edits and removals stay as they left them. Months are calendar months in the site's time zone.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import strip_tags
from django.utils.text import Truncator

from communities.models import Membership, Post, Thread
from communities.notifications import excerpt
from library.models import CaseStudyPage, SlideDeck

from .blocks import Section
from .models import NewsletterIndexPage, RoundupPage

LINE_CHARS = 220
LIMITS = {Section.BUSIEST: 5, Section.NEW_THREADS: 10, Section.DECKS: 10, Section.CASE_STUDIES: 10, Section.LATE: 10}


class CompileError(Exception):
    """Raised with a message for the facilitator when a roundup cannot be compiled."""


@dataclass
class Candidate:
    """An item compile proposes: ``kind`` is the block type and the first half of ``key``."""

    kind: str
    obj: object
    section: str
    line: str = ""
    replies: int | None = None

    @property
    def key(self):
        return f"{self.kind}:{self.obj.pk}"

    def as_block(self):
        value = {self.kind: self.obj.pk, "section": self.section, "line": self.line}
        if self.kind == "thread":
            value["replies"] = self.replies
        return {"type": self.kind, "value": value}


@dataclass
class CompileResult:
    roundup: RoundupPage
    created: bool
    added: list = field(default_factory=list)


# Months

def parse_month(text):
    """"2026-10" -> date(2026, 10, 1); raises CompileError with a readable message otherwise."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise CompileError(f"{text!r} is not a month: write it as YYYY-MM, for example 2026-10.") from None


def shift_month(month, months):
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month):
    """The month as [start, end) in aware datetimes, midnight to midnight in the site's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    nxt = shift_month(month, 1)
    return start, datetime(nxt.year, nxt.month, 1, tzinfo=zone)


def current_month():
    return timezone.localdate().replace(day=1)


# What happened

def _in_community(queryset, community, field_name="community"):
    return queryset.filter(**{field_name: community}) if community is not None else queryset


def _posts(community, start, end):
    posts = Post.objects.filter(created_at__gte=start, created_at__lt=end, is_hidden=False, is_deleted=False,
                                thread__is_hidden=False, thread__community__live=True)
    return _in_community(posts, community, "thread__community")


def _new_members(community, start, end):
    if community is None:
        return get_user_model().objects.filter(date_joined__gte=start, date_joined__lt=end, is_active=True).count()
    return Membership.objects.active().filter(community=community, created_at__gte=start, created_at__lt=end).count()


def _counts(community, start, end):
    posts = _posts(community, start, end).aggregate(posts=Count("pk"), active_members=Count("author", distinct=True))
    return {
        **posts,
        "new_members": _new_members(community, start, end),
        "new_threads": _in_community(Thread.objects.filter(created_at__gte=start, created_at__lt=end, is_hidden=False), community).count(),
        "new_decks": _in_community(SlideDeck.objects.filter(created_at__gte=start, created_at__lt=end), community).count(),
        "new_case_studies": _in_community(
            CaseStudyPage.objects.live().filter(first_published_at__gte=start, first_published_at__lt=end), community
        ).count(),
    }


def activity(community, month):
    """Key figures for the month and the one before ("previous_<key>"), and posts per day: what the
    facilitator writes from. Counts only, never titles, so the site-wide figures may include every community.
    """
    start, end = month_bounds(month)
    previous_start, _ = month_bounds(shift_month(month, -1))
    zone = timezone.get_default_timezone()
    per_day = dict(
        _posts(community, start, end).annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("day").annotate(count=Count("pk")).values_list("day", "count")
    )
    days = (end.date() - start.date()).days
    previous = {f"previous_{key}": value for key, value in _counts(community, previous_start, start).items()}
    return {
        **_counts(community, start, end),
        **previous,
        "posts_per_day": [per_day.get(start.date() + timedelta(days=n), 0) for n in range(days)],
    }


# What to offer

def _plain_line(text):
    return Truncator(" ".join(strip_tags(text or "").split())).chars(LINE_CHARS)


def _thread_candidates(threads, section, replies=None):
    threads = list(threads)
    openings = {post.thread_id: post for post in Post.objects.filter(thread__in=threads, position=1)}
    return [
        Candidate("thread", thread, section, line=excerpt(openings.get(thread.pk), LINE_CHARS),
                  replies=(replies or {}).get(thread.pk, thread.reply_count))
        for thread in threads
    ]


def _deck_candidates(decks, section):
    return [Candidate("deck", deck, section, line=_plain_line(deck.description) or deck.event) for deck in decks]


def _case_study_candidates(studies, section):
    return [Candidate("case_study", study, section, line=_plain_line(study.summary)) for study in studies]


def _threads(community):
    return _in_community(Thread.objects.filter(is_hidden=False, community__live=True), community).select_related("community")


def _decks(community):
    return _in_community(SlideDeck.objects.all(), community).select_related("community")


def _case_studies(community):
    return _in_community(CaseStudyPage.objects.live().public(), community)


def busiest_threads(community, start, end, limit):
    """The threads with the most replies during the month, with those counts."""
    replies_in_month = Count("posts", filter=Q(
        posts__created_at__gte=start, posts__created_at__lt=end, posts__position__gt=1,
        posts__is_hidden=False, posts__is_deleted=False,
    ))
    busiest = list(
        _threads(community).annotate(month_replies=replies_in_month).filter(month_replies__gt=0)
        .order_by("-month_replies", "-last_post_at")[:limit]
    )
    return _thread_candidates(busiest, Section.BUSIEST, {t.pk: t.month_replies for t in busiest})


def created_between(community, start, end, section, limits=None, exclude=()):
    """New threads, decks and case studies created in [start, end), each kind in its own section (or one)."""
    limits = limits or LIMITS

    def limit(own_section):
        return limits[section or own_section]

    threads = _threads(community).filter(created_at__gte=start, created_at__lt=end).exclude(
        pk__in=[int(key.split(":")[1]) for key in exclude if key.startswith("thread:")]
    ).order_by("-reply_count", "-created_at")[:limit(Section.NEW_THREADS)]
    decks = _decks(community).filter(created_at__gte=start, created_at__lt=end).order_by("-created_at")[:limit(Section.DECKS)]
    studies = _case_studies(community).filter(first_published_at__gte=start, first_published_at__lt=end).order_by(
        "-first_published_at")[:limit(Section.CASE_STUDIES)]
    return [
        *_thread_candidates(threads, section or Section.NEW_THREADS),
        *_deck_candidates(decks, section or Section.DECKS),
        *_case_study_candidates(studies, section or Section.CASE_STUDIES),
    ]


def late_entries(community, month, previous):
    """What arrived in an earlier month after that month's roundup was compiled, and so missed it."""
    if previous is None or previous.compiled_at is None:
        return []
    _, previous_end = month_bounds(previous.month)
    if previous.compiled_at >= previous_end:
        return []
    offered = set(previous.compiled_keys)
    return [
        candidate
        for candidate in created_between(community, previous.compiled_at, previous_end, Section.LATE)
        if candidate.key not in offered
    ]


def candidates(community, month, previous=None, following=None):
    """Everything worth a place in the month's roundup, each item once, in the order it should appear."""
    start, end = month_bounds(month)
    busiest = busiest_threads(community, start, end, LIMITS[Section.BUSIEST])
    taken_later = {key for key, section in (following.compiled_keys if following else {}).items() if section == Section.LATE}
    new = created_between(community, start, end, None, exclude={c.key for c in busiest})
    chosen, seen = [], set(taken_later)
    for candidate in [*busiest, *new, *late_entries(community, month, previous)]:
        if candidate.key not in seen:
            seen.add(candidate.key)
            chosen.append(candidate)
    return chosen


# The roundup page

def roundup_for(community, month):
    return RoundupPage.objects.filter(month=month, **(
        {"community": community} if community is not None else {"community__isnull": True}
    )).first()


def _title(community, month):
    stream = community.title if community is not None else settings.WAGTAIL_SITE_NAME
    return f"{stream}: {format_date(month, 'F Y')} roundup"


def _slug(community, month):
    return f"{month:%Y-%m}-{community.slug}" if community is not None else f"{month:%Y-%m}"


def _new_roundup(community, month):
    index = NewsletterIndexPage.objects.first()
    if index is None:
        raise CompileError("There is no newsletter archive page (/newsletters/) to put roundups under.")
    roundup = RoundupPage(title=_title(community, month), slug=_slug(community, month), community=community,
                          month=month, live=False)
    index.add_child(instance=roundup)
    return roundup


def merge(body, new):
    """Put each new item after the last item of its section, or under a new heading at the end."""
    blocks = list(body)
    for candidate in new:
        positions = [i for i, block in enumerate(blocks) if block["type"] != "heading"
                     and isinstance(block["value"], dict) and block["value"].get("section") == candidate.section]
        if positions:
            blocks.insert(positions[-1] + 1, candidate.as_block())
        else:
            blocks.append({"type": "heading", "value": Section.HEADINGS[candidate.section]})
            blocks.append(candidate.as_block())
    return blocks


@transaction.atomic
def compile_roundup(community, month, user=None):
    """Create or update the draft roundup of ``community`` (None: the whole site) for ``month``."""
    existing = roundup_for(community, month)
    if existing is not None and existing.sending_started_at is not None:
        raise CompileError(f"“{existing.title}” has already been sent; it can't be compiled again.")
    created = existing is None
    roundup = _new_roundup(community, month) if created else existing
    RoundupPage.objects.select_for_update().filter(pk=roundup.pk).first()  # one compile at a time per roundup
    draft = roundup.get_latest_revision_as_object() if not created else roundup

    previous = roundup_for(community, shift_month(month, -1))
    following = roundup_for(community, shift_month(month, 1))
    offered = dict(draft.compiled_keys or {})
    new = [c for c in candidates(community, month, previous, following) if c.key not in offered]

    draft.body = merge(draft.body.raw_data, new)
    draft.figures = activity(community, month)
    draft.compiled_at = timezone.now()
    draft.compiled_keys = {**offered, **{c.key: c.section for c in new}}
    draft.save_revision(user=user, log_action=True)
    # The row carries the bookkeeping too, so next month's compile finds it whether or not this is published.
    RoundupPage.objects.filter(pk=roundup.pk).update(
        figures=draft.figures, compiled_at=draft.compiled_at, compiled_keys=draft.compiled_keys
    )
    roundup.refresh_from_db()
    return CompileResult(roundup=roundup, created=created, added=new)
