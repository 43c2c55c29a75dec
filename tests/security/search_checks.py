"""The search surfaces of the permission matrix, on any backend: hits, totals, facet counts, "did you mean", titles
as you type, and the pages that show them (the search page, its autocomplete, the library's word search).

For every role and scene (see ``matrix_rules``): searching the scene's secret finds exactly the scene's thread,
deck and roundup (and, for the public scene, the site-wide roundup that lists its thread) when the role may read
them, and nothing at all otherwise: no hit, no count, no facet, no respelling, no title. Hidden and draft content
is never indexed, so nobody finds it, moderators and staff included.

tests/security/test_search_matrix.py runs these on the database backend (SQLite FTS5);
tests/integration/test_search_matrix.py on PostgreSQL full text and on a real Elasticsearch node.
"""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.test import Client

from search.documents import SearchFilters
from search.permissions import reader_for
from tests.security.matrix_rules import VISIBILITIES, can_read, reads_forum, secret
from tests.security.matrix_support import COMMUNITY_SCENES, read, sign_in

NOWHERE = secret("nowhere")
COMMON_WORD = "budgets"  # in every scene's thread title
PREFIXES = ("Thread about quillback", "Deck on quillback")


def expected_keys(world, visibility):
    """The documents holding the scene's secret that search may find (for those who may read them)."""
    if visibility not in COMMUNITY_SCENES:
        return set()
    scene = world.scenes[visibility]
    keys = {f"thread:{scene.thread.pk}", f"deck:{scene.deck.pk}", f"roundup:{scene.roundup.pk}"}
    if visibility == "public":
        keys.add(f"roundup:{world.site_roundup.pk}")  # it lists the public thread, to everyone
    return keys


def misspelled(word):
    return word[:-1] + ("z" if word[-1] != "z" else "y")


def unreadable_secrets(role):
    return [secret(visibility) for visibility in VISIBILITIES if not can_read(role, visibility)]


def shown_secrets(role, text):
    """The secrets the role may not read that appear in ``text``."""
    return [word for word in unreadable_secrets(role) if word in text]


def reader(world, role):
    return reader_for(world.user(role) or AnonymousUser())


def check_search(backend, world, role, visibility):
    """Every search surface of one backend, for one role and scene; returns a list of what is wrong."""
    problems = []
    word, who = secret(visibility), reader(world, role)
    expected = expected_keys(world, visibility) if can_read(role, visibility) else set()

    results = backend.search(word, who, SearchFilters(), page=1, per_page=50)
    found = {hit.key for hit in results.hits}
    if found != expected or results.total != len(expected):
        problems.append(f"searching {word}: found {sorted(found)} (total {results.total}), expected {sorted(expected)}")
    kinds = sum(value.count for value in results.facets.get("kind", []))
    if kinds != results.total:
        problems.append(f"searching {word}: kind facets count {kinds}, total {results.total}")
    counted = {name: [(value.value, value.count) for value in values if value.count]
               for name, values in results.facets.items()}
    if not expected and any(counted.values()):
        problems.append(f"searching {word}: facets count what the role may not read: {counted}")
    if shown := shown_secrets(role, repr(results)):
        problems.append(f"searching {word}: results show {shown}")

    respelled = backend.search(misspelled(word), who, SearchFilters(), page=1, per_page=10)
    if shown := shown_secrets(role, repr(respelled)):
        problems.append(f"searching {misspelled(word)}: results or 'did you mean' show {shown}")
    if expected and respelled.suggestion.lower() != word:
        problems.append(f"searching {misspelled(word)}: 'did you mean' {respelled.suggestion!r}, expected {word}")

    scoped = backend.search(COMMON_WORD, who, SearchFilters(community=world.scenes[visibility].community.pk), 1, 50)
    readable_scene = visibility != "draft" and reads_forum(role, visibility)
    if not readable_scene and (scoped.total or scoped.hits):
        problems.append(f"searching {COMMON_WORD} in the {visibility} community: {scoped.total} found")

    for prefix in PREFIXES:
        titles = backend.suggest(prefix, who, 50)
        if shown := shown_secrets(role, repr(titles)):
            problems.append(f"titles for {prefix!r} show {shown}")
    thread_titles = " ".join(title["title"] for title in backend.suggest(PREFIXES[0], who, 50))
    if expected and word not in thread_titles:
        problems.append(f"titles for {PREFIXES[0]!r} miss the {visibility} thread: {thread_titles!r}")
    return problems


def check_search_pages(world, role, visibility):
    """The pages and answers a browser gets: what they show, less what they echo of the request itself."""
    problems = []
    client = Client()
    sign_in(client, world, role)
    word = secret(visibility)
    community = world.scenes[visibility].community.pk
    for path, query in [
        ("/search/", {"q": word}),
        ("/search/", {"q": misspelled(word)}),
        ("/search/", {"q": COMMON_WORD, "community": community}),
        ("/search/autocomplete/", {"q": word[:-2]}),
        ("/search/autocomplete/", {"q": PREFIXES[0]}),
        ("/library/", {"q": word}),
    ]:
        url = f"{path}?{urlencode(query)}"
        response = client.get(url)
        body = read(response).decode()
        if response.status_code != 200:
            problems.append(f"GET {url}: {response.status_code}")
        echo = read(client.get(url.replace(word, NOWHERE))).decode().count(NOWHERE) if word in url else 0
        for shown in shown_secrets(role, body):
            if body.count(shown) > (echo if shown == word else 0):
                problems.append(f"GET {url} shows {shown}")
    return problems
