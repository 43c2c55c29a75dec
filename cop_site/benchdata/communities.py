"""Communities and who is in them.

Community pages go into the Wagtail tree in bulk (pages.py), live, with their topics. About 60% are
public, 30% members-only and 10% private; public ones mostly open, the others by approval (private ones by
invitation). Activity is skewed (Zipf over a shuffled rank): a few communities are big and busy, most are
small. The busiest is always public and the second members-only, so every kind of sample exists.

Memberships follow the same skew: most members are in a few communities, some in none. Each community's
first members are its facilitators; approval communities have a few requests waiting and some declined,
private ones a few invitations open. Everything the forum needs later (who could post where, and since when)
stays in memory.
"""

from array import array
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from communities.admin_access import facilitators_group
from communities.models import CommunityIndexPage, CommunityPage, Membership, ModerationLog, Notification, Watch

from .pages import ChildPages
from .rows import TableWriter, next_id
from .timeline import DAY, YEAR, as_datetime
from .topics import topics_by_theme, topics_for
from .vocabulary import COMMUNITY_NAMES, GROUP_NOUNS, PLACES, REGIONS, THEME_SLUGS, THEMES, text

Visibility = CommunityPage.Visibility
JoinPolicy = CommunityPage.JoinPolicy
Status = Membership.Status
Role = Membership.Role
Action = ModerationLog.Action

VISIBILITY_WEIGHTS = list(accumulate([60, 30, 10]))
VISIBILITIES = [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.PRIVATE]
ACTIVITY_EXPONENT = 0.9
PRIVATE_JOIN_FACTOR = 0.3       # private communities grow by invitation only
MEMBERSHIPS_MEAN = 3.0
NO_COMMUNITY_SHARE = 0.1
RECENT = 30 * DAY
MAX_PENDING, MAX_INVITED = 5, 2
PENDING_PER_MEMBERS = 1000      # one waiting request, plus one per so many members, up to MAX_PENDING
DECLINED_SHARE = 0.02
REMOVED_SHARE = 0.002
FORUM_WATCH_SHARE = 0.01
LOGGED_DECISIONS = 90 * DAY     # approvals older than this are not in the moderation log sample


@dataclass
class Community:
    """One generated community, as the later phases need it."""

    index: int
    page_id: int
    title: str
    visibility: str
    join_policy: str
    themes: tuple
    weight: float
    created: float
    facilitators: list = field(default_factory=list)
    # Who may post here, by when they joined: `poster_since` sorted, `posters` the user ids in the same order.
    poster_since: array = field(default_factory=lambda: array("d"))
    posters: array = field(default_factory=lambda: array("q"))
    forum_watchers: list = field(default_factory=list)   # (user id, since)
    member_count: int = 0

    def poster_at(self, rng, moment):
        """A member who could post at `moment`, the longer-standing (and busier) ones likelier."""
        eligible = bisect(self.poster_since, moment) or 1
        return self.posters[int(eligible * rng.random() ** 2)]


@dataclass
class Communities:
    all: list
    active_memberships: list = field(default_factory=list)   # (community index, user id, since): for subscriptions

    def cum_weights(self, factor=None):
        return list(accumulate(c.weight * (factor(c) if factor else 1) for c in self.all))

    def by_activity(self):
        return sorted(self.all, key=lambda c: (-c.weight, c.index))


def _titles(rng, count):
    """Distinct community titles: region and network names first, then place, kind of group and theme."""
    titles, seen = [], set()
    regional = [f"{region} {name}" for name in COMMUNITY_NAMES for region in REGIONS]
    rng.shuffle(regional)
    while len(titles) < count:
        if regional and rng.random() < 0.5:
            title = regional.pop()
        else:
            label = THEMES[rng.choice(THEME_SLUGS)][0]
            title = f"{rng.choice(PLACES)} {rng.choice(GROUP_NOUNS)} for {label[:1].lower()}{label[1:]}"
        if title not in seen:
            seen.add(title)
            titles.append(title)
    return titles


def _visibility(rng, rank, count):
    if rank == 0:
        return Visibility.PUBLIC
    if rank == 1:
        return Visibility.MEMBERS
    if rank == count // 2:
        return Visibility.PRIVATE
    draw = rng.random() * VISIBILITY_WEIGHTS[-1]
    return VISIBILITIES[bisect(VISIBILITY_WEIGHTS, draw)]


def _join_policy(rng, visibility, rank):
    if visibility == Visibility.PUBLIC:
        return JoinPolicy.OPEN if rank == 0 or rng.random() < 0.7 else JoinPolicy.APPROVAL
    if visibility == Visibility.PRIVATE or rank == 1:
        return JoinPolicy.APPROVAL
    return JoinPolicy.APPROVAL if rng.random() < 0.5 else JoinPolicy.OPEN


