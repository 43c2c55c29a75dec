"""The Elasticsearch backend against a real node: the contract suite, rebuilds under load, an unreachable node."""

import threading
import time
import uuid

import pytest

from search.backends.base import SearchUnavailable
from search.backends.elastic import ElasticsearchBackend
from search.documents import Access, SearchFilters
from tests.search.relevance import RelevanceCases
from tests.search.contract import CORPUS, MEMBER, STAFF, VISITOR, BackendContract, doc, keys

pytestmark = pytest.mark.integration

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def backend(settings):
    """An empty backend on indexes of its own, deleted afterwards."""
    if not settings.ELASTICSEARCH_URL:
        pytest.fail("settings.ELASTICSEARCH_URL is empty: run the integration tests through `make test` "
                    "(scripts/with-test-services.sh provides Elasticsearch)")
    prefix = settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:12]}"
    backend = ElasticsearchBackend(url=settings.ELASTICSEARCH_URL)
    yield backend
    # By name: Elasticsearch 8 refuses to delete by wildcard (action.destructive_requires_name).
    for name in backend.client.indices.get(index=f"{prefix}-*"):
        backend.client.indices.delete(index=name)


def search(backend, query, reader=VISITOR, per_page=10, **filters):
    return backend.search(query, reader, SearchFilters(**filters), page=1, per_page=per_page)


class TestElasticsearchBackend(BackendContract, RelevanceCases):
    """The contract suite, on the `backend` fixture above."""


def notes(count, start=0):
    return [doc(f"thread:{start + n}", f"Benchmarking note {start + n}", "benchmarking with peers")
            for n in range(count)]


def test_a_rebuild_while_searches_run_never_fails_a_search_and_loses_nothing(backend):
    documents = notes(60)
    backend.index(documents)
    answers, errors, stop = [], [], threading.Event()

    def search_in_a_loop():
        while not stop.is_set():
            try:
                results = search(backend, "benchmarking", per_page=100)
                answers.append((results.total, len(results.hits)))
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(error)

    searcher = threading.Thread(target=search_in_a_loop)
    searcher.start()
    try:
        for _ in range(3):
            backend.rebuild(iter(documents))
    finally:
        stop.set()
        searcher.join(timeout=30)
    assert errors == []
    assert len(answers) > 10
    assert set(answers) == {(60, 60)}
    assert len(backend.client.indices.get(index=f"{backend.prefix}-*")) == 1


def test_a_search_whose_index_closes_under_it_asks_again(backend, monkeypatch):
    # What the node answers when a rebuild deletes the index a search had resolved while the query was being built: a
    # rare turn of the race the test above runs, written out so that it is met every time.
    backend.index(notes(3))
    closed = {"status": 400, "error": {
        "type": "search_phase_execution_exception", "reason": "all shards failed", "phase": "query",
        "root_cause": [{"type": "query_shard_exception", "reason": "failed to create query: this Analyzer is closed"}],
        "failed_shards": [{"shard": 0, "reason": {
            "type": "query_shard_exception", "reason": "failed to create query: this Analyzer is closed",
            "caused_by": {"type": "already_closed_exception", "reason": "this Analyzer is closed"}}}],
    }}
    answered = backend.client.msearch
    calls = []

    def msearch(**request):
        calls.append(request)
        answer = answered(**request)
        if len(calls) == 1:
            answer.body["responses"][0] = closed
        return answer

    monkeypatch.setattr(backend.client, "msearch", msearch)
    assert search(backend, "benchmarking").total == 3
    assert len(calls) == 2


def test_a_search_refused_for_another_reason_is_not_asked_again(backend, monkeypatch):
    backend.index(notes(3))
    answered = backend.client.msearch
    calls = []

    def msearch(**request):
        calls.append(request)
        answer = answered(**request)
        answer.body["responses"][0] = {"status": 400, "error": {"type": "parsing_exception", "reason": "unknown query"}}
        return answer

    monkeypatch.setattr(backend.client, "msearch", msearch)
    with pytest.raises(Exception, match="unknown query"):
        search(backend, "benchmarking")
    assert len(calls) == 1


def test_changes_made_during_a_rebuild_reach_the_new_index(backend):
    documents = notes(20)
    backend.index(documents)

    def documents_read_while_things_change():
        for n, document in enumerate(documents):
            if n == 10:
                # Written while the rebuild runs: a new document; an edit and a removal of documents the rebuild
                # has read but not yet written (its copies are older); and a document gone before it is read.
                backend.index([doc("thread:500", "Benchmarking added meanwhile", "benchmarking"),
                               doc("thread:3", "Benchmarking retitled meanwhile", "benchmarking")])
                backend.remove(["thread:5", "thread:15"])
                assert "thread:500" in keys(search(backend, "added meanwhile"))   # the live index has it already
            if document.key != "thread:15":   # removed before the rebuild got to it: no longer in the database
                yield document

    backend.rebuild(documents_read_while_things_change())
    found = set(keys(search(backend, "benchmarking", per_page=100)))
    assert "thread:500" in found
    assert "thread:5" not in found and "thread:15" not in found
    assert len(found) == 19
    assert keys(search(backend, "retitled")) == ["thread:3"]


def test_an_old_index_is_deleted_by_the_rebuild_that_replaces_it(backend):
    backend.index(CORPUS)
    before = set(backend.client.indices.get(index=f"{backend.prefix}-*"))
    backend.rebuild(iter(CORPUS))
    after = set(backend.client.indices.get(index=f"{backend.prefix}-*"))
    assert len(after) == 1 and not after & before


