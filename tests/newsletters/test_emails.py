"""The roundup email: what it says, to whom, in which words and links, and the editor's previews of it."""

import re

import pytest
from django.core import mail
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from newsletters import emails
from newsletters.emails import RoundupMail, send_test
from newsletters.models import Delivery
from newsletters.subscriptions import read_unsubscribe_token
from newsletters.views.preview import preview_roundup
from tests.factories import add_community, create_member
from tests.newsletters.support import add_roundup, heading, subscribe, thread_item

pytestmark = pytest.mark.django_db

INTRO = ('<p>A busy month: <a href="/library/">the library</a> grew, and <a href="https://example.org/ni14?a=1&amp;b=2">'
         'NI14 guidance</a> <a href="javascript:alert(1)">changed</a>.</p><ul><li>Baselines</li><li>Targets</li></ul>')
FIGURES = {"posts": 12, "previous_posts": 8, "active_members": 4, "previous_active_members": 5, "new_members": 2}


@pytest.fixture
def threads(community_factory):
    """A thread in a public community and one in a private community that Mo belongs to and Olive doesn't."""
    public = community_factory("public")[1]
    private = community_factory("private", slug="private-forum")[1]
    return public, private


@pytest.fixture
def roundup(threads):
    public, private = threads
    return add_roundup(intro=INTRO, figures=FIGURES, blocks=[
        heading("Busiest discussions"),
        thread_item(public, "How councils set <NI14> baselines & targets.", replies=3),
        {"type": "text", "value": '<p>More in <a href="/library/">the library</a>.</p>'},
        heading("From the private forum"),
        thread_item(private, "Members compared notes.", replies=1),
    ])


def bodies(roundup, user):
    message = RoundupMail(roundup).message(user)
    return message.alternatives[0][0], message.body


def hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


def test_the_subject_names_the_stream_and_the_month(roundup, community_factory, people):
    community = community_factory("public", slug="contact-centres")[0]

    assert RoundupMail(roundup).message(people["member"]).subject == "Practice Exchange roundup: October 2026"
    assert emails.subject(add_roundup(community, live=False)) == "Contact Centres roundup: October 2026"
    assert emails.subject(roundup, test=True) == "[Test] Practice Exchange roundup: October 2026"


def test_the_list_headers_name_the_stream_and_unsubscribe_only_this_member(threads, people):
    community = threads[0].community
    message = RoundupMail(add_roundup(community)).message(people["member"], message_id="<roundup-1-user-2@testserver>")

    url = message.extra_headers["List-Unsubscribe"]
    token = url.removeprefix("<http://testserver/newsletters/unsubscribe/").removesuffix("/>")
    assert url == f"<http://testserver{reverse('roundup_unsubscribe', args=[token])}>"
    assert read_unsubscribe_token(token) == (people["member"].pk, community.pk)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Id"] == '"Public Community roundup" <public-community.roundup.testserver>'
    assert message.extra_headers["Precedence"] == "bulk"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.message()["Message-ID"] == "<roundup-1-user-2@testserver>"
    assert message.to == [people["member"].email]


def test_the_list_id_stays_ascii_whatever_the_community_is_called(home):
    community = add_community(home, "café-scrutiny", title="Café “Scrutiny”")

    assert emails.list_id(add_roundup(community, live=False)) == '"Cafe Scrutiny roundup" <cafe-scrutiny.roundup.testserver>'


def test_the_message_id_is_the_same_for_every_attempt_at_a_delivery():
    assert emails.message_id(7, 42) == emails.message_id(7, 42) == "<roundup-7-user-42@testserver>"


def test_the_html_has_its_css_inlined_and_nothing_a_mail_program_would_block(roundup, people):
    html, _ = bodies(roundup, people["member"])

    assert "<style" not in html and "<script" not in html and "<link" not in html and " src=" not in html
    assert 'class="card"' in html and 'style="width: 100%;max-width: 600px;' in html
    assert all(href.startswith(("http://testserver/", "https://example.org/")) for href in hrefs(html))
    assert "javascript:" not in html
    assert 'href="https://example.org/ni14?a=1&amp;b=2"' in html


