"""The communities app's named queries: views, the home page, feeds and emails choose from these."""

from dataclasses import dataclass
from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField, Case, Count, Exists, F, FilteredRelation, Func, IntegerField, Max, Min, OuterRef, Q, Subquery, When, Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber

from .models import CommunityPage, Flag, Membership, ModerationLog, Notification, Post, Profile, Thread, ThreadRead, Watch
from .permissions import can_moderate, can_read_forum, is_staff, listed_community_filter, memberships, readable_community_ids


def _fields(*names):
    """A function giving these field names, under a relation's path when given one (for only())."""
    return lambda path="": [f"{path}__{name}" if path else name for name in names]


# Enough of a row for lists that show many of them: whole Wagtail page rows in particular cost more to build in
# Python than the query that reads them takes.
COMMUNITY_LINK_FIELDS = _fields("title", "url_path", "slug", "live", "visibility")  # a link, and who may read it
THREAD_LINK_FIELDS = _fields("title", "slug", "community_id", "is_hidden")  # a link, and can_read_thread()
NAME_FIELDS = _fields("username", "profile__display_name")  # a user's display name (Profile.name)


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
    """The forum list: pinned first, then by last activity, each with this user's `read_position`."""
    return with_read_position(user, visible_threads(user, community)).select_related(
        "community", "author__profile", "last_poster__profile"
    ).order_by("-is_pinned", "-last_post_at", "-pk")


def thread_for(user, community, thread_id):
    """One thread, with this user's `read_position` and whether they are `watching` it."""
    threads = with_read_position(user, visible_threads(user, community))
    if user.is_authenticated:
        threads = threads.annotate(watching=Exists(Watch.objects.filter(user=user, thread=OuterRef("pk"))))
    return threads.select_related("community", "author__profile").get(pk=thread_id)


def with_read_position(user, threads):
    """Threads that know how far this user has read each (`read_position`, None if never opened), in the same query."""
    if not user.is_authenticated:
        return threads
    marker = ThreadRead.objects.filter(user=user, thread=OuterRef("pk")).values("last_read_position")[:1]
    return threads.annotate(read_position=Subquery(marker))


def posts_in(thread):
    return Post.objects.filter(thread=thread).select_related(
        "author__profile", "quoted_post__author__profile"
    ).order_by("position")


class PostPaginator(Paginator):
    """A thread's posts page by page, read as a range of positions on the (thread, position) index.

    Positions run 1, 2, 3... and never change (as ``Post.page_number`` assumes), so page N is positions
    (N-1)×size+1 to N×size. An OFFSET would walk, and join, every earlier post: the last page of a 2,500-post
    thread took 60 ms that way.
    """

    def __init__(self, thread, posts, per_page):
        super().__init__(posts, per_page)
        self.count = thread.post_count  # kept on the thread, so no COUNT query

    def page(self, number):
        number = self.validate_number(number)
        after = (number - 1) * self.per_page
        return self._get_page(self.object_list.filter(position__gt=after, position__lte=after + self.per_page),
                              number, self)


def attach_thread(posts, thread):
    """Give each post (and the post it quotes, always in the same thread) the loaded thread, so links cost nothing."""
    for post in posts:
        post.thread = thread
        if post.quoted_post is not None:
            post.quoted_post.thread = thread
    return posts


def read_positions(user, threads):
    """{thread_id: last position the user has read} for the given threads: no query if with_read_position() loaded them."""
    if not user.is_authenticated:
        return {}
    if all(hasattr(thread, "read_position") for thread in threads):
        return {thread.pk: thread.read_position for thread in threads if thread.read_position is not None}
    return dict(
        ThreadRead.objects.filter(user=user, thread__in=[t.pk for t in threads]).values_list("thread_id", "last_read_position")
    )


def watches_thread(user, thread):
    """No query for a thread loaded by thread_for()."""
    if not user.is_authenticated:
        return False
    known = getattr(thread, "watching", None)
    return known if known is not None else Watch.objects.filter(user=user, thread=thread).exists()


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


# Facilitator dashboard: each figure costs one SQL query however big the community is.

def active_members_at(community, moments):
    """[How many of today's active members had joined before each moment], in the order given.

    A member joined when their request was approved or their invitation accepted, or else when they joined an
    open community. People who have since left or been removed are not counted: nothing records their time in.
    """
    joined = Membership.objects.active().filter(community=community).annotate(joined_at=Coalesce("decided_at", "created_at"))
    counts = joined.aggregate(**{f"by_{n}": Count("pk", filter=Q(joined_at__lt=moment)) for n, moment in enumerate(moments)})
    return [counts[f"by_{n}"] for n in range(len(moments))]


