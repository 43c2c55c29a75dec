"""Benchmark: bulk indexing throughput and query latency of our search backends beside Wagtail's own.

    bash scripts/with-test-services.sh bash -c 'DATABASE_URL=$TEST_DATABASE_URL \
        ELASTICSEARCH_URL=$TEST_ELASTICSEARCH_URL .venv/bin/python bench/search_bench.py --documents 100000'

Four backends on one seeded corpus (bench/corpus.py) and one query set:

  ours-database   search.backends.database on PostgreSQL      (SearchDocuments, backend.rebuild())
  ours-elastic    search.backends.elastic                      (SearchDocuments, backend.rebuild())
  wagtail-database  wagtail.search.backends.database (PostgreSQL full text), a bench-only indexed model
  wagtail-elastic   wagtail.search.backends.elasticsearch8, the same model

It never touches real data: a fresh PostgreSQL database `bench_search` on DATABASE_URL's server (migrated,
then dropped) and indexes named `bench-search-*` (deleted), also when the run fails or is interrupted.

Indexing is timed from documents (or model instances) already in memory to a searchable index, after an
untimed warm-up rebuild with the first 1,000 of them. Queries run interleaved (each round visits every backend,
in a seeded shuffled order) so load from other work on the machine falls on all backends alike; after a warm-up
round, every (query, reader) pair is timed once per round. The Search section of BENCHMARKS.md gets a block for
this corpus size (others are kept).
"""

import argparse
import os
import platform
import random
import re
import signal
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import (  # noqa: E402
    markdown_table, percentile, print_table, read_benchmarks, replace_section, section_blocks,
)

BENCH_DATABASE = "bench_search"
INDEX_PREFIX = "bench-search"
BACKENDS = ["ours-database", "wagtail-database", "ours-elastic", "wagtail-elastic"]
PAIRS = {"wagtail-database": "ours-database", "wagtail-elastic": "ours-elastic"}
PER_PAGE = 10
P95_AIM_MS = 50
SETTLE_TIMEOUT = 300
WARMUP_DOCUMENTS = 1000
DEFAULTS = {"rounds": 5, "budget": 600, "query_timeout": 60, "profile": "auto"}


@dataclass
class Query:
    category: str
    text: str
    filters: dict = field(default_factory=dict)   # SearchFilters arguments; the same narrowing for Wagtail

    @property
    def label(self):
        narrowing = ", ".join(f"{name}={value}" for name, value in self.filters.items())
        return f"{self.text} [{narrowing}]" if narrowing else self.text


def query_set(private_community_id):
    """Typical multi-word and one-word queries, rare terms, synonyms, phrases, filtered ones and typos."""
    typical = ["avoidable contact", "channel shift strategy", "customer insight survey", "contact centre performance",
               "scrutiny committee recommendations", "performance management framework", "first contact resolution",
               "customer satisfaction survey results", "abandoned calls targets", "partnership working",
               "data quality", "budget savings efficiency", "performance", "customer"]
    rare = ["ombudsman", "mystery shopping", "Varney review", "triangulation", "deliberative polling", "Lyons inquiry"]
    synonyms = ["NI14", "national indicator 14", "KPI dashboard", "CSC opening hours", "FOI requests"]
    phrases = ['"avoidable contact"', '"total place"', '"customer service centre"', '"channel shift" website']
    typos = ["scrutinny", "perfomance managment"]
    return (
        [Query("typical", text) for text in typical]
        + [Query("rare", text) for text in rare]
        + [Query("synonym", text) for text in synonyms]
        + [Query("phrase", text) for text in phrases]
        + [Query("filtered", "channel shift", {"kind": "case_study"}),
           Query("filtered", "scrutiny", {"community": private_community_id}),
           Query("filtered", "performance indicators", {"year": 2009}),
           Query("filtered", "customer journey", {"kinds": ("deck", "case_study")})]
        + [Query("typo", text) for text in typos]
    )


# ---------------------------------------------------------------------------------------------- setup


