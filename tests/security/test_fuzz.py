"""Hostile input to every form and endpoint, made up by hypothesis: never a server error, only clear answers.

Text of every kind goes in (any unicode, control characters, NULs, very long strings, Markdown edge cases, the
XSS corpus, and raw bytes that are not UTF-8 where a query string or form body can carry them; lone surrogates
cannot travel as UTF-8, so they arrive as those bytes). Every answer must be below 500. A form that refuses its
input shows itself again with an error message and with what was typed still in it.

hypothesis runs each test's examples inside one test (one database transaction, one set of fixtures), so each
example clears the rate-limit counters first and nothing relies on a fresh database. Examples are few, with no
deadline, so the file runs in well under two minutes; regressions found by fuzzing are pinned as plain tests at
the end.
"""

import uuid
from urllib.parse import quote, quote_from_bytes

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, example, given, settings, strategies as st

from communities.models import CommunityPage, Membership, Notification
from library.models import CaseStudyPage, Topic
from tests.cop_site.xss_vectors import XSS_VECTORS
from tests.factories import add_community, create_member
from tests.library.files import PDF_TYPE, pdf_bytes
from tests.library.test_case_studies import submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]

FUZZ = settings(
    max_examples=30, deadline=None, database=None,
    # The fixtures (a community, its people, a signed-in client) are built once per test, on purpose: every
    # example is independent of what earlier ones left behind.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- Strategies --------------------------------------------------------------------------------------------------

CONTROLS = st.characters(codec="utf-8", max_codepoint=0x1F) | st.sampled_from(
    ["\x7f", "\x85", "\u2028", "\u2029", "\u200b", "\u200e", "\u202e", "\ufeff", "\ufffd", "\U0001f600"])
MARKDOWN_PIECES = ["*", "**", "_", "`", "```", "~~~", "[", "]", "(", ")", "<", ">", "!", "#", "- ", "1. ", "> ",
                   "|", "---", "\\", "&", "&#", ";", "    ", "\n", "\n\n", "http://", "javascript:", "@mo", "\x02", "\x03"]

any_text = st.text(max_size=300)  # every unicode category but surrogates, which UTF-8 cannot carry
unusual_text = st.text(alphabet=st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp", "Zs", "Mn", "Me", "So", "Nd", "No"]),
                       max_size=120)
control_text = st.text(alphabet=CONTROLS, max_size=60)
markdown_text = st.lists(st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=5), max_size=60).map("".join)
vector_text = st.sampled_from([vector for _, vector in XSS_VECTORS])
long_text = st.builds(lambda piece, times: piece * times, st.sampled_from(["a", "é ", "- ", "<b>", "\x00", "[x](", "😀"]),
                      st.integers(1_000, 30_000))
hostile_text = st.one_of(any_text, unusual_text, control_text, markdown_text, vector_text, long_text)
number_text = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.sampled_from(["", "0", "-1", "1.5", "1e9", "abc", "²", "٣", "１", " 1", "1 "]),
    st.integers(30, 5000).map(lambda digits: "9" * digits),
)
field_value = hostile_text | number_text
raw_query = st.binary(max_size=200).map(quote_from_bytes)  # any bytes, UTF-8 or not


def clear_rate_limits():
    cache.clear()


# --- What every answer must be -----------------------------------------------------------------------------------


def assert_answered(response, allowed=(200, 302, 400, 403, 404, 405, 429)):
    assert response.status_code < 500, f"{response.status_code} for {response.wsgi_request.get_full_path()[:200]}"
    assert response.status_code in allowed, response.status_code


TYPED_INPUTS = {None, "text", "email", "search", "url", "tel"}


def shown_value(html, name):
    """What the re-shown form holds in a field typed into (not a choice), as the browser reads it."""
    field = BeautifulSoup(html, "html.parser").find(attrs={"name": name})
    if field is None or (field.name == "input" and field.get("type") not in TYPED_INPUTS) or field.name == "select":
        return None
    if field.name == "textarea":
        text = field.get_text()
        return text[1:] if text.startswith("\n") else text  # the parser drops a textarea's first newline
    return field.get("value", "")


