"""The forums: threads, posts, and what posting and reading leave behind (watches, read markers, notifications,
edits, flags and the moderation log), with every counter as the services would have kept it.

Threads are spread over communities by activity and over time by the timeline. Posts per thread are skewed:
about a fifth of threads are never answered, most get a few replies, one in a hundred runs to 50-120 posts and
one (in the busiest community) to hundreds or thousands, so deep pages exist. The busiest community also gets
one thread of exactly 55 posts, a typical "long" page for the benchmarks.

Ids follow time, as on a live site: threads are numbered in the order they were started and posts in the order
they were written, whatever their thread, so a thread's posts lie scattered through the table as they would.
"""

from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from django.utils.text import slugify

from communities.models import (
    CommunityPage, Flag, ModerationLog, Notification, Post, PostRevision, Thread, ThreadRead, Watch,
)

from . import bodies, vocabulary
from .rows import TableWriter, next_id
from .timeline import DAY, as_datetime

Kind = Notification.Kind
Action = ModerationLog.Action

LONGEST_THREAD_SHARE = 1 / 400     # of all posts, at least LONGEST_THREAD_MIN
LONGEST_THREAD_MIN = 150           # more than any LONG_THREAD_POSTS thread
LONG_THREAD_SHARE = 0.01           # of threads, with LONG_THREAD_POSTS posts
LONG_THREAD_POSTS = (50, 120)
SAMPLE_THREAD_POSTS = 55
UNANSWERED_SHARE = 0.2
MAX_REPLY_WEIGHT = 30.0
AUTHOR_REPLIES_SHARE, REGULAR_REPLIES_SHARE = 0.2, 0.15
QUOTE_SHARE = 0.08
EDITED_SHARE, DELETED_SHARE, HIDDEN_SHARE = 0.015, 0.004, 0.002
PINNED_SHARE, LOCKED_SHARE, HIDDEN_THREAD_SHARE = 0.3, 0.005, 0.002
FLAG_SHARE = 0.0005
UNWATCHED_SHARE = 0.05
RECENT_NOTIFY = 30 * DAY
NEW_THREAD_NOTIFY = 14 * DAY
OTHER_WATCHERS_NOTIFIED = 3
RELATED_THREADS_KEPT = 20          # per community, for case studies to link to

DELETED, HIDDEN = 1, 2
LONGEST, SAMPLE, LONG = "longest", "sample", "long"


@dataclass
class Plan:
    """One thread to be: where, when and how long."""

    community: object
    created: float
    posts: int
    role: str = ""      # LONGEST, SAMPLE or LONG; "" for an ordinary thread

    @property
    def special(self):
        return self.role in (LONGEST, SAMPLE)


@dataclass
class Forum:
    """What later phases need: a few thread ids per community (for case studies' related threads)."""

    threads_by_community: dict = field(default_factory=dict)


