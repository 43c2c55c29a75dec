"""Locust users for the load test: visitors who browse and search, members who sign in once, then read and post.

bench/load/run.py runs this in bench/load/.venv with two files named in the environment:

- LOAD_PLAN: a JSON plan drawn from the database under test (plan.py): pages to visit, search queries, member
  accounts with the communities and threads each may post in.
- LOAD_POSTS_LOG: where every post is recorded as JSON lines, once when it is sent ("sent") and once more with what
  became of it ("ok", "refused", "error", "timeout"). Each post's body carries a unique token, so run.py can count
  afterwards that every post the site accepted is in the database exactly once.

Requests are named by kind of page ("thread", "thread (deep page)", "search (rare)", "reply"...), so the statistics
give percentiles per kind. Failures are named by kind too: "server error 500", "rate limited (429)", "no answer
(timeout)", "form refused", "status 404"...
"""

import html
import itertools
import json
import os
import random
import re
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
POSTS_LOG = open(os.environ["LOAD_POSTS_LOG"], "a", buffering=1, encoding="utf-8")
THINK_TIME = between(1, 5)
TIMEOUT_SECONDS = 30

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY_INPUT = re.compile(r'name="submission_key" value="([^"]+)"')
FORM_ERRORS = 'class="error-summary"'
NEXT_TOKEN = itertools.count(1)
NEXT_MEMBER = itertools.count()

REPLIES = [
    "We saw the same thing after moving to a single number. Abandoned calls fell once we published wait times.",
    "Our scrutiny committee asked for the baseline first; without it the target meant nothing.",
    "Worth looking at avoidable contact before adding staff: a third of our calls were progress chasing.",
    "We track first contact resolution weekly and report the quarter to members, with the caveats written down.",
    "Happy to share our board pack on this. The short version: fewer indicators, owned by named people.",
]
QUESTIONS = [
    "How do you report channel shift to members?",
    "Setting targets for calls answered within 60 seconds",
    "Who owns data quality in your performance framework?",
    "Customer satisfaction surveys: online or by phone?",
]


def new_token():
    return f"loadtest-{PLAN['run_id']}-{next(NEXT_TOKEN):06d}"


def record(token, outcome, **details):
    POSTS_LOG.write(json.dumps({"token": token, "outcome": outcome, **details}) + "\n")