def as_the_browser_reads(value):
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def assert_refused_clearly(response, typed, form_name="form"):
    """A refused form is shown again, saying what is wrong, with what was typed still in it."""
    assert_answered(response, allowed=(200,))
    html = response.content.decode()
    form = response.context.get(form_name)
    assert form is not None and (form.errors or "errorlist" in html or 'role="alert"' in html), "no error shown"
    for name, value in typed.items():
        shown = shown_value(html, name)
        if shown is not None:
            assert as_the_browser_reads(shown) == as_the_browser_reads(value), f"{name}: typed {value!r}, shown {shown!r}"


def post_form(client, url, data):
    """POST and check the answer: a redirect when accepted, the form again with its errors when not."""
    clear_rate_limits()
    response = client.post(url, data)
    if response.status_code == 200 and response.context and response.context.get("form") is not None:
        assert_refused_clearly(response, {name: value for name, value in data.items() if isinstance(value, str)})
    else:
        assert_answered(response)
    return response


# --- Fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def forum(community_factory, people, client):
    community, thread = community_factory("public")
    client.force_login(people["member"])
    return community, thread


# --- Accounts ----------------------------------------------------------------------------------------------------


@FUZZ
@given(email=field_value, password=field_value, roundup=st.sampled_from(["", "on", "x"]))
@example(email="a\x00@example.org", password="correct horse battery", roundup="on")
def test_sign_up(client, home, email, password, roundup):
    clear_rate_limits()
    response = client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password,
                                                 "roundup": roundup})
    if response.status_code == 200:
        assert_refused_clearly(response, {"email": email})
    else:
        assert_answered(response)
        if response.status_code == 302:  # accepted: nobody is signed in until the address is confirmed
            assert response["Location"] == "/accounts/confirm-email/"
            assert not client.get("/").context["user"].is_authenticated


@FUZZ
@given(login=field_value, password=field_value)
def test_sign_in(client, home, people, login, password):
    clear_rate_limits()
    response = client.post("/accounts/login/", {"login": login, "password": password})
    assert_refused_clearly(response, {"login": login})


@FUZZ
@given(email=field_value)
def test_password_reset(client, home, people, email):
    clear_rate_limits()
    assert_answered(client.post("/accounts/password/reset/", {"email": email}), allowed=(200, 302))


@FUZZ
@given(fields=st.fixed_dictionaries({name: field_value for name in
                                     ["display_name", "organisation", "job_title", "bio", "email_frequency"]}),
       avatar=st.none() | st.tuples(hostile_text, st.binary(max_size=3000)))
def test_profile_edit(client, people, fields, avatar):
    client.force_login(people["member"])
    data = dict(fields)
    if avatar is not None:
        name, content = avatar
        data["avatar"] = SimpleUploadedFile(safe_file_name(name, ".png"), content, content_type="image/png")
    post_form(client, "/accounts/profile/", data)


def safe_file_name(name, suffix):
    """A name as a browser sends it: its own name, on one line."""
    return "".join(char for char in name if char.isprintable() and char not in '/\\"')[:200] + suffix


# --- Forums ------------------------------------------------------------------------------------------------------


@FUZZ
@given(title=field_value, body=field_value, key=st.one_of(st.uuids().map(str), field_value))
def test_new_thread(client, forum, title, body, key):
    community, _ = forum
    post_form(client, community.url + "forum/new/", {"title": title, "body": body, "submission_key": key})


@FUZZ
@given(body=field_value, quoted=field_value, key=field_value, quote=field_value)
def test_reply_and_quote(client, forum, body, quoted, key, quote):
    community, thread = forum
    clear_rate_limits()
    assert_answered(client.get(thread.get_absolute_url(), {"quote": quote, "page": quote}))
    response = client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": body, "quoted_post": quoted,
                                                                         "submission_key": key})
    if response.status_code == 200:
        assert_refused_clearly(response, {"body": body}, form_name="reply_form")
    else:
        assert_answered(response)


