"""Every page costs at most 15 SQL queries, and as many with 40 threads, posts and decks as with 2.

Measured after a first request, as any page after the first in a running site. The exact count of each page is
asserted by its app's tests; this one holds the budget across all of them, for members and visitors alike.
"""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from communities import services
from communities.models import Membership, Post, Thread, Watch
from library.models import Topic
from search.indexing import apply_all
from tests.factories import add_community, add_member
from tests.library.conftest import add_deck, publish_case_study

pytestmark = pytest.mark.django_db

BUDGET = 15
SMALL, LARGE = 2, 40

PAGES = {
    "home": lambda content: "/",
    "community": lambda content: content.community.url,
    "forum list": lambda content: content.community.url + "forum/",
    "thread": lambda content: content.thread.get_absolute_url(),
    "deep page of a long thread": lambda content: content.thread.get_absolute_url() + "?page=2",
    "library with filters": lambda content: f"/library/?topic={content.topic.slug}&kind=deck&year=2024",
    "library": lambda content: "/library/",
    "deck": lambda content: content.deck.get_absolute_url(),
    "case study": lambda content: content.case_study.url,
    "search": lambda content: "/search/?q=benchmarking",
    "member home": lambda content: "/my/",
}


class Content:
    """A public community with threads, one long thread, decks and case studies, grown by `grow()`."""

    def __init__(self, home, people, commit):
        self.people, self.commit = people, commit
        self.library = home.get_children().get(slug="library").specific
        self.topic = Topic.objects.get(slug="performance-management")
        self.community = add_community(home, "benchmarking-club")
        self.size = self.case_studies = 0
        add_member(people["member"], self.community)
        add_member(people["facilitator"], self.community, Membership.Role.FACILITATOR)
        Watch.objects.create(user=people["member"], community=self.community)
        with commit():
            self.thread = services.start_thread(people["member"], self.community, "Benchmarking our contact centre", "Opening.")
        Watch.objects.get_or_create(user=people["member"], thread=self.thread)

    def grow(self, size):
        """Threads, posts in the long thread (25 a step, so ?page=2 exists), decks and case studies up to `size`."""
        member, facilitator = self.people["member"], self.people["facilitator"]
        with self.commit():
            for number in range(self.size, size):
                thread = services.start_thread(facilitator, self.community, f"Benchmarking question {number}", "How?")
                services.reply(member, thread, "Like this, benchmarking weekly.")
                self.deck = add_deck(title=f"Benchmarking deck {number}", community=self.community if number % 2 else None,
                                     presented_on="2024-03-01")
                self.deck.topics.add(self.topic)
            for number in range(self.case_studies, 1 + size // 10):
                self.case_study = publish_case_study(self.library, slug=f"benchmarking-{number}", title=f"Benchmarking {number}")
            self.case_studies = 1 + size // 10
        add_posts(self.thread, facilitator, (size - self.size) * 25)
        apply_all()  # the search index
        self.size = size


def add_posts(thread, author, count):
    thread.refresh_from_db()
    start = thread.post_count + 1
    Post.objects.bulk_create(
        Post(thread=thread, position=start + n, author=author, body=f"Reply {n}", body_html=f"<p>Reply {n}</p>")
        for n in range(count)
    )
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + count, reply_count=F("reply_count") + count)
    thread.refresh_from_db()


def queries_for(client, url):
    client.get(url)  # Wagtail's site root paths are cached by the first request, as in a running site
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.mark.usefixtures("no_posting_limit")
@pytest.mark.parametrize("who", ["member", "visitor"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_keeps_to_the_query_budget_whatever_the_amount_of_data(client, home, people, commit, page, who):
    content = Content(home, people, commit)
    if who == "member":
        client.force_login(people["member"])
    counts = []
    for size in (SMALL, LARGE):
        content.grow(size)
        response, count = queries_for(client, PAGES[page](content))
        expected_status = 302 if (page, who) == ("member home", "visitor") else 200
        assert response.status_code == expected_status, (page, who, size)
        counts.append(count)
    assert counts[0] <= BUDGET, f"{page} as a {who}: {counts[0]} queries"
    assert counts[0] == counts[1], f"{page} as a {who}: {counts[0]} queries with {SMALL} of each, {counts[1]} with {LARGE}"
