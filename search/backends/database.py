"""The embedded search backend: full-text search in the site's own database.

SQLite: an FTS5 table (porter stemming) beside `SearchEntry`, kept in step by triggers; ranked with
bm25, title above body. PostgreSQL: a weighted tsvector column (title A, body B, topic names C,
'english' config) with a GIN index, written by a trigger; ranked with ts_rank (on the best
RANK_CANDIDATES matches by title when a query has more, see PostgresFullText). Which one is chosen at
run time from `connection.vendor`, so the same code serves `make run` and the PostgreSQL deployment.

Everything a reader may not read is left out inside the SQL itself: hits, totals, facet counts,
autocomplete and the "did you mean" vocabulary all go through the same permission clause.

Queries are parsed here rather than handed to the database's own syntax, so nothing a user types
can break the query: words (all required), "quoted phrases" (adjacent words, taken as written) and the
domain synonyms of search/synonyms.txt for unquoted words, a multi-word synonym becoming a phrase.
"""

import difflib
import html
import re
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Substr
from django.utils.safestring import mark_safe

from ..documents import KINDS, Access, FacetValue, Hit, SearchFilters, SearchResults
from ..models import SearchEntry
from .base import SearchBackend, synonym_rules

TABLE = SearchEntry._meta.db_table
FTS_TABLE = f"{TABLE}_fts"
FACETS = ("kind", "community", "topic", "year")
CHUNK_SIZE = 500
MAX_QUERY_WORDS = 32

# Highlight markers: private-use characters no stored text contains (they are stripped on indexing),
# so the snippet can be HTML-escaped whole and only then get its <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 30
ELLIPSIS = "…"

