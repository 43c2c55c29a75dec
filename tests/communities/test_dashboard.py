"""A community's facilitator dashboard: its figures on a known data set, who may see it, and what it costs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from communities import services
from communities.models import CommunityPage, Flag, Membership, Post, Thread
from tests.factories import add_community, add_member, create_member
from tests.library.conftest import add_deck

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Membership.Status
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)  # a Wednesday
MONTHS = ["Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026",
          "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
WEEKS = ["31 Aug", "7 Sep", "14 Sep", "21 Sep", "28 Sep", "5 Oct", "12 Oct", "19 Oct", "26 Oct", "2 Nov", "9 Nov", "16 Nov"]

# Finding the page (site, the pages on the path, the community: 4), session, user (with what the account menu
# shows), memberships, then one query per figure (members by month, posts by week, the oldest unanswered threads
# and their count, pending requests, open flags, top contributors, most downloaded decks: 8): 15 however big the
# community.
DASHBOARD_QUERIES = 15


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Everything is created, and the dashboard drawn, at NOW, so its months and weeks are known."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def forum(community_factory):
    """A public community: Mo Member's thread with Fay Facilitator's reply, and Una Unverified, all joined NOW."""
    return community_factory("public")


@pytest.fixture
def elsewhere(community_factory):
    """The other community community_factory makes, where Otto Elsewhere facilitates."""
    return CommunityPage.objects.get(slug="elsewhere")


def at(moment):
    return datetime.fromisoformat(moment).replace(tzinfo=LONDON)


def dashboard_url(community):
    return community.url + "dashboard/"


def open_dashboard(client, community, user):
    client.force_login(user)
    response = client.get(dashboard_url(community))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def section(soup, heading_id):
    return soup.find(id=heading_id).find_parent("section")


def chart_table(soup, heading_id):
    """{label: value} from the table behind the section's chart."""
    rows = section(soup, heading_id).find("details").find("tbody").find_all("tr")
    return {row.th.get_text(strip=True): int(row.td.get_text(strip=True)) for row in rows}


def stats(soup):
    """The three figures waiting for a facilitator, in words."""
    return [" ".join(stat.get_text(" ", strip=True).split()) for stat in soup.select(".dashboard-stat")]


def backdate(model, pk, **moments):
    model.objects.filter(pk=pk).update(**moments)


def write(author, thread, when, body="A reply with something useful in it."):
    post = services.reply(author, thread, body)
    backdate(Post, post.pk, created_at=when)
    return post


def thread_started(author, community, title, when):
    thread = services.start_thread(author, community, title, "What does everyone else do about this?")
    backdate(Thread, thread.pk, created_at=when)
    backdate(Post, thread.posts.get().pk, created_at=when)
    return thread


# Members over time

def test_members_are_counted_at_each_months_end_from_when_they_joined_or_were_let_in(client, forum, people, elsewhere):
    community, _ = forum
    memberships = {m.user.username: m for m in Membership.objects.filter(community=community)}
    backdate(Membership, memberships["fay"].pk, created_at=at("2025-12-20T09:00"))  # joined an open community
    backdate(Membership, memberships["mo"].pk, created_at=at("2026-01-31T23:30"))  # the last half hour of January
    # Asked in October 2025, approved in March 2026: a member from March.
    backdate(Membership, memberships["una"].pk, created_at=at("2025-10-01T09:00"), decided_at=at("2026-03-05T09:00"))
    newcomer = create_member(username="nia", display_name="Nia Newcomer")
    add_member(newcomer, community)  # joined this month
    for username, status in [("pat", Status.PENDING), ("rex", Status.REMOVED), ("ivy", Status.INVITED), ("dee", Status.DECLINED)]:
        not_a_member = add_member(create_member(username=username), community, status=status)
        backdate(Membership, not_a_member.pk, created_at=at("2026-02-01T09:00"))
    add_member(create_member(username="eli"), elsewhere)

    soup = open_dashboard(client, community, people["facilitator"])

    assert chart_table(soup, "members-title") == dict(zip(MONTHS, [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4]))
    svg = section(soup, "members-title").find("svg")
    assert svg["role"] == "img"
    assert svg["aria-label"] == "Members at the end of each month: 1 in Dec 2025, 4 in Nov 2026."
    assert svg.find("title").get_text() == svg["aria-label"]
    assert "People who have since left or been removed are not counted" in section(soup, "members-title").get_text()


# Posts per week

