"""What the permission matrix modules share: the project's URL names, routes and page types (so a new one without
an entry fails), and one world to test them against: a scene per visibility (see ``matrix_rules``), each holding
a thread, a deck, a roundup and a case study with the scene's secret word in them, and one user per role.

Each matrix module builds the world once (``world_fixture``), in a transaction rolled back at the module's end;
each test runs in a savepoint of its own, so what a test changes is gone before the next one.
"""

import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail import hooks
from wagtail.models import get_page_models

from communities import services
from communities.models import CommunityPage, Flag, Membership
from cop_site.site_structure import ensure_site_structure
from library.models import CaseStudyPage, LibraryIndexPage, SlideDeck
from newsletters.models import NewsletterIndexPage, RoundupPage
from tests.factories import add_community, add_member, create_people
from tests.library.conftest import STUB_PDF, add_deck, publish_case_study
from tests.newsletters.support import MONTH, add_roundup, thread_item
from tests.security.matrix_rules import ROLES, secret

OUR_APPS = {"cop_site", "communities", "library", "newsletters", "search"}

# URL prefixes that belong to third-party apps with tests of their own, and are out of this matrix's scope.
# Views of ours under them (our admin screens and choosers, accounts/profile/) are in scope all the same.
OUT_OF_SCOPE_PREFIXES = (
    "admin/",  # Wagtail admin
    "django-admin/",  # Django admin
    "accounts/",  # allauth
    "documents/",  # Wagtail documents
)

COMMUNITY_SCENES = ("public", "members", "private")


def is_ours(module):
    return module.split(".")[0] in OUR_APPS


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, route.lstrip("^"), getattr(entry.callback, "__module__", "")


def all_named_url_patterns():
    """{name (namespaced): (route, view module)} of every named URL pattern of the project."""
    found = {}
    for name, route, module in _walk(get_resolver().url_patterns):
        found.setdefault(name, (route, module))
    return found


def named_url_patterns():
    """The named URL patterns in scope: outside the out-of-scope prefixes, served by a view of ours, or under the
    admin screens our apps register (where Wagtail's generic views serve our data)."""
    ours = tuple(our_admin_viewset_prefixes())
    return {name: (route, module) for name, (route, module) in all_named_url_patterns().items()
            if is_ours(module) or route.startswith(ours) or not route.startswith(OUT_OF_SCOPE_PREFIXES)}


def our_admin_viewset_prefixes():
    """The admin URL prefixes of the viewsets our apps register."""
    prefixes = []
    for register in hooks.get_hooks("register_admin_viewset"):
        if not is_ours(register.__module__):
            continue
        viewset = register()
        for item in getattr(viewset, "items", None) or [viewset]:
            item = item() if isinstance(item, type) else item
            prefixes.append(f"admin/{item.url_prefix}/")
    return prefixes


def routable_page_routes():
    names = []
    for model in (CommunityPage, LibraryIndexPage, NewsletterIndexPage):
        label = model._meta.label
        for pattern in model.get_subpage_urls():
            names.append(f"route:{label}:{pattern.name}")
    return names


def our_page_types():
    return [f"page:{model._meta.label}" for model in get_page_models() if model._meta.app_label in OUR_APPS]


def is_checked(name, route, module):
    """Whether the matrix checks this URL pattern itself: ours, the sitemap, or under our admin screens."""
    return is_ours(module) or name == "sitemap" or route.startswith("admin/")


def collected_names():
    """Every name the matrix must have an entry for."""
    urls = [f"url:{name}" for name, (route, module) in named_url_patterns().items() if is_checked(name, route, module)]
    return sorted(urls) + sorted(routable_page_routes()) + sorted(our_page_types())


def third_party_named_patterns():
    """Named patterns in scope whose view is not ours (so neither checked nor silently ignored)."""
    return {name: module for name, (route, module) in named_url_patterns().items()
            if not is_checked(name, route, module)}


# The world

@dataclass
class Scene:
    visibility: str
    community: CommunityPage
    thread: object
    opening: object  # the thread's opening post
    deck: SlideDeck
    roundup: RoundupPage
    case_study: CaseStudyPage
    flag: Flag  # open, on the facilitator's reply in the thread
    post_thread: object = None  # hidden scene: a visible thread with a reply a facilitator hid