def database_url(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def server_connection(url):
    """A connection to the server, never to the bench database itself (it can't drop the database it is in)."""
    import psycopg

    if urlsplit(url).path.strip("/") == BENCH_DATABASE:
        url = database_url(url, "postgres")
    return psycopg.connect(url, autocommit=True)


def recreate_database(url, name):
    with server_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url, name):
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()
    with server_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure_django(url, es_url):
    """The test settings, pointed at the bench database and index prefix, plus the bench-only model's app."""
    import dj_database_url
    from django.conf import settings

    from cop_site.settings import test as base

    values = {name: getattr(base, name) for name in dir(base) if name.isupper()}
    values.update(
        DEBUG=False,
        DATABASES={"default": dj_database_url.parse(database_url(url, BENCH_DATABASE), conn_max_age=None)},
        INSTALLED_APPS=[*base.INSTALLED_APPS, "bench.wagtail_corpus"],
        ELASTICSEARCH_URL=es_url,
        SEARCH_INDEX_PREFIX=INDEX_PREFIX,
        WAGTAILSEARCH_BACKENDS={
            "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False},
            "elasticsearch": {"BACKEND": "wagtail.search.backends.elasticsearch8", "URLS": [es_url],
                              "INDEX_PREFIX": f"{INDEX_PREFIX}-wagtail-", "TIMEOUT": 60, "AUTO_UPDATE": False},
        },
    )
    settings.configure(**values)
    import django

    django.setup()


def bench_indices(client):
    names = client.indices.get(index=f"{INDEX_PREFIX}-*", expand_wildcards="all", ignore_unavailable=True)
    return [name for name in names if name.startswith(f"{INDEX_PREFIX}-")]


def delete_bench_indices(es_url):
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=60)
    for name in bench_indices(client):   # by name: wildcard deletes are refused by default
        client.options(ignore_status=404).indices.delete(index=name)


def settle_elasticsearch(es_url):
    """Refresh, then wait until no merge is running on the bench indexes: queries shouldn't race a merge."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=120)
    names = bench_indices(client)
    if not names:
        return
    client.indices.refresh(index=",".join(names))
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        stats = client.indices.stats(index=",".join(names), metric="merge")
        if stats["_all"]["total"]["merges"]["current"] == 0:
            return
        time.sleep(1)


def vacuum_analyze(tables):
    """What autovacuum would soon do after a bulk load: planner statistics and a visibility map."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def versions(url, es_url):
    with server_connection(url) as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0].split()[0]
    elastic = ""
    if es_url:
        from elasticsearch import Elasticsearch

        elastic = Elasticsearch(es_url).info()["version"]["number"]
    return postgres, elastic


# ---------------------------------------------------------------------------------------------- indexing


@dataclass
class Run:
    name: str
    index_seconds: float = 0.0
    documents: int = 0
    latencies: list = field(default_factory=list)            # seconds, timed rounds only
    by_category: dict = field(default_factory=lambda: defaultdict(list))
    totals: dict = field(default_factory=dict)               # (label, reader) -> total hits
    errors: list = field(default_factory=list)
    timeouts: int = 0                                        # timed queries cut off by the statement timeout
    over_budget: bool = False
    runner: object = None

    @property
    def docs_per_second(self):
        return self.documents / self.index_seconds if self.index_seconds else 0.0


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def index_ours(backend, documents):
    """A warm-up rebuild with the first few documents (a fresh JVM or cache would otherwise penalise whichever
    backend goes first), then the timed rebuild with all of them."""
    backend.rebuild(iter(documents[:WARMUP_DOCUMENTS]))
    _, seconds = timed(backend.rebuild, iter(documents))
    return backend, seconds


def index_ours_database(documents):
    from search.backends.database import DatabaseBackend

    backend, seconds = index_ours(DatabaseBackend(), documents)
    vacuum_analyze(["site_search_searchentry"])
    return backend, seconds