def test_a_rebuild_that_fails_leaves_the_live_index_answering(backend):
    backend.index(CORPUS)

    def documents_then_a_failure():
        yield CORPUS[0]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents_then_a_failure())
    assert "thread:1" in keys(search(backend, "resolution"))
    assert len(backend.client.indices.get(index=f"{backend.prefix}-*")) == 1


def test_the_index_is_created_on_first_use(backend):
    assert search(backend, "anything").total == 0
    assert backend.suggest("any", VISITOR) == []
    assert backend.indexed_fingerprints() == {}
    assert backend.client.indices.exists_alias(name=f"{backend.prefix}-content")


def test_a_synonym_with_a_stop_word_inside_matches_both_ways(backend):
    backend.index([doc("thread:1", "FOI requests", "Handling them."), doc("thread:2", "Freedom of information", "Requests.")])
    assert set(keys(search(backend, "FOI"))) == {"thread:1", "thread:2"}
    assert set(keys(search(backend, "freedom of information"))) == {"thread:1", "thread:2"}


def test_a_quoted_phrase_is_matched_as_written_without_synonyms(backend):
    backend.index([doc("thread:1", "FOI requests", "Handling them."), doc("thread:2", "Freedom of information", "Requests.")])
    assert keys(search(backend, '"freedom of information"')) == ["thread:2"]
    assert keys(search(backend, '"freedom of information" requests')) == ["thread:2"]


def test_a_synonym_finds_its_plural_and_is_highlighted_whole(backend):
    backend.index([
        doc("thread:1", "Opening hours", "Our call centres close at six."),
        doc("thread:2", "Monthly report", "We publish our KPIs every month."),
        doc("thread:3", "Repeat contacts", "Repeat contacts centre on missed bins."),   # the words, not the synonym
    ])
    results = search(backend, "contact centre")
    assert keys(results) == ["thread:1"]
    assert "<mark>call centres</mark>" in str(results.hits[0].snippet)
    assert keys(search(backend, "key performance indicator")) == ["thread:2"]


def test_a_quoted_synonym_is_matched_as_written(backend):
    backend.index([doc("thread:1", "CSC opening hours", "Open until six."),
                   doc("thread:2", "Contact centre opening hours", "Open until six.")])
    assert set(keys(search(backend, "CSC"))) == {"thread:1", "thread:2"}
    assert keys(search(backend, '"CSC"')) == ["thread:1"]


def test_the_index_prefix_is_read_from_settings_on_each_use(backend, settings):
    backend.index(CORPUS)
    first = settings.SEARCH_INDEX_PREFIX
    settings.SEARCH_INDEX_PREFIX = f"{first}-other"
    try:
        assert search(backend, "resolution").total == 0
        assert backend.client.indices.exists_alias(name=f"{first}-other-content")
    finally:
        settings.SEARCH_INDEX_PREFIX = first
    assert "thread:1" in keys(search(backend, "resolution"))


def test_a_snippet_without_a_match_in_the_body_is_its_escaped_start(backend):
    backend.index([doc("thread:40", "Benchmarking", "<b>Peer</b> groups & league tables.")])
    snippet = str(search(backend, "benchmarking").hits[0].snippet)
    assert snippet.startswith("&lt;b&gt;Peer&lt;") and "groups &amp; league" in snippet and "<b>" not in snippet


def test_facets_label_communities_topics_and_kinds(backend):
    backend.index(CORPUS)
    facets = search(backend, "contact").facets
    assert {v.value: v.label for v in facets["community"]}["1"] == "Policy and Performance"
    assert {v.value: v.label for v in facets["topic"]}["national-indicators"] == "National indicators"
    assert {v.value: v.label for v in facets["kind"]}["deck"] == "Slide decks"


def test_a_did_you_mean_never_offers_a_word_only_private_documents_contain(backend):
    backend.index([
        doc("thread:1", "Restructure plans", "Confidential restructure.", access=Access.COMMUNITY, community_id=7),
        doc("thread:2", "Public note", "Nothing to see."),
    ])
    assert search(backend, "restrucure", VISITOR).suggestion == ""
    assert search(backend, "restrucure", MEMBER).suggestion == "restructure"


def test_autocomplete_matches_a_later_word_of_a_title_and_keeps_to_the_limit(backend):
    backend.index(notes(12))
    backend.index(CORPUS)
    assert "Avoidable contact: a sampling method" in [s["title"] for s in backend.suggest("sampl", VISITOR)]
    assert len(backend.suggest("bench", VISITOR, limit=5)) == 5


def test_a_removed_document_leaves_autocomplete(backend):
    backend.index(CORPUS)
    backend.remove(["deck:3"])
    assert "Avoidable contact: a sampling method" not in [s["title"] for s in backend.suggest("avoid", VISITOR)]


def test_staff_get_every_title_in_autocomplete(backend):
    backend.index(CORPUS)
    assert any(s["title"].startswith("Confidential") for s in backend.suggest("confid", STAFF))


def test_an_unreachable_node_raises_search_unavailable_quickly(settings):
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:12]}"
    backend = ElasticsearchBackend(url=UNREACHABLE)
    started = time.monotonic()
    for call in (lambda: search(backend, "contact"), lambda: backend.suggest("cont", VISITOR),
                 lambda: backend.index(CORPUS[:1]), lambda: backend.remove(["thread:1"]),
                 backend.indexed_fingerprints, lambda: backend.rebuild(iter(CORPUS))):
        with pytest.raises(SearchUnavailable):
            call()
    assert time.monotonic() - started < 5
