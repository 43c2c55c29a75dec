"""The messages a send produces: one MIME boundary per send, chosen at random rather than searched for in each
message, that never appears in what it separates, and messages mail programs still read as text and HTML."""

from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from newsletters.emails import RoundupMail
from tests.factories import create_member
from tests.newsletters.support import add_roundup, thread_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def roundup(community_factory):
    thread = community_factory("public")[1]
    return add_roundup(blocks=[thread_item(thread, "How councils set NI14 baselines.")])


def as_received(message):
    """The message as bytes on the wire, and as a mail program parses them."""
    raw = message.message().as_bytes(linesep="\r\n")
    return raw, message_from_bytes(raw, policy=default_policy)


def test_the_messages_of_one_send_share_a_boundary_that_appears_in_none_of_their_parts(roundup, home):
    readers = [create_member(username="alex", display_name="Alex"), create_member(username="sam", display_name="Sam")]
    mail = RoundupMail(roundup)

    received = [as_received(mail.message(reader)) for reader in readers]

    boundaries = {parsed.get_boundary() for _, parsed in received}
    assert len(boundaries) == 1
    [boundary] = boundaries
    for raw, parsed in received:
        assert raw.count(f"--{boundary}".encode()) == 3  # before each part, and closing
        for part in parsed.iter_parts():
            assert boundary not in part.get_content()


def test_each_send_picks_its_own_boundary(roundup, home):
    reader = create_member(username="alex")

    first, second = (RoundupMail(roundup).message(reader).message().get_boundary() for _ in range(2))

    assert first != second


def test_a_message_with_a_given_boundary_still_reads_as_text_and_html_with_the_readers_name(roundup, home):
    reader = create_member(username="alex", display_name="Zoë O'Brien & Co")

    _, parsed = as_received(RoundupMail(roundup).message(reader))

    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.get_body(("plain",)).get_content(), parsed.get_body(("html",)).get_content()
    assert "Zoë O'Brien & Co" in text
    assert "Zoë O&#x27;Brien &amp; Co" in html
    assert "How councils set NI14 baselines." in text and "How councils set NI14 baselines." in html