@FUZZ
@given(body=field_value)
def test_edit_post(client, forum, people, body):
    community, thread = forum
    opening = thread.posts.get(position=1)
    post_form(client, f"{community.url}forum/posts/{opening.pk}/edit/", {"body": body})


@FUZZ
@given(reason=st.sampled_from(["spam", "abuse", "other"]) | field_value, note=field_value)
def test_flag(client, forum, people, reason, note):
    community, thread = forum
    reply = thread.posts.get(position=2)  # the facilitator's: members flag others' posts
    post_form(client, f"{community.url}forum/posts/{reply.pk}/flag/", {"reason": reason, "note": note})


@FUZZ
@given(message=field_value, roundup=field_value)
def test_join_request(client, home, message, roundup):
    community = CommunityPage.objects.filter(slug="club").first() or add_community(home, "club", join_policy="approval")
    client.force_login(create_member(username=f"asker{Membership.objects.count()}-{uuid.uuid4().hex[:8]}"))
    post_form(client, community.url + "join/", {"request_message": message, "roundup": roundup})


@FUZZ
@given(action=field_value, membership=field_value, decision=field_value, post=field_value, text=field_value)
def test_facilitator_desks(client, home, people, forum, action, membership, decision, post, text):
    """The join-request queue, the member list, the flag queue: every field a facilitator's forms send."""
    community, _ = forum
    client.force_login(people["facilitator"])
    clear_rate_limits()
    for url, data in [
        ("requests/", {"membership": membership, "decision": decision, "message": text}),
        ("members/", {"membership": membership, "reason": text}),
        ("members/", {"invite": "1", "username": text}),
        ("flags/", {"action": action, "post": post, "resolution": text}),
        ("log/?page=" + quote(text[:50]), None),
    ]:
        response = client.get(community.url + url) if data is None else client.post(community.url + url, data)
        assert_answered(response)


@FUZZ
@given(thread_id=number_text, action=st.sampled_from(["reply", "watch", "pin", "move", "nonsense"]), target=field_value)
def test_thread_and_post_urls(client, forum, people, thread_id, action, target):
    community, thread = forum
    client.force_login(people["facilitator"])
    clear_rate_limits()
    number = quote(thread_id, safe="") or "0"
    for url in [f"forum/{number}-x/", f"forum/posts/{number}/", f"forum/posts/{number}/edit/", f"forum/?page={number}"]:
        assert_answered(client.get(community.url + url))
    assert_answered(client.post(f"{community.url}forum/{thread.pk}/{action}/", {"target": target}))


# --- Library -----------------------------------------------------------------------------------------------------


@FUZZ
@given(fields=st.fixed_dictionaries({name: field_value for name in ["title", "description", "event", "presented_on", "where"]}),
       name=hostile_text, content=st.one_of(st.binary(max_size=4000), st.just(pdf_bytes(pages=1)),
                                            st.binary(max_size=200).map(lambda tail: b"%PDF-1.4\n" + tail)),
       real_place=st.booleans())
def test_deck_upload(client, forum, people, fields, name, content, real_place):
    community, _ = forum
    data = {**fields, "file": SimpleUploadedFile(safe_file_name(name, ".pdf"), content, content_type=PDF_TYPE)}
    if real_place:
        data["where"] = str(community.pk)
    response = post_form(client, "/library/decks/upload/", data)
    if response.status_code == 302:
        assert_answered(client.get(response["Location"]))


CASE_STUDY_TEXT = ["title", "summary", "organisation", "organisation_type", "region", "community", "challenge",
                   "approach", "lessons", "interventions-0-intervention", "interventions-0-by_when",
                   "interventions-0-by_whom", "outcomes-0-metric", "outcomes-0-before", "outcomes-0-after",
                   "outcomes-0-unit", "outcomes-0-period"]