def index_ours_elastic(documents, es_url):
    from search.backends.elastic import ElasticsearchBackend

    return index_ours(ElasticsearchBackend(url=es_url), documents)


def load_wagtail_rows(documents):
    """The corpus as BenchDocument rows (not part of any index's time), then read back as model instances."""
    from bench.wagtail_corpus.models import BenchDocument

    rows = [BenchDocument(key=d.key, kind=d.kind, title=d.title, body=d.body, topic_names="\n".join(d.topic_names),
                          access=d.access, community_id=d.community_id, year=d.year, date=d.date) for d in documents]
    BenchDocument.objects.bulk_create(rows, batch_size=2000)
    vacuum_analyze([BenchDocument._meta.db_table])
    return list(BenchDocument.objects.order_by("pk"))


def index_wagtail(name, objects, chunk_size=1000):
    """As Wagtail's `rebuild_modelsearch_index` does it: a rebuilder, the model, the objects in chunks, finish."""
    from modelsearch.backends import get_search_backend

    from bench.wagtail_corpus.models import BenchDocument

    backend = get_search_backend(name)

    def rebuild(objects):
        index = backend.get_index_for_model(BenchDocument)
        rebuilder = backend.rebuilder_class(index)
        index = rebuilder.start()
        index.add_model(BenchDocument)
        for start in range(0, len(objects), chunk_size):
            index.add_items(BenchDocument, objects[start:start + chunk_size])
        rebuilder.finish()

    rebuild(objects[:WARMUP_DOCUMENTS])   # as for ours: warm-up, untimed
    if name == "default":
        backend.get_index_for_model(BenchDocument).reset()   # the database index starts empty, as ours does
    _, seconds = timed(rebuild, objects)
    return backend, seconds


# ---------------------------------------------------------------------------------------------- querying


def ours_runner(backend):
    from search.documents import SearchFilters

    def run(query, reader):
        return backend.search(query.text, reader, SearchFilters(**query.filters), page=1, per_page=PER_PAGE).total

    return run


def wagtail_permission(reader):
    """search.permissions.may_read as a queryset filter on the bench model (FilterFields access, community_id)."""
    from django.db.models import Q

    from search.documents import Access

    if reader.is_staff:
        return Q()
    allowed = Q(access=Access.PUBLIC)
    if reader.is_authenticated:
        allowed |= Q(access=Access.MEMBERS)
    if reader.community_ids:
        allowed |= Q(access=Access.COMMUNITY, community_id__in=list(reader.community_ids))
    return allowed


def wagtail_narrowing(filters):
    lookups = {}
    if filters.get("kind"):
        lookups["kind"] = filters["kind"]
    if filters.get("kinds"):
        lookups["kind__in"] = list(filters["kinds"])
    if filters.get("community") is not None:
        lookups["community_id"] = filters["community"]
    if filters.get("year") is not None:
        lookups["year"] = filters["year"]
    return lookups


def wagtail_runner(backend):
    """A search page on Wagtail's API: every word required, quoted phrases, the total for the pager, page one."""
    from modelsearch.utils import parse_query_string

    from bench.wagtail_corpus.models import BenchDocument

    def run(query, reader):
        queryset = BenchDocument.objects.filter(wagtail_permission(reader), **wagtail_narrowing(query.filters))
        _, parsed = parse_query_string(query.text, operator="and")
        results = backend.search(parsed, queryset, operator="and")
        total = results.count()
        list(results[:PER_PAGE])
        return total

    return run


class QueryCanceled(Exception):
    """PostgreSQL's statement_timeout stopped a query."""


def on_timeout(runner):
    """The runner, with PostgreSQL's "canceling statement due to statement timeout" as QueryCanceled."""
    from django.db import OperationalError

    def run(query, reader):
        try:
            return runner(query, reader)
        except OperationalError as error:
            if getattr(getattr(error, "__cause__", None), "sqlstate", "") == "57014":
                raise QueryCanceled() from error
            raise

    return run


def set_statement_timeout(seconds):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")


