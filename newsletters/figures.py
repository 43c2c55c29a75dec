"""A month's key figures and its posts-per-day chart, as the roundup page, the email and the admin show them."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.dateformat import format as format_date

from cop_site.charts import bar_chart

# (key in compile.activity's figures, label); each has a "previous_<key>" for the month before.
FIGURES = [
    ("posts", "Posts"),
    ("active_members", "Members taking part"),
    ("new_members", "New members"),
    ("new_threads", "New discussions"),
    ("new_decks", "Slide decks shared"),
    ("new_case_studies", "Case studies published"),
]


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    previous: int | None = None

    @property
    def trend(self):
        if self.previous is None:
            return ""
        return "up" if self.value > self.previous else "down" if self.value < self.previous else "same"

    @property
    def change(self):
        """The change on last month in words and numbers: "up 4 (50%) on last month's 8"."""
        if self.previous is None:
            return ""
        difference = abs(self.value - self.previous)
        if difference == 0:
            return "the same as last month"
        if self.previous == 0:
            return f"up {difference} from none last month"
        return f"{self.trend} {difference} ({round(difference * 100 / self.previous)}%) on last month's {self.previous}"


def key_figures(figures):
    """The figures compile recorded, each with last month's beside it where it is known."""
    return [Figure(label, figures[key], figures.get(f"previous_{key}")) for key, label in FIGURES if key in figures]


def posts_chart(figures, month):
    """Posts per day across the month as an SVG bar chart (with its numbers as a table)."""
    per_day = figures.get("posts_per_day") or []
    days = [format_date(month + timedelta(days=n), "j M") for n in range(len(per_day))]
    return bar_chart(per_day, days, f"Posts per day, {format_date(month, 'F Y')}", label_heading="Day",
                     value_heading="Posts")
