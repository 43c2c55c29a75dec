"""Demo roundups for `manage.py load_demo`: subscriptions, last month's roundup published and this month's draft.

Safe to run again: a roundup that exists is left as the facilitator (or an editor) made it, and is never
published twice, since publishing sends it; a member who has since unsubscribed stays unsubscribed.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from communities.demo import PEOPLE
from communities.models import CommunityPage, Membership, Post, Thread
from library.models import SlideDeck
from search import service as search_service

from .compile import compile_roundup, current_month, month_bounds, roundup_for, shift_month
from .models import Subscription
from .subscriptions import subscribe, subscription

COMMUNITY = "policy-and-performance"
FACILITATOR = "priya"

# What the demo moves into last month (the rest of the demo starts today), so last month has something to round up.
LAST_MONTH_THREAD = "NI14 avoidable contact: a sampling approach that survived audit"
LAST_MONTH_DECK = "Avoidable contact (NI14): a sampling method that survived audit"

LAST_MONTH_INTRO = (
    "<p>Last month the community went back to avoidable contact. Dana shared the sampling method Harbourside "
    "used for NI14 before the indicator was dropped, with her slides from the regional performance officers' "
    "network: two weeks of contacts across phone, web and face to face, each one classed as value or avoidable, "
    "and the top causes sent back to the services that create them.</p>"
    "<p>The replies made the point worth repeating: the number on its own changed nothing. Publishing the top "
    "five causes every quarter, each with a named owner, did. Unclear letters came top of one council's list, "
    "and rewriting a single council tax reminder cut calls noticeably.</p>"
    "<p>If your council still samples avoidable contact, add your method to the discussion. And if a colleague "
    "would find this useful, send it on: joining takes a minute.</p>"
)


@transaction.atomic
def load_subscriptions(stdout):
    """Each demo member takes the site-wide roundup and those of their communities, unless they have chosen before."""
    members = get_user_model().objects.filter(
        username__in=[person["username"] for person in PEOPLE if not person.get("superuser")]
    ).order_by("username")
    for user in members:
        communities = CommunityPage.objects.live().filter(
            memberships__user=user, memberships__status=Membership.Status.ACTIVE
        ).order_by("title")
        taken = [community for community in [None, *communities] if subscription(user, community) is None]
        for community in taken:
            subscribe(user, community, Subscription.Source.DEMO)
        if taken:
            names = ", ".join(community.title if community else "site-wide" for community in taken)
            stdout.write(f"  {user.username} subscribed to roundups: {names}")


def _on(month, day, hour):
    start, _ = month_bounds(month)
    return start + timedelta(days=day - 1, hours=hour)


def _move_into(month, community):
    """Date the NI14 discussion (a reply every couple of days) and its slides in ``month``."""
    thread = Thread.objects.filter(community=community, title=LAST_MONTH_THREAD).first()
    if thread is not None:
        posts = list(Post.objects.filter(thread=thread).order_by("position"))
        for n, post in enumerate(posts):
            Post.objects.filter(pk=post.pk).update(created_at=_on(month, 9 + 2 * n, 10))
        Thread.objects.filter(pk=thread.pk).update(
            created_at=_on(month, 9, 10), last_post_at=_on(month, 9 + 2 * (len(posts) - 1), 10)
        )
        search_service.index(thread)
    for deck in SlideDeck.objects.filter(community=community, title=LAST_MONTH_DECK):
        SlideDeck.objects.filter(pk=deck.pk).update(created_at=_on(month, 12, 14))
        search_service.index(deck)


@transaction.atomic
def load_roundups(stdout):
    """Last month's Policy and Performance roundup, written up and published; this month's, compiled as a draft."""
    community = CommunityPage.objects.get(slug=COMMUNITY)
    facilitator = get_user_model().objects.get(username=FACILITATOR)
    this_month = current_month()
    last_month = shift_month(this_month, -1)

    existing = roundup_for(community, last_month)
    if existing is None:
        _move_into(last_month, community)
        draft = compile_roundup(community, last_month, facilitator).roundup.get_latest_revision_as_object()
        draft.intro = LAST_MONTH_INTRO
        draft.save_revision(user=facilitator).publish(user=facilitator, skip_permission_checks=True)
        stdout.write(f"  published {draft.title}")
    else:
        stdout.write(f"  kept {existing.title}")

    existing = roundup_for(community, this_month)
    if existing is None:
        draft = compile_roundup(community, this_month, facilitator).roundup
        stdout.write(f"  compiled a draft of {draft.title}")
    else:
        stdout.write(f"  kept {existing.title}")
