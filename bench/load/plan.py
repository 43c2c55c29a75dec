"""What the load test's simulated people visit, drawn from the database under test (Django set up by run.py).

The plan is plain JSON for locustfile.py, which runs in its own virtualenv without Django: URLs of public pages
(communities, threads including their deepest, decks, case studies), library filters and search queries, and
member accounts, each with the communities they may post in and recent threads there. Samples are seeded, so two
runs on the same data visit the same things. On generated data (`manage.py generate_bench_data`) the benchmarks'
representative objects are always in the plan: the busiest public community, its 50-60 post thread, the longest
thread, a deck, a case study and the sample member.
"""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from bench.search_bench import query_set
from cop_site.benchdata.samples import MissingSample, representative
from communities import permissions as forum_permissions
from communities import queries as forum_queries
from communities.models import POSTS_PER_PAGE, THREADS_PER_PAGE, CommunityPage, Membership
from library import queries as library_queries

PUBLIC_COMMUNITIES = 50
PUBLIC_THREADS = 300
DEEPEST_THREADS = 20        # the longest discussions, read at their deep pages
DECKS = 100
CASE_STUDIES = 50
FILTER_VALUES = 8           # per kind of library filter
MEMBER_COMMUNITIES = 5
RECENT_THREADS = 10         # per community a member posts in


class PlanError(Exception):
    """The database holds too little for the load test (no public forum, no member who can post...)."""


def build_plan(run_id, members_wanted, password, seed):
    rng = random.Random(seed)
    visitor = AnonymousUser()
    samples = representative_or_none()
    public_communities = [community for community in forum_queries.community_listing(visitor)
                          if forum_permissions.can_read_forum(visitor, community)]
    if not public_communities:
        raise PlanError("no community whose forum visitors may read")
    communities = sample(rng, public_communities, PUBLIC_COMMUNITIES)
    threads = forum_queries.readable_threads(visitor)
    thread_ids = sample(rng, threads.values_list("pk", flat=True), PUBLIC_THREADS)
    thread_ids += list(threads.exclude(pk__in=thread_ids).order_by("-post_count").values_list("pk", flat=True)[:DEEPEST_THREADS])
    if not thread_ids:
        raise PlanError("no thread visitors may read")
    decks = library_queries.readable_decks(visitor)
    deck_ids = sample(rng, decks.values_list("pk", flat=True), DECKS)
    studies = library_queries.listed_case_studies()
    study_ids = sample(rng, studies.values_list("pk", flat=True), CASE_STUDIES)
    sample_member = None
    if samples:
        communities = [samples.community, *(c for c in communities if c.pk != samples.community.pk)]
        thread_ids += [samples.thread.pk, samples.long_thread.pk]   # filtered below to what visitors may read
        deck_ids.append(samples.deck.pk)
        study_ids.append(samples.case_study.pk)
        sample_member = samples.member
    return {
        "run_id": run_id,
        "threads_per_page": THREADS_PER_PAGE,
        "posts_per_page": POSTS_PER_PAGE,
        "public": {
            "communities": [forum_entry(community) for community in communities],
            "threads": [thread_entry(thread) for thread in threads.filter(pk__in=thread_ids).select_related("community")],
            "decks": [deck.get_absolute_url() for deck in decks.filter(pk__in=deck_ids)],
            "case_studies": [study.url for study in studies.filter(pk__in=study_ids)],
            "library_filters": library_filters(rng, visitor),
            "searches": searches(),
        },
        "members": members(rng, members_wanted, password, first=sample_member),
    }


def representative_or_none():
    """The benchmarks' representative objects on generated data; None on other data (the demo, say)."""
    try:
        return representative()
    except MissingSample:
        return None


def sample(rng, items, count):
    items = list(items)
    return rng.sample(items, min(count, len(items)))


def forum_entry(community):
    return {"url": community.url, "threads": community.thread_count}


def thread_entry(thread):
    return {"id": thread.pk, "url": thread.get_absolute_url(), "posts": thread.post_count}


def searches():
    """The search benchmark's typed queries (typical, rare, synonyms, phrases, typos), by kind."""
    return [{"category": query.category, "q": query.text} for query in query_set(None) if not query.filters]


def library_filters(rng, visitor):
    """The library as people narrow it: unfiltered, by kind, topic, community, year, a combination, or words."""
    options = library_queries.filter_options(visitor)
    topics = sample(rng, (topic.slug for topic in options["topics"]), FILTER_VALUES)
    communities = sample(rng, (community.slug for community in options["communities"]), FILTER_VALUES)
    filters = [{}, {}, {}] + [{"kind": kind} for kind in options["kinds"]]
    filters += [{"topic": slug} for slug in topics] + [{"community": slug} for slug in communities]
    filters += [{"year": year} for year in options["years"][:FILTER_VALUES]]
    filters += [{"kind": "deck", "topic": slug, "sort": "title"} for slug in topics[:2]]
    filters += [{"q": query["q"]} for query in searches() if query["category"] == "typical"][:3]
    return filters


def members(rng, wanted, password, first=None):
    """Up to `wanted` distinct members who may post somewhere, each with the communities and threads to post in
    (`first`, when given, among them)."""
    User = get_user_model()
    candidates = (
        Membership.objects.active()
        .filter(community__live=True, user__is_active=True, user__is_staff=False, user__is_superuser=False,
                user__emailaddress__verified=True)
        .values_list("user_id", flat=True).distinct()
    )
    chosen_ids = sample(rng, candidates, wanted)
    if first is not None:
        chosen_ids = [first.pk, *(pk for pk in chosen_ids if pk != first.pk)][:max(wanted, 1)]
    order = {pk: position for position, pk in enumerate(chosen_ids)}
    chosen = []
    for user in sorted(User.objects.filter(pk__in=chosen_ids), key=lambda user: order[user.pk]):
        communities = postable_communities(rng, user)
        if communities:
            chosen.append({"email": user.email, "password": password, "communities": communities})
    if not chosen:
        raise PlanError("no member with a verified email address who may post in a community with threads")
    first = User.objects.get(email=chosen[0]["email"])
    if not first.check_password(password):
        raise PlanError(f"{first.email} does not sign in with the password given (--password)")
    return chosen


def postable_communities(rng, user):
    joined = CommunityPage.objects.live().filter(
        memberships__user=user, memberships__status=Membership.Status.ACTIVE
    ).order_by("pk")
    entries = []
    for community in sample(rng, joined, MEMBER_COMMUNITIES):
        if not forum_permissions.can_post(user, community):
            continue
        recent = (forum_queries.visible_threads(user, community).filter(is_locked=False)
                  .select_related("community").order_by("-last_post_at")[:RECENT_THREADS])
        if recent:
            entries.append({**forum_entry(community), "recent_threads": [thread_entry(thread) for thread in recent]})
    return entries