def pages(count, per_page):
    return max(1, -(-count // per_page))


def pick_page(rng, last_page):
    """Mostly the first page, as people read; sometimes a deep one (older threads, long discussions)."""
    if last_page > 1 and rng.random() < 0.3:
        return rng.randint(2, last_page)
    return 1


class Browsing(FastHttpUser):
    """What visitors and members both do: pages anyone may read, and search."""

    abstract = True
    wait_time = THINK_TIME
    network_timeout = TIMEOUT_SECONDS
    connection_timeout = TIMEOUT_SECONDS

    def on_start(self):
        self.rng = random.Random()
        self.public = PLAN["public"]

    def visit(self, url, name, expected=(200,), **options):
        """GET a page; any answer but `expected` counts as a failure named by its kind. Returns the response."""
        with self.client.get(url, name=name, catch_response=True, **options) as response:
            judge(response, expected)
        return response

    def read_forum(self, forum, label=""):
        page = pick_page(self.rng, pages(forum["threads"], PLAN["threads_per_page"]))
        query = f"?page={page}" if page > 1 else ""
        self.visit(f"{forum['url']}forum/{query}", f"forum list{label}{' (deep page)' if page > 1 else ''}")

    def read_thread(self, thread, label="", page=None):
        page = page or pick_page(self.rng, pages(thread["posts"], PLAN["posts_per_page"]))
        query = f"?page={page}" if page > 1 else ""
        return self.visit(f"{thread['url']}{query}", f"thread{label}{' (deep page)' if page > 1 else ''}")

    def search(self):
        """Type into the search box (its suggestions ask as the words grow), then search."""
        query = self.rng.choice(self.public["searches"])
        words = query["q"].strip('"')
        for length in sorted({min(len(words), 3), min(len(words), 6)}):
            self.visit(f"/search/autocomplete/?{urlencode({'q': words[:length]})}", "search suggestions")
        self.visit(f"/search/?{urlencode({'q': query['q']})}", f"search ({query['category']})")

    def browse_library(self):
        filters = self.rng.choice(self.public["library_filters"])
        self.visit(f"/library/?{urlencode(filters)}" if filters else "/library/",
                   "library (filtered)" if filters else "library")

    def browse_resource(self):
        if self.public["case_studies"] and self.rng.random() < 0.4:
            self.visit(self.rng.choice(self.public["case_studies"]), "case study")
        elif self.public["decks"]:
            self.visit(self.rng.choice(self.public["decks"]), "deck")


class Visitor(Browsing):
    """Someone not signed in: the home page, communities, forums and threads, the library, the archive, search."""

    weight = 2

    @task(2)
    def home(self):
        self.visit("/", "home")

    @task(1)
    def communities(self):
        self.visit("/communities/", "communities")
        self.visit(self.rng.choice(self.public["communities"])["url"], "community")

    @task(3)
    def forum(self):
        self.read_forum(self.rng.choice(self.public["communities"]))

    @task(6)
    def thread(self):
        self.read_thread(self.rng.choice(self.public["threads"]))

    @task(2)
    def library(self):
        self.browse_library()

    @task(2)
    def resource(self):
        self.browse_resource()

    @task(1)
    def newsletters(self):
        self.visit("/newsletters/", "roundup archive")

    @task(3)
    def search_site(self):
        self.search()


class Member(Browsing):
    """A member: signs in once through the sign-in form, then reads, searches, watches and posts in their communities."""

    weight = 1

    def on_start(self):
        super().on_start()
        members = PLAN["members"]
        self.account = members[next(NEXT_MEMBER) % len(members)]
        self.sign_in()

    def sign_in(self):
        form = self.visit("/accounts/login/", "sign in (form)")
        data = {"csrfmiddlewaretoken": csrf_token(form), "login": self.account["email"],
                "password": self.account["password"]}
        with self.client.post("/accounts/login/", name="sign in", data=data, headers=self.form_headers(),
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302 and response.headers.get("Location", "").startswith("/my/"):
                response.success()
            else:
                judge(response, expected=(), refused="sign-in refused")
        self.visit("/my/", "my home")

    def form_headers(self, htmx_from=None):
        """What a browser sends with a form: its Origin, and htmx's headers when the page's script posts it."""
        headers = {"Origin": self.host}
        if htmx_from:
            headers.update({"HX-Request": "true", "HX-Current-URL": f"{self.host}{htmx_from}"})
        return headers

    def my_community(self):
        return self.rng.choice(self.account["communities"])

    @task(2)
    def my_home(self):
        self.visit("/my/", "my home")

    @task(1)
    def notifications(self):
        self.visit("/notifications/", "notifications")

    @task(3)
    def forum(self):
        self.read_forum(self.my_community(), " (member)")

    @task(6)
    def thread(self):
        self.read_thread(self.rng.choice(self.my_community()["recent_threads"]), " (member)")

    @task(2)
    def search_site(self):
        self.search()

    @task(1)
    def library(self):
        self.browse_library()
        self.browse_resource()

    @task(1)
    def watch(self):
        """Watch a thread from its page, or stop watching it, as the watch button does."""
        community = self.my_community()
        thread = self.rng.choice(community["recent_threads"])
        page = self.read_thread(thread, " (member)", page=1)
        action = "unwatch" if f"/{thread['id']}/unwatch/" in (page.text or "") else "watch"
        data = {"csrfmiddlewaretoken": csrf_token(page)}
        with self.client.post(f"{community['url']}forum/{thread['id']}/{action}/", name="watch", data=data,
                              headers=self.form_headers(), allow_redirects=False, catch_response=True) as response:
            judge(response, expected=(302,))

    @task(2)
    def reply(self):
        """Open a thread at its last page, write a reply and post it (with htmx half the time, as with JavaScript)."""
        community = self.my_community()
        thread = self.rng.choice(community["recent_threads"])
        last_page = pages(thread["posts"], PLAN["posts_per_page"])
        page = self.read_thread(thread, " (member)", page=last_page)
        key = SUBMISSION_KEY_INPUT.search(page.text or "")
        if page.status_code != 200 or not key:
            return
        token = new_token()
        body = f"{self.rng.choice(REPLIES)}\n\n(ref {token})"
        data = {"csrfmiddlewaretoken": csrf_token(page), "body": body, "submission_key": key.group(1)}
        from_page = f"{thread['url']}?page={last_page}" if last_page > 1 else thread["url"]
        enhanced = self.rng.random() < 0.5
        self.send_post(token, "reply", f"{community['url']}forum/{thread['id']}/reply/", data,
                       htmx_from=from_page if enhanced else None, thread=thread["id"])

    @task(1)
    def new_thread(self):
        community = self.my_community()
        form = self.visit(f"{community['url']}forum/new/", "new thread (form)")
        key = SUBMISSION_KEY_INPUT.search(form.text or "")
        if form.status_code != 200 or not key:
            return
        token = new_token()
        data = {
            "csrfmiddlewaretoken": csrf_token(form), "submission_key": key.group(1),
            "title": f"{self.rng.choice(QUESTIONS)} ({token})",
            "body": f"{self.rng.choice(REPLIES)}\n\nWhat have others tried? (ref {token})",
        }
        self.send_post(token, "new thread", f"{community['url']}forum/new/", data)

    def send_post(self, token, kind, url, data, htmx_from=None, **details):
        """POST a reply or a new thread and record what the site said, so run.py can count it in the database.

        Accepted: a redirect to the post (plain form), or htmx's fragment with the posted reply. Anything else is
        recorded with its outcome; "sent" is written first so a post cut off mid-request is still known.
        """
        record(token, "sent", kind=kind, account=self.account["email"], **details)
        name = f"{kind} (htmx)" if htmx_from else kind
        with self.client.post(url, name=name, data=data, headers=self.form_headers(htmx_from),
                              allow_redirects=False, catch_response=True) as response:
            status = response.status_code
            text = (response.text or "") if status else ""
            accepted = (status == 200 and "hx-swap-oob" in text and FORM_ERRORS not in text) if htmx_from \
                else status == 302
            if accepted:
                response.success()
                record(token, "ok", status=status)
            else:
                outcome = "timeout" if status == 0 else "error" if status >= 500 else "refused"
                record(token, outcome, status=status, reason=form_error(text) if status == 200 else "")
                judge(response, expected=(), refused="form refused")
        if accepted and not htmx_from:
            self.visit(response.headers["Location"].split("#")[0], f"{kind} (page after posting)")


def csrf_token(response):
    found = CSRF_INPUT.search(response.text or "") if response.status_code == 200 else None
    return found.group(1) if found else ""


def form_error(text):
    """The first message of a form's error summary, for the record of a refused post."""
    found = re.search(r'class="error-summary".*?<li>(.*?)</li>', text, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def judge(response, expected, refused="unexpected answer"):
    """Mark a response good when its status is expected; otherwise a failure named by its kind."""
    status = response.status_code
    if status in expected:
        response.success()
    elif status == 0:
        error = getattr(response, "error", None)
        response.failure(f"no answer ({'timeout' if 'timeout' in repr(error).lower() else type(error).__name__})")
    elif status >= 500:
        response.failure(f"server error {status}")
    elif status == 429:
        response.failure("rate limited (429)")
    elif status == 200:
        response.failure(refused)
    else:
        response.failure(f"status {status}")
