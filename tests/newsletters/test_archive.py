"""The archive at /newsletters/ and its RSS feed: by month, by community, only what the reader may read."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletters import queries
from tests.factories import add_community
from tests.newsletters.support import add_roundup

pytestmark = pytest.mark.django_db

ARCHIVE = "/newsletters/"
FEED = "/newsletters/feed/"
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def months_and_titles(response):
    """[(month heading, [roundup titles])] as the archive lists them."""
    return [
        (section.h3.get_text(), [a.get_text() for a in section.select(".archive-entry h4 a")])
        for section in soup(response).select(".archive-month")
    ]


def feed_items(response):
    channel = ET.fromstring(response.content).find("channel")
    return [(item.findtext("title"), item.findtext("link")) for item in channel.findall("item")]


@pytest.fixture
def streams(community_factory):
    """The site-wide roundup, a public, a members-only and a private community's, for September and October."""
    public = community_factory("public")[0]
    members = community_factory("members")[0]
    private = community_factory("private")[0]
    for month in (SEPTEMBER, OCTOBER):
        for community in (None, public, members, private):
            add_roundup(community, month=month, intro="<p>What stood out, and what to read first.</p>")
    return public, members, private


def test_the_archive_lists_roundups_by_month_newest_first_each_with_its_stream(client, streams):
    response = client.get(ARCHIVE)

    assert response.status_code == 200
    assert months_and_titles(response) == [
        ("October 2026", ["Practice Exchange: October 2026 roundup", "Public Community: October 2026 roundup"]),
        ("September 2026", ["Practice Exchange: September 2026 roundup", "Public Community: September 2026 roundup"]),
    ]
    assert [p.get_text(" ", strip=True) for p in soup(response).select(".archive-stream")][:2] == ["Site-wide", "Public Community"]
    assert "What stood out, and what to read first." in response.content.decode()


def test_members_see_their_members_only_roundups_marked_as_such(client, streams, people):
    client.force_login(people["member"])

    october = months_and_titles(client.get(ARCHIVE))[0][1]

    assert october == [
        "Practice Exchange: October 2026 roundup", "Members Community: October 2026 roundup",
        "Private Community: October 2026 roundup", "Public Community: October 2026 roundup",
    ]
    marked = [entry.h4.get_text() for entry in soup(client.get(ARCHIVE)).select(".archive-entry") if entry.select(".badge")]
    assert marked == [
        "Members Community: October 2026 roundup", "Private Community: October 2026 roundup",
        "Members Community: September 2026 roundup", "Private Community: September 2026 roundup",
    ]


def test_outsiders_and_visitors_never_see_members_only_roundups(client, streams, people):
    for reader in (None, people["outsider"]):
        if reader:
            client.force_login(reader)
        content = client.get(ARCHIVE).content.decode()
        assert "Members Community" not in content and "Private Community" not in content


def test_drafts_are_not_in_the_archive(client, home):
    add_roundup(intro="<p>Not yet.</p>", live=False)

    response = client.get(ARCHIVE)

    assert months_and_titles(response) == []
    assert "No roundups have been published yet." in soup(response).select_one(".empty-state").get_text()


def test_the_archive_filters_by_community_and_keeps_the_filter_in_the_url(client, streams, settings, monkeypatch):
    monkeypatch.setattr(queries, "ROUNDUPS_PER_PAGE", 1)
    public = streams[0]

    response = client.get(ARCHIVE, {"community": public.slug})

    assert months_and_titles(response) == [("October 2026", ["Public Community: October 2026 roundup"])]
    page = soup(response)
    assert page.select_one("#archive-community option[selected]")["value"] == public.slug
    assert page.select_one(".pagination a[rel=next]")["href"] == f"?community={public.slug}&page=2"
    second = client.get(ARCHIVE, {"community": public.slug, "page": 2})
    assert months_and_titles(second) == [("September 2026", ["Public Community: September 2026 roundup"])]


def test_a_community_the_reader_cannot_see_is_neither_offered_nor_filtered_by(client, streams, people):
    client.force_login(people["outsider"])

    response = client.get(ARCHIVE, {"community": "private-community"})

    options = [option["value"] for option in soup(response).select("#archive-community option")]
    assert options == ["", "public-community"]
    assert "Private Community" not in response.content.decode()
    assert len(months_and_titles(response)[0][1]) == 2, "an unknown filter shows everything the reader may read"


def test_the_archive_costs_the_same_queries_for_2_roundups_as_for_24(client, home, people):
    communities = [add_community(home, f"community-{n}") for n in range(11)]
    add_roundup(month=SEPTEMBER)
    add_roundup(communities[0], month=SEPTEMBER)
    client.force_login(people["member"])
    client.get(ARCHIVE)

    counts = []
    for extra in (0, 1):
        if extra:
            for community in [None, *communities]:
                add_roundup(community, month=OCTOBER)
                add_roundup(community, month=date(2026, 8, 1))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(ARCHIVE)
        counts.append(len(captured))

    assert sum(len(titles) for _, titles in months_and_titles(response)) == 24
    assert counts == [counts[0]] * 2 and counts[0] == 12


def test_the_feed_costs_the_same_queries_for_1_roundup_as_for_12(client, home):
    communities = [add_community(home, f"community-{n}") for n in range(11)]
    add_roundup(month=SEPTEMBER)
    client.get(FEED)

    counts = []
    for extra in (0, 1):
        if extra:
            for community in communities:
                add_roundup(community, month=OCTOBER)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(FEED)
        counts.append(len(captured))

    assert len(feed_items(response)) == 12
    assert counts == [counts[0]] * 2


def test_the_feed_holds_public_roundups_only_with_absolute_links(client, streams):
    response = client.get(FEED)

    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    items = feed_items(response)
    assert [title for title, _ in items] == [
        "Practice Exchange: October 2026 roundup", "Public Community: October 2026 roundup",
        "Practice Exchange: September 2026 roundup", "Public Community: September 2026 roundup",
    ]
    assert items[0][1] == "http://testserver/newsletters/2026-10/"
    assert "Members Community" not in response.content.decode() and "Private Community" not in response.content.decode()


def test_a_public_community_has_a_feed_of_its_own_and_no_other_does(client, streams):
    public, members, private = streams

    items = feed_items(client.get(FEED, {"community": public.slug}))

    assert [title for title, _ in items] == ["Public Community: October 2026 roundup", "Public Community: September 2026 roundup"]
    for slug in (members.slug, private.slug, "no-such-community"):
        assert client.get(FEED, {"community": slug}).status_code == 404


def test_the_archive_links_its_feed_and_the_email_preferences(client, home):
    page = soup(client.get(ARCHIVE))

    assert page.find("link", rel="alternate", type="application/rss+xml")["href"] == FEED
    assert page.find("a", string="Get roundups by email")["href"] == "/newsletters/preferences/"