@pytest.mark.usefixtures("no_posting_limit")
def test_posts_per_week_count_what_members_can_read_in_local_weeks(client, forum, people, elsewhere, home):
    community, thread = forum  # its two posts were written NOW, in the week of 16 Nov
    member, facilitator = people["member"], people["facilitator"]
    write(member, thread, at("2026-08-31T00:15"))  # Monday in summer time: 30 Aug 23:15 UTC, still the first week
    write(member, thread, at("2026-08-30T22:00"))  # the Sunday before: outside the twelve weeks
    write(member, thread, at("2026-11-03T12:00"))
    write(member, thread, at("2026-11-15T23:59"))  # Sunday night counts in the week of 9 Nov
    write(member, thread, at("2026-11-16T00:00"))  # Monday midnight starts the week of 16 Nov
    services.set_post_hidden(facilitator, write(member, thread, at("2026-11-10T12:00")), True)
    services.delete_post(member, write(member, thread, at("2026-11-11T12:00")))
    hidden_thread = thread_started(member, community, "Hidden thread", at("2026-11-12T12:00"))
    write(facilitator, hidden_thread, at("2026-11-12T13:00"))
    services.moderate_thread(facilitator, hidden_thread, "hide")
    add_member(member, elsewhere)
    thread_started(member, elsewhere, "Another community's thread", at("2026-11-17T12:00"))

    soup = open_dashboard(client, community, facilitator)

    assert chart_table(soup, "posts-title") == dict(zip(WEEKS, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]))
    svg = section(soup, "posts-title").find("svg")
    assert svg["aria-label"] == "Posts per week: 6 in total; the most, 3, in the week of 16 Nov."
    values = [text.get_text() for text in svg.find_all("text", class_="bar-chart__value")]
    assert values == ["1", "0", "0", "0", "0", "0", "0", "0", "0", "1", "1", "3"]  # readable at a glance


# Unanswered threads

@pytest.mark.usefixtures("no_posting_limit")
def test_unanswered_threads_are_listed_oldest_first_with_how_long_they_have_waited(client, forum, people, elsewhere):
    community, answered = forum
    member, facilitator = people["member"], people["facilitator"]
    newer = thread_started(member, community, "Who benchmarks call abandonment?", NOW - timedelta(days=2))
    older = thread_started(member, community, "Scrutiny of NI14 returns", NOW - timedelta(days=20))
    only_reply_hidden = thread_started(member, community, "Channel shift targets", NOW - timedelta(days=9))
    services.set_post_hidden(facilitator, write(facilitator, only_reply_hidden, NOW - timedelta(days=8)), True)
    hidden = thread_started(member, community, "A thread a facilitator hid", NOW - timedelta(days=30))
    services.moderate_thread(facilitator, hidden, "hide")
    add_member(member, elsewhere)
    thread_started(member, elsewhere, "Unanswered somewhere else", NOW - timedelta(days=40))

    soup = open_dashboard(client, community, facilitator)

    items = section(soup, "unanswered-title").find("ol").find_all("li")
    assert [item.a.get_text() for item in items] == [older.title, only_reply_hidden.title, newer.title]
    assert items[0].a["href"] == older.get_absolute_url()
    assert "by Mo Member, waiting" in items[0].get_text(" ", strip=True)
    assert items[0].time["datetime"] == (NOW - timedelta(days=20)).isoformat()
    assert answered.title not in soup.get_text()
    assert stats(soup)[2] == "3 threads with no reply yet See the oldest"


@pytest.mark.usefixtures("no_posting_limit")
def test_only_the_ten_longest_waiting_threads_are_listed_with_the_full_count(client, forum, people):
    community, _ = forum
    for day in range(12):
        thread_started(people["member"], community, f"Question {day:02d}", NOW - timedelta(days=30 - day))

    soup = open_dashboard(client, community, people["facilitator"])

    unanswered = section(soup, "unanswered-title")
    assert [item.a.get_text() for item in unanswered.find_all("li")] == [f"Question {day:02d}" for day in range(10)]
    assert "The 10 longest-waiting of 12 threads with no reply" in unanswered.get_text()
    assert stats(soup)[2].startswith("12 threads with no reply yet")


# What is waiting in the queues