MANAGEMENT = ["interventions-TOTAL_FORMS", "interventions-INITIAL_FORMS", "outcomes-TOTAL_FORMS", "outcomes-INITIAL_FORMS"]


@FUZZ
@given(fields=st.fixed_dictionaries({name: field_value for name in CASE_STUDY_TEXT}),
       management=st.fixed_dictionaries({name: number_text | st.sampled_from(["1", "3"]) for name in MANAGEMENT}),
       topics=st.lists(field_value, max_size=3))
def test_case_study_submission(client, forum, fields, management, topics):
    topics = topics or [str(Topic.objects.values_list("pk", flat=True).first())]
    post_form(client, "/library/case-studies/submit/", {**fields, **management, "topics": topics})


# --- Search and listings -----------------------------------------------------------------------------------------

FILTERS = ["q", "kind", "topic", "community", "year", "page", "sort"]


@FUZZ
@given(params=st.fixed_dictionaries({}, optional={name: field_value for name in FILTERS}))
@example(params={"q": "budget", "page": "-1", "year": "abc", "community": "999999"})
@example(params={"q": "budget", "page": "9" * 5000, "year": "²²²²", "community": "²"})
def test_search_and_library_filters(client, forum, params):
    community, _ = forum
    clear_rate_limits()
    for url in ["/search/", "/library/", community.url + "library/", "/newsletters/", "/search/autocomplete/"]:
        assert_answered(client.get(url, params), allowed=(200, 429))


@FUZZ
@given(query=raw_query)
def test_raw_query_strings(client, forum, query):
    """Bytes that are not UTF-8 (surrogates included, as a browser cannot send them otherwise) in the query string."""
    community, _ = forum
    clear_rate_limits()
    for url in ["/search/", "/search/autocomplete/", "/library/", community.url + "forum/", "/notifications/"]:
        assert_answered(client.get(f"{url}?q={query}&page={query}&community={query}"), allowed=(200, 429))


@FUZZ
@given(body=st.binary(max_size=300))
def test_raw_form_bodies(client, forum, body):
    community, _ = forum
    clear_rate_limits()
    for url in [community.url + "forum/new/", "/accounts/profile/", "/newsletters/preferences/"]:
        assert_answered(client.post(url, body, content_type="application/x-www-form-urlencoded"))


# --- Newsletters and notifications -------------------------------------------------------------------------------


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["site", "community-1", "community-999999"]) | hostile_text, field_value,
                            max_size=4))
def test_roundup_preferences(client, forum, data):
    post_form(client, "/newsletters/preferences/", data)


@FUZZ
@given(token=hostile_text | number_text, one_click=st.booleans())
def test_unsubscribe_tokens(client, home, token, one_click):
    url = f"/newsletters/unsubscribe/{quote(token, safe='') or 'x'}/"
    assert_answered(client.get(url))
    assert_answered(client.post(url, {"List-Unsubscribe": "One-Click"} if one_click else {}))


@FUZZ
@given(notification=number_text | hostile_text, page=field_value)
def test_notification_ids(client, forum, people, notification, page):
    client.force_login(people["member"])
    assert_answered(client.get(f"/notifications/{quote(notification, safe='') or '0'}/"))
    assert_answered(client.get("/notifications/", {"page": page}))
    assert_answered(client.post("/notifications/", {"page": page}))