def _reply_budget(rng, preset, plans, busiest):
    """Post counts for every plan, adding up to the preset exactly."""
    threads, budget = len(plans), preset.posts - preset.threads
    longest = min(max(LONGEST_THREAD_MIN, int(preset.posts * LONGEST_THREAD_SHARE)), 1 + budget // 3)
    sample = min(SAMPLE_THREAD_POSTS, 1 + (budget - (longest - 1)) // 2)
    budget -= (longest - 1) + (sample - 1)
    in_busiest = [index for index, plan in enumerate(plans) if plan.community is busiest]
    specials = {in_busiest[0]: (LONGEST, longest), in_busiest[1]: (SAMPLE, sample)}
    others = [index for index in range(threads) if index not in specials]
    for index in rng.sample(others, min(len(others), int(threads * LONG_THREAD_SHARE))):
        posts = rng.randint(*LONG_THREAD_POSTS)
        if posts - 1 > budget // 2:
            break
        specials[index] = (LONG, posts)
        budget -= posts - 1
    for index, (role, posts) in specials.items():
        plans[index].role, plans[index].posts = role, posts
    rest = [index for index in range(threads) if index not in specials]
    weights = [0.0 if rng.random() < UNANSWERED_SHARE else min(rng.paretovariate(1.3), MAX_REPLY_WEIGHT)
               for _ in rest]
    if sum(weights) == 0:
        weights = [1.0] * len(rest)
    drawn = rng.choices(range(len(rest)), cum_weights=list(accumulate(weights)), k=budget)
    for position, replies in Counter(drawn).items():
        plans[rest[position]].posts += replies


def plan_threads(run, communities):
    """Every thread's community, start and length, in the order they were started."""
    preset, rng, timeline = run.preset, run.rng("threads"), run.timeline
    busiest = communities.by_activity()[0]
    counts = Counter(rng.choices(range(len(communities.all)), cum_weights=communities.cum_weights(), k=preset.threads))
    counts[busiest.index] = max(counts[busiest.index], 2)
    while sum(counts.values()) > preset.threads:  # the busiest community's minimum came from the others
        counts[max((c for c in counts if c != busiest.index and counts[c]), key=lambda c: counts[c])] -= 1
    plans = [Plan(communities.all[index], 0.0, 1) for index in sorted(counts) for _ in range(counts[index])]
    _reply_budget(rng, preset, plans, busiest)
    for plan in plans:
        if plan.role == SAMPLE:
            plan.created = timeline.now - rng.uniform(30, 60) * DAY
        elif plan.role == LONGEST:
            plan.created = timeline.now - rng.uniform(280, 320) * DAY
        else:
            plan.created = timeline.moment(rng)
    plans.sort(key=lambda plan: plan.created)
    return plans


class Posts:
    """Every post as parallel arrays (index = the order generated: thread by thread, position by position)."""

    def __init__(self):
        self.time = array("d")
        self.thread = array("l")
        self.author = array("q")
        self.body = array("l")
        self.quote = array("l")      # quoted position in the same thread, 0 for none
        self.state = array("b")      # 0, DELETED or HIDDEN
        self.edited = array("d")     # when edited, 0 for never

    def __len__(self):
        return len(self.time)


def _post_times(rng, created, count, now):
    """When each post of a thread was written: the opening at `created`, replies spaced out, none after now."""
    times = [created]
    if count == 1:
        return times
    room = max(now - created, 1.0) * 0.98
    mean_gap = min(1.5 * DAY, room / count)
    moment = created
    for _ in range(count - 1):
        moment += rng.expovariate(1 / mean_gap)
        times.append(moment)
    if moment - created > room:
        scale = room / (moment - created)
        times = [created + (time - created) * scale for time in times]
    return times


def write_posts(run, plans, pool, first_thread):
    """Generate every post into arrays, then write them in time order.

    Returns the arrays, each thread's first index in them, and each post's id."""
    rng, now = run.rng("posts"), run.timeline.now
    posts, starts = Posts(), array("l")
    with run.progress("Posts (drafting)", run.preset.posts) as bar:
        for number, plan in enumerate(plans):
            starts.append(len(posts))
            community, themes = plan.community, plan.community.themes
            times = _post_times(rng, plan.created, plan.posts, now)
            thread_author = community.poster_at(rng, plan.created)
            regulars = [thread_author]
            for position, moment in enumerate(times, start=1):
                draw = rng.random()
                if position == 1 or draw < AUTHOR_REPLIES_SHARE:
                    author = thread_author
                elif draw < AUTHOR_REPLIES_SHARE + REGULAR_REPLIES_SHARE:
                    author = rng.choice(regulars)
                else:
                    author = community.poster_at(rng, moment)
                    if len(regulars) < 8:
                        regulars.append(author)
                quoted = 0
                if position == 1:
                    body = pool.pick(rng, bodies.OPENING, themes)
                elif rng.random() < QUOTE_SHARE:
                    quoted = rng.randint(max(1, position - 5), position - 1)
                    body = pool.pick(rng, bodies.QUOTING, themes)
                else:
                    body = pool.pick(rng, bodies.REPLY, themes)
                draw = rng.random()
                state = (DELETED if draw < DELETED_SHARE else HIDDEN if draw < DELETED_SHARE + HIDDEN_SHARE else 0)
                if position == 1:
                    state = 0
                edited = min(now, moment + rng.random() * 7200) if state == 0 and rng.random() < EDITED_SHARE else 0.0
                posts.time.append(moment)
                posts.thread.append(number)
                posts.author.append(author)
                posts.body.append(body)
                posts.quote.append(quoted)
                posts.state.append(state)
                posts.edited.append(edited)
            bar.advance(plan.posts)
    with run.progress("Posts (writing)", len(posts)) as bar:
        ids = _insert_posts(run, posts, starts, pool, first_thread, bar)
    return posts, starts, ids


def _insert_posts(run, posts, starts, pool, first_thread, bar):
    """Number the posts in time order from the next free id and write them in that order; returns the ids."""
    first_post = next_id(Post)
    order = sorted(range(len(posts)), key=posts.time.__getitem__)
    ids = array("q", bytes(8 * len(posts)))
    for rank, index in enumerate(order):
        ids[index] = first_post + rank
    version = bodies.HTML_VERSION
    with TableWriter(Post, ["id", "thread", "position", "author", "body", "quoted_post", "created_at", "edited_at",
                            "is_hidden", "is_deleted", "submission_key", "body_html", "body_html_version"]) as writer:
        for rank, index in enumerate(order):
            number = posts.thread[index]
            start = starts[number]
            quoted, edited, state, body = posts.quote[index], posts.edited[index], posts.state[index], posts.body[index]
            writer.add((
                first_post + rank, first_thread + number, index - start + 1, posts.author[index], pool.texts[body],
                ids[start + quoted - 1] if quoted else None, as_datetime(posts.time[index]),
                as_datetime(edited) if edited else None, state == HIDDEN, state == DELETED, None, pool.html[body],
                version,
            ))
            if rank % 5000 == 4999:
                bar.advance(5000)
    run.count("posts", writer.written)
    return ids


def write_threads(run, communities, plans, posts, starts, post_ids, first_thread, pool, notifications):
    """Threads with their counters, then per thread the watches, read markers, notifications, edits and flags."""
    rng, now = run.rng("thread-rows"), run.timeline.now
    forum = Forum()
    activity = {}
    writers = {
        "threads": TableWriter(Thread, ["id", "community", "title", "slug", "author", "created_at", "last_post_at",
                                        "last_poster", "reply_count", "post_count", "is_pinned", "is_locked",
                                        "is_hidden"]),
        "watches": TableWriter(Watch, ["user", "thread", "community", "created_at"]),
        "reads": TableWriter(ThreadRead, ["user", "thread", "last_read_position"]),
        "revisions": TableWriter(PostRevision, ["post", "body", "edited_by", "created_at"]),
        "flags": TableWriter(Flag, ["post", "reporter", "reason", "note", "created_at", "resolved_by", "resolved_at",
                                    "resolution"]),
        "log": TableWriter(ModerationLog, ["actor", "action", "community", "thread", "post", "target_user", "detail",
                                           "created_at"]),
    }
    pinned_in = Counter()
    with run.progress("Threads and activity", len(plans)) as bar:
        for number, plan in enumerate(plans):
            thread_id = first_thread + number
            community = plan.community
            start, count = starts[number], plan.posts
            last = start + count - 1
            title = vocabulary.thread_title(rng, community.themes)
            pinned = (not plan.special and pinned_in[community.index] < 2 and rng.random() < PINNED_SHARE
                      and plan.created < now - 90 * DAY)
            pinned_in[community.index] += pinned
            locked = not plan.special and rng.random() < LOCKED_SHARE
            hidden = not plan.special and rng.random() < HIDDEN_THREAD_SHARE
            replies = sum(1 for index in range(start + 1, last + 1) if posts.state[index] == 0)
            writers["threads"].add((
                thread_id, community.page_id, title, slugify(title)[:80] or "thread", posts.author[start],
                as_datetime(plan.created), as_datetime(posts.time[last]), posts.author[last], replies, count,
                pinned, locked, hidden,
            ))
            activity[community.index] = max(activity.get(community.index, 0), posts.time[last])
            kept = forum.threads_by_community.setdefault(community.index, [])
            if len(kept) < RELATED_THREADS_KEPT and not hidden:
                kept.append(thread_id)
            for action, done in ((Action.PIN, pinned), (Action.LOCK, locked), (Action.HIDE_THREAD, hidden)):
                if done:
                    at = min(now, plan.created + rng.random() * 10 * DAY)
                    writers["log"].add((rng.choice(community.facilitators), action, community.page_id, thread_id,
                                        None, None, "", as_datetime(at)))
            _thread_activity(rng, now, plan, thread_id, start, posts, post_ids, pool, notifications, writers)
            bar.advance()
    for writer in writers.values():
        writer.flush()
    _update_community_counters(communities, plans, activity)
    for name, key in (("threads", "threads"), ("thread watches", "watches"), ("read markers", "reads"),
                      ("post revisions", "revisions"), ("flags", "flags"), ("moderation log entries", "log")):
        run.count(name, writers[key].written)
    return forum


def _thread_activity(rng, now, plan, thread_id, start, posts, post_ids, pool, notifications, writers):
    community = plan.community
    thread_author = posts.author[start]
    posters = {}  # author -> [first time, last position], in order of first post
    for offset in range(plan.posts):
        index = start + offset
        position, author, moment = offset + 1, posts.author[index], posts.time[index]
        post_id = post_ids[index]
        if author not in posters:
            posters[author] = [moment, position]
        posters[author][1] = position
        _post_notifications(rng, now, community, thread_author, posters, posts, index, start, post_ids, notifications)
        state, edited = posts.state[index], posts.edited[index]
        if edited:
            writers["revisions"].add((post_id, pool.texts[rng.randrange(len(pool.texts))], author, as_datetime(edited)))
        if state == DELETED:
            writers["revisions"].add((post_id, pool.texts[posts.body[index]], author,
                                      as_datetime(min(now, moment + rng.random() * DAY))))
        elif state == HIDDEN:
            writers["log"].add((rng.choice(community.facilitators), Action.HIDE_POST, community.page_id, thread_id,
                                post_id, None, "", as_datetime(min(now, moment + rng.random() * DAY))))
        elif position > 1 and rng.random() < FLAG_SHARE:
            _flag(rng, now, community, thread_id, post_id, author, moment, writers)
    for user_id, (since, last_position) in posters.items():
        if rng.random() >= UNWATCHED_SHARE:
            writers["watches"].add((user_id, thread_id, None, as_datetime(since)))
        read_to = plan.posts if rng.random() < 0.7 else rng.randint(last_position, plan.posts)
        writers["reads"].add((user_id, thread_id, read_to))
    for _ in range(rng.randint(0, 2)):
        reader = community.poster_at(rng, now)
        if reader not in posters:
            posters[reader] = None
            writers["reads"].add((reader, thread_id, rng.randint(1, plan.posts)))


def _post_notifications(rng, now, community, thread_author, posters, posts, index, start, post_ids, notifications):
    """Who heard about this post: the quoted author, the thread's starter, and (recently) a few other watchers;
    for a new thread, the members watching the forum. One notification per person per post, as the site keeps."""
    author, moment, post_id = posts.author[index], posts.time[index], post_ids[index]
    told = {}
    if index == start:
        if moment >= now - NEW_THREAD_NOTIFY:
            for watcher, since in community.forum_watchers:
                if watcher != author and since <= moment:
                    told[watcher] = Kind.NEW_THREAD
    else:
        if thread_author != author:
            told[thread_author] = Kind.REPLY
        if moment >= now - RECENT_NOTIFY:
            others = [user_id for user_id in posters if user_id not in (author, thread_author)]
            for watcher in others[-OTHER_WATCHERS_NOTIFIED:]:
                told[watcher] = Kind.REPLY
        quoted = posts.quote[index]
        if quoted:
            quoted_author = posts.author[start + quoted - 1]
            if quoted_author != author:
                told[quoted_author] = Kind.QUOTE
    for recipient, kind in told.items():
        notifications.add(recipient, kind, author, community.page_id, moment, post_id=post_id)


def _flag(rng, now, community, thread_id, post_id, author, moment, writers):
    reporter = community.poster_at(rng, now)
    if reporter == author:
        return
    flagged = min(now, moment + rng.random() * 3 * DAY)
    reason = rng.choice(Flag.Reason.values)
    if rng.random() < 0.5:
        writers["flags"].add((post_id, reporter, reason, "", as_datetime(flagged), None, None, ""))
        return
    resolver = rng.choice(community.facilitators)
    resolved = min(now, flagged + rng.random() * 2 * DAY)
    resolution = "Dismissed: the post can stay."
    writers["flags"].add((post_id, reporter, reason, "Looks like advertising to me.", as_datetime(flagged), resolver,
                          as_datetime(resolved), resolution))
    writers["log"].add((resolver, Action.RESOLVE_FLAG, community.page_id, thread_id, post_id, None, resolution,
                        as_datetime(resolved)))


def _update_community_counters(communities, plans, activity):
    """member_count, thread_count and last_activity_at, as joining and posting would have left them."""
    threads = Counter(plan.community.index for plan in plans)
    for community in communities.all:
        last = activity.get(community.index)
        CommunityPage.objects.filter(pk=community.page_id).update(
            member_count=community.member_count, thread_count=threads.get(community.index, 0),
            last_activity_at=as_datetime(last) if last else None,
        )


def create_forum(run, communities, notifications):
    pool_size = min(run.preset.body_pool, max(50, run.preset.posts // 5))
    with run.progress("Post bodies (Markdown)", pool_size) as bar:
        pool = bodies.post_pool(run.rng("bodies"), pool_size, bar)
    plans = plan_threads(run, communities)
    first_thread = next_id(Thread)
    posts, starts, post_ids = write_posts(run, plans, pool, first_thread)
    return write_threads(run, communities, plans, posts, starts, post_ids, first_thread, pool, notifications)
