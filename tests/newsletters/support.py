"""What the roundup sending tests share: roundups with chosen items, subscribers, and a real SMTP server to send to."""

import socket
import threading
from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from newsletters.models import NewsletterIndexPage, RoundupPage, Subscription
from tests.factories import create_member

MONTH = date(2026, 10, 1)


def thread_item(thread, line="", replies=None, section="busiest"):
    return {"type": "thread", "value": {"thread": thread.pk, "section": section, "line": line, "replies": replies}}


def heading(text):
    return {"type": "heading", "value": text}


def add_roundup(community=None, blocks=(), intro="", figures=None, month=MONTH, live=True):
    """A roundup page as compile and an editor would leave it, published (without sending) unless live=False."""
    slug = f"{month:%Y-%m}-{community.slug}" if community is not None else f"{month:%Y-%m}"
    roundup = RoundupPage(
        title=f"{community.title if community else 'Practice Exchange'}: {month:%B %Y} roundup", slug=slug,
        community=community, month=month, intro=intro, body=list(blocks), figures=figures or {}, live=live,
    )
    NewsletterIndexPage.objects.get().add_child(instance=roundup)
    return roundup


def subscribe(user, community=None, active=True):
    """A subscription row as it stands, whether or not the member may still take that roundup."""
    return Subscription.objects.create(user=user, community=community, is_active=active,
                                       consent_source=Subscription.Source.ADMIN)


def subscribers(count, community=None, prefix="reader"):
    """``count`` verified members subscribed to one stream."""
    users = [create_member(username=f"{prefix}{n}") for n in range(count)]
    for user in users:
        subscribe(user, community)
    return users


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """An SMTP server's handler that keeps every message it accepts.

    ``refuse`` maps an address to how many times RCPT TO for it is answered 550 before it is accepted;
    ``before_accepting(envelope)`` runs once a message's data has arrived and before the server answers,
    and may return a reply to give instead of accepting the message.
    """

    def __init__(self):
        self.messages = []
        self.refuse = {}
        self.before_accepting = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.refuse.get(address, 0) > 0:
                self.refuse[address] -= 1
                return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self.before_accepting(envelope) if self.before_accepting else None
        if reply:
            return reply
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"

    def recipients(self):
        with self.lock:
            return sorted(message["To"] for message in self.messages)


class SmtpServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), on a free port, for as long as the ``with`` block lasts."""

    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc_info):
        self.controller.stop()

    def use_in(self, settings):
        """Point Django's mail at this server through the real SMTP backend."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
