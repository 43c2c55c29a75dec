"""Copy the product's forum data into this Spirit database, for the peer comparison (bench/peers/compare.py).

    .venv/bin/python manage.py import_cop_site --source postgres://postgres@127.0.0.1:5432/cop_site

What goes across, read from the product's database with plain SQL in one read-only snapshot (none of the product's
code is imported), and written here with COPY:

  users (auth_user)                 -> users, same ids, with a Spirit profile (nickname = display name)
  public live communities           -> categories, same ids (members-only and private ones have no equivalent in
                                       Spirit, whose categories are all readable by anyone: they are left out)
  their threads                     -> topics, same ids (pinned, locked -> closed, hidden -> removed)
  their posts                       -> comments, same ids, with the HTML the product rendered (comment_html) and
                                       its Markdown source (comment); hidden or deleted -> removed

Posts or threads whose author was deleted go to one stand-in user. Spirit shows 20 comments a page as the product
shows 20 posts; its topics-per-page is set to the product's 30 threads. The counts on both sides are printed and
must match. With --if-changed nothing is copied when the source still holds what the last import copied.
"""

import os
import time

import psycopg
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone
from psycopg import IsolationLevel

from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.core.conf import settings
from spirit.topic.models import Topic
from spirit.user.models import UserProfile

from spirit_bench.models import ImportRun

PRODUCT_POSTS_PER_PAGE = 20
PRODUCT_THREADS_PER_PAGE = 30
BATCH = 5000

PUBLIC_COMMUNITIES = """
    SELECT c.page_ptr_id, p.title, c.summary
    FROM communities_communitypage c JOIN wagtailcore_page p ON p.id = c.page_ptr_id
    WHERE c.visibility = 'public' AND p.live
    ORDER BY p.path
"""
PUBLIC_THREAD_IDS = f"""
    SELECT id FROM communities_thread
    WHERE community_id IN (SELECT page_ptr_id FROM ({PUBLIC_COMMUNITIES}) public_communities)
"""
PUBLIC_THREADS = f"""
    SELECT t.id, t.community_id, t.title, t.author_id, t.created_at, t.last_post_at,
           t.is_pinned, t.is_locked, t.is_hidden,
           (SELECT count(*) FROM communities_post p WHERE p.thread_id = t.id)
    FROM communities_thread t
    WHERE t.id IN ({PUBLIC_THREAD_IDS})
    ORDER BY t.id
"""
PUBLIC_POSTS = f"""
    SELECT p.id, p.thread_id, p.author_id, p.body, p.body_html, p.created_at,
           p.is_hidden OR p.is_deleted, p.edited_at IS NOT NULL
    FROM communities_post p
    WHERE p.thread_id IN ({PUBLIC_THREAD_IDS})
    ORDER BY p.id
"""
# Both sides' auth_user is Django's: the same columns, and the same password hashes.
USER_COLUMNS = ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                "is_staff", "is_active", "date_joined"]
USERS = f"""
    SELECT {", ".join(f"u.{column}" for column in USER_COLUMNS)},
           coalesce(nullif(pr.display_name, ''), u.username)
    FROM auth_user u LEFT JOIN communities_profile pr ON pr.user_id = u.id
    ORDER BY u.id
"""


def count(source, query):
    return source.execute(f"SELECT count(*) FROM ({query}) rows").fetchone()[0]


def source_summary(source):
    """What the source's forum holds: enough to tell whether it changed since the last import."""
    summary = {
        "users": count(source, "SELECT id FROM auth_user"),
        "communities": count(source, "SELECT page_ptr_id FROM communities_communitypage"),
        "public_communities": count(source, PUBLIC_COMMUNITIES),
        "threads": count(source, "SELECT id FROM communities_thread"),
        "public_threads": count(source, PUBLIC_THREAD_IDS),
        "posts": count(source, "SELECT id FROM communities_post"),
        "public_posts": count(source, f"SELECT id FROM communities_post WHERE thread_id IN ({PUBLIC_THREAD_IDS})"),
        "orphans": count(source, f"""
            SELECT id FROM communities_thread WHERE author_id IS NULL AND id IN ({PUBLIC_THREAD_IDS})
            UNION ALL
            SELECT id FROM communities_post WHERE author_id IS NULL AND thread_id IN ({PUBLIC_THREAD_IDS})"""),
    }
    for table in ("auth_user", "communities_thread", "communities_post"):
        summary[f"max_{table}_id"] = source.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    summary["last_post_at"] = str(source.execute("SELECT max(created_at) FROM communities_post").fetchone()[0])
    return summary