def counted_posts(community):
    """The posts members can read: hidden or deleted posts, and posts in hidden threads, are left out."""
    return Post.objects.filter(thread__community=community, thread__is_hidden=False, is_hidden=False, is_deleted=False)


def posts_between(community, periods):
    """[How many counted posts were written in each [start, end) period], in the order given."""
    counts = counted_posts(community).aggregate(**{
        f"in_{n}": Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)) for n, (start, end) in enumerate(periods)
    })
    return [counts[f"in_{n}"] for n in range(len(periods))]


def unanswered_threads(community):
    """Visible threads with no visible reply, the longest-waiting first."""
    return Thread.objects.filter(community=community, is_hidden=False, reply_count=0).order_by("created_at", "pk")


def oldest_unanswered_threads(community, limit):
    threads = list(unanswered_threads(community).select_related("author__profile")[:limit])
    for thread in threads:
        thread.community = community  # its link needs it; every thread here is in this community
    return threads


def open_flag_counts(community):
    """{"flags": open flags, "posts": the posts they are on}."""
    return Flag.objects.open().filter(post__thread__community=community).aggregate(
        flags=Count("pk"), posts=Count("post", distinct=True)
    )


def top_contributors(community, since, limit):
    """Profiles of the active accounts with the most counted posts here since a moment, each with `recent_posts`."""
    return (
        Profile.objects.filter(user__is_active=True, user__posts__in=counted_posts(community).filter(created_at__gte=since))
        .annotate(recent_posts=Count("user__posts"))
        .select_related("user").order_by("-recent_posts", "display_name", "user__username")[:limit]
    )


# Notifications

def notifications_for(user):
    """A member's notifications, newest first, with everything describe() and target_url() need (not the post's
    text, which neither shows)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor__profile", "community", "post__thread__community")
        .only(
            "kind", "created_at", "read_at", "recipient_id", "actor_id", "community_id", "post_id",
            *NAME_FIELDS("actor"), *COMMUNITY_LINK_FIELDS("community"),
            "post__position", "post__thread_id", *THREAD_LINK_FIELDS("post__thread"),
            *COMMUNITY_LINK_FIELDS("post__thread__community"),
        )
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(user):
    """The header's count: known without a query for a user loaded with header_facts()."""
    known = getattr(user, "_unread_notification_count", None)
    if known is not None:
        return known
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def header_facts():
    """Annotations that load, with a user, what unread_notification_count() asks (cop_site.auth_backend uses them)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True).order_by()
        .values("recipient").annotate(count=Count("pk")).values("count")
    )
    return {"_unread_notification_count": Coalesce(Subquery(unread), 0)}


# Member home: what is new for one member since a moment. Each query runs once however much there is.

HOME_THREADS_PER_COMMUNITY = 5
HOME_WATCHED_THREADS = 15
HOME_NOTIFICATIONS = 10


@dataclass
class CommunityNews:
    """What others posted in one of the member's communities since a moment."""

    community: CommunityPage
    new_threads: int
    new_replies: int
    active_threads: int
    threads: list  # the most recently active of them, at most HOME_THREADS_PER_COMMUNITY

    @property
    def more_threads(self):
        return self.active_threads - len(self.threads)


def home_communities(user):
    """The live communities where this user is an active member, in title order."""
    active = [community_id for community_id, found in memberships(user).items() if found.is_active]
    return CommunityPage.objects.live().filter(pk__in=active).order_by("title")


def news_filter(user, since, via=""):
    """What counts as news: posts by someone else since the moment that are neither hidden nor deleted.

    `via` is the path from the queried model to Post ("posts__" from Thread).
    """
    return Q(**{f"{via}created_at__gt": since, f"{via}is_hidden": False, f"{via}is_deleted": False}) & ~Q(**{f"{via}author": user})


class _SumOverWindow(Func):
    """SUM() of a per-thread aggregate across a window: Django's Sum refuses an aggregate as its argument."""

    function = "SUM"
    window_compatible = True
    output_field = IntegerField()


