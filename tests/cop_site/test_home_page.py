import pytest
from bs4 import BeautifulSoup

from communities.models import CommunityPage


def page_soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def community(home):
    index = home.get_children().get(slug="communities").specific
    return index.add_child(instance=CommunityPage(title="Scrutiny and Accountability", slug="scrutiny", summary="Committees sharing reviews."))


def test_home_page_offers_a_skip_link_to_the_main_landmark(client, home):
    soup = page_soup(client, "/")
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#main-content"
    assert soup.find("main", id="main-content")
    assert soup.find("header") and soup.find("footer")
    assert soup.html["lang"] == "en-GB"


def test_navigation_leads_to_every_section_and_each_answers(client, home):
    soup = page_soup(client, "/")
    nav = soup.find("nav", attrs={"aria-label": "Main"})
    links = {a.get_text(strip=True): a["href"] for a in nav.find_all("a")}
    assert links == {"Communities": "/communities/", "Library": "/library/", "Newsletters": "/newsletters/", "Search": "/search/"}
    for url in links.values():
        assert client.get(url).status_code == 200


def test_current_section_is_marked_in_the_navigation(client, home):
    soup = page_soup(client, "/library/")
    current = soup.find("nav", attrs={"aria-label": "Main"}).find("a", attrs={"aria-current": "page"})
    assert current.get_text(strip=True) == "Library"


def test_visitor_is_offered_sign_in_and_registration(client, home):
    soup = page_soup(client, "/")
    account = soup.find(class_="account")
    assert account.find("a", href="/accounts/login/")
    assert account.find("a", href="/accounts/signup/")


def test_member_sees_their_name_and_a_sign_out_button(client, home, member):
    client.force_login(member)
    soup = page_soup(client, "/")
    menu = soup.find("details", class_="account-menu")
    assert "Alex Morgan" in menu.summary.get_text()
    assert menu.find("form", action="/accounts/logout/").find("button").get_text(strip=True) == "Sign out"


def test_home_page_lists_live_communities(client, community):
    soup = page_soup(client, "/")
    assert soup.find("a", string="Scrutiny and Accountability")["href"] == "/communities/scrutiny/"


def test_unpublished_community_is_not_listed(client, community):
    community.unpublish()
    response = client.get("/")
    assert b"Scrutiny and Accountability" not in response.content


def test_community_page_shows_its_summary(client, community):
    soup = page_soup(client, "/communities/scrutiny/")
    assert soup.h1.get_text() == "Scrutiny and Accountability"
    assert "Committees sharing reviews." in soup.get_text()


def test_unknown_url_gets_a_helpful_not_found_page(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"couldn't find that page" in response.content


def test_sitemap_lists_the_home_page(client, home):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert b"<loc>http://testserver/</loc>" in response.content
