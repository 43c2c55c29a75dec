"""The library's named queries. One listing serves /library/, a community's library tab and the feed."""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import F, Q
from django.db.models.functions import Coalesce, ExtractYear, TruncDate

from communities.models import CommunityPage
from cop_site.params import four_digit_year, page_asked
from communities.queries import community_listing
from search import service as search_service
from search.documents import SearchFilters

from .models import CaseStudyPage, SlideDeck, Topic
from .permissions import readable_decks_filter

ITEMS_PER_PAGE = 24
KINDS = {"deck": "Slide decks", "case_study": "Case studies"}
SORTS = {"newest": "Newest first", "title": "Title A–Z"}


@dataclass
class LibraryFilters:
    query: str = ""
    kind: str = ""
    topic: str = ""
    community: str = ""
    year: int | None = None
    sort: str = "newest"

    @classmethod
    def from_query(cls, params):
        """Read filters from a query string, ignoring anything that isn't a known value."""
        year = params.get("year", "")
        return cls(
            query=params.get("q", "").strip()[:200],
            kind=params.get("kind", "") if params.get("kind") in KINDS else "",
            topic=params.get("topic", "")[:80],
            community=params.get("community", "")[:100],
            year=four_digit_year(year),
            sort=params.get("sort") if params.get("sort") in SORTS else "newest",
        )


@dataclass
class LibraryItem:
    kind: str
    obj: object
    title: str = ""
    url: str = ""
    summary: str = ""
    when: date | None = None
    community: object = None
    topics: list = field(default_factory=list)
    thumbnail_url: str = ""


def readable_decks(user):
    return SlideDeck.objects.filter(readable_decks_filter(user))


def listed_case_studies():
    return CaseStudyPage.objects.live().public()


def _filtered_decks(user, filters):
    decks = readable_decks(user).annotate(
        year=ExtractYear(Coalesce("presented_on", TruncDate("created_at"))), listed_at=F("created_at")
    )
    return _narrowed(decks, filters)


def _filtered_case_studies(filters):
    studies = listed_case_studies().annotate(year=ExtractYear("first_published_at"), listed_at=F("first_published_at"))
    return _narrowed(studies, filters)


def _narrowed(items, filters):
    """Topic, community and year filters, the same for decks and case studies (both annotated with `year`)."""
    if filters.topic:
        items = items.filter(topics__slug=filters.topic)
    if filters.community:
        items = items.filter(community__slug=filters.community)
    if filters.year:
        items = items.filter(year=filters.year)
    return items


def library_page(user, filters, page_number=1, per_page=ITEMS_PER_PAGE):
    """One page of decks and case studies together, filtered and sorted; a fixed number of queries.

    With words to look for, the site's search service answers (best match first) and the cards load as usual.
    """
    if filters.query:
        return library_search_page(user, filters, page_number, per_page)
    keys = []
    if filters.kind in ("", "deck"):
        keys += [("deck", pk, listed_at, title) for pk, listed_at, title in
                 _filtered_decks(user, filters).values_list("pk", "listed_at", "title").distinct()]
    if filters.kind in ("", "case_study"):
        keys += [("case_study", pk, listed_at, title) for pk, listed_at, title in
                 _filtered_case_studies(filters).values_list("pk", "listed_at", "title").distinct()]
    if filters.sort == "title":
        keys.sort(key=lambda key: key[3].casefold())
    else:
        keys.sort(key=lambda key: (key[2] is not None, key[2] or 0), reverse=True)
    page = Paginator(keys, per_page).get_page(page_number)
    page.object_list = load_items(page.object_list)
    return page


def library_search_page(user, filters, page_number, per_page):
    community = CommunityPage.objects.filter(slug=filters.community).values_list("pk", flat=True).first()
    search_filters = SearchFilters(
        kind=filters.kind, kinds=tuple(KINDS), topic=filters.topic, year=filters.year,
        community=community if filters.community else None,
    )
    number = page_asked(page_number)
    results = search_service.search(filters.query, user, search_filters, number, per_page)
    if filters.community and community is None:
        results.hits, results.total = [], 0
    keys = [tuple(hit.key.split(":")) for hit in results.hits]
    page = Paginator(range(results.total), per_page).get_page(number)
    page.object_list = load_items([(kind, int(pk)) for kind, pk in keys])
    return page


def load_items(keys):
    """Turn (kind, pk, ...) keys into cards, loading each kind with its relations in one go."""
    deck_ids = [pk for kind, pk, *_ in keys if kind == "deck"]
    study_ids = [pk for kind, pk, *_ in keys if kind == "case_study"]
    decks = SlideDeck.objects.filter(pk__in=deck_ids).select_related("community").prefetch_related("topics") if deck_ids else []
    studies = (
        CaseStudyPage.objects.filter(pk__in=study_ids).select_related("community").prefetch_related("topics")
        if study_ids else []
    )
    loaded = {("deck", deck.pk): deck_item(deck) for deck in decks}
    loaded.update({("case_study", study.pk): case_study_item(study) for study in studies})
    return [loaded[(kind, pk)] for kind, pk, *_ in keys if (kind, pk) in loaded]


def deck_item(deck):
    return LibraryItem(
        kind="deck", obj=deck, title=deck.title, url=deck.get_absolute_url(), summary=deck.event,
        when=deck.presented_on or deck.created_at.date(), community=deck.community, topics=list(deck.topics.all()),
        thumbnail_url=deck.get_thumbnail_url(),
    )


def case_study_item(study):
    return LibraryItem(
        kind="case_study", obj=study, title=study.title, url=study.url, summary=study.summary,
        when=study.first_published_at.date() if study.first_published_at else None,
        community=study.community, topics=list(study.topics.all()),
    )


def filter_options(user):
    """What the filter form offers: topics, communities with readable items, years."""
    deck_years = readable_decks(user).annotate(y=ExtractYear(Coalesce("presented_on", TruncDate("created_at")))).values_list("y", flat=True)
    study_years = listed_case_studies().annotate(y=ExtractYear("first_published_at")).values_list("y", flat=True)
    return {
        "kinds": KINDS,
        "sorts": SORTS,
        "topics": Topic.objects.all(),
        "communities": community_listing(user).only("title", "slug"),
        "years": sorted({year for year in [*deck_years.distinct(), *study_years.distinct()] if year}, reverse=True),
    }


def most_downloaded_decks(community, limit):
    """The decks shared with a community that people have downloaded, most downloads first (its dashboard)."""
    return SlideDeck.objects.filter(community=community, download_count__gt=0).order_by("-download_count", "title")[:limit]


def new_in_library(user, since, community_ids, limit):
    """Decks and case studies added since a moment, shared with these communities or the whole library, newest
    first (the member home): ([at most `limit` cards], whether there are more)."""
    shared = Q(community__isnull=True) | Q(community_id__in=community_ids)
    decks = readable_decks(user).filter(shared, created_at__gt=since).order_by("-created_at")
    studies = listed_case_studies().filter(shared, first_published_at__gt=since).order_by("-first_published_at")
    keys = [("deck", pk, added) for pk, added in decks.values_list("pk", "created_at")[:limit + 1]]
    keys += [("case_study", pk, added) for pk, added in studies.values_list("pk", "first_published_at")[:limit + 1]]
    keys.sort(key=lambda key: key[2], reverse=True)
    return load_items(keys[:limit]), len(keys) > limit


def deck_for(user, deck_id):
    return readable_decks(user).select_related("community", "uploaded_by__profile").prefetch_related("topics", "previews").get(pk=deck_id)
