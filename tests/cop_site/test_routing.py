"""The site root finds the page a URL names in two queries, exactly as Wagtail's level-by-level walk would."""

import pytest
from django.contrib.auth.models import Group
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction

from tests.factories import add_community
from tests.library.conftest import publish_case_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(home):
    """A community, a draft community, the library with a case study (one slugged like a library route) and a draft."""
    library = home.get_children().get(slug="library").specific
    community = add_community(home, "contact-centres")
    draft = add_community(home, "draft-community")
    draft.unpublish()
    publish_case_study(library, slug="quicker-answers")
    publish_case_study(library, slug="feed", title="A case study slugged like the feed")
    unpublished = publish_case_study(library, slug="withdrawn", title="Withdrawn")
    unpublished.unpublish()
    return {"home": home.specific, "community": community, "library": library}


def route(page, route_method, path):
    request = RequestFactory().get(path)
    components = [component for component in path.split("/") if component]
    try:
        found, args, kwargs = route_method(page, request, components)
    except Http404:
        return "404"
    view = args[0].__name__ if args else None
    return found.pk, type(found).__name__, view, args[1:] if args else (), kwargs


PATHS = [
    "/",
    "/communities/",
    "/communities/contact-centres/",
    "/communities/contact-centres/forum/",
    "/communities/contact-centres/forum/12-a-thread/",
    "/communities/contact-centres/forum/posts/7/flag/",
    "/communities/contact-centres/no-such-route/",
    "/communities/nobody/",
    "/communities/draft-community/",
    "/communities/draft-community/forum/",
    "/library/",
    "/library/feed/",
    "/library/decks/3-slides/",
    "/library/quicker-answers/",
    "/library/quicker-answers/more/",
    "/library/withdrawn/",
    "/newsletters/",
    "/nowhere/at/all/",
    "/communities/contact-centres/forum/1-a/b/c/d/e/f/g/h/i/j/",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_url_routes_to_what_wagtails_walk_finds(site, path):
    home = site["home"]
    assert route(home, type(home).route, path) == route(home, Page.route, path)


def test_a_routable_page_s_routes_win_over_a_child_with_the_same_slug(client, site):
    response = client.get("/library/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")


def test_a_draft_section_still_serves_its_live_pages(client, site):
    site["community"].get_parent().unpublish()
    assert client.get("/communities/contact-centres/").status_code == 200
    assert client.get("/communities/").status_code == 404


def test_a_thread_url_costs_two_queries_below_the_site_root(site, django_assert_num_queries):
    home = site["home"]
    with django_assert_num_queries(2):  # the pages the URL could name, then the community as its own class
        page, _, _ = home.route(RequestFactory().get("/"), ["communities", "contact-centres", "forum", "12-a-thread"])
    assert page.pk == site["community"].pk
    with django_assert_num_queries(0):
        assert list(page.get_view_restrictions()) == []
        assert page.get_parent().slug == "communities"


def test_a_restriction_on_an_ancestor_applies_to_the_pages_below_it(client, site, people):
    PageViewRestriction.objects.create(page=site["library"], restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/library/quicker-answers/")
    assert response.status_code == 302 and response.url.endswith("?next=/library/quicker-answers/")
    assert client.get("/communities/contact-centres/").status_code == 200
    client.force_login(people["member"])
    assert client.get("/library/quicker-answers/").status_code == 200


def test_a_group_restriction_on_the_page_itself_keeps_out_those_outside_the_group(client, site, people):
    restriction = PageViewRestriction.objects.create(page=site["community"], restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Reviewers"))
    client.force_login(people["member"])
    assert client.get("/communities/contact-centres/").status_code == 302
    people["member"].groups.add(Group.objects.get(name="Reviewers"))
    assert client.get("/communities/contact-centres/").status_code == 200


def test_an_alias_answers_to_its_original_s_restrictions(client, site):
    original = Page.objects.get(slug="quicker-answers")
    original.create_alias(update_slug="quicker-answers-again")
    assert client.get("/library/quicker-answers-again/").status_code == 200
    PageViewRestriction.objects.create(page=original, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/library/quicker-answers-again/").status_code == 302
