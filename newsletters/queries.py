"""The newsletters app's named queries: the archive, the feed and the email preferences choose from these.

The roundup filters follow ``permissions.can_read_roundup`` and ``permissions.is_public_roundup`` row for
row, built on the communities' own rule (``readable_community_ids``), so a listing never shows a roundup
its page would refuse. Pages an editor has put behind a view restriction are listed for staff only.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Q

from communities.models import CommunityPage, Membership
from communities.permissions import readable_community_ids

from .models import NewsletterIndexPage, RoundupPage, Subscription
from .permissions import can_subscribe

ROUNDUPS_PER_PAGE = 24
FEED_LENGTH = 30
SITE_WIDE = Q(community__isnull=True)
PUBLIC_COMMUNITY = Q(community__live=True, community__visibility=CommunityPage.Visibility.PUBLIC)


def newsletter_index():
    """The archive page at /newsletters/ (there is one), whose routes serve the archive and the feed."""
    return NewsletterIndexPage.objects.first()


def _newest_first(roundups):
    """By month, newest first; within a month the site-wide roundup, then communities by title."""
    return roundups.select_related("community").order_by(
        "-month", F("community__title").asc(nulls_first=True), "pk"
    )


def public_roundups():
    """Published roundups anyone may read: the site-wide ones and those of live public communities."""
    return RoundupPage.objects.live().public().filter(SITE_WIDE | PUBLIC_COMMUNITY)


def readable_roundups(user):
    """Published roundups this user may read: public ones, and members-only ones for their members (all for staff)."""
    readable = readable_community_ids(user)
    if readable is None:
        return RoundupPage.objects.live()
    return RoundupPage.objects.live().public().filter(
        SITE_WIDE | PUBLIC_COMMUNITY | Q(community_id__in=readable, community__live=True)
    )


def archive_communities(user):
    """The communities with a roundup this user may read, in title order: the archive's filter."""
    return CommunityPage.objects.filter(pk__in=readable_roundups(user).values("community_id")).order_by("title")


def archive_page(user, community, page_number):
    """One page of the archive, newest month first, optionally one community's roundups only."""
    roundups = readable_roundups(user)
    if community is not None:
        roundups = roundups.filter(community=community)
    return Paginator(_newest_first(roundups), ROUNDUPS_PER_PAGE).get_page(page_number)


def feed_roundups(community=None):
    """The newest public roundups for the feed, all of them or one public community's."""
    roundups = public_roundups()
    if community is not None:
        roundups = roundups.filter(community=community)
    return _newest_first(roundups)[:FEED_LENGTH]


def public_community(slug):
    """The live public community with this slug, or None: the only ones with a feed of their own."""
    return CommunityPage.objects.live().filter(slug=slug, visibility=CommunityPage.Visibility.PUBLIC).first()


@dataclass
class Stream:
    """One roundup a member may choose to get: the site-wide one (no community) or a community's."""

    community: CommunityPage | None
    subscribed: bool

    @property
    def key(self):
        return f"community_{self.community.pk}" if self.community is not None else "site"


def preference_streams(user):
    """The site-wide roundup, then by title each community's the member belongs to, takes, or took and may again."""
    chosen = dict(Subscription.objects.filter(user=user).values_list("community_id", "is_active"))
    communities = CommunityPage.objects.live().filter(
        Q(memberships__user=user, memberships__status=Membership.Status.ACTIVE) | Q(pk__in=chosen.keys() - {None})
    ).distinct().order_by("title")
    streams = [Stream(None, chosen.get(None, False))]
    streams += [Stream(community, chosen.get(community.pk, False)) for community in communities]
    return [stream for stream in streams if stream.subscribed or can_subscribe(user, stream.community)]