def test_the_email_links_to_unsubscribe_preferences_and_the_web_version(roundup, people):
    html, text = bodies(roundup, people["member"])

    for url in ("http://testserver/newsletters/preferences/", f"http://testserver{roundup.url}"):
        assert url in hrefs(html)
        assert url in text
    assert any(href.startswith("http://testserver/newsletters/unsubscribe/") for href in hrefs(html))
    assert "Unsubscribe from this roundup: http://testserver/newsletters/unsubscribe/" in text


def test_the_text_part_reads_well(roundup, threads, people):
    _, text = bodies(roundup, people["member"])
    public = threads[0]

    assert text.startswith("Practice Exchange roundup\n=========================\nOctober 2026\n\nHello Mo Member,\n")
    assert ("A busy month: the library (http://testserver/library/) grew, and "
            "NI14 guidance (https://example.org/ni14?a=1&b=2) changed.\n\n- Baselines\n- Targets\n") in text
    assert "This month in numbers\n---------------------\n- Posts: 12 (up 4 (50%) on last month's 8)\n" in text
    assert "- Members taking part: 4 (down 1 (20%) on last month's 5)\n- New members: 2\n" in text
    assert "Busiest discussions\n-------------------\n" in text
    assert (f"- {public.title} (Public Community) — How councils set <NI14> baselines & targets.\n"
            f"  http://testserver{public.get_absolute_url()}\n") in text
    assert "More in the library (http://testserver/library/)." in text
    assert "<" not in text.replace("<NI14>", "")


def test_private_items_reach_only_those_who_may_read_them(roundup, threads, people):
    public, private = threads
    outsider_html, outsider_text = bodies(roundup, people["outsider"])
    member_html, member_text = bodies(roundup, people["member"])

    for body in (outsider_html, outsider_text):
        assert public.title in body
        assert private.title not in body and "Members compared notes" not in body
        assert "From the private forum" not in body  # a heading with nothing left under it goes too
    for body in (member_html, member_text):
        assert private.title in body and "From the private forum" in body


def test_personal_parts_are_escaped_in_the_html_and_plain_in_the_text(roundup, people):
    user = create_member(username="ann", display_name='Ann <b>"&" Bob')

    html, text = bodies(roundup, user)

    assert "Hello Ann &lt;b&gt;&quot;&amp;&quot; Bob," in html
    assert 'Hello Ann <b>"&" Bob,' in text


def test_each_distinct_view_is_rendered_once_and_personalised_per_recipient(roundup, people, monkeypatch):
    rendered = []
    render = emails.render_to_string
    monkeypatch.setattr(emails, "render_to_string", lambda name, context: rendered.append(name) or render(name, context))
    outsiders = [people["outsider"], create_member(username="olaf")]
    members = [people["member"], people["facilitator"]]
    mail_ = RoundupMail(roundup)

    messages = [mail_.message(user) for user in [*outsiders, *members]]

    assert len(rendered) == 4  # two views, each an HTML and a text body
    assert len({message.extra_headers["List-Unsubscribe"] for message in messages}) == 4
    assert len({message.body for message in messages}) == 4  # the name and the link differ


def test_figures_are_left_out_before_the_first_compile(threads, people):
    _, text = bodies(add_roundup(blocks=[thread_item(threads[0])]), people["member"])

    assert "This month in numbers" not in text


def test_a_reader_who_may_read_nothing_in_it_is_told_so(threads, people):
    _, text = bodies(add_roundup(blocks=[heading("Private"), thread_item(threads[1])]), people["outsider"])

    assert "Nothing new that you can read this month." in text



# Made once per view, filled in per recipient

def made_per_email(message):
    """The same email as Django flattens it one at a time, boundary and Date aside (those differ per making)."""
    flat = emails.EmailMultiAlternatives.message(message).as_bytes(linesep="\r\n")
    return re.sub(rb"=+\d+==|Date: [^\r]*", b"", flat)


