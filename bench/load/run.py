"""The load test: many people browsing, searching and posting at once, then a count that no post was lost or doubled.

    .venv/bin/python bench/load/run.py --users 50 --minutes 5 [--write]        (make load)

Data. With BENCH_DATABASE_URL and BENCH_ELASTICSEARCH_URL set, the PostgreSQL database and Elasticsearch node there
already hold generated data (`manage.py generate_bench_data`, indexed under SEARCH_INDEX_PREFIX) and are used as
they are: the posts the run makes stay in them. Otherwise a throwaway database `bench_load` on TEST_DATABASE_URL's
server and indexes `bench-load-*` on TEST_ELASTICSEARCH_URL are filled (`generate_bench_data --size small`, or the
demo with --demo), indexed, and removed afterwards (--keep leaves them); with neither set, this script runs itself
again under scripts/with-test-services.sh, which starts both and stops them at the end.

Servers, as production runs them: gunicorn with 2 sync workers on production settings (bench/load/settings.py:
plain HTTP on loopback, abuse limits opened; DEBUG off), a `db_worker` and `run_periodic`. Then Locust
(bench/load/locustfile.py, in its own virtualenv bench/load/.venv) headless for a bounded time: visitors browse and
search, members sign in and read, search, watch and post, with 1-5 s think time.

Afterwards: every post Locust saw accepted must be in the database exactly once, no post it saw refused may be
there (a post whose request got no answer may be: counted apart), the search outbox and the task queue must drain,
no task may fail, and neither Locust nor gunicorn's logs may show a server error. Any of that failing exits 1.
--write replaces the `## Load` section of BENCHMARKS.md with the command, machine, settings and the summary.
"""

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import BENCHMARKS, Budget, machine, replace_section  # noqa: E402
from bench.search_bench import database_url, drop_database, recreate_database  # noqa: E402

LOAD_VENV = HERE / ".venv"
LOAD_DATABASE = "bench_load"
INDEX_PREFIX = "bench-load"
GUNICORN_WORKERS = 2
HOST = "127.0.0.1"
FIRST_PORT = 8100
STOP_TIMEOUT = 30           # seconds Locust lets a simulated person finish what they are doing when time is up
READY_TIMEOUT = 90          # seconds for gunicorn to answer its first page
RSS_BUDGET_MB = 200
SETTINGS_NOTE = (
    "production settings (`DEBUG` off, whitenoise, persistent database connections, lock timeout) through "
    "`bench/load/settings.py` on `bench/settings.py`: plain HTTP on loopback (no HTTPS redirect, cookies not marked "
    "Secure) and no limits on posts, searches and suggestions per minute or sign-ins per IP address, since every "
    "simulated person comes from 127.0.0.1 and demo accounts are shared: production's limits would turn the run into "
    "a test of 429s (any 429 is still counted apart). Email goes to Django's dummy backend."
)
DEFAULTS = {"users": 50, "minutes": 5.0, "spawn_rate": 2.0, "size": "small", "settle": 120, "seed": 2009}
ACCESS_LOG_FORMAT = "%(s)s %(m)s %(U)s %(M)s"
TOKEN = re.compile(r"loadtest-[0-9a-f]+-\d{6}")
LOCUST_ERROR = re.compile(r"^\w+\('(.*)'\)$", re.S)


# ---------------------------------------------------------------------------------------------- services and data


@dataclass
class Target:
    server_url: str           # the PostgreSQL server, for making and dropping the throwaway database
    database_url: str
    elasticsearch_url: str
    index_prefix: str
    throwaway: bool           # our own database and indexes: filled here, removed afterwards


def target_or_rerun():
    bench_db, bench_es = os.environ.get("BENCH_DATABASE_URL", ""), os.environ.get("BENCH_ELASTICSEARCH_URL", "")
    if bench_db or bench_es:
        if not (bench_db and bench_es):
            sys.exit("Set both BENCH_DATABASE_URL and BENCH_ELASTICSEARCH_URL, or neither.")
        return Target(bench_db, bench_db, bench_es, os.environ.get("SEARCH_INDEX_PREFIX", "cop-site"), throwaway=False)
    test_db, test_es = os.environ.get("TEST_DATABASE_URL", ""), os.environ.get("TEST_ELASTICSEARCH_URL", "")
    if test_db and test_es:
        return Target(test_db, database_url(test_db, LOAD_DATABASE), test_es, INDEX_PREFIX, throwaway=True)
    os.execvp("bash", ["bash", str(ROOT / "scripts/with-test-services.sh"), sys.executable, __file__, *sys.argv[1:]])


