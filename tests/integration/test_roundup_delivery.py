"""Sending a roundup survives its sender being killed mid-send: on PostgreSQL, over real SMTP, in a real process.

``manage.py send_roundup`` runs in a subprocess against the test database and sends to an SMTP server on
127.0.0.1. When the server receives one message more than it is meant to, it kills the sender with
SIGKILL before acknowledging that message. Resuming then sends what is left, and every recipient ends up
with exactly one copy: the one row caught in flight is left alone while its claim is fresh, and taken over
once the claim timeout is set to zero.
"""

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from newsletters.models import Delivery
from tests.newsletters.support import SmtpServer, add_roundup, subscribers

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
RECIPIENTS = 6
DELIVERED_BEFORE_THE_CRASH = 3
Status = Delivery.Status


def database_url():
    """DATABASE_URL pointed at the test database pytest-django created, so another process sees what the test wrote."""
    if connection.vendor != "postgresql":
        pytest.fail("run the integration tests through `make test` (scripts/with-test-services.sh provides PostgreSQL)")
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()


def send_roundup(server, *args):
    """Run ``manage.py send_roundup`` as its own process, sending through ``server``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cop_site.settings.dev",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{server.port}",
        "SITE_URL": "http://testserver",
    }
    return subprocess.Popen([sys.executable, "manage.py", "send_roundup", *map(str, args)], cwd=PROJECT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process):
    output, _ = process.communicate(timeout=120)
    return process.returncode, output


def kill_on_message(number, sender):
    """A hook for the server: SIGKILL ``sender["process"]`` when message ``number`` arrives, before acknowledging it."""
    arrived = []

    def before_accepting(envelope):
        arrived.append(envelope.rcpt_tos[0])
        if len(arrived) == number:
            os.kill(sender["process"].pid, signal.SIGKILL)
            return "451 4.3.0 Not accepted: the sender was killed first"
        return None

    return before_accepting


def statuses(roundup):
    return Counter(Delivery.objects.filter(roundup=roundup).values_list("status", flat=True))


def test_a_sender_killed_mid_send_is_resumed_and_nobody_gets_two_copies(transactional_db, home):
    readers = subscribers(RECIPIENTS)
    roundup = add_roundup()
    with SmtpServer() as server:
        sender = {}
        server.sink.before_accepting = kill_on_message(DELIVERED_BEFORE_THE_CRASH + 1, sender)
        sender["process"] = send_roundup(server, roundup.pk)
        code, output = finish(sender["process"])

        assert code == -signal.SIGKILL, output
        assert len(server.sink.messages) == DELIVERED_BEFORE_THE_CRASH
        assert statuses(roundup) == {Status.SENT: 3, Status.SENDING: 1, Status.QUEUED: 2}
        in_flight = Delivery.objects.get(roundup=roundup, status=Status.SENDING)

        server.sink.before_accepting = None
        code, output = finish(send_roundup(server, roundup.pk, "--resume"))
        assert code == 0, output
        assert in_flight.email not in server.sink.recipients()  # its claim is fresh: its sender might be alive
        in_flight.refresh_from_db()
        assert in_flight.status == Status.SENDING

        code, output = finish(send_roundup(server, roundup.pk, "--resume", "--claim-timeout", "0"))
        assert code == 0, output
        assert "sent 6" in output

        assert server.sink.recipients() == sorted(reader.email for reader in readers)
        assert len({message["Message-ID"] for message in server.sink.messages}) == RECIPIENTS
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.attempts) == (Status.SENT, 2)
    assert statuses(roundup) == {Status.SENT: RECIPIENTS}
