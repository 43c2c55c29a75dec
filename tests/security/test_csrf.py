"""Cross-site request forgery: a state change needs a POST carrying this site's CSRF token."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_a_reply_posted_without_the_token_is_refused(strict_client, community_factory, people):
    community, thread = community_factory("public")
    strict_client.force_login(people["member"])
    response = strict_client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "Forged from elsewhere."})
    assert response.status_code == 403
    assert not thread.posts.filter(body="Forged from elsewhere.").exists()


def test_a_reply_posted_from_the_form_with_its_token_is_accepted(strict_client, community_factory, people):
    community, thread = community_factory("public")
    strict_client.force_login(people["member"])
    strict_client.get(thread.get_absolute_url())
    token = strict_client.cookies["csrftoken"].value
    response = strict_client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "From the form."},
                                  HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


@pytest.mark.parametrize("action", ["pin/", "lock/", "unwatch/"])
def test_thread_actions_cannot_be_triggered_by_a_link(client, community_factory, people, action):
    community, thread = community_factory("public")
    client.force_login(people["facilitator"])
    assert client.get(f"{community.url}forum/{thread.pk}/{action}").status_code == 405


def test_sign_out_cannot_be_triggered_by_a_link_or_an_image(client, member):
    client.force_login(member)
    client.get("/accounts/logout/")
    assert client.get("/accounts/profile/").status_code == 200
