"""What the search backends store: one flat document per searchable thing, whatever its kind."""

import hashlib

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString

KINDS = {
    "thread": "Discussions",
    "deck": "Slide decks",
    "case_study": "Case studies",
    "community": "Communities",
    "profile": "Members",
    "roundup": "Roundups",
}

KIND_LABELS = {"thread": "Discussion", "deck": "Slide deck", "case_study": "Case study", "community": "Community",
               "profile": "Member", "roundup": "Roundup"}


class Access:
    """Who may read a document. Every backend filters on these inside the query itself."""

    PUBLIC = "public"          # anyone, signed in or not
    COMMUNITY = "community"    # active members of document.community_id (and staff)
    MEMBERS = "members"        # any signed-in member (member profiles)


@dataclass
class SearchDocument:
    key: str                   # "<kind>:<pk>", unique across kinds
    kind: str
    title: str
    body: str
    url: str
    access: str
    date: datetime
    community_id: int | None = None
    community_title: str = ""
    topics: list[str] = field(default_factory=list)       # slugs, for filtering and facets
    topic_names: list[str] = field(default_factory=list)  # for display and matching
    listed_year: int | None = None  # the year it is filed under, when not its date's (a deck's, the year presented)

    @property
    def year(self):
        return self.listed_year or self.date.year

    @property
    def fingerprint(self):
        """Changes whenever anything searchable about the document does; `--check` compares these."""
        parts = [self.kind, self.title, self.body, self.url, self.access, str(self.community_id), self.community_title,
                 ",".join(self.topics), self.date.isoformat(), *([str(self.listed_year)] if self.listed_year else [])]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Reader:
    """What the permission filter needs to know about the person searching."""

    is_staff: bool = False
    is_authenticated: bool = False
    community_ids: list[int] = field(default_factory=list)  # communities whose non-public content they may read


@dataclass
class SearchFilters:
    kind: str = ""
    kinds: tuple[str, ...] = ()  # any of these kinds (the library searches decks and case studies together)
    community: int | None = None
    topic: str = ""
    year: int | None = None


@dataclass
class Hit:
    key: str
    kind: str
    title: str
    url: str
    snippet: SafeString
    date: datetime
    community_title: str = ""
    topic_names: list[str] = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)  # "kind", "community", "topic", "year"
    suggestion: str = ""       # "did you mean", when the query finds little
    degraded: bool = False     # answered by the fallback backend while Elasticsearch is unreachable
    relaxed: bool = False      # nothing had every word, so these have some of them

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.per_page))