def create_communities(run):
    preset, rng, timeline = run.preset, run.rng("communities"), run.timeline
    index_page = CommunityIndexPage.objects.get()
    taken_slugs = set(index_page.get_children().values_list("slug", flat=True))
    by_theme = topics_by_theme()
    ranks = list(range(preset.communities))
    rng.shuffle(ranks)
    communities = []
    with run.progress("Communities", preset.communities) as bar, ChildPages(index_page, CommunityPage, rng) as pages:
        for position, title in enumerate(_titles(rng, preset.communities)):
            rank = ranks[position]
            visibility = _visibility(rng, rank, preset.communities)
            join_policy = _join_policy(rng, visibility, rank)
            themes = tuple(rng.sample(THEME_SLUGS, 2))
            created = timeline.before_window(rng, years=4) - 30 * DAY
            slug = base = slugify(title)[:70]
            suffix = 2
            while slug in taken_slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            taken_slugs.add(slug)
            label = THEMES[themes[0]][0]
            page_id = pages.add(
                title, slug, as_datetime(created), visibility=visibility, join_policy=join_policy,
                summary=f"{label}: {text(rng, themes, rng.randint(14, 24))}"[:250],
                description="".join(f"<p>{text(rng, themes, rng.randint(30, 70))}</p>" for _ in range(rng.randint(1, 3))),
                related={"topics": [topic.pk for topic in topics_for(themes, by_theme)]},
            )
            communities.append(Community(position, page_id, title, visibility, join_policy, themes,
                                         1 / (rank + 1) ** ACTIVITY_EXPONENT, created))
            bar.advance()
    run.count("communities", len(communities))
    return Communities(communities)


def create_memberships(run, people, communities, notifications):
    """Memberships, facilitators, requests and invitations, forum watches; the facilitators' admin access."""
    rng, now = run.rng("memberships"), run.timeline.now
    joins = _choose_joins(rng, now, people, communities)
    writers = {
        "memberships": TableWriter(Membership, ["id", "user", "community", "role", "status", "request_message",
                                                "decision_message", "decided_by", "created_at", "decided_at"]),
        "watches": TableWriter(Watch, ["user", "thread", "community", "created_at"]),
        "log": TableWriter(ModerationLog, ["actor", "action", "community", "thread", "post", "target_user", "detail",
                                           "created_at"]),
    }
    membership_id = next_id(Membership)
    with run.progress("Memberships", len(communities.all)) as bar:
        for community in communities.all:
            rows, membership_id = _community_memberships(rng, now, people, community, joins[community.index],
                                                         membership_id, communities, notifications, writers)
            writers["memberships"].write(rows)
            bar.advance()
    for writer in writers.values():
        writer.flush()
    _open_admin(communities)
    run.count("memberships", writers["memberships"].written)
    run.count("forum watches", writers["watches"].written)
    run.count("moderation log entries", writers["log"].written)


def _choose_joins(rng, now, people, communities):
    """{community index: {user id: since}}: each member in a few communities, the busy ones likelier."""
    cum_weights = communities.cum_weights(lambda c: PRIVATE_JOIN_FACTOR if c.visibility == Visibility.PRIVATE else 1)
    indexes = range(len(communities.all))
    joins = {community.index: {} for community in communities.all}
    for position in range(len(people.staff_ids), people.count):
        if rng.random() < NO_COMMUNITY_SHARE:
            continue
        user_id = people.user_id(position)
        count = 1 + min(int(rng.expovariate(1 / (MEMBERSHIPS_MEAN - 1))), 15)
        for chosen in sorted(set(rng.choices(indexes, cum_weights=cum_weights, k=count))):
            start = max(people.joined_at[position], communities.all[chosen].created)
            since = start + rng.expovariate(1 / (120 * DAY))
            joins[chosen][user_id] = since if since < now else start + rng.random() * (now - start)
    return joins


def _facilitators(rng, people, community, members):
    """One to three members who can post (or, for a community nobody joined, anyone who can), there from the start."""
    candidates = [user_id for user_id in members if people.can_post[user_id - people.first_id]]
    if not candidates:
        candidates = [people.user_id(p) for p in range(len(people.staff_ids), people.count) if people.can_post[p]][:50]
    wanted = 1 + (len(members) > 200) + (len(members) > 2000)
    chosen = rng.sample(candidates, min(wanted, len(candidates)))
    for user_id in chosen:
        members[user_id] = community.created + rng.random() * 3 * DAY
    return chosen


