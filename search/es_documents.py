"""The Elasticsearch side of SearchDocument: analyzers, the mapping, and how a document is stored.

One index holds every kind of document (see search/backends/elastic.py for why), so this is one Document class.
"""

import copy

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from elasticsearch_dsl import Completion, Date, Document, Integer, Keyword, MetaField, Text, analyzer, token_filter

from .backends.base import synonym_rules
from .documents import Access

english_possessive = token_filter("english_possessive", type="stemmer", language="possessive_english")
english_stop = token_filter("english_stop", type="stop", stopwords="_english_")
english_stemmer = token_filter("english_stemmer", type="stemmer", language="english")


def synonym_groups():
    """(marker, entries) for each line of synonyms.txt: the marker is one token that ordinary text never has, named
    after the first entry ("synonym_ni14")."""
    groups = []
    for rule in synonym_rules():
        entries = [entry.strip().lower() for entry in rule.split(",") if entry.strip()]
        groups.append(("synonym_" + "_".join(entries[0].split()), entries))
    return groups


def with_plural(entry):
    """The entry, and the entry with a plural 's' on its last word ("contact centres", "kpis")."""
    return (entry, f"{entry}s") if entry[-1].isalpha() and not entry.endswith("s") else (entry,)


# A synonym group is one token. Text gets the group's marker beside every entry, singular or plural (its own words
# kept, at their positions); a query gets the marker instead of an entry. "contact centre performance" is then two
# terms, not a graph of phrase alternatives across three fields (the dearest part of a query), and it still finds
# "call centres". A quoted phrase, analysed without synonyms, matches the words as written. Both filters run
# before the stop words go (the gap left by "of" would break "freedom of information"); the plain `synonym` filter,
# unlike the graph one, keeps each word's position and offsets.
synonym_markers = token_filter("synonym_markers", type="synonym", synonyms=[
    f"{form} => {marker}, {form}" for marker, entries in synonym_groups() for entry in entries
    for form in with_plural(entry)])
synonyms_to_markers = token_filter("synonyms_to_markers", type="synonym", synonyms=[
    f"{entry} => {marker}" for marker, entries in synonym_groups() for entry in entries])

AS_WRITTEN_ANALYZER = "domain_english"   # quoted phrases: no synonyms
as_written = analyzer(
    AS_WRITTEN_ANALYZER, tokenizer="standard", filter=[english_possessive, "lowercase", english_stop, english_stemmer],
)
english_index = analyzer(
    "domain_english_synonyms", tokenizer="standard",
    filter=[english_possessive, "lowercase", synonym_markers, english_stop, english_stemmer],
)
english_search = analyzer(
    "domain_english_search", tokenizer="standard",
    filter=[english_possessive, "lowercase", synonyms_to_markers, english_stop, english_stemmer],
)
# Whole words as typed, lowercased: what "did you mean" proposes and what autocomplete matches a prefix against.
plain = analyzer("plain", tokenizer="standard", filter=["lowercase"])

ACCESS_CONTEXT = "access"
STAFF_TAG = "staff"             # on every document: Elasticsearch 8 won't run a completion query without contexts
SUGGEST_WEIGHT_TITLE = 2        # a prefix of the whole title
SUGGEST_WEIGHT_INNER_WORD = 1   # a prefix of a later word ("sampl" -> "Avoidable contact: a sampling method")
SUGGEST_INNER_WORDS = 8


def english_text(**kwargs):
    # Offsets in the postings let the highlighter work from the index instead of re-analysing long bodies.
    return Text(analyzer=english_index, search_analyzer=english_search, index_options="offsets", **kwargs)


def access_tags(document):
    """The completion contexts of a document: whose autocomplete it may appear in."""
    tag = f"community:{document.community_id}" if document.access == Access.COMMUNITY else document.access
    return [tag, STAFF_TAG]


