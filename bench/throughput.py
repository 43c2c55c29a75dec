"""Benchmark: the requests a second gunicorn holds on the generated data, their latency, and the workers' memory.

    DATABASE_URL=postgres://... ELASTICSEARCH_URL=http://... .venv/bin/python bench/throughput.py --duration 60

Normally run by `make bench` (bench/run.sh), on the data bench/pages_bench.py measures. gunicorn (2 sync workers,
production's settings: bench/settings.py) listens on a free loopback port; wrk drives it with bench/wrk/mixed.lua,
which takes each request's path from a file mixing bench/pages_bench.py's pages (search as Elasticsearch answers it)
for a visitor and, with their session cookies, its members, in a seeded shuffle. Every request in the file is made
once first (each must answer 200), wrk warms the workers, then runs for --duration seconds while each worker's
resident memory (VmRSS in /proc) is sampled. gunicorn is stopped at the end, on an error and on Ctrl-C.

Prints requests a second, latency percentiles, non-2xx responses and each worker's peak RSS against the 200 MB
budget; --json writes them for bench/pages_bench.py's report. Exits 1 when a worker goes over (0 with --report-only).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pages_bench  # noqa: E402
from bench.report import Budget, budget_table, missed, print_table  # noqa: E402

WORKER_RSS_MB = 200
MIXED_LUA = ROOT / "bench" / "wrk" / "mixed.lua"
READY_TIMEOUT = 60
STOP_TIMEOUT = 30
SAMPLE_EVERY = 0.25
SEED = 6


# ---------------------------------------------------------------------------------------------- the request mix


def session_cookie(user):
    """A Cookie header value that signs `user` in: a session in the database, valid in every worker."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def mixed_requests(plan):
    """(cookie or "-", path) lines: each page as often as the others, its objects in turn, in a seeded shuffle.

    Search is left to the backend the site is configured with (Elasticsearch): gunicorn can't switch per request.
    """
    pages = [page for page in plan if page.backend != "database"]
    per_page = max(len(page.visits) for page in pages)
    cookies = {}
    lines = []
    for page in pages:
        for index in range(per_page):
            visit = page.visits[index % len(page.visits)]
            if visit.user and visit.user.pk not in cookies:
                cookies[visit.user.pk] = session_cookie(visit.user)
            lines.append((cookies[visit.user.pk] if visit.user else "-", visit.url))
    random.Random(SEED).shuffle(lines)
    return lines, len(pages)


def check_pages(port, lines):
    """Every distinct request once, straight to gunicorn: anything but 200 would make the numbers meaningless."""
    failures = []
    for cookie, path in dict.fromkeys(lines):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers={"Cookie": cookie} if cookie != "-" else {})
        status = connection.getresponse().status
        connection.close()
        if status != 200:
            failures.append(f"{path} ({'member' if cookie != '-' else 'visitor'}): {status}")
    if failures:
        raise pages_bench.BenchError("pages that don't answer 200 under gunicorn:\n  " + "\n  ".join(failures))


# ---------------------------------------------------------------------------------------------- gunicorn


@contextmanager
def gunicorn(workers, folder):
    """gunicorn on a free loopback port, its log in `folder`; stopped (gracefully, then killed) whatever happens."""
    from bench.roundup_send import free_port

    port = free_port()
    log = folder / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "cop_site.wsgi:application", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--timeout", "120", "--error-logfile", str(log)]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(process, port, log)
        yield process, port
    finally:
        stop(process)


def wait_until_ready(process, port, log):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise pages_bench.BenchError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse()
            connection.close()
            return
        except OSError:
            time.sleep(0.5)
    raise pages_bench.BenchError(f"gunicorn did not answer within {READY_TIMEOUT} s:\n{tail(log)}")


def tail(log, lines=30):
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def stop(process):
    if process.poll() is not None:
        return
    process.terminate()   # the master: a graceful stop of its workers
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def workers_of(master_pid):
    """The pids whose parent is gunicorn's master: its workers."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue   # gone meanwhile
        if int(fields[1]) == master_pid:
            found.append(int(stat.parent.name))
    return found


def resident_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemorySampler(threading.Thread):
    """Each worker's resident memory every SAMPLE_EVERY seconds while it runs, keeping the peak per worker."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peaks = {}
        self.finished = threading.Event()

    def run(self):
        while not self.finished.wait(SAMPLE_EVERY):
            for pid in workers_of(self.master_pid):
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), resident_mb(pid))