def test_each_copy_is_the_bytes_django_would_make_for_that_member(roundup, people):
    reader = create_member(username="zoe", display_name="Zoë <O'Brien> & co")
    mail_ = RoundupMail(roundup)

    for user in (reader, people["member"]):
        message = mail_.message(user, message_id=f"<roundup-1-user-{user.pk}@testserver>")
        raw = message.message().as_bytes(linesep="\r\n")
        assert isinstance(message, emails.PreparedEmail)
        assert re.sub(rb"=+\d+==|Date: [^\r]*", b"", raw) == made_per_email(message)

    parsed = message.message()
    assert parsed["To"] == people["member"].email
    assert parsed["List-Unsubscribe"].strip() == message.extra_headers["List-Unsubscribe"]  # folded onto its own line
    text = parsed.get_payload()[0].get_payload(decode=True).decode()
    assert f"Hello {emails.display_name(people['member'])}," in text
    reader_copy = mail_.message(reader).message()
    reader_html, reader_text = (part.get_payload(decode=True).decode() for part in reversed(reader_copy.get_payload()))
    assert "Zoë <O'Brien> & co" in reader_text
    assert "Zoë &lt;O&#x27;Brien&gt; &amp; co" in reader_html and "<O'Brien>" not in reader_html
    assert reader_copy["Message-ID"] != parsed["Message-ID"]


def test_a_line_too_long_for_8bit_makes_each_email_the_usual_way(threads, people):
    roundup = add_roundup(intro="<p>" + "Baselines and targets, " * 60 + "</p>", blocks=[thread_item(threads[0])])

    message = RoundupMail(roundup).message(people["member"])

    assert type(message) is emails.EmailMultiAlternatives
    assert b"Content-Transfer-Encoding: quoted-printable" in message.message().as_bytes()


def test_an_international_address_is_encoded_the_usual_way(roundup, people):
    message = RoundupMail(roundup).message(people["member"], to="jo@bücher.example")

    assert type(message) is emails.EmailMultiAlternatives
    assert message.to == ["jo@bücher.example"]


# The test email

def test_send_test_emails_the_latest_draft_to_the_editor_alone(roundup, people):
    roundup.intro = "<p>Draft words, not yet published.</p>"
    roundup.save_revision()
    roundup.refresh_from_db()

    send_test(roundup, people["facilitator"])

    [message] = mail.outbox
    assert message.to == [people["facilitator"].email]
    assert message.subject == "[Test] Practice Exchange roundup: October 2026"
    assert "Draft words, not yet published." in message.body
    assert message.body.startswith("TEST EMAIL: this is the current draft")
    assert not Delivery.objects.exists()
    assert roundup.sending_started_at is None


def test_send_test_needs_an_address(roundup):
    with pytest.raises(ValueError, match="no email address"):
        send_test(roundup, create_member(username="nomail", email=""))


# Previews in the editor

@pytest.fixture
def preview_request(people):
    def as_user(user):
        request = RequestFactory().get("/")
        request.user = user
        return request

    return as_user


def test_the_html_preview_is_the_email_as_the_previewing_user_gets_it(roundup, threads, people, preview_request):
    subscribe(people["facilitator"])

    response = preview_roundup(preview_request(people["facilitator"]), roundup, "email_html")

    html = response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Hello Fay Facilitator," in html and threads[1].title in html
    assert "<style" not in html


def test_the_text_preview_is_plain_text(roundup, people, preview_request):
    response = preview_roundup(preview_request(people["outsider"]), roundup, "email_text")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Practice Exchange roundup\n====")


def test_the_web_preview_is_the_roundup_page(threads, people, preview_request):
    roundup = add_roundup(blocks=[heading("Busiest discussions"), thread_item(threads[0])], live=False)

    response = preview_roundup(preview_request(people["member"]), roundup, "").render()

    assert response.status_code == 200
    assert "Busiest discussions" in response.content.decode()
    assert "Hello Mo Member" not in response.content.decode()


def test_an_unknown_preview_mode_is_not_found(roundup, people, preview_request):
    with pytest.raises(Http404):
        preview_roundup(preview_request(people["member"]), roundup, "pdf")


def test_wagtails_preview_of_the_page_reaches_the_email_modes(roundup):
    response = roundup.make_preview_request(None, "email_text")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Practice Exchange roundup: October 2026" not in response.content.decode()  # the subject is a header
    assert response.content.decode().startswith("Practice Exchange roundup\n")
