"""Demo: the task queue and the cache in Redis, as several servers would share them (docs/scale-out.md).

    .venv/bin/python bench/redis_tasks_demo.py

Starts a throwaway redis-server on loopback (Debian's `redis-server` is installed when missing and we are root),
migrates a throwaway SQLite database, and starts two RQ workers (`manage.py rqworker --job-class
django_tasks_rq.Job`), with TASKS_REDIS_URL and REDIS_URL pointing at that Redis and production's settings
(bench/settings.py). Then, as the upload view does, it saves a slide deck (a generated 3-page PDF) and queues its
processing when the transaction commits; it waits until the deck is ready and shows which worker ran each job.
Last, a rate limit of 3 hits a minute counts hits made in two processes together. Everything it started is
stopped, and its folder removed, at the end, also when the run fails or is interrupted.
"""

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
WORKERS = 2
WAIT_SECONDS = 120
RATE_LIMIT = ("redis-demo", 3, 60)   # key, hits allowed, window in seconds
OTHER_PROCESS_HITS = (
    "from cop_site.ratelimit import hit; "
    f"print([hit(*{RATE_LIMIT!r}) for _ in range(2)])"
)


def main():
    base = Path(tempfile.mkdtemp(prefix="cop-site-redis-demo."))
    processes = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        redis_url = start_redis(base, processes)
        env = environment(base, redis_url)
        section("Migrating a throwaway SQLite database")
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        start_workers(base, env, processes)
        os.environ.update(env)
        import django

        django.setup()
        process_a_deck(base)
        share_a_rate_limit(env)
    finally:
        section("Stopping the workers and Redis")
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)   # an RQ worker finishes its job, then stops
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(base, ignore_errors=True)
        print("stopped, and the folder removed")


def section(title):
    print(f"\n== {title}", flush=True)


def give_up(message, *logs):
    """Show the end of each log (its folder is removed on the way out), then stop with `message`."""
    for log in logs:
        print(f"--- last lines of {log.name}:", file=sys.stderr)
        print("\n".join(log.read_text().splitlines()[-20:]), file=sys.stderr)
    sys.exit(message)


def free_port(start):
    port = start
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
        port += 1


def start_redis(base, processes):
    if not shutil.which("redis-server"):
        if os.geteuid() != 0:
            sys.exit("redis-server is needed: sudo apt-get install -y redis-server")
        print("installing Debian's redis-server...")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    port = free_port(6390)
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    section(f"Starting redis-server {version.removeprefix('v=')} on 127.0.0.1:{port}, nothing saved to disk")
    log = open(base / "redis.log", "w")
    processes.append(subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(base)], stdout=log, stderr=subprocess.STDOUT,
    ))
    deadline = time.monotonic() + 30
    ping = ["redis-cli", "-p", str(port), "ping"]
    while subprocess.run(ping, capture_output=True, text=True).stdout.strip() != "PONG":
        if time.monotonic() > deadline or processes[-1].poll() is not None:
            give_up("redis-server did not start", base / "redis.log")
        time.sleep(0.2)
    return f"redis://127.0.0.1:{port}"


def environment(base, redis_url):
    """Production's settings (bench/settings.py), the queue in Redis database 0 and the cache in database 1."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{base / 'db.sqlite3'}",
        "MEDIA_ROOT": str(base / "media"),
        "PRIVATE_MEDIA_ROOT": str(base / "private-media"),
        "TASKS_REDIS_URL": f"{redis_url}/0",
        "REDIS_URL": f"{redis_url}/1",
        "ELASTICSEARCH_URL": "",
        "EMAIL_URL": "dummy:",
        "PYTHONPATH": str(ROOT),
    }
    # The same secret in every process (bench/settings.py draws one when it is unset).
    env.setdefault("SECRET_KEY", "redis-demo-" + "k" * 60)
    print(f"TASKS_REDIS_URL={env['TASKS_REDIS_URL']} REDIS_URL={env['REDIS_URL']}")
    return env


def start_workers(base, env, processes):
    section(f"Starting {WORKERS} workers: manage.py rqworker --job-class django_tasks_rq.Job default")
    for number in range(1, WORKERS + 1):
        log = open(base / f"worker-{number}.log", "w")
        processes.append(subprocess.Popen(
            [PYTHON, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job", "--name", f"worker-{number}",
             "default"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        ))
    deadline = time.monotonic() + WAIT_SECONDS
    while not all("Listening on" in (base / f"worker-{n}.log").read_text() for n in range(1, WORKERS + 1)):
        if time.monotonic() > deadline or any(process.poll() is not None for process in processes):
            give_up("the workers did not start", *sorted(base.glob("worker-*.log")))
        time.sleep(0.5)
    print("both listening")


def process_a_deck(base):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from reportlab.pdfgen import canvas

    from library.models import SlideDeck
    from library.tasks import enqueue_processing

    section("Saving a slide deck and queueing its processing, as the upload view does")
    print(f"task backend: {settings.TASKS['default']['BACKEND']}; cache: {settings.CACHES['default']['BACKEND']}")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in range(1, 4):
        pdf.drawString(72, 720, f"Avoidable contact, slide {number} of 3")
        pdf.showPage()
    pdf.save()
    upload = SimpleUploadedFile("avoidable-contact.pdf", buffer.getvalue(), content_type="application/pdf")
    with transaction.atomic():
        deck = SlideDeck(title="Avoidable contact", slug="avoidable-contact", original_filename=upload.name,
                         kind=SlideDeck.Kind.PDF, file_size=upload.size)
        deck.file.save(upload.name, upload, save=False)
        deck.save()
        enqueue_processing(deck)   # queued when the transaction commits
    print(f"deck {deck.pk}: {deck.status}")
    started = time.monotonic()
    while deck.status != SlideDeck.Status.READY:
        if time.monotonic() - started > WAIT_SECONDS:
            give_up(f"deck {deck.pk} still {deck.status} after {WAIT_SECONDS} s", *sorted(base.glob("worker-*.log")))
        time.sleep(0.2)
        deck.refresh_from_db()
    print(f"deck {deck.pk}: {deck.status} after {time.monotonic() - started:.1f} s, {deck.page_count} pages, "
          f"text {deck.extracted_text.split(chr(10))[0]!r}, {deck.previews.count()} slide previews")
    time.sleep(1)   # the workers' last lines
    section("What the workers did (their logs)")
    for number in range(1, WORKERS + 1):
        for line in (base / f"worker-{number}.log").read_text().splitlines():
            if "Successfully completed" in line:
                print(f"worker-{number}: {line.split(' job in ')[0].replace('Successfully completed ', '')} done")


def share_a_rate_limit(env):
    from cop_site.ratelimit import hit

    key, limit, window = RATE_LIMIT
    section(f"A rate limit of {limit} hits in {window} s, hit twice here and twice in another process")
    print(f"this process: {[hit(*RATE_LIMIT) for _ in range(2)]}")
    other = subprocess.run([PYTHON, "-c", "import django; django.setup(); " + OTHER_PROCESS_HITS], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True)
    print(f"another process: {other.stdout.strip()}  (the fourth hit is over the limit: the count is shared)")


if __name__ == "__main__":
    main()