def _community_memberships(rng, now, people, community, members, membership_id, communities, notifications, writers):
    """The rows of one community's memberships (ids from `membership_id`), and the next free id."""
    community.facilitators = facilitators = _facilitators(rng, people, community, members)
    rows, posters, logged = [], [], []
    invited = 0
    for user_id, since in sorted(members.items(), key=lambda item: (item[1], item[0])):
        role, status, decision, decided_by, decided_at = Role.MEMBER, Status.ACTIVE, "", None, None
        recent = since > now - RECENT
        if user_id in facilitators:
            role = Role.FACILITATOR
        elif community.visibility == Visibility.PRIVATE and recent and invited < MAX_INVITED and rng.random() < 0.3:
            status, decided_by, invited = Status.INVITED, rng.choice(facilitators), invited + 1
            notifications.add(user_id, Notification.Kind.INVITATION, decided_by, community.page_id, since,
                              membership_id=membership_id)
        elif community.join_policy == JoinPolicy.APPROVAL and community.visibility != Visibility.PRIVATE:
            decided_by = rng.choice(facilitators)
            decided_at = min(now, since + rng.random() * 2 * DAY)
            if rng.random() < DECLINED_SHARE:
                status, decision = Status.DECLINED, "This community is for officers working in the field."
                logged.append((decided_by, Action.DECLINE, user_id, decided_at, decision))
                notifications.add(user_id, Notification.Kind.JOIN_DECLINED, decided_by, community.page_id,
                                  decided_at, membership_id=membership_id)
            elif decided_at > now - LOGGED_DECISIONS:
                logged.append((decided_by, Action.APPROVE, user_id, decided_at, ""))
                notifications.add(user_id, Notification.Kind.JOIN_APPROVED, decided_by, community.page_id,
                                  decided_at, membership_id=membership_id)
        if status == Status.ACTIVE and role == Role.MEMBER and rng.random() < REMOVED_SHARE:
            status, decided_by = Status.REMOVED, rng.choice(facilitators)
            decided_at = min(now, since + rng.random() * YEAR)
            logged.append((decided_by, Action.REMOVE_MEMBER, user_id, decided_at, "Repeated advertising."))
        if status == Status.ACTIVE:
            community.member_count += 1
            communities.active_memberships.append((community.index, user_id, since))
            if people.can_post[user_id - people.first_id]:
                posters.append((decided_at or since, user_id))
                if rng.random() < FORUM_WATCH_SHARE:
                    watched = min(now, since + rng.random() * 30 * DAY)
                    community.forum_watchers.append((user_id, watched))
                    writers["watches"].add((user_id, None, community.page_id, as_datetime(watched)))
        rows.append((membership_id, user_id, community.page_id, role, status, "", decision, decided_by,
                     as_datetime(since), as_datetime(decided_at) if decided_at else None))
        membership_id += 1
    if community.join_policy == JoinPolicy.APPROVAL and community.visibility != Visibility.PRIVATE:
        for user_id, since in _requests(rng, now, people, community, members):
            rows.append((membership_id, user_id, community.page_id, Role.MEMBER, Status.PENDING,
                         text(rng, community.themes, rng.randint(12, 40)), "", None, as_datetime(since), None))
            for facilitator in facilitators:
                notifications.add(facilitator, Notification.Kind.JOIN_REQUEST, user_id, community.page_id, since,
                                  membership_id=membership_id)
            membership_id += 1
    posters.sort()
    community.poster_since = array("d", (since for since, _ in posters))
    community.posters = array("q", (user_id for _, user_id in posters))
    writers["log"].write(
        (actor, action, community.page_id, None, None, target, detail, as_datetime(at))
        for actor, action, target, at, detail in logged
    )
    return rows, membership_id


def _requests(rng, now, people, community, members):
    """A few people (not members) who asked to join in the last fortnight and are waiting for a facilitator."""
    requests = {}
    for _ in range(min(MAX_PENDING, 1 + len(members) // PENDING_PER_MEMBERS)):
        since = now - rng.random() * 14 * DAY
        user_id = people.random_poster(rng)
        if user_id not in members and people.joined_at[user_id - people.first_id] < since:
            requests[user_id] = since
    return sorted(requests.items(), key=lambda item: (item[1], item[0]))


def _open_admin(communities):
    """Facilitators reach the Wagtail admin through the Facilitators group, as communities.signals keeps it."""
    group = facilitators_group()
    UserGroup = get_user_model().groups.through
    facilitators = sorted({user_id for community in communities.all for user_id in community.facilitators})
    UserGroup.objects.bulk_create(
        [UserGroup(user_id=user_id, group_id=group.pk) for user_id in facilitators], batch_size=5000,
        ignore_conflicts=True,
    )
