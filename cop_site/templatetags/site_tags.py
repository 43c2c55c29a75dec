from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html

register = template.Library()

NAVIGATION = [
    ("Communities", "/communities/"),
    ("Library", "/library/"),
    ("Newsletters", "/newsletters/"),
    ("Search", "/search/"),
]


@register.inclusion_tag("includes/navigation.html", takes_context=True)
def main_navigation(context):
    path = context["request"].path
    return {"items": [{"label": label, "url": url, "current": path.startswith(url)} for label, url in NAVIGATION]}


@register.filter
def when(value):
    """A date or time as people say it ("3 hours ago", "yesterday", "12 March"), with the exact time on hover."""
    return relative_time(value, timezone.now())


def relative_time(value, now):
    """`<time>` markup for ``value`` as seen at ``now``, in the site's time zone (Europe/London); empty for no value."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = timezone.localtime(timezone.make_aware(value) if timezone.is_naive(value) else value)
        return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(timespec="seconds"),
                           f"{_full_date(moment)} at {moment:%H:%M}", _moment_in_words(moment, timezone.localtime(now)))
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), _full_date(value),
                       _day_in_words(value, timezone.localtime(now).date()))


def _full_date(day):
    """"4 March 2025", as Django's "j F Y" date format says it, without building a formatter for each time on a page."""
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def _moment_in_words(moment, now):
    """Minutes within the hour either side, hours within the same day, then the day (midnight as London sees it)."""
    seconds = (moment - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return _ago_or_in(minutes, "minute", seconds)
    if moment.date() == now.date():
        return _ago_or_in(minutes // 60, "hour", seconds)
    return _day_in_words(moment.date(), now.date())


def _ago_or_in(count, unit, seconds):
    amount = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{amount} ago" if seconds < 0 else f"in {amount}"


def _day_in_words(day, today):
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"{day.day} {MONTHS[day.month]}" if day.year == today.year else _full_date(day)