@dataclass
class World:
    home: object
    library: LibraryIndexPage
    people: dict
    elsewhere: CommunityPage
    case_study: CaseStudyPage  # published: public whatever community it names
    site_roundup: RoundupPage = None
    scenes: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)  # role -> session key, signed in once for the whole module

    def user(self, role):
        """The role's user as a request would load it (no cached memberships)."""
        return None if role == "visitor" else get_user_model().objects.get(pk=self.people[role].pk)


def add_unprocessed_deck(community, title, uploader):
    """A deck whose processing failed: the file is kept, it has no thumbnail or previews yet."""
    deck = SlideDeck(
        title=title, community=community, uploaded_by=uploader, original_filename="slides.pdf",
        kind=SlideDeck.Kind.PDF, file_size=len(STUB_PDF), status=SlideDeck.Status.FAILED,
        processing_error="The file could not be read.", processing_attempts=1,
    )
    deck.file.save("slides.pdf", ContentFile(STUB_PDF), save=False)
    deck.save()
    return deck


def add_case_study_draft(library, member, title, community=None, submit=False):
    """A member's case study saved as a draft; with ``submit``, sent into the review workflow (under review)."""
    page = CaseStudyPage(
        title=title, slug=title.lower().replace(" ", "-"), owner=member, live=False, community=community,
        organisation="Hollowmere District Council", organisation_type="district", region="east-midlands",
        summary=f"What {title} found.", challenge="<p>Repeat calls.</p>", approach="<p>A shared log.</p>",
        lessons="<p>Start with the data.</p>",
    )
    library.add_child(instance=page)
    page.save_revision(user=member)
    if submit:
        page.get_workflow().start(page, member)
    return CaseStudyPage.objects.get(pk=page.pk)


def _populate(community, people, word):
    """The members every scene's community has, and its thread (with a facilitator's reply, flagged)."""
    add_member(people["member"], community)
    add_member(people["unverified"], community)
    add_member(people["facilitator"], community, Membership.Role.FACILITATOR)
    thread = services.start_thread(people["member"], community, f"Thread about {word} budgets", "Opening post body.")
    reply = services.reply(people["facilitator"], thread, "A reply from the facilitator.")
    flag = services.flag_post(people["member"], reply, Flag.Reason.OFF_TOPIC, "Please look.")
    return thread, flag


def community_scene(world, visibility):
    word = secret(visibility)
    join_policy = "approval" if visibility == "members" else "open"
    community = add_community(world.home, f"{visibility}-community", visibility, join_policy)
    thread, flag = _populate(community, world.people, word)
    # Downloaded, so the community's dashboard lists it among its most downloaded decks.
    deck = add_deck(community, title=f"Deck on {word} targets", uploader=world.people["member"], download_count=3)
    roundup = add_roundup(community, blocks=[thread_item(thread, line="Worth a read.")],
                          intro=f"<p>This month {word} stood out.</p>")
    return Scene(visibility, community, thread, thread.posts.get(position=1), deck, roundup, world.case_study, flag)


def hidden_scene(world):
    people, word = world.people, secret("hidden")
    community = add_community(world.home, "hidden-community", "public")
    thread, flag = _populate(community, people, word)
    services.moderate_thread(people["facilitator"], thread, "hide")
    post_thread = services.start_thread(people["member"], community, "Thread about ordinary budgets", "Opening post body.")
    hidden_post = services.reply(people["member"], post_thread, f"A reply about {word} that a facilitator hid.")
    services.set_post_hidden(people["facilitator"], hidden_post, True)
    deck = add_unprocessed_deck(community, "Deck still waiting for its previews", people["member"])
    roundup = add_roundup(community, blocks=[thread_item(thread, line="Worth a read."), thread_item(post_thread, line="Also.")],
                          intro="<p>This month in the open.</p>")
    case_study = add_case_study_draft(world.library, people["member"], f"Case study on {word} under review", submit=True)
    return Scene("hidden", community, thread, thread.posts.get(position=1), deck, roundup, case_study, flag,
                 post_thread=post_thread)


