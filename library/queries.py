"""The library's named queries. One listing serves /library/, a community's library tab and the feed."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import ExtractYear, Lower
from django.db.models.lookups import StartsWith
from wagtail.models import PageViewRestriction

from communities.models import CommunityPage
from cop_site.expressions import DateLiteral
from cop_site.params import four_digit_year, page_asked
from communities.permissions import listed_communities_key
from communities.queries import community_listing
from search import service as search_service
from search.documents import SearchFilters

from .models import CaseStudyPage, SlideDeck, Topic
from .permissions import deck_readers_key, readable_decks_filter

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
    """Live case studies with no view restriction on them or a page above them: Wagtail's public(), in the same query
    rather than one more for the restrictions."""
    restricted = PageViewRestriction.objects.filter(StartsWith(OuterRef("path"), F("page__path")))
    return CaseStudyPage.objects.live().filter(~Exists(restricted))


def _filtered_decks(user, filters):
    decks = _narrowed(readable_decks(user).annotate(listed_at=F("created_at")), filters)
    if not filters.year:
        return decks
    # The year's first and last days are written into the SQL: sent as parameters, PostgreSQL's plan for the prepared
    # statement took the year for 100 decks of 20,000 (7,800 in fact) and looped over them, twice as slow (11 ms, not 5).
    first, last = date(filters.year, 1, 1), date(filters.year, 12, 31)
    return decks.filter(listed_on__gte=DateLiteral(first), listed_on__lte=DateLiteral(last))


def _filtered_case_studies(filters):
    studies = _narrowed(listed_case_studies().annotate(listed_at=F("first_published_at")), filters)
    return studies.filter(first_published_at__year=filters.year) if filters.year else studies


def _narrowed(items, filters):
    """Topic and community filters, the same for decks and case studies."""
    if filters.topic:
        items = items.filter(topics__slug=filters.topic)
    if filters.community:
        items = items.filter(community__slug=filters.community)
    return items


def library_page(user, filters, page_number=1, per_page=ITEMS_PER_PAGE):
    """One page of decks and case studies together, filtered and sorted; a fixed number of queries.

    With words to look for, the site's search service answers (best match first) and the cards load as usual.
    """
    if filters.query:
        return library_search_page(user, filters, page_number, per_page)
    listings = []
    if filters.kind in ("", "deck"):
        listings.append(_filtered_decks(user, filters).annotate(item_kind=Value("deck")))
    if filters.kind in ("", "case_study"):
        listings.append(_filtered_case_studies(filters).annotate(item_kind=Value("case_study")))
    # Sorted, counted and cut to the page in SQL: reading every matching key to sort them here cost ~15 ms of
    # timestamp parsing for 1,700 decks. UNION: an item listed under two topics once.
    keys = [listing.annotate(sort_title=Lower("title")).order_by().values_list("item_kind", "pk", "listed_at", "sort_title")
            for listing in listings]
    order = "sort_title, pk" if filters.sort == "title" else "listed_at DESC NULLS LAST, pk DESC"
    items, asked = keys[0].union(*keys[1:]), page_asked(page_number)
    total, rows = counted_rows(items, order, per_page, asked)
    page = Paginator(range(total), per_page).get_page(asked)
    if page.number != asked:  # asked past the last page: show the last one, as Paginator does
        total, rows = counted_rows(items, order, per_page, page.number)
    page.object_list = load_items(rows)
    return page


def counted_rows(rows, order, per_page, number):
    """(how many rows there are, [(kind, pk)] of page `number`) in one query: a window count beside the page, where
    Paginator would count in a query of its own that finds every match again (13 ms of the large library's 60)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_kind, pk, COUNT(*) OVER () FROM ({sql}) AS items ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, per_page, (number - 1) * per_page],
        )
        found = cursor.fetchall()
    if found:
        return found[0][2], [(kind, pk) for kind, pk, _ in found]
    return (rows.count() if number > 1 else 0), []


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


def union_of(querysets, *columns, distinct=True, order_by=()):
    """The rows of several querysets, these columns of each, in one query (SQL's UNION, or UNION ALL)."""
    rows = [queryset.order_by().values_list(*columns) for queryset in querysets]
    return list(rows[0].union(*rows[1:], all=not distinct).order_by(*order_by)) if rows else []


DECK_CARD_FIELDS = ("title", "slug", "event", "listed_on", "created_at", "thumbnail")
CASE_STUDY_CARD_FIELDS = ("title", "url_path", "summary", "first_published_at")


def for_cards(items):
    """Decks or case studies with their communities, loaded with only the columns a card shows (library_cards):
    whole page rows, twice over with the community, cost more to build in Python than the query takes."""
    fields = DECK_CARD_FIELDS if items.model is SlideDeck else CASE_STUDY_CARD_FIELDS
    return items.select_related("community").only(*fields, "community__title")


def load_items(keys):
    """Turn (kind, pk, ...) keys into cards: the decks, the case studies, then the topics of both, a query each."""
    deck_ids = [pk for kind, pk, *_ in keys if kind == "deck"]
    study_ids = [pk for kind, pk, *_ in keys if kind == "case_study"]
    decks = for_cards(SlideDeck.objects.filter(pk__in=deck_ids)) if deck_ids else []
    studies = for_cards(CaseStudyPage.objects.filter(pk__in=study_ids)) if study_ids else []
    loaded = {("deck", deck.pk): deck for deck in decks}
    loaded.update({("case_study", study.pk): study for study in studies})
    return library_cards([loaded[(kind, pk)] for kind, pk, *_ in keys if (kind, pk) in loaded])


