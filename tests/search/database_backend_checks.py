"""Checks particular to the database backend, run on SQLite and on PostgreSQL alike (beside the contract)."""

import pytest

from search.backends.database import MARK_END, MARK_START
from search.documents import Access, SearchFilters
from search.models import SearchEntry
from tests.search.contract import CORPUS, MEMBER, MEMBER_ELSEWHERE, STAFF, VISITOR, doc, facet, keys

NASTY_QUERIES = [
    'AND ( " * NEAR', "NEAR(a b)", "title:secret", "contact OR", "NOT", "-contact", "^contact", "contact*", "{title body}:x",
    "'", "''", "\\", '"', '"""', '"unclosed phrase', "a & b | !c", "<-> <2>", "contact:*", "()", "%_", ";--", "\x00",
    "ñandú über café", "日本語", "x" * 300, " ".join(["contact"] * 100),
]


class DatabaseBackendChecks:
    """Mixed into the per-database test classes, which provide the `backend` fixture."""

    @pytest.fixture
    def indexed(self, backend):
        backend.index(CORPUS)
        return backend

    @staticmethod
    def search(backend, query, reader=VISITOR, **filters):
        return backend.search(query, reader, SearchFilters(**filters), page=1, per_page=10)

    @pytest.mark.parametrize("query", NASTY_QUERIES)
    def test_query_syntax_characters_are_words_not_syntax(self, indexed, query):
        results = self.search(indexed, query, STAFF)
        assert results.total >= len(results.hits)
        indexed.suggest(query, STAFF)

    def test_operators_are_ordinary_words(self, indexed):
        assert keys(self.search(indexed, "contact AND avoidable", STAFF))  # "and" is a stop word, not syntax
        assert "thread:1" not in keys(self.search(indexed, "title:secret", STAFF))

    def test_a_query_of_stop_words_only_finds_nothing(self, indexed):
        assert self.search(indexed, "the and of", STAFF).total == 0

    def test_all_words_are_required(self, indexed):
        assert keys(self.search(indexed, "contact ring")) == ["thread:1"]

    def test_a_quoted_synonym_still_matches_its_equivalents(self, indexed):
        assert "thread:7" in keys(self.search(indexed, '"contact centre"', STAFF))  # "customer service centre"
        assert "deck:6" in keys(self.search(indexed, '"performance indicators"', STAFF))

    def test_nul_characters_in_text_are_dropped(self, backend):
        backend.index([doc("thread:45", "Extracted\x00 text", "Bench\x00marking from a PDF.")])
        assert keys(self.search(backend, "benchmarking")) == ["thread:45"]

    def test_text_that_looks_like_markers_cannot_forge_highlights(self, backend):
        backend.index([doc("thread:40", "Markers", f"{MARK_START}<b>bold</b>{MARK_END} benchmarking")])
        snippet = str(self.search(backend, "benchmarking").hits[0].snippet)
        assert snippet.count("<mark>") == snippet.count("</mark>") == 1
        assert "<b>" not in snippet

    def test_a_long_text_is_highlighted_where_the_words_are_however_deep(self, backend):
        filler = "Quarterly budget monitoring for the parks service. " * 2000  # 100,000 characters
        backend.index([
            doc("thread:41", "A long thread", f"{filler}We tried mystery shopping of the contact centre. {filler}"),
            doc("thread:42", "Another long thread", f"{filler}Two mysteries remained after the audit. {filler}"),
        ])
        for query, key, words in (("mystery shopping", "thread:41", "<mark>mystery</mark> <mark>shopping</mark>"),
                                  ("mysteries", "thread:42", "<mark>mysteries</mark>")):
            snippet = str(next(hit for hit in self.search(backend, query).hits if hit.key == key).snippet)
            assert words in snippet.lower()

    def test_topic_filter_matches_whole_slugs_only(self, indexed):
        assert keys(self.search(indexed, "contact", topic="national-indicators")) == ["deck:3"]
        for partial in ("national", "indicators", "national-indicator", "%", "national-indicators performance"):
            assert self.search(indexed, "contact", topic=partial).total == 0

    def test_facets_carry_labels(self, indexed):
        results = self.search(indexed, "contact", STAFF)
        labels = {name: {v.value: v.label for v in values} for name, values in results.facets.items()}
        assert labels["kind"]["thread"] == "Discussions"
        assert labels["community"]["1"] == "Policy and Performance"
        assert labels["community"][str(7)] == "Performance Leads Network"
        assert labels["topic"]["national-indicators"] == "National indicators"
        assert labels["year"]["2024"] == "2024"
        assert sum(v.count for v in results.facets["kind"]) == results.total

    def test_total_and_facets_follow_the_permission_rule(self, indexed):
        private = self.search(indexed, "centre", MEMBER)
        assert "thread:7" in keys(private) and facet(private, "community").get("7") == 1
        outsider = self.search(indexed, "centre", MEMBER_ELSEWHERE)
        assert "7" not in facet(outsider, "community") and outsider.total == private.total - 1

    def test_community_content_without_a_community_is_for_staff_only(self, backend):
        backend.index([doc("thread:41", "Orphaned benchmarking", access=Access.COMMUNITY, community_id=None)])
        assert self.search(backend, "benchmarking", MEMBER).total == 0
        assert keys(self.search(backend, "benchmarking", STAFF)) == ["thread:41"]

    def test_did_you_mean_never_offers_words_only_private_content_has(self, indexed):
        assert self.search(indexed, "confidentail", VISITOR).suggestion == ""
        assert self.search(indexed, "confidentail", MEMBER).suggestion == "confidential"

    def test_did_you_mean_is_empty_for_a_query_that_finds_enough(self, indexed):
        assert self.search(indexed, "contact").suggestion == ""

    def test_did_you_mean_sees_newly_indexed_words(self, indexed):
        assert self.search(indexed, "abandonmnet").suggestion == ""
        indexed.index([doc("thread:42", "Abandonment rates", "Published weekly.")])
        assert self.search(indexed, "abandonmnet").suggestion == "abandonment"

    def test_a_page_past_the_end_is_empty_but_keeps_the_total(self, indexed):
        results = indexed.search("contact", VISITOR, SearchFilters(), page=9, per_page=10)
        assert results.hits == [] and results.total > 0

    def test_index_upserts_and_rebuild_keeps_the_last_of_a_repeated_key(self, backend):
        backend.index([doc("thread:43", "First title"), doc("thread:43", "Second title")])
        assert list(SearchEntry.objects.values_list("title", flat=True)) == ["Second title"]
        backend.rebuild(iter([doc("thread:44", "Old benchmarking"), doc("thread:44", "New benchmarking")]))
        assert [hit.title for hit in self.search(backend, "benchmarking").hits] == ["New benchmarking"]

    def test_suggest_matches_word_starts_and_is_ordered_and_limited(self, indexed):
        titles = [s["title"] for s in indexed.suggest("contact", VISITOR)]
        assert titles[0] == "Contact and avoidable demand"  # starts with it
        assert "Measuring first-contact resolution" in titles
        assert indexed.suggest("ontact", VISITOR) == []     # not a word start
        assert len(indexed.suggest("contact", VISITOR, limit=1)) == 1
        assert indexed.suggest("natarajan", VISITOR) == [] and indexed.suggest("natarajan", MEMBER)