def measure(runs, queries, readers, rounds, warmup, budget, seed, progress):
    """Warm-up rounds, then timed ones; each round every backend answers every (query, reader) pair."""
    pairs = [(query, reader_name, reader) for query in queries for reader_name, reader in readers.items()]
    rng = random.Random(seed)
    spent = defaultdict(float)
    for round_number in range(warmup + rounds):
        timed_round = round_number >= warmup
        order = list(runs)
        rng.shuffle(order)
        for run in order:
            if run.over_budget:
                continue
            shuffled = pairs[:]
            rng.shuffle(shuffled)
            for query, reader_name, reader in shuffled:
                started = time.perf_counter()
                try:
                    total = run.runner(query, reader)
                except QueryCanceled:
                    # Still a latency (a lower bound): leaving it out would flatter the backend.
                    total = "timeout"
                    if timed_round:
                        run.timeouts += 1
                except Exception as error:  # noqa: BLE001 - reported, not fatal: one backend's failure is a result
                    run.errors.append(f"{query.label} as {reader_name}: {type(error).__name__}: {error}")
                    continue
                seconds = time.perf_counter() - started
                spent[run.name] += seconds
                if timed_round:
                    run.latencies.append(seconds)
                    run.by_category[query.category].append(seconds)
                    run.totals.setdefault((query.label, reader_name), total)
                if spent[run.name] > budget:
                    run.over_budget = True
                    progress(f"  {run.name}: over its {budget:.0f} s query budget, no further queries")
                    break
        progress(f"  round {round_number + 1}/{warmup + rounds} {'timed' if timed_round else 'warm-up'} done")


# ---------------------------------------------------------------------------------------------- profiling


def elastic_variants(es_url):
    """Our Elasticsearch backend with parts of its search request left out, and the server's `took` recorded.

    Only for measuring where time goes: it edits the elasticsearch-dsl Search just before it is sent.
    """
    from search.backends.elastic import ElasticsearchBackend

    class Variant(ElasticsearchBackend):
        def __init__(self, url, without=()):
            super().__init__(url)
            self.without = set(without)
            self.took = []

        def search(self, *args, **kwargs):
            self._took = 0   # ms: the searches sent together count once (the slowest), requests one after another add up
            results = super().search(*args, **kwargs)
            self.took.append(self._took / 1000)
            return results

        def _execute(self, *searches):
            responses = super()._execute(*(self._leave_out(search) for search in searches))
            self._took += max(response["took"] for response in responses)
            for response in responses:
                response.setdefault("aggregations", {})   # none were asked for "without facets"
            return responses

        def _leave_out(self, search):
            search = search._clone()
            if "facets" in self.without:
                search.aggs._params = {"aggs": {}}
            if "highlight" in self.without:
                search._highlight, search._highlight_opts = {}, {}
            if "proximity" in self.without:
                search._extra.pop("rescore", None)
            return search

        def _facets(self, aggregations):
            return {} if "facets" in self.without else super()._facets(aggregations)

        def _did_you_mean(self, *args):
            return "" if "did-you-mean" in self.without else super()._did_you_mean(*args)

    return {
        "full request": Variant(es_url),
        "without facets": Variant(es_url, ["facets"]),
        "without highlight": Variant(es_url, ["highlight"]),
        "without did-you-mean": Variant(es_url, ["did-you-mean"]),
        "without proximity rescore": Variant(es_url, ["proximity"]),
        "hits only": Variant(es_url, ["facets", "highlight", "did-you-mean", "proximity"]),
    }


def profile_elastic(es_url, queries, readers, rounds, seed, progress):
    variants = elastic_variants(es_url)
    runs = [Run(name=name, runner=ours_runner(backend)) for name, backend in variants.items()]
    measure(runs, queries, readers, rounds, 1, float("inf"), seed + 1, progress)
    return [(run, variants[run.name].took[-len(run.latencies):] if run.latencies else []) for run in runs]


