"""Benchmark: compile a community's roundup for a month with many posts.

    DATABASE_URL=sqlite:////tmp/bench-compile.sqlite3 .venv/bin/python bench/roundup_compile.py --posts 20000
    (or DATABASE_URL=postgres://... for PostgreSQL; the database is migrated and filled, so use a throwaway one)

Creates one community with members, threads and replies spread over October 2026 (and some in September,
for the comparison figures), then times `compile_roundup` cold and again (a re-compile that adds nothing),
reporting wall time, SQL queries and peak Python memory.
"""

import argparse
import bisect
import os
import random
import sys
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

MONTH = date(2026, 10, 1)
LONDON = ZoneInfo("Europe/London")
WORDS = (
    "avoidable contact NI14 channel shift contact centre first contact resolution scrutiny committee KPI "
    "performance framework benchmarking customer insight demand failure value demand satisfaction survey "
    "abandoned calls service standards outcome measures quarterly report council tax revenues benefits"
).split()


def sentence(rng, length=18):
    return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + "."


def fill(posts, threads, members, seed):
    """Bulk-insert a community whose forum has `posts` posts in the month across `threads` threads."""
    from django.contrib.auth import get_user_model

    from communities.models import CommunityPage, Membership, Post, Thread
    from cop_site.markup import MARKUP_VERSION, render_markdown
    from cop_site.site_structure import ensure_site_structure

    rng = random.Random(seed)
    for model in (Thread, Post):  # keep the dates we give: created_at is auto_now_add
        model._meta.get_field("created_at").auto_now_add = False
    home = ensure_site_structure()
    index = home.get_children().get(slug="communities").specific
    community = CommunityPage.objects.filter(slug="bench-community").first()
    if community is None:
        community = index.add_child(instance=CommunityPage(title="Bench community", slug="bench-community",
                                                           summary="Benchmark data."))
    User = get_user_model()
    User.objects.bulk_create([User(username=f"bench{n}", email=f"bench{n}@example.org") for n in range(members)],
                             ignore_conflicts=True)
    users = list(User.objects.filter(username__startswith="bench"))
    Membership.objects.bulk_create([Membership(user=u, community=community) for u in users], ignore_conflicts=True)

    september, october, november = (datetime(2026, m, 1, tzinfo=LONDON) for m in (9, 10, 11))
    thread_times = sorted(september + (november - september) * rng.random() for _ in range(threads))
    thread_rows = Thread.objects.bulk_create([
        Thread(community=community, title=sentence(rng, 6)[:140], slug=f"bench-{n}", author=rng.choice(users),
               last_post_at=when, created_at=when)
        for n, when in enumerate(thread_times)
    ], batch_size=1000)
    per_thread = {thread.pk: 0 for thread in thread_rows}
    body = sentence(rng, 40)
    html = render_markdown(body)
    rows = []

    def post(when):
        """A post at `when` in a thread that already existed then."""
        thread = thread_rows[rng.randrange(bisect.bisect_right(thread_times, when) or 1)]
        per_thread[thread.pk] += 1
        rows.append(Post(thread=thread, position=per_thread[thread.pk], author=rng.choice(users), body=body,
                         body_html=html, body_html_version=str(MARKUP_VERSION), created_at=when))
        if len(rows) == 5000:
            Post.objects.bulk_create(rows)
            rows.clear()

    for _ in range(posts):  # the month being compiled
        post(october + (november - october) * rng.random())
    for _ in range(posts // 2):  # the month before, for the comparison
        post(september + (october - september) * rng.random())
    Post.objects.bulk_create(rows)
    for thread in thread_rows:
        Thread.objects.filter(pk=thread.pk).update(reply_count=max(0, per_thread[thread.pk] - 1))
    return community


def measure(label, function):
    reset_queries()
    tracemalloc.start()
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = function()
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} {elapsed * 1000:9.0f} ms {len(queries):6d} queries {peak / 1e6:8.1f} MB peak")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20000, help="Posts in the month compiled (half as many the month before).")
    parser.add_argument("--threads", type=int, default=2000)
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    from communities.models import Post
    from newsletters.compile import compile_roundup

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    community = fill(args.posts, args.threads, args.members, args.seed)
    print(f"{connection.vendor}: {Post.objects.count()} posts in {args.threads} threads, "
          f"filled in {time.perf_counter() - began:.1f} s")
    first = measure("compile (new draft)", lambda: compile_roundup(community, MONTH))
    print(f"  {len(first.added)} items, figures: posts {first.roundup.figures['posts']}, "
          f"active members {first.roundup.figures['active_members']}")
    measure("re-compile (nothing new)", lambda: compile_roundup(community, MONTH))


if __name__ == "__main__":
    main()
