"""The facilitator dashboard: how a community is doing, and what is waiting for a facilitator, on one page."""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from cop_site.charts import bar_chart
from library import queries as library_queries

from .. import permissions, queries
from .access import deny

MONTHS_SHOWN = 12
WEEKS_SHOWN = 12
CONTRIBUTOR_DAYS = 90
UNANSWERED_SHOWN = 10
CONTRIBUTORS_SHOWN = 10
DECKS_SHOWN = 5

NOT_A_FACILITATOR = "Only this community's facilitators can see its dashboard."


def dashboard(request, community):
    if not permissions.can_moderate(request.user, community):
        return deny(request, community, NOT_A_FACILITATOR)
    now = timezone.now()
    today = timezone.localdate(now)
    return TemplateResponse(request, "communities/dashboard.html", {
        "page": community,
        "can_moderate": True,
        "members_chart": members_chart(community, today),
        "posts_chart": posts_chart(community, today),
        "unanswered_threads": queries.oldest_unanswered_threads(community, UNANSWERED_SHOWN),
        "unanswered_count": queries.unanswered_threads(community).count(),
        "pending_request_count": queries.pending_requests(community).count(),
        "open_flags": queries.open_flag_counts(community),
        "top_contributors": queries.top_contributors(community, now - timedelta(days=CONTRIBUTOR_DAYS), CONTRIBUTORS_SHOWN),
        "contributor_days": CONTRIBUTOR_DAYS,
        "top_decks": library_queries.most_downloaded_decks(community, DECKS_SHOWN),
    })


def members_chart(community, today):
    """Active members at the end of each of the last months, this month (not over yet) last."""
    months = [today.replace(day=1) - relativedelta(months=n) for n in reversed(range(MONTHS_SHOWN))]
    counts = queries.active_members_at(community, [midnight(month + relativedelta(months=1)) for month in months])
    return bar_chart(
        counts, [format_date(month, "M Y") for month in months], "Members at the end of each month",
        label_heading="Month", value_heading="Members", cumulative=True, preposition="in",
        labelled=True, tick_labels=[format_date(month, "M") for month in months],
    )


def posts_chart(community, today):
    """Posts in each of the last weeks, Monday to Sunday, this week (so far) last."""
    this_week = today - timedelta(days=today.weekday())
    weeks = [this_week - timedelta(weeks=n) for n in reversed(range(WEEKS_SHOWN))]
    counts = queries.posts_between(community, [(midnight(week), midnight(week + timedelta(weeks=1))) for week in weeks])
    return bar_chart(
        counts, [format_date(week, "j M") for week in weeks], "Posts per week",
        label_heading="Week beginning", value_heading="Posts", labelled=True, preposition="in the week of",
    )


def midnight(day):
    """The moment a calendar day starts in the site's time zone (summer time included)."""
    return timezone.make_aware(datetime.combine(day, time.min))
