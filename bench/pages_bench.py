"""Benchmark: server time, SQL queries and memory of the main pages, posting a reply, and the monthly roundup.

    DATABASE_URL=postgres://... ELASTICSEARCH_URL=http://... .venv/bin/python bench/pages_bench.py --size large

Normally run by `make bench SIZE=large` (bench/run.sh), which generates the data (`generate_bench_data`), rebuilds
the search index, runs bench/throughput.py and then this script with its results.

Pages are asked for in this process through Django's test client, with real transactions (no test case around
them), production's settings (bench/settings.py) and the site's own task backend, as a visitor and as a member
(`cop_site.benchdata.samples.representative()`). Each request asks for the next of a set of comparable objects (20
threads of 50-60 posts, the busiest public communities...), so one row warm in a cache does not flatter the
numbers: warm-up requests, then timed ones, then an untimed pass over every object that counts SQL queries and,
under tracemalloc, the request's peak Python memory. Search is timed on both backends, switched by settings here.

A reply is posted through the thread's form as a verified member, timed with the work done at commit (which
enqueues tasks); running the tasks it queued is a row of its own. compile_roundup runs for the busiest month in a
transaction rolled back afterwards, so the data stays as generated. Sending a roundup reuses bench/roundup_send.py:
subscribers in a throwaway database `bench_send` on the same server (dropped at the end), an SMTP sink on loopback.

Prints the results and the budget table of issue #6, writes the section `## Pages, posting and throughput (<size>)`
of BENCHMARKS.md (with bench/throughput.py's results when --throughput names its JSON), and exits 1 when a budget
is missed (0 with --report-only).
"""

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import (  # noqa: E402
    BENCHMARKS, Budget, budget_table, machine, markdown_table, missed, percentile, print_table, replace_section,
)

PAGE_P95_MS = 50
SEARCH_P95_MS = {"elasticsearch": 50, "database": 150}
REPLY_P95_MS = 100
MAX_QUERIES = 15
SEND_RATE = 200                 # messages a second, at the largest number of subscribers
SEND_MEMORY_GROWTH = 10         # per cent of peak RSS from the smallest to the largest number of subscribers
SEND_WORKERS = 2                # task workers sending a roundup's batches: one per core of the 2-core server
COMPARABLE = 20                 # objects per page, asked for in turn
DEFAULTS = {"requests": 100, "warmup": 10, "objects": COMPARABLE}
PROFILED_REQUESTS = 3
SEND_DATABASE = "bench_send"
BACKEND_LABELS = {"elasticsearch": "Elasticsearch", "database": "PostgreSQL"}
REPLY_TEXT = (
    "We had the same question about **avoidable contact** last year. Our contact centre now samples 200 calls a "
    "month and codes each as value or failure demand; the scrutiny committee sees the trend quarterly.\n\n"
    "- first contact resolution went from 61% to 74%\n- abandoned calls halved once the website answered the "
    "top five queries\n\nHappy to share the coding frame if it helps."
)


class BenchError(Exception):
    """Something that makes the numbers meaningless (a page that errors, a service that is down): the run stops."""


# ---------------------------------------------------------------------------------------------- setup


