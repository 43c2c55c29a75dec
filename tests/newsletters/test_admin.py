"""The facilitator's side of the roundups in the Wagtail admin: compile, list, edit and publish, test, deliveries.

Facilitators reach the admin through the "Facilitators" group (access_admin alone). Wagtail answers a view's
refusal with its own "no permission" redirect to the dashboard, and sends anyone without admin access to
its login page before our views run; ``refused`` and ``kept_out`` name those two answers.
"""

import calendar
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from communities import services
from newsletters.compile import compile_roundup, current_month, shift_month
from newsletters.models import Delivery, RoundupPage, Subscription
from tests.factories import add_community, add_member, create_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]

COMPILE = reverse("roundups:compile")
INDEX = reverse("roundups:index")


@pytest.fixture
def community(community_factory):
    """A public community with a thread and a reply this month; Fay facilitates it, Otto facilitates "elsewhere"."""
    return community_factory("public")[0]


@pytest.fixture
def editor(db):
    """Staff who work in the admin (a plain is_staff user has no access_admin here)."""
    return create_member(username="root", display_name="Rita Root", is_staff=True, is_superuser=True)


@pytest.fixture
def roundup(community, people):
    return compile_roundup(community, current_month(), people["facilitator"]).roundup


def compile_url(**query):
    return f"{COMPILE}?{urlencode(query)}" if query else COMPILE


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def roundup_urls(roundup):
    return [reverse("roundups:send_test", args=[roundup.pk]), reverse("roundups:deliveries", args=[roundup.pk])]


def refused(response):
    """Wagtail's answer to a PermissionDenied in the admin: back to the dashboard with an error."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def kept_out(response):
    """Wagtail's answer to someone without admin access: its login page."""
    return response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def last_message(response):
    return messages_of(response)[-1]


def bars(html):
    return re.findall(r'<rect class="bar-chart__bar"', html)


def days_in(month):
    return calendar.monthrange(month.year, month.month)[1]


def admin_user_without_roundups():
    """An editor who may enter the admin but facilitates nothing and isn't staff."""
    user = create_member(username="eddie")
    group = Group.objects.create(name="Editors of something else")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    return user


# Who gets in


def test_roundups_are_in_the_admin_menu_for_facilitators_and_staff_only(client, community, people, editor):
    for user in [people["facilitator"], editor]:
        client.force_login(user)
        assert COMPILE in client.get(reverse("wagtailadmin_home")).content.decode(), user
    client.force_login(admin_user_without_roundups())
    assert COMPILE not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_nobody_else_gets_the_roundup_screens(client, community, roundup, people):
    urls = [COMPILE, INDEX, *roundup_urls(roundup)]
    for role in ["member", "outsider"]:
        client.force_login(people[role])
        for url in urls:
            assert kept_out(client.get(url)), (role, url)
    client.force_login(admin_user_without_roundups())
    for url in urls:
        assert refused(client.get(url)), url


def test_another_communitys_facilitator_is_refused_that_community(client, community, roundup, people):
    client.force_login(people["other_facilitator"])
    assert refused(client.get(compile_url(community=community.pk)))
    assert refused(client.post(COMPILE, {"community": community.pk, "month": f"{current_month():%Y-%m}"}))
    assert RoundupPage.objects.count() == 1  # nothing compiled for them
    for url in roundup_urls(roundup):
        assert refused(client.get(url)) and refused(client.post(url)), url


def test_only_staff_compile_the_site_wide_roundup(client, community, people, editor):
    client.force_login(people["facilitator"])
    assert refused(client.get(compile_url(community="site")))
    assert refused(client.post(COMPILE, {"community": "site", "month": f"{current_month():%Y-%m}"}))
    assert not RoundupPage.objects.exists()
    client.force_login(editor)
    response = client.post(COMPILE, {"community": "site", "month": f"{current_month():%Y-%m}"})
    roundup = RoundupPage.objects.get(community__isnull=True)
    assert response["Location"] == edit_url(roundup)


# The compile screen


def test_the_compile_screen_offers_the_users_streams_and_this_month(client, community, people, home, editor):
    add_community(home, "inner", title="Inner workings")
    client.force_login(people["facilitator"])
    html = client.get(COMPILE).content.decode()
    assert f'<option value="{community.pk}" selected>{community.title}</option>' in html
    assert "Whole site" not in html and "Elsewhere" not in html and "Inner workings" not in html
    assert f'type="month" name="month" value="{current_month():%Y-%m}"' in html
    client.force_login(editor)
    html = client.get(COMPILE).content.decode()
    assert '<option value="site" selected>Whole site</option>' in html
    assert "Elsewhere" in html and "Inner workings" in html


