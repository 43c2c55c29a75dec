"""Who may see and do what in a community. Views, feeds, search and emails all ask here.

A user's memberships are loaded once per user object and reused, so checks cost no extra queries.
"""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q

from .models import CommunityPage, Membership

Visibility = CommunityPage.Visibility


def memberships(user):
    """{community_id: Membership} for every membership the user has, whatever its status."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_community_memberships"):
        user._community_memberships = {m.community_id: m for m in Membership.objects.filter(user=user)}
    return user._community_memberships


def prime_memberships(users):
    """Load every membership of these users in one query, so permission checks on them cost nothing more."""
    users = [user for user in users if not hasattr(user, "_community_memberships")]
    if not users:
        return
    by_user = {user.pk: {} for user in users}
    for found in Membership.objects.filter(user__in=list(by_user)):
        by_user[found.user_id][found.community_id] = found
    for user in users:
        user._community_memberships = by_user[user.pk]


def forget_memberships(user):
    """Drop the cached memberships (works through request.user's lazy wrapper too)."""
    try:
        del user._community_memberships
    except AttributeError:
        pass


def membership(user, community):
    return memberships(user).get(community.pk)


def is_member(user, community):
    found = membership(user, community)
    return bool(found and found.is_active)


def is_staff(user):
    return user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)


def can_moderate(user, community):
    """Facilitators of this community, and staff."""
    if is_staff(user):
        return True
    found = membership(user, community)
    return bool(found and found.is_facilitator)


def can_see_community(user, community):
    """Whether the community page exists for this user at all (private ones are invisible to outsiders)."""
    if not community.live:
        return is_staff(user)
    if community.visibility != Visibility.PRIVATE:
        return True
    found = membership(user, community)
    return is_staff(user) or bool(found and found.status in {Membership.Status.ACTIVE, Membership.Status.INVITED})


def can_read_forum(user, community):
    """Threads, members' library items and the member list."""
    if not community.live:
        return is_staff(user)
    return community.visibility == Visibility.PUBLIC or is_member(user, community) or is_staff(user)


def has_verified_email(user):
    """Known without a query for a user loaded with signed_in_user_facts() (every signed-in request's user)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_has_verified_email"):
        user._has_verified_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user._has_verified_email


def signed_in_user_facts():
    """Annotations that load, with a user, what has_verified_email() asks (cop_site.auth_backend uses them)."""
    return {"_has_verified_email": Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True))}


def can_post(user, community):
    return (is_member(user, community) or can_moderate(user, community)) and has_verified_email(user)


def can_join(user, community):
    """Open and approval communities take requests from signed-in people who aren't in or turned away."""
    if not user.is_authenticated or community.is_private or not community.live:
        return False
    found = membership(user, community)
    return found is None or found.status == Membership.Status.DECLINED


def can_read_thread(user, thread):
    return can_read_forum(user, thread.community) and (not thread.is_hidden or can_moderate(user, thread.community))


def can_edit_post(user, post):
    return user.is_authenticated and post.author_id == user.pk and not post.is_deleted and not post.thread.is_locked


def readable_community_ids(user):
    """Ids of the non-public communities whose discussions this user may read (for search and feeds)."""
    if is_staff(user):
        return None  # everything
    return [cid for cid, m in memberships(user).items() if m.is_active]


def listed_community_filter(user):
    """A queryset filter for the communities that may appear in this user's listings."""
    if is_staff(user):
        return Q()
    return ~Q(visibility=Visibility.PRIVATE) | Q(pk__in=_listed_private_ids(user))


def listed_communities_key(user):
    """A string naming everyone who sees the same communities listed as this user (listed_community_filter): staff,
    or the private communities they belong to or are invited to. For caching what depends only on that."""
    return "all" if is_staff(user) else ",".join(map(str, sorted(_listed_private_ids(user))))


def _listed_private_ids(user):
    return [cid for cid, m in memberships(user).items() if m.status in {Membership.Status.ACTIVE, Membership.Status.INVITED}]