def free_port():
    import socket

    for port in range(FIRST_PORT, FIRST_PORT + 100):
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) != 0:
                return port
    sys.exit(f"No free port from {FIRST_PORT}.")


def server_environment(target, run_dir, port):
    """What production reads from the environment, for gunicorn, the worker, the periodic jobs and this script."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": target.database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "ELASTICSEARCH_URL": target.elasticsearch_url,
        "SEARCH_INDEX_PREFIX": target.index_prefix,
        "EMAIL_URL": "dummy:",
        "TASKS_REDIS_URL": "",      # the database task queue: db_worker drains it and settle() watches it
        "SITE_URL": f"http://{HOST}:{port}",
        "LOAD_STATIC_ROOT": str(run_dir / "static"),
        "PYTHONPATH": str(ROOT),
    }
    if target.throwaway:
        env.update(MEDIA_ROOT=str(run_dir / "media"), PRIVATE_MEDIA_ROOT=str(run_dir / "private-media"))
    return env


def manage(env, log_path, *command):
    """Run a management command as its own process; on failure show the end of its output and stop."""
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"\n$ manage.py {' '.join(command)}\n")
        log.flush()
        finished = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    if finished.returncode != 0:
        sys.exit(f"manage.py {' '.join(command)} failed:\n{tail(log_path, 40)}")


def prepare_data(args, target, env, log_path, progress):
    """Fill a throwaway database (or check the given one), collect static files, and bring the index up to date.
    Returns the password every member in the data signs in with."""
    from communities.demo import DEMO_PASSWORD
    from cop_site.benchdata.samples import BENCH_PASSWORD

    if target.throwaway:
        recreate_database(target.server_url, LOAD_DATABASE)
        progress(f"migrating the throwaway database {LOAD_DATABASE}")
        manage(env, log_path, "migrate", "--noinput")
        if args.demo:
            progress("loading the demo content")
            manage(env, log_path, "load_demo", "--hostname", HOST)
        else:
            progress(f"generating {args.size} benchmark data")
            manage(env, log_path, "generate_bench_data", "--size", args.size, "--seed", str(args.seed))
        progress(f"building the search indexes ({target.index_prefix}-*)")
        manage(env, log_path, "search_index", "--rebuild")
    else:
        progress("checking the given database is migrated, applying waiting index changes")
        manage(env, log_path, "migrate", "--check")
        manage(env, log_path, "search_index", "--replay")
    progress("collecting static files")
    manage(env, log_path, "collectstatic", "--noinput")
    return args.password or (DEMO_PASSWORD if args.demo else BENCH_PASSWORD)


def delete_indexes(es_url, prefix):
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=60)
    names = client.indices.get(index=f"{prefix}-*", expand_wildcards="all", ignore_unavailable=True)
    for name in names:   # by name: wildcard deletes are refused by default
        client.options(ignore_status=404).indices.delete(index=name)


def versions(target):
    from django.db import connection
    from elasticsearch import Elasticsearch

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return postgres, Elasticsearch(target.elasticsearch_url).info()["version"]["number"]


# ---------------------------------------------------------------------------------------------- processes


def ensure_locust():
    """bench/load/.venv with Locust from bench/load/requirements.txt, (re)installed when the requirements change."""
    requirements = HERE / "requirements.txt"
    installed = LOAD_VENV / ".installed"
    if installed.exists() and installed.stat().st_mtime >= requirements.stat().st_mtime:
        return
    if not (LOAD_VENV / "bin/python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)
    subprocess.run([str(LOAD_VENV / "bin/python"), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True)
    installed.touch()


class Servers:
    """gunicorn, the task worker and the periodic jobs, each logging to its own file in the run folder."""

    def __init__(self, env, run_dir, port):
        self.env, self.run_dir, self.port = env, run_dir, port
        self.processes = {}

    def start(self):
        self.spawn("gunicorn", [
            sys.executable, "-m", "gunicorn", "cop_site.wsgi:application", "--workers", str(GUNICORN_WORKERS),
            "--bind", f"{HOST}:{self.port}", "--timeout", "30", "--graceful-timeout", "20",
            "--access-logfile", str(self.run_dir / "access.log"), "--access-logformat", ACCESS_LOG_FORMAT,
            "--error-logfile", "-",
        ])
        self.spawn("worker", [sys.executable, "manage.py", "db_worker", "--interval", "1", "--no-reload"])
        self.spawn("periodic", [sys.executable, "manage.py", "run_periodic", "--interval", "60"])

    def spawn(self, name, command):
        log = open(self.run_dir / f"{name}.log", "a", encoding="utf-8")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def wait_until_serving(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    sys.exit(f"{name} stopped (exit {process.returncode}):\n{tail(self.run_dir / f'{name}.log', 40)}")
            try:
                with urlopen(f"http://{HOST}:{self.port}/", timeout=10) as response:
                    if response.status == 200:
                        return
            except (URLError, OSError):
                pass
            time.sleep(0.5)
        sys.exit(f"gunicorn did not serve the home page within {READY_TIMEOUT} s:\n{tail(self.run_dir / 'gunicorn.log', 40)}")

    def pid(self, name):
        process = self.processes.get(name)
        return process.pid if process and process.poll() is None else None

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid):
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class RssSampler(threading.Thread):
    """Resident memory of the gunicorn workers (whichever are alive: a restarted worker counts too) and the task
    worker, sampled twice a second; keeps the peaks."""

    def __init__(self, servers):
        super().__init__(daemon=True)
        self.servers = servers
        self.peak_kb = Counter()      # "gunicorn worker", "task worker"
        self.workers_seen = set()
        self.halt = threading.Event()

    def run(self):
        while not self.halt.wait(0.5):
            master = self.servers.pid("gunicorn")
            for pid in children(master) if master else []:
                self.workers_seen.add(pid)
                self.peak_kb["gunicorn worker"] = max(self.peak_kb["gunicorn worker"], rss_kb(pid))
            worker = self.servers.pid("worker")
            if worker:
                self.peak_kb["task worker"] = max(self.peak_kb["task worker"], rss_kb(worker))

    def stop(self):
        self.halt.set()
        self.join()


def run_locust(args, run_dir, plan_path, posts_log, base_url, progress):
    """Locust headless for the run time (plus the stop timeout), bounded: killed if it overstays."""
    run_seconds = round(args.minutes * 60)
    command = [
        str(LOAD_VENV / "bin/locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{run_seconds}s",
        "--stop-timeout", str(STOP_TIMEOUT), "--host", base_url, "--csv", str(run_dir / "locust"),
        "--loglevel", "WARNING",
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "VIRTUAL_ENV"))}
    env.update(LOAD_PLAN=str(plan_path), LOAD_POSTS_LOG=str(posts_log))
    started = time.monotonic()
    with open(run_dir / "locust.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = started + run_seconds + STOP_TIMEOUT + 60
    next_note = started + 30
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            sys.exit(f"Locust overstayed its run time; killed.\n{tail(run_dir / 'locust.log', 40)}")
        if time.monotonic() >= next_note:
            progress(f"  {time.monotonic() - started:.0f} s of {run_seconds} s")
            next_note += 30
        time.sleep(1)
    if not (run_dir / "locust_stats.csv").exists():
        sys.exit(f"Locust did not finish its run:\n{tail(run_dir / 'locust.log', 60)}")
    return time.monotonic() - started


def settle(timeout):
    """Wait for the task worker to drain the queue and the search outbox; (seconds waited, outbox, queued)."""
    from django_tasks_db.models import DBTaskResult

    from search.indexing import pending_counts

    started = time.monotonic()
    while True:
        outbox = sum(pending_counts().values())
        queued = DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()
        if (outbox == 0 and queued == 0) or time.monotonic() - started > timeout:
            return time.monotonic() - started, outbox, queued
        time.sleep(1)


def failed_tasks_since(moment):
    from django_tasks_db.models import DBTaskResult

    return Counter(DBTaskResult.objects.failed().filter(enqueued_at__gte=moment).values_list("task_path", flat=True))


# ---------------------------------------------------------------------------------------------- counting


@dataclass
class PostCount:
    attempted: int = 0
    accepted: int = 0
    found_once: int = 0
    missing: list = field(default_factory=list)             # accepted, not in the database
    duplicated: list = field(default_factory=list)          # in the database more than once
    refused: Counter = field(default_factory=Counter)       # reason -> posts the site refused (form errors, 4xx)
    server_errors: int = 0                                  # posts answered with a 5xx
    saved_though_refused: list = field(default_factory=list)
    unanswered: int = 0                                     # no answer (timeout, cut off at the end of the run)
    unanswered_saved: int = 0
    unknown: list = field(default_factory=list)             # in the database, never sent by this run

    @property
    def lost_or_doubled(self):
        return self.missing or self.duplicated or self.saved_though_refused or self.unknown


def read_attempts(posts_log):
    """Token -> the last record about it: "sent", then "ok", "refused", "error" or "timeout"."""
    attempts = {}
    if posts_log.exists():
        for line in posts_log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            attempts.setdefault(entry["token"], {}).update(entry)
    return attempts


def count_posts(run_id, posts_log):
    """Compare what Locust was told about each post with what the database holds, by each post's token."""
    from communities.models import Post, Thread

    prefix = f"loadtest-{run_id}-"
    in_posts = Counter(token for body in Post.objects.filter(body__contains=prefix).values_list("body", flat=True).iterator()
                       for token in set(TOKEN.findall(body)))
    in_titles = Counter(token for title in Thread.objects.filter(title__contains=prefix).values_list("title", flat=True)
                        for token in set(TOKEN.findall(title)))
    attempts = read_attempts(posts_log)
    count = PostCount(attempted=len(attempts))
    for token, attempt in attempts.items():
        copies = [in_posts[token]] + ([in_titles[token]] if attempt["kind"] == "new thread" else [])
        if max(copies) > 1:
            count.duplicated.append(token)
        outcome = attempt["outcome"]
        if outcome == "ok":
            count.accepted += 1
            if min(copies) == 0:
                count.missing.append(token)
            elif max(copies) == 1:
                count.found_once += 1
        elif outcome in ("sent", "timeout"):
            count.unanswered += 1
            count.unanswered_saved += max(copies) > 0
        else:
            if outcome == "error":
                count.server_errors += 1
            else:
                count.refused[attempt.get("reason") or f"status {attempt.get('status')}"] += 1
            if max(copies) > 0:
                count.saved_though_refused.append(token)
    count.unknown = sorted((set(in_posts) | set(in_titles)) - set(attempts))
    return count