# ---------------------------------------------------------------------------------------------- reporting


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def latency_row(run):
    """p50, p95, p99 and mean in ms; "≥" where queries cut off by the timeout reach into the figure."""
    if not run.latencies:
        return ["–"] * 4
    values = run.latencies
    cut = sorted(values)[-run.timeouts] if run.timeouts else float("inf")

    def cell(value):
        return ("≥ " if value >= cut else "") + ms(value)

    return [cell(percentile(values, 50)), cell(percentile(values, 95)), cell(percentile(values, 99)),
            ("≥ " if run.timeouts else "") + ms(statistics.fmean(values))]


def ratio(mine, theirs):
    return f"{theirs / mine:.1f}×" if mine and theirs else "–"


def results_table(runs):
    by_name = {run.name: run for run in runs}
    rows = []
    for run in runs:
        ours = by_name.get(PAIRS.get(run.name, ""))
        speed = ratio(run.docs_per_second, ours.docs_per_second) if ours else ""
        p95 = (ratio(percentile(ours.latencies, 95), percentile(run.latencies, 95))
               if ours and ours.latencies and run.latencies else "")
        rows.append([run.name, f"{run.docs_per_second:,.0f}", f"{run.index_seconds:.1f}", *latency_row(run),
                     len(run.latencies), speed, p95])
    header = ["backend", "index docs/s", "index s", "p50 ms", "p95 ms", "p99 ms", "mean ms", "timed queries",
              "indexing: ours ÷ theirs", "p95: theirs ÷ ours"]
    return header, rows


def category_table(runs, categories):
    header = ["query kind", *[f"{run.name} p50 / p95 ms" for run in runs]]
    rows = []
    for category in categories:
        cells = []
        for run in runs:
            values = run.by_category.get(category, [])
            cells.append(f"{ms(percentile(values, 50))} / {ms(percentile(values, 95))}" if values else "–")
        rows.append([category, *cells])
    return header, rows


def totals_table(runs, queries, reader_name):
    header = ["query", *[run.name for run in runs]]
    rows = [[query.label.replace("|", "\\|"), *[run.totals.get((query.label, reader_name), "–") for run in runs]]
            for query in queries]
    return header, rows


def profile_table(rows):
    header = ["our Elasticsearch request", "p50 ms", "p95 ms", "p99 ms", "server took p50 / p95 ms", "timed queries"]
    body = [[run.name, *latency_row(run)[:3], f"{ms(percentile(took, 50))} / {ms(percentile(took, 95))}" if took else "–",
             len(run.latencies)] for run, took in rows]
    return header, body


SEARCH_INTRO = """## Search

`bench/search_bench.py`: bulk indexing throughput and query latency of our two search backends beside Wagtail's
own (`wagtail.search.backends.database` on PostgreSQL full text, and `wagtail.search.backends.elasticsearch8`),
on one seeded corpus generated from the domain vocabulary (`bench/corpus.py`: threads, slide decks, case studies,
communities and a few member profiles; bodies of 50–400 words; a third of the communities members-only or
private) and one query set: typical multi-word and one-word queries, rare terms, synonyms (NI14, KPI, CSC, FOI),
quoted phrases, filtered queries (kind, library kinds, a private community, year) and typos, each asked as a
visitor and as a member of three non-public communities and two public ones.

What each backend does per query differs, and the table doesn't hide it:

- **ours** (`backend.search()`): one page of 10 hits with highlighted snippets, the total, four facets (kind,
  community, topic, year), domain synonyms, and a "did you mean" when fewer than 3 hits: on Elasticsearch two
  searches sent together in one `_msearch` (the page, scored, rescored by proximity and highlighted; the total and
  the facets, over every match, unscored), then for few-hit queries the term suggester and a count per
  respelling; on PostgreSQL a counting query grouped by the facet columns, a ranked page with `ts_headline`, and
  the vocabulary lookup for few-hit queries.
- **Wagtail's** (what a Wagtail search page with a pager does): `parse_query_string(q, operator="and")`, the
  permission rule and the filters as a queryset filter on FilterFields, `results.count()` and `results[:10]`.
  No snippets, no facets, no synonyms, no spelling suggestion; its Elasticsearch backend makes two requests
  (count, then search) and then loads the 10 rows from PostgreSQL.

Indexing starts from documents (ours) or model instances (Wagtail's) already in memory and ends when the index
answers searches: ours through `backend.rebuild()`, Wagtail's as its `rebuild_modelsearch_index` command does
it (a rebuilder, `add_items()` in chunks of 1,000, `finish()`), each after an untimed warm-up rebuild of 1,000
documents. Loading Wagtail's rows into PostgreSQL is not counted. After indexing, the tables get `VACUUM ANALYZE`
and the Elasticsearch indexes a refresh and a wait for merges, neither counted. Caches are warm: one warm-up
round, then every (query, reader) pair once per timed round, the backends interleaved round by round. In the
ratio columns, above 1× means ours is faster.
"""


