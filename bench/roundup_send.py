"""Benchmark: send a roundup to many subscribers through the real SMTP path, and show memory stays flat.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/bench .venv/bin/python bench/roundup_send.py --recipients 5000 20000
    DATABASE_URL=sqlite:////tmp/bench-send.sqlite3 .venv/bin/python bench/roundup_send.py --sqlite-wal
    (the database is migrated and filled, so use a throwaway one; add --tracemalloc for the Python heap's peak,
    --workers N for N task workers sending at once, --command to send as manage.py send_roundup does)

For each size, a fresh process fills the database in bulk (subscribers with verified addresses and profiles,
a public community whose roundup has 20 items, four of them from a members-only community that a tenth of
the subscribers belong to, so there are two views to render). Then sending goes as it does in production
after a publish: another fresh process queues the deliveries and hands them out as ``send_roundup_batch``
tasks of 200, and N task workers (``manage.py db_worker``, each its own process) drain the queue: claim,
render, send over SMTP and mark sent, row by row. With --command, one process sends everything instead, as
``manage.py send_roundup`` does. This process runs the SMTP server (aiosmtpd on 127.0.0.1) and checks that
every subscriber got exactly one message. Peak RSS is the largest of the sending processes';
--tracemalloc adds their peak Python heap (and slows sending about threefold). The CPU columns are per
message: the sending processes' together and this SMTP server's, which share the machine (PostgreSQL's is
not counted); on a busy machine they say more than the rate does.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEMS, MEMBERS_ONLY_ITEMS = 20, 4


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no per-query log growing with the run


# The filling process

def fill(size):
    """Subscribers, communities, threads and the roundup for one size, all bulk-inserted."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from communities.models import CommunityPage, Membership, Profile, Thread
    from cop_site.site_structure import ensure_site_structure
    from newsletters.models import NewsletterIndexPage, RoundupPage, Subscription

    call_command("migrate", verbosity=0)
    index = ensure_site_structure().get_children().get(slug="communities").specific
    public, members = (
        index.add_child(instance=CommunityPage(title=f"Bench {size} {kind}", slug=f"bench-{size}-{kind}",
                                               summary="Benchmark data.", visibility=kind))
        for kind in ("public", "members")
    )
    User = get_user_model()
    prefix = f"bench{size}-"
    for start in range(0, size, 2000):
        users = User.objects.bulk_create([User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.org", password="!")
                                          for n in range(start, min(start + 2000, size))])
        Profile.objects.bulk_create([Profile(user=user, display_name=f"Reader {user.username}") for user in users])
        EmailAddress.objects.bulk_create([EmailAddress(user=user, email=user.email, verified=True, primary=True)
                                          for user in users])
        Subscription.objects.bulk_create([Subscription(user=user, community=public, consent_source="demo")
                                          for user in users])
        Membership.objects.bulk_create([Membership(user=user, community=members) for user in users[::10]])
    author = User.objects.get(username=f"{prefix}0")
    threads = Thread.objects.bulk_create([
        Thread(community=members if n < MEMBERS_ONLY_ITEMS else public, title=f"Contact centre benchmarks, part {n}",
               slug=f"benchmarks-{n}", author=author, last_post_at=timezone.now())
        for n in range(ITEMS)
    ])
    body = [{"type": "heading", "value": "Busiest discussions"}] + [
        {"type": "thread", "value": {"thread": thread.pk, "section": "busiest", "replies": 12,
                                     "line": "How councils measure first contact resolution and avoidable contact. " * 2}}
        for thread in threads
    ]
    NewsletterIndexPage.objects.get().add_child(instance=RoundupPage(
        title=f"Bench {size}: October 2026 roundup", slug=f"2026-10-bench-{size}", community=public,
        month="2026-10-01", intro="<p>A month of <b>benchmarks</b> and <a href=\"/library/\">new decks</a>.</p>",
        body=body, figures={"posts": 1200, "previous_posts": 1100, "active_members": 300, "new_members": 40},
    ))
    return {}


# The queueing and sending processes

def bench_roundup(size):
    from newsletters.models import RoundupPage

    return RoundupPage.objects.select_related("community").get(slug=f"2026-10-bench-{size}")


def queue(size):
    """Start the send and write the deliveries, as the queueing task (or send_roundup) does."""
    from newsletters import sending

    roundup = bench_roundup(size)
    began = time.perf_counter()
    sending.stamp_started(roundup.pk)
    queued = sending.queue_deliveries(roundup)
    return {"queued": queued, "seconds": time.perf_counter() - began}


def use_sink(port):
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def measured(work, trace):
    """Run ``work`` (which returns an Outcome) and report it with this process's CPU time and memory."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    cpu_before = time.process_time()
    outcome = work()
    return {
        "sent": outcome.sent, "failed": outcome.failed + outcome.gave_up,
        "cpu_seconds": time.process_time() - cpu_before, "rss_before_mb": rss_before / 1024,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mb": tracemalloc.get_traced_memory()[1] / 1e6 if trace else None,
    }


def send(size, port, trace):
    """Send what can be claimed, batch by batch over SMTP, as send_roundup does; this process's memory."""
    from newsletters import sending

    use_sink(port)
    roundup = bench_roundup(size)
    return measured(lambda: sending.send_due(roundup), trace)


def enqueue(size):
    """Hand the queued deliveries to ``send_roundup_batch`` tasks, as the queueing task does after queueing."""
    from newsletters import sending
    from newsletters.models import Delivery

    roundup = bench_roundup(size)
    return {"handed": sending.enqueue_batches(roundup.pk, Delivery.objects.filter(roundup=roundup))}


