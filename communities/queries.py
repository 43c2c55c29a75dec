"""The communities app's named queries: views, the home page, feeds and emails choose from these."""

from itertools import groupby

from django.db.models import Q

from .models import CommunityPage, Flag, Membership, ModerationLog, Notification, Post, Profile, Thread, ThreadRead, Watch
from .permissions import can_moderate, is_staff, listed_community_filter, readable_community_ids


def community_listing(user):
    """Communities this user may see listed, with their counters, in title order."""
    return CommunityPage.objects.live().filter(listed_community_filter(user)).order_by("title")


def featured_communities(user, limit=6):
    return community_listing(user).order_by("-last_activity_at", "title")[:limit]


def public_profile(username):
    """The profile shown at /members/<username>/, with its user loaded in the same query."""
    return Profile.objects.select_related("user").get(user__username=username, user__is_active=True)


def facilitators(community):
    return (
        Membership.objects.facilitators().filter(community=community)
        .select_related("user__profile").order_by("user__profile__display_name")
    )


def members(community):
    return (
        Membership.objects.active().filter(community=community)
        .select_related("user__profile").order_by("-role", "user__profile__display_name", "user__username")
    )


def pending_requests(community):
    return Membership.objects.pending().filter(community=community).select_related("user__profile").order_by("created_at")


def visible_threads(user, community):
    """The community's threads this user may see: hidden ones only for moderators."""
    threads = Thread.objects.filter(community=community)
    return threads if can_moderate(user, community) else threads.filter(is_hidden=False)


def readable_threads(user):
    """Every visible thread in a live community whose discussions this user may read, across communities."""
    readable = readable_community_ids(user)
    threads = Thread.objects.filter(is_hidden=False, community__live=True)
    if readable is None:
        return threads
    return threads.filter(Q(community__visibility=CommunityPage.Visibility.PUBLIC) | Q(community_id__in=readable))


def threads_for(user, community):
    """The forum list: pinned first, then by last activity."""
    return visible_threads(user, community).select_related(
        "community", "author__profile", "last_poster__profile"
    ).order_by("-is_pinned", "-last_post_at", "-pk")


def thread_for(user, community, thread_id):
    return visible_threads(user, community).select_related("community", "author__profile").get(pk=thread_id)


def posts_in(thread):
    return Post.objects.filter(thread=thread).select_related(
        "author__profile", "quoted_post__author__profile"
    ).order_by("position")


def attach_thread(posts, thread):
    """Give each post (and the post it quotes, always in the same thread) the loaded thread, so links cost nothing."""
    for post in posts:
        post.thread = thread
        if post.quoted_post is not None:
            post.quoted_post.thread = thread
    return posts


def read_positions(user, threads):
    """{thread_id: last position the user has read} for the given threads."""
    if not user.is_authenticated:
        return {}
    return dict(
        ThreadRead.objects.filter(user=user, thread__in=[t.pk for t in threads]).values_list("thread_id", "last_read_position")
    )


def watches_thread(user, thread):
    return user.is_authenticated and Watch.objects.filter(user=user, thread=thread).exists()


def watches_forum(user, community):
    return user.is_authenticated and Watch.objects.filter(user=user, community=community).exists()


def communities_facilitated_by(user):
    """Where this user may moderate: communities they facilitate, or all of them for staff."""
    communities = CommunityPage.objects.live().order_by("title")
    if is_staff(user):
        return communities
    return communities.filter(
        memberships__user=user, memberships__status=Membership.Status.ACTIVE, memberships__role=Membership.Role.FACILITATOR
    )


# Moderation: each query costs one SQL query however many rows it returns.

def open_flags_by_post(community):
    """[(post, [its open flags, oldest first])], the longest-waiting post first."""
    flags = list(
        Flag.objects.open().filter(post__thread__community=community)
        .select_related("reporter__profile", "post__author__profile", "post__thread")
        .order_by("post_id", "created_at")
    )
    groups = []
    for _, post_flags in groupby(flags, key=lambda flag: flag.post_id):
        post_flags = list(post_flags)
        post = post_flags[0].post
        post.thread.community = community  # the permalink needs it; every thread here is in this community
        groups.append((post, post_flags))
    groups.sort(key=lambda group: group[1][0].created_at)
    return groups


def recently_resolved_flags(community, limit):
    flags = list(
        Flag.objects.filter(post__thread__community=community, resolved_at__isnull=False)
        .select_related("reporter__profile", "resolved_by__profile", "post__thread")
        .order_by("-resolved_at", "-pk")[:limit]
    )
    for flag in flags:
        flag.post.thread.community = community
    return flags


def moderation_log_for(community):
    """Newest first; threads keep their current community, which differs after a move."""
    return ModerationLog.objects.filter(community=community).select_related(
        "actor__profile", "target_user__profile", "thread__community", "post__thread__community"
    ).order_by("-created_at", "-pk")


# Notifications

def notifications_for(user):
    """A member's notifications, newest first, with everything describe() and target_url() need."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor__profile", "community", "post__thread__community", "membership")
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