# --- Regressions found by fuzzing --------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"q": "budget", "page": "²"}, {"q": "budget", "community": "²"}, {"q": "budget", "year": "²²²²"},
    {"q": "budget", "page": "9" * 5000}, {"q": "budget", "community": "9" * 5000},
], ids=["superscript-page", "superscript-community", "superscript-year", "huge-page", "huge-community"])
def test_search_reads_only_plain_digits_as_numbers(client, home, params):
    """str.isdigit() said yes to '²' and to 5,000 nines; int() then refused them with a server error."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert response.context["filters"].community is None and response.context["filters"].year is None


@pytest.mark.parametrize("params", [{"year": "²²²²"}, {"q": "budget", "page": "²"}, {"q": "budget", "page": "9" * 5000}],
                         ids=["superscript-year", "superscript-page", "huge-page"])
def test_the_library_reads_only_plain_digits_as_numbers(client, home, params):
    response = client.get("/library/", params)
    assert response.status_code == 200
    assert response.context["filters"].year is None


def test_a_facilitator_sending_a_mangled_membership_gets_a_404(client, community_factory, people):
    community, _ = community_factory("public", "approval")
    client.force_login(people["facilitator"])
    assert client.post(community.url + "requests/", {"membership": "abc", "decision": "approve"}).status_code == 404
    assert client.post(community.url + "members/", {"membership": "1 OR 1=1"}).status_code == 404


def test_notifications_answer_404_for_an_id_out_of_range(client, people, community_factory):
    community_factory("public")
    client.force_login(people["member"])
    assert client.get(f"/notifications/{'9' * 40}/").status_code == 404
    assert not Notification.objects.filter(recipient=people["member"], pk=0).exists()


def test_a_post_with_a_nul_character_is_refused_with_the_text_kept(client, community_factory, people):
    community, _ = community_factory("public")
    client.force_login(people["member"])
    response = client.post(community.url + "forum/new/", {"title": "Budget\x00 lines", "body": "Which ones?"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert shown_value(response.content.decode(), "body") == "Which ones?"



def test_choosing_a_row_by_an_id_no_database_holds_is_a_form_error(client, community_factory, people):
    """A 30-digit id in a model choice failed the query itself (SQLite: too large; PostgreSQL: out of range)."""
    community, thread = community_factory("public")
    huge = "9" * 30
    client.force_login(people["member"])
    response = client.post("/library/case-studies/submit/", {"community": huge, "topics": [huge]})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Select a valid choice" in errors["community"][0] and huge in errors["topics"][0]
    response = client.post("/library/decks/upload/", {"where": str(community.pk), "title": "Q3", "topics": [huge]})
    assert response.status_code == 200 and huge in response.context["form"].errors["topics"][0]

    client.force_login(people["facilitator"])
    response = client.post(f"{community.url}forum/{thread.pk}/move/", {"target": huge}, follow=True)
    assert response.status_code == 200
    assert "Choose a community you facilitate" in response.content.decode()


def test_feeds_carry_titles_with_control_characters_and_show_descriptions_as_text(
        client, community_factory, people, commit):
    """XML 1.0 has no form feed: a thread titled with one failed the community's whole feed with a server error."""
    community, _ = community_factory("public")
    people["member"].profile.display_name = "<b>Mo</b> & co"
    people["member"].profile.save()
    client.force_login(people["member"])
    with commit():
        client.post(community.url + "forum/new/", {"title": "Budget\x0c lines\x01 for Q3", "body": "Which ones?"})
    response = client.get(community.url + "feed/")
    assert response.status_code == 200
    feed = response.content.decode()
    assert "<title>Budget lines for Q3</title>" in feed
    assert "Started by &amp;lt;b&amp;gt;Mo&amp;lt;/b&amp;gt; &amp;amp; co" in feed  # HTML text, in XML


def test_a_case_study_title_is_one_line_so_its_reviewers_are_emailed(client, community_factory, people, commit):
    """A line break in the title made the reviewers' email subject invalid: Wagtail dropped the email."""
    community, _ = community_factory("public")
    client.force_login(people["member"])
    with commit():
        response = client.post("/library/case-studies/submit/", submission(
            title="Repeat calls\r\nBcc: harvest@evil.example", community=str(community.pk)))
    assert response.status_code == 302
    assert CaseStudyPage.objects.get(owner=people["member"]).title == "Repeat calls Bcc: harvest@evil.example"
    to_facilitator = [message for message in mail.outbox if people["facilitator"].email in message.to]
    assert [message.subject for message in to_facilitator if "submitted" in message.subject]