# ---------------------------------------------------------------------------------------------- wrk


def ensure_wrk():
    if not shutil.which("wrk"):
        raise pages_bench.BenchError("wrk is missing: apt-get install -y wrk (bench/run.sh installs it)")


def run_wrk(port, urls, seconds, threads, connections):
    """wrk with bench/wrk/mixed.lua for `seconds`; the JSON line bench/wrk/latency.lua prints at the end."""
    command = ["wrk", f"--threads={threads}", f"--connections={connections}", f"--duration={seconds}s",
               "--timeout=30s", f"--script={MIXED_LUA}", f"http://127.0.0.1:{port}"]
    completed = subprocess.run(command, env={**os.environ, "URLS": str(urls)}, capture_output=True, text=True)
    report = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode or not report:
        raise pages_bench.BenchError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return json.loads(report[-1])


# ---------------------------------------------------------------------------------------------- report


def results_table(summary, peaks):
    header = ["requests/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "requests", "non-2xx", "socket errors",
              "worker peak RSS MB"]
    row = [f"{summary['rps']:,.1f}", f"{summary['p50_ms']:.1f}", f"{summary['p95_ms']:.1f}", f"{summary['p99_ms']:.1f}",
           f"{summary['max_ms']:.1f}", f"{summary['requests']:,}", summary["bad_status"], summary["socket_errors"],
           ", ".join(f"{peak:.0f}" for peak in peaks.values())]
    return header, [row]


def worker_budgets(peaks):
    return [Budget(f"gunicorn worker {number}: peak RSS under load", peak, WORKER_RSS_MB, "MB")
            for number, peak in enumerate(peaks.values(), start=1)]


def description(args, requests, pages):
    return (f"gunicorn, {args.workers} sync workers, production's settings; wrk {args.threads} threads, "
            f"{args.connections} connections, {args.duration} s after a {args.warmup} s warm-up, each request the next "
            f"of {requests} mixing {pages} pages as a visitor and as members (`bench/wrk/mixed.lua`); worker memory "
            f"is VmRSS sampled every {SAMPLE_EVERY} s.")


# ---------------------------------------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of timed load (default 60)")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of untimed load first (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--objects", type=int, default=pages_bench.COMPARABLE, help="comparable objects per page")
    parser.add_argument("--json", type=Path, help="write the results here (for bench/pages_bench.py --throughput)")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a budget is missed")
    return parser.parse_args()


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # unwind like Ctrl-C, so gunicorn is stopped
    pages_bench.setup_django()
    try:
        budgets = run(args)
    except pages_bench.BenchError as error:
        sys.exit(f"throughput: {error}")
    except KeyboardInterrupt:
        sys.exit(130)
    if missed(budgets) and not args.report_only:
        sys.exit(1)


def run(args):
    from cop_site.benchdata.samples import representative

    ensure_wrk()
    pages_bench.collect_static()
    pages_bench.check_services()
    lines, pages = mixed_requests(pages_bench.page_plan(representative(), args.objects))
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as folder:
        folder = Path(folder)
        urls = folder / "requests.txt"
        urls.write_text("".join(f"{cookie} {path}\n" for cookie, path in lines))
        with gunicorn(args.workers, folder) as (process, port):
            print(f"gunicorn on 127.0.0.1:{port}: checking {len(set(lines))} requests, then {args.warmup} s of "
                  f"warm-up and {args.duration} s of load", flush=True)
            check_pages(port, lines)
            run_wrk(port, urls, args.warmup, args.threads, args.connections)
            sampler = MemorySampler(process.pid)
            sampler.start()
            try:
                summary = run_wrk(port, urls, args.duration, args.threads, args.connections)
            finally:
                sampler.finished.set()
                sampler.join()
    table = results_table(summary, sampler.peaks)
    budgets = worker_budgets(sampler.peaks)
    print_table("Throughput", *table)
    print_table("Budgets", *budget_table(budgets))
    if args.json:
        args.json.write_text(json.dumps({"description": description(args, len(lines), pages), "table": table,
                                         "budgets": [asdict(budget) for budget in budgets], "wrk": summary}))
    return budgets


if __name__ == "__main__":
    main()
