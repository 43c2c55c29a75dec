"""Choosing roundups: the preferences page, the offer when joining a community, and the offer when signing up.

Consent is never assumed: every box starts unticked, and each yes is recorded with where it was given.
"""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from communities import services
from newsletters import subscriptions
from newsletters.models import Subscription
from newsletters.permissions import can_receive
from newsletters.subscriptions import is_subscribed, subscribe, subscription
from tests.factories import add_community

pytestmark = pytest.mark.django_db

PREFERENCES = "/newsletters/preferences/"
Source = Subscription.Source


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def switches(response):
    """{label: ticked} for each checkbox, found through its label as a screen reader would."""
    page = soup(response)
    return {
        " ".join(page.find("label", attrs={"for": box["id"]}).get_text().split()): box.has_attr("checked")
        for box in page.select("form input[type=checkbox]")
    }


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def communities(community_factory, home, people):
    """Mo belongs to a public and a members-only community, takes a third's roundup without joining, and
    is in no way connected to a fourth."""
    public = community_factory("public")[0]
    members = community_factory("members")[0]
    followed = add_community(home, "followed", title="Followed Without Joining")
    add_community(home, "unrelated", title="Unrelated Community")
    subscribe(people["member"], followed, Source.PREFERENCES)
    return public, members, followed


def test_the_preferences_page_asks_visitors_to_sign_in(client, home):
    response = client.get(PREFERENCES)

    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={PREFERENCES}"


def test_a_member_sees_one_switch_per_roundup_they_may_choose(client, communities, people):
    client.force_login(people["member"])

    response = client.get(PREFERENCES)

    assert switches(response) == {
        "The Practice Exchange roundup": False,
        "The Followed Without Joining roundup": True,
        "The Members Community roundup": False,
        "The Public Community roundup": False,
    }
    page = soup(response)
    assert page.select_one("fieldset legend").get_text() == "Email me these roundups"
    assert f"Roundups go to {people['member'].email}." in page.get_text()


def test_saving_subscribes_and_unsubscribes_as_ticked_with_consent_on_record(client, communities, people):
    public, members, followed = communities
    member = people["member"]
    client.force_login(member)

    response = client.post(PREFERENCES, {"site": "on", f"community_{members.pk}": "on"})

    assert response.status_code == 302 and response["Location"] == PREFERENCES
    assert messages_of(response) == [
        "Your email preferences are saved. You'll get the Practice Exchange and Members Community roundups by email each month."
    ]
    assert is_subscribed(member, None) and is_subscribed(member, members)
    assert not is_subscribed(member, public)
    left = subscription(member, followed)
    assert not left.is_active and left.unsubscribe_source == Source.PREFERENCES
    assert subscription(member, members).consent_source == Source.PREFERENCES
    assert switches(client.get(PREFERENCES)) == {
        "The Practice Exchange roundup": True,
        "The Followed Without Joining roundup": False,
        "The Members Community roundup": True,
        "The Public Community roundup": False,
    }


def test_unticking_everything_says_no_roundups_will_come(client, communities, people):
    client.force_login(people["member"])

    response = client.post(PREFERENCES, {})

    assert messages_of(response) == ["Your email preferences are saved. You won't get any roundups by email."]
    assert not Subscription.objects.filter(user=people["member"], is_active=True).exists()


def test_a_roundup_left_is_offered_again_unless_it_is_for_members_the_reader_no_longer_is(client, communities, people):
    public, members, followed = communities
    member = people["member"]
    subscribe(member, members, Source.JOIN)
    client.force_login(member)
    client.post(PREFERENCES, {})
    services.leave(member, members)

    assert switches(client.get(PREFERENCES)) == {
        "The Practice Exchange roundup": False,
        "The Followed Without Joining roundup": False,
        "The Public Community roundup": False,
    }


