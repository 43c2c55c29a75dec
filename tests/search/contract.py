"""One behaviour suite for every search backend: subclass BackendContract and provide a `backend` fixture.

Documents are built directly, so the suite tests the backend alone: stemming, synonyms, phrases,
title boosts, highlighting, facets, pagination, suggestions, and the permission rules in hits,
totals, facets and autocomplete.
"""

from datetime import datetime, timezone

import pytest

from search.documents import Access, Reader, SearchDocument, SearchFilters

VISITOR = Reader()
MEMBER_ELSEWHERE = Reader(is_authenticated=True, community_ids=[99])
MEMBER = Reader(is_authenticated=True, community_ids=[7])
STAFF = Reader(is_staff=True, is_authenticated=True)
PRIVATE_COMMUNITY = 7


def doc(key, title, body="", kind="thread", access=Access.PUBLIC, community_id=1, community_title="Policy and Performance",
        topics=("performance-management",), year=2025):
    return SearchDocument(
        key=key, kind=kind, title=title, body=body, url=f"/{key.replace(':', '/')}/", access=access,
        date=datetime(year, 3, 1, tzinfo=timezone.utc), community_id=community_id, community_title=community_title,
        topics=list(topics), topic_names=[t.replace("-", " ").capitalize() for t in topics],
    )


CORPUS = [
    doc("thread:1", "Measuring first-contact resolution", "Our contact centre answers 92% of calls but a third ring back."),
    doc("thread:2", "A performance management framework managers use", "Fewer measures owned by the people who can act."),
    doc("deck:3", "Avoidable contact: a sampling method", "We measured NI14 over two weeks of phone and web contacts.",
        kind="deck", topics=("national-indicators",), year=2024),
    doc("case_study:4", "Channel strategy at Eastbridge", "Channel shift and digital take-up across the council.",
        kind="case_study", topics=("channel-strategy",), community_id=None, community_title=""),
    doc("thread:5", "Contact and avoidable demand", "Is demand that is avoidable the same as contact? Discuss.", year=2023),
    doc("deck:6", "Scrutiny questions", "The committee asked how key performance indicators were chosen.",
        kind="deck", topics=("scrutiny",), community_id=2, community_title="Scrutiny and Accountability"),
    doc("thread:7", "Confidential restructure of the customer service centre",
        "Secret plans for the customer service centre restructure.", access=Access.COMMUNITY,
        community_id=PRIVATE_COMMUNITY, community_title="Performance Leads Network", topics=("contact-centres",)),
    doc("profile:8", "Priya Natarajan", "Head of Policy and Performance, Northfield Borough Council",
        kind="profile", access=Access.MEMBERS, community_id=None, community_title="", topics=()),
    doc("community:9", "Local Government Association liaison", "Working with the national body on sector support.",
        kind="community", topics=("benchmarking",), community_id=9, community_title="Local Government Association liaison"),
]


def keys(results):
    return [hit.key for hit in results.hits]


def facet(results, name):
    return {value.value: value.count for value in results.facets.get(name, [])}