@dataclass
class RequestRow:
    name: str
    requests: int
    failures: int
    p50: str
    p95: str
    p99: str
    per_second: float


def read_locust(run_dir):
    """Per request kind and in total from Locust's CSV files, and failures grouped by kind."""
    rows, total = [], None
    with open(run_dir / "locust_stats.csv", encoding="utf-8") as stats:
        for line in csv.DictReader(stats):
            row = RequestRow(line["Name"], int(line["Request Count"]), int(line["Failure Count"]), line["50%"],
                             line["95%"], line["99%"], float(line["Requests/s"]))
            if line["Name"] == "Aggregated":
                total = row
            else:
                rows.append(row)
    failures = Counter()
    with open(run_dir / "locust_failures.csv", encoding="utf-8") as found:
        for line in csv.DictReader(found):
            message = LOCUST_ERROR.match(line["Error"])
            failures[message.group(1) if message else line["Error"]] += int(line["Occurrences"])
    exceptions = []
    exceptions_file = run_dir / "locust_exceptions.csv"
    if exceptions_file.exists():
        with open(exceptions_file, encoding="utf-8") as found:
            exceptions = [f"{line['Count']}× {line['Message']}" for line in csv.DictReader(found)]
    rows.sort(key=lambda row: row.name)
    return rows, total, failures, exceptions


