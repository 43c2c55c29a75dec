from communities.models import CommunityPage


def test_search_finds_a_public_community_by_its_title(client, home):
    index = home.get_children().get(slug="communities").specific
    index.add_child(instance=CommunityPage(title="Contact Centres", slug="contact-centres", summary="Call handling."))
    response = client.get("/search/", {"q": "contact"})
    assert response.status_code == 200
    assert b'href="/communities/contact-centres/"' in response.content
    assert b"1 result for" in response.content


def test_empty_search_shows_only_the_form(client, home):
    response = client.get("/search/")
    assert response.status_code == 200
    assert b'role="search"' in response.content
    assert b"results-count" not in response.content


def test_search_with_no_match_suggests_what_to_try(client, home):
    response = client.get("/search/", {"q": "zzzqqq"})
    assert b"0 results for" in response.content
    assert b"Nothing matched" in response.content


def test_search_query_is_echoed_escaped(client, home):
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content