class BackendContract:
    """Tests every backend must pass. Subclasses provide the `backend` fixture (empty, ready to index)."""

    @pytest.fixture
    def indexed(self, backend):
        backend.index(CORPUS)
        return backend

    def search(self, backend, query, reader=VISITOR, **filters):
        return backend.search(query, reader, SearchFilters(**filters), page=1, per_page=10)

    def test_finds_by_a_word_in_the_body(self, indexed):
        assert "thread:1" in keys(self.search(indexed, "ring back"))

    def test_stemming_finds_other_forms_of_a_word(self, indexed):
        assert "thread:2" in keys(self.search(indexed, "performance managed"))
        assert "deck:3" in keys(self.search(indexed, "measure"))

    @pytest.mark.parametrize("query, expected", [
        ("NI14", "deck:3"),
        ("national indicator 14", "deck:3"),
        ("KPI", "deck:6"),
        ("contact centre", "thread:1"),
        ("CSC", "thread:1"),
        ("LGA", "community:9"),
    ])
    def test_domain_synonyms_match_each_other(self, indexed, query, expected):
        assert expected in keys(self.search(indexed, query, STAFF))

    def test_a_quoted_phrase_matches_the_words_together(self, indexed):
        found = keys(self.search(indexed, '"avoidable contact"'))
        assert "deck:3" in found
        assert "thread:5" not in found

    def test_a_quoted_phrase_is_taken_as_written_without_synonyms(self, indexed):
        assert "thread:7" in keys(self.search(indexed, "customer service centre", STAFF))
        assert "thread:1" in keys(self.search(indexed, "customer service centre", STAFF))
        quoted = keys(self.search(indexed, '"customer service centre"', STAFF))
        assert "thread:7" in quoted
        assert "thread:1" not in quoted

    def test_a_title_match_ranks_above_a_body_match(self, backend):
        backend.index([
            doc("thread:20", "Budget setting", "We also discussed channel strategy briefly."),
            doc("thread:21", "Channel strategy", "How we set targets."),
        ])
        assert keys(self.search(backend, "channel strategy"))[:2] == ["thread:21", "thread:20"]

    def test_without_match_all_any_word_will_do_and_more_words_rank_higher(self, indexed):
        query = "first contact resolution tariffs"
        assert self.search(indexed, query).total == 0
        relaxed = indexed.search(query, VISITOR, SearchFilters(), page=1, per_page=10, match_all=False)
        assert keys(relaxed)[0] == "thread:1"
        assert "thread:5" in keys(relaxed)  # "contact" alone

    def test_any_word_still_keeps_private_content_private(self, indexed):
        relaxed = indexed.search("restructure budget", VISITOR, SearchFilters(), page=1, per_page=10, match_all=False)
        assert "thread:7" not in keys(relaxed) and relaxed.total == 0

    def test_snippets_highlight_the_match_and_escape_the_text(self, backend):
        backend.index([doc("thread:30", "Escaping", "Benchmarking <script>alert(1)</script> with peers matters.")])
        snippet = str(self.search(backend, "benchmarking").hits[0].snippet)
        assert "<mark>" in snippet and "Benchmarking" in snippet
        assert "<script>" not in snippet

    def test_facets_count_kinds_communities_topics_and_years(self, indexed):
        results = self.search(indexed, "contact")
        kinds = facet(results, "kind")
        assert kinds.get("thread", 0) >= 2 and kinds.get("deck", 0) >= 1
        assert facet(results, "year").get("2024") == 1
        assert "national-indicators" in facet(results, "topic")
        assert "1" in facet(results, "community")

    def test_filters_narrow_by_kind_topic_community_and_year(self, indexed):
        assert keys(self.search(indexed, "contact", kind="deck")) == ["deck:3"]
        assert keys(self.search(indexed, "contact", topic="national-indicators")) == ["deck:3"]
        assert set(keys(self.search(indexed, "scrutiny", community=2))) == {"deck:6"}
        assert keys(self.search(indexed, "contact", year=2023)) == ["thread:5"]
        assert set(keys(self.search(indexed, "avoidable", kinds=("deck", "case_study")))) == {"deck:3"}

    def test_results_are_paginated_with_a_total(self, backend):
        backend.index([doc(f"thread:{100 + n}", f"Benchmarking note {n}", "benchmarking") for n in range(25)])
        first = backend.search("benchmarking", VISITOR, SearchFilters(), page=1, per_page=10)
        third = backend.search("benchmarking", VISITOR, SearchFilters(), page=3, per_page=10)
        assert first.total == 25 and len(first.hits) == 10
        assert len(third.hits) == 5
        assert not set(keys(first)) & set(keys(third))

    def test_indexing_twice_replaces_rather_than_duplicates(self, indexed):
        indexed.index([doc("thread:1", "Measuring first-contact resolution", "Now about repeat callers.")])
        results = self.search(indexed, "resolution")
        assert keys(results).count("thread:1") == 1
        assert "thread:1" not in keys(self.search(indexed, "ring back"))

    def test_removed_documents_are_not_found(self, indexed):
        indexed.remove(["thread:1", "thread:unknown"])
        assert "thread:1" not in keys(self.search(indexed, "resolution"))

    def test_a_private_community_thread_is_invisible_to_visitors_and_outsiders(self, indexed):
        for reader in (VISITOR, MEMBER_ELSEWHERE):
            results = self.search(indexed, "customer service centre restructure", reader)
            assert "thread:7" not in keys(results)
            assert str(PRIVATE_COMMUNITY) not in facet(results, "community")
            assert "contact-centres" not in facet(results, "topic")
            assert results.total == 0
            assert all("Confidential" not in s["title"] for s in indexed.suggest("confid", reader))
        assert self.search(indexed, "secret plans", VISITOR).total == 0

    def test_did_you_mean_never_offers_a_word_only_private_content_has(self, indexed):
        assert self.search(indexed, "confidentail", VISITOR).suggestion != "confidential"
        assert self.search(indexed, "confidentail", MEMBER_ELSEWHERE).suggestion != "confidential"
        assert self.search(indexed, "confidentail", MEMBER).suggestion == "confidential"

    def test_a_member_and_staff_see_the_private_community_thread(self, indexed):
        assert "thread:7" in keys(self.search(indexed, "secret plans", MEMBER))
        assert "thread:7" in keys(self.search(indexed, "secret plans", STAFF))
        assert self.search(indexed, "customer service centre restructure", STAFF).total == 1
        assert any(s["title"].startswith("Confidential") for s in indexed.suggest("confid", MEMBER))
        assert any(s["title"].startswith("Confidential") for s in indexed.suggest("confid", STAFF))

    def test_member_profiles_are_for_signed_in_members_only(self, indexed):
        assert "profile:8" not in keys(self.search(indexed, "Natarajan", VISITOR))
        assert "profile:8" in keys(self.search(indexed, "Natarajan", MEMBER_ELSEWHERE))

    def test_autocomplete_suggests_titles_by_prefix(self, indexed):
        titles = [s["title"] for s in indexed.suggest("avoid", VISITOR)]
        assert "Avoidable contact: a sampling method" in titles
        suggestion = indexed.suggest("avoid", VISITOR)[0]
        assert suggestion["url"] and suggestion["kind"]

    def test_a_misspelt_query_gets_a_did_you_mean(self, indexed):
        results = self.search(indexed, "perfomance")
        assert results.suggestion == "performance"

    def test_an_empty_query_finds_nothing_without_error(self, indexed):
        assert self.search(indexed, "").total == 0

    def test_fingerprints_show_what_is_indexed(self, indexed):
        fingerprints = indexed.indexed_fingerprints()
        assert fingerprints["deck:3"] == CORPUS[2].fingerprint
        assert len(fingerprints) == len(CORPUS)

    def test_rebuild_replaces_the_index(self, indexed):
        indexed.rebuild(iter(CORPUS[:2]))
        assert set(indexed.indexed_fingerprints()) == {"thread:1", "thread:2"}
        assert "thread:1" in keys(self.search(indexed, "resolution"))