def search_section_block(args, runs, queries, categories, profile_rows, started, finished, corpus_seconds,
                         rows_seconds, postgres, elastic):
    header, rows = results_table(runs)
    lines = [
        f"### {args.documents:,} documents",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, {(finished - started).total_seconds() / 60:.1f} minutes in all "
        f"(corpus generated in {corpus_seconds:.0f} s; Wagtail's rows loaded in {rows_seconds:.0f} s), "
        f"seed {args.seed}, {args.rounds} timed rounds of {len(queries)} queries × 2 readers, "
        f"PostgreSQL {postgres}, Elasticsearch {elastic or 'not used'}, Python {platform.python_version()}; "
        f"load average {args.load_before:.1f} before the run and {args.load_after:.1f} after it:",
        "",
        "```sh",
        command_line(args),
        "```",
        "",
        markdown_table(header, rows),
        "",
    ]
    ours_es = next((run for run in runs if run.name == "ours-elastic" and run.latencies), None)
    if ours_es:
        p95 = percentile(ours_es.latencies, 95) * 1000
        verdict = "meets" if p95 < P95_AIM_MS else "misses"
        lines += [f"Our Elasticsearch backend's p95 is {p95:.1f} ms: it {verdict} the {P95_AIM_MS} ms aim "
                  f"(load average {args.load_querying:.1f} when the queries began).", ""]
    for run in runs:
        if run.over_budget:
            lines += [f"{run.name} went over its query time budget ({args.budget:.0f} s), so it has fewer timed "
                      f"queries than the others.", ""]
        if run.timeouts:
            lines += [f"{run.name}: {run.timeouts} timed queries were cut off by the {args.query_timeout:.0f} s "
                      "statement timeout; they count with the time they took, so figures marked ≥ are lower bounds.",
                      ""]
        if run.errors:
            lines += [f"{run.name}: {len(run.errors)} queries failed, e.g. {run.errors[0]}", ""]
    header, rows = category_table(runs, categories)
    lines += ["By kind of query:", "", markdown_table(header, rows), ""]
    if profile_rows:
        header, rows = profile_table(profile_rows)
        lines += ["Where our Elasticsearch backend's time goes: the same queries again, after the run above (load "
                  f"average {args.load_profiling:.1f} when this began), with parts of the request left out; `took` "
                  "is the time Elasticsearch itself reports. Compare rows with each other, not with the table above.",
                  "", markdown_table(header, rows), ""]
    header, rows = totals_table(runs, queries, "visitor")
    lines += ["<details><summary>Hits per query for the visitor (the backends answer differently: synonyms, "
              "stemming, phrases)</summary>", "", markdown_table(header, rows), "", "</details>", ""]
    return "\n".join(lines)


