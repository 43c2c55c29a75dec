"""Sending claims rows a group at a time: no row goes to two senders, one failure spares the rest of its group,
a sender that stops hands back what it never tried, and the queries a batch costs do not grow with the group.

Mail goes to the locmem outbox, except where a real SMTP server on 127.0.0.1 is needed (``smtp``).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newsletters import sending
from newsletters.models import Delivery
from newsletters.subscriptions import unsubscribe
from tests.newsletters.support import SmtpServer, add_roundup, subscribers, thread_item

pytestmark = pytest.mark.django_db

Status = Delivery.Status


@pytest.fixture
def readers(home):
    return subscribers(6)


@pytest.fixture
def roundup(community_factory, readers):
    """A site-wide roundup with one item, its six deliveries queued."""
    community, thread = community_factory("public")
    roundup = add_roundup(blocks=[thread_item(thread, "What people said.")])
    sending.queue_deliveries(roundup)
    return roundup


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        server.use_in(settings)
        yield server


def row_ids(roundup):
    return list(roundup.deliveries.order_by("pk").values_list("pk", flat=True))


def statuses(roundup):
    return list(roundup.deliveries.order_by("pk").values_list("status", "attempts"))


def addresses(users):
    return sorted(user.email for user in users)


# Claiming

def test_a_group_claim_never_hands_a_row_to_two_senders(roundup):
    ids = row_ids(roundup)
    timeout = sending.claim_timeout()

    first = sending.claim(ids[:4], timeout)
    second = sending.claim(ids[2:], timeout)

    assert first == {pk: 1 for pk in ids[:4]}
    assert second == {pk: 1 for pk in ids[4:]}  # the two rows both asked for went to the first sender only
    assert sending.claim(ids, timeout) == {}
    assert statuses(roundup) == [(Status.SENDING, 1)] * 6


def test_a_claim_that_ran_out_is_taken_over_with_its_attempt_counted(roundup):
    ids = row_ids(roundup)
    timeout = sending.claim_timeout()
    sending.claim(ids[:2], timeout)
    Delivery.objects.filter(pk=ids[0]).update(claimed_at=timezone.now() - timeout - timedelta(seconds=1))

    assert sending.claim(ids[:2], timeout) == {ids[0]: 2}  # the other claim is fresh: its sender may be alive


def test_sent_skipped_and_given_up_rows_are_never_claimed(roundup):
    ids = row_ids(roundup)
    for pk, status in zip(ids, [Status.SENT, Status.SKIPPED, Status.GAVE_UP]):
        Delivery.objects.filter(pk=pk).update(status=status)

    assert sending.claim(ids[:3], timeout=timedelta(0)) == {}


# Sending group by group

def test_every_reader_gets_one_message_when_the_batch_spans_several_groups(roundup, readers, monkeypatch):
    monkeypatch.setattr(sending, "CLAIM_GROUP", 4)

    outcome = sending.send_due(roundup)

    assert outcome.sent == 6
    assert sorted(address for message in mail.outbox for address in message.to) == addresses(readers)
    assert statuses(roundup) == [(Status.SENT, 1)] * 6


def test_a_row_another_sender_holds_is_left_out_of_the_group_and_the_rest_is_sent(roundup, readers):
    held = row_ids(roundup)[2]
    sending.claim([held], sending.claim_timeout())

    outcome = sending.send_due(roundup)

    assert outcome.sent == 5
    assert readers[2].email not in [address for message in mail.outbox for address in message.to]
    assert Delivery.objects.get(pk=held).status == Status.SENDING


def test_members_no_longer_eligible_are_skipped_and_the_rest_of_their_group_is_sent(roundup, readers):
    unsubscribe(readers[1], None, "preferences")
    unsubscribe(readers[4], None, "preferences")

    outcome = sending.send_due(roundup)

    assert (outcome.sent, outcome.skipped) == (4, 2)
    assert [status for status, _ in statuses(roundup)] == [
        Status.SENT, Status.SKIPPED, Status.SENT, Status.SENT, Status.SKIPPED, Status.SENT]
    assert Delivery.objects.get(user=readers[1]).last_error == sending.NOT_ELIGIBLE


def test_a_changed_address_is_the_one_sent_to_and_recorded(roundup, readers):
    changed = readers[3]
    changed.emailaddress_set.update(email="new-address@example.org")
    changed.email = "new-address@example.org"
    changed.save(update_fields=["email"])

    sending.send_due(roundup)

    assert "new-address@example.org" in [address for message in mail.outbox for address in message.to]
    assert Delivery.objects.get(user=changed).email == "new-address@example.org"


def test_a_refused_recipient_fails_alone_and_the_others_in_its_group_are_sent_once(roundup, readers, smtp):
    refused = readers[2]
    smtp.sink.refuse[refused.email] = 1

    outcome = sending.send_due(roundup)

    assert (outcome.sent, outcome.failed) == (5, 1)
    assert smtp.sink.recipients() == addresses(set(readers) - {refused})
    failed = Delivery.objects.get(user=refused)
    assert (failed.status, failed.attempts) == (Status.FAILED, 1)
    assert statuses(roundup) == [(Status.SENT, 1)] * 2 + [(Status.FAILED, 1)] + [(Status.SENT, 1)] * 3


def test_a_sender_that_stops_hands_back_the_rows_it_never_tried(roundup, readers, smtp, settings):
    """The server hangs up on the second message and will not take a new connection: the batch stops there."""
    arrived = []

    def hang_up_for_good_on_the_second(envelope):
        arrived.append(envelope.rcpt_tos[0])
        if len(arrived) == 2:
            smtp.controller.server.close()  # no new connections from now on
            return "421 4.3.0 Closing connection"

    smtp.sink.before_accepting = hang_up_for_good_on_the_second

    with pytest.raises(ConnectionRefusedError):
        sending.send_due(roundup)

    assert statuses(roundup) == [(Status.SENT, 1), (Status.FAILED, 1)] + [(Status.QUEUED, 0)] * 4
    assert not roundup.deliveries.filter(status=Status.QUEUED, next_attempt_at__gt=timezone.now()).exists()
    with SmtpServer() as server:
        server.use_in(settings)
        assert sending.resume(roundup) == 4  # due at once: handed out again without waiting for a timeout
        assert server.sink.recipients() == addresses(readers[2:])


# What a batch costs

# Starting a batch costs 5 queries: its rows with their members, the roundup, their memberships, the roundup's
# items and the site its links start from. Each group, 5: the claim (savepoint, locking read, update, release)
# and the eligibility check. Each message, 1: marking it sent, straight after the server accepted it.

@pytest.mark.parametrize("group_size, expected", [(20, 5 + 5 + 6), (6, 5 + 5 + 6), (3, 5 + 2 * 5 + 6),
                                                  (1, 5 + 6 * 5 + 6)])
def test_a_batch_costs_a_fixed_number_of_queries_per_group_and_one_per_message(
        roundup, django_assert_num_queries, monkeypatch, group_size, expected):
    monkeypatch.setattr(sending, "CLAIM_GROUP", group_size)
    ids = row_ids(roundup)

    with django_assert_num_queries(expected):
        outcome = sending.send_batch(roundup.pk, ids)

    assert outcome.sent == 6


def test_skipping_costs_one_query_for_the_whole_group(roundup, readers, django_assert_num_queries):
    for reader in readers[:3]:
        unsubscribe(reader, None, "preferences")
    ids = row_ids(roundup)

    with django_assert_num_queries(5 + 5 + 1 + 3):
        outcome = sending.send_batch(roundup.pk, ids)

    assert (outcome.sent, outcome.skipped) == (3, 3)
