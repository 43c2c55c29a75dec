"""Elasticsearch: English stemming, domain synonyms, highlights, facets, autocomplete and "did you mean".

Layout: every kind of document lives in one index, `<prefix>-content-<timestamp>`, reached through the alias
`<prefix>-content`. DESIGN.md sketches one index per kind, but a search always spans every kind (the page shows
them mixed, with a kind facet), the kinds share one flat mapping, and one index keeps BM25 and spelling
statistics comparable across kinds: with an index per kind a rare word in the small profile index would
outscore the same word in the large thread index. `kind` is a keyword field to filter and count on.

Rebuild without downtime: a new concrete index is created under a second alias, `<prefix>-content-next`,
filled, refreshed, and then one atomic `_aliases` call moves `<prefix>-content` onto it and deletes the old
index. While that runs, `index()` and `remove()` write through both aliases, so changes made during a rebuild
reach the new index too. Every write carries an external version, the time it was made (nanoseconds), so
the rebuild's copy of a document, read before a change made meanwhile, can't overwrite that change, nor
bring back a document removed meanwhile (a delete leaves a versioned tombstone for `index.gc_deletes`).
That relies on the clocks of the hosts writing to the index agreeing to well under a second, as NTP does.

Permissions are a bool filter inside every query (hits, totals, facets, "did you mean"), and completion
contexts for autocomplete, both built from the rule in search.permissions.may_read.
"""

import dataclasses
import functools
import logging
import re
import time
from datetime import datetime
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from elastic_transport import SerializationError, TransportError
from elasticsearch import ApiError, Elasticsearch
from elasticsearch.helpers import scan, streaming_bulk
from elasticsearch_dsl import Q, Search

from ..documents import KINDS, Access, FacetValue, Hit, SearchResults
from ..es_documents import ACCESS_CONTEXT, AS_WRITTEN_ANALYZER, ContentDocument, access_tags_for, index_body
from ..permissions import may_read
from .base import SearchBackend, SearchUnavailable

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 5             # seconds; a search that takes longer is better answered by the database backend
ADMIN_TIMEOUT = 120             # creating indexes, bulk chunks of a rebuild, the alias swap
CHUNK_SIZE = 500
MAX_CHUNK_BYTES = 10 * 1024 * 1024
UNAVAILABLE_STATUSES = {429, 502, 503, 504}
MAX_RESULT_WINDOW = 10_000      # Elasticsearch's index.max_result_window
SEARCH_ATTEMPTS = 3             # a search that races the deletion of a swapped-out index is asked again
SNIPPET_CHARS = 200
FEW_HITS = 3                    # below this many hits, a spelling suggestion is worth offering
SPELLING_OPTIONS = 3
RESCORE_WINDOW = 100          # top hits re-ranked by word proximity
FACET_SIZES = {"kind": len(KINDS) + 5, "community": 50, "topic": 50, "year": 50}
FIELDS = ["title^3", "body", "topic_names"]
SOURCE_FIELDS = ["key", "kind", "title", "url", "date", "community_title", "topic_names"]
PHRASE = re.compile(r'"([^"]*)"')
WORD = re.compile(r"\w")


def write_action(alias, key, version, source=None):
    """A bulk action: index `source`, or delete when there is none, unless a later version is already there."""
    action = {"_index": alias, "_id": key, "version": version, "version_type": "external_gte"}
    if source is None:
        return {**action, "_op_type": "delete"}
    return {**action, "_op_type": "index", "_source": source}


class IndexingFailed(Exception):
    """Elasticsearch refused documents for a reason other than being unavailable (a mapping error, say)."""