# FTS5 bm25 weights for (title, body, topic_names); ts_rank weights are {D, C, B, A}.
SQLITE_WEIGHTS = (10.0, 1.0, 0.5)
POSTGRES_WEIGHTS = "{0.05, 0.2, 0.4, 1.0}"
POSTGRES_CONFIG = "english"  # the vectors' config is in the trigger of migration 0003
# A query with more matches than this has only its best RANK_CANDIDATES by title (ts_rank on title_vector,
# then date) ranked exactly; the rest follow in that order. Measured on the 100,000-document benchmark
# corpus: page one as with every match ranked for 94 % of hits (1,000), 93 % (500), 85 % (200).
RANK_CANDIDATES = 1000
# Per search: the matches are found through the GIN index (a sequential scan would read every vector and
# the planner can't tell), no JIT compilation (it costs more than the query), and room to sort in memory.
POSTGRES_SEARCH_SETTINGS = {"enable_seqscan": "off", "jit": "off", "work_mem": "64MB"}
# ts_headline parses all the text it is given, and a long thread's body runs to 100,000 characters (70 ms for a page
# of ten such hits): it is given HEADLINE_WINDOW characters from a little before the first place the query's first
# word occurs, as typed or as its stem ("mystery" is "mysteri"), or from the start when neither occurs as such.
HEADLINE_WINDOW = 20000
HEADLINE_LEAD = 300
POSTGRES_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS + 5}, MinWords={SNIPPET_WORDS // 2}, "
    f'ShortWord=2, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)

# PostgreSQL's English stop words (tsearch_data/english.stop), so both databases ignore the same words.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself
it its itself they them their theirs themselves what which who whom this that these those am is are was were be
been being have has had having do does did doing a an the and but if or because as until while of at by for with
about against between into through during before after above below to from up down in out on off over under again
further then once here there when where why how all any both each few more most other some such no nor not only
own same so than too very s t can will just don should now
""".split())

WORD = re.compile(r"[^\W_]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUOTED = re.compile(r'"([^"]*)(?:"|$)')

# "Did you mean": words from titles, plus the commonest words near the start of recent bodies.
VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,}")
VOCABULARY_BODY_DOCUMENTS = 3000
VOCABULARY_BODY_CHARS = 2000
VOCABULARY_BODY_WORDS = 3000  # per permission partition
VOCABULARY_TTL = 300          # seconds; other processes' index() calls reach us this late at worst
SUGGEST_BELOW = 3


def words(text):
    return [word.lower() for word in WORD.findall(text or "")]


def _clean(text):
    """Stored text: no highlight markers, and no NUL, which PostgreSQL text refuses (extracted PDFs have some)."""
    return (text or "").replace(MARK_START, "").replace(MARK_END, "").replace("\x00", "")


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Query parsing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alternative:
    """Words that must all occur: next to each other, in order (phrase), or anywhere (all)."""

    tokens: tuple
    phrase: bool


# A query is a list of clauses, all required; a clause is satisfied by any one of its alternatives.


def _normalise(tokens):
    """Loose form for spotting synonyms in a query: lower case, a plural 's' dropped."""
    return tuple(t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in tokens)


class Synonyms:
    def __init__(self, rules):
        self.groups = {}   # normalised entry -> list of entries (token tuples) it is equivalent to
        for rule in rules:
            entries = [tuple(words(entry)) for entry in rule.split(",")]
            entries = [entry for entry in entries if entry]
            for entry in entries:
                group = self.groups.setdefault(_normalise(entry), [])
                group.extend(other for other in entries if other not in group)
        self.longest = max((len(entry) for entry in self.groups), default=0)
        self.tokens = {token for entry in self.groups for token in entry}

    def clause(self, tokens):
        """The clause for unquoted `tokens` (a synonym entry or a single word), with its equivalents as alternatives."""
        original = self._alternative(tokens, phrase=False)
        alternatives = [original] if original else []
        for entry in self.groups.get(_normalise(tokens), []):
            alternative = Alternative(entry, True)
            if entry != tuple(tokens) and alternative not in alternatives:
                alternatives.append(alternative)
        return alternatives

    @staticmethod
    def _alternative(tokens, phrase):
        tokens = tuple(tokens)
        if phrase or len(tokens) == 1:
            return Alternative(tokens, True) if any(t not in STOP_WORDS for t in tokens) else None
        kept = tuple(t for t in tokens if t not in STOP_WORDS)
        return Alternative(kept, False) if kept else None

    def parse(self, query):
        clauses = []
        position = 0
        for quoted in QUOTED.finditer(query or ""):
            clauses += self._loose(query[position:quoted.start()])
            tokens = words(quoted.group(1))[:MAX_QUERY_WORDS]
            phrase = self._alternative(tokens, phrase=True) if tokens else None
            if phrase:   # taken as written: the user quoted these words, not their synonyms
                clauses.append([phrase])
            position = quoted.end()
        clauses += self._loose((query or "")[position:])
        return [clause for clause in clauses if clause][:MAX_QUERY_WORDS]

    def _loose(self, text):
        tokens = words(text)[:MAX_QUERY_WORDS]
        clauses, start = [], 0
        while start < len(tokens):
            for length in range(min(self.longest, len(tokens) - start), 0, -1):
                candidate = tokens[start:start + length]
                if _normalise(candidate) in self.groups:
                    clauses.append(self.clause(candidate))
                    start += length
                    break
            else:
                clauses.append(self.clause(tokens[start:start + 1]))
                start += 1
        return clauses


# --- The two full-text engines -------------------------------------------------------------------


FACET_COLUMNS = "e.kind, e.community_id, e.community_title, e.year, e.topics, e.topic_names"


class FullText:
    """What both engines share; each provides match() and contains_topic(), and hits() or a page() of its own."""

    def ensure_index(self):
        """Make sure the full-text index exists (the migrations make it)."""

    def settings(self):
        """A context for one search's queries (planner settings, for instance)."""
        return nullcontext()

    def facet_rows(self, clauses, where, params, match_all=True):
        """Counts per (kind, community, year, topics) of the matching entries: the facets and the total."""
        from_sql, from_params, match_sql, match_params = self.match(clauses, match_all)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {FACET_COLUMNS}, COUNT(*) FROM {from_sql} WHERE {match_sql} AND {where} "
                f"GROUP BY {FACET_COLUMNS}",
                from_params + match_params + params,
            )
            return cursor.fetchall()

    def page(self, clauses, where, params, limit, offset, match_all=True):
        """(facet rows as facet_rows() gives them, [(entry, snippet)] for the page)."""
        rows = self.facet_rows(clauses, where, params, match_all)
        if sum(row[-1] for row in rows) <= offset:
            return rows, []
        return rows, self.hits(clauses, where, params, limit, offset, match_all)

    def finds_more_than(self, clauses, where, params, count):
        """Whether more than `count` entries match: stops counting at count + 1."""
        from_sql, from_params, match_sql, match_params = self.match(clauses)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {from_sql} WHERE {match_sql} AND {where} LIMIT %s) found",
                from_params + match_params + params + [count + 1],
            )
            return cursor.fetchone()[0] > count


