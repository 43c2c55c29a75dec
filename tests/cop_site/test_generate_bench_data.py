"""`manage.py generate_bench_data`: seeded benchmark data that the site serves as it would its own.

Most tests share one `--size small` run (made once for this module and rolled back after it, so other modules
see an empty database); the determinism and option tests use a tinier preset of their own, each run rolled back.
"""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.test import override_settings

from communities import services
from communities.models import CommunityPage, Membership, Notification, Post, Profile, Thread, ThreadRead, Watch
from cop_site.benchdata.generator import generate
from cop_site.benchdata.newsletters import COMMUNITY_ROUNDUP_MONTHS
from cop_site.benchdata.samples import BENCH_PASSWORD, representative
from cop_site.benchdata.sizes import PRESETS, Preset
from cop_site.site_structure import ensure_site_structure
from library.models import CaseStudyPage, SlideDeck
from newsletters.models import Delivery, RoundupPage, Subscription
from search.models import IndexChange, SearchEntry

SMALL = PRESETS["small"]
TINY = Preset(members=200, communities=4, threads=150, posts=600, decks=6, case_studies=3, months=2,
              roundup_communities=1, body_pool=60)
Visibility = CommunityPage.Visibility


@pytest.fixture(scope="module")
def bench_media(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-media")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, bench_media):
    """Uploaded and generated files go to this module's folder (the generated decks' files must stay found)."""
    settings.MEDIA_ROOT = bench_media / "media"
    settings.PRIVATE_MEDIA_ROOT = bench_media / "private-media"


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker, bench_media):
    """The command's output for `--size small`; the data stays for this module's tests, then is rolled back."""
    stdout = StringIO()
    with django_db_blocker.unblock(), override_settings(
        MEDIA_ROOT=bench_media / "media", PRIVATE_MEDIA_ROOT=bench_media / "private-media"
    ):
        with transaction.atomic():
            ensure_site_structure(hostname="testserver", port=80)
            call_command("generate_bench_data", "--size", "small", stdout=stdout, stderr=StringIO())
            yield stdout.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def samples(generated, db):
    return representative()


def names_from_a_tiny_run(seed):
    """What a tiny run (rolled back afterwards) made: usernames, community, thread and deck titles, in id order."""
    with transaction.atomic():
        last_user = get_user_model().objects.aggregate(top=Max("pk"))["top"] or 0
        last_thread = Thread.objects.aggregate(top=Max("pk"))["top"] or 0
        generate(TINY, seed, force=True, stderr=None)
        users = get_user_model().objects.filter(pk__gt=last_user).order_by("pk")
        threads = Thread.objects.filter(pk__gt=last_thread).order_by("pk")
        names = {
            "usernames": list(users.values_list("username", flat=True)),
            "threads": list(threads.values_list("title", flat=True)),
            "communities": sorted(
                CommunityPage.objects.filter(threads__in=threads).distinct().values_list("title", flat=True)
            ),
            "decks": sorted(SlideDeck.objects.values_list("title", flat=True)),
        }
        transaction.set_rollback(True)
    return names


# Seeds and options: tiny runs of their own, each rolled back (first, while the module's database is empty)

def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first = names_from_a_tiny_run(2009)
    assert first["usernames"] and first["threads"]
    assert names_from_a_tiny_run(2009) == first
    assert names_from_a_tiny_run(2010)["threads"] != first["threads"]


def test_force_adds_to_the_data_and_index_builds_the_search_index(db, monkeypatch):
    monkeypatch.setitem(PRESETS, "small", TINY)
    threads_before = Thread.objects.count()
    stdout = StringIO()
    with transaction.atomic():
        call_command("generate_bench_data", "--size", "small", "--force", "--index", stdout=stdout, stderr=StringIO())
        assert Thread.objects.count() == threads_before + TINY.threads
        assert SearchEntry.objects.filter(kind="thread").count() >= TINY.threads * 0.9  # hidden ones are not searchable
        transaction.set_rollback(True)
    assert "adding to the data already in the database" in stdout.getvalue()
    assert "documents indexed" in stdout.getvalue()


# What it makes