def test_pending_join_requests_and_open_flags_are_counted_and_link_to_their_queues(client, home, people, elsewhere):
    community, thread = _community_with_a_facilitator(home, people, join_policy="approval")
    for username in ["pat", "pam"]:
        add_member(create_member(username=username), community, status=Status.PENDING)
    add_member(create_member(username="dee"), community, status=Status.DECLINED)
    add_member(create_member(username="pip"), elsewhere, status=Status.PENDING)
    reply = services.reply(people["member"], thread, "Some thoughts.")
    reporters = [create_member(username=f"reporter{n}") for n in range(3)]
    for reporter in reporters:
        add_member(reporter, community)
    services.flag_post(reporters[0], reply, Flag.Reason.ABUSE)
    services.flag_post(reporters[1], reply, Flag.Reason.OFF_TOPIC)
    services.flag_post(reporters[2], thread.posts.get(position=1), Flag.Reason.SPAM)
    settled = services.reply(people["facilitator"], thread, "A post whose flag was dismissed.")
    services.resolve_flag(people["facilitator"], services.flag_post(people["member"], settled, Flag.Reason.OTHER), "Fine.")
    add_member(people["member"], elsewhere)
    elsewhere_thread = services.start_thread(people["member"], elsewhere, "Elsewhere", "Body.")
    add_member(reporters[0], elsewhere)
    services.flag_post(reporters[0], elsewhere_thread.posts.get(), Flag.Reason.SPAM)

    soup = open_dashboard(client, community, people["facilitator"])

    requests, flags, _ = stats(soup)
    assert requests == "2 join requests waiting for a decision Review join requests"
    assert flags == "3 open flags on 2 posts Handle flags"
    links = [card.find("a")["href"] for card in soup.select(".dashboard-stat")]
    assert links[:2] == [community.url + "requests/", community.url + "flags/"]


def _community_with_a_facilitator(home, people, join_policy="open"):
    community = add_community(home, "scrutiny-officers", join_policy=join_policy, title="Scrutiny Officers")
    add_member(people["facilitator"], community, Role.FACILITATOR)
    add_member(people["member"], community)
    thread = services.start_thread(people["member"], community, "Call-in procedures", "How often do you call in decisions?")
    return community, thread


# Top contributors

@pytest.mark.usefixtures("no_posting_limit")
def test_top_contributors_count_readable_posts_in_the_last_ninety_days(client, forum, people, elsewhere):
    community, thread = forum  # Mo Member's opening post and Fay Facilitator's reply, both NOW
    member, facilitator = people["member"], people["facilitator"]
    ravi = create_member(username="ravi", display_name="Ravi Patel", organisation="Eastmoor Council")
    add_member(ravi, community)
    write(member, thread, NOW - timedelta(days=89))
    write(ravi, thread, NOW - timedelta(days=10))
    write(ravi, thread, NOW - timedelta(days=11))
    write(facilitator, thread, NOW - timedelta(days=91))  # too long ago
    services.set_post_hidden(facilitator, write(facilitator, thread, NOW - timedelta(days=3)), True)
    services.delete_post(facilitator, write(facilitator, thread, NOW - timedelta(days=3)))
    add_member(facilitator, elsewhere, Role.FACILITATOR)
    elsewhere_thread = thread_started(facilitator, elsewhere, "Elsewhere", NOW - timedelta(days=1))
    write(facilitator, elsewhere_thread, NOW - timedelta(days=1))

    soup = open_dashboard(client, community, facilitator)

    rows = section(soup, "contributors-title").find("tbody").find_all("tr")
    assert [(row.th.a.get_text(), row.td.get_text()) for row in rows] == [
        ("Mo Member", "2"), ("Ravi Patel", "2"), ("Fay Facilitator", "1"),
    ]
    assert rows[1].th.a["href"] == "/members/ravi/" and "Eastmoor Council" in rows[1].th.get_text()
    assert "Most posts in the last 90 days" in section(soup, "contributors-title").find("caption").get_text()


# Most downloaded decks

def test_most_downloaded_decks_are_this_communitys_own_most_downloads_first(client, forum, people, elsewhere):
    community, _ = forum
    add_deck(community, title="Failure demand in contact centres", download_count=7)
    add_deck(community, title="Setting local performance targets", download_count=12)
    add_deck(community, title="Never downloaded", download_count=0)
    add_deck(elsewhere, title="Another community's deck", download_count=50)
    add_deck(None, title="A public library deck", download_count=40)

    soup = open_dashboard(client, community, people["facilitator"])

    rows = section(soup, "decks-title").find("tbody").find_all("tr")
    assert [(row.th.a.get_text(), row.td.get_text()) for row in rows] == [
        ("Setting local performance targets", "12"), ("Failure demand in contact centres", "7"),
    ]
    assert "Never downloaded" not in soup.get_text() and "Another community" not in soup.get_text()


# A new, quiet community