def draft_scene(world):
    people, word = world.people, secret("draft")
    community = add_community(world.home, "draft-community", "public")
    community.summary = f"A community about {word}, not launched yet."
    community.save_revision().publish()
    thread, flag = _populate(community, people, word)
    deck = add_deck(community, title=f"Deck on {word} targets", uploader=people["member"], download_count=3)
    community.unpublish()
    public = world.scenes["public"].community
    roundup = add_roundup(public, blocks=[thread_item(world.scenes["public"].thread, line="Next month.")],
                          intro=f"<p>Draft: {word} next month.</p>", month=MONTH.replace(month=11), live=False)
    roundup.save_revision()
    case_study = add_case_study_draft(world.library, people["member"], f"Case study on {word} in draft")
    return Scene("draft", CommunityPage.objects.get(pk=community.pk), thread, thread.posts.get(position=1), deck,
                 roundup, case_study, flag)


def build_world():
    """Everything the matrix reads, built once; after-commit work (search indexing, emails) is run as it would be."""
    # Written quickly on purpose: the forum's posting limit is for people.
    with TestCase.captureOnCommitCallbacks(execute=True), override_settings(FORUM_POSTS_PER_MINUTE=1000):
        home = ensure_site_structure(hostname="testserver", port=80)
        people = create_people()
        elsewhere = add_community(home, "elsewhere")
        add_member(people["other_facilitator"], elsewhere, Membership.Role.FACILITATOR)
        add_member(people["outsider"], elsewhere)
        library = home.get_children().get(slug="library").specific
        world = World(home=home, library=library, people=people, elsewhere=elsewhere,
                      case_study=publish_case_study(library))
        for visibility in COMMUNITY_SCENES:
            world.scenes[visibility] = community_scene(world, visibility)
        world.scenes["hidden"] = hidden_scene(world)
        world.scenes["draft"] = draft_scene(world)
        world.site_roundup = add_roundup(
            None, blocks=[thread_item(scene.thread, line="Across the site.") for scene in world.scenes.values()],
            intro="<p>The month across the site.</p>", month=MONTH.replace(month=9),
        )
    for role in ROLES[1:]:
        client = Client()
        client.force_login(people[role])
        world.sessions[role] = client.session.session_key
    return world


def sign_in(client, world, role):
    """Sign the test client in as the role, reusing the session made when the world was built."""
    if role != "visitor":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]


def world_fixture(around=nullcontext):
    """A module-scoped ``world`` fixture: one world per module, rolled back at its end. Assign it in the module.

    ``around``: a context manager factory the world is built and used inside (e.g. search indexes of its own).
    """

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker, tmp_path_factory):
        folder = tmp_path_factory.mktemp("matrix")
        with override_settings(MEDIA_ROOT=folder / "media", PRIVATE_MEDIA_ROOT=folder / "private-media"), around():
            with django_db_blocker.unblock(), transaction.atomic():
                yield build_world()
                transaction.set_rollback(True)

    return world


# URLs: a path, an AnyScene, or (world, visibility) -> the path in that scene

@dataclass(frozen=True)
class AnyScene:
    """A URL the same in every scene that needs the world to build: (world) -> path."""

    build: Callable


def is_per_scene(url):
    return callable(url) and not isinstance(url, AnyScene)


def build_path(url, world, visibility):
    if isinstance(url, str):
        return url
    return url.build(world) if isinstance(url, AnyScene) else url(world, visibility)


def C(path):
    """A URL inside the scene's community: path(scene) -> the part after the community's URL."""
    return lambda world, visibility: world.scenes[visibility].community.url + path(world.scenes[visibility])


def in_library(path):
    return lambda world, visibility: world.library.url + path(world.scenes[visibility])


def in_scene(path):
    return lambda world, visibility: path(world.scenes[visibility])


def thread_path(scene):
    return f"forum/{scene.thread.pk}-{scene.thread.slug}/"


def read(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# What changed

# INSERT, UPDATE or DELETE statements, and the table each writes to.
WRITE = re.compile(r'^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
UNTRACKED_TABLES = {"django_session"}  # a signed-in request may refresh its session


@contextmanager
def recorded_writes():
    """The tables the database statements inside the block wrote to (sorted, one entry per statement).

    Every write goes through Django's cursor, so a request that wrote nothing changed nothing; cheaper and stricter
    than comparing the rows of every table before and after.
    """
    written = []
    with CaptureQueriesContext(connection) as captured:
        yield written
    written.extend(sorted(match.group(1) for query in captured.captured_queries
                          if (match := WRITE.match(query["sql"])) and match.group(1) not in UNTRACKED_TABLES))
