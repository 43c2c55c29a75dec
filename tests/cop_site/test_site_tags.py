"""Dates as people say them: `{{ value|when }}`, with London's midnight and the exact time on hover."""

from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.template import Context, Template
from django.utils import timezone

from cop_site.templatetags.site_tags import relative_time

UTC = dt_timezone.utc
NOW = datetime(2026, 11, 24, 12, 15, tzinfo=UTC)  # London is on GMT in November


def words(value, now=NOW):
    """The visible text of the markup."""
    markup = relative_time(value, now)
    return markup[markup.index(">") + 1:markup.rindex("<")]


def test_renders_a_time_element_with_the_exact_london_time_on_hover():
    assert relative_time(datetime(2026, 11, 24, 9, 15, tzinfo=UTC), NOW) == (
        '<time datetime="2026-11-24T09:15:00+00:00" title="24 November 2026 at 09:15">3 hours ago</time>'
    )


@pytest.mark.parametrize("ago, expected", [
    (timedelta(seconds=20), "just now"),
    (timedelta(minutes=1), "1 minute ago"),
    (timedelta(minutes=59, seconds=59), "59 minutes ago"),
    (timedelta(hours=1), "1 hour ago"),
    (timedelta(hours=12, minutes=15), "12 hours ago"),  # midnight this morning
])
def test_says_minutes_then_hours_within_the_same_day(ago, expected):
    assert words(NOW - ago) == expected


def test_says_yesterday_then_the_date_then_the_year_once_it_is_another_year():
    assert words(datetime(2026, 11, 23, 23, 59, tzinfo=UTC)) == "yesterday"
    assert words(datetime(2026, 11, 23, 0, 1, tzinfo=UTC)) == "yesterday"
    assert words(datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == "22 November"
    assert words(datetime(2026, 1, 1, 0, 0, tzinfo=UTC)) == "1 January"
    assert words(datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == "31 December 2025"


def test_just_after_midnight_the_last_hour_is_still_minutes_ago_and_earlier_is_yesterday():
    twenty_past_midnight = datetime(2026, 11, 25, 0, 20, tzinfo=UTC)
    assert words(datetime(2026, 11, 24, 23, 50, tzinfo=UTC), twenty_past_midnight) == "30 minutes ago"
    assert words(datetime(2026, 11, 25, 0, 5, tzinfo=UTC), twenty_past_midnight) == "15 minutes ago"
    assert words(datetime(2026, 11, 24, 22, 0, tzinfo=UTC), twenty_past_midnight) == "yesterday"


def test_midnight_is_london_midnight_in_summer_time_not_utc():
    half_past_midnight_bst = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 1 July, 00:30 in London
    eleven_pm_bst = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 30 June, 23:00 in London: same UTC day
    assert relative_time(eleven_pm_bst, half_past_midnight_bst) == (
        '<time datetime="2026-06-30T23:00:00+01:00" title="30 June 2026 at 23:00">yesterday</time>'
    )
    early_on_1_july_bst = datetime(2026, 6, 30, 23, 10, tzinfo=UTC)  # 00:10 in London, 30 June in UTC
    assert words(early_on_1_july_bst, datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == "9 hours ago"


@pytest.mark.parametrize("ahead, expected", [
    (timedelta(seconds=30), "just now"),
    (timedelta(minutes=5), "in 5 minutes"),
    (timedelta(hours=1), "in 1 hour"),
    (timedelta(hours=11), "in 11 hours"),
    (timedelta(hours=12), "tomorrow"),
    (timedelta(days=9), "3 December"),
    (timedelta(days=40), "3 January 2027"),
])
def test_future_times_read_forwards(ahead, expected):
    assert words(NOW + ahead) == expected


def test_a_naive_datetime_is_taken_as_london_time(settings):
    settings.USE_TZ = True
    assert relative_time(datetime(2026, 11, 24, 11, 45), NOW).endswith(">30 minutes ago</time>")


def test_dates_without_a_time_say_the_day_and_show_the_full_date_on_hover():
    assert relative_time(date(2026, 11, 24), NOW) == '<time datetime="2026-11-24" title="24 November 2026">today</time>'
    assert words(date(2026, 11, 23)) == "yesterday"
    assert words(date(2026, 11, 25)) == "tomorrow"
    assert words(date(2026, 3, 12)) == "12 March"
    assert words(date(2024, 3, 12)) == "12 March 2024"


def test_the_date_is_london_s_even_when_utc_has_moved_on():
    a_quarter_past_midnight_bst = datetime(2026, 7, 1, 23, 15, tzinfo=UTC)  # 2 July in London
    assert words(date(2026, 7, 2), a_quarter_past_midnight_bst) == "today"
    assert words(date(2026, 7, 1), a_quarter_past_midnight_bst) == "yesterday"


@pytest.mark.parametrize("missing", [None, ""])
def test_no_value_renders_nothing(missing):
    assert relative_time(missing, NOW) == ""


def test_the_filter_uses_the_current_time():
    rendered = Template("{% load site_tags %}Posted {{ posted|when }}").render(
        Context({"posted": timezone.now() - timedelta(minutes=10, seconds=5)}))
    assert rendered.startswith('Posted <time datetime="')
    assert rendered.endswith(">10 minutes ago</time>")
