"""Faults survived, nothing lost: on PostgreSQL, the real Elasticsearch node, real SMTP and real worker processes.

Each test breaks one service while members use the site through its views, checks that requests still answer
with a clear message, then brings the service back and checks that every post, upload, index update and email
happened exactly once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from elasticsearch import Elasticsearch

from communities import services
from communities.models import Notification, Post, Thread
from library.models import SlideDeck
from library.tasks import enqueue_processing
from search import service
from search.indexing import pending_counts
from tests.factories import add_community, add_member, create_member
from tests.integration.tcp_proxy import TcpProxy
from tests.library import files
from tests.newsletters.support import SmtpServer

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_posting_limit")]

PROJECT = Path(__file__).resolve().parents[2]
Status = SlideDeck.Status


def database_url():
    """DATABASE_URL for the test database pytest-django created, so another process or connection sees it."""
    if connection.vendor != "postgresql":
        pytest.fail("run the integration tests through `make test` (scripts/with-test-services.sh provides PostgreSQL)")
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()


def reply_url(thread):
    return f"{thread.community.url}forum/{thread.pk}/reply/"


def post_reply(client, thread, body, key=None):
    return client.post(reply_url(thread), {"body": body, "submission_key": key or uuid.uuid4()})


@pytest.fixture
def forum(home):
    community = add_community(home, "contact-centres")
    author, watcher, facilitator = (create_member(username=name) for name in ("author", "watcher", "fay"))
    for person in (author, watcher):
        add_member(person, community)
    add_member(facilitator, community, role="facilitator")
    thread = services.start_thread(watcher, community, "Abandoned calls in winter", "How do you staff for January?")
    return community, thread, author, watcher, facilitator


# --------------------------------------------------------------------------- PostgreSQL: a lock held too long


@pytest.fixture
def short_lock_timeout():
    """A lock wait of half a second, for this test's connections (the default is 5 seconds)."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("options")
    options["options"] = "-c lock_timeout=500"
    connection.close()
    yield
    options["options"] = before
    connection.close()


@pytest.fixture
def lock_holder():
    """Another session holding row locks, as a long moderation job or a stuck transaction would."""
    with psycopg.connect(database_url()) as holder:
        def hold(table, pk):
            holder.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])

        hold.release = holder.rollback
        yield hold


def test_a_reply_that_waits_too_long_for_a_lock_keeps_its_text_and_posts_once_when_free(
        transactional_db, forum, client, short_lock_timeout, lock_holder):
    community, thread, author, *_ = forum
    client.force_login(author)
    text, key = "We moved two advisers to the 8am shift.", uuid.uuid4()

    lock_holder("communities_thread", thread.pk)
    response = post_reply(client, thread, text, key)
    assert response.status_code == 200
    assert services.BUSY.split(",")[0] in response.content.decode()
    assert text in response.content.decode(), "the text is kept in the form"
    assert Post.objects.filter(thread=thread).count() == 1, "nothing half-written"

    lock_holder.release()
    assert post_reply(client, thread, text, key).status_code == 302
    assert post_reply(client, thread, text, key).status_code == 302, "pressed twice"
    assert list(Post.objects.filter(thread=thread).values_list("body", flat=True)) == [
        "How do you staff for January?", text]
    thread.refresh_from_db()
    assert (thread.post_count, thread.reply_count) == (2, 1)


