"""What the URL matrix shares: the list of the project's URL names, routes and page types, and one world to
test them against (a public, a members-only and a private community, each holding a thread, a deck and a
roundup with a secret word in them).
"""

from dataclasses import dataclass, field

from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import get_page_models

from communities import services
from communities.models import CommunityPage, Membership
from cop_site.site_structure import ensure_site_structure
from library.models import LibraryIndexPage
from newsletters.models import NewsletterIndexPage, RoundupPage
from tests.factories import add_community, add_member, create_people
from tests.library.conftest import add_deck, publish_case_study
from tests.newsletters.support import MONTH, add_roundup, thread_item

OUR_APPS = {"cop_site", "communities", "library", "newsletters", "search"}

# URL prefixes that belong to third-party apps with tests of their own, and are out of this matrix's scope.
OUT_OF_SCOPE_PREFIXES = (
    "admin/",  # Wagtail admin
    "django-admin/",  # Django admin
    "accounts/",  # allauth (our accounts/profile/ is checked: see OURS_UNDER_OUT_OF_SCOPE)
    "documents/",  # Wagtail documents
)
OURS_UNDER_OUT_OF_SCOPE = {"profile_edit"}

VISIBILITIES = ["public", "members", "private"]
ROLES = ["visitor", "unverified", "member", "outsider", "facilitator", "other_facilitator", "staff"]


def secret(visibility):
    """A word found nowhere else: in the thread title, deck title and roundup intro of that community."""
    return f"quillback{visibility}"


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, route.lstrip("^"), getattr(entry.callback, "__module__", "")


def named_url_patterns():
    """{name: (route, view module)} of every named URL pattern outside the out-of-scope prefixes."""
    found = {}
    for name, route, module in _walk(get_resolver().url_patterns):
        if route.startswith(OUT_OF_SCOPE_PREFIXES) and name not in OURS_UNDER_OUT_OF_SCOPE:
            continue
        found.setdefault(name, (route, module))
    return found


def routable_page_routes():
    names = []
    for model in (CommunityPage, LibraryIndexPage, NewsletterIndexPage):
        label = model._meta.label
        for pattern in model.get_subpage_urls():
            names.append(f"route:{label}:{pattern.name}")
    return names


def our_page_types():
    return [f"page:{model._meta.label}" for model in get_page_models() if model._meta.app_label in OUR_APPS]


def collected_names():
    """Every name the matrix must have an entry for."""
    urls = [f"url:{name}" for name, (route, module) in named_url_patterns().items()
            if module.split(".")[0] in OUR_APPS or name == "sitemap"]
    return sorted(urls) + sorted(routable_page_routes()) + sorted(our_page_types())


def third_party_named_patterns():
    """Named patterns in scope whose view is not ours (so neither checked nor silently ignored)."""
    return {name: module for name, (route, module) in named_url_patterns().items()
            if module.split(".")[0] not in OUR_APPS and name != "sitemap"}


@dataclass
class Scene:
    community: CommunityPage
    thread: object
    opening: object
    deck: object
    roundup: RoundupPage


@dataclass
class World:
    home: object
    library: LibraryIndexPage
    people: dict
    case_study: object
    site_roundup: RoundupPage
    scenes: dict = field(default_factory=dict)


def build_world():
    """Everything the matrix reads, built once; after-commit work (search indexing) is run as it would be."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        home = ensure_site_structure(hostname="testserver", port=80)
        people = create_people()
        elsewhere = add_community(home, "elsewhere")
        add_member(people["other_facilitator"], elsewhere, Membership.Role.FACILITATOR)
        add_member(people["outsider"], elsewhere)
        library = home.get_children().get(slug="library").specific
        world = World(home=home, library=library, people=people, case_study=publish_case_study(library), site_roundup=None)
        for visibility in VISIBILITIES:
            word = secret(visibility)
            community = add_community(home, f"{visibility}-community", visibility)
            add_member(people["member"], community)
            add_member(people["unverified"], community)
            add_member(people["facilitator"], community, Membership.Role.FACILITATOR)
            thread = services.start_thread(people["member"], community, f"Thread about {word} budgets", "Opening post body.")
            services.reply(people["facilitator"], thread, "A reply from the facilitator.")
            # Downloaded, so the community's dashboard lists it among its most downloaded decks.
            deck = add_deck(community, title=f"Deck on {word} targets", uploader=people["member"], download_count=3)
            roundup = add_roundup(community, blocks=[thread_item(thread, line="Worth a read.")],
                                  intro=f"<p>This month {word} stood out.</p>")
            world.scenes[visibility] = Scene(community, thread, thread.posts.get(position=1), deck, roundup)
        world.site_roundup = add_roundup(
            None, blocks=[thread_item(scene.thread, line="Across the site.") for scene in world.scenes.values()],
            intro="<p>The month across the site.</p>", month=MONTH.replace(month=9),
        )
    return world
