"""The XSS corpus through every place member-written text reaches a page, a feed, a JSON answer or an email.

One world for the module. For each vector of the corpus's sample (tests/cop_site/xss_vectors.py: every kind of
attack in it, since each vector here costs some forty requests; the whole corpus goes through render_markdown in
tests/cop_site/test_markup.py and through the search box here) a member, named after it, fills in
the forms people use, through the Django test client: their profile (display name, job title, organisation,
bio), a new thread (title and body), an edit of its opening post, a request to join a community that needs
approval, a deck upload (title, description, event, the file's name and the words in the file) and a case
study. The facilitator answers through theirs: a reply quoting the member and adding the vector, a flag with a
note, and the case study's approval in the review workflow (a request for changes, with the vector as the
comment, is emailed as the notice task builds it). Roundups and the community's own texts are written by
facilitators and editors in Wagtail: here they are stored as Wagtail's rich-text editor stores what was typed.

Each test then reads every page, feed and email where one path's text shows, and judges it with
tests/security/xss_checks.py. Tests are parametrized path group x vector, and every problem names the page, so
a failure reads as path x vector x page. Listings that show every vector at once (moderation queues, member
lists, the admin's) are read once and judged against the whole sample.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from wagtail.admin.rich_text import DraftailRichTextArea
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import rich_text

from communities.models import CommunityPage, Membership, Thread
from communities.services import set_watch
from cop_site.site_structure import ensure_site_structure
from library.models import CaseStudyNotice, CaseStudyPage, SlideDeck, Topic
from library.notifications import build_email
from newsletters.emails import RoundupMail
from newsletters.models import RoundupPage
from tests.cop_site.xss_vectors import SAMPLE, XSS_PARAMS
from tests.factories import add_community, add_member, create_member
from tests.library.files import PDF_TYPE, pdf_bytes
from tests.newsletters.support import MONTH, add_roundup, heading, thread_item
from tests.security.xss_checks import TOKEN, email_problems, feed_problems, html_problems, response_problems, token_for

pytestmark = pytest.mark.django_db

VECTOR_PARAMS = [pytest.param(name, id=name) for name, _ in SAMPLE]
SUBMIT_CASE_STUDY = "/library/case-studies/submit/"
UPLOAD_DECK = "/library/decks/upload/"


def typed(vector):
    """The vector as a form accepts it: Django refuses NUL characters in any text field (the fuzz tests check how)."""
    return vector.replace("\x00", "")


def fit(vector, limit, token=""):
    """The vector cut to a field's length, followed by its token where the field has room to be found by."""
    text = typed(vector)
    if not token:
        return text[:limit]
    return f"{text[:limit - len(token) - 1]} {token}"


def facilitator_rich_text(html, features):
    """What Wagtail stores when a facilitator types ``html`` into its rich-text editor and saves."""
    widget = DraftailRichTextArea(features=features)
    return widget.value_from_datadict({"text": rich_text(html, features=features)}, {}, "text")


def typed_rich_text(vector, token, features=("bold", "italic", "link")):
    """A facilitator's paragraph: the vector as words, and as the address of a link (the editor's link dialog)."""
    return facilitator_rich_text(
        f"<p>{escape(typed(vector))} {token}</p><p><a href=\"{escape(typed(vector), quote=True)}\">a link</a></p>",
        list(features),
    )


# --- The world -------------------------------------------------------------------------------------------------


@dataclass
class Planted:
    """What one vector became once a member and a facilitator had typed it in."""

    name: str
    vector: str
    token: str
    author: object
    thread: Thread = None
    opening: object = None
    deck: SlideDeck = None
    case_study: CaseStudyPage = None
    emails: list = field(default_factory=list)


@dataclass
class World:
    forum: CommunityPage  # public, open: where the members post
    club: CommunityPage  # public, approval: where they ask to join
    facilitator: object
    editor: object
    planted: dict = field(default_factory=dict)