def test_the_small_size_makes_exactly_the_presets_counts(generated, db):
    assert get_user_model().objects.count() == SMALL.members
    assert CommunityPage.objects.live().count() == SMALL.communities
    assert Thread.objects.count() == SMALL.threads
    assert Post.objects.count() == SMALL.posts
    assert SlideDeck.objects.filter(status=SlideDeck.Status.READY).count() == SMALL.decks
    assert CaseStudyPage.objects.live().count() == SMALL.case_studies
    community_months = min(SMALL.months, COMMUNITY_ROUNDUP_MONTHS)
    assert RoundupPage.objects.live().count() == SMALL.months + SMALL.roundup_communities * community_months
    assert Profile.objects.count() == EmailAddress.objects.count() == SMALL.members
    assert get_user_model().objects.filter(is_staff=True).count() == SMALL.staff


def test_the_command_reports_each_phase_and_the_password(generated):
    for phase in ("Members", "Communities", "Memberships", "Forum", "Slide decks", "Case studies", "Roundups"):
        assert phase in generated
    assert "posts" in generated and "10,000" in generated
    assert f'password is "{BENCH_PASSWORD}"' in generated
    assert "manage.py search_index --rebuild" in generated


def test_every_user_signs_in_with_the_bench_password(generated, db, client):
    user = get_user_model().objects.filter(is_active=True).order_by("-pk").first()
    assert client.login(username=user.username, password=BENCH_PASSWORD)


def test_communities_mix_visibilities_and_join_policies(generated, db):
    visibilities = set(CommunityPage.objects.values_list("visibility", flat=True))
    assert visibilities == {Visibility.PUBLIC, Visibility.MEMBERS, Visibility.PRIVATE}
    assert CommunityPage.objects.filter(join_policy=CommunityPage.JoinPolicy.APPROVAL).exists()
    assert not CommunityPage.objects.filter(topics__isnull=True).exists()
    assert Membership.objects.pending().exists(), "a few join requests are waiting"
    for community in CommunityPage.objects.all():
        assert Membership.objects.facilitators().filter(community=community).exists()
    sizes = sorted(CommunityPage.objects.values_list("member_count", flat=True))
    assert sizes[-1] > 5 * sizes[0], "some communities are big, most are small"


def test_threads_are_mostly_short_with_a_few_long_and_one_very_long(generated, db):
    counts = sorted(Thread.objects.values_list("post_count", flat=True))
    assert counts[len(counts) // 2] <= 2
    assert sum(1 for posts in counts if posts >= 50) >= SMALL.threads // 100
    assert counts[-1] >= 150 > counts[-2]


def test_thread_and_community_counters_agree_with_their_rows(generated, db):
    threads = Thread.objects.annotate(
        posts_made=Count("posts"),
        visible_replies=Count("posts", filter=Q(posts__position__gt=1, posts__is_hidden=False, posts__is_deleted=False)),
        last_post=Max("posts__created_at"), last_position=Max("posts__position"),
    )
    assert not threads.exclude(posts_made=F("post_count"), visible_replies=F("reply_count"),
                               last_post=F("last_post_at"), last_position=F("post_count")).exists()
    assert not Post.objects.filter(position=1).exclude(author=F("thread__author")).exists()
    assert not Post.objects.filter(position=F("thread__post_count")).exclude(author=F("thread__last_poster")).exists()
    communities = CommunityPage.objects.annotate(
        threads_made=Count("threads", distinct=True),
        active_members=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True),
        last_post=Max("threads__last_post_at"),
    )
    assert not communities.exclude(threads_made=F("thread_count"), active_members=F("member_count"),
                                   last_post=F("last_activity_at")).exists()


def test_posts_are_numbered_in_the_order_they_were_written_by_members_who_may_post(generated, db):
    times = list(Post.objects.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)
    outsiders = Post.objects.exclude(
        author__memberships__community=F("thread__community"), author__memberships__status=Membership.Status.ACTIVE
    )
    assert not outsiders.exists()
    assert not Post.objects.filter(author__emailaddress__verified=False).exists()


def test_posting_leaves_watches_read_markers_and_notifications(generated, db):
    posters = Post.objects.values("author", "thread").distinct().count()
    assert Watch.objects.filter(thread__isnull=False).count() >= 0.9 * posters  # a few unwatched since
    assert ThreadRead.objects.count() >= posters
    assert Watch.objects.filter(community__isnull=False).exists()
    assert Notification.objects.unread().exists() and Notification.objects.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(kind=Notification.Kind.QUOTE, post__quoted_post__isnull=False).exists()