def community_news(user, communities, since):
    """[CommunityNews] for those of `communities` where others posted since the moment, in the order given.

    Two queries. The first reads the news posts from their index alone: for each community's
    HOME_THREADS_PER_COMMUNITY most recently active threads (a window function keeps them) their `new_replies`,
    `first_new_position` and `latest_news_at`, with the community's totals as sums over all its active threads.
    The second loads those few threads. Only threads this user may read count: the visible threads of those
    communities whose forum they may read, decided on the loaded communities rather than joined in SQL.
    """
    by_id = {community.pk: community for community in communities if can_read_forum(user, community)}
    if not by_id:
        return []
    in_community = {"partition_by": F("community_id")}
    ranked = (
        Thread.objects.filter(is_hidden=False, community__in=list(by_id), last_post_at__gt=since)
        .annotate(news=FilteredRelation("posts", condition=news_filter(user, since, via="posts__")))
        .values("pk", "community_id")
        .annotate(
            new_replies=Count("news__position", filter=Q(news__position__gt=1)),
            first_new_position=Min("news__position"),
            latest_news_at=Max("news__created_at"),
        )
        .filter(latest_news_at__isnull=False)
        .annotate(
            rank=Window(RowNumber(), order_by=[F("latest_news_at").desc(), F("pk").desc()], **in_community),
            community_new_threads=Window(_SumOverWindow(Case(When(first_new_position=1, then=1), default=0)), **in_community),
            community_new_replies=Window(_SumOverWindow("new_replies"), **in_community),
            community_active_threads=Window(Count("pk"), **in_community),
        )
        .filter(rank__lte=HOME_THREADS_PER_COMMUNITY)
    )
    news_by_thread = {row["pk"]: row for row in ranked}
    threads = (
        with_read_position(user, Thread.objects.filter(pk__in=list(news_by_thread))).select_related("author__profile")
        .only(*THREAD_LINK_FIELDS(), "post_count", "author_id", *NAME_FIELDS("author"))
    )
    threads_by_community = {}
    for thread in sorted(threads, key=lambda thread: news_by_thread[thread.pk]["rank"]):
        row = news_by_thread[thread.pk]
        thread.new_replies, thread.first_new_position, thread.latest_news_at = (
            row["new_replies"], row["first_new_position"], row["latest_news_at"])
        thread.community = by_id[thread.community_id]  # already loaded: its links need it
        threads_by_community.setdefault(thread.community_id, []).append(thread)
    news = []
    for community in communities:
        if community.pk in threads_by_community:
            threads = threads_by_community[community.pk]
            totals = news_by_thread[threads[0].pk]  # every row of a community carries its totals
            news.append(CommunityNews(
                community=community, threads=threads, new_threads=totals["community_new_threads"],
                new_replies=totals["community_new_replies"], active_threads=totals["community_active_threads"],
            ))
    return news


def watched_threads(user, limit=HOME_WATCHED_THREADS):
    """The threads this user watches and may still read, the most recently active first."""
    return list(
        with_read_position(user, readable_threads(user).filter(watches__user=user)).select_related("community")
        .only(*THREAD_LINK_FIELDS(), "post_count", "last_post_at", *COMMUNITY_LINK_FIELDS("community"))
        .order_by("-last_post_at", "-pk")[:limit]
    )


def watched_forums(user, since):
    """The forums this user watches and may still read, each with `new_threads`: started by others since the moment."""
    forums = CommunityPage.objects.live().filter(watches__user=user)
    readable = readable_community_ids(user)
    if readable is not None:
        forums = forums.filter(Q(visibility=CommunityPage.Visibility.PUBLIC) | Q(pk__in=readable))
    # A thread started since the moment was also last active since then: that bound lets the join read only recent
    # threads from the (community, last_post_at) index instead of every thread in the forum.
    started_since = FilteredRelation("threads", condition=Q(
        threads__last_post_at__gt=since, threads__created_at__gt=since, threads__is_hidden=False,
    ) & ~Q(threads__author=user))
    return forums.annotate(started_since=started_since).annotate(new_threads=Count("started_since")).order_by("title")


def attach_read_state(user, threads):
    """Give each thread this user's read state, by the forum list's rule: unread while the read marker is below
    post_count. Sets `unread_count` and `next_url`: the first unread post (past `first_new_position`, when the
    thread has one), or the thread once everything is read. Two queries for any number of threads.
    """
    read = read_positions(user, threads)
    targets = []
    for thread in threads:
        last_read = read.get(thread.pk, 0)
        thread.unread_count = max(thread.post_count - last_read, 0)
        thread.next_url = thread.get_absolute_url()
        if thread.unread_count:
            targets.append((thread, max(last_read + 1, getattr(thread, "first_new_position", 0))))
    if not targets:
        return threads
    # One row-value IN list rather than an OR of (thread, position) conditions, which the ORM takes a few
    # milliseconds to build for the member home's 45 threads. Both databases read it from the (thread, position) index.
    table = Post._meta.db_table
    wanted = RawSQL(
        f'("{table}"."thread_id", "{table}"."position") IN ({", ".join(["(%s, %s)"] * len(targets))})',
        [value for thread, position in targets for value in (thread.pk, position)], output_field=BooleanField(),
    )
    posts = {(post.thread_id, post.position): post for post in Post.objects.filter(wanted).only("pk", "thread_id", "position")}
    for thread, position in targets:
        post = posts.get((thread.pk, position))
        if post is not None:
            thread.next_url = post.url_in(thread.next_url)
    return threads


def latest_notifications(user, limit=HOME_NOTIFICATIONS):
    return list(notifications_for(user)[:limit])