def engine_slug(model, **values):
    """The slug Spirit itself gives a new row of `model` (its AutoSlugField), without saving the row."""
    return model._meta.get_field("slug").pre_save(model(**values), add=True)


def copy_rows(table, columns, rows):
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        written = 0
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def stream(source, name, query):
    """Rows of `query`, fetched in batches through a server-side cursor (a million posts never sit in memory)."""
    with source.cursor(name=name) as cursor:
        cursor.itersize = BATCH
        cursor.execute(query)
        yield from cursor


class Command(BaseCommand):
    help = "Copy the product's public forums, their threads, posts and every user into this Spirit database."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=os.environ.get("COP_SITE_DATABASE_URL"),
                            help="the product's PostgreSQL database URL (default: COP_SITE_DATABASE_URL)")
        parser.add_argument("--if-changed", action="store_true",
                            help="do nothing when the source still holds what the last import copied")

    def handle(self, *args, source, if_changed, **options):
        if not source:
            raise CommandError("--source (or COP_SITE_DATABASE_URL) must name the product's database")
        started = time.monotonic()
        with psycopg.connect(source) as src:
            src.isolation_level = IsolationLevel.REPEATABLE_READ
            src.read_only = True
            summary = source_summary(src)
            last = ImportRun.objects.order_by("-pk").first()
            if if_changed and last and last.source_summary == summary:
                self.stdout.write("The source is unchanged since the last import: Spirit's copy is kept.")
                self.print_counts(last.counts)
                return
            self.empty()
            stand_in = summary["max_auth_user_id"] + 1 if summary["orphans"] else None
            self.step("users", lambda: self.copy_users(src, stand_in))
            self.step("categories", lambda: self.copy_categories(src))
            self.step("topics", lambda: self.copy_topics(src, stand_in))
            self.step("comments", lambda: self.copy_comments(src, stand_in))
        self.step("counters, sequences and statistics", self.finish)
        counts = self.counts(summary, stand_in)
        self.print_counts(counts)
        mismatched = [name for name, ours, spirit in counts["copied"] if ours != spirit]
        if mismatched:
            raise CommandError(f"counts differ for {', '.join(mismatched)}")
        ImportRun.objects.create(source_summary=summary, counts=counts, seconds=time.monotonic() - started)
        self.stdout.write(f"Imported in {time.monotonic() - started:.1f} s.")

    def step(self, name, action):
        started = time.monotonic()
        rows = action()
        rows = f"{rows:,} rows, " if rows is not None else ""
        self.stdout.write(f"  {name}: {rows}{time.monotonic() - started:.1f} s")

    def empty(self):
        """Spirit as migrated: no users (and so nothing of theirs), only its own Private category, no import done."""
        ImportRun.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {User._meta.db_table} CASCADE")
        Category.objects.exclude(pk=settings.ST_TOPIC_PRIVATE_CATEGORY_PK).delete()

    def copy_users(self, src, stand_in):
        profiles = []   # (user id, username, nickname, administrator, moderator, joined)

        def users():
            for *values, nickname in stream(src, "users", USERS):
                user = dict(zip(USER_COLUMNS, values))
                profiles.append((user["id"], user["username"], nickname, user["is_superuser"],
                                 user["is_superuser"] or user["is_staff"], user["date_joined"]))
                yield values
            if stand_in:
                user = {"id": stand_in, "password": "!", "last_login": None, "is_superuser": False,
                        "username": f"former-member-{stand_in}",   # ids are unique, so no member has this name
                        "first_name": "", "last_name": "", "email": "", "is_staff": False, "is_active": False,
                        "date_joined": timezone.now()}
                profiles.append((stand_in, user["username"], "Former member", False, False, user["date_joined"]))
                yield [user[column] for column in USER_COLUMNS]

        written = copy_rows(User._meta.db_table, USER_COLUMNS, users())
        notify = UserProfile._meta.get_field("notify").default
        copy_rows(
            UserProfile._meta.db_table,
            ["user_id", "slug", "nickname", "location", "last_seen", "timezone", "avatar", "notify",
             "is_administrator", "is_moderator", "is_verified", "topic_count", "comment_count", "last_post_hash"],
            ((user_id, engine_slug(UserProfile, user=User(username=username)), nickname[:255], "",
              joined, "UTC", "", notify, administrator, moderator, True, 0, 0, "")
             for user_id, username, nickname, administrator, moderator, joined in profiles),
        )
        return written

    def copy_categories(self, src):
        if any(row[0] == settings.ST_TOPIC_PRIVATE_CATEGORY_PK for row in src.execute(PUBLIC_COMMUNITIES)):
            raise CommandError("a community's id is Spirit's private category id: set ST_TOPIC_PRIVATE_CATEGORY_PK")
        title_length = Category._meta.get_field("title").max_length
        description_length = Category._meta.get_field("description").max_length
        now = timezone.now()
        return copy_rows(
            Category._meta.db_table,
            ["id", "title", "slug", "description", "color", "sort", "reindex_at", "is_global", "is_closed",
             "is_removed", "is_private"],
            ((community_id, title[:title_length], engine_slug(Category, title=title[:title_length]),
              summary[:description_length], "", sort, now, True, False, False, False)
             for sort, (community_id, title, summary) in enumerate(src.execute(PUBLIC_COMMUNITIES), start=1)),
        )

    def copy_topics(self, src, stand_in):
        return copy_rows(
            Topic._meta.db_table,
            ["id", "category_id", "title", "slug", "user_id", "date", "last_active", "reindex_at", "is_pinned",
             "is_globally_pinned", "is_closed", "is_removed", "view_count", "comment_count"],
            ((thread_id, community_id, title, engine_slug(Topic, title=title), author_id or stand_in, created_at,
              last_post_at, last_post_at, pinned, False, locked, hidden, 0, posts)
             for thread_id, community_id, title, author_id, created_at, last_post_at, pinned, locked, hidden, posts
             in stream(src, "threads", PUBLIC_THREADS)),
        )

    def copy_comments(self, src, stand_in):
        return copy_rows(
            Comment._meta.db_table,
            ["id", "topic_id", "user_id", "comment", "comment_html", "date", "is_removed", "is_modified", "action",
             "modified_count", "likes_count"],
            ((post_id, thread_id, author_id or stand_in, body, body_html, created_at, removed, modified,
              Comment.COMMENT, int(modified), 0)
             for post_id, thread_id, author_id, body, body_html, created_at, removed, modified
             in stream(src, "posts", PUBLIC_POSTS)),
        )

    def finish(self):
        """Profile counters, id sequences past the copied ids, fresh planner statistics, and the page sizes."""
        profiles, topics, comments = (model._meta.db_table for model in (UserProfile, Topic, Comment))
        with connection.cursor() as cursor:
            for counter, table in (("topic_count", topics), ("comment_count", comments)):
                cursor.execute(f"""
                    UPDATE {profiles} p SET {counter} = s.n
                    FROM (SELECT user_id, count(*) AS n FROM {table} GROUP BY user_id) s WHERE s.user_id = p.user_id
                """)
            for statement in connection.ops.sequence_reset_sql(no_style(), [User, UserProfile, Category, Topic, Comment]):
                cursor.execute(statement)
            for model in (User, UserProfile, Category, Topic, Comment):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        configure_page_sizes()

    def counts(self, summary, stand_in):
        """Rows on both sides, (name, product, Spirit), and what was left out."""
        users = "users (and a stand-in for deleted authors)" if stand_in else "users"
        private_category = settings.ST_TOPIC_PRIVATE_CATEGORY_PK
        return {
            "copied": [
                [users, summary["users"] + (1 if stand_in else 0), User.objects.count()],
                ["public communities -> categories", summary["public_communities"],
                 Category.objects.exclude(pk=private_category).count()],
                ["their threads -> topics", summary["public_threads"], Topic.objects.count()],
                ["their posts -> comments", summary["public_posts"], Comment.objects.count()],
            ],
            "left_out": (f"{summary['communities'] - summary['public_communities']:,} members-only or private "
                         f"communities, with {summary['threads'] - summary['public_threads']:,} threads and "
                         f"{summary['posts'] - summary['public_posts']:,} posts"),
        }

    def print_counts(self, counts):
        self.stdout.write(f"  {'':<44} {'product':>12} {'Spirit':>12}")
        for name, ours, spirit in counts["copied"]:
            self.stdout.write(f"  {name:<44} {ours:>12,} {spirit:>12,}")
        self.stdout.write(f"  Left out (no equivalent in Spirit): {counts['left_out']}.")


def configure_page_sizes():
    """Spirit's site settings, through its own admin form: the product's page sizes, for a like-for-like page."""
    import djconfig
    from spirit.admin.forms import BasicConfigForm

    djconfig.reload_maybe()
    form = BasicConfigForm(data={"site_name": "Practice Exchange (django-spirit)", "site_description": "",
                                 "template_footer": "", "comments_per_page": PRODUCT_POSTS_PER_PAGE,
                                 "topics_per_page": PRODUCT_THREADS_PER_PAGE})
    if not form.is_valid():
        raise CommandError(f"Spirit's settings form refused the page sizes: {form.errors.as_text()}")
    form.save()