def test_nothing_is_queued_sent_or_indexed_while_generating(generated, db):
    assert not IndexChange.objects.exists()
    assert not SearchEntry.objects.exists()
    assert not Delivery.objects.exists()
    assert Notification.objects.awaiting_email().count() < Notification.objects.count() // 10
    assert RoundupPage.objects.live().filter(sending_started_at__isnull=True).count() == 1


def test_the_site_is_listening_again_once_it_is_done(generated, db, commit):
    thread = Thread.objects.filter(is_hidden=False, is_locked=False).select_related("community").first()
    member = Membership.objects.active().filter(
        community=thread.community, user__emailaddress__verified=True, user__is_active=True
    ).first().user
    with commit():
        services.reply(member, thread, "Our figures agree.")
    assert SearchEntry.objects.filter(key=f"thread:{thread.pk}").exists()


def test_subscribers_have_verified_addresses(generated, db):
    subscribers = Subscription.objects.filter(is_active=True)
    assert subscribers.filter(community__isnull=True).exists() and subscribers.filter(community__isnull=False).exists()
    assert not subscribers.exclude(user__emailaddress__verified=True).exists()


# Samples

def test_representative_samples_are_what_they_promise(samples):
    assert samples.community.visibility == Visibility.PUBLIC
    assert samples.community.thread_count == CommunityPage.objects.filter(visibility=Visibility.PUBLIC).aggregate(
        top=Max("thread_count"))["top"]
    member = samples.member
    assert member.is_active and EmailAddress.objects.filter(user=member, verified=True).exists()
    assert Membership.objects.active().filter(user=member, community=samples.community).exists()
    assert Watch.objects.filter(user=member).exists() and Notification.objects.unread().filter(recipient=member).exists()
    assert Membership.objects.facilitators().filter(user=samples.facilitator, community=samples.community).exists()
    assert samples.staff.is_staff
    assert samples.members_only_community.visibility == Visibility.MEMBERS
    assert samples.private_community.visibility == Visibility.PRIVATE
    assert samples.thread.community_id == samples.community.pk and 50 <= samples.thread.post_count <= 60
    assert samples.long_thread.post_count == Thread.objects.aggregate(top=Max("post_count"))["top"]
    assert samples.deck.status == SlideDeck.Status.READY and samples.deck.thumbnail
    assert samples.deck.community is None or samples.deck.community.visibility == Visibility.PUBLIC
    assert samples.case_study.live and samples.roundup.live
    assert samples.busy_month.day == 1
    assert Post.objects.filter(thread__community=samples.community, created_at__year=samples.busy_month.year,
                               created_at__month=samples.busy_month.month).count() > 0


def test_samples_pages_render_for_visitors_and_members(samples, client):
    last_page = (samples.long_thread.post_count - 1) // 20 + 1
    public_pages = [
        samples.thread.get_absolute_url(), f"{samples.long_thread.get_absolute_url()}?page={last_page}",
        samples.deck.get_absolute_url(), samples.deck.get_thumbnail_url(), samples.deck.get_download_url(),
        samples.case_study.url, samples.roundup.url, f"{samples.community.url}forum/",
    ]
    for url in public_pages:
        assert client.get(url).status_code == 200, url
    assert client.get(f"{samples.members_only_community.url}forum/").status_code != 200
    assert client.get(samples.private_community.url).status_code == 404

    client.force_login(samples.member)
    for url in [*public_pages, "/my/", "/notifications/"]:
        assert client.get(url).status_code == 200, url
    client.force_login(samples.facilitator)
    assert client.get(f"{samples.community.url}dashboard/").status_code == 200
    client.force_login(samples.staff)
    assert client.get(samples.private_community.url).status_code == 200


def test_it_refuses_a_database_with_threads_and_writes_nothing(generated, db):
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="already has 3,000 forum threads"):
        call_command("generate_bench_data", "--size", "small", stdout=StringIO(), stderr=StringIO())
    assert get_user_model().objects.count() == users
