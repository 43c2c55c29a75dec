"""Peer comparison: our forum pages beside django-spirit's on the same data, served alike, timed by the same tool.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cop_site .venv/bin/python bench/peers/compare.py [--write]
    bash scripts/with-test-services.sh .venv/bin/python bench/peers/compare.py --size small     (make bench-peers)

Runs with the product's virtualenv. The peer, django-spirit, runs from its own (bench/peers/spirit/.venv, made
here from its pinned requirements.txt when missing) as subprocesses:

1. The product's database (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else DATABASE_URL) holds generated data;
   when it holds no threads, it is migrated and filled with `manage.py generate_bench_data --size SIZE` first.
2. Spirit gets a database of its own on the same server (bench_spirit): migrated, then filled by its importer
   (bench/peers/spirit/spirit_bench/management/commands/import_cop_site.py) from the product's public forums.
   A later run with unchanged data keeps that copy; --fresh-import makes it again.
3. Both are served by gunicorn with the same worker count on loopback ports, DEBUG off, persistent database
   connections on both sides, and measured with wrk and bench/wrk/latency.lua as a visitor: the first page of a
   thread of about 50 posts, the first page of the longest thread, and the thread list of the busiest community
   (the same rows on both sides: Spirit's ids are the product's). Each page at each connection count is timed for
   --duration seconds on one side and then on the other, after a warm-up of both.
4. Prints a markdown block with the results and the ratio peer ÷ ours (above 1× means ours is faster); --write puts
   it in BENCHMARKS.md as the `## Peer comparison` section, leaving the rest of the file as it is.
"""

import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import BENCHMARKS, machine, markdown_table, read_benchmarks, replace_section, section_blocks  # noqa: E402

PEERS = ROOT / "bench" / "peers"
PEER_DIR = PEERS / "spirit"
PEER_VENV = PEER_DIR / ".venv"
PEER_NAME = "django-spirit"
PEER_DATABASE = "bench_spirit"
OUR_PYTHON = ROOT / ".venv" / "bin" / "python"
LATENCY_SCRIPT = ROOT / "bench" / "wrk" / "latency.lua"
COUNT_QUERIES = PEERS / "count_queries.py"
SECTION = "Peer comparison"
THREAD_POSTS = 50
DEFAULTS = {"duration": 20, "warmup": 5, "connections": [1, 8], "workers": 1}
READY_TIMEOUT = 60
# Where the product's database is named, first found first: one holding generated data, the throwaway one of
# scripts/with-test-services.sh, then the usual one.
DATABASE_VARIABLES = ("BENCH_DATABASE_URL", "TEST_DATABASE_URL", "DATABASE_URL")


