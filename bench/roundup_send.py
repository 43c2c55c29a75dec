"""Benchmark: send a roundup to many subscribers through the real SMTP path, and show memory stays flat.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/bench .venv/bin/python bench/roundup_send.py --recipients 5000 20000
    DATABASE_URL=sqlite:////tmp/bench-send.sqlite3 .venv/bin/python bench/roundup_send.py --sqlite-wal
    (the database is migrated and filled, so use a throwaway one; add --tracemalloc for the Python heap's peak,
    --workers N for N sending processes at once, each only sending what it manages to claim)

For each size, a fresh process fills the database in bulk (subscribers with verified addresses and profiles,
a public community whose roundup has 20 items, four of them from a members-only community that a tenth of
the subscribers belong to, so there are two views to render), then another fresh process sends it exactly
as ``manage.py send_roundup`` does: queue the deliveries, then claim, render, send over SMTP and mark sent,
batch by batch. This process runs the SMTP server (aiosmtpd on 127.0.0.1)
and checks that every subscriber got exactly one message. Peak RSS is the sending process's own;
--tracemalloc adds its peak Python heap (and slows sending about threefold). The CPU columns are per
message: the sending processes' and this SMTP server's, which share the machine (PostgreSQL's is not
counted); on a busy machine they say more than the rate does.
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


def send(size, port, trace):
    """Send what can be claimed, batch by batch over SMTP, as send_roundup does; this process's memory."""
    from django.conf import settings

    from newsletters import sending

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    roundup = bench_roundup(size)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    cpu_before = time.process_time()
    outcome = sending.send_due(roundup)
    return {
        "sent": outcome.sent, "failed": outcome.failed + outcome.gave_up,
        "cpu_seconds": time.process_time() - cpu_before, "rss_before_mb": rss_before / 1024,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mb": tracemalloc.get_traced_memory()[1] / 1e6 if trace else None,
    }


def use_sqlite_wal(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def child(phase, size, port, trace, wal):
    setup_django()
    if wal:
        from django.db.backends.signals import connection_created

        connection_created.connect(use_sqlite_wal)
    result = {"fill": lambda: fill(size), "queue": lambda: queue(size), "send": lambda: send(size, port, trace)}[phase]()
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


def child_command(phase, size, port, args):
    command = [sys.executable, __file__, "--child", phase, "--recipients", str(size), "--port", str(port)]
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
    processes = [subprocess.Popen(child_command(phase, size, port, args), cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(copies)]
    return results(processes)


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--workers", type=int, default=1, help="Sending processes working on the same roundup at once.")
    parser.add_argument("--tracemalloc", action="store_true", help="Also report the senders' peak Python heap (slower).")
    parser.add_argument("--sqlite-wal", action="store_true", help="SQLite only: write-ahead log, synchronous=NORMAL.")
    parser.add_argument("--child", choices=["fill", "queue", "send"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway database: it is migrated and filled.")
    if args.child:
        child(args.child, args.recipients[0], args.port, args.tracemalloc, args.sqlite_wal)
        return

    from aiosmtpd.controller import Controller

    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}{' (WAL)' * args.sqlite_wal}, "
          f"{args.workers} sending process(es)", flush=True)
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
            [queued] = run("queue", size, args)
            began, server_cpu = time.perf_counter(), time.process_time()
            senders = run("send", size, args, controller.port, copies=args.workers)
            seconds, server_cpu = time.perf_counter() - began, time.process_time() - server_cpu
            sent, copies = sum(sender["sent"] for sender in senders), Counter(sink.per_recipient.values())
            if sent != size or copies != Counter({1: size}):
                sys.exit(f"expected one message each for {size} recipients; sent {sent}, copies {dict(copies)}")
            sender_cpu = sum(sender["cpu_seconds"] for sender in senders)
            row = [size, f"{queued['seconds']:.1f}", f"{seconds:.1f}", f"{size / seconds:.0f}",
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
