"""Who may read, compile, subscribe to and receive which roundup. Views, emails, search and feeds ask here.

A roundup follows its community's rules: a members-only or private community's roundup is for its members.
The site-wide roundup is public, but each item in it is shown only to those who may read that item.
"""

from communities import permissions as community_permissions
from communities.models import CommunityPage, Membership


def is_public_roundup(roundup):
    community = roundup.community
    return community is None or (community.live and community.visibility == CommunityPage.Visibility.PUBLIC)


def can_read_roundup(user, roundup):
    if not roundup.live:
        return can_compile(user, roundup.community)
    return roundup.community is None or community_permissions.can_read_forum(user, roundup.community)


def can_compile(user, community):
    """A community's facilitators (and staff) compile and send its roundup; staff alone the site-wide one."""
    if community is None:
        return community_permissions.is_staff(user)
    return community_permissions.can_moderate(user, community)


def can_subscribe(user, community):
    """Anyone signed in may take the site-wide and public communities' roundups; others are for members, and
    for those asking or invited to join (the roundup reaches them only once they are members: see sending)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if community is None:
        return True
    if not community.live:
        return False
    if community.visibility == CommunityPage.Visibility.PUBLIC:
        return True
    found = community_permissions.membership(user, community)
    return bool(found and found.status in {Membership.Status.ACTIVE, Membership.Status.PENDING, Membership.Status.INVITED})


def can_receive(user, community):
    """Whether the roundup may be emailed to this subscriber now: a members' roundup only to its members."""
    if not can_subscribe(user, community):
        return False
    return (community is None or community.visibility == CommunityPage.Visibility.PUBLIC
            or community_permissions.is_member(user, community))


EVERYONE = "everyone"
NOBODY = "nobody"


def item_audience(kind, item, restricted_paths):
    """Who may see a roundup item: EVERYONE, NOBODY, or the id of the community whose members may.

    Deciding per item rather than per reader lets an email be rendered once for everyone who shares the
    same view of the roundup, which is what keeps sending to thousands fast. ``restricted_paths`` are the
    paths of the pages with view restrictions, loaded once for the whole roundup.
    """
    if item is None:
        return NOBODY
    if kind == "case_study":
        restricted = any(item.path.startswith(path) for path in restricted_paths)
        return EVERYONE if item.live and not restricted else NOBODY
    if kind == "thread" and item.is_hidden:
        return NOBODY
    community = item.community
    if community is None and kind == "deck":
        return EVERYONE
    if community is None or not community.live:
        return NOBODY
    return EVERYONE if community.visibility == CommunityPage.Visibility.PUBLIC else community.pk


def may_see(user, audience):
    if audience == EVERYONE:
        return True
    if audience == NOBODY:
        return False
    readable = community_permissions.readable_community_ids(user)
    return readable is None or audience in readable