def committed():
    """Run after-commit work (emails, indexing, deck processing) as each step commits, as it would in production."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def posted(client, url, data):
    """POST through a form that must accept it."""
    with committed():
        response = client.post(url, data)
    form = response.context and response.context.get("form")
    assert response.status_code == 302, f"POST {url}: {response.status_code} {form.errors if form else ''}"
    return response


def any_topic():
    """A topic to file under; the seeded ones are gone after a transactional test has flushed the database."""
    return Topic.objects.first() or Topic.objects.create(name="Performance management", slug="performance-management")


def case_study_form(vector, token, community):
    long_text = fit(vector, 10_000, token)
    row = fit(vector, 1000, token)
    line = fit(vector, 200, token)
    return {
        "title": fit(vector, 150, token), "summary": fit(vector, 500, token), "organisation": line,
        "organisation_type": "district", "region": "east-midlands",
        "topics": [str(any_topic().pk)], "community": str(community.pk),
        "challenge": long_text, "approach": long_text, "lessons": long_text,
        "interventions-TOTAL_FORMS": "3", "interventions-INITIAL_FORMS": "0",
        "interventions-MIN_NUM_FORMS": "0", "interventions-MAX_NUM_FORMS": "3",
        **{f"interventions-0-{name}": row for name in
           ["intervention", "resource_implications", "main_risk", "contingency", "monitoring", "expected_outcome"]},
        "interventions-0-by_when": line, "interventions-0-by_whom": line,
        "outcomes-TOTAL_FORMS": "3", "outcomes-INITIAL_FORMS": "0", "outcomes-MIN_NUM_FORMS": "0", "outcomes-MAX_NUM_FORMS": "3",
        "outcomes-0-metric": line, "outcomes-0-before": "1,240", "outcomes-0-after": "610",
        "outcomes-0-unit": fit(vector, 40), "outcomes-0-period": fit(vector, 120),
    }


def deck_form(vector, token, community):
    return {
        "where": str(community.pk), "title": fit(vector, 200, token), "description": fit(vector, 5000, token),
        "event": fit(vector, 200), "presented_on": "",
        "file": SimpleUploadedFile(deck_file_name(vector), pdf_bytes(pages=1, title=f"{token} {printable(vector)}"),
                                   content_type=PDF_TYPE),
    }


def deck_file_name(vector):
    """A browser sends the file's own name on one line: no folders, no line breaks or other controls."""
    return re.sub(r"[/\\]", "", printable(vector))[:200] + ".pdf"


def printable(vector):
    return "".join(char for char in vector if char.isprintable())[:300]


def plant(world, index, name, vector):
    """Type one vector into every form, as its member and the community's facilitator would."""
    token = token_for(index)
    author = create_member(username=f"vector{index:03d}")
    add_member(author, world.forum)
    planted = Planted(name, vector, token, author)
    outbox_before = len(mail.outbox)
    member, facilitator = signed_in(author), signed_in(world.facilitator)

    posted(member, "/accounts/profile/", {
        "display_name": fit(vector, 80, token), "organisation": fit(vector, 120), "job_title": fit(vector, 120),
        "bio": fit(vector, 2000, token), "email_frequency": "immediately",
    })
    forum = world.forum.url + "forum/"
    posted(member, forum + "new/", {"title": fit(vector, 150, token), "body": fit(vector, 10_000, token)})
    planted.thread = Thread.objects.get(author=author)
    planted.opening = planted.thread.posts.get(position=1)
    thread_url = planted.thread.get_absolute_url()
    # The facilitator replies quoting the member (the quote form's text), then adds the vector of their own.
    quoting = facilitator.get(f"{thread_url}?quote={planted.opening.pk}").context["reply_form"]
    posted(facilitator, f"{forum}{planted.thread.pk}/reply/", {
        "body": quoting.initial["body"] + fit(vector, 5000, token), "quoted_post": planted.opening.pk,
    })
    posted(member, f"{forum}posts/{planted.opening.pk}/edit/", {"body": fit(vector, 10_000, f"{token} edited")})
    posted(facilitator, f"{forum}posts/{planted.opening.pk}/flag/", {"reason": "other", "note": fit(vector, 1000, token)})
    posted(member, world.club.url + "join/", {"request_message": fit(vector, 1000, token)})

    posted(member, UPLOAD_DECK, deck_form(vector, token, world.forum))
    planted.deck = SlideDeck.objects.get(uploaded_by=author)

    posted(member, SUBMIT_CASE_STUDY, case_study_form(vector, token, world.forum))
    approve(CaseStudyPage.objects.get(owner=author), world.facilitator)
    planted.case_study = CaseStudyPage.objects.get(owner=author)
    assert planted.case_study.live

    planted.emails = mail.outbox[outbox_before:]
    return planted