def test_a_quiet_community_gets_a_helpful_word_in_every_section(client, home, people):
    community = add_community(home, "new-network", title="New Network")
    add_member(people["facilitator"], community, Role.FACILITATOR)

    soup = open_dashboard(client, community, people["facilitator"])

    assert stats(soup) == [
        "0 join requests waiting for a decision Join requests",
        "0 open flags Flag queue",
        "0 threads with no reply yet Unanswered threads",
    ]
    assert chart_table(soup, "posts-title") == dict.fromkeys(WEEKS, 0)
    assert section(soup, "posts-title").find("svg")["aria-label"] == "Posts per week: none, all 12 at zero."
    assert chart_table(soup, "members-title") == {**dict.fromkeys(MONTHS, 0), "Nov 2026": 1}
    assert "Every thread has had a reply. Nothing is waiting." in section(soup, "unanswered-title").get_text()
    assert "No one has posted in the last 90 days." in section(soup, "contributors-title").get_text()
    assert "No deck shared with this community has been downloaded yet." in section(soup, "decks-title").get_text()
    assert not soup.select(".dashboard-table")


# Who may see it: the community's facilitators and staff, as for the join requests and the flag queue

REFUSED = {"outsider": 403, "member": 403, "unverified": 403, "other_facilitator": 403}
REFUSED_PRIVATE = {"outsider": 404, "member": 403, "unverified": 403, "other_facilitator": 404}


@pytest.mark.parametrize("visibility", ["public", "members", "private"])
@pytest.mark.parametrize("role", ["outsider", "member", "unverified", "other_facilitator", "facilitator", "staff"])
def test_only_the_communitys_facilitators_and_staff_see_the_dashboard(client, community_factory, people, visibility, role):
    community, thread = community_factory(visibility)
    client.force_login(people[role])
    response = client.get(dashboard_url(community))
    refused = (REFUSED_PRIVATE if visibility == "private" else REFUSED).get(role)
    if refused is None:
        assert response.status_code == 200
        assert b"<h1>Dashboard</h1>" in response.content
        return
    assert response.status_code == refused
    assert b"Members over time" not in response.content and thread.title.encode() not in response.content
    if refused == 403:
        assert b"Only this community&#x27;s facilitators can see its dashboard." in response.content


@pytest.mark.parametrize("visibility, status", [("public", 302), ("members", 302), ("private", 404)])
def test_a_visitor_is_asked_to_sign_in_unless_the_community_is_private(client, community_factory, visibility, status):
    community, _ = community_factory(visibility)
    response = client.get(dashboard_url(community))
    assert response.status_code == status
    if status == 302:
        assert response.url == f"/accounts/login/?next={dashboard_url(community)}"


def test_a_facilitator_who_was_removed_no_longer_sees_it(client, forum, people, home):
    community, _ = forum
    services.remove_member(people["staff"], Membership.objects.get(user=people["facilitator"], community=community))
    client.force_login(people["facilitator"])
    assert client.get(dashboard_url(community)).status_code == 403


def test_facilitators_find_the_dashboard_in_the_community_header_and_members_do_not(client, forum, people):
    community, _ = forum
    client.force_login(people["facilitator"])
    about = BeautifulSoup(client.get(community.url).content, "html.parser")
    assert about.find("nav", class_="community-tabs").find("a", href=dashboard_url(community)).get_text() == "Dashboard"
    dashboard = open_dashboard(client, community, people["facilitator"])
    current = dashboard.find("nav", class_="community-tabs").find("a", attrs={"aria-current": "page"})
    assert current["href"] == dashboard_url(community)
    client.force_login(people["member"])
    assert dashboard_url(community).encode() not in client.get(community.url).content


# What it costs

@pytest.mark.usefixtures("no_posting_limit")
@pytest.mark.parametrize("size", [2, 30])
def test_the_dashboard_costs_the_same_queries_however_big_the_community(client, home, people, size, django_assert_num_queries):
    community, answered = _community_with_a_facilitator(home, people)
    members = [create_member(username=f"member{n}", display_name=f"Member {n}") for n in range(size)]
    for n, member in enumerate(members):
        add_member(member, community)
        add_member(create_member(username=f"applicant{n}"), community, status=Status.PENDING)
        thread = thread_started(member, community, f"Question {n}", NOW - timedelta(days=n + 1))
        services.flag_post(members[n - 1] if n else people["member"], thread.posts.get(), Flag.Reason.OFF_TOPIC)
        write(member, answered, NOW - timedelta(days=n, hours=1))
        add_deck(community, title=f"Deck {n}", uploader=member, download_count=n + 1)
    client.force_login(people["facilitator"])
    client.get(dashboard_url(community))  # warm the site's root-path cache

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(dashboard_url(community))

    soup = BeautifulSoup(response.content, "html.parser")
    assert stats(soup)[0].startswith(f"{size} join requests")
    assert len(section(soup, "unanswered-title").find_all("li")) == min(size, 10)
    assert len(section(soup, "contributors-title").find("tbody").find_all("tr")) == min(size + 1, 10)
    assert len(section(soup, "decks-title").find("tbody").find_all("tr")) == min(size, 5)