def read_server_logs(run_dir):
    """Status counts from gunicorn's access log; tracebacks and worker timeouts from its error log."""
    statuses = Counter()
    access = run_dir / "access.log"
    if access.exists():
        for line in access.read_text(encoding="utf-8", errors="replace").splitlines():
            if line[:3].isdigit():
                statuses[int(line[:3])] += 1
    errors = (run_dir / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    first = errors.find("Traceback (most recent call last)")
    return statuses, {
        "tracebacks": errors.count("Traceback (most recent call last)"),
        "worker timeouts": errors.count("WORKER TIMEOUT"),
        "first traceback": errors[max(0, errors.rfind("\n", 0, first - 200)):first + 3000] if first >= 0 else "",
    }


# ---------------------------------------------------------------------------------------------- report


@dataclass
class Outcome:
    args: argparse.Namespace
    data: str
    started: datetime
    seconds: float
    rows: list
    total: RequestRow
    failures: Counter
    exceptions: list
    posts: PostCount
    statuses: Counter
    error_log: dict
    rss_peak_kb: Counter
    gunicorn_workers_seen: int
    settle_seconds: float
    outbox_left: int
    queue_left: int
    failed_tasks: Counter
    postgres: str
    elastic: str
    load_before: float
    load_after: float

    @property
    def signed_in(self):
        return sum(row.requests - row.failures for row in self.rows if row.name == "sign in")

    def problems(self):
        server_errors = sum(count for status, count in self.statuses.items() if status >= 500)
        locust_5xx = sum(count for kind, count in self.failures.items() if kind.startswith("server error"))
        found = []
        if server_errors or locust_5xx:
            found.append(f"server errors: {server_errors} in gunicorn's access log, {locust_5xx} seen by Locust")
        if self.error_log["tracebacks"] or self.error_log["worker timeouts"]:
            found.append(f"gunicorn's log: {self.error_log['tracebacks']} tracebacks, "
                         f"{self.error_log['worker timeouts']} worker timeouts")
        posts = self.posts
        for label, tokens in (("lost (accepted, not in the database)", posts.missing),
                              ("duplicated", posts.duplicated),
                              ("saved though the site refused them", posts.saved_though_refused),
                              ("in the database but never sent", posts.unknown)):
            if tokens:
                found.append(f"posts {label}: {len(tokens)}, e.g. {', '.join(tokens[:3])}")
        if not posts.accepted:
            found.append("no post was accepted: the run did not test posting")
        if self.failures.get("sign-in refused"):
            found.append(f"sign-in refused {self.failures['sign-in refused']} times (wrong --password?)")
        if self.exceptions:
            found.append(f"the locustfile raised: {'; '.join(self.exceptions[:3])}")
        if self.outbox_left or self.queue_left:
            found.append(f"after {self.settle_seconds:.0f} s, {self.outbox_left} search index changes and "
                         f"{self.queue_left} tasks still waiting")
        if self.failed_tasks:
            found.append(f"tasks failed: {dict(self.failed_tasks)}")
        return found

    def markdown(self):
        args, total, posts = self.args, self.total, self.posts
        memory = Budget("gunicorn worker peak resident memory", self.rss_peak_kb["gunicorn worker"] / 1024,
                        RSS_BUDGET_MB, "MB")
        statuses = ", ".join(f"{status}: {count:,}" for status, count in sorted(self.statuses.items()))
        failures = ", ".join(f"{kind}: {count:,}" for kind, count in self.failures.most_common()) or "none"
        refused = ", ".join(f"{reason} ×{count}" for reason, count in posts.refused.most_common()) or "none"
        lines = [
            "## Load",
            "",
            "`bench/load/run.py`: Locust (`bench/load/locustfile.py`) against gunicorn with "
            f"{GUNICORN_WORKERS} sync workers on PostgreSQL and Elasticsearch, with the `db_worker` task worker and "
            "`run_periodic` running. Two visitors to each member: visitors read the home page, communities, forum "
            "lists and threads (deep pages too), the library with filters, decks, case studies and the roundup "
            "archive, and search (typical, rare, synonym, phrase and misspelt queries, with the search box's "
            "suggestions); members sign in once through the sign-in form, then read their communities' forums and "
            "threads, their home page and notifications, search, watch threads, reply (half with htmx, as with "
            "JavaScript) and start threads. Think time 1-5 s. Every post carries a token; afterwards each is looked "
            "up in the database.",
            "",
            f"Run {self.started:%Y-%m-%d %H:%M} UTC on {self.data}; {machine()}, PostgreSQL {self.postgres}, "
            f"Elasticsearch {self.elastic}; "
            f"load average {self.load_before:.1f} before and {self.load_after:.1f} after. Settings: {SETTINGS_NOTE}",
            "",
            "```sh",
            command_line(args),
            "```",
            "",
            f"- **Load held**: {args.users} concurrent users ({self.signed_in} of them members who signed in) for "
            f"{self.seconds / 60:.1f} minutes (spawned at {args.spawn_rate:g}/s): {total.requests:,} requests, "
            f"{total.per_second:.1f} requests/s; p50 {total.p50} ms, p95 {total.p95} ms, p99 {total.p99} ms.",
            f"- **Failures by kind**: {failures}. Status codes in gunicorn's access log: {statuses}.",
            f"- **Posts**: {posts.attempted:,} attempted, {posts.accepted:,} accepted, {posts.found_once:,} of them found "
            f"exactly once; {len(posts.missing)} missing, {len(posts.duplicated)} duplicated, "
            f"{len(posts.unknown)} unknown. Refused by the site: {refused}; {posts.server_errors} answered with a "
            f"server error; {len(posts.saved_though_refused)} saved though refused. {posts.unanswered} got no "
            f"answer (timeout or cut off at the end), {posts.unanswered_saved} of which were saved.",
            f"- **Background work**: the search outbox and task queue drained {self.settle_seconds:.0f} s after the "
            f"run ({self.outbox_left} changes and {self.queue_left} tasks left); failed tasks: "
            f"{sum(self.failed_tasks.values())}.",
            f"- **Memory**: gunicorn worker peak {memory.measured:.0f} MB resident "
            f"({'within' if memory.met else 'over'} the {RSS_BUDGET_MB} MB budget; "
            f"{self.gunicorn_workers_seen} worker processes seen); task worker peak "
            f"{self.rss_peak_kb['task worker'] / 1024:.0f} MB.",
            f"- **Server log**: {self.error_log['tracebacks']} tracebacks, {self.error_log['worker timeouts']} worker "
            "timeouts.",
            "",
            "| request | requests | failures | p50 ms | p95 ms | p99 ms | requests/s |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in [*self.rows, total]:
            lines.append(f"| {row.name} | {row.requests:,} | {row.failures:,} | {row.p50} | {row.p95} | {row.p99} | "
                         f"{row.per_second:.2f} |")
        problems = self.problems()
        lines += ["", "**Verdict**: " + ("held: no server error, no post lost or duplicated." if not problems
                                          else "FAILED: " + "; ".join(problems) + "."), ""]
        return "\n".join(lines)


def command_line(args):
    options = ""
    for name, default in DEFAULTS.items():
        if getattr(args, name) != default:
            options += f" --{name.replace('_', '-')} {getattr(args, name):g}" if isinstance(default, float) \
                else f" --{name.replace('_', '-')} {getattr(args, name)}"
    if args.demo:
        options += " --demo"
    prefix = ""
    if os.environ.get("BENCH_DATABASE_URL"):
        prefix = "BENCH_DATABASE_URL=... BENCH_ELASTICSEARCH_URL=... "
    return f"{prefix}.venv/bin/python bench/load/run.py{options} --write"


def tail(path, lines):
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"({path} was not written)"


# ---------------------------------------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=DEFAULTS["users"], help="concurrent simulated people")
    parser.add_argument("--minutes", type=float, default=DEFAULTS["minutes"], help="how long the load lasts")
    parser.add_argument("--spawn-rate", type=float, default=DEFAULTS["spawn_rate"], help="people started per second")
    parser.add_argument("--size", choices=["small", "medium", "large"], default=DEFAULTS["size"],
                        help="generate_bench_data size for the throwaway database")
    parser.add_argument("--demo", action="store_true", help="fill the throwaway database with the demo instead")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="for the data and the plan's samples")
    parser.add_argument("--password", default="", help="members' password (default: the generated data's, or the demo's)")
    parser.add_argument("--settle", type=int, default=DEFAULTS["settle"],
                        help="seconds to wait afterwards for the task queue and search outbox to drain")
    parser.add_argument("--write", action="store_true", help="replace the Load section of BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database, indexes and run folder")
    args = parser.parse_args()
    if args.users < 1 or args.minutes <= 0 or args.spawn_rate <= 0:
        parser.error("--users, --minutes and --spawn-rate must be positive")
    return args


def main():
    args = parse_args()
    target = target_or_rerun()
    clock = time.monotonic()

    def progress(message):
        print(f"[{time.monotonic() - clock:6.0f}s] {message}", flush=True)

    # TERM (from scripts/with-test-services.sh) unwinds like Ctrl-C, so the clean-up below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_locust()
    run_dir = Path(tempfile.mkdtemp(prefix="cop-site-load."))
    port = free_port()
    env = server_environment(target, run_dir, port)
    os.environ.update(env)
    import django

    django.setup()
    from bench.load.plan import PlanError

    servers = Servers(env, run_dir, port)
    passed = False
    try:
        password = prepare_data(args, target, env, run_dir / "setup.log", progress)
        passed = run_load(args, target, servers, run_dir, password, progress)
    except PlanError as error:
        sys.exit(f"The data can't carry the load test: {error}.")
    finally:
        servers.stop()
        if target.throwaway and not args.keep:
            try:
                delete_indexes(target.elasticsearch_url, target.index_prefix)
            except Exception as error:  # noqa: BLE001 - the database must still go
                print(f"Could not delete the {target.index_prefix}-* indexes: {error}", file=sys.stderr)
            drop_database(target.server_url, LOAD_DATABASE)
        if passed and not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            print(f"Logs, plan and Locust's CSV files kept in {run_dir}")
    sys.exit(0 if passed else 1)


def run_load(args, target, servers, run_dir, password, progress):
    from bench.load.plan import build_plan

    run_id = secrets.token_hex(4)
    plan = build_plan(run_id, args.users, password, args.seed)
    plan_path, posts_log = run_dir / "plan.json", run_dir / "posts.jsonl"
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    progress(f"plan: {len(plan['public']['threads'])} public threads, {len(plan['members'])} member accounts")

    progress(f"starting gunicorn ({GUNICORN_WORKERS} workers) on port {servers.port}, the task worker and periodic jobs")
    servers.start()
    servers.wait_until_serving()
    waited, outbox, queued = settle(args.settle)
    progress(f"task queue and search outbox settled in {waited:.0f} s ({outbox} changes, {queued} tasks waiting)")

    sampler = RssSampler(servers)
    sampler.start()
    load_before = os.getloadavg()[0]
    started = datetime.now(timezone.utc)
    progress(f"Locust: {args.users} users for {args.minutes:g} minutes")
    seconds = run_locust(args, run_dir, plan_path, posts_log, f"http://{HOST}:{servers.port}", progress)
    load_after = os.getloadavg()[0]
    progress("waiting for the task queue and search outbox to drain")
    settle_seconds, outbox_left, queue_left = settle(args.settle)
    sampler.stop()
    servers.stop()

    progress("counting posts")
    rows, total, failures, exceptions = read_locust(run_dir)
    statuses, error_log = read_server_logs(run_dir)
    postgres, elastic = versions(target)
    outcome = Outcome(
        args=args, data=data_description(args, target), started=started, seconds=seconds, rows=rows, total=total,
        failures=failures, exceptions=exceptions, posts=count_posts(run_id, posts_log), statuses=statuses,
        error_log=error_log, rss_peak_kb=sampler.peak_kb, gunicorn_workers_seen=len(sampler.workers_seen),
        settle_seconds=settle_seconds, outbox_left=outbox_left, queue_left=queue_left,
        failed_tasks=failed_tasks_since(started), postgres=postgres, elastic=elastic,
        load_before=load_before, load_after=load_after,
    )
    report = outcome.markdown()
    print("\n" + report)
    if error_log["first traceback"]:
        print("First traceback in gunicorn's log:\n" + error_log["first traceback"])
    if args.write:
        replace_section(BENCHMARKS, "Load", report)
        progress("BENCHMARKS.md updated")
    return not outcome.problems()


def data_description(args, target):
    if not target.throwaway:
        return "the data already in BENCH_DATABASE_URL (indexed in BENCH_ELASTICSEARCH_URL)"
    if args.demo:
        return "the demo content (`manage.py load_demo`)"
    return f"`manage.py generate_bench_data --size {args.size}` data"


if __name__ == "__main__":
    main()