def work(port, trace, number):
    """One task worker draining the queue (``manage.py db_worker --batch``); what its roundup batches sent."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from newsletters.sending import Outcome

    use_sink(port)
    worker_id = f"bench-send-{os.getpid()}-{number}"

    def drain():
        call_command("db_worker", batch=True, startup_delay=False, reload=False, worker_id=worker_id, verbosity=0)
        outcome = Outcome()
        ran = DBTaskResult.objects.filter(task_path__endswith="send_roundup_batch").values_list("worker_ids", "return_value")
        for worker_ids, result in ran.iterator():
            if worker_id in worker_ids and result:
                outcome.sent += result["sent"]
                outcome.failed += result["failed"] + result["gave_up"]
        return outcome

    return measured(drain, trace)


def use_sqlite_wal(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def child(phase, size, port, trace, wal, number):
    setup_django()
    if wal:
        from django.db.backends.signals import connection_created

        connection_created.connect(use_sqlite_wal)
    result = {
        "fill": lambda: fill(size), "queue": lambda: queue(size), "enqueue": lambda: enqueue(size),
        "send": lambda: send(size, port, trace), "work": lambda: work(port, trace, number),
    }[phase]()
    print(json.dumps(result))


# The orchestrating process, which is also the mail server

class CountingSink:
    """Counts what it accepts, per recipient, and keeps nothing else (so the server's memory stays small)."""

    def __init__(self):
        self.per_recipient = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.per_recipient.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def child_command(phase, size, port, args, number=0):
    command = [sys.executable, __file__, "--child", phase, "--recipients", str(size), "--port", str(port),
               "--number", str(number)]
    return command + ["--tracemalloc"] * args.tracemalloc + ["--sqlite-wal"] * args.sqlite_wal


def results(processes):
    """Wait for the child processes; their results (the last line each printed), or exit with their output."""
    found = []
    for process in processes:
        output, errors = process.communicate()
        if process.returncode:
            sys.exit(f"{' '.join(process.args[2:])} failed:\n{output}\n{errors}")
        found.append(json.loads(output.strip().splitlines()[-1]))
    return found


def run(phase, size, args, port=0, copies=1):
    processes = [subprocess.Popen(child_command(phase, size, port, args, number), cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for number in range(copies)]
    return results(processes)


def send_one(size, args, port):
    """Queue the deliveries, then send them: by ``args.workers`` task workers, or by one ``send_roundup`` process.

    Returns the queueing's seconds, each sending process's report, and the seconds sending took.
    """
    began = time.perf_counter()
    [queued] = run("queue", size, args)
    if not args.command:
        run("enqueue", size, args)
    queue_seconds = time.perf_counter() - began
    began = time.perf_counter()
    if args.command:
        senders = run("send", size, args, port)
    else:
        senders = run("work", size, args, port, copies=args.workers)
    return queue_seconds, senders, time.perf_counter() - began


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--workers", type=int, default=1,
                        help="Task workers (manage.py db_worker) sending the roundup's batches at once (default 1).")
    parser.add_argument("--command", action="store_true",
                        help="Send in one process, as manage.py send_roundup does, instead of through task workers.")
    parser.add_argument("--tracemalloc", action="store_true", help="Also report the senders' peak Python heap (slower).")
    parser.add_argument("--sqlite-wal", action="store_true", help="SQLite only: write-ahead log, synchronous=NORMAL.")
    parser.add_argument("--child", choices=["fill", "queue", "enqueue", "send", "work"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--number", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway database: it is migrated and filled.")
    if args.child:
        child(args.child, args.recipients[0], args.port, args.tracemalloc, args.sqlite_wal, args.number)
        return

    from aiosmtpd.controller import Controller

    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}{' (WAL)' * args.sqlite_wal}, "
          f"{'one send_roundup process' if args.command else f'{args.workers} task worker(s)'}", flush=True)
    columns = ["recipients", "queue s", "send s", "msgs/s", "send CPU ms", "SMTP CPU ms", "RSS start MB",
               "RSS peak MB"]
    columns += ["heap peak MB"] * args.tracemalloc
    rows = []
    try:
        for size in args.recipients:
            began = time.perf_counter()
            run("fill", size, args)
            print(f"filled {size} subscribers in {time.perf_counter() - began:.0f} s", flush=True)
            sink.per_recipient.clear()
            server_cpu = time.process_time()
            queue_seconds, senders, seconds = send_one(size, args, controller.port)
            server_cpu = time.process_time() - server_cpu
            sent, copies = sum(sender["sent"] for sender in senders), Counter(sink.per_recipient.values())
            if sent != size or copies != Counter({1: size}):
                sys.exit(f"expected one message each for {size} recipients; sent {sent}, copies {dict(copies)}")
            sender_cpu = sum(sender["cpu_seconds"] for sender in senders)
            row = [size, f"{queue_seconds:.1f}", f"{seconds:.1f}", f"{size / seconds:.0f}",
                   f"{1000 * sender_cpu / size:.2f}", f"{1000 * server_cpu / size:.2f}",
                   f"{max(s['rss_before_mb'] for s in senders):.0f}", f"{max(s['rss_peak_mb'] for s in senders):.0f}"]
            if args.tracemalloc:
                row.append(f"{max(s['heap_peak_mb'] for s in senders):.1f}")
            rows.append(row)
    finally:
        controller.stop()
    print()
    print("  ".join(f"{column:>12}" for column in columns))
    for row in rows:
        print("  ".join(f"{value:>12}" for value in row))
    print("Every recipient got exactly one message.")


if __name__ == "__main__":
    main()