def command_line(args):
    from bench.corpus import DEFAULT_SEED

    options = f" --documents {args.documents}"
    if args.seed != DEFAULT_SEED:
        options += f" --seed {args.seed}"
    for name, default in DEFAULTS.items():
        if getattr(args, name) != default:
            options += f" --{name.replace('_', '-')} {getattr(args, name)}"
    if args.backends != BACKENDS:
        options += f" --backends {','.join(args.backends)}"
    return ("bash scripts/with-test-services.sh bash -c 'DATABASE_URL=$TEST_DATABASE_URL "
            f"ELASTICSEARCH_URL=$TEST_ELASTICSEARCH_URL .venv/bin/python bench/search_bench.py{options}'")


def update_benchmarks(path, block, documents):
    """Replace this corpus size's block in the Search section, keeping every other block and section."""
    blocks = section_blocks(read_benchmarks(path), "Search")
    title = f"### {documents:,} documents"
    blocks[title] = block.rstrip() + "\n"

    def order(item):
        size = re.match(r"### ([\d,]+) documents", item[0])
        return (0, -int(size.group(1).replace(",", ""))) if size else (1, 0)

    replace_section(path, "Search", SEARCH_INTRO + "\n" + "\n".join(body for _, body in sorted(blocks.items(), key=order)))


# ---------------------------------------------------------------------------------------------- main


def parse_args():
    from bench.corpus import DEFAULT_SEED

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=5000, help="corpus size (default 5000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rounds", type=int, default=DEFAULTS["rounds"], help="timed rounds over the query set")
    parser.add_argument("--backends", type=lambda value: value.split(","), default=BACKENDS,
                        help=f"comma-separated subset of {','.join(BACKENDS)}")
    parser.add_argument("--budget", type=float, default=DEFAULTS["budget"],
                        help="seconds of query time per backend (warm-up included) after which it gets no more queries")
    parser.add_argument("--query-timeout", type=float, default=DEFAULTS["query_timeout"],
                        help="PostgreSQL statement_timeout while querying; a cut-off query counts with the time it took")
    parser.add_argument("--profile", choices=["auto", "always", "never"], default=DEFAULTS["profile"],
                        help=f"time our Elasticsearch request with parts left out (auto: when p95 >= {P95_AIM_MS} ms)")
    parser.add_argument("--no-write", action="store_true", help="don't update BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the bench database and indexes (for a look)")
    args = parser.parse_args()
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    args.backends = [name for name in BACKENDS if name in args.backends]
    return args


def main():
    args = parse_args()
    db_url = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    es_url = os.environ.get("ELASTICSEARCH_URL") or os.environ.get("TEST_ELASTICSEARCH_URL") or ""
    if not db_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server (a database bench_search is made on it, then dropped)")
    if not es_url and any(name.endswith("elastic") for name in args.backends):
        sys.exit("ELASTICSEARCH_URL is needed for the Elasticsearch backends (or choose --backends)")

    def progress(message):
        print(f"[{time.monotonic() - clock:7.1f}s] {message}", flush=True)

    # TERM (from scripts/with-test-services.sh, say) unwinds like Ctrl-C, so the clean-up below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    clock = time.monotonic()
    started = datetime.now(timezone.utc)
    args.load_before = os.getloadavg()[0]
    recreate_database(db_url, BENCH_DATABASE)
    try:
        configure_django(db_url, es_url)
        if es_url:
            delete_bench_indices(es_url)   # left by an interrupted run
        run_benchmark(args, db_url, es_url, started, progress)
    finally:
        if args.keep:
            progress(f"kept database {BENCH_DATABASE} and the {INDEX_PREFIX}-* indexes")
        else:
            if es_url:
                try:
                    delete_bench_indices(es_url)
                except Exception as error:  # noqa: BLE001 - the database must still go
                    print(f"Could not delete the {INDEX_PREFIX}-* indexes: {error}", file=sys.stderr)
            drop_database(db_url, BENCH_DATABASE)
            progress(f"dropped database {BENCH_DATABASE} and the {INDEX_PREFIX}-* indexes")