def approve(page, reviewer):
    """The reviewer's Approve in the case-study workflow (what the admin's action button calls)."""
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state.specific
    with committed():
        task_state.task.specific.on_action(task_state, reviewer, "approve")


def build_world():
    home = ensure_site_structure(hostname="testserver", port=80)
    forum = add_community(home, "open-forum", title="Open Forum")
    club = add_community(home, "approval-club", join_policy="approval", title="Approval Club")
    facilitator = create_member(username="fay", display_name="Fay Facilitator")
    for community in (forum, club):
        add_member(facilitator, community, Membership.Role.FACILITATOR)
    set_watch(facilitator, community=forum, watching=True)  # new threads are news to the facilitator
    world = World(forum=forum, club=club, facilitator=facilitator,
                  editor=create_member(username="root", is_staff=True, is_superuser=True))
    for index, (name, vector) in enumerate(SAMPLE):
        world.planted[name] = plant(world, index, name, vector)
    return world


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole module, in a transaction rolled back at its end."""
    folder = tmp_path_factory.mktemp("xss-paths")
    limits = {"FORUM_POSTS_PER_MINUTE": 100_000, "FORUM_FLAGS_PER_HOUR": 100_000, "DECK_PREVIEW_PAGES": 1,
              "MEDIA_ROOT": folder / "media", "PRIVATE_MEDIA_ROOT": folder / "private-media"}
    with override_settings(**limits), django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def typed_roundup(community, plantings, month=MONTH):
    """A published roundup whose intro, headings, text and item lines are what the facilitator typed: the vectors."""
    intro, blocks = "", []
    for planted in plantings:
        text = typed_rich_text(planted.vector, planted.token, features=("bold", "italic", "link", "ol", "ul"))
        intro += text
        blocks += [heading(fit(planted.vector, 120)), {"type": "text", "value": text},
                   thread_item(planted.thread, line=fit(planted.vector, 2000, planted.token), replies=2)]
    roundup = add_roundup(community, intro=intro, blocks=blocks, month=month)
    roundup.save_revision().publish()
    return roundup


# --- Reading it back -------------------------------------------------------------------------------------------


class Reader:
    """Fetches pages as one person and collects every problem, each named path x vector x page."""

    def __init__(self, planted):
        self.planted = planted
        self.problems = []

    def check(self, path, page, response, vector=None):
        where = f"{path} x {self.planted.name} x {page}"
        if response.status_code != 200:
            self.problems.append(f"{where}: answered {response.status_code}")
            return
        self.problems.extend(f"{where}: {problem}" for problem in response_problems(response, vector or self.planted.vector))

    def get(self, client, path, page, url, **kwargs):
        self.check(path, page, client.get(url), **kwargs)

    def email(self, path, message):
        where = f"{path} x {self.planted.name} x email {message.subject!r}"
        self.problems.extend(f"{where}: {problem}" for problem in email_problems(message, self.planted.vector))

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def newest(model, pk, **moments):
    """Make one row the newest, so the first page of a listing or feed shows it (rolled back after the test)."""
    later = timezone.now() + timedelta(days=1)
    model.objects.filter(pk=pk).update(**{name: later for name in moments})


@pytest.fixture
def planted(world, request):
    return world.planted[request.param]


def signed_in_as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_forum_paths(world, planted, client):
    """Thread title, post body, the reply quoting it, the edited post; the author's profile beside each post."""
    newest(Thread, planted.thread.pk, last_post_at=True, created_at=True)
    reader = Reader(planted)
    thread, community = planted.thread.get_absolute_url(), world.forum.url
    paths = "thread title, post body, reply with a quote, edit, author"
    reader.get(client, paths, "thread page (visitor)", thread)
    reader.get(client, "thread title, author", "forum list", community + "forum/")
    reader.get(client, "thread title", "community page", community)
    reader.get(client, "thread title, author", "community Atom feed", community + "feed/")

    signed_in_as(client, planted.author)
    reader.get(client, paths, "thread page (author)", thread)
    reader.get(client, "post body", "edit form", f"{community}forum/posts/{planted.opening.pk}/edit/")
    reader.get(client, "thread title, facilitator", "notifications", "/notifications/")

    signed_in_as(client, world.facilitator)
    reader.get(client, paths, "thread page (facilitator)", thread)
    reader.get(client, "post body", "quote form", f"{thread}?quote={planted.opening.pk}")
    reader.get(client, "post body", "post history", f"{community}forum/posts/{planted.opening.pk}/history/")
    reader.get(client, "thread title", "community dashboard", community + "dashboard/")
    reader.get(client, "thread title, author", "member home", "/my/")
    reader.assert_clean()


