"""The search box's suggestions: the JSON autocomplete.js reads, and the page it enhances."""

import pytest
from bs4 import BeautifulSoup

from communities import services
from tests.factories import add_community, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def threads(home, people, commit):
    public = add_community(home, "policy")
    private = add_community(home, "leads", visibility="private")
    add_member(people["member"], public)
    add_member(people["member"], private)
    with commit():
        services.start_thread(people["member"], public, "Confident reporting to members", "Public.")
        services.start_thread(people["member"], private, "Confidential budget lines", "Private.")


def suggestions(client, prefix):
    response = client.get("/search/autocomplete/", {"q": prefix})
    assert response.status_code == 200
    return response.json()["suggestions"]


def test_each_suggestion_has_its_title_link_and_a_label_for_its_kind(client, threads):
    [suggestion] = suggestions(client, "confid")
    assert suggestion["title"] == "Confident reporting to members"
    assert suggestion["url"].startswith("/communities/policy/forum/")
    assert (suggestion["kind"], suggestion["kind_label"]) == ("thread", "Discussion")


def test_a_member_gets_suggestions_from_their_private_community_and_a_visitor_does_not(client, threads, people):
    assert [s["title"] for s in suggestions(client, "confid")] == ["Confident reporting to members"]
    client.force_login(people["member"])
    assert sorted(s["title"] for s in suggestions(client, "confid")) == ["Confident reporting to members",
                                                                        "Confidential budget lines"]


def test_fewer_than_two_letters_or_nothing_found_suggest_nothing(client, threads):
    assert suggestions(client, "c") == []
    assert suggestions(client, "") == []
    assert suggestions(client, "zzzz") == []


def test_asking_too_often_is_refused_with_json_the_script_can_ignore(client, threads, settings):
    settings.SEARCH_SUGGESTIONS_PER_MINUTE = 2
    for _ in range(2):
        suggestions(client, "confid")
    response = client.get("/search/autocomplete/", {"q": "confid"})
    assert response.status_code == 429
    assert response.json()["suggestions"] == [] and response["Retry-After"] == "60"


def test_the_search_page_gives_the_script_its_listbox_status_and_hint_but_no_combobox_without_it(client, home):
    page = BeautifulSoup(client.get("/search/").content, "html.parser")
    box = page.find("input", id="search-q")
    assert box["data-autocomplete-url"] == "/search/autocomplete/"
    listbox = page.find(id=box["data-autocomplete-list"])
    assert listbox["role"] == "listbox" and listbox.has_attr("hidden") and listbox["aria-label"] == "Suggestions"
    assert page.find(id=box["data-autocomplete-status"])["role"] == "status"
    assert "arrow keys" in page.find(id=box["data-autocomplete-hint"]).get_text()
    assert not box.has_attr("role") and not box.has_attr("list")  # the script makes it a combobox
    assert page.find("script", src="/static/js/autocomplete.js")