def test_the_compile_screen_shows_the_month_at_a_glance_with_a_chart_of_posts_per_day(client, community, people):
    month = current_month()
    client.force_login(people["facilitator"])
    response = client.get(compile_url(community=community.pk, month=f"{month:%Y-%m}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{month:%B %Y} at a glance: {community.title}" in html
    assert '<th scope="row">Posts</th><td>2</td>' in html  # the thread's opening post and its reply
    assert '<th scope="row">New discussions</th><td>1</td>' in html
    assert "up 2 from none last month" in html
    assert html.count('<svg class="bar-chart" role="img"') == 1
    assert len(bars(html)) == days_in(month)
    assert f"Posts per day, {month:%B %Y}: 2 in total" in html
    assert f"There is no roundup of {community.title} for {month:%B %Y} yet" in html
    assert '<button type="submit" class="button">Compile draft</button>' in html


def test_an_earlier_month_has_a_bar_for_each_of_its_days(client, community, people):
    client.force_login(people["facilitator"])
    february = current_month().replace(month=2)
    html = client.get(compile_url(community=community.pk, month=f"{february:%Y-%m}")).content.decode()
    assert len(bars(html)) == days_in(february)


def test_the_compile_screen_shows_the_existing_roundup_with_its_links(client, community, roundup, people):
    client.force_login(people["facilitator"])
    html = client.get(compile_url(community=community.pk)).content.decode()
    assert roundup.title in html and "Draft" in html and "Last compiled" in html
    assert f'href="{edit_url(roundup)}"' in html
    assert f'href="{reverse("wagtailadmin_pages:view_draft", args=[roundup.pk])}?mode=email_html"' in html
    assert reverse("roundups:send_test", args=[roundup.pk]) in html
    assert "Compiling again adds only what is new" in html


def test_compiling_opens_the_editor_and_says_what_was_added(client, community, people):
    client.force_login(people["facilitator"])
    month = f"{current_month():%Y-%m}"
    response = client.post(COMPILE, {"community": community.pk, "month": month})
    roundup = RoundupPage.objects.get(community=community)
    assert response.status_code == 302 and response["Location"] == edit_url(roundup)
    assert messages_of(response) == ["Compiled the draft with 1 item: write your intro, then publish to send it."]

    response = client.post(COMPILE, {"community": community.pk, "month": month})
    assert last_message(response) == "Nothing new since the last compile; your intro and edits are unchanged."

    for title in ["Benchmarking call handling times", "Scrutiny of the budget", "NI14 avoidable contact"]:
        services.start_thread(people["member"], community, title, "What do others do?")
    response = client.post(COMPILE, {"community": community.pk, "month": month})
    assert last_message(response) == "Added 3 new items; your intro and edits are unchanged."
    assert RoundupPage.objects.count() == 1


def test_a_bad_month_is_shown_beside_the_form_with_the_input_kept(client, community, people):
    client.force_login(people["facilitator"])
    for month, error in [
        ("2026-13", "is not a month: write it as YYYY-MM"),
        ("October", "is not a month: write it as YYYY-MM"),
        (f"{shift_month(current_month(), 1):%Y-%m}", "hasn&#x27;t started yet"),
    ]:
        response = client.post(COMPILE, {"community": community.pk, "month": month})
        assert response.status_code == 200
        html = response.content.decode()
        assert error in html and f'value="{month}"' in html, month
        assert "bar-chart" not in html
    assert not RoundupPage.objects.exists()


def test_a_sent_roundup_is_not_compiled_again_and_the_screen_says_why(client, community, roundup, people):
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=roundup.compiled_at)
    client.force_login(people["facilitator"])
    html = client.get(compile_url(community=community.pk)).content.decode()
    assert "It has been sent, so it can't be compiled again." in html and "Compile draft" not in html

    response = client.post(COMPILE, {"community": community.pk, "month": f"{current_month():%Y-%m}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "has already been sent; it can&#x27;t be compiled again." in html
    assert f'<option value="{community.pk}" selected>' in html and f'value="{current_month():%Y-%m}"' in html
    assert "at a glance" in html  # the figures stay on screen


# The list


def test_the_list_shows_the_users_roundups_with_their_status_and_actions(client, community, roundup, people, editor):
    elsewhere = RoundupPage.objects.get(pk=compile_roundup(
        type(community).objects.get(slug="elsewhere"), current_month(), people["staff"]).roundup.pk)
    site_wide = compile_roundup(None, shift_month(current_month(), -1), people["staff"]).roundup
    sent = compile_roundup(community, shift_month(current_month(), -1), people["facilitator"]).roundup
    RoundupPage.objects.filter(pk=sent.pk).update(sending_started_at=sent.compiled_at)
    for n, status in enumerate([Delivery.Status.SENT] * 3 + [Delivery.Status.FAILED, Delivery.Status.GAVE_UP]):
        user = create_member(username=f"reader{n}")
        Delivery.objects.create(roundup=sent, user=user, email=user.email, status=status)

    client.force_login(people["facilitator"])
    html = client.get(INDEX).content.decode()
    assert roundup.title in html and sent.title in html
    assert elsewhere.title not in html and site_wide.title not in html
    assert "Sending: 3 sent, 1 failed (will retry), 1 gave up" in html
    assert f'href="{edit_url(roundup)}"' in html
    assert reverse("roundups:deliveries", args=[sent.pk]) in html
    assert reverse("roundups:send_test", args=[roundup.pk]) in html
    compile_again = f"community={community.pk}&amp;month={current_month():%Y-%m}"
    assert compile_again in html
    assert f"community={community.pk}&amp;month={shift_month(current_month(), -1):%Y-%m}" not in html  # sent

    client.force_login(editor)
    html = client.get(INDEX).content.decode()
    assert all(page.title in html for page in [roundup, sent, elsewhere, site_wide])


def test_the_list_costs_the_same_queries_however_many_roundups(client, community, people):
    client.force_login(people["facilitator"])
    compile_roundup(community, current_month(), people["facilitator"])
    client.get(INDEX)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as one:
        assert client.get(INDEX).status_code == 200
    for back in range(1, 5):
        compile_roundup(community, shift_month(current_month(), -back), people["facilitator"])
    with CaptureQueriesContext(connection) as five:
        html = client.get(INDEX).content.decode()
    assert html.count("/send-test/") == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


# The page editor


def test_a_facilitator_edits_and_publishes_their_communitys_roundup_in_wagtails_editor(client, roundup, people):
    client.force_login(people["other_facilitator"])
    assert client.get(edit_url(roundup)).status_code in {302, 403}

    client.force_login(people["facilitator"])
    response = client.get(edit_url(roundup))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("roundups:send_test", args=[roundup.pk]) in html  # the header's actions
    assert reverse("roundups:deliveries", args=[roundup.pk]) in html

    draft = roundup.get_latest_revision_as_object()
    body = [(block["type"], block["value"]) for block in draft.body.raw_data]
    data = nested_form_data({
        "title": draft.title, "slug": draft.slug,
        "intro": rich_text("<p>A busy month for call handling.</p>"),
        "body": streamfield(body),
    })
    response = client.post(edit_url(roundup), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    roundup.refresh_from_db()
    assert "busy month" in roundup.get_latest_revision_as_object().intro and not roundup.live

    response = client.post(edit_url(roundup), {**data, "action-publish": "action-publish"})
    assert response.status_code == 302
    roundup.refresh_from_db()
    assert roundup.live and "busy month" in roundup.intro


def test_the_header_actions_are_only_on_roundups(client, roundup, home, editor):
    client.force_login(editor)
    assert "/send-test/" not in client.get(edit_url(home)).content.decode()
    assert reverse("roundups:send_test", args=[roundup.pk]) in client.get(edit_url(roundup)).content.decode()


# Send a test


def test_send_a_test_asks_first_then_sends_it_to_yourself(client, roundup, people):
    facilitator = people["facilitator"]
    client.force_login(facilitator)
    url = reverse("roundups:send_test", args=[roundup.pk])
    response = client.get(f"{url}?{urlencode({'next': INDEX})}")
    assert response.status_code == 200
    html = response.content.decode()
    assert facilitator.email in html and roundup.title in html and mail.outbox == []

    response = client.post(f"{url}?{urlencode({'next': INDEX})}")
    assert [message.to for message in mail.outbox] == [[facilitator.email]]
    assert response["Location"] == INDEX
    assert last_message(response) == f"Test sent to {facilitator.email}"
    assert not Delivery.objects.exists()  # a test is not a delivery

    response = client.post(url)
    assert response["Location"] == edit_url(roundup)  # back to the editor by default
    response = client.post(f"{url}?{urlencode({'next': 'https://evil.example/'})}")
    assert response["Location"] == edit_url(roundup)


def test_send_a_test_without_an_email_address_says_so(client, roundup, people):
    type(people["facilitator"]).objects.filter(pk=people["facilitator"].pk).update(email="")
    client.force_login(people["facilitator"])
    response = client.post(reverse("roundups:send_test", args=[roundup.pk]))
    assert last_message(response) == "You have no email address to send the test to." and mail.outbox == []


# Deliveries


def add_deliveries(roundup, statuses, first=0):
    deliveries = []
    for n, status in enumerate(statuses, start=first):
        user = create_member(username=f"reader{n}")
        deliveries.append(Delivery.objects.create(
            roundup=roundup, user=user, email=user.email, status=status, attempts=int(status != "queued"),
            last_error="550 Mailbox unavailable" if status in {"failed", "gave_up"} else "",
        ))
    return deliveries


def test_deliveries_show_counts_and_the_failures(client, roundup, people):
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=roundup.compiled_at)
    add_deliveries(roundup, ["sent", "sent", "queued", "failed", "gave_up", "skipped"])
    client.force_login(people["facilitator"])
    response = client.get(reverse("roundups:deliveries", args=[roundup.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="row">Sent</th><td>2</td>' in html
    assert '<th scope="row">Failed, will retry</th><td>1</td>' in html
    assert '<th scope="row">Skipped (no longer subscribed or allowed)</th><td>1</td>' in html
    assert html.count("550 Mailbox unavailable") == 2
    assert "reader3@example.org" in html and "reader4@example.org" in html and "reader0@example.org" not in html
    assert "Retry failed now" in html and "1 failed delivery will be retried automatically" in html


def test_retry_failed_now_sends_the_failed_ones_without_waiting(client, community, roundup, people):
    roundup.get_latest_revision().publish()
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=timezone.now())
    reader = people["member"]
    Subscription.objects.create(user=reader, community=community)
    failed = Delivery.objects.create(roundup=roundup, user=reader, email=reader.email, status=Delivery.Status.FAILED,
                                     attempts=1, last_error="421 Try again later",
                                     next_attempt_at=timezone.now() + timedelta(hours=1))
    given_up, = add_deliveries(roundup, ["gave_up"])
    client.force_login(people["facilitator"])
    url = reverse("roundups:deliveries", args=[roundup.pk])
    response = client.post(url)
    assert response["Location"] == url and last_message(response) == "Retrying now: 1 delivery handed to the sender."
    failed.refresh_from_db()
    given_up.refresh_from_db()
    assert failed.status == Delivery.Status.SENT and [message.to for message in mail.outbox] == [[reader.email]]
    assert given_up.status == Delivery.Status.GAVE_UP

    response = client.post(url)
    assert last_message(response) == "Nothing was waiting to be retried."


def test_deliveries_without_failures_offer_no_retry(client, roundup, people):
    add_deliveries(roundup, ["sent"])
    client.force_login(people["facilitator"])
    html = client.get(reverse("roundups:deliveries", args=[roundup.pk])).content.decode()
    assert "No delivery has failed." in html and "Retry failed now" not in html


def test_a_facilitator_who_steps_down_loses_the_roundups(client, community, roundup, people):
    from communities.models import Membership

    Membership.objects.filter(user=people["facilitator"], community=community).update(role=Membership.Role.MEMBER)
    add_member(people["facilitator"], add_community(community.get_parent().specific.get_parent(), "other-place"),
               Membership.Role.FACILITATOR)  # still a facilitator elsewhere, so still in the admin
    client.force_login(people["facilitator"])
    assert refused(client.get(compile_url(community=community.pk)))
    assert roundup.title not in client.get(INDEX).content.decode()
    assert client.get(edit_url(roundup)).status_code in {302, 403}


def test_a_bad_month_in_the_address_is_explained_rather_than_charted(client, community, people):
    client.force_login(people["facilitator"])
    response = client.get(compile_url(community=community.pk, month="nonsense"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a month: write it as YYYY-MM" in html and "bar-chart" not in html


def test_the_preview_links_open_for_the_facilitator(client, roundup, people):
    client.force_login(people["facilitator"])
    preview = reverse("wagtailadmin_pages:view_draft", args=[roundup.pk])
    assert client.get(f"{preview}?mode=email_html").status_code == 200
    assert client.get(preview).status_code == 200
    client.force_login(people["other_facilitator"])
    assert client.get(f"{preview}?mode=email_html").status_code in {302, 403}


def test_the_deliveries_cost_the_same_queries_however_many_failed(client, roundup, people):
    client.force_login(people["facilitator"])
    url = reverse("roundups:deliveries", args=[roundup.pk])
    add_deliveries(roundup, ["failed"])
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    Delivery.objects.all().delete()
    add_deliveries(roundup, ["failed", "gave_up"] * 4, first=1)
    with CaptureQueriesContext(connection) as eight:
        html = client.get(url).content.decode()
    assert html.count("550 Mailbox unavailable") == 8
    assert len(eight) == len(one), [q["sql"] for q in eight.captured_queries]