def test_a_moderation_action_that_waits_too_long_gets_a_clear_503_and_works_when_free(
        transactional_db, forum, client, short_lock_timeout, lock_holder):
    community, thread, *_, facilitator = forum
    client.force_login(facilitator)

    lock_holder("communities_thread", thread.pk)
    response = client.post(f"{community.url}forum/{thread.pk}/pin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "was <strong>not saved</strong>" in response.content.decode()
    assert not Thread.objects.get(pk=thread.pk).is_pinned

    lock_holder.release()
    assert client.post(f"{community.url}forum/{thread.pk}/pin/").status_code == 302
    assert Thread.objects.get(pk=thread.pk).is_pinned


# --------------------------------------------------------------------------- Elasticsearch stopped mid-way


@pytest.fixture
def elastic_behind_proxy(settings):
    if not settings.ELASTICSEARCH_URL:
        pytest.fail("This test needs the real Elasticsearch node: run it through `make test`.")
    node = urlsplit(settings.ELASTICSEARCH_URL)
    settings.SEARCH_INDEX_PREFIX = f"test-faults-{uuid.uuid4().hex[:8]}"
    with TcpProxy(node.hostname, node.port) as proxy:
        settings.ELASTICSEARCH_URL = proxy.url
        yield proxy
    client = Elasticsearch(node.geturl())
    for name in client.indices.get(index=f"{settings.SEARCH_INDEX_PREFIX}-*", allow_no_indices=True):
        client.indices.delete(index=name)


def titles(query, reader=None):
    results = service.search(query, reader or AnonymousUser())
    return results.degraded, [hit.title for hit in results.hits]


def test_elasticsearch_stopping_mid_way_loses_no_post_and_no_index_update(
        db, forum, client, elastic_behind_proxy, django_capture_on_commit_callbacks):
    community, thread, author, watcher, _ = forum
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_reply(client, thread, "Before the outage: overtime rotas.").status_code == 302
    assert titles("rotas") == (False, ["Abandoned calls in winter"])

    elastic_behind_proxy.cut()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_reply(client, thread, "During the outage: triage scripts.").status_code == 302
        response = client.post(f"{community.url}forum/new/", {
            "title": "Webchat queues during storms", "body": "Queue caps helped.", "submission_key": uuid.uuid4()})
        assert response.status_code == 302
    page = client.get("/search/", {"q": "storms"})
    assert page.status_code == 200
    assert "results may be less complete" in page.content.decode()
    assert "Webchat queues during storms" in page.content.decode()
    assert client.get("/search/autocomplete/", {"q": "webch"}).status_code == 200
    assert pending_counts()["elasticsearch"] >= 2, "kept for later"

    elastic_behind_proxy.restore()
    call_command("run_periodic", "--once", verbosity=0)
    assert pending_counts()["elasticsearch"] == 0
    assert titles("triage") == (False, ["Abandoned calls in winter"])
    assert titles("storms") == (False, ["Webchat queues during storms"])
    call_command("run_periodic", "--once", verbosity=0)   # a second replay finds nothing left to do
    assert pending_counts()["elasticsearch"] == 0
    assert titles("rotas triage") == (False, ["Abandoned calls in winter"])
    assert Post.objects.filter(thread__community=community).count() == 4


# --------------------------------------------------------------------------- SMTP failing, then back


def test_mail_server_down_then_back_every_notification_arrives_exactly_once(
        transactional_db, forum, client, settings):
    community, thread, author, watcher, _ = forum
    server = SmtpServer()
    server.use_in(settings)               # configured, but not started: the mail server is down
    client.force_login(author)
    assert post_reply(client, thread, "Sent while mail was down.").status_code == 302
    notification = Notification.objects.get(recipient=watcher)
    assert notification.emailed_at is None and notification.email_claimed_at is None

    with server:                          # and comes back
        Notification.objects.update(created_at=notification.created_at.replace(year=2020))   # long overdue
        call_command("run_periodic", "--once", verbosity=0)
        call_command("run_periodic", "--once", verbosity=0)
        assert server.sink.recipients() == [watcher.email]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


# --------------------------------------------------------------------------- the task worker killed mid-task


def worker(server=None, *options):
    """``manage.py db_worker`` as its own process, on the test database and the real task queue."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cop_site.settings.dev",
        "DATABASE_URL": database_url(),
        "ELASTICSEARCH_URL": "",
        "EMAIL_URL": f"smtp://127.0.0.1:{server.port}" if server else "dummy:",
        "PRIVATE_MEDIA_ROOT": os.environ["TEST_PRIVATE_MEDIA_ROOT"],
        "SITE_URL": "http://testserver",
    }
    return subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1",
                             *options],
                            cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def task_queue(settings, monkeypatch):
    """Tasks go to the database queue for a worker process, as in production, instead of running in the test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ELASTICSEARCH_URL = ""   # search through the database backend, in the worker and here
    monkeypatch.setenv("TEST_PRIVATE_MEDIA_ROOT", str(settings.PRIVATE_MEDIA_ROOT))


def wait_for(condition, seconds=60, step=0.01):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def stop(process):
    if process.poll() is None:
        process.kill()
    return process.communicate(timeout=30)[0]


def test_a_worker_killed_mid_deck_is_rescued_and_the_deck_is_processed_once(transactional_db, home, task_queue,
                                                                              settings):
    deck = files.create_deck(files.make_pdf(pages=120), title="Winter pressures board pack")
    enqueue_processing(deck)
    process = worker()
    try:
        assert wait_for(lambda: SlideDeck.objects.filter(pk=deck.pk, status=Status.PROCESSING).exists()), stop(process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        output = stop(process)
    deck.refresh_from_db()
    assert deck.status == Status.PROCESSING, f"the worker finished before it was killed:\n{output}"

    call_command("run_periodic", "--once", verbosity=0)
    assert SlideDeck.objects.get(pk=deck.pk).status == Status.PROCESSING, "a worker may still be on it"

    settings.DECK_PROCESSING_TIMEOUT = 0
    call_command("run_periodic", "--once", verbosity=0)
    deck.refresh_from_db()
    assert (deck.status, deck.processing_attempts, deck.page_count) == (Status.READY, 2, 120)
    pages = list(deck.previews.values_list("page_number", flat=True))
    assert pages == sorted(set(pages)) and pages[0] == 1, "one set of previews, not two"

    drain = worker(None, "--batch")   # the index update the rescue queued
    assert drain.wait(timeout=120) == 0, stop(drain)
    assert titles("winter pressures")[1] == ["Winter pressures board pack"]


def kill_worker_when_mail_arrives(holder):
    def before_accepting(envelope):
        os.kill(holder["process"].pid, signal.SIGKILL)
        return "451 4.3.0 Not accepted: the sender was killed first"

    return before_accepting


def test_a_worker_killed_while_emailing_a_notification_is_taken_over_and_sends_one_copy(
        transactional_db, forum, client, task_queue, settings):
    community, thread, author, watcher, _ = forum
    client.force_login(author)
    with SmtpServer() as server:
        server.use_in(settings)
        holder = {}
        server.sink.before_accepting = kill_worker_when_mail_arrives(holder)
        assert post_reply(client, thread, "Sent by a worker that dies.").status_code == 302
        holder["process"] = worker(server)
        holder["process"].wait(timeout=60)
        output = stop(holder["process"])
        assert holder["process"].returncode == -signal.SIGKILL, output
        notification = Notification.objects.get(recipient=watcher)
        assert (notification.email_claimed_at is not None, notification.emailed_at) == (True, None)

        server.sink.before_accepting = None
        Notification.objects.update(created_at=notification.created_at.replace(year=2020))
        call_command("run_periodic", "--once", verbosity=0)
        assert server.sink.messages == [], "its claim is fresh: the worker might be alive"

        settings.NOTIFICATION_CLAIM_TIMEOUT = 0
        call_command("run_periodic", "--once", verbosity=0)
        call_command("run_periodic", "--once", verbosity=0)
        assert server.sink.recipients() == [watcher.email]
        assert Counter(m["Message-ID"] for m in server.sink.messages) == {f"<notification-{notification.pk}@testserver>": 1}
