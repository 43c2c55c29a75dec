"""Roundups in search: published ones only, as open as their community, and carrying the words of items
only where everyone allowed to find the roundup may read them. Changes arrive through the outbox."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities import services
from communities.models import CommunityPage
from newsletters.compile import compile_roundup, current_month
from search import service
from search.documents import Access, SearchFilters
from search.sources import document_for_key, keys_affected_by
from tests.factories import add_community, add_member
from tests.newsletters.support import add_roundup, heading, thread_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]


def titles(results):
    return [hit.title for hit in results.hits]


def publish(roundup):
    """Publish the roundup as it stands, as the facilitator does from the editor."""
    roundup.save_revision().publish()
    roundup.refresh_from_db()
    return roundup


def compiled(community, user, intro=""):
    """This month's draft roundup of ``community`` as compile leaves it (its items remembered in compiled_keys)."""
    draft = compile_roundup(community, current_month(), user).roundup.get_latest_revision_as_object()
    draft.intro = intro
    return draft


@pytest.fixture
def forums(home, people):
    """A public community and a private one, each with a thread; Mo is in both, Olive in neither."""
    public = add_community(home, "contact-centres", title="Contact Centres")
    private = add_community(home, "leads", visibility="private", title="Performance Leads")
    for community in (public, private):
        add_member(people["member"], community)
    open_thread = services.start_thread(people["member"], public, "Measuring first-contact resolution", "Callers ring back.")
    closed_thread = services.start_thread(people["member"], private, "Restructuring the intervention team", "Candid.")
    return public, private, open_thread, closed_thread


def test_a_published_roundup_is_found_by_its_title_intro_and_items(forums, people, commit):
    public, _, open_thread, _ = forums
    with commit():
        publish(compiled(public, people["staff"], intro="<p>Benchmarking clubs were the talk of the month.</p>"))

    roundup_title = f"Contact Centres: {current_month():%B %Y} roundup"
    assert titles(service.search("benchmarking", AnonymousUser())) == [roundup_title]
    assert roundup_title in titles(service.search("resolution", AnonymousUser()))
    hit = service.search("benchmarking", AnonymousUser()).hits[0]
    assert hit.kind == "roundup" and hit.kind_label == "Roundup" and hit.community_title == "Contact Centres"


def test_drafts_are_not_indexed_and_unpublishing_removes_a_roundup(forums, people, commit):
    public = forums[0]
    with commit():
        roundup = compiled(public, people["staff"], intro="<p>Benchmarking clubs.</p>")
        roundup.save_revision()
    assert service.search("benchmarking", people["staff"]).total == 0
    assert service.search("roundup", people["staff"], SearchFilters(kind="roundup")).total == 0

    with commit():
        publish(roundup)
    assert service.search("benchmarking", people["staff"]).total == 1
    with commit():
        roundup.unpublish()
    assert service.search("benchmarking", people["staff"]).total == 0


def test_the_site_wide_roundup_carries_the_words_of_items_everyone_may_read_only(forums, people, commit):
    _, _, open_thread, closed_thread = forums
    with commit():
        roundup = publish(add_roundup(live=False, blocks=[
            heading("Busiest"), thread_item(open_thread, "Sampling two hundred calls."),
            heading("Leads"), thread_item(closed_thread, "Notes on the restructure."),
        ]))

    document = document_for_key(f"roundup:{roundup.pk}")
    assert document.access == Access.PUBLIC and document.community_id is None
    assert "Measuring first-contact resolution" in document.body and "Sampling two hundred calls." in document.body
    assert "Restructuring" not in document.body and "restructure" not in document.body
    # Even its members find the private thread itself, never the public roundup, by the thread's words.
    assert [hit.kind for hit in service.search("restructure", people["member"]).hits] == ["thread"]


def test_a_non_public_communitys_roundup_is_for_its_members_and_carries_its_items(forums, people, commit):
    private, closed_thread = forums[1], forums[3]
    with commit():
        roundup = publish(compiled(private, people["staff"]))

    document = document_for_key(f"roundup:{roundup.pk}")
    assert document.access == Access.COMMUNITY and document.community_id == private.pk
    assert closed_thread.title in document.body
    for reader in (AnonymousUser(), people["outsider"]):
        assert service.search("roundup", reader, SearchFilters(kind="roundup")).total == 0
    assert titles(service.search("roundup", people["member"], SearchFilters(kind="roundup"))) == [roundup.title]


def test_making_a_community_private_hides_its_roundups_and_its_items_in_the_site_wide_one(forums, people, commit):
    public, _, open_thread, _ = forums
    with commit():
        community_roundup = publish(compiled(public, people["staff"]))
        site_roundup = publish(add_roundup(blocks=[thread_item(open_thread, "Sampling two hundred calls.")], live=False))
    assert len(service.search("sampling", AnonymousUser()).hits) == 1

    with commit():
        public.visibility = CommunityPage.Visibility.PRIVATE
        public.save_revision().publish()

    assert service.search("roundup", AnonymousUser(), SearchFilters(kind="roundup")).hits[0].title == site_roundup.title
    assert service.search("sampling", AnonymousUser()).total == 0
    assert community_roundup.title in titles(service.search("roundup", people["member"], SearchFilters(kind="roundup")))


def test_hiding_a_thread_takes_its_words_out_of_the_roundups_that_offered_it(forums, people, commit):
    public, _, open_thread, _ = forums
    add_member(people["facilitator"], public, role="facilitator")
    with commit():
        roundup = publish(compiled(public, people["staff"]))
    assert f"roundup:{roundup.pk}" in keys_affected_by(open_thread)
    assert roundup.title in titles(service.search("resolution", AnonymousUser()))

    with commit():
        services.moderate_thread(people["facilitator"], open_thread, "hide")

    assert service.search("resolution", AnonymousUser()).total == 0


def test_roundups_are_a_kind_of_their_own_in_the_facets(forums, people, commit):
    with commit():
        publish(compiled(forums[0], people["staff"], intro="<p>Resolution at first contact.</p>"))

    kinds = {value.value: value.label for value in service.search("resolution", AnonymousUser()).facets["kind"]}

    assert kinds == {"thread": "Discussions", "roundup": "Roundups"}
