"""Two senders at once on PostgreSQL: group claims lock the rows they take, so no row goes to both and nobody
gets two copies. Each sender is a thread with its own database connection, as separate worker processes would be.
"""

import threading

import pytest
from django.db import connection

from newsletters import sending
from tests.newsletters.support import SmtpServer, add_roundup, subscribers

pytestmark = pytest.mark.integration

SENDERS = 2


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.fail("run the integration tests through `make test` (scripts/with-test-services.sh provides PostgreSQL)")


def at_once(work):
    """Run ``work(sender)`` for each sender in its own thread, each with its own connection; re-raise any error."""
    errors = []

    def run(sender):
        try:
            work(sender)
        except Exception as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(sender,)) for sender in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_senders_claiming_overlapping_groups_at_the_same_moment_never_both_get_a_row(postgres, transactional_db, home):
    subscribers(60)
    roundup = add_roundup()
    sending.queue_deliveries(roundup)
    ids = list(roundup.deliveries.order_by("pk").values_list("pk", flat=True))
    taken = [[] for _ in range(SENDERS)]
    together = threading.Barrier(SENDERS)

    def claim_windows(sender):
        for start in range(0, len(ids), 5):  # each window overlaps the last by half
            together.wait()
            taken[sender].extend(sending.claim(ids[start:start + 10], sending.claim_timeout()))

    at_once(claim_windows)

    assert sorted(taken[0] + taken[1]) == ids


def test_two_senders_sending_the_same_roundup_give_everyone_exactly_one_copy(postgres, transactional_db, home,
                                                                              settings, monkeypatch):
    readers = subscribers(60)
    roundup = add_roundup()
    sending.queue_deliveries(roundup)
    monkeypatch.setattr(sending, "CLAIM_GROUP", 5)

    with SmtpServer() as server:
        server.use_in(settings)
        at_once(lambda sender: sending.send_due(roundup))

        assert server.sink.recipients() == sorted(reader.email for reader in readers)
    assert set(roundup.deliveries.values_list("status", flat=True)) == {sending.Status.SENT}