EMAILS = {  # what each email the planting sets off is about, by a phrase of its subject
    "New thread in": "new thread: title, author",
    "quoted your post": "reply with a quote: thread title, reply",
    "asked to join": "join request: message, member's name",
    "submitted for approval": "case study review: title",
    "is published": "case study published: title",
}


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_email_paths(planted):
    """Every email the vector's content set off: notifications, the join request, the case-study review."""
    reader = Reader(planted)
    about = set()
    for message in planted.emails:
        paths = [path for phrase, path in EMAILS.items() if phrase in message.subject]
        about.update(paths)
        reader.email(", ".join(paths) or "unexpected email", message)
    assert about == set(EMAILS.values()), f"emails sent: {[message.subject for message in planted.emails]}"
    # A reviewer's request for changes, with the vector as their comment, as the notice task builds it.
    reader.email("case study review: comment", build_email(
        planted.case_study, CaseStudyNotice.Kind.REJECTED, TaskState(comment=fit(planted.vector, 10_000, planted.token))))
    reader.assert_clean()


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_profile_paths(world, planted, client):
    """Display name, job title, organisation and bio."""
    reader = Reader(planted)
    profile = f"/members/{planted.author.username}/"
    reader.get(client, "display name, job title, organisation, bio", "profile page", profile)
    signed_in_as(client, planted.author)
    reader.get(client, "display name, job title, organisation, bio", "profile form", "/accounts/profile/")
    reader.assert_clean()


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_library_deck_paths(world, planted, client):
    """Deck title, description, event, the uploaded file's name and the words in the file."""
    newest(SlideDeck, planted.deck.pk, created_at=True)
    reader = Reader(planted)
    deck = planted.deck
    paths = "deck title, description, event"
    reader.get(client, paths, "deck page", deck.get_absolute_url())
    reader.get(client, "deck title", "library index", "/library/")
    reader.get(client, "deck title, description, file text", "library search", f"/library/?q={planted.token}")
    reader.get(client, "deck title, description", "library Atom feed", "/library/feed/")
    reader.get(client, "deck title", "community library", f"{world.forum.url}library/?q={planted.token}")
    download = client.get(deck.get_download_url())
    disposition = download["Content-Disposition"]
    if "\n" in disposition or "\r" in disposition or not disposition.startswith("attachment"):
        reader.problems.append(f"file name x {planted.name} x download: Content-Disposition {disposition!r}")

    signed_in_as(client, world.editor)
    reader.get(client, "deck title, file name", "admin deck listing", f"/admin/library/decks/?q={planted.token}")
    reader.assert_clean()


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_case_study_paths(world, planted, client):
    """Every field of the case-study form; the review's comment; the emails to the reviewers and the member."""
    newest(CaseStudyPage, planted.case_study.pk, first_published_at=True)
    reader = Reader(planted)
    reader.get(client, "case study fields", "case study page", planted.case_study.url)
    reader.get(client, "case study title, summary", "library search", f"/library/?q={planted.token}&kind=case_study")
    reader.get(client, "case study title, summary", "library Atom feed", "/library/feed/")
    reader.assert_clean()