def run_benchmark(args, db_url, es_url, started, progress):
    from django.core.management import call_command

    from bench import corpus
    from search.documents import Access, Reader

    progress(f"migrating {BENCH_DATABASE}")
    call_command("migrate", run_syncdb=True, verbosity=0)
    progress(f"generating {args.documents:,} documents (seed {args.seed})")
    documents, corpus_seconds = timed(corpus.documents, args.documents, args.seed)
    groups = corpus.communities(args.documents, args.seed)
    private = [group.pk for group in groups if group.access == Access.COMMUNITY]
    public = [group.pk for group in groups if group.access == Access.PUBLIC]
    readers = {"visitor": Reader(), "member": Reader(is_authenticated=True, community_ids=private[:3] + public[:2])}
    queries = query_set(private[0])
    categories = list(dict.fromkeys(query.category for query in queries))

    runs, rows_seconds = [], 0.0
    for name in args.backends:
        progress(f"indexing {name}")
        run = Run(name=name, documents=len(documents))
        if name == "ours-database":
            backend, run.index_seconds = index_ours_database(documents)
            run.runner = on_timeout(ours_runner(backend))
        elif name == "ours-elastic":
            backend, run.index_seconds = index_ours_elastic(documents, es_url)
            run.runner = ours_runner(backend)
        else:
            if not rows_seconds:
                objects, rows_seconds = timed(load_wagtail_rows, documents)
                progress(f"  loaded {len(objects):,} BenchDocument rows in {rows_seconds:.1f} s")
            backend_name = "default" if name == "wagtail-database" else "elasticsearch"
            backend, run.index_seconds = index_wagtail(backend_name, objects)
            if name == "wagtail-database":
                vacuum_analyze(["wagtailsearch_indexentry"])
            run.runner = on_timeout(wagtail_runner(backend))
        progress(f"  {run.documents:,} documents in {run.index_seconds:.1f} s: {run.docs_per_second:,.0f}/s")
        runs.append(run)
    if any(name.endswith("elastic") for name in args.backends):
        progress("letting Elasticsearch finish its merges")
        settle_elasticsearch(es_url)

    set_statement_timeout(args.query_timeout)
    args.load_querying = os.getloadavg()[0]
    progress(f"querying: {len(queries)} queries × {len(readers)} readers, 1 warm-up + {args.rounds} timed rounds")
    measure(runs, queries, readers, args.rounds, 1, args.budget, args.seed, progress)

    profile_rows = []
    ours_es = next((run for run in runs if run.name == "ours-elastic" and run.latencies), None)
    if ours_es and (args.profile == "always"
                    or (args.profile == "auto" and percentile(ours_es.latencies, 95) * 1000 >= P95_AIM_MS)):
        progress("profiling our Elasticsearch request")
        args.load_profiling = os.getloadavg()[0]
        profile_rows = profile_elastic(es_url, queries, readers, max(2, args.rounds // 2), args.seed, progress)

    finished = datetime.now(timezone.utc)
    args.load_after = os.getloadavg()[0]
    header, rows = results_table(runs)
    print_table(f"{args.documents:,} documents", header, rows)
    print_table("By kind of query", *category_table(runs, categories))
    if profile_rows:
        print_table("Our Elasticsearch request, parts left out", *profile_table(profile_rows))
    print_table("Hits per query for the visitor", *totals_table(runs, queries, "visitor"))
    print_table("Hits per query for the member", *totals_table(runs, queries, "member"))
    for run in runs:
        for error in run.errors[:5]:
            print(f"{run.name} error: {error}")
    postgres, elastic = versions(db_url, es_url)
    if not args.no_write:
        block = search_section_block(args, runs, queries, categories, profile_rows, started, finished,
                                     corpus_seconds, rows_seconds, postgres, elastic)
        update_benchmarks(ROOT / "BENCHMARKS.md", block, args.documents)
        progress("BENCHMARKS.md updated")
    print(f"\nTotal time {(datetime.now(timezone.utc) - started).total_seconds() / 60:.1f} minutes")


if __name__ == "__main__":
    main()
