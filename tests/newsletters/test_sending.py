"""Sending a published roundup: who gets it, exactly once each, retries, recovery, and the send_roundup command.

Tasks run at once here (the immediate backend) and mail goes to the locmem outbox, except in the tests
that talk to a real SMTP server on 127.0.0.1 (``smtp``).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from communities.models import CommunityPage, Membership
from communities.permissions import forget_memberships, has_verified_email
from newsletters import sending, tasks
from newsletters.models import Delivery, RoundupPage
from newsletters.permissions import can_read_roundup, can_subscribe
from newsletters.subscriptions import is_subscribed, unsubscribe
from tests.factories import add_community, add_member, create_member
from tests.newsletters.support import SmtpServer, add_roundup, subscribe, subscribers, thread_item

pytestmark = pytest.mark.django_db

Status = Delivery.Status
Visibility = CommunityPage.Visibility


@pytest.fixture
def public(community_factory):
    return community_factory("public")


@pytest.fixture
def readers(home):
    return subscribers(3)


@pytest.fixture
def roundup(public, readers):
    """A site-wide roundup, published without having been sent, with three subscribers."""
    community, thread = public
    return add_roundup(blocks=[thread_item(thread, "What people said.")])


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        server.use_in(settings)
        yield server


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish the roundup's latest content the way the editor's Publish button does, and run what follows the commit."""
    def publish_(roundup):
        with django_capture_on_commit_callbacks(execute=True):
            roundup.save_revision().publish()
        roundup.refresh_from_db()
        return roundup

    return publish_


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def addresses(users):
    return sorted(user.email for user in users)


def statuses(roundup):
    return dict(Delivery.objects.filter(roundup=roundup).values_list("email", "status"))


def make_due(*deliveries):
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# Who gets it

@pytest.fixture
def streams(home, people):
    """A community of each kind, and subscribers to each in every state the rules know about."""
    communities = {
        visibility: add_community(home, f"{visibility}-stream", visibility)
        for visibility in (Visibility.PUBLIC, Visibility.MEMBERS, Visibility.PRIVATE)
    }
    unpublished = add_community(home, "unpublished-stream")
    unpublished.unpublish()
    communities["unpublished"] = unpublished
    users = {
        "member": create_member(username="m"),
        "pending": create_member(username="p"),
        "removed": create_member(username="r"),
        "invited": create_member(username="i"),
        "outsider": create_member(username="o"),
        "unverified": create_member(username="u", verified=False),
        "inactive": create_member(username="x", is_active=False),
        "no_email": create_member(username="n", email=""),
        "unsubscribed": create_member(username="gone"),
        "staff": people["staff"],
    }
    statuses_by_user = {"pending": Membership.Status.PENDING, "removed": Membership.Status.REMOVED,
                        "invited": Membership.Status.INVITED}
    for community in communities.values():
        for name, user in users.items():
            if name not in {"outsider", "staff"}:
                add_member(user, community, status=statuses_by_user.get(name, Membership.Status.ACTIVE))
    for community in [None, *communities.values()]:
        for name, user in users.items():
            subscribe(user, community, active=name != "unsubscribed")
    return [None, *communities.values()], list(users.values())


def test_recipients_are_exactly_those_the_permission_rules_allow(streams):
    """Subscribed, still allowed to subscribe, allowed to read it, and with a verified address to send to."""
    communities, users = streams
    for community in communities:
        roundup = add_roundup(community)
        for user in users:
            forget_memberships(user)
        expected = {
            user.pk for user in users
            if is_subscribed(user, community) and can_subscribe(user, community)
            and can_read_roundup(user, roundup) and user.email and has_verified_email(user)
        }

        assert set(sending.recipients(roundup).values_list("pk", flat=True)) == expected, community
        assert expected or community is not None and (not community.live)


def test_a_members_only_roundup_goes_to_active_members_only(streams):
    communities, users = streams
    members_only = next(c for c in communities if c and c.visibility == Visibility.MEMBERS)

    names = sorted(sending.recipients(add_roundup(members_only, live=False)).values_list("username", flat=True))

    assert names == ["m"]  # not "p" (asked to join), "i" (invited), "r" (removed) or staff


# Publishing sends it, once

