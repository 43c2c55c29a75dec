"""Representative objects in generated data, for page benchmarks and load tests to aim at.

    from cop_site.benchdata.samples import representative
    samples = representative()
    client.login(username=samples.member.username, password=BENCH_PASSWORD)

Each is found by a deterministic query (ties broken by id), not remembered from the run, so this works on a
database generated earlier, or filled by several runs. Every generated user's password is BENCH_PASSWORD.
"""

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from communities.models import CommunityPage, Membership, Notification, Post, Thread, Watch
from library.models import CaseStudyPage, SlideDeck
from newsletters.models import RoundupPage

from .people import PASSWORD as BENCH_PASSWORD

Visibility = CommunityPage.Visibility
SAMPLE_THREAD_POSTS = (50, 60)

__all__ = ["BENCH_PASSWORD", "Samples", "representative"]


class MissingSample(LookupError):
    """The database lacks something a sample needs: was it filled by `manage.py generate_bench_data`?"""


@dataclass(frozen=True)
class Samples:
    member: object                  # User: active, verified, a plain member of `community`, watching threads,
                                    # with unread notifications
    facilitator: object             # User facilitating `community`
    staff: object                   # a staff User
    community: CommunityPage        # the busiest public community
    members_only_community: CommunityPage
    private_community: CommunityPage
    thread: Thread                  # in `community`, with 50 to 60 posts
    long_thread: Thread             # the one with the most posts that `member` may read
    deck: SlideDeck                 # READY, readable by visitors
    case_study: CaseStudyPage       # live
    roundup: RoundupPage            # published
    busy_month: date                # first day of the month with the most posts in `community`


def _first(queryset, what):
    found = queryset.first()
    if found is None:
        raise MissingSample(f"No {what} in this database: generate the data with `manage.py generate_bench_data`.")
    return found


def _busiest(visibility):
    return _first(
        CommunityPage.objects.live().filter(visibility=visibility).order_by("-thread_count", "pk"),
        f"{visibility} community",
    )


def _verified_active_users():
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True)
    return get_user_model().objects.filter(Exists(verified), is_active=True)


def _member(community):
    """A plain, verified member of `community` who watches threads and has unread notifications: the first such."""
    members = Membership.objects.active().filter(community=community, role=Membership.Role.MEMBER)
    return _first(
        _verified_active_users().filter(
            Exists(members.filter(user=OuterRef("pk"))),
            Exists(Watch.objects.filter(user=OuterRef("pk"), thread__isnull=False)),
            Exists(Notification.objects.unread().filter(recipient=OuterRef("pk"))),
            is_staff=False,
        ).order_by("pk"),
        f"member of {community.title} with watches and unread notifications",
    )


def _facilitator(community):
    facilitators = Membership.objects.facilitators().filter(community=community)
    return _first(
        _verified_active_users().filter(Exists(facilitators.filter(user=OuterRef("pk")))).order_by("pk"),
        f"facilitator of {community.title}",
    )


def _readable_by(member):
    joined = Membership.objects.active().filter(user=member).values("community_id")
    return Q(community__visibility=Visibility.PUBLIC) | Q(community_id__in=joined)


def _busy_month(community):
    busiest = (
        Post.objects.filter(thread__community=community).annotate(month=TruncMonth("created_at"))
        .values("month").annotate(posts=Count("pk")).order_by("-posts", "month").first()
    )
    if busiest is None:
        raise MissingSample(f"No posts in {community.title}.")
    return timezone.localtime(busiest["month"]).date()


def _roundup():
    """The newest site-wide roundup (everyone may read it), or else the newest community one."""
    published = RoundupPage.objects.live().select_related("community").order_by("-month", "pk")
    return published.filter(community__isnull=True).first() or _first(published, "published roundup")


def representative():
    community = _busiest(Visibility.PUBLIC)
    member = _member(community)
    return Samples(
        member=member,
        facilitator=_facilitator(community),
        staff=_first(_verified_active_users().filter(is_staff=True).order_by("pk"), "staff user"),
        community=community,
        members_only_community=_busiest(Visibility.MEMBERS),
        private_community=_busiest(Visibility.PRIVATE),
        thread=_first(
            Thread.objects.filter(community=community, is_hidden=False, post_count__range=SAMPLE_THREAD_POSTS)
            .select_related("community").order_by("pk"),
            f"thread of 50 to 60 posts in {community.title}",
        ),
        long_thread=_first(
            Thread.objects.filter(_readable_by(member), is_hidden=False, community__live=True)
            .select_related("community").order_by("-post_count", "pk"),
            "thread",
        ),
        deck=_first(
            SlideDeck.objects.filter(status=SlideDeck.Status.READY)
            .filter(Q(community__isnull=True) | Q(community__visibility=Visibility.PUBLIC, community__live=True))
            .exclude(thumbnail="").select_related("community").order_by("-download_count", "pk"),
            "ready deck visitors may read",
        ),
        case_study=_first(CaseStudyPage.objects.live().public().order_by("-first_published_at", "pk"), "live case study"),
        roundup=_roundup(),
        busy_month=_busy_month(community),
    )
