"""Writing many rows fast (COPY on PostgreSQL, executemany elsewhere), and what a bulk load needs around it.

Rows are plain tuples in the order of the fields a `TableWriter` names: no model instances, no save(), no
signals. The generator hands out primary keys itself where later rows must point at earlier ones (users,
memberships, threads, posts, decks, pages), so it never reads ids back; `reset_sequences` then moves the
database's counters past them, so rows created afterwards by the site get fresh ids. Around the load: receivers
that queue per-object work kept quiet, foreign keys checked once at the end rather than row by row, fresh planner
statistics, and a temporary index for the one phase that needs it. All of it inside the caller's transaction.
"""

import weakref
from contextlib import contextmanager
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from wagtail.signals import page_published, page_unpublished

CHUNK_ROWS = 10_000
ZERO = timedelta(0)
# Fields whose Python values the database driver can't take as they are on every backend (dates on SQLite).
CONVERTED_FIELDS = (models.DateTimeField, models.DateField, models.JSONField, models.UUIDField, models.DecimalField)
# Whose receivers queue work per object: this project's apps (search outbox rows, emails, roundup sending) and
# Wagtail's search index (a task per saved page). Wagtail's reference index has its own switch (generator.py).
QUIETED_PACKAGES = ("communities", "library", "newsletters", "search", "cop_site", "modelsearch")
QUIETED_SIGNALS = (pre_save, post_save, pre_delete, post_delete, m2m_changed, page_published, page_unpublished)


class TableWriter:
    """Appends rows to one model's table. `fields` name the columns each row tuple fills, in order.

    Rows are buffered and written CHUNK_ROWS at a time; use it as a context manager (or call `flush`) so the
    last ones are written too. Every column that can't be NULL and isn't the auto primary key must be named: a
    missing one is a mistake in the generator, caught here rather than as an IntegrityError half-way through.
    Generated columns are the database's to fill.
    """

    def __init__(self, model, fields):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.written = 0
        self.buffer = []
        missing = [
            field.name for field in model._meta.local_concrete_fields
            if not field.null and not field.generated and field not in self.fields
            and not isinstance(field, models.AutoField)
        ]
        if missing:
            raise ValueError(f"{model.__name__} rows must fill {', '.join(missing)}")
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(field.column) for field in self.fields)
        self.converters = [
            (index, _converter(field)) for index, field in enumerate(self.fields) if isinstance(field, CONVERTED_FIELDS)
        ]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc_info):
        if exc_type is None:
            self.flush()

    def add(self, row):
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def write(self, rows):
        for row in rows:
            self.add(row)

    def flush(self):
        if not self.buffer:
            return
        if connection.vendor == "postgresql":
            self._copy(self.buffer)
        else:
            self._executemany(self.buffer)
        self.written += len(self.buffer)
        self.buffer = []

    def _converted(self, chunk):
        if not self.converters:
            return chunk
        rows = []
        for row in chunk:
            row = list(row)
            for index, convert in self.converters:
                if row[index] is not None:
                    row[index] = convert(row[index])
            rows.append(row)
        return rows

    def _copy(self, chunk):
        # psycopg adapts dates, decimals and UUIDs itself; COPY is several times faster than INSERT.
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)

    def _executemany(self, chunk):
        placeholders = ", ".join(["%s"] * len(self.fields))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", self._converted(chunk))


def _converter(field):
    """How a value of `field` goes to the database when the driver can't take it as it is (not for COPY)."""
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
        # What Django stores for an aware datetime on SQLite: naive UTC, as text. The generator's datetimes are
        # all UTC, so this skips the general conversion, which takes longer than the insert itself.
        def utc_text(value):
            if value.utcoffset() != ZERO:
                return field.get_db_prep_save(value, connection)
            return str(value.replace(tzinfo=None))
        return utc_text
    return lambda value: field.get_db_prep_save(value, connection)


def next_id(model):
    """The first primary key after every row the table holds."""
    return (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(models_with_ids):
    """Move the database's id counters past the ids handed out here (PostgreSQL; SQLite follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_with_ids)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyze():
    """Refresh the planner's statistics (PostgreSQL), so queries right after a bulk load are planned for its size."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def roomy_sorts():
    """More memory for this transaction's sorts and hashes (PostgreSQL): the roundups' month-wide aggregates."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")


@contextmanager
def temporary_index(model, field_name):
    """An index on one column for the length of the block, dropped again before the transaction ends."""
    quote = connection.ops.quote_name
    name = quote(f"bench_tmp_{model._meta.db_table}_{field_name}"[:60])
    column = quote(model._meta.get_field(field_name).column)
    _alter([f"CREATE INDEX {name} ON {quote(model._meta.db_table)} ({column})"])
    try:
        yield
    finally:
        _alter([f"DROP INDEX {name}"])


def release_foreign_keys(models_written):
    """PostgreSQL: drop the foreign keys of these tables for a bulk load; `restore_foreign_keys` puts them back.

    A row written with its foreign keys in place queues one check per key until commit: millions of rows, minutes
    of checks. Adding a key back checks every row in one pass instead. Both happen in the caller's transaction,
    so an error on the way leaves the schema as it was. (SQLite checks its deferred keys quickly: left alone.)
    """
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in models_written]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", [tables],
        )
        keys = cursor.fetchall()
    _alter([f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}" for table, name, _ in keys])
    return keys


def restore_foreign_keys(keys):
    _alter([f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            for table, name, definition in keys])


def _alter(statements):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL alters no table with foreign key checks still deferred in this transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _receiver_module(receiver):
    if isinstance(receiver, weakref.ReferenceType):
        receiver = receiver()
    return getattr(receiver, "__module__", "") or ""


def _is_quieted(entry):
    _lookup_key, receiver, _is_async = entry
    return _receiver_module(receiver).split(".")[0] in QUIETED_PACKAGES


@contextmanager
def per_object_signals_quiet():
    """Leave out the signal receivers that queue work per object while bulk data goes in.

    This project's queue search outbox rows and indexing tasks, emails and roundup sending; Wagtail's search
    index queues a task per saved page. A bulk load must trigger none of that: the search index is rebuilt in
    one go afterwards instead. Django's and Wagtail's other receivers (the page tree's) keep running.
    """
    saved = {}
    for signal in QUIETED_SIGNALS:
        with signal.lock:
            saved[signal] = signal.receivers
            signal.receivers = [entry for entry in signal.receivers if not _is_quieted(entry)]
            signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in saved.items():
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()