@pytest.mark.parametrize("vector", XSS_PARAMS)
def test_search_query_echo(world, client, vector):
    """The whole corpus as a search: the query shown back in the box, the heading and the filters kept in links."""
    problems = []
    for page, url, params in [
        ("search results", "/search/", {"q": vector}),
        ("search results with filters", "/search/", {"q": vector, "kind": vector, "topic": vector,
                                                     "community": vector, "year": vector, "page": vector}),
        ("library search", "/library/", {"q": vector, "topic": vector, "community": vector, "sort": vector}),
        ("autocomplete", "/search/autocomplete/", {"q": vector}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200, f"{page}: {response.status_code}"
        problems += [f"query x {page}: {problem}" for problem in response_problems(response, typed(vector))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_search_paths(world, planted, client):
    """What was indexed (thread, deck and its file's words, case study), as hits and snippets; suggestions."""
    reader = Reader(planted)
    reader.get(client, "thread, deck, case study", "search results (indexed)", f"/search/?q={planted.token}")
    reader.get(client, "thread, deck, case study", "search results (library filter)",
               f"/search/?q={planted.token}&kind=deck")
    reader.check("titles", "autocomplete", client.get("/search/autocomplete/", {"q": planted.thread.title[:20]}))
    signed_in_as(client, planted.author)
    reader.get(client, "thread, deck, case study, profile", "search results (signed in)", f"/search/?q={planted.token}")
    reader.assert_clean()


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_roundup_paths(world, planted, client):
    """A roundup's intro, heading, text and item lines as the facilitator types them; its page, archive, feed, emails."""
    vector, token = planted.vector, planted.token
    roundup = typed_roundup(world.forum, [planted])
    newest(RoundupPage, roundup.pk, first_published_at=True)
    reader = Reader(planted)
    paths = "roundup intro, heading, text, item line, thread title"
    reader.get(client, paths, "roundup page", roundup.url)
    reader.get(client, "roundup intro", "roundup archive", f"/newsletters/?community={world.forum.slug}")
    reader.get(client, "roundup intro", "roundup RSS feed", "/newsletters/feed/")
    reader.get(client, "roundup intro", "community roundup RSS feed", f"/newsletters/feed/?community={world.forum.slug}")
    html, text_body = RoundupMail(RoundupPage.objects.get(pk=roundup.pk)).bodies(planted.author)
    reader.problems.extend(f"{paths} x {planted.name} x roundup HTML email: {problem}"
                           for problem in html_problems(html, vector, email=True))
    assert token in text_body
    reader.assert_clean()


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_community_text_paths(world, planted, client):
    """A community's summary and description as an editor writes them in Wagtail."""
    CommunityPage.objects.filter(pk=world.forum.pk).update(
        summary=fit(planted.vector, 250, planted.token),
        description=typed_rich_text(planted.vector, planted.token),
    )
    reader = Reader(planted)
    paths = "community summary, description"
    reader.get(client, paths, "community page", world.forum.url)
    reader.get(client, "community summary", "community index", "/communities/")
    reader.get(client, "community summary", "community Atom feed", world.forum.url + "feed/")
    reader.assert_clean()


@pytest.mark.parametrize("planted", VECTOR_PARAMS, indirect=True)
def test_forms_show_refused_input_back_safely(world, planted, client):
    """A refused form shows what was typed again: in inputs, textareas and the error messages."""
    vector, reader = typed(planted.vector), Reader(planted)
    signed_in_as(client, planted.author)
    forum = world.forum.url + "forum/"
    too_long = vector + " " + "x" * 10_000
    reader.check("thread title", "new thread form", client.post(forum + "new/", {"title": vector, "body": too_long}))
    reader.check("reply", "thread page with reply form", client.post(
        f"{forum}{planted.thread.pk}/reply/", {"body": too_long}))
    reader.check("profile fields", "profile form", client.post("/accounts/profile/", {
        "display_name": vector, "organisation": vector, "job_title": vector, "bio": too_long, "email_frequency": vector}))
    reader.check("deck fields", "deck upload form", client.post(UPLOAD_DECK, {
        "where": vector, "title": vector, "description": vector, "event": vector, "presented_on": vector}))
    form = case_study_form(planted.vector, planted.token, world.forum)
    reader.check("case study fields", "case study form", client.post(SUBMIT_CASE_STUDY, {
        **form, "region": vector, "outcomes-0-before": vector, "topics": [vector]}))
    signed_in_as(client, world.facilitator)
    reader.check("flag note", "flag form", client.post(
        f"{forum}posts/{planted.opening.pk}/flag/", {"reason": vector, "note": vector}))
    reader.assert_clean()


# --- Listings that show every vector at once -------------------------------------------------------------------



LISTINGS = {  # name: (who reads it, its address), each showing what every planted vector left there
    "join request queue": ("facilitator", lambda world: world.club.url + "requests/"),
    "flag queue": ("facilitator", lambda world: world.forum.url + "flags/"),
    "member list": ("facilitator", lambda world: world.forum.url + "members/"),
    "facilitator's notifications": ("facilitator", lambda world: "/notifications/"),
    "forum list": (None, lambda world: world.forum.url + "forum/"),
    "library index by title": (None, lambda world: "/library/?sort=title"),
    "admin join requests": ("editor", lambda world: "/admin/communities/join-requests/"),
    "admin flags": ("editor", lambda world: "/admin/communities/flags/"),
    "admin slide decks": ("editor", lambda world: "/admin/library/decks/"),
}
NEXT_PAGE = r'href="[^"?]*(\?(?:[^"]*&amp;)?p(?:age)?=%d(?:&amp;[^"]*)?)"'  # ours say page=, Wagtail's admin p=


@pytest.mark.parametrize("listing", LISTINGS)
def test_listings_with_every_vector(world, client, listing):
    reader, address = LISTINGS[listing]
    if reader is not None:
        client.force_login(getattr(world, reader))
    url, problems, tokens = address(world), [], set()
    for number in range(1, 20):  # every page of the listing
        response = client.get(url)
        assert response.status_code == 200, f"{listing}: GET {url} answered {response.status_code}"
        html = response.content.decode()
        tokens.update(TOKEN.findall(html))
        problems += [f"{listing} (page {number}): {problem}"
                     for problem in html_problems(html, SAMPLE, own_markup=not url.startswith("/admin/"))]
        found = re.search(NEXT_PAGE % (number + 1), html)
        if not found:
            break
        url = address(world).split("?")[0] + found.group(1).replace("&amp;", "&")
    assert not problems, "\n".join(problems)
    # Every short vector's content was on the listing (lists may cut a long text before its token).
    shown = {token_for(index) for index, (_, vector) in enumerate(SAMPLE) if len(vector) < 100}
    assert shown <= tokens, f"{listing} did not show {sorted(shown - tokens)}"


# --- The checker itself ----------------------------------------------------------------------------------------

PAGE = '<!DOCTYPE html><html><head><script src="/static/js/site.js" defer></script></head><body><main>{}</main></body></html>'


@pytest.mark.parametrize("document, vector", [
    (PAGE.format("<script>alert(window.__xss=1)</script>"), ""),
    (PAGE.format('<img src="x" onerror="alert(1)">'), ""),
    (PAGE.format('<a href=" java&#x09;script:alert(1)">x</a>'), ""),
    (PAGE.format('<form action="javascript:alert(1)"></form>'), ""),
    (PAGE.format('<iframe srcdoc="x"></iframe>'), ""),
    (PAGE.format('<svg><foreignObject><p>x</p></foreignObject></svg>'), ""),
    (PAGE.format('<div hx-on:click="alert(1)">x</div>'), ""),
    (PAGE.format('<div hx-get="/" hx-vals="js:{a: 1}">x</div>'), ""),
    (PAGE.format('<p style="position:fixed">x</p>'), ""),
    (PAGE.format('<meta http-equiv="refresh" content="0;url=/">'), ""),
    (PAGE.format('<div hx-get="/accounts/email/" hx-trigger="load">x</div>'), '<div hx-get="/accounts/email/" hx-trigger="load">'),
    (PAGE.format("<p><b>bold</b> &lt;i&gt;</p><b>x</b>"), "<b>x</b>"),
], ids=["inline-script", "handler", "javascript-url", "form-action", "iframe", "svg-foreign-object", "htmx-handler",
        "htmx-js-values", "style-attribute", "meta-refresh", "vector-markup", "raw-vector"])
def test_the_page_checker_catches_what_it_is_for(document, vector):
    assert html_problems(document, vector)


def test_the_page_checker_passes_escaped_text_and_the_sites_own_markup():
    vector = '"><script>alert(window.__xss=1)</script><img src=x onerror=alert(1)>'
    document = PAGE.format(
        f'<h1>{escape(vector)}</h1><input name="q" value="{escape(vector)}"><a href="/x/?q=1&amp;p=2">next</a>'
        '<script id="data" type="application/json">{"a": "\\u003C"}</script>'
        '<button hx-post="/communities/x/forum/1/watch/" hx-target="this">Watch</button>'
    )
    assert html_problems(document, vector) == []
    assert html_problems(f'<p style="color: red" title="{vector.replace(chr(34), "&quot;")}">x</p>', vector, email=True) == []


def test_the_feed_checker_reads_summaries_as_html():
    feed = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lt;b&gt;</title>'
            '<summary type="html">&lt;img src=x onerror=alert(1)&gt;</summary></entry></feed>')
    assert feed_problems(feed.encode())
    assert feed_problems(feed.replace("&lt;img", "&amp;lt;img").encode()) == []
