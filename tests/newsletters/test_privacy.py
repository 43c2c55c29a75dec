"""Roundups never reveal what a reader may not read: not on a roundup page, in the archive, the feed, search
or the sitemap. Each surface is checked for the private words themselves, not only for a refusal."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities import services
from search import service
from tests.factories import add_community, add_member
from tests.newsletters.support import add_roundup, heading, thread_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]

SECRET = "Zanzibar"  # in the private community's thread title, item line and roundup intro: nowhere else


def publish(roundup):
    roundup.save_revision().publish()
    return roundup


@pytest.fixture
def two_private_communities(home, people, commit):
    """Mo belongs to "ours"; Otto alone belongs to "theirs". Both are private, and both appear in the site-wide
    roundup; "theirs" has a roundup of its own. Everything is published, so search has it too."""
    ours = add_community(home, "ours", visibility="private", title="Our Leads")
    theirs = add_community(home, "theirs", visibility="private", title="Their Leads")
    add_member(people["member"], ours)
    add_member(people["other_facilitator"], theirs)
    our_thread = services.start_thread(people["member"], ours, "Our quarterly intervention plans", "Ours.")
    their_thread = services.start_thread(people["other_facilitator"], theirs, f"The {SECRET} restructure", "Theirs.")
    with commit():
        site_wide = publish(add_roundup(live=False, blocks=[
            heading("Ours"), thread_item(our_thread, "Intervention plans compared."),
            heading("Theirs"), thread_item(their_thread, f"Notes on {SECRET}."),
        ]))
        their_roundup = publish(add_roundup(theirs, live=False, intro=f"<p>{SECRET} again.</p>",
                                            blocks=[thread_item(their_thread, f"Notes on {SECRET}.")]))
    return site_wide, their_roundup, our_thread


def test_a_member_of_one_private_community_never_sees_anothers_through_any_roundup_surface(
    client, two_private_communities, people
):
    site_wide, their_roundup, our_thread = two_private_communities
    client.force_login(people["member"])

    page = client.get(site_wide.url).content.decode()
    assert our_thread.title in page and SECRET not in page and "Their Leads" not in page
    assert client.get(their_roundup.url).status_code == 404
    for url in ("/newsletters/", "/newsletters/?community=theirs", "/newsletters/feed/", "/sitemap.xml"):
        content = client.get(url).content.decode()
        assert SECRET not in content and "Their Leads" not in content, url
    assert client.get("/newsletters/feed/", {"community": "theirs"}).status_code == 404
    assert service.search(SECRET, people["member"]).total == 0
    assert service.suggest(SECRET[:4], people["member"]) == []


def test_the_site_wide_roundup_shows_a_private_item_to_that_communitys_members_and_staff_only(
    client, two_private_communities, people
):
    site_wide = two_private_communities[0]

    assert SECRET not in client.get(site_wide.url).content.decode()
    for reader, sees in ((people["outsider"], False), (people["other_facilitator"], True), (people["staff"], True)):
        client.force_login(reader)
        assert (SECRET in client.get(site_wide.url).content.decode()) is sees, reader


@pytest.mark.parametrize("visibility", ["members", "private"])
def test_a_non_public_communitys_roundup_is_invisible_to_visitors_and_non_members(
    client, home, people, commit, visibility
):
    community = add_community(home, "closed", visibility=visibility)
    add_member(people["member"], community)
    services.start_thread(people["member"], community, "Scoping a review", "Where to start.")
    with commit():
        roundup = publish(add_roundup(community, live=False, intro=f"<p>{SECRET} for members.</p>"))

    for reader in (None, people["outsider"]):
        if reader:
            client.force_login(reader)
        assert client.get(roundup.url).status_code in {302, 403, 404}
        for url in ("/newsletters/", "/newsletters/feed/", "/sitemap.xml"):
            content = client.get(url).content.decode()
            assert roundup.title not in content and SECRET not in content, url
        assert service.search(SECRET, reader or AnonymousUser()).total == 0

    client.force_login(people["member"])
    assert roundup.title in client.get("/newsletters/").content.decode()
    assert SECRET in client.get(roundup.url).content.decode()
    assert service.search(SECRET, people["member"]).total == 1


def test_the_sitemap_lists_public_published_roundups_only(client, community_factory):
    public = community_factory("public")[0]
    members = community_factory("members")[0]
    listed = [add_roundup(), add_roundup(public)]
    unlisted = [add_roundup(members), add_roundup(public, month=listed[0].month.replace(month=9), live=False)]

    content = client.get("/sitemap.xml").content.decode()

    for roundup in listed:
        assert f"http://testserver{roundup.url}" in content
    for roundup in unlisted:
        assert roundup.url not in content