def library_cards(items):
    """Cards for loaded decks and case studies (with their communities), in the order given; topics in one query."""
    topics = topics_of([item.pk for item in items if isinstance(item, SlideDeck)],
                       [item.pk for item in items if isinstance(item, CaseStudyPage)])
    return [
        deck_item(item, topics.get(("deck", item.pk), [])) if isinstance(item, SlideDeck)
        else case_study_item(item, topics.get(("case_study", item.pk), []))
        for item in items
    ]


def topics_of(deck_ids, study_ids):
    """{(kind, pk): [its topics by name]} for these decks and case studies."""
    tagged = []
    if deck_ids:
        tagged.append(Topic.objects.filter(decks__in=deck_ids).annotate(item_kind=Value("deck"), item=F("decks")).order_by())
    if study_ids:
        tagged.append(
            Topic.objects.filter(case_studies__in=study_ids).annotate(item_kind=Value("case_study"), item=F("case_studies")).order_by()
        )
    if not tagged:
        return {}
    by_item = {}
    for topic in tagged[0].union(*tagged[1:], all=True).order_by("name"):
        by_item.setdefault((topic.item_kind, topic.item), []).append(topic)
    return by_item


def deck_item(deck, topics):
    return LibraryItem(
        kind="deck", obj=deck, title=deck.title, url=deck.get_absolute_url(), summary=deck.event,
        when=deck.listed_on, community=deck.community, topics=topics,
        thumbnail_url=deck.get_thumbnail_url(),
    )


def case_study_item(study, topics):
    return LibraryItem(
        kind="case_study", obj=study, title=study.title, url=study.url, summary=study.summary,
        when=study.first_published_at.date() if study.first_published_at else None,
        community=study.community, topics=topics,
    )


class FilterChoice(NamedTuple):
    """A filter's option: the value sent and what people read (a pair, as select_options takes it)."""

    slug: str
    name: str


def filter_options(user):
    """What the filter form offers: topics, communities this user may see, years with items. No query while the
    choices and years are cached, two when neither is."""
    choices = filter_choices(user)
    return {"kinds": KINDS, "sorts": SORTS, **choices, "years": library_years(user)}


CACHE_SECONDS = 10 * 60
CHOICES_VERSION_KEY = "library-choices-version"
YEARS_VERSION_KEY = "library-years-version"


def cached_per_readers(name, readers, version_key, compute):
    """compute(), cached for ten minutes at most under `readers` (a string naming everyone who gets the same answer)
    and only until `version_key` is bumped by forget()."""
    key = f"library-{name}:{cache.get(version_key, 0)}:{hashlib.sha256(readers.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def forget(version_key):
    """Drop every answer cached under this version key."""
    cache.set(version_key, uuid.uuid4().hex, timeout=None)


def filter_choices(user):
    """{"topics": [FilterChoice], "communities": [FilterChoice]} for this user, by name.

    Reading and building the 1,500 communities took 4-5 ms of each library page, so they are cached per set of people
    who see the same communities listed, until a community or topic is saved or removed (forget_filter_choices).
    """
    def read():
        choices = union_of([
            Topic.objects.annotate(choice_of=Value("topic"), choice_name=F("name")),
            community_listing(user).annotate(choice_of=Value("community"), choice_name=F("title")),
        ], "choice_of", "slug", "choice_name", distinct=False, order_by=["choice_name"])
        return {
            "topics": [FilterChoice(slug, name) for of, slug, name in choices if of == "topic"],
            "communities": [FilterChoice(slug, name) for of, slug, name in choices if of == "community"],
        }

    return cached_per_readers("choices", listed_communities_key(user), CHOICES_VERSION_KEY, read)


def library_years(user):
    """The years with decks or case studies this user may read, newest first.

    Finding them reads every item (~30 ms at 20,000 decks), so the answer is cached per set of readers (who may see
    the same decks) until a deck or case study is saved, published, unpublished or removed (forget_library_years); a
    community's visibility changing is picked up when the ten minutes are up.
    """
    def read():
        rows = union_of([
            readable_decks(user).annotate(year=ExtractYear("listed_on")),
            listed_case_studies().annotate(year=ExtractYear("first_published_at")),
        ], "year")
        return sorted((year for (year,) in rows if year), reverse=True)

    return cached_per_readers("years", deck_readers_key(user), YEARS_VERSION_KEY, read)


def forget_library_years(**kwargs):
    """Drop every cached library_years() answer (a signal receiver: an item was added, changed or removed)."""
    forget(YEARS_VERSION_KEY)


def forget_filter_choices(**kwargs):
    """Drop every cached filter_choices() answer (a signal receiver: a community or topic was changed or removed)."""
    forget(CHOICES_VERSION_KEY)


def most_downloaded_decks(community, limit):
    """The decks shared with a community that people have downloaded, most downloads first (its dashboard)."""
    return SlideDeck.objects.filter(community=community, download_count__gt=0).order_by("-download_count", "title")[:limit]


def new_in_library(user, since, community_ids, limit):
    """Decks and case studies added since a moment, shared with these communities or the whole library, newest
    first (the member home): ([at most `limit` cards], whether there are more)."""
    shared = Q(community__isnull=True) | Q(community_id__in=community_ids)
    decks = for_cards(readable_decks(user).filter(shared, created_at__gt=since).order_by("-created_at"))
    studies = for_cards(listed_case_studies().filter(shared, first_published_at__gt=since).order_by("-first_published_at"))
    newest = sorted([*decks[:limit + 1], *studies[:limit + 1]], reverse=True, key=lambda item: (
        item.created_at if isinstance(item, SlideDeck) else item.first_published_at
    ))
    return library_cards(newest[:limit]), len(newest) > limit


def deck_for(user, deck_id):
    return readable_decks(user).select_related("community", "uploaded_by__profile").prefetch_related("topics", "previews").get(pk=deck_id)
