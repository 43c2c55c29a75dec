"""Server-drawn bar charts: one bar per value, scaled to the largest, described in words and as a table."""

import re

import pytest
from django.template import Context, Template

from cop_site.charts import BarChart, bar_chart

DAYS = ["1 Oct", "2 Oct", "3 Oct", "4 Oct"]


def bars_of(html):
    number = r'"([\d.]+)"'
    return re.findall(rf'<rect class="bar-chart__bar" x={number} y={number} width={number} height={number}', html)


def test_it_draws_one_bar_per_value_with_the_largest_filling_the_height():
    chart = bar_chart([2, 0, 4, 1], DAYS, "Posts per day, October 2026", height=116)
    bars = bars_of(chart.svg)
    assert len(bars) == 4
    heights = [float(height) for _, _, _, height in bars]
    assert heights == [50.0, 0.0, 100.0, 25.0]  # 116 less the room for labels is 100
    xs = [float(x) for x, _, _, _ in bars]
    assert xs == sorted(xs) and len(set(xs)) == 4
    for _, y, _, height in bars:
        assert float(y) + float(height) == 100.0  # every bar stands on the baseline


def test_it_says_what_it_shows_to_those_who_cannot_see_it():
    svg = bar_chart([2, 0, 4, 1], DAYS, "Posts per day, October 2026").svg
    summary = "Posts per day, October 2026: 7 in total; the most, 4, on 3 Oct."
    assert svg.startswith('<svg class="bar-chart" role="img" aria-label="' + summary + '"')
    assert f"<title>{summary}</title>" in svg
    assert "<title>3 Oct: 4</title>" in svg and "<title>2 Oct: 0</title>" in svg


def test_the_numbers_are_also_a_table():
    table = bar_chart([2, 0, 4, 1], DAYS, "Posts per day", label_heading="Day", value_heading="Posts").table
    assert "<summary>Posts per day as a table</summary>" in table
    assert '<th scope="col">Day</th><th scope="col">Posts</th>' in table
    assert '<tr><th scope="row">3 Oct</th><td>4</td></tr>' in table
    assert table.count("<tr>") == 5


def test_it_renders_whole_in_a_template_and_escapes_what_it_is_given():
    chart = bar_chart([1], ["<b>1 Oct</b>"], 'Posts "per" day <script>')
    html = Template("{{ chart }}").render(Context({"chart": chart}))
    assert html.startswith('<figure class="bar-chart-figure"><svg') and html.endswith("</details></figure>")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;1 Oct&lt;/b&gt;" in html and "&quot;per&quot;" in html


def test_an_empty_month_is_all_zero_bars_and_says_so():
    chart = bar_chart([0, 0, 0], DAYS[:3], "Posts per day")
    assert [height for *_, height in bars_of(chart.svg)] == ["0", "0", "0"]
    assert chart.summary == "Posts per day: none, all 3 at zero."
    assert bar_chart([], [], "Posts per day").summary == "Posts per day: no data."


def test_many_equal_peaks_are_counted_rather_than_listed():
    assert bar_chart([3, 3, 3, 3], DAYS, "Posts").summary == "Posts: 12 in total; the most, 3, on 4 of them."
    assert bar_chart([3, 1, 3], DAYS[:3], "Posts").summary == "Posts: 7 in total; the most, 3, on 1 Oct, 3 Oct."


def test_it_refuses_mismatched_or_negative_data():
    with pytest.raises(ValueError, match="labels"):
        BarChart(values=(1, 2), labels=("a",), title="t")
    with pytest.raises(ValueError, match="negative"):
        bar_chart([1, -1], ["a", "b"], "t")


def test_a_labelled_chart_writes_each_value_above_its_bar_and_each_label_below_it():
    chart = bar_chart([2, 0, 4, 1], DAYS, "Posts per week", height=130, labelled=True)
    bars = bars_of(chart.svg)
    heights = [float(height) for _, _, _, height in bars]
    assert heights == [50.0, 0.0, 100.0, 25.0]  # 130 less the room for labels below and values above
    for _, y, _, height in bars:
        assert float(y) + float(height) == 114.0
    values = re.findall(r'<text class="bar-chart__value" x="[\d.]+" y="([\d.]+)"[^>]*>(\d+)</text>', chart.svg)
    assert [value for _, value in values] == ["2", "0", "4", "1"]
    for (_, bar_top, _, _), (value_y, _) in zip(bars, values):
        assert 0 < float(value_y) < float(bar_top)  # just above its bar, and still inside the chart
    labels = re.findall(r'<text class="bar-chart__label"[^>]*>([^<]+)</text>', chart.svg)
    assert labels == DAYS


def test_short_tick_labels_go_under_the_bars_while_titles_and_table_keep_the_full_labels():
    months = ["Dec 2025", "Jan 2026"]
    chart = bar_chart([3, 5], months, "Members", labelled=True, tick_labels=["Dec", "Jan"])
    assert re.findall(r'<text class="bar-chart__label"[^>]*>([^<]+)</text>', chart.svg) == ["Dec", "Jan"]
    assert "<title>Dec 2025: 3</title>" in chart.svg and '<th scope="row">Jan 2026</th>' in chart.table
    with pytest.raises(ValueError, match="tick labels"):
        bar_chart([3, 5], months, "Members", labelled=True, tick_labels=["Dec"])


def test_an_unlabelled_chart_names_only_its_ends():
    svg = bar_chart([2, 0, 4, 1], DAYS, "Posts per day").svg
    assert "bar-chart__value" not in svg and "bar-chart__label" not in svg
    assert ">1 Oct</text>" in svg and ">4 Oct</text>" in svg and ">2 Oct</text>" not in svg


def test_a_cumulative_chart_is_summed_up_by_its_ends_not_a_total():
    months = ["Sep 2026", "Oct 2026", "Nov 2026"]
    rising = bar_chart([12, 20, 30], months, "Members", cumulative=True, preposition="in")
    assert rising.summary == "Members: 12 in Sep 2026, 30 in Nov 2026."
    fallen = bar_chart([12, 35, 30], months, "Members", cumulative=True, preposition="in")
    assert fallen.summary == "Members: 12 in Sep 2026, 30 in Nov 2026; the highest, 35, in Oct 2026."
    assert bar_chart([7], months[:1], "Members", cumulative=True, preposition="in").summary == "Members: 7 in Sep 2026."
    assert bar_chart([0, 0, 0], months, "Members", cumulative=True).summary == "Members: none, all 3 at zero."


def test_the_summary_joins_values_to_labels_with_the_words_it_is_given():
    weeks = ["2 Nov", "9 Nov", "16 Nov"]
    chart = bar_chart([3, 5, 1], weeks, "Posts per week", preposition="in the week of")
    assert chart.summary == "Posts per week: 9 in total; the most, 5, in the week of 9 Nov."