def setup_django():
    """Production's settings for a benchmark (bench/settings.py); the gunicorn workers get the same environment. The
    application is loaded as gunicorn loads it (cop_site.wsgi), garbage collector settings included."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import cop_site.wsgi  # noqa: F401 - loading it is the point


def collect_static():
    """Production's templates name static files through whitenoise's manifest, so it must exist (a few seconds)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def check_services():
    """PostgreSQL holding the data, and Elasticsearch answering searches (not the database standing in for it)."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from search import service

    if connection.vendor != "postgresql":
        raise BenchError("DATABASE_URL must point at the PostgreSQL database holding the generated data.")
    if not settings.ELASTICSEARCH_URL:
        raise BenchError("ELASTICSEARCH_URL must point at the Elasticsearch node holding its search index.")
    if service.search("performance", AnonymousUser()).degraded:
        raise BenchError(f"Elasticsearch at {settings.ELASTICSEARCH_URL} does not answer searches.")


# ---------------------------------------------------------------------------------------------- what is measured


@dataclass(frozen=True)
class Visit:
    """One request: as `user` (None: a visitor), GET `url`, or POST `form()` (fresh data each time) to it."""

    user: object
    url: str
    form: Callable | None = None


@dataclass
class Page:
    """A page as one kind of reader sees it, asked for each time with the next of its visits."""

    name: str
    reader: str
    visits: list
    backend: str = ""                       # search: the backend answering ("elasticsearch" or "database")
    p95_budget_ms: float | None = PAGE_P95_MS
    query_budget: int | None = MAX_QUERIES


def comparable(first, others, count):
    """`first`, then the others (without it): a sample and `count` - 1 objects like it."""
    return [first, *[other for other in others if other.pk != first.pk]][:count]


def community_urls(samples, count):
    from communities.models import CommunityPage

    busiest = CommunityPage.objects.live().filter(visibility=CommunityPage.Visibility.PUBLIC).order_by("-thread_count", "pk")
    return [community.url for community in comparable(samples.community, busiest[:count], count)]


def forum_urls(samples, count):
    return [f"{url}forum/" for url in community_urls(samples, count)]


def visitor_threads():
    from django.contrib.auth.models import AnonymousUser

    from communities.queries import readable_threads

    return readable_threads(AnonymousUser()).select_related("community")


def thread_urls(samples, count):
    similar = visitor_threads().filter(post_count__range=(50, 60)).order_by("pk")[:count]
    return [thread.get_absolute_url() for thread in comparable(samples.thread, similar, count)]


def deep_page_urls(samples, count):
    """The middle and the last page of the longest threads anyone may read (the sample's long thread first)."""
    from communities.models import POSTS_PER_PAGE

    threads = visitor_threads()
    longest = threads.order_by("-post_count", "pk")[:count // 2]
    if threads.filter(pk=samples.long_thread.pk).exists():
        longest = comparable(samples.long_thread, longest, count // 2)
    urls = []
    for thread in longest:
        last = max(1, -(-thread.post_count // POSTS_PER_PAGE))
        urls += [f"{thread.get_absolute_url()}?page={page}" for page in ((last + 1) // 2, last)]
    return urls


def library_urls(count):
    """The library filtered by one of the topics with most decks, a kind, and one of the latest years."""
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count

    from library.models import LibraryIndexPage, Topic
    from library.queries import KINDS, filter_options

    library = LibraryIndexPage.objects.live().get().url
    topics = Topic.objects.annotate(decks_count=Count("decks")).order_by("-decks_count", "slug")[:5]
    years = filter_options(AnonymousUser())["years"][:2]
    combinations = itertools.product(topics, KINDS, years)
    return [f"{library}?{urlencode({'topic': topic.slug, 'kind': kind, 'year': year})}"
            for topic, kind, year in combinations][:count]


def deck_urls(samples, count):
    from django.contrib.auth.models import AnonymousUser

    from library.models import SlideDeck
    from library.queries import readable_decks

    ready = readable_decks(AnonymousUser()).filter(status=SlideDeck.Status.READY).order_by("pk")[:count]
    return [deck.get_absolute_url() for deck in comparable(samples.deck, ready, count)]


def case_study_urls(samples, count):
    from library.queries import listed_case_studies

    return [study.url for study in comparable(samples.case_study, listed_case_studies().order_by("pk")[:count], count)]


def search_urls(category):
    """The search benchmark's typical multi-word queries, or its rare ones."""
    from django.urls import reverse

    from bench.search_bench import query_set

    texts = [query.text for query in query_set(0) if query.category == category and not query.filters]
    if category == "typical":
        texts = [text for text in texts if " " in text]
    return [f"{reverse('search')}?{urlencode({'q': text})}" for text in texts]


def home_members(samples, count):
    """The member, and members like them: plain, verified members of the same community who watch threads."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from communities.models import Membership, Watch

    member = Membership.objects.active().filter(community=samples.community, role=Membership.Role.MEMBER)
    similar = get_user_model().objects.filter(
        Exists(member.filter(user=OuterRef("pk"))),
        Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        Exists(Watch.objects.filter(user=OuterRef("pk"), thread__isnull=False)),
        is_active=True,
    ).order_by("pk")[:count]
    return comparable(samples.member, similar, count)


def page_plan(samples, count=COMPARABLE):
    """Every page measured, as each reader; bench/throughput.py mixes the same visits."""
    def both(name, urls, **options):
        return [Page(name, reader, [Visit(user, url) for url in urls], **options)
                for reader, user in (("visitor", None), ("member", samples.member))]

    plan = [
        *both("home", ["/"]),
        *both("community page", community_urls(samples, count)),
        *both("forum list", forum_urls(samples, count)),
        *both("thread page (50-60 posts)", thread_urls(samples, count)),
        *both("long thread, middle and last pages", deep_page_urls(samples, count)),
        *both("library by topic, kind and year", library_urls(count)),
        *both("slide deck", deck_urls(samples, count)),
        *both("case study", case_study_urls(samples, count)),
    ]
    for backend, category in itertools.product(BACKEND_LABELS, ("typical", "rare")):
        plan += both(f"search, {category} queries, {BACKEND_LABELS[backend]}", search_urls(category),
                     backend=backend, p95_budget_ms=SEARCH_P95_MS[backend])
    plan.append(Page("member home /my/", "member", [Visit(user, "/my/") for user in home_members(samples, count)]))
    return plan


def reply_community(samples):
    """Where the member replies: another community of theirs when there is one, so that the sample community's
    busiest month (which compile_roundup is timed on) stays the one generated, however often this runs."""
    from communities.models import CommunityPage, Membership

    theirs = CommunityPage.objects.live().filter(memberships__user=samples.member,
                                                 memberships__status=Membership.Status.ACTIVE)
    return theirs.exclude(pk=samples.community.pk).order_by("-thread_count", "pk").first() or samples.community


def reply_page(samples, count=COMPARABLE):
    """Replying as the member, in threads whose pages are not timed (so those keep their size)."""
    from communities.models import Thread

    community = reply_community(samples)
    timed = visitor_threads().filter(post_count__range=(50, 60)).values("pk")
    threads = (Thread.objects.filter(community=community, is_hidden=False, is_locked=False)
               .exclude(pk__in=timed).order_by("pk")[:count])

    def form():
        return {"body": REPLY_TEXT, "submission_key": str(uuid.uuid4())}

    visits = [Visit(samples.member, community.url + community.reverse_subpage("thread_action", args=(thread.pk, "reply")),
                    form) for thread in threads]
    return Page(f"posting a reply ({community.get_visibility_display().split(':')[0].lower()} community)", "member",
                visits, p95_budget_ms=REPLY_P95_MS, query_budget=None)


# ---------------------------------------------------------------------------------------------- requests


class Clients:
    """One test client per reader: a visitor's, and one signed in (force_login) per user.

    They share one request handler, as a server process's requests do: a test client loads the middleware on its first
    request, and WhiteNoise's scan of the static files alone took ~80 ms, which landed on the first timed visit of each
    member the warm-up had not reached (the member home visits 20 members).
    """

    def __init__(self):
        self.by_user = {}
        self.handler = None

    def __call__(self, user):
        from django.test import Client

        key = user.pk if user else None
        if key not in self.by_user:
            client = self.by_user[key] = Client()
            if self.handler is None:
                self.handler = client.handler
            client.handler = self.handler
            if user:
                client.force_login(user)
        return self.by_user[key]


def request(clients, visit):
    """Ask for the page (or post the form); anything but the page (or the redirect after a post) stops the run."""
    client = clients(visit.user)
    asked = f"{'POST' if visit.form else 'GET'} {visit.url} as {visit.user or 'a visitor'}"
    try:
        response = client.post(visit.url, visit.form()) if visit.form else client.get(visit.url)
    except Exception as error:  # noqa: BLE001 - the view's own error, raised through the test client
        raise BenchError(f"{asked} failed: {type(error).__name__}: {error}") from error
    expected = 302 if visit.form else 200
    if response.status_code != expected:
        raise BenchError(f"{asked} answered {response.status_code}, not {expected}")
    return response


def timed(function, *args):
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def counted(clients, visit):
    """One request's SQL queries, and the peak of Python memory it allocated (tracemalloc, so untimed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        tracemalloc.start()
        try:
            request(clients, visit)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return len(queries), peak


def search_backend(backend):
    """Search answered by `backend`: Elasticsearch as configured, or the database with Elasticsearch switched off."""
    from django.test.utils import override_settings

    return override_settings(ELASTICSEARCH_URL="") if backend == "database" else nullcontext()


@dataclass
class Result:
    page: Page
    timings: list = field(default_factory=list)     # (seconds, visit) per timed request
    queries: list = field(default_factory=list)     # per visit, untimed pass
    peaks: list = field(default_factory=list)       # bytes per visit, untimed pass
    after: list = field(default_factory=list)       # seconds of the work after each timed request (a reply's tasks)
    note: str = ""

    def p(self, q):
        return percentile([seconds for seconds, _ in self.timings], q) * 1000

    def budgets(self):
        page = self.page
        label = f"{page.name}, as {page.reader}"
        found = []
        if page.p95_budget_ms is not None and self.timings:
            found.append(Budget(f"{label}: server time p95", self.p(95), page.p95_budget_ms, "ms"))
        if page.query_budget is not None and self.queries:
            found.append(Budget(f"{label}: SQL queries", max(self.queries), page.query_budget, "queries"))
        return found


def measure(page, clients, args, after=None):
    """Warm-up requests, timed ones, then every visit once, untimed, for SQL queries and peak memory.

    `after` (a reply's queued tasks) runs after each request, timed on its own when the request was.
    """
    if not page.visits:
        raise BenchError(f"nothing to measure for {page.name}: the data has none of its objects")
    result = Result(page)
    visits = itertools.cycle(page.visits)
    with search_backend(page.backend):
        for _ in range(args.warmup):
            request(clients, next(visits))
            if after:
                after()
        for _ in range(args.requests):
            visit = next(visits)
            result.timings.append((timed(request, clients, visit), visit))
            if after:
                result.after.append(timed(after))
        for visit in page.visits:
            queries, peak = counted(clients, visit)
            result.queries.append(queries)
            result.peaks.append(peak)
            if after:
                after()
    return result


def profile_slowest(result, clients):
    """The slowest timed requests again, under pyinstrument: where the time goes."""
    from pyinstrument import Profiler

    slowest = {}
    for seconds, visit in sorted(result.timings, key=lambda timing: timing[0], reverse=True):
        slowest.setdefault(visit.url, (seconds, visit))
    with search_backend(result.page.backend):
        for seconds, visit in list(slowest.values())[:PROFILED_REQUESTS]:
            with Profiler(interval=0.0005) as profiler:
                request(clients, visit)
            print(f"\n--- {result.page.name}, as {result.page.reader}: {visit.url} took {seconds * 1000:.1f} ms "
                  "when timed; again under the profiler:")
            print(profiler.output_text(unicode=True, color=False))


# ---------------------------------------------------------------------------------------------- posting


class QueuedTasks:
    """The tasks enqueued meanwhile (a reply's, at commit), run as `manage.py db_worker` runs them."""

    WORKER_ID = "pages-bench"

    def __init__(self):
        from django_tasks import task_backends
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker

        if not isinstance(task_backends["default"], DatabaseBackend):
            raise BenchError("a reply's tasks are run from the database queue: unset TASKS_REDIS_URL")
        self.ids = []
        self.worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                             max_tasks=None, worker_id=self.WORKER_ID, excluded_queue_names=[])
        self.per_run = []

    def record(self, sender, task_result, **kwargs):
        self.ids.append(task_result.id)

    @contextmanager
    def listening(self):
        from django_tasks.signals import task_enqueued

        task_enqueued.connect(self.record)
        try:
            yield self
        finally:
            task_enqueued.disconnect(self.record)

    def run(self):
        """Run what was queued (and whatever that queues in turn); a task that fails stops the run."""
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        names = []
        while self.ids:
            row = DBTaskResult.objects.get(id=self.ids.pop(0))
            row.claim(self.WORKER_ID)
            self.worker.run_task(row)
            if row.status != TaskResultStatus.SUCCESSFUL:
                raise BenchError(f"task {row.task_path} failed:\n{row.traceback}")
            names.append(row.task_path.rsplit(".", 1)[-1])
        self.per_run.append(names)


def measure_posting(samples, clients, args):
    """A reply through the thread's form, and the tasks it queued as a row of their own."""
    tasks = QueuedTasks()
    with tasks.listening():
        posting = measure(reply_page(samples), clients, args, after=tasks.run)
    queued = sorted({name for names in tasks.per_run for name in names})
    posting.note = f"queues {', '.join(queued) or 'no tasks'}"
    worker = Result(Page("running the tasks a reply queued", "task worker", [], p95_budget_ms=None, query_budget=None),
                    timings=[(seconds, None) for seconds in posting.after],
                    note=f"{max(map(len, tasks.per_run), default=0)} tasks at most per reply")
    return [posting, worker]


# ---------------------------------------------------------------------------------------------- roundups


@dataclass
class Row:
    """A step of compiling a roundup, and what it took (a column each)."""

    step: str
    cells: dict


def rolled_back(function):
    """`function`'s result, its work undone: the generated data stays as it was."""
    from django.db import transaction

    with transaction.atomic():
        outcome = function()
        transaction.set_rollback(True)
    return outcome


def compile_once(community, month):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletters.compile import compile_roundup

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = compile_roundup(community, month)
        seconds = time.perf_counter() - started
    return {"wall time": f"{seconds:.2f} s", "SQL queries": len(queries), "items added": len(outcome.added)}


def compile_peak(community, month):
    from newsletters.compile import compile_roundup

    tracemalloc.start()
    try:
        compile_roundup(community, month)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def as_if_never_compiled(community, month):
    """Delete the month's roundup, which the generator compiled, published and sent (the caller rolls this back)."""
    from newsletters.compile import roundup_for

    existing = roundup_for(community, month)
    if existing is not None:
        existing.delete()


def measure_compile(samples):
    """compile_roundup for the busiest month: a new draft, then a re-compile that finds nothing new; then its memory."""
    community, month = samples.community, samples.busy_month

    def twice():
        as_if_never_compiled(community, month)
        return [compile_once(community, month), compile_once(community, month)]

    def traced():
        as_if_never_compiled(community, month)
        return compile_peak(community, month)

    first, again = rolled_back(twice)
    first["peak Python memory"] = f"{rolled_back(traced) / 2**20:.1f} MB"
    return [Row(f"compile_roundup, {community.title}, {month:%B %Y} (new draft)", first),
            Row("re-compile (nothing new)", again)]


@contextmanager
def counting_sink():
    """bench/roundup_send.py's counting SMTP server, on a free loopback port."""
    from aiosmtpd.controller import Controller

    from bench.roundup_send import CountingSink, free_port

    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@contextmanager
def mail_to_sink():
    """This process's mail (a reply's notifications) sent over SMTP to a sink on loopback."""
    from django.test.utils import override_settings

    with counting_sink() as (_, port), override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
        EMAIL_USE_TLS=False, EMAIL_USE_SSL=False,
    ):
        yield


def send_one_size(size, sink, port):
    """As bench/roundup_send.py does for one size: fill, queue, then send by task workers, checking delivery."""
    from bench import roundup_send

    options = argparse.Namespace(tracemalloc=False, sqlite_wal=False, command=False, workers=SEND_WORKERS)
    roundup_send.run("fill", size, options)
    sink.per_recipient.clear()
    queue_seconds, senders, seconds = roundup_send.send_one(size, options, port)
    sent, copies = sum(sender["sent"] for sender in senders), set(sink.per_recipient.values())
    if sent != size or len(sink.per_recipient) != size or copies != {1}:
        raise BenchError(f"roundup to {size:,} subscribers: {sent:,} sent, "
                         f"{len(sink.per_recipient):,} received, copies per recipient {sorted(copies)}")
    print(f"  sent to {size:,} subscribers in {seconds:.1f} s", file=sys.stderr, flush=True)
    return {"subscribers": size, "queue s": queue_seconds, "send s": seconds, "messages/s": size / seconds,
            "sender CPU ms a message": 1000 * sum(sender["cpu_seconds"] for sender in senders) / size,
            "RSS start MB": max(sender["rss_before_mb"] for sender in senders),
            "RSS peak MB": max(sender["rss_peak_mb"] for sender in senders)}


def send_roundups(sizes):
    """The helper process's work (see measure_sending): a sink, then each size in turn. No Django in here."""
    with counting_sink() as (sink, port):
        return [send_one_size(size, sink, port) for size in sorted(sizes)]


def measure_sending(db_url, sizes):
    """Roundups sent by bench/roundup_send.py's processes, started from a small helper process of ours.

    Not from this one: a process started by a large one reports that one's size as its own peak RSS (Linux keeps
    the peak across fork and exec), which would hide whether sending memory stays flat.
    """
    from bench.search_bench import database_url, drop_database, recreate_database

    recreate_database(db_url, SEND_DATABASE)
    try:
        helper = subprocess.run([sys.executable, __file__, "--send-roundups", *map(str, sizes)], cwd=ROOT,
                                env={**os.environ, "DATABASE_URL": database_url(db_url, SEND_DATABASE)},
                                stdout=subprocess.PIPE, text=True)
        if helper.returncode:
            raise BenchError("sending the roundups failed (see above)")
        return json.loads(helper.stdout.strip().splitlines()[-1])
    finally:
        drop_database(db_url, SEND_DATABASE)


def sending_budgets(runs):
    smallest, largest = runs[0], runs[-1]
    budgets = [Budget(f"roundup sending to {largest['subscribers']:,}: messages a second", largest["messages/s"],
                      SEND_RATE, "msg/s", at_least=True)]
    if largest is not smallest:
        growth = (largest["RSS peak MB"] / smallest["RSS peak MB"] - 1) * 100
        budgets.append(Budget(f"roundup sending: peak RSS growth from {smallest['subscribers']:,} to "
                              f"{largest['subscribers']:,} subscribers", growth, SEND_MEMORY_GROWTH, "%"))
    return budgets


# ---------------------------------------------------------------------------------------------- reporting


def queries_cell(result):
    if not result.queries:
        return "–"
    low, high = min(result.queries), max(result.queries)
    return f"{high}" if low == high else f"{high} (varies: {low}–{high})"


def results_table(results):
    header = ["page", "as", "p50 ms", "p95 ms", "p99 ms", "SQL queries (max)", "peak memory MB (max)", "timed",
              "objects", "note"]
    rows = [[result.page.name, result.page.reader, f"{result.p(50):.1f}", f"{result.p(95):.1f}", f"{result.p(99):.1f}",
             queries_cell(result), f"{max(result.peaks) / 2**20:.1f}" if result.peaks else "–", len(result.timings),
             len(result.page.visits) or "–", result.note] for result in results]
    return header, rows


def rows_table(rows):
    columns = list(dict.fromkeys(column for row in rows for column in row.cells))
    return ["step", *columns], [[row.step, *[row.cells.get(column, "") for column in columns]] for row in rows]


def sending_table(runs):
    header = list(runs[0])
    return header, [[f"{value:,}" if isinstance(value, int) else f"{value:,.1f}" for value in run.values()]
                     for run in runs]


def command_line(args):
    """The make command that runs this again."""
    command = f"make bench SIZE={args.size}" + (f" BENCH_SEED={args.seed}" if args.seed is not None else "")
    options = [f"--{name} {getattr(args, name)}" for name, default in DEFAULTS.items() if getattr(args, name) != default]
    return command + (f' BENCH_OPTIONS="{" ".join(options)}"' if options else "")


def section_title(size):
    return f"Pages, posting and throughput ({size})"


def section(args, tables, budgets, throughput, started, postgres, elastic):
    lines = [
        f"## {section_title(args.size)}",
        "",
        "`bench/pages_bench.py` and `bench/throughput.py` on the data of `generate_bench_data --size "
        f"{args.size}`{f' --seed {args.seed}' if args.seed is not None else ''}, PostgreSQL {postgres} and "
        f"Elasticsearch {elastic}, production's settings (`bench/settings.py`):",
        "",
        "```sh",
        command_line(args),
        "```",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {machine()}; load average {args.load_before:.1f} before and "
        f"{args.load_after:.1f} after. Pages through Django's test client in one process: {args.warmup} warm-up and "
        f"{args.requests} timed requests each, over up to {args.objects} comparable objects in turn, then one untimed "
        "request per object for SQL queries and peak Python memory (tracemalloc).",
        "",
        "### Budgets",
        "",
        markdown_table(*budget_table(budgets)),
        "",
    ]
    for title, (header, rows) in tables.items():
        lines += [f"### {title}", "", markdown_table(header, rows), ""]
    if throughput:
        lines += ["### Throughput", "", throughput["description"], "", markdown_table(*throughput["table"]), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="unknown", help="the generated data's size, for the report (small, medium, large)")
    parser.add_argument("--seed", type=int, help="the generator's seed, for the report (when not its default)")
    parser.add_argument("--requests", type=int, default=DEFAULTS["requests"], help="timed requests per page (default 100)")
    parser.add_argument("--warmup", type=int, default=DEFAULTS["warmup"], help="warm-up requests per page (default 10)")
    parser.add_argument("--objects", type=int, default=DEFAULTS["objects"],
                        help=f"comparable objects per page (default {COMPARABLE})")
    parser.add_argument("--recipients", type=int, nargs="+", default=[5000, 20000],
                        help="roundup subscribers, one send each (default 5000 20000: memory must stay flat)")
    parser.add_argument("--throughput", type=Path, help="bench/throughput.py's --json results, for the report")
    parser.add_argument("--profile", action="store_true",
                        help="profile the slowest requests (pyinstrument) of every page that misses a budget")
    parser.add_argument("--no-write", action="store_true", help="don't update BENCHMARKS.md")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a budget is missed")
    parser.add_argument("--send-roundups", type=int, nargs="+", help=argparse.SUPPRESS)   # the helper process
    return parser.parse_args()


def main():
    args = parse_args()
    if args.send_roundups:
        try:
            print(json.dumps(send_roundups(args.send_roundups)))
        except BenchError as error:
            sys.exit(f"pages_bench: {error}")
        return
    db_url = os.environ.get("DATABASE_URL", "")
    if not db_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at the PostgreSQL database holding the generated data.")
    throughput = json.loads(args.throughput.read_text()) if args.throughput else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # unwind like Ctrl-C: the clean-up below runs
    clock = time.monotonic()

    def progress(message):
        print(f"[{time.monotonic() - clock:7.1f}s] {message}", flush=True)

    setup_django()
    try:
        budgets = run(args, db_url, throughput, progress)
    except BenchError as error:
        sys.exit(f"pages_bench: {error}")
    except KeyboardInterrupt:
        sys.exit(130)
    if missed(budgets) and not args.report_only:
        sys.exit(1)


def run(args, db_url, throughput, progress):
    from bench.search_bench import versions
    from cop_site.benchdata.samples import representative

    started = datetime.now(timezone.utc)
    args.load_before = os.getloadavg()[0]
    collect_static()
    check_services()
    chosen = representative()
    clients = Clients()
    results = []
    with mail_to_sink():
        for page in page_plan(chosen, args.objects):
            progress(f"{page.name}, as {page.reader}")
            results.append(measure(page, clients, args))
        progress("posting a reply")
        results += measure_posting(chosen, clients, args)
    progress("compiling the roundup")
    compiled = measure_compile(chosen)
    progress(f"sending roundups to {' and '.join(f'{size:,}' for size in args.recipients)} subscribers")
    sent = measure_sending(db_url, args.recipients)
    args.load_after = os.getloadavg()[0]

    budgets = [budget for result in results for budget in result.budgets()]
    budgets += sending_budgets(sent)
    budgets += [Budget(**budget) for budget in (throughput or {}).get("budgets", [])]
    tables = {"Pages and posting": results_table(results), "Compiling a roundup": rows_table(compiled),
              "Sending a roundup": sending_table(sent)}
    for title, (header, rows) in tables.items():
        print_table(title, header, rows)
    if throughput:
        print_table("Throughput", *throughput["table"])
    print_table("Budgets", *budget_table(budgets))
    if args.profile:
        for result in results:
            if any(not budget.met for budget in result.budgets()):
                profile_slowest(result, clients)
    if not args.no_write:
        postgres, elastic = versions(db_url, os.environ.get("ELASTICSEARCH_URL", ""))
        replace_section(BENCHMARKS, section_title(args.size),
                        section(args, tables, budgets, throughput, started, postgres, elastic))
        progress(f"BENCHMARKS.md: section “{section_title(args.size)}” updated")
    return budgets


if __name__ == "__main__":
    main()