def test_a_switch_for_a_roundup_not_offered_is_ignored(client, communities, people, home):
    unrelated = home.get_descendants().get(slug="unrelated").specific
    client.force_login(people["member"])

    client.post(PREFERENCES, {f"community_{unrelated.pk}": "on"})

    assert subscription(people["member"], unrelated) is None


def test_a_roundup_that_can_no_longer_be_taken_changes_nothing_and_says_why(client, communities, people, monkeypatch):
    client.force_login(people["member"])
    monkeypatch.setattr(subscriptions, "can_subscribe", lambda user, community: community is None)

    response = client.post(PREFERENCES, {"site": "on", f"community_{communities[0].pk}": "on"})

    assert response.status_code == 200
    assert "You can't subscribe to that roundup." in soup(response).select_one(".error-summary").get_text()
    assert not is_subscribed(people["member"], None), "all or nothing"
    assert is_subscribed(people["member"], communities[2])


# Joining a community

def join_page(client, community):
    return client.get(community.url + "join/")


def test_joining_offers_the_communitys_roundup_unticked(client, community_factory, people):
    community = community_factory("public")[0]
    client.force_login(people["outsider"])

    assert switches(join_page(client, community)) == {"Email me Public Community’s monthly roundup": False}


def test_joining_with_the_box_ticked_subscribes_with_consent_from_joining(client, community_factory, people):
    community = community_factory("members")[0]
    client.force_login(people["outsider"])

    client.post(community.url + "join/", {"roundup": "on"})

    found = subscription(people["outsider"], community)
    assert found.is_active and found.consent_source == Source.JOIN


def test_joining_without_ticking_the_box_subscribes_to_nothing(client, community_factory, people):
    community = community_factory("public")[0]
    client.force_login(people["outsider"])

    client.post(community.url + "join/")

    assert Subscription.objects.filter(user=people["outsider"]).count() == 0


def test_asking_to_join_a_public_community_can_take_its_roundup_at_once(client, community_factory, people):
    community = community_factory("public", join_policy="approval")[0]
    client.force_login(people["outsider"])

    client.post(community.url + "join/", {"request_message": "I run the contact centre.", "roundup": "on"})

    assert subscription(people["outsider"], community).consent_source == Source.JOIN


def test_asking_to_join_a_members_only_community_takes_its_roundup_once_approved(client, community_factory, people):
    community = community_factory("members", join_policy="approval")[0]
    client.force_login(people["outsider"])

    assert switches(join_page(client, community)) == {"Email me Members Community’s monthly roundup": False}
    client.post(community.url + "join/", {"request_message": "Scrutiny officer.", "roundup": "on"})

    assert subscription(people["outsider"], community).consent_source == Source.JOIN
    assert not can_receive(people["outsider"], community)  # asking is not yet being a member


# Signing up

SIGNUP = {"email": "jo.bloggs@example.gov.uk", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"}


def test_signing_up_offers_the_site_wide_roundup_unticked(client, home):
    response = client.get("/accounts/signup/")

    assert switches(response) == {"Send me the monthly roundup of the whole site": False}


def test_signing_up_with_the_box_ticked_subscribes_to_the_site_wide_roundup(client, home):
    client.post("/accounts/signup/", {**SIGNUP, "roundup": "on"})

    user = get_user_model().objects.get(email=SIGNUP["email"])
    assert subscription(user, None).consent_source == Source.SIGNUP


def test_signing_up_without_ticking_the_box_subscribes_to_nothing(client, home):
    client.post("/accounts/signup/", SIGNUP)

    assert get_user_model().objects.filter(email=SIGNUP["email"]).exists()
    assert not Subscription.objects.exists()


def test_signing_up_with_a_registered_address_leaves_its_owners_roundups_alone(client, home, member):
    """Whoever typed the address is not its owner: their tick is nobody's consent."""
    client.post("/accounts/signup/", {**SIGNUP, "email": member.email, "roundup": "on"})

    assert not Subscription.objects.exists()