def access_tags_for(reader):
    """The completion contexts a reader may see: the same rule as search.permissions.may_read."""
    if reader.is_staff:
        return [STAFF_TAG]
    tags = [Access.PUBLIC]
    if reader.is_authenticated:
        tags.append(Access.MEMBERS)
    tags += [f"community:{community_id}" for community_id in reader.community_ids]
    return tags


def topic_pairs(document):
    names = list(document.topic_names)
    return [(slug, names[n] if n < len(names) else slug) for n, slug in enumerate(document.topics)]


class ContentDocument(Document):
    key = Keyword()
    kind = Keyword()
    title = english_text(copy_to="spelling")
    body = english_text(copy_to="spelling")
    topic_names = english_text()
    spelling = Text(analyzer=plain)                 # title and body words for the "did you mean" term suggester
    url = Keyword(index=False, doc_values=False)
    access = Keyword()
    community_id = Integer()
    community_title = Keyword()
    community_label = Keyword()                     # "id|Title", the community facet's value and label in one
    topics = Keyword()                              # slugs, for filtering
    topic_labels = Keyword()                        # "slug|Name", the topic facet's value and label in one
    year = Integer()
    date = Date()
    fingerprint = Keyword(index=False, doc_values=False)
    title_suggest = Completion(analyzer=plain, contexts=[{"name": ACCESS_CONTEXT, "type": "category"}])

    class Meta:
        dynamic = MetaField("strict")   # a field the mapping doesn't know is a bug, not a new dynamic field

    class Index:
        settings = {
            "number_of_shards": 1,               # a site's worth of text; one shard keeps scores and spellings whole
            "refresh_interval": "1s",            # set explicitly so an idle index still refreshes for refresh=wait_for
            "gc_deletes": "10m",                 # how long a delete's version outlives it: a rebuild's older copy
                                                 # arriving later is refused for that long (backends/elastic.py)
        }
        analyzers = [as_written]                 # no field's: quoted phrases name it (backends/elastic.py)

    @classmethod
    def from_search_document(cls, document):
        tags = access_tags(document)
        words = document.title.split()
        inner = [" ".join(words[start:]) for start in range(1, min(len(words), SUGGEST_INNER_WORDS + 1))]
        suggest = [{"input": [document.title], "weight": SUGGEST_WEIGHT_TITLE, "contexts": {ACCESS_CONTEXT: tags}}]
        if inner:
            suggest.append({"input": inner, "weight": SUGGEST_WEIGHT_INNER_WORD, "contexts": {ACCESS_CONTEXT: tags}})
        return cls(
            meta={"id": document.key},
            key=document.key,
            kind=document.kind,
            title=document.title,
            body=document.body,
            topic_names=list(document.topic_names),
            url=document.url,
            access=document.access,
            community_id=document.community_id,
            community_title=document.community_title,
            community_label=(f"{document.community_id}|{document.community_title}"
                             if document.community_id is not None else None),
            topics=list(document.topics),
            topic_labels=[f"{slug}|{name}" for slug, name in topic_pairs(document)],
            year=document.year,
            date=document.date,
            fingerprint=document.fingerprint,
            title_suggest=suggest,
        )


def index_body():
    """Settings (with the analyzers) and mappings for a new concrete index; a copy, free to change."""
    body = copy.deepcopy(ContentDocument._index.to_dict())
    body["settings"]["auto_expand_replicas"] = auto_expand_replicas()
    return body


def auto_expand_replicas():
    """As many replicas as the other nodes can hold, up to ELASTICSEARCH_REPLICAS: none on one node (green), one
    with two nodes or more by default; `all` keeps a copy on every node, so any node answers a search alone."""
    most = str(settings.ELASTICSEARCH_REPLICAS).strip().lower()
    if most != "all" and not most.isdigit():
        raise ImproperlyConfigured(f"ELASTICSEARCH_REPLICAS must be a number or 'all', not {most!r}.")
    return f"0-{most}"
