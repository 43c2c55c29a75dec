"""When things happen: the last 36 months, growing busier, with last month the busiest, mostly in office hours.

Times are kept as POSIX timestamps (floats) while generating, and become aware datetimes only as rows are written.
"""

from bisect import bisect
from datetime import datetime, timedelta, timezone as dt_timezone
from itertools import accumulate

from django.utils import timezone

WINDOW_MONTHS = 36
BUSY_MONTH_FACTOR = 2.5       # last month against the trend
DAY = 86_400.0
YEAR = 365 * DAY
# Hours of the day people post at (site time), weighted towards the working day.
HOUR_WEIGHTS = list(accumulate([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 14, 12, 14, 15, 14, 12, 9, 7, 6, 5, 4, 3, 2]))


def month_starts(now, months):
    """The first instants of the last `months` months (site time zone), oldest first; the last is this month."""
    local = timezone.localtime(now)
    index = local.year * 12 + local.month - 1
    zone = timezone.get_default_timezone()
    return [
        datetime((index - back) // 12, (index - back) % 12 + 1, 1, tzinfo=zone)
        for back in range(months - 1, -1, -1)
    ]


def as_datetime(timestamp):
    return datetime.fromtimestamp(timestamp, dt_timezone.utc)


class Timeline:
    """Random moments from the window, shaped like a growing platform's activity."""

    def __init__(self, now, months=WINDOW_MONTHS):
        self.now = now.timestamp()
        starts = month_starts(now, months)
        self.starts = [start.timestamp() for start in starts]
        self.ends = self.starts[1:] + [self.now]
        self.months = [start.date() for start in starts]
        self.busy_month = self.months[-2]
        weights = []
        for index, (start, end) in enumerate(zip(self.starts, self.ends)):
            trend = 0.6 + 0.8 * index / max(months - 1, 1)
            busy = BUSY_MONTH_FACTOR if index == months - 2 else 1.0
            weights.append(trend * busy * (end - start) / (30 * DAY))
        self.cum_weights = list(accumulate(weights))

    @property
    def start(self):
        return self.starts[0]

    def moment(self, rng):
        """A moment in the window: later months likelier, last month most, weekdays and office hours likelier."""
        month = bisect(self.cum_weights, rng.random() * self.cum_weights[-1])
        start, end = self.starts[month], self.ends[month]
        for _attempt in range(3):
            day = start + int(rng.random() * (end - start) / DAY) * DAY
            if datetime.fromtimestamp(day + DAY / 2, dt_timezone.utc).weekday() < 5 or rng.random() < 0.3:
                break
        hour = bisect(HOUR_WEIGHTS, rng.random() * HOUR_WEIGHTS[-1])
        return min(day + hour * 3600 + rng.random() * 3600, end - 1)

    def before_window(self, rng, years):
        """A moment in the `years` before the window opened."""
        return self.start - rng.random() * years * YEAR

    def between(self, rng, earliest, latest=None):
        latest = self.now if latest is None else latest
        return earliest + rng.random() * max(latest - earliest, 0)


def next_morning(timestamp, hour):
    """The next `hour` o'clock (site time) after `timestamp`: when a daily digest would have gone."""
    local = timezone.localtime(as_datetime(timestamp))
    morning = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning.timestamp()