@dataclass
class Page:
    name: str
    ours: str    # path on our site
    peer: str    # path on Spirit
    title: str   # what both pages must show

    def path(self, side):
        return self.ours if side == "ours" else self.peer


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_rss_mb(self):
        """Resident memory of each gunicorn worker (the master's children), from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024)
        return sizes


CLOCK = time.monotonic()


def progress(message):
    print(f"[{time.monotonic() - CLOCK:7.1f}s] {message}", flush=True)


# ---------------------------------------------------------------------------------------------- setup


def database_url(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def ensure_wrk():
    if shutil.which("wrk"):
        return
    progress("installing wrk (Debian's package)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)


def ensure_peer_venv():
    """The peer's own virtualenv from its pinned requirements; made again when they change."""
    requirements = PEER_DIR / "requirements.txt"
    marker = PEER_VENV / ".requirements-sha256"
    digest = sha256(requirements.read_bytes()).hexdigest()
    if marker.exists() and marker.read_text() == digest:
        return
    progress(f"installing {PEER_NAME} into {PEER_VENV.relative_to(ROOT)}")
    subprocess.run(["python3", "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    pip = [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["-r", str(requirements)], check=True)
    marker.write_text(digest)


def our_env(db_url):
    """The environment production reads, for a server on loopback behind no proxy (bench/peers/ours_settings.py)."""
    return {**clean_environ(), "DJANGO_SETTINGS_MODULE": "bench.peers.ours_settings", "DATABASE_URL": db_url,
            "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false", "DATABASE_CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING"}


def peer_env(peer_url, state_dir):
    return {**clean_environ(), "DJANGO_SETTINGS_MODULE": "spirit_bench.settings", "SPIRIT_DATABASE_URL": peer_url,
            "SPIRIT_STATE_DIR": str(state_dir), "DATABASE_CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING"}


def clean_environ():
    """This process's environment without what would point a subprocess at the wrong Python or settings."""
    return {name: value for name, value in os.environ.items()
            if name not in {"PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "PYTHONHOME"}}


def ensure_generated_data(db_url, size):
    """Generate data of `size` when the product's database holds no threads; returns whether it did."""
    with psycopg.connect(db_url) as connection:
        has_table = connection.execute("SELECT to_regclass('communities_thread') IS NOT NULL").fetchone()[0]
        threads = connection.execute("SELECT count(*) FROM communities_thread").fetchone()[0] if has_table else 0
    if threads:
        progress(f"the product's database holds {threads:,} threads: using it as it is")
        return False
    progress(f"the product's database is empty: migrating and generating --size {size}")
    env = {**clean_environ(), "DATABASE_URL": db_url}
    manage = [str(OUR_PYTHON), str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
    subprocess.run(manage + ["generate_bench_data", "--size", size], check=True, env=env, cwd=ROOT)
    return True


def analyze_ours(db_url):
    """Fresh planner statistics and visibility maps for the tables our pages read, as the importer gives Spirit's."""
    tables = ["auth_user", "communities_profile", "wagtailcore_page", "communities_communitypage",
              "communities_thread", "communities_post"]
    with psycopg.connect(db_url, autocommit=True) as connection:
        for table in tables:
            connection.execute(f"VACUUM ANALYZE {table}")


def prepare_peer_database(db_url, fresh):
    peer_url = database_url(db_url, PEER_DATABASE)
    with psycopg.connect(database_url(db_url, "postgres"), autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{PEER_DATABASE}" WITH (FORCE)')
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PEER_DATABASE]).fetchone():
            connection.execute(f'CREATE DATABASE "{PEER_DATABASE}"')
    return peer_url


def peer_manage(env, *arguments):
    subprocess.run([str(PEER_VENV / "bin" / "python"), "manage.py", *arguments], check=True, env=env, cwd=PEER_DIR)


def peer_versions(env):
    code = "import django, importlib.metadata as m; print(m.version('django-spirit'), django.get_version())"
    output = subprocess.run([str(PEER_VENV / "bin" / "python"), "-c", code], check=True, env=env, cwd=PEER_DIR,
                            capture_output=True, text=True).stdout.split()
    return {"spirit": output[0], "peer_django": output[1]}


# ---------------------------------------------------------------------------------------------- what to measure


def pick_pages(db_url, peer_url):
    """Three pages of public communities, the same rows on both sides."""
    visible = """
        FROM communities_thread t
        JOIN communities_communitypage c ON c.page_ptr_id = t.community_id
        JOIN wagtailcore_page p ON p.id = c.page_ptr_id
        WHERE c.visibility = 'public' AND p.live AND NOT t.is_hidden
    """
    with psycopg.connect(db_url) as connection:
        root = connection.execute("""
            SELECT p.url_path FROM wagtailcore_site s JOIN wagtailcore_page p ON p.id = s.root_page_id
            WHERE s.is_default_site""").fetchone()[0]
        busiest = connection.execute(f"""
            SELECT t.community_id, p.url_path, p.title, count(*) {visible}
            GROUP BY t.community_id, p.url_path, p.title ORDER BY count(*) DESC, t.community_id LIMIT 1""").fetchone()
        if not busiest:
            sys.exit("The product's database has no visible thread in a public community: nothing to compare.")
        thread = connection.execute(f"""
            SELECT t.id, t.slug, t.title, t.post_count, p.url_path {visible}
            ORDER BY t.post_count < %s, abs(t.post_count - %s), t.id LIMIT 1""", [THREAD_POSTS, THREAD_POSTS]).fetchone()
        longest = connection.execute(f"""
            SELECT t.id, t.slug, t.title, t.post_count, p.url_path {visible}
            ORDER BY t.post_count DESC, t.id LIMIT 1""").fetchone()
    community_id, community_path, community_title, community_threads = busiest
    with psycopg.connect(peer_url) as connection:
        topic_slugs = dict(connection.execute("SELECT id, slug FROM spirit_topic_topic WHERE id = ANY(%s)",
                                              [[thread[0], longest[0]]]).fetchall())
        category_slug = connection.execute(
            "SELECT slug FROM spirit_category_category WHERE id = %s", [community_id]).fetchone()[0]

    def our_community_path(url_path):
        return "/" + url_path[len(root):]

    def thread_page(name, row):
        thread_id, slug, title, posts, url_path = row
        return Page(f"{name} ({posts} posts), first page", f"{our_community_path(url_path)}forum/{thread_id}-{slug}/",
                    f"/topic/{thread_id}/{topic_slugs[thread_id]}/", title)

    return [
        thread_page("thread", thread),
        thread_page("longest thread", longest),
        Page(f"thread list of the busiest community ({community_threads:,} threads), first page",
             f"{our_community_path(community_path)}forum/", f"/category/{community_id}/{category_slug}/",
             community_title),
    ]


def data_counts(db_url, peer_url):
    with psycopg.connect(db_url) as connection:
        ours = dict(zip(["communities", "public", "threads", "posts", "users"], connection.execute("""
            SELECT (SELECT count(*) FROM communities_communitypage),
                   (SELECT count(*) FROM communities_communitypage WHERE visibility = 'public'),
                   (SELECT count(*) FROM communities_thread), (SELECT count(*) FROM communities_post),
                   (SELECT count(*) FROM auth_user)""").fetchone()))
        postgres = connection.execute("SHOW server_version").fetchone()[0].split()[0]
    with psycopg.connect(peer_url) as connection:
        peer = dict(zip(["categories", "topics", "comments", "users"], connection.execute("""
            SELECT (SELECT count(*) FROM spirit_category_category WHERE NOT is_private),
                   (SELECT count(*) FROM spirit_topic_topic), (SELECT count(*) FROM spirit_comment_comment),
                   (SELECT count(*) FROM auth_user)""").fetchone()))
    return ours, peer, postgres


# ---------------------------------------------------------------------------------------------- serving


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(name, executable, app, cwd, env, workers, log_dir):
    """A gunicorn serving `app` on a free loopback port until the block ends (also on errors and Ctrl-C)."""
    port = free_port()
    log = log_dir / f"{name}.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [str(executable), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket"],
            cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    server = Server(name, process, port, log)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(server, path):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.url(path), timeout=10):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    sys.exit(f"{server.name} did not answer {path} (see its log below)\n{server.log.read_text()[-3000:]}")


def fetch(server, path):
    """The page as a visitor gets it. A failing page stops the run, with the server's log."""
    try:
        with urllib.request.urlopen(server.url(path), timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"{server.name} answered {error.code} for {path}\n{server.log.read_text()[-3000:]}")


def check_pages(servers, pages):
    """Both sides serve every page, showing the same thread or community; returns each page's size in bytes."""
    sizes = {}
    for page in pages:
        for server in servers.values():
            body = fetch(server, page.path(server.name))
            if page.title not in html.unescape(body.decode()):
                sys.exit(f"{server.name}'s {page.path(server.name)} does not show {page.title!r}")
            sizes[page.name, server.name] = len(body)
    return sizes


# ---------------------------------------------------------------------------------------------- measuring


def query_counts(pages, ours_env, peer_env):
    """SQL queries per page on each side (bench/peers/count_queries.py in each side's virtualenv)."""
    def count(python, cwd, env, paths):
        output = subprocess.run([str(python), str(COUNT_QUERIES), *paths], check=True, cwd=cwd, capture_output=True,
                                text=True, env={**env, "PYTHONPATH": str(cwd)})
        return json.loads(output.stdout)

    ours = count(OUR_PYTHON, ROOT, ours_env, [page.ours for page in pages])
    peer = count(PEER_VENV / "bin" / "python", PEER_DIR, peer_env, [page.peer for page in pages])
    return {page.name: (ours[page.ours], peer[page.peer]) for page in pages}


def wrk(url, connections, seconds):
    """One wrk run reported by bench/wrk/latency.lua (its JSON line)."""
    command = ["wrk", f"-t{min(connections, os.cpu_count() or 1)}", f"-c{connections}", f"-d{seconds}s",
               "--timeout", "10s", "-s", str(LATENCY_SCRIPT), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(servers, pages, connection_counts, duration, warmup):
    """Each page at each connection count on both sides, back to back; which side goes first alternates."""
    results = {}
    for server in servers.values():
        for page in pages:
            wrk(server.url(page.path(server.name)), 1, warmup)
    order = ["ours", "peer"]
    for page in pages:
        for connections in connection_counts:
            for side in order:
                server = servers[side]
                result = wrk(server.url(page.path(side)), connections, duration)
                results[page.name, connections, side] = result
                progress(f"{page.name}, {connections} connection(s), {side}: p50 {result['p50_ms']:.1f} ms, "
                         f"p95 {result['p95_ms']:.1f} ms, {result['rps']:.0f} req/s"
                         + (f", {result['bad_status']} bad responses" if result["bad_status"] else ""))
            order.reverse()
    return results


# ---------------------------------------------------------------------------------------------- reporting


def ratio(numerator, denominator):
    return f"{numerator / denominator:.1f}×" if numerator and denominator else "–"


def results_table(pages, connection_counts, results):
    header = ["page", "connections", "ours p50 / p95 / p99 ms", "ours req/s", "Spirit p50 / p95 / p99 ms",
              "Spirit req/s", "p50: Spirit ÷ ours", "p95: Spirit ÷ ours", "req/s: ours ÷ Spirit"]
    rows = []
    for page in pages:
        for connections in connection_counts:
            ours, peer = results[page.name, connections, "ours"], results[page.name, connections, "peer"]
            rows.append([
                page.name, connections, latencies(ours), f"{ours['rps']:.1f}", latencies(peer), f"{peer['rps']:.1f}",
                ratio(peer["p50_ms"], ours["p50_ms"]), ratio(peer["p95_ms"], ours["p95_ms"]),
                ratio(ours["rps"], peer["rps"]),
            ])
    return header, rows


def latencies(result):
    return f"{result['p50_ms']:.1f} / {result['p95_ms']:.1f} / {result['p99_ms']:.1f}"


def search_reference():
    """The Search section's largest run, as ratios to ours: Wagtail's own backends on the same corpus."""
    runs = {int(size.group(1).replace(",", "")): block
             for heading, block in section_blocks(read_benchmarks(), "Search").items()
             if (size := re.match(r"### ([\d,]+) documents", heading))}
    documents = max(runs, default=0)
    ratios = {}
    for name in ("wagtail-database", "wagtail-elastic"):
        row = re.search(rf"^\| {name} \|(.*)\|$", runs.get(documents, ""), re.M)
        if row:
            ratios[name] = row.group(1).split("|")[-1].strip()   # the last column: p95, theirs ÷ ours
    if not ratios:
        return ("**Search.** Wagtail's own search backends are compared with ours on one corpus by "
                "`bench/search_bench.py` (the Search section).")
    return (f"**Search.** Wagtail's own search backends against ours on one corpus are in the Search section above "
            f"(`bench/search_bench.py`, its {documents:,}-document run), as p95 Wagtail's ÷ ours: "
            f"{ratios.get('wagtail-database', '–')} on PostgreSQL (`wagtail.search.backends.database` against "
            f"`search.backends.database`) and {ratios.get('wagtail-elastic', '–')} on Elasticsearch "
            f"(`wagtail.search.backends.elasticsearch8` against `search.backends.elastic`); above 1× ours is faster. "
            "Spirit's own search (Whoosh through django-haystack, a file index on disk) is not compared.")


INTRO = f"""## {SECTION}

`bench/peers/compare.py`: our forum pages beside those of an established Django forum engine on the same data,
served the same way and timed by the same tool. The peer is django-spirit, in a virtualenv of its own
(`bench/peers/spirit/`, pinned in its `requirements.txt`), chosen over Misago because it installs cleanly on the
product's Django and Python with a handful of dependencies and runs on PostgreSQL with no other service; Misago
pins Django 4.2 and some 80 packages of its own, and its task queue (Celery) expects Redis.

- **Same data.** Spirit's importer copies the generated data from our database with plain SQL and COPY: every user
  (with a Spirit profile), each public community as a category, its threads as topics and its posts as comments,
  keeping the ids and the HTML we rendered from each post's Markdown. Members-only and private communities are left
  out: Spirit's categories are readable by anyone. Spirit's page sizes are set to ours (20 posts, 30 threads).
- **Same serving.** gunicorn with the same number of sync workers on loopback, DEBUG off, persistent database
  connections, both on the same PostgreSQL server; each as its production settings have it (ours:
  `cop_site.settings.production`; Spirit: its project template's), except that both serve static file URLs
  without a manifest, so nothing is collected first.
- **Same requests.** wrk with `bench/wrk/latency.lua`, as a visitor, on the same pages: the first page of a thread of
  about 50 posts, the first page of the longest thread, and the first page of the busiest community's thread list.
  Each page is timed on one side and then the other (which side goes first alternates), after a warm-up of both.
  What each engine does per page is its own: Spirit counts a view of a topic with an UPDATE on every request; ours
  writes nothing for a visitor.

In the ratio columns, above 1× means ours is faster.
"""


def section_text(args, pages, results, sizes, queries, rss, counts, versions, started, finished):
    ours, peer, postgres = counts
    header, rows = results_table(pages, args.connections, results)
    page_rows = [[page.name, f"`{page.ours}`", f"`{page.peer}`", " / ".join(map(str, queries[page.name])),
                  f"{sizes[page.name, 'ours'] / 1024:.0f} / {sizes[page.name, 'peer'] / 1024:.0f}"]
                 for page in pages]
    lines = [
        INTRO,
        f"Run {started:%Y-%m-%d %H:%M} UTC, {(finished - started).total_seconds() / 60:.1f} minutes in all, on "
        f"{machine()}; {PEER_NAME} {versions['spirit']} on Django {versions['peer_django']}, ours on Django "
        f"{versions['django']}, PostgreSQL {postgres}, gunicorn with {args.workers} sync worker(s) each, "
        f"{args.duration} s of wrk per page, connection count and side ({args.warmup} s of warm-up); load average "
        f"{args.load_before:.1f} before the run and {args.load_after:.1f} after it:",
        "",
        "```sh",
        command_line(args),
        "```",
        "",
        f"Data: our database held {ours['users']:,} members, {ours['communities']:,} communities "
        f"({ours['public']:,} public), {ours['threads']:,} threads and {ours['posts']:,} posts; Spirit got "
        f"{peer['users']:,} users, {peer['categories']:,} categories, {peer['topics']:,} topics and "
        f"{peer['comments']:,} comments.",
        "",
        markdown_table(header, rows),
        "",
        markdown_table(["page", "ours", "Spirit", "SQL queries: ours / Spirit", "HTML KiB: ours / Spirit"], page_rows),
        "",
        f"Resident memory of the gunicorn worker after the runs: ours {format_rss(rss['ours'])}, "
        f"Spirit {format_rss(rss['peer'])}.",
        "",
        search_reference(),
        "",
    ]
    return "\n".join(lines)


def format_rss(sizes):
    return " and ".join(f"{size:.0f} MB" for size in sizes) or "–"


def command_line(args):
    """The command that makes this run again: on data it generates itself, or on the database it was given."""
    options = ""
    for name, default in DEFAULTS.items():
        value = getattr(args, name)
        if value != default:
            options += f" --{name} {','.join(map(str, value)) if isinstance(value, list) else value}"
    command = f".venv/bin/python bench/peers/compare.py{options} --write"
    if args.generated:
        return f"bash scripts/with-test-services.sh {command.replace('compare.py', f'compare.py --size {args.size}')}"
    return f"BENCH_DATABASE_URL=<the database holding the generated data> {command}"


# ---------------------------------------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["small", "medium", "large"], default="large",
                        help="what generate_bench_data makes when the product's database is empty (default large)")
    parser.add_argument("--duration", type=int, default=DEFAULTS["duration"],
                        help="seconds of wrk per page, connection count and side")
    parser.add_argument("--warmup", type=int, default=DEFAULTS["warmup"],
                        help="seconds of wrk per page and side before timing")
    parser.add_argument("--connections", type=lambda value: [int(n) for n in value.split(",")],
                        default=DEFAULTS["connections"], help="comma-separated wrk connection counts (default 1,8)")
    parser.add_argument("--workers", type=int, default=DEFAULTS["workers"], help="gunicorn workers on each side")
    parser.add_argument("--fresh-import", action="store_true", help="copy the data into Spirit again even if unchanged")
    parser.add_argument("--write", action="store_true", help="replace the Peer comparison section of BENCHMARKS.md")
    return parser.parse_args()


def main():
    args = parse_args()
    db_url = next(filter(None, map(os.environ.get, DATABASE_VARIABLES)), "")
    if not db_url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{' or '.join(DATABASE_VARIABLES)} must name the product's PostgreSQL database")
    # TERM (from scripts/with-test-services.sh, say) unwinds like Ctrl-C, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(timezone.utc)
    args.load_before = os.getloadavg()[0]

    ensure_wrk()
    ensure_peer_venv()
    args.generated = ensure_generated_data(db_url, args.size)
    analyze_ours(db_url)

    with ExitStack() as stack:
        state_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-peers-")))
        peer_url = prepare_peer_database(db_url, args.fresh_import)
        env = peer_env(peer_url, state_dir)
        progress(f"migrating {PEER_DATABASE} and copying our forums into it")
        peer_manage(env, "migrate", "--noinput", "-v", "0")
        peer_manage(env, "import_cop_site", "--source", db_url, "--if-changed")
        versions = {**peer_versions(env), "django": our_django_version()}

        pages = pick_pages(db_url, peer_url)
        servers = {
            "ours": stack.enter_context(gunicorn("ours", ROOT / ".venv" / "bin" / "gunicorn", "cop_site.wsgi:application",
                                                 ROOT, our_env(db_url), args.workers, state_dir)),
            "peer": stack.enter_context(gunicorn("peer", PEER_VENV / "bin" / "gunicorn", "spirit_bench.wsgi:application",
                                                 PEER_DIR, env, args.workers, state_dir)),
        }
        wait_until_ready(servers["ours"], pages[0].ours)
        wait_until_ready(servers["peer"], pages[0].peer)
        sizes = check_pages(servers, pages)
        queries = query_counts(pages, our_env(db_url), env)
        for page in pages:
            progress(f"{page.name}: ours {page.ours}, Spirit {page.peer}; SQL queries: ours {queries[page.name][0]}, "
                     f"Spirit {queries[page.name][1]}")
        results = measure(servers, pages, args.connections, args.duration, args.warmup)
        rss = {side: server.worker_rss_mb() for side, server in servers.items()}

    args.load_after = os.getloadavg()[0]
    counts = data_counts(db_url, peer_url)
    text = section_text(args, pages, results, sizes, queries, rss, counts, versions, started, datetime.now(timezone.utc))
    print("\n" + text)
    bad = sum(result["bad_status"] + result["socket_errors"] for result in results.values())
    if bad:
        print(f"{bad} requests failed or got an error status: the figures above are not to be trusted.")
    if args.write:
        replace_section(BENCHMARKS, SECTION, text)
        progress(f"{BENCHMARKS.name} updated")
    return 1 if bad else 0


def our_django_version():
    import django

    return django.get_version()


if __name__ == "__main__":
    sys.exit(main())
