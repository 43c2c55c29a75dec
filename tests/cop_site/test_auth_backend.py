"""Signing in works as before, and the signed-in user comes with what every page asks of them in one query."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from communities.models import Notification
from communities.permissions import has_verified_email
from communities.queries import unread_notification_count
from tests.factories import PASSWORD, add_community

pytestmark = pytest.mark.django_db


def signed_in_user(client):
    return client.get("/").context["user"]


def test_members_sign_in_with_their_email_on_the_site(client, home, people):
    response = client.post("/accounts/login/", {"login": "mo@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client).username == "mo"


def test_a_wrong_password_signs_nobody_in(client, home, people):
    response = client.post("/accounts/login/", {"login": "mo@example.org", "password": "not-the-password"})
    assert response.status_code == 200
    assert not signed_in_user(client).is_authenticated


def test_editors_sign_in_with_their_username_in_the_admin(client, home, people):
    response = client.post("/admin/login/", {"username": "stella", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client).username == "stella"


def test_the_signed_in_user_knows_their_profile_email_and_unread_count_without_a_query(client, home, people, django_assert_num_queries):
    community = add_community(home, "scrutiny")
    mo = people["member"]
    Notification.objects.create(recipient=mo, kind=Notification.Kind.REPLY, community=community)
    Notification.objects.create(recipient=mo, kind=Notification.Kind.MENTION, community=community)
    Notification.objects.create(recipient=mo, kind=Notification.Kind.QUOTE, community=community, read_at=timezone.now())
    client.force_login(mo)
    user = signed_in_user(client)
    with django_assert_num_queries(0):
        assert user.profile.name == "Mo Member"
        assert has_verified_email(user)
        assert unread_notification_count(user) == 2


def test_an_unverified_member_is_known_as_such_and_has_no_unread_notifications(client, home, people, django_assert_num_queries):
    client.force_login(people["unverified"])
    user = signed_in_user(client)
    with django_assert_num_queries(0):
        assert not has_verified_email(user)
        assert unread_notification_count(user) == 0


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, home, people):
    client.force_login(people["member"])
    get_user_model().objects.filter(pk=people["member"].pk).update(is_active=False)
    assert not signed_in_user(client).is_authenticated


def test_users_loaded_any_other_way_get_the_same_answers_from_the_database(home, people, django_assert_num_queries):
    community = add_community(home, "scrutiny")
    Notification.objects.create(recipient=people["member"], kind=Notification.Kind.REPLY, community=community)
    member, unverified = get_user_model().objects.get(username="mo"), get_user_model().objects.get(username="una")
    with django_assert_num_queries(3):
        assert has_verified_email(member)
        assert not has_verified_email(unverified)
        assert unread_notification_count(member) == 1
