"""The search service end to end on the embedded database backend: content changes reach the index
through the outbox after commit, and what comes back follows the communities' permission rules."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities import services
from communities.models import CommunityPage
from library.models import CaseStudyPage
from search import service
from search.documents import SearchFilters
from search.models import IndexChange
from tests.factories import add_community, add_member

pytestmark = pytest.mark.django_db


def titles(results):
    return [hit.title for hit in results.hits]


def test_a_new_thread_is_found_after_commit(home, people, commit):
    community = add_community(home, "contact-centres")
    add_member(people["member"], community)
    with commit():
        services.start_thread(people["member"], community, "Measuring first-contact resolution", "Callers ring back.")
    assert titles(service.search("resolution", AnonymousUser())) == ["Measuring first-contact resolution"]
    assert not IndexChange.objects.exists()


def test_replies_make_a_thread_findable_by_their_words(home, people, commit):
    community = add_community(home, "contact-centres")
    add_member(people["member"], community)
    with commit():
        thread = services.start_thread(people["member"], community, "Waiting times", "How long do callers wait?")
        services.reply(people["member"], thread, "We publish an abandonment rate every week.")
    assert titles(service.search("abandonment", AnonymousUser())) == ["Waiting times"]


def test_a_hidden_thread_leaves_the_index(home, people, commit):
    community = add_community(home, "policy")
    add_member(people["facilitator"], community, role="facilitator")
    with commit():
        thread = services.start_thread(people["facilitator"], community, "Quarterly reporting", "Our quarterly report.")
    with commit():
        services.moderate_thread(people["facilitator"], thread, "hide")
    assert service.search("quarterly", people["staff"]).total == 0


def test_private_community_content_is_found_only_by_its_members(home, people, commit):
    private = add_community(home, "leads", visibility="private")
    add_member(people["member"], private)
    with commit():
        services.start_thread(people["member"], private, "Confidential restructure", "Plans for restructuring.")
    for user in (AnonymousUser(), people["outsider"]):
        results = service.search("restructure", user)
        assert results.total == 0 and results.hits == []
        assert service.suggest("confid", user) == []
    assert titles(service.search("restructure", people["member"])) == ["Confidential restructure"]


def test_making_a_community_private_hides_what_it_holds(home, people, commit):
    community = add_community(home, "open-then-closed")
    add_member(people["member"], community)
    with commit():
        services.start_thread(people["member"], community, "Benchmarking clubs", "Who runs one?")
    assert service.search("benchmarking", AnonymousUser()).total == 1
    with commit():
        community.visibility = CommunityPage.Visibility.PRIVATE
        community.save_revision().publish()
    assert service.search("benchmarking", AnonymousUser()).total == 0
    assert service.search("benchmarking", people["member"]).total == 1


def test_member_profiles_are_searchable_by_members_only(home, people, commit):
    with commit():
        profile = people["member"].profile
        profile.organisation = "Westmarsh District Council"
        profile.save()
    assert service.search("Westmarsh", AnonymousUser()).total == 0
    assert "Mo Member" in titles(service.search("Westmarsh", people["outsider"]))


def test_filters_reach_the_backend(home, people, commit):
    community = add_community(home, "scrutiny")
    add_member(people["member"], community)
    with commit():
        services.start_thread(people["member"], community, "Scrutiny of complaints", "Complaints data.")
    results = service.search("complaints", AnonymousUser(), SearchFilters(kind="deck"))
    assert results.total == 0
    assert service.search("complaints", AnonymousUser(), SearchFilters(kind="thread")).total == 1


def test_the_search_page_shows_highlighted_hits_facets_and_keeps_filters(client, home, people, commit):
    community = add_community(home, "contact-centres", title="Contact Centres")
    add_member(people["member"], community)
    with commit():
        services.start_thread(people["member"], community, "Avoidable contact", "Avoidable contact is <b>costly</b>.")
    response = client.get("/search/", {"q": "avoidable"})
    content = response.content.decode()
    assert "<mark>" in content
    assert "<b>costly</b>" not in content and "&lt;b&gt;costly&lt;/b&gt;" in content  # shown as typed, once escaped
    assert "1 result for" in content
    assert 'href="?q=avoidable&amp;kind=thread"' in content


def test_autocomplete_answers_json_with_readable_titles_only(client, home, people, commit):
    private = add_community(home, "leads", visibility="private")
    public = add_community(home, "policy")
    add_member(people["member"], private)
    add_member(people["member"], public)
    with commit():
        services.start_thread(people["member"], private, "Confidential budget lines", "Private.")
        services.start_thread(people["member"], public, "Confident reporting to members", "Public.")
    suggestions = client.get("/search/autocomplete/", {"q": "confid"}).json()["suggestions"]
    assert [s["title"] for s in suggestions] == ["Confident reporting to members"]


def test_the_search_page_echoes_the_query_escaped(client, home):
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_when_nothing_has_every_word_the_page_shows_results_with_some_and_says_so(client, home, people, commit):
    community = add_community(home, "contact-centres", title="Contact Centres")
    add_member(people["member"], community)
    with commit():
        services.start_thread(people["member"], community, "Measuring first-contact resolution", "Callers ring back.")

    results = service.search("first contact resolution call centre", AnonymousUser())
    assert results.relaxed and titles(results)[0] == "Measuring first-contact resolution"
    assert "Contact Centres" in titles(results)  # the community, for "contact" and "centre" alone
    assert not service.search("first contact resolution", AnonymousUser()).relaxed

    content = client.get("/search/", {"q": "first contact resolution call centre"}).content.decode()
    assert "No result has all of your words" in content


def test_a_single_word_that_finds_nothing_is_not_relaxed(home):
    results = service.search("nonexistentword", AnonymousUser())
    assert results.total == 0 and not results.relaxed


def test_a_case_study_made_live_in_code_before_its_first_publish_is_indexed(home, commit):
    """Imports and scripts add pages live without a revision, so the page has no first-published date yet."""
    library = home.get_children().get(slug="library").specific
    with commit():
        library.add_child(instance=CaseStudyPage(title="Quicker answers at Brackenfield", slug="quicker-answers",
                                                 organisation="Brackenfield Borough Council",
                                                 organisation_type="metropolitan", region="north-west",
                                                 summary="Answer times fell from five minutes to under one.",
                                                 challenge="<p>Long queues.</p>", approach="<p>A new rota.</p>"))
    assert titles(service.search("Brackenfield", AnonymousUser())) == ["Quicker answers at Brackenfield"]
    assert not IndexChange.objects.exists()
