"""Who may see, download and share library items. A deck inherits its community's rules; the public library is open."""

from django.db.models import Q

from communities import permissions as community_permissions
from communities.models import CommunityPage


def can_view_deck(user, deck):
    return deck.community_id is None or community_permissions.can_read_forum(user, deck.community)


def can_manage_deck(user, deck):
    """The uploader, the community's facilitators and staff may retry processing or remove a deck."""
    is_uploader = user.is_authenticated and deck.uploaded_by_id == user.pk
    if is_uploader or community_permissions.is_staff(user):
        return True
    return deck.community_id is not None and community_permissions.can_moderate(user, deck.community)


def can_share_in_public_library(user):
    """Facilitators of any community, and staff."""
    if community_permissions.is_staff(user):
        return True
    return any(m.is_facilitator for m in community_permissions.memberships(user).values())


def upload_communities(user):
    """Communities this user may share a deck with: those they can post in."""
    if not community_permissions.has_verified_email(user):
        return CommunityPage.objects.none()
    if community_permissions.is_staff(user):
        return CommunityPage.objects.live().order_by("title")
    active = [cid for cid, m in community_permissions.memberships(user).items() if m.is_active]
    return CommunityPage.objects.live().filter(pk__in=active).order_by("title")


def can_upload(user):
    return upload_communities(user).exists() or (
        can_share_in_public_library(user) and community_permissions.has_verified_email(user)
    )


def readable_decks_filter(user):
    """A filter on SlideDeck for the decks this user may see (for listings, feeds and search)."""
    readable = community_permissions.readable_community_ids(user)
    if readable is None:  # staff
        return Q()
    return (
        Q(community__isnull=True)
        | Q(community__visibility=CommunityPage.Visibility.PUBLIC, community__live=True)
        | Q(community_id__in=readable, community__live=True)
    )


def deck_readers_key(user):
    """A string naming everyone who may see the same decks as this user (readable_decks_filter): staff, or the
    non-public communities they read. For caching what depends only on which decks someone may see."""
    readable = community_permissions.readable_community_ids(user)
    return "all" if readable is None else ",".join(map(str, sorted(readable)))