def test_publishing_sends_one_email_to_each_subscriber_after_commit(roundup, readers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        roundup.save_revision().publish()
    assert mail.outbox == []  # nothing before the publish has committed

    for callback in callbacks:
        callback()

    assert sent_to() == addresses(readers)
    roundup.refresh_from_db()
    assert roundup.sending_started_at is not None
    assert set(statuses(roundup).values()) == {Status.SENT}
    assert all(delivery.message_id and delivery.sent_at for delivery in roundup.deliveries.all())


def test_republishing_an_edited_roundup_never_sends_it_again(roundup, readers, publish):
    publish(roundup)
    started = roundup.sending_started_at

    roundup.intro = "<p>A late correction.</p>"
    publish(roundup)

    assert len(mail.outbox) == len(readers)
    assert roundup.sending_started_at == started
    assert roundup.deliveries.count() == len(readers)


def test_publishing_a_revision_saved_before_the_send_never_sends_it_again(
        roundup, readers, django_capture_on_commit_callbacks):
    before_sending = roundup.save_revision()  # its content has no sending stamp
    with django_capture_on_commit_callbacks(execute=True):
        before_sending.publish()
        before_sending.publish()
    with django_capture_on_commit_callbacks(execute=True):
        before_sending.publish()

    assert sent_to() == addresses(readers)


def test_someone_who_subscribes_after_sending_began_does_not_get_it_on_republish(roundup, readers, publish):
    publish(roundup)
    late = subscribers(1, prefix="late")[0]

    publish(roundup)

    assert late.email not in sent_to()


def test_a_roundup_scheduled_for_later_is_sent_when_it_goes_live(public, readers, publish, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    roundup = add_roundup(blocks=[thread_item(public[1])], live=False)
    go_live = timezone.now() + timedelta(days=1)
    roundup.go_live_at = go_live
    publish(roundup)
    assert mail.outbox == []

    monkeypatch.setattr(timezone, "now", lambda: go_live + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled", verbosity=0)

    assert sent_to() == addresses(readers)


def test_an_unpublished_roundup_is_never_started(home, readers):
    roundup = add_roundup(live=False)

    assert sending.begin(roundup.pk) is False
    roundup.refresh_from_db()
    assert roundup.sending_started_at is None


# Each delivery is checked again and sent once

def test_a_member_who_unsubscribed_after_queueing_is_skipped(roundup, readers):
    sending.stamp_started(roundup.pk)
    sending.queue_deliveries(roundup)
    unsubscribe(readers[0], None, "preferences")

    outcome = sending.send_due(roundup)

    assert (outcome.sent, outcome.skipped) == (2, 1)
    assert readers[0].email not in sent_to()
    assert statuses(roundup)[readers[0].email] == Status.SKIPPED


def test_a_member_removed_from_a_private_community_is_skipped(home, people):
    private = add_community(home, "private-stream", Visibility.PRIVATE)
    add_member(people["member"], private)
    add_member(people["facilitator"], private, Membership.Role.FACILITATOR)
    for user in (people["member"], people["facilitator"]):
        subscribe(user, private)
    roundup = add_roundup(private)
    sending.queue_deliveries(roundup)
    Membership.objects.filter(user=people["member"], community=private).update(status=Membership.Status.REMOVED)

    sending.send_due(roundup)

    assert sent_to() == [people["facilitator"].email]
    assert statuses(roundup)[people["member"].email] == Status.SKIPPED


def test_running_the_tasks_twice_sends_nothing_twice(roundup, readers):
    sending.stamp_started(roundup.pk)
    tasks.queue_roundup.enqueue(roundup.pk)
    tasks.queue_roundup.enqueue(roundup.pk)
    ids = list(roundup.deliveries.values_list("pk", flat=True))
    result = tasks.send_roundup_batch.enqueue(roundup.pk, ids)

    assert sent_to() == addresses(readers)
    assert roundup.deliveries.count() == len(readers)
    assert result.return_value == {"sent": 0, "skipped": 0, "failed": 0, "gave_up": 0}


def test_a_delivery_claimed_by_a_live_sender_is_left_alone(roundup, readers):
    sending.queue_deliveries(roundup)
    taken = roundup.deliveries.get(email=readers[0].email)
    assert sending.claim(taken.pk, sending.claim_timeout())

    sending.send_due(roundup)

    assert readers[0].email not in sent_to()
    assert statuses(roundup)[readers[0].email] == Status.SENDING


def test_a_claim_older_than_the_timeout_is_taken_over(roundup, readers, settings):
    settings.ROUNDUP_CLAIM_TIMEOUT = 60
    sending.queue_deliveries(roundup)
    taken = roundup.deliveries.get(email=readers[0].email)
    sending.claim(taken.pk, sending.claim_timeout())
    Delivery.objects.filter(pk=taken.pk).update(claimed_at=timezone.now() - timedelta(seconds=61))

    sending.send_due(roundup)

    assert sent_to() == addresses(readers)
    taken.refresh_from_db()
    assert (taken.status, taken.attempts) == (Status.SENT, 2)


def test_a_delivery_whose_every_claim_ran_out_is_given_up_not_sent_again(roundup, readers, settings):
    settings.ROUNDUP_MAX_ATTEMPTS = 2
    sending.queue_deliveries(roundup)
    Delivery.objects.filter(email=readers[0].email).update(
        status=Status.SENDING, attempts=2, claimed_at=timezone.now() - timedelta(hours=1)
    )

    sending.resume(roundup)

    assert readers[0].email not in sent_to()
    stuck = Delivery.objects.get(email=readers[0].email)
    assert stuck.status == Status.GAVE_UP
    assert "may have been delivered" in stuck.last_error


# Recovery

def test_resume_hands_out_rows_no_worker_took_but_not_those_just_handed_out(roundup, readers):
    sending.queue_deliveries(roundup)

    assert sending.resume() == 0
    assert mail.outbox == []

    make_due(*roundup.deliveries.all())
    assert sending.resume() == len(readers)
    assert sent_to() == addresses(readers)


def test_resume_queues_a_roundup_whose_queueing_was_lost(roundup, readers, settings):
    settings.ROUNDUP_REQUEUE_AFTER = 60
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=timezone.now() - timedelta(minutes=5))

    sending.resume()

    assert sent_to() == addresses(readers)


def test_resume_leaves_a_roundup_alone_that_began_long_ago(roundup, readers):
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=timezone.now() - timedelta(days=2))

    sending.resume()

    assert mail.outbox == []
    assert not roundup.deliveries.exists()


def test_queueing_writes_recipients_in_chunks_and_only_once(roundup, readers, monkeypatch):
    monkeypatch.setattr(sending, "CREATE_CHUNK", 2)
    written = []
    bulk_create = Delivery.objects.bulk_create
    monkeypatch.setattr(Delivery.objects, "bulk_create", lambda rows, **kwargs: written.append(len(rows)) or bulk_create(rows, **kwargs))

    assert sending.queue_deliveries(roundup) == 3
    assert written == [2, 1]
    assert sorted(roundup.deliveries.values_list("email", flat=True)) == addresses(readers)
    assert sending.queue_deliveries(roundup) == 0  # queued already: nothing is added


# A real mail server

def headers_of(message):
    """The list headers as a mail program reads them (a long header may be folded onto a second line)."""
    names = ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Precedence", "Auto-Submitted", "Message-ID")
    return {name: str(message[name]).strip() for name in names}


def test_every_subscriber_gets_exactly_one_message_over_smtp_with_the_list_headers(roundup, readers, smtp, publish):
    publish(roundup)

    assert smtp.sink.recipients() == addresses(readers)
    for message in smtp.sink.messages:
        user = next(reader for reader in readers if reader.email == message["To"])
        headers = headers_of(message)
        assert headers["List-Unsubscribe"].startswith("<http://testserver/newsletters/unsubscribe/")
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["List-Id"] == '"Practice Exchange roundup" <site.roundup.testserver>'
        assert (headers["Precedence"], headers["Auto-Submitted"]) == ("bulk", "auto-generated")
        assert headers["Message-ID"] == f"<roundup-{roundup.pk}-user-{user.pk}@testserver>"
        assert message.get_body(("plain",)) and message.get_body(("html",))
    assert sorted(roundup.deliveries.values_list("message_id", flat=True)) == sorted(
        message["Message-ID"] for message in smtp.sink.messages)


def test_a_refused_recipient_is_retried_later_and_then_sent_exactly_once(roundup, readers, smtp, publish):
    refused = readers[1]
    smtp.sink.refuse[refused.email] = 1

    publish(roundup)

    assert smtp.sink.recipients() == addresses([readers[0], readers[2]])
    delivery = roundup.deliveries.get(user=refused)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert delivery.last_error == f"550 5.1.1 Mailbox unavailable ({refused.email})"
    assert timedelta(minutes=4) < delivery.next_attempt_at - timezone.now() <= timedelta(minutes=5)

    sending.resume()
    assert len(smtp.sink.messages) == 2  # not due yet

    make_due(delivery)
    sending.resume()
    sending.resume()

    assert smtp.sink.recipients() == addresses(readers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 2, "")


def test_retries_back_off_and_stop_after_the_last_attempt(roundup, readers, smtp, settings):
    settings.ROUNDUP_MAX_ATTEMPTS = 3
    refused = readers[0]
    smtp.sink.refuse[refused.email] = 10
    sending.queue_deliveries(roundup)
    delivery = roundup.deliveries.get(user=refused)

    waits = []
    for _ in range(3):
        sending.send_due(roundup)
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at and round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
        make_due(delivery)

    assert waits == [5, 10, None]
    assert (delivery.status, delivery.attempts) == (Status.GAVE_UP, 3)
    sending.resume()
    assert refused.email not in smtp.sink.recipients()


def test_retry_now_sends_failed_deliveries_without_waiting_for_their_time(roundup, readers, smtp):
    smtp.sink.refuse[readers[0].email] = 1
    sending.queue_deliveries(roundup)
    sending.send_due(roundup)

    sending.retry_now(roundup)

    assert smtp.sink.recipients() == addresses(readers)


def test_a_dropped_connection_fails_one_delivery_and_the_batch_goes_on_over_a_new_one(roundup, readers, smtp):
    dropped = []

    def hang_up_once(envelope):
        if not dropped:
            dropped.append(envelope.rcpt_tos[0])
            return "421 4.3.0 Closing connection"

    smtp.sink.before_accepting = hang_up_once
    sending.queue_deliveries(roundup)

    outcome = sending.send_due(roundup)

    assert (outcome.sent, outcome.failed) == (2, 1)
    assert statuses(roundup)[dropped[0]] == Status.FAILED
    assert smtp.sink.recipients() == sorted(set(addresses(readers)) - set(dropped))


def test_an_unreachable_mail_server_costs_no_attempts(roundup, readers, settings):
    with SmtpServer() as server:
        server.use_in(settings)
    sending.queue_deliveries(roundup)  # the server has gone: its port is closed

    with pytest.raises(OSError):
        sending.send_due(roundup)

    assert list(roundup.deliveries.values_list("status", "attempts").distinct()) == [(Status.QUEUED, 0)]


# The command

def test_the_command_sends_with_progress_and_reports_the_ledger(roundup, readers, capsys):
    call_command("send_roundup", roundup.slug)

    out = capsys.readouterr().out
    assert "Queued “Practice Exchange: October 2026 roundup” for 3 recipient(s)." in out
    assert "3 sent, 0 skipped, 0 failed, 0 given up" in out
    assert "queued 0, sending 0, sent 3, failed 0, gave up 0, skipped 0; 3 in all" in out
    assert sent_to() == addresses(readers)


def test_the_command_refuses_to_send_twice_or_to_send_a_draft(roundup, home):
    call_command("send_roundup", str(roundup.pk), verbosity=0)

    with pytest.raises(CommandError, match="Use --resume"):
        call_command("send_roundup", str(roundup.pk))
    with pytest.raises(CommandError, match="not published"):
        call_command("send_roundup", str(add_roundup(month=roundup.month.replace(month=9), live=False).pk))
    with pytest.raises(CommandError, match="No single roundup"):
        call_command("send_roundup", "no-such-roundup")


def test_the_command_resumes_and_lists_failures_with_their_error(roundup, readers, smtp, capsys):
    smtp.sink.refuse[readers[0].email] = 1
    with pytest.raises(CommandError, match="1 email"):
        call_command("send_roundup", roundup.slug)
    call_command("send_roundup", roundup.slug, "--status")
    status = capsys.readouterr().out
    assert f"{readers[0].email}: Failed, will retry (1 attempt(s), next at " in status
    assert "550 5.1.1 Mailbox unavailable" in status

    call_command("send_roundup", roundup.slug, "--resume")
    assert len(smtp.sink.messages) == 2  # the retry is not due yet

    make_due(roundup.deliveries.get(user=readers[0]))
    call_command("send_roundup", roundup.slug, "--resume")

    assert smtp.sink.recipients() == addresses(readers)


def test_a_dry_run_counts_and_sends_nothing(roundup, readers, capsys):
    call_command("send_roundup", roundup.slug, "--dry-run")

    assert "would be sent to 3 recipient(s)" in capsys.readouterr().out
    assert mail.outbox == []
    roundup.refresh_from_db()
    assert roundup.sending_started_at is None


def test_a_dry_run_of_a_resume_counts_what_is_due(roundup, readers, capsys):
    sending.stamp_started(roundup.pk)
    sending.queue_deliveries(roundup)
    sending.claim(roundup.deliveries.first().pk, sending.claim_timeout())

    call_command("send_roundup", roundup.slug, "--resume", "--dry-run")
    call_command("send_roundup", roundup.slug, "--resume", "--dry-run", "--claim-timeout", "0")

    out = capsys.readouterr().out
    assert "2 delivery(ies) of “Practice Exchange: October 2026 roundup” are due." in out
    assert "3 delivery(ies)" in out
    assert mail.outbox == []
