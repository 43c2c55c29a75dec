"""The demo's roundups: members subscribed, last month's roundup published once, this month's compiled as a draft."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import PageLogEntry

from communities.models import CommunityPage
from newsletters.compile import current_month, roundup_for, shift_month
from newsletters.demo import LAST_MONTH_THREAD
from newsletters.models import Subscription
from newsletters.rendering import resolve
from newsletters.subscriptions import is_subscribed, unsubscribe

pytestmark = pytest.mark.django_db


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def publishes(page):
    return PageLogEntry.objects.filter(page=page, action="wagtail.publish").count()


def test_the_demo_subscribes_its_members_to_the_site_wide_roundup_and_their_communities(client):
    load_demo()
    users = {user.username: user for user in get_user_model().objects.all()}

    tom = Subscription.objects.filter(user=users["tom"], is_active=True, consent_source=Subscription.Source.DEMO)
    assert sorted(s.community.slug if s.community else "site-wide" for s in tom) == [
        "contact-centres-and-customer-service", "customer-insight-and-channel-strategy", "policy-and-performance",
        "scrutiny-and-accountability", "site-wide",
    ]
    assert not Subscription.objects.filter(user=users["admin"]).exists()


def test_the_demo_publishes_last_months_roundup_and_drafts_this_months(client):
    output = load_demo()
    community = CommunityPage.objects.get(slug="policy-and-performance")

    published = roundup_for(community, shift_month(current_month(), -1))
    assert published.live and publishes(published) == 1
    assert "avoidable contact" in published.intro
    assert LAST_MONTH_THREAD in [entry.title for entry in resolve(published) if entry.is_item]
    assert published.figures["posts"] == 3
    draft = roundup_for(community, current_month())
    assert not draft.live and draft.latest_revision is not None
    assert f"published {published.title}" in output and f"compiled a draft of {draft.title}" in output

    response = client.get(published.url)
    assert response.status_code == 200 and LAST_MONTH_THREAD in response.content.decode()
    assert published.title in client.get("/newsletters/").content.decode()


def test_running_the_demo_again_publishes_nothing_twice_and_keeps_each_members_choice():
    load_demo()
    dana = get_user_model().objects.get(username="dana")
    unsubscribe(dana, None, Subscription.Source.PREFERENCES)
    community = CommunityPage.objects.get(slug="policy-and-performance")
    published = roundup_for(community, shift_month(current_month(), -1))
    draft = roundup_for(community, current_month())

    output = load_demo()

    assert "published" not in output and "subscribed" not in output and "compiled" not in output
    assert publishes(published) == 1
    assert roundup_for(community, current_month()).latest_revision_id == draft.latest_revision_id
    assert not is_subscribed(dana, None)