class SQLiteFullText(FullText):
    """FTS5: MATCH expressions built from quoted strings only, so user input is never FTS5 syntax."""

    def __init__(self):
        self._checked = set()

    def ensure_index(self):
        """The FTS5 table and its triggers exist (the migration makes them; a table remade by a later
        migration or a database made without migrations loses them): if not, make them and refill."""
        name = connection.settings_dict["NAME"]
        if name in self._checked:
            return
        expected = {FTS_TABLE, f"{FTS_TABLE}_insert", f"{FTS_TABLE}_update", f"{FTS_TABLE}_delete"}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", sorted(expected)
            )
            if {row[0] for row in cursor.fetchall()} == expected:
                self._checked.add(name)
                return
            with transaction.atomic():
                for statement in self.CREATE:
                    cursor.execute(statement)
        # Not marked as checked: if this ran inside a transaction that rolls back, check again next time.

    CREATE = [
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, topic_names, tokenize = 'porter unicode61')",
        f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {TABLE} BEGIN
              INSERT INTO {FTS_TABLE} (rowid, title, body, topic_names) VALUES (new.id, new.title, new.body, new.topic_names);
            END""",
        f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF title, body, topic_names ON {TABLE} BEGIN
              DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
              INSERT INTO {FTS_TABLE} (rowid, title, body, topic_names) VALUES (new.id, new.title, new.body, new.topic_names);
            END""",
        f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {TABLE} BEGIN
              DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            END""",
        f"INSERT INTO {FTS_TABLE} (rowid, title, body, topic_names) SELECT id, title, body, topic_names FROM {TABLE}",
    ]

    @staticmethod
    def expression(clauses, match_all=True):
        def string(tokens):
            return '"' + " ".join(tokens) + '"'  # tokens are letters and digits only

        def alternative(alt):
            if alt.phrase:
                return string(alt.tokens)
            return "(" + " AND ".join(string([t]) for t in alt.tokens) + ")"

        joiner = " AND " if match_all else " OR "
        return joiner.join("(" + " OR ".join(alternative(alt) for alt in clause) + ")" for clause in clauses)

    def match(self, clauses, match_all=True):
        """(FROM, its params, WHERE, its params) for the entries `e` matching the query."""
        return (f"{FTS_TABLE} JOIN {TABLE} e ON e.id = {FTS_TABLE}.rowid", [],
                f"{FTS_TABLE} MATCH %s", [self.expression(clauses, match_all)])

    @staticmethod
    def contains_topic(column):
        return f"instr(' ' || {column} || ' ', %s) > 0"

    def hits(self, clauses, where, params, limit, offset, match_all=True):
        self.ensure_index()
        from_sql, from_params, match_sql, match_params = self.match(clauses, match_all)
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        entries = list(SearchEntry.objects.raw(
            f"SELECT e.id, e.key, e.kind, e.title, e.url, e.date, e.community_title, e.topic_names "
            f"FROM {from_sql} WHERE {match_sql} AND {where} "
            f"ORDER BY bm25({FTS_TABLE}, {weights}), e.date DESC, e.id LIMIT %s OFFSET %s",
            from_params + match_params + params + [limit, offset],
        ))
        if not entries:
            return []
        # Snippets only for this page: SQLite would otherwise make one for every match before sorting.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 1, %s, %s, %s, %s) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({', '.join(['%s'] * len(entries))})",
                [MARK_START, MARK_END, ELLIPSIS, SNIPPET_WORDS, match_params[0], *(e.id for e in entries)],
            )
            snippets = dict(cursor.fetchall())
        return [(entry, snippets.get(entry.id, "")) for entry in entries]


class PostgresFullText(FullText):
    """to_tsquery built with plainto_tsquery/phraseto_tsquery from bound parameters, combined in SQL.

    A search costs in proportion to its matches ("performance" matches most of the index): the facet
    counts need every match, so page() reads the matches once, through the GIN index, and from that one
    pass takes the counts and the order of the matches by title (ts_rank on the small title_vector, then
    date). Only the first RANK_CANDIDATES of that order get the exact ts_rank on their whole vector (a
    query with fewer matches is ranked exactly as a whole); matches beyond them keep the title order.
    So every page of results comes from one fixed order, and ts_headline runs for the page's hits only.
    """

    @contextmanager
    def settings(self):
        """POSTGRES_SEARCH_SETTINGS for the queries inside, as transaction-local settings; inside an outer
        transaction they are put back afterwards (and a rollback puts them back anyway)."""
        names = list(POSTGRES_SEARCH_SETTINGS)
        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "WITH previous AS MATERIALIZED (SELECT " + ", ".join("current_setting(%s)" for _ in names) + ") "
                "SELECT previous.*, " + ", ".join("set_config(%s, %s, true)" for _ in names) + " FROM previous",
                names + [value for name in names for value in (name, POSTGRES_SEARCH_SETTINGS[name])],
            )
            previous = cursor.fetchone()[:len(names)]
            yield
            if nested:
                cursor.execute(
                    "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                    [value for name, old in zip(names, previous) for value in (name, old)],
                )

    @staticmethod
    def tsquery(clauses, match_all=True):
        sql, params = [], []
        for clause in clauses:
            alternatives = []
            for alt in clause:
                function = "phraseto_tsquery" if alt.phrase else "plainto_tsquery"
                alternatives.append(f"{function}('{POSTGRES_CONFIG}'::regconfig, %s)")
                params.append(" ".join(alt.tokens))
            sql.append("(" + " || ".join(alternatives) + ")")
        return "(" + (" && " if match_all else " || ").join(sql) + ")", params

    def match(self, clauses, match_all=True):
        tsquery, params = self.tsquery(clauses, match_all)
        return f"{TABLE} e, (SELECT {tsquery} AS query) q", params, "e.search_vector @@ q.query", []

    @staticmethod
    def contains_topic(column):
        return f"strpos(' ' || {column} || ' ', %s) > 0"

    def page(self, clauses, where, params, limit, offset, match_all=True):
        from_sql, from_params, match_sql, match_params = self.match(clauses, match_all)
        end = offset + limit
        # One pass over the matches: the facet rows, then one row holding the ids in title order, as far
        # as this page needs them (the first RANK_CANDIDATES at least).
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matches AS MATERIALIZED (SELECT e.id, e.date, {FACET_COLUMNS}, "
                f"ts_rank('{POSTGRES_WEIGHTS}'::float4[], e.title_vector, q.query) AS title_rank "
                f"FROM {from_sql} WHERE {match_sql} AND {where}) "
                f"SELECT kind, community_id, community_title, year, topics, topic_names, COUNT(*), NULL "
                f"FROM matches GROUP BY kind, community_id, community_title, year, topics, topic_names "
                f"UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, ARRAY(SELECT id FROM matches "
                f"ORDER BY title_rank DESC NULLS LAST, date DESC, id LIMIT %s)",
                from_params + match_params + params + [max(RANK_CANDIDATES, end)],
            )
            rows = cursor.fetchall()
        in_title_order = next(row[-1] for row in rows if row[-2] is None)
        rows = [row[:-1] for row in rows if row[-2] is not None]
        if len(in_title_order) <= offset:
            return rows, []
        candidates = in_title_order[:RANK_CANDIDATES]
        beyond = in_title_order[max(offset, RANK_CANDIDATES):end]
        tsquery, query_params = self.tsquery(clauses, match_all)
        first_word = next((token for clause in clauses for alt in clause for token in alt.tokens
                           if token not in STOP_WORDS), "")
        # The page's places among the candidates, by exact rank, then its places past them, in title order.
        entries = SearchEntry.objects.raw(
            f"WITH q AS (SELECT {tsquery} AS query, w.word AS first_word, "
            f"COALESCE((ts_lexize('english_stem', w.word))[1], w.word) AS first_stem FROM (SELECT %s::text AS word) w) "
            f"SELECT e.id, e.key, e.kind, e.title, e.url, e.date, e.community_title, e.topic_names, "
            f"ts_headline('{POSTGRES_CONFIG}'::regconfig, substr(e.body, GREATEST(1, LEAST("
            f"NULLIF(strpos(lowered.body, q.first_word), 0), NULLIF(strpos(lowered.body, q.first_stem), 0)"
            f") - {HEADLINE_LEAD}), {HEADLINE_WINDOW}), q.query, %s) AS snippet_text "
            f"FROM (SELECT ranked.id, ranked.place FROM (SELECT e.id, row_number() OVER ("
            f"ORDER BY ts_rank('{POSTGRES_WEIGHTS}'::float4[], e.search_vector, q.query) DESC, e.date DESC, e.id"
            f") AS place FROM {TABLE} e, q WHERE e.id = ANY(%s::bigint[])) ranked "
            f"WHERE ranked.place > %s AND ranked.place <= %s "
            f"UNION ALL SELECT beyond.id, %s + beyond.place "
            f"FROM unnest(%s::bigint[]) WITH ORDINALITY beyond(id, place)"
            f") page JOIN {TABLE} e ON e.id = page.id, q, LATERAL (SELECT lower(e.body) AS body) lowered "
            f"ORDER BY page.place",
            query_params + [first_word, POSTGRES_HEADLINE_OPTIONS, candidates, offset, end, RANK_CANDIDATES, beyond],
        )
        return rows, [(entry, entry.snippet_text) for entry in entries]


# --- The backend ---------------------------------------------------------------------------------


def _snippet_html(text):
    """Escape everything, then turn the markers into <mark> tags."""
    text = html.escape(re.sub(r"\s+", " ", text or "").strip())
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _partition(access, community_id):
    """Which readers may see a row: the "did you mean" vocabulary is kept per partition."""
    if access == Access.PUBLIC:
        return ("public",)
    if access == Access.MEMBERS:
        return ("members",)
    if access == Access.COMMUNITY and community_id is not None:
        return ("community", community_id)
    return ("staff",)


class DatabaseBackend(SearchBackend):
    def __init__(self, url=""):
        super().__init__(url)
        self.synonyms = Synonyms(synonym_rules())
        self._engines = {"sqlite": SQLiteFullText(), "postgresql": PostgresFullText()}
        self._vocabulary = None  # (database name, built at, {partition: Counter})
        self._vocabulary_lock = threading.Lock()

    @property
    def engine(self):
        try:
            return self._engines[connection.vendor]
        except KeyError:
            raise NotImplementedError(f"The database search backend supports SQLite and PostgreSQL, not {connection.vendor}")

    # --- writing

    def index(self, documents):
        latest = {document.key: document for document in documents}  # the last one for a key wins
        if not latest:
            return
        self.engine.ensure_index()
        with transaction.atomic():
            for chunk in _chunks(latest.values(), CHUNK_SIZE):
                self._write(chunk)
        self._forget_vocabulary()

    def _write(self, documents):
        entries = [self._entry(document) for document in documents]
        SearchEntry.objects.bulk_create(
            entries, update_conflicts=True, unique_fields=["key"],
            update_fields=[f.name for f in SearchEntry._meta.concrete_fields
                           if f.name not in ("id", "key", "search_vector", "title_vector")],
        )  # on PostgreSQL the vectors come from a trigger (migration 0003), in the same statement

    @staticmethod
    def _entry(document):
        slugs = ["-".join(slug.split()) for slug in document.topics]
        names = [" ".join(_clean(name).split()) for name in document.topic_names]
        return SearchEntry(
            key=document.key, kind=document.kind, title=_clean(document.title), body=_clean(document.body),
            url=_clean(document.url), access=document.access, community_id=document.community_id,
            community_title=_clean(document.community_title), topics=" ".join(slugs), topic_names="\n".join(names),
            date=document.date, year=document.year, fingerprint=document.fingerprint,
        )

    def remove(self, keys):
        keys = list(dict.fromkeys(keys))
        with transaction.atomic():
            for chunk in _chunks(keys, CHUNK_SIZE):
                SearchEntry.objects.filter(key__in=chunk).delete()
        self._forget_vocabulary()

    def rebuild(self, documents):
        """Everything replaced in one transaction: readers see the old index until it commits."""
        self.engine.ensure_index()
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            for chunk in _chunks(documents, CHUNK_SIZE):
                # upserts: a key met again, in this chunk or a later one, replaces the earlier one, as in index()
                self._write(list({document.key: document for document in chunk}.values()))
        self._forget_vocabulary()

    def indexed_fingerprints(self):
        return dict(SearchEntry.objects.values_list("key", "fingerprint").iterator(chunk_size=5000))

    # --- reading

    def _where(self, reader, filters):
        """Permission and filter clauses on entries `e`, as SQL and params."""
        sql, params = [], []
        if not reader.is_staff:
            allowed, allowed_params = ["e.access = %s"], [Access.PUBLIC]
            if reader.is_authenticated:
                allowed.append("e.access = %s")
                allowed_params.append(Access.MEMBERS)
            community_ids = sorted({int(pk) for pk in reader.community_ids or [] if pk is not None})
            if community_ids:
                allowed.append(f"(e.access = %s AND e.community_id IN ({', '.join(['%s'] * len(community_ids))}))")
                allowed_params += [Access.COMMUNITY, *community_ids]
            sql.append("(" + " OR ".join(allowed) + ")")
            params += allowed_params
        if filters.kind:
            sql.append("e.kind = %s")
            params.append(filters.kind)
        if filters.kinds:
            sql.append(f"e.kind IN ({', '.join(['%s'] * len(filters.kinds))})")
            params += list(filters.kinds)
        if filters.community is not None:
            sql.append("e.community_id = %s")
            params.append(int(filters.community))
        if filters.topic:
            sql.append(self.engine.contains_topic("e.topics"))
            params.append(f" {filters.topic} ")
        if filters.year is not None:
            sql.append("e.year = %s")
            params.append(int(filters.year))
        return " AND ".join(sql) or "1 = 1", params

    @staticmethod
    def _permitted(reader):
        """The same rule as _where(), for the ORM."""
        if reader.is_staff:
            return Q()
        allowed = Q(access=Access.PUBLIC)
        if reader.is_authenticated:
            allowed |= Q(access=Access.MEMBERS)
        community_ids = [int(pk) for pk in reader.community_ids or [] if pk is not None]
        if community_ids:
            allowed |= Q(access=Access.COMMUNITY, community_id__in=community_ids)
        return allowed

    def search(self, query, reader, filters, page=1, per_page=10, match_all=True):
        filters = filters or SearchFilters()
        page, per_page = max(1, int(page or 1)), max(1, int(per_page or 10))
        clauses = self.synonyms.parse(query)
        if not clauses:
            return SearchResults(hits=[], total=0, page=page, per_page=per_page, facets={name: [] for name in FACETS})
        self.engine.ensure_index()
        where, params = self._where(reader, filters)
        with self.engine.settings():
            rows, entries = self.engine.page(clauses, where, params, per_page, (page - 1) * per_page, match_all)
            total = sum(row[-1] for row in rows)
            suggestion = self._did_you_mean(query, reader, where, params, total) if total < SUGGEST_BELOW else ""
        hits = [
            Hit(key=entry.key, kind=entry.kind, title=entry.title, url=entry.url, snippet=_snippet_html(snippet),
                date=entry.date, community_title=entry.community_title,
                topic_names=[name for name in entry.topic_names.split("\n") if name])
            for entry, snippet in entries
        ]
        return SearchResults(hits=hits, total=total, page=page, per_page=per_page, facets=self._facets(rows),
                             suggestion=suggestion)

    @staticmethod
    def _facets(rows):
        kinds, communities, topics, years = Counter(), Counter(), Counter(), Counter()
        community_labels, topic_labels = {}, {}
        for kind, community_id, community_title, year, slugs, names, count in rows:
            kinds[kind] += count
            years[str(year)] += count
            if community_id is not None:
                communities[str(community_id)] += count
                community_labels.setdefault(str(community_id), community_title or str(community_id))
            names = names.split("\n") if names else []
            for position, slug in enumerate(dict.fromkeys(slugs.split())):
                topics[slug] += count
                topic_labels.setdefault(slug, names[position] if position < len(names) and names[position] else slug)

        def values(counter, label):
            ordered = sorted(counter.items(), key=lambda item: (-item[1], label(item[0]).lower(), item[0]))
            return [FacetValue(value=value, label=label(value), count=count) for value, count in ordered]

        return {
            "kind": values(kinds, lambda value: KINDS.get(value, value)),
            "community": values(communities, community_labels.get),
            "topic": values(topics, topic_labels.get),
            "year": sorted(values(years, str), key=lambda facet: (-facet.count, -int(facet.value))),
        }

    def suggest(self, prefix, reader, limit=8):
        prefix = " ".join(CONTROL.sub(" ", prefix or "").split()).lower()
        if not prefix or limit <= 0:
            return []
        self.engine.ensure_index()
        titles = (
            SearchEntry.objects.filter(self._permitted(reader))
            .filter(title__icontains=prefix)  # cheap LIKE first, then the word boundary
            .filter(title__iregex=r"(^|\W)" + re.escape(prefix))
            .annotate(starts=Case(When(title__istartswith=prefix, then=Value(0)), default=Value(1),
                                  output_field=IntegerField()))
            .order_by("starts", "-date", "id")
            .values("title", "url", "kind")[:limit]
        )
        return [dict(row) for row in titles]

    # --- "did you mean"

    def _forget_vocabulary(self):
        self._vocabulary = None

    def _partitions(self):
        database = connection.settings_dict["NAME"]
        cached = self._vocabulary
        if cached and cached[0] == database and time.monotonic() - cached[1] < VOCABULARY_TTL:
            return cached[2]
        with self._vocabulary_lock:
            cached = self._vocabulary
            if cached and cached[0] == database and time.monotonic() - cached[1] < VOCABULARY_TTL:
                return cached[2]
            partitions = self._build_vocabulary()
            self._vocabulary = (database, time.monotonic(), partitions)
            return partitions

    @staticmethod
    def _build_vocabulary():
        title_words, body_words = defaultdict(Counter), defaultdict(Counter)
        for access, community_id, title in SearchEntry.objects.values_list("access", "community_id", "title").iterator(
                chunk_size=2000):
            title_words[_partition(access, community_id)].update(w.lower() for w in VOCABULARY_WORD.findall(title))
        recent = (SearchEntry.objects.order_by("-date")
                  .values_list("access", "community_id", Substr("body", 1, VOCABULARY_BODY_CHARS))
                  [:VOCABULARY_BODY_DOCUMENTS])
        for access, community_id, body in recent.iterator(chunk_size=500):
            body_words[_partition(access, community_id)].update(w.lower() for w in VOCABULARY_WORD.findall(body or ""))
        partitions = {}
        for partition in set(title_words) | set(body_words):
            vocabulary = Counter(dict(body_words[partition].most_common(VOCABULARY_BODY_WORDS)))
            vocabulary.update(title_words[partition])
            partitions[partition] = vocabulary
        return partitions

    def _vocabulary_for(self, reader):
        partitions = self._partitions()
        if reader.is_staff:
            chosen = partitions.values()
        else:
            keys = [("public",)] + ([("members",)] if reader.is_authenticated else [])
            keys += [("community", int(pk)) for pk in reader.community_ids or [] if pk is not None]
            chosen = [partitions[key] for key in keys if key in partitions]
        vocabulary = Counter()
        for counter in chosen:
            vocabulary.update(counter)
        return vocabulary

    def _correction(self, word, vocabulary, by_length):
        if (len(word) < 3 or not word.isalpha() or word in vocabulary or word in STOP_WORDS
                or word in self.synonyms.tokens):
            return None
        candidates = [c for length in range(len(word) - 2, len(word) + 3) for c in by_length.get(length, ())]
        close = difflib.get_close_matches(word, candidates, n=5, cutoff=0.75)
        if not close:
            return None
        # the closest; among equally close, the commonest
        best = max(close, key=lambda c: (round(difflib.SequenceMatcher(None, word, c).ratio(), 3), vocabulary[c]))
        return best

    def _did_you_mean(self, query, reader, where, params, total):
        vocabulary = self._vocabulary_for(reader)
        if not vocabulary:
            return ""
        by_length = defaultdict(list)
        for word in vocabulary:
            by_length[len(word)].append(word)
        changed = False

        def replace(match):
            nonlocal changed
            correction = self._correction(match.group(0).lower(), vocabulary, by_length)
            if correction is None:
                return match.group(0)
            changed = True
            return correction

        suggestion = WORD.sub(replace, query or "").strip()
        if not changed or suggestion.lower() == (query or "").strip().lower():
            return ""
        # Only worth offering if it finds more than the query did (for this reader, with these filters).
        clauses = self.synonyms.parse(suggestion)
        if not clauses or not self.engine.finds_more_than(clauses, where, params, total):
            return ""
        return suggestion