def unavailable_on_outage(method):
    """An unreachable or overloaded node becomes SearchUnavailable, so callers fall back or keep changes for later."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SerializationError:
            raise
        except TransportError as error:   # refused, timed out, reset, TLS: nothing answered
            raise SearchUnavailable(f"Elasticsearch at {self.url} can't be reached: {error}") from error
        except ApiError as error:
            if error.status_code in UNAVAILABLE_STATUSES:
                raise SearchUnavailable(f"Elasticsearch at {self.url} is unavailable: {error}") from error
            raise

    return wrapper


def index_went_away(error):
    """Whether a search's error is the index it had resolved being deleted under it (a rebuild's swap): not found, or,
    when the deletion came while the query was being built, a shard answering that its analyzer is closed."""
    if error["status"] == 404:
        return True
    shards = error["error"].get("failed_shards", [])
    return any(shard.get("reason", {}).get("caused_by", {}).get("type") == "already_closed_exception" for shard in shards)


def permission_filter(reader):
    """search.permissions.may_read as a query clause; staff read everything."""
    if reader.is_staff:
        return []
    readable = [Q("term", access=Access.PUBLIC)]
    if reader.is_authenticated:
        readable.append(Q("term", access=Access.MEMBERS))
    if reader.community_ids:
        readable.append(Q("bool", filter=[
            Q("term", access=Access.COMMUNITY), Q("terms", community_id=list(reader.community_ids)),
        ]))
    return [Q("bool", should=readable, minimum_should_match=1)]


def narrowing_filters(filters):
    clauses = []
    if filters.kind:
        clauses.append(Q("term", kind=filters.kind))
    if filters.kinds:
        clauses.append(Q("terms", kind=list(filters.kinds)))
    if filters.community is not None:
        clauses.append(Q("term", community_id=filters.community))
    if filters.topic:
        clauses.append(Q("term", topics=filters.topic))
    if filters.year is not None:
        clauses.append(Q("term", year=filters.year))
    return clauses


def text_query(query, match_all=True):
    """Quoted parts must match as phrases; the other words must all match (any of them, without
    ``match_all``), in any of the fields, stemmed and with synonyms. Title matches count three times a body match.

    A quoted phrase is taken as written: analysed without synonyms, it matches the words themselves, which the
    index keeps beside each synonym's marker (es_documents.py).
    """
    phrases = [phrase for phrase in PHRASE.findall(query) if WORD.search(phrase)]
    words = unquoted_words(query)
    must = [Q("multi_match", query=phrase, type="phrase", fields=FIELDS, analyzer=AS_WRITTEN_ANALYZER)
            for phrase in phrases]
    if WORD.search(words):
        must.append(Q("multi_match", query=words, type="cross_fields", operator="and" if match_all else "or",
                      fields=FIELDS))
    return Q("bool", must=must)


def unquoted_words(query):
    return PHRASE.sub(" ", query).replace('"', " ").strip()


def proximity_rescore(query, last_hit):
    """Documents where the unquoted words stand within two words of each other rank higher.

    A rescore of the top hits by word score rather than a clause run on every match: the phrase query (over three
    fields) is the dearest part of a common query. Rescoring adds its score to the words' score, as a `should`
    clause would, so within the window the order is the same. The window is the top 100 by word score: a document
    further down is not lifted onto page one by proximity alone (page one at 100 matched the page a clause on every
    match gave for 58 of the benchmark's 70 query-reader pairs, at 1,000 for all 70, for about 10 ms of p95 more;
    BENCHMARKS.md). The judged relevance cases pass either way.
    """
    words = unquoted_words(query)
    if len(words.split()) < 2:
        return None
    phrase = Q("multi_match", query=words, type="phrase", slop=2, fields=FIELDS)
    return {"window_size": max(RESCORE_WINDOW, last_hit), "query": {"rescore_query": phrase.to_dict()}}


class ElasticsearchBackend(SearchBackend):
    def __init__(self, url=""):
        super().__init__(url)
        # One retry covers a pooled connection the node closed; anything longer would hold up the fallback.
        # A cluster's nodes' URLs, comma-separated: the client takes turns, and retries elsewhere past one that is down.
        nodes = [node.strip() for node in url.split(",") if node.strip()]
        self.client = Elasticsearch(nodes, request_timeout=REQUEST_TIMEOUT, max_retries=1, retry_on_timeout=False)
        self._admin = self.client.options(request_timeout=ADMIN_TIMEOUT)
        self._ready = set()   # aliases known to exist

    # Read from settings on each use: get_backend() caches one backend per URL, and tests change the prefix.
    @property
    def prefix(self):
        return settings.SEARCH_INDEX_PREFIX.lower()

    @property
    def alias(self):
        return f"{self.prefix}-content"

    @property
    def next_alias(self):
        return f"{self.alias}-next"

    # ------------------------------------------------------------------ writing

    @unavailable_on_outage
    def index(self, documents):
        """Visible to searches when this returns (refresh=wait_for on the live index: no forced tiny segments)."""
        documents = list(documents)
        if not documents:
            return
        version = time.time_ns()
        sources = [(document.key, ContentDocument.from_search_document(document).to_dict()) for document in documents]
        if self._rebuilding():
            self._write((write_action(self.next_alias, key, version, source) for key, source in sources),
                        alias_may_go=True)
        self._write((write_action(self.alias, key, version, source) for key, source in sources), refresh="wait_for")

    @unavailable_on_outage
    def remove(self, keys):
        keys = list(keys)
        if not keys:
            return
        version = time.time_ns()
        if self._rebuilding():
            self._write((write_action(self.next_alias, key, version) for key in keys), alias_may_go=True)
        self._write((write_action(self.alias, key, version) for key in keys), refresh="wait_for")

    @unavailable_on_outage
    def rebuild(self, documents):
        """Fill a fresh index from `documents` (read only after it exists, so changes meanwhile reach it too),
        then swap it in atomically. Returns how many documents were read."""
        self._drop_unfinished_rebuilds()
        new_index = self._new_index_name()
        body = index_body()
        body["settings"]["refresh_interval"] = "-1"   # no refreshes while filling; one at the end
        self._admin.indices.create(index=new_index, aliases={self.next_alias: {}}, **body)
        try:
            read = 0

            def actions():
                nonlocal read
                for document in documents:
                    read += 1
                    yield write_action(self.next_alias, document.key, time.time_ns(),
                                       ContentDocument.from_search_document(document).to_dict())

            self._write(actions(), client=self._admin)
            self._admin.indices.put_settings(index=new_index, settings={"refresh_interval": "1s"})
            self._admin.indices.refresh(index=new_index)
            actions = [
                {"remove": {"index": new_index, "alias": self.next_alias}},
                {"add": {"index": new_index, "alias": self.alias, "is_write_index": True}},
            ]
            actions += [{"remove_index": {"index": old}} for old in self._indices_behind(self.alias)]
            self._admin.indices.update_aliases(actions=actions)
        except BaseException:
            self._abandon(new_index)
            raise
        self._ready.add(self.alias)
        logger.info("Search index %s is live with %d documents", new_index, read)
        return read

    def _abandon(self, name):
        """Delete a failed rebuild's index, unless the swap did happen (and only its answer was lost)."""
        try:
            if name not in self._indices_behind(self.alias):
                self._admin.options(ignore_status=404).indices.delete(index=name)
        except (TransportError, ApiError) as error:
            logger.warning("Could not delete %s after a failed rebuild (the next rebuild will): %s", name, error)

    def _write(self, actions, refresh=None, client=None, alias_may_go=False):
        """Bulk-write through an alias, in chunks, never auto-creating an index (require_alias)."""
        options = {"refresh": refresh} if refresh else {}
        alias_gone = None
        for ok, item in streaming_bulk(client or self.client, actions, chunk_size=CHUNK_SIZE,
                                       max_chunk_bytes=MAX_CHUNK_BYTES, raise_on_error=False, require_alias=True,
                                       **options):
            if ok:
                continue
            op_type, result = next(iter(item.items()))
            status = result.get("status")
            if status == 409:
                continue   # a later write got there first: what it wrote is newer than this
            if op_type == "delete" and result.get("result") == "not_found":
                continue
            if status == 404 and alias_may_go:
                if alias_gone is None:
                    alias_gone = not self.client.indices.exists_alias(name=self.next_alias)
                if alias_gone:
                    continue   # the rebuild finished, and its alias went, between our check and our write
            if status == 404:
                self._ready.discard(self.alias)   # the live alias has gone (deleted by hand?): recreate it next time
            self._raise_for(result)

    def _raise_for(self, result):
        if result.get("status") in UNAVAILABLE_STATUSES:
            raise SearchUnavailable(f"Elasticsearch at {self.url} rejected documents: {result.get('error')}")
        raise IndexingFailed(f"{result.get('_id')}: {result.get('error')}")

    # ------------------------------------------------------------------ indexes and aliases

    def _new_index_name(self):
        return f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"

    def _ensure_index(self):
        """Create the index and its alias on first use, as one request, so two processes can't both do it."""
        if self.alias in self._ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            try:
                self._admin.indices.create(index=self._new_index_name(),
                                           aliases={self.alias: {"is_write_index": True}}, **index_body())
            except ApiError as error:
                # Another process may have won the race: its alias then exists, and ours was refused.
                if error.status_code in UNAVAILABLE_STATUSES or not self.client.indices.exists_alias(name=self.alias):
                    raise
        self._ready.add(self.alias)

    def _indices_behind(self, alias):
        if not self.client.indices.exists_alias(name=alias):
            return []
        return list(self.client.indices.get_alias(name=alias))

    def _rebuilding(self):
        self._ensure_index()
        return self.client.indices.exists_alias(name=self.next_alias)

    def _drop_unfinished_rebuilds(self):
        """A rebuild that died (killed mid-way) leaves its index under the -next alias; a new rebuild replaces it."""
        for name in self._indices_behind(self.next_alias):
            logger.warning("Deleting %s, left by a rebuild that did not finish", name)
            self._admin.options(ignore_status=404).indices.delete(index=name)

    # ------------------------------------------------------------------ reading

    def _search(self):
        return Search(using=self.client, index=self.alias)

    def _execute(self, *searches):
        """The responses to `searches`, sent together (one _msearch: the node runs them side by side), as plain
        data (elasticsearch-dsl's wrappers cost milliseconds on fifty facet buckets).

        Asks again if a search lost a race with a rebuild deleting the index it had resolved (index_went_away), or
        found the node busy (503); an error that remains is raised as the client raises it for a single search.
        """
        body = [part for search in searches for part in ({}, search.to_dict())]
        for _ in range(SEARCH_ATTEMPTS):
            answer = self.client.msearch(index=self.alias, searches=body)
            responses = answer["responses"]
            error = next((response for response in responses if "error" in response), None)
            if error is None and not any(response["_shards"]["failed"] for response in responses):
                return responses
            if error and index_went_away(error):
                self._ready.discard(self.alias)
                self._ensure_index()
            elif error and error["status"] != 503:
                break
        if error:
            raise ApiError(str(error["error"]), dataclasses.replace(answer.meta, status=error["status"]), error)
        return responses   # the last answer, with some shards missing

    @unavailable_on_outage
    def search(self, query, reader, filters, page=1, per_page=10, match_all=True):
        query, page = (query or "").strip(), max(1, page)
        if not WORD.search(query):
            facets = {name: [] for name in FACET_SIZES}
            return SearchResults(hits=[], total=0, page=page, per_page=per_page, facets=facets)
        self._ensure_index()
        restrictions = permission_filter(reader) + narrowing_filters(filters)
        start = (page - 1) * per_page
        size = per_page if start + per_page <= MAX_RESULT_WINDOW else 0
        matching = Q("bool", must=[text_query(query, match_all)], filter=restrictions)
        # Two searches, run side by side: the page (scored, so Elasticsearch can skip the matches that can no
        # longer reach it) and the counts (every match, unscored). One search doing both scores every match.
        hits_search = (
            self._search()
            .query(matching)
            .source(SOURCE_FIELDS)
            .extra(from_=start if size else 0, size=size, track_total_hits=False)
            .highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"],
                               fragment_size=SNIPPET_CHARS, number_of_fragments=1)
            .highlight("body", no_match_size=SNIPPET_CHARS)
        )
        rescore = proximity_rescore(query, start + size)
        if rescore and size:
            hits_search = hits_search.extra(rescore=rescore)
        # The total and the facets count what the query matched for this reader: the permission filter is in it.
        counts_search = self._search().query(matching).extra(size=0, track_total_hits=True)
        counts_search.aggs.bucket("kind", "terms", field="kind", size=FACET_SIZES["kind"])
        counts_search.aggs.bucket("community", "terms", field="community_label", size=FACET_SIZES["community"])
        counts_search.aggs.bucket("topic", "terms", field="topic_labels", size=FACET_SIZES["topic"])
        counts_search.aggs.bucket("year", "terms", field="year", size=FACET_SIZES["year"],
                                  order=[{"_count": "desc"}, {"_key": "desc"}])
        # Respellings are asked for with the counts (about a millisecond), saving a round trip when they're needed.
        counts_search = counts_search.suggest("did_you_mean", query, term={
            "field": "spelling", "suggest_mode": "missing", "size": SPELLING_OPTIONS})
        hits, counts = self._execute(hits_search, counts_search)
        total = counts["hits"]["total"]["value"]
        suggestion = self._did_you_mean(query, restrictions, total, counts["suggest"]["did_you_mean"])
        return SearchResults(
            hits=[self._hit(hit) for hit in hits["hits"]["hits"]],
            total=total, page=page, per_page=per_page,
            facets=self._facets(counts["aggregations"]), suggestion=suggestion,
        )

    def _hit(self, hit):
        source = hit["_source"]
        fragments = hit.get("highlight", {}).get("body", [])
        # The fragments are HTML-encoded by Elasticsearch (encoder=html); only our <mark> tags are markup.
        snippet = mark_safe(fragments[0] if fragments else "")
        return Hit(
            key=source["key"], kind=source["kind"], title=source["title"], url=source["url"], snippet=snippet,
            date=datetime.fromisoformat(source["date"]), community_title=source.get("community_title") or "",
            topic_names=list(source.get("topic_names") or []),
        )

    def _facets(self, aggregations):
        def buckets(name):
            return aggregations[name]["buckets"]

        def labelled(bucket):
            """A "value|Label" bucket (es_documents.ContentDocument: community_label, topic_labels)."""
            value, _, label = bucket["key"].partition("|")
            return FacetValue(value, label or value, bucket["doc_count"])

        return {
            "kind": [FacetValue(b["key"], KINDS.get(b["key"], b["key"]), b["doc_count"]) for b in buckets("kind")],
            "community": [labelled(b) for b in buckets("community")],
            "topic": [labelled(b) for b in buckets("topic")],
            "year": [FacetValue(str(b["key"]), str(b["key"]), b["doc_count"]) for b in buckets("year")],
        }

    def _did_you_mean(self, query, restrictions, total, spelt):
        """The first respelling (from the term suggester's answer, ``spelt``) that finds more of what this reader
        may read.

        Offered only when a query has found few. Respellings come from every indexed word, private ones included,
        so each is counted under the reader's filter before it is offered: a word only private documents contain
        finds nothing and is dropped.
        """
        entries = [entry for entry in spelt if entry["options"]]
        if total >= FEW_HITS or not entries:
            return ""
        candidates = []
        for choice in range(SPELLING_OPTIONS):
            text = query
            for entry in sorted(entries, key=lambda entry: entry["offset"], reverse=True):
                option = entry["options"][min(choice, len(entry["options"]) - 1)]["text"]
                text = text[:entry["offset"]] + option + text[entry["offset"] + entry["length"]:]
            if text.lower() != query.lower() and text not in candidates:
                candidates.append(text)
        if not candidates:
            return ""
        counts = self._execute(*(
            self._search().query(Q("bool", must=[text_query(candidate)], filter=restrictions))
            .extra(size=0, track_total_hits=True)
            for candidate in candidates
        ))
        return next((candidate for candidate, count in zip(candidates, counts)
                     if count["hits"]["total"]["value"] > total), "")

    @unavailable_on_outage
    def suggest(self, prefix, reader, limit=8):
        prefix = (prefix or "").strip()
        if not prefix or limit <= 0:
            return []
        self._ensure_index()
        completion = {
            "field": "title_suggest",
            "size": limit * 3,   # a title can match by its start and by a later word
            "contexts": {ACCESS_CONTEXT: access_tags_for(reader)},
        }
        search = (self._search().source(["title", "url", "kind", "access", "community_id"])
                  .suggest("titles", prefix, completion=completion).extra(size=0))
        [response] = self._execute(search)
        suggestions, seen = [], set()
        for option in response["suggest"]["titles"][0]["options"]:
            source = option["_source"]
            document = SimpleNamespace(access=source["access"], community_id=source.get("community_id"))
            readable = may_read(reader, document)
            if option["_id"] in seen or not readable:   # the contexts already did this; checked again, cheaply
                continue
            seen.add(option["_id"])
            suggestions.append({"title": source["title"], "url": source["url"], "kind": source["kind"]})
            if len(suggestions) == limit:
                break
        return suggestions

    @unavailable_on_outage
    def indexed_fingerprints(self):
        self._ensure_index()
        hits = scan(self.client, index=self.alias, query={"query": {"match_all": {}}, "_source": ["fingerprint"]},
                    size=1000, scroll="2m")
        return {hit["_id"]: hit["_source"].get("fingerprint", "") for hit in hits}
