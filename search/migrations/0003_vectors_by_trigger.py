import django.contrib.postgres.search
from django.db import migrations

# PostgreSQL: both tsvectors are computed by a trigger from the row being written, so a row is written once
# (the backend used to insert it, then UPDATE it with its vector: two row versions per document indexed).
# search_vector: title A, body B, topic names C ('english'), as before; matched through the GIN index.
# title_vector: the same title and topic-name lexemes alone, small enough to rank every match of a common
# query before the exact ranking of the best of them (search.backends.database, RANK_CANDIDATES).
# An update that leaves the text alone keeps the vectors it has.
POSTGRES_TRIGGER = [
    """CREATE OR REPLACE FUNCTION site_search_searchentry_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         title_lexemes tsvector;
         topic_lexemes tsvector;
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.body IS NOT DISTINCT FROM OLD.body
            AND NEW.topic_names IS NOT DISTINCT FROM OLD.topic_names
            AND NEW.search_vector IS NOT NULL AND NEW.title_vector IS NOT NULL THEN
           RETURN NEW;
         END IF;
         title_lexemes := setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'A');
         topic_lexemes := setweight(to_tsvector('english'::regconfig, COALESCE(NEW.topic_names, '')), 'C');
         NEW.title_vector := title_lexemes || topic_lexemes;
         NEW.search_vector := title_lexemes
           || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.body, '')), 'B')
           || topic_lexemes;
         RETURN NEW;
       END
       $$""",
    """CREATE TRIGGER site_search_searchentry_vectors
       BEFORE INSERT OR UPDATE OF title, body, topic_names ON site_search_searchentry
       FOR EACH ROW EXECUTE FUNCTION site_search_searchentry_vectors()""",
    """UPDATE site_search_searchentry
       SET title_vector = setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
                          || setweight(to_tsvector('english'::regconfig, COALESCE(topic_names, '')), 'C')""",
]
# The row itself kept narrow: every column but the body and the search vector stays in the row (MAIN), and
# a row written longer than PostgreSQL's TOAST threshold (about 2 kB) has both moved out of line, down to
# 128 bytes. The facet counts then read a small table (70 MB rather than 160 MB at 100,000 documents,
# within shared_buffers) for each match. Applied before the trigger's backfill, which so rewrites rows narrow.
NARROW_COLUMNS = ["key", "kind", "title", "url", "access", "community_title", "topics", "topic_names", "fingerprint",
                  "title_vector"]
POSTGRES_NARROW = [
    "ALTER TABLE site_search_searchentry SET (toast_tuple_target = 128)",
    "ALTER TABLE site_search_searchentry "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE MAIN" for column in NARROW_COLUMNS),
]
POSTGRES_NARROW_UNDO = [
    "ALTER TABLE site_search_searchentry RESET (toast_tuple_target)",
    "ALTER TABLE site_search_searchentry "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in NARROW_COLUMNS),
]
POSTGRES_TRIGGER_DROP = [
    "DROP TRIGGER IF EXISTS site_search_searchentry_vectors ON site_search_searchentry",
    "DROP FUNCTION IF EXISTS site_search_searchentry_vectors()",
]


def _execute(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def write_vectors_by_trigger_into_narrow_rows(apps, schema_editor):
    _execute(schema_editor, {"postgresql": POSTGRES_NARROW + POSTGRES_TRIGGER})


def write_vectors_from_the_backend_into_wide_rows(apps, schema_editor):
    _execute(schema_editor, {"postgresql": POSTGRES_NARROW_UNDO + POSTGRES_TRIGGER_DROP})


class Migration(migrations.Migration):

    dependencies = [
        ('site_search', '0002_search_entries'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchentry',
            name='title_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(write_vectors_by_trigger_into_narrow_rows, write_vectors_from_the_backend_into_wide_rows,
                             elidable=False),
    ]
