"""Judged relevance cases from the domain: for each query, the documents that must rank in the top 3.

The corpus paraphrases the themes of ../shared/seed-content (contact-centre performance, NI14, Total Place,
channel costs, scrutiny of a customer service centre, intervention plans) in fresh words, with distractors
that share some of the words. Subclass RelevanceCases with a `backend` fixture to run them on a backend.
"""

import pytest

from search.documents import SearchFilters
from tests.search.contract import STAFF, doc

CORPUS = [
    doc("thread:1", "Good call handling stats but poor resolution",
        "The council answers calls quickly, yet residents ring back because the back office never resolves the request."),
    doc("deck:2", "Avoidable contact: measuring NI14",
        "How to sample contacts and classify them as value or avoidable demand, and feed causes back to services.",
        kind="deck", topics=("national-indicators",)),
    doc("case_study:3", "An intervention plan for customer service performance",
        "Interventions by when and by whom, resource implications, main risk, contingency, monitoring and expected outcome.",
        kind="case_study", topics=("performance-management",)),
    doc("thread:4", "Customer insight through a Total Place lens",
        "Pilots used customer insight to join up services across the public sector and stop duplicating work."),
    doc("thread:5", "Telephone cost per contact: which figure do you use?",
        "One report says a phone contact costs a little over a pound; another says over three pounds."),
    doc("case_study:6", "Scrutiny of a customer service centre transformation",
        "The committee asked about web chat, digital inclusion, staff morale and centralising complaints.",
        kind="case_study", topics=("scrutiny",)),
    doc("thread:7", "Listening to recorded calls on the drive home",
        "A chief executive listens to random customer calls to keep a finger on the pulse."),
    doc("thread:8", "Key performance indicators for planning",
        "Which KPIs show whether planning applications are decided on time?"),
    doc("deck:9", "Channel shift and the information-seeking web visit",
        "Two in three visits to council websites are to find information, so clear content prevents calls.",
        kind="deck", topics=("channel-strategy",)),
    # Distractors: share words with the queries above but are not what a practitioner wants.
    doc("thread:10", "Call for papers: annual conference", "Submit a talk about anything from parks to libraries."),
    doc("thread:11", "Performance of the new bin lorries", "Fuel use and breakdowns this quarter."),
    doc("thread:12", "Planning committee agenda", "The agenda mentions resolution of a boundary dispute."),
]

CASES = [
    ("avoidable contact", ["deck:2"]),
    ("NI14", ["deck:2"]),
    ("national indicator 14", ["deck:2"]),
    ("call handling resolution", ["thread:1"]),
    ("intervention plan", ["case_study:3"]),
    ("total place customer insight", ["thread:4"]),
    ("cost per contact telephone", ["thread:5"]),
    ("scrutiny contact centre", ["case_study:6"]),
    ("KPI planning", ["thread:8"]),
    ("channel shift website", ["deck:9"]),
    ("recorded calls", ["thread:7"]),
]


class RelevanceCases:
    @pytest.fixture
    def judged(self, backend):
        backend.index(CORPUS)
        return backend

    @pytest.mark.parametrize("query, expected", CASES, ids=[query for query, _ in CASES])
    def test_the_expected_documents_rank_in_the_top_three(self, judged, query, expected):
        top = [hit.key for hit in judged.search(query, STAFF, SearchFilters(), page=1, per_page=3).hits]
        for key in expected:
            assert key in top, f"{query!r}: expected {key} in the top 3, got {top}"
