from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

from communities.models import CommunityPage

pytestmark = pytest.mark.django_db


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "slug", "title", "live", "latest_revision_id")),
        "users": list(get_user_model().objects.order_by("pk").values_list("username", "password", "email")),
    }


def test_demo_builds_communities_and_members_and_prints_logins(client):
    output = load_demo()
    assert CommunityPage.objects.live().count() >= 3
    assert "priya.natarajan@example.org" in output and "practice-exchange-demo" in output
    assert client.login(username="priya.natarajan@example.org", password="practice-exchange-demo")
    response = client.get("/communities/")
    assert b"Contact Centres and Customer Service" in response.content
    assert client.get("/communities/scrutiny-and-accountability/").status_code == 200


def test_demo_admin_can_open_the_wagtail_admin(client):
    load_demo()
    client.login(username="admin@example.org", password="practice-exchange-demo")
    assert client.get("/admin/").status_code == 200


def test_running_the_demo_twice_changes_nothing():
    load_demo()
    before = snapshot()
    output = load_demo()
    assert snapshot() == before
    assert "created" not in output


def test_demo_keeps_what_an_editor_changed():
    load_demo()
    CommunityPage.objects.filter(slug="scrutiny-and-accountability").update(summary="Edited by an editor.")
    load_demo()
    assert CommunityPage.objects.get(slug="scrutiny-and-accountability").summary == "Edited by an editor."
