"""Small charts drawn on the server as SVG, readable without JavaScript, CSS or sight.

Each chart is an ``<svg role="img">`` whose ``aria-label`` and ``<title>`` say what it shows in words, with a
``<title>`` on every bar for pointer users, followed by the same numbers as a table for anyone who needs
them exactly. Bars are drawn in ``currentColor``, so a chart takes the colour of the text around it (the
admin's dark theme included).
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

BAR_GAP = 0.2  # share of each slot left empty between bars
LABEL_SPACE = 16  # room under the bars for the first and last labels (or every label)
VALUE_SPACE = 14  # room above the tallest bar for its value, when each bar is labelled


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self):
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class BarChart:
    """A bar chart of whole numbers, one bar per label, scaled so the largest value fills the height.

    ``title`` names the chart ("Posts per day, October 2026"); ``label_heading`` and ``value_heading`` head
    the table's columns ("Day", "Posts"). Render it with ``{{ chart }}``, or ``chart.svg`` and ``chart.table``
    to place the two apart.

    ``labelled`` writes every bar's value above it and its label below it, for charts of a dozen bars or so
    read at a glance; otherwise only the two ends are labelled. ``tick_labels``, if given, are printed under
    the bars in place of labels too long to fit ("Dec" for "Dec 2025"); the titles and table keep the labels. ``cumulative`` says the values are levels
    (members at each month's end) rather than counts in each period, so the summary gives the first, the
    last and the highest instead of a meaningless total. ``preposition`` joins a value to its label in that
    sentence: "on 3 Oct", "in Nov 2026", "in the week of 2 Nov".
    """

    values: tuple
    labels: tuple
    title: str
    label_heading: str = "Label"
    value_heading: str = "Value"
    width: int = 620
    height: int = 140
    labelled: bool = False
    tick_labels: tuple = ()
    cumulative: bool = False
    preposition: str = "on"

    def __post_init__(self):
        if len(self.values) != len(self.labels):
            raise ValueError(f"{len(self.values)} values but {len(self.labels)} labels")
        if self.tick_labels and len(self.tick_labels) != len(self.labels):
            raise ValueError(f"{len(self.tick_labels)} tick labels for {len(self.labels)} labels")
        if any(value < 0 for value in self.values):
            raise ValueError("A bar chart shows counts: no value may be negative.")

    @property
    def total(self):
        return sum(self.values)

    @property
    def peak(self):
        return max(self.values, default=0)

    @property
    def summary(self):
        """The chart in one sentence, for those who cannot see it."""
        if not self.values:
            return f"{self.title}: no data."
        if self.peak == 0:
            return f"{self.title}: none, all {len(self.values)} at zero."
        peaks = [str(label) for label, value in zip(self.labels, self.values) if value == self.peak]
        where = ", ".join(peaks) if len(peaks) <= 3 else f"{len(peaks)} of them"
        if self.cumulative:
            return self._level_summary(where)
        return f"{self.title}: {self.total} in total; the most, {self.peak}, {self.preposition} {where}."

    def _level_summary(self, where):
        """First and last, and the highest if it isn't the last: "Members: 12 in Dec 2025, 30 in Nov 2026"."""
        ends = [f"{self.values[0]} {self.preposition} {self.labels[0]}"]
        if len(self.values) > 1:
            ends.append(f"{self.values[-1]} {self.preposition} {self.labels[-1]}")
        highest = f"; the highest, {self.peak}, {self.preposition} {where}" if self.peak > self.values[-1] else ""
        return f"{self.title}: {', '.join(ends)}{highest}."

    @property
    def bars(self):
        baseline = self.height - LABEL_SPACE
        plot_height = baseline - (VALUE_SPACE if self.labelled else 0)
        slot = self.width / max(len(self.values), 1)
        scale = plot_height / self.peak if self.peak else 0
        return [
            Bar(label=str(label), value=value, x=round(n * slot + slot * BAR_GAP / 2, 2),
                y=round(baseline - value * scale, 2), width=round(slot * (1 - BAR_GAP), 2),
                height=round(value * scale, 2))
            for n, (label, value) in enumerate(zip(self.labels, self.values))
        ]

    def _axis_labels(self, bars):
        if not bars:
            return ""
        if self.labelled:
            return format_html_join(
                "",
                '<text class="bar-chart__label" x="{}" y="{}" font-size="11" fill="currentColor" '
                'text-anchor="middle">{}</text>'
                '<text class="bar-chart__value" x="{}" y="{}" font-size="11" fill="currentColor" '
                'text-anchor="middle">{}</text>',
                ((bar.centre, self.height - 2, tick, bar.centre, round(bar.y - 3, 2), bar.value)
                 for bar, tick in zip(bars, self.tick_labels or [bar.label for bar in bars])),
            )
        # Only the ends are labelled: the bars' own titles and the table carry every label.
        return format_html(
            '<text x="0" y="{}" font-size="11" fill="currentColor">{}</text>'
            '<text x="{}" y="{}" font-size="11" fill="currentColor" text-anchor="end">{}</text>',
            self.height - 2, bars[0].label, self.width, self.height - 2, bars[-1].label,
        )

    @property
    def svg(self):
        bars = self.bars
        baseline = self.height - LABEL_SPACE
        axis_labels = self._axis_labels(bars)
        return format_html(
            '<svg class="bar-chart" role="img" aria-label="{summary}" viewBox="0 0 {width} {height}" '
            'width="100%" xmlns="http://www.w3.org/2000/svg">'
            "<title>{summary}</title>"
            '<g class="bar-chart__bars" fill="currentColor">{bars}</g>'
            '<line x1="0" y1="{baseline}" x2="{width}" y2="{baseline}" stroke="currentColor" stroke-width="1"/>'
            "{axis_labels}</svg>",
            summary=self.summary, width=self.width, height=self.height, baseline=baseline, axis_labels=axis_labels,
            bars=format_html_join(
                "",
                '<rect class="bar-chart__bar" x="{}" y="{}" width="{}" height="{}" data-value="{}">'
                "<title>{}: {}</title></rect>",
                ((bar.x, bar.y, bar.width, bar.height, bar.value, bar.label, bar.value) for bar in bars),
            ),
        )

    @property
    def table(self):
        """The numbers behind the chart, folded away until asked for."""
        return format_html(
            '<details class="bar-chart__data"><summary>{title} as a table</summary>'
            '<table class="listing"><thead><tr><th scope="col">{label_heading}</th><th scope="col">{value_heading}</th>'
            "</tr></thead><tbody>{rows}</tbody></table></details>",
            title=self.title, label_heading=self.label_heading, value_heading=self.value_heading,
            rows=format_html_join(
                "", '<tr><th scope="row">{}</th><td>{}</td></tr>', zip(self.labels, self.values)
            ),
        )

    def __html__(self):
        return format_html('<figure class="bar-chart-figure">{}{}</figure>', self.svg, self.table)

    def __str__(self):
        return self.__html__()


def bar_chart(values, labels, title, **options):
    """A ``BarChart`` of ``values`` (whole numbers, none negative), one bar per label."""
    if "tick_labels" in options:
        options["tick_labels"] = tuple(options["tick_labels"])
    return BarChart(values=tuple(values), labels=tuple(labels), title=title, **options)
