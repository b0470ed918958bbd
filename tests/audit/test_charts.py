"""The SVG charts: text alternatives, a table of the same numbers, and escaped text."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from reviewer.audit import charts

DAYS = [dt.date(2026, 3, 1) + dt.timedelta(days=n) for n in range(3)]


def svg_of(markup: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*</svg>", markup, re.S).group(0))


def test_a_stacked_bar_chart_has_a_title_a_description_and_a_data_table():
    markup = str(charts.stacked_bars("c1", "Actions per day", DAYS, [("Approve", [1, 0, 3]), ("Complete", [2, 0, 1])]))
    svg = svg_of(markup)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title" and svg.get("aria-describedby") == "c1-desc"
    assert svg.find(f"{ns}title").text == "Actions per day"
    assert svg.find(f"{ns}desc").text == (
        "7 actions from 2026-03-01 to 2026-03-03: 4 Approve, 3 Complete. The busiest day was 2026-03-03 with 4."
    )
    assert len(svg.findall(f"{ns}rect[{ns}title]")) == 4  # one bar piece per non-zero count
    assert "<caption>Actions per day</caption>" in markup
    assert '<tr><th scope="row">2026-03-03</th><td>3</td><td>1</td><td>4</td></tr>' in markup


def test_a_histogram_describes_its_spread():
    markup = str(charts.histogram("h", "Time on task", [("under 10 s", 2), ("10–30 s", 6)], summary="Median 12 s."))
    svg = svg_of(markup)
    assert svg.find("{http://www.w3.org/2000/svg}desc").text == (
        "8 timed actions. The most common time on task was 10–30 s (6). Median 12 s."
    )
    assert '<th scope="row">10–30 s</th><td>6</td><td>75%</td>' in markup


def test_empty_charts_still_draw_and_say_so():
    assert "No timed actions in the period." in charts.histogram("h", "T", [("a", 0)])
    bars = charts.stacked_bars("s", "T", DAYS, [("Approve", [0, 0, 0])])
    assert "0 actions from 2026-03-01 to 2026-03-03" in bars
    assert "busiest" not in bars


def test_it_escapes_every_text():
    markup = str(charts.stacked_bars("x", "<b>&'\"", DAYS, [("<script>", [1, 1, 1])]))
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    svg_of(markup)  # still well-formed


def test_the_y_axis_ends_on_a_round_number():
    assert [charts.nice_max(v) for v in (0, 1, 3, 10, 11, 180, 501)] == [1, 1, 5, 10, 20, 200, 1000]


def test_the_gridlines_fall_on_whole_numbers():
    markup = str(charts.histogram("h", "T", [("a", 2)]))
    labels = re.findall(r'text-anchor="end" font-size="11" fill="#5b6475">(\d+)</text>', markup)
    assert labels == ["0", "1", "2"]
    markup = str(charts.histogram("h", "T", [("a", 17)]))
    assert re.findall(r'text-anchor="end" font-size="11" fill="#5b6475">(\d+)</text>', markup) == [
        "0", "5", "10", "15", "20",
    ]  # fmt: skip


def test_a_chart_of_shares_has_a_bar_per_value_and_a_data_table():
    markup = str(
        charts.rate_bars(
            "r",
            "Corrections per entity",
            ["invoice_date", "vat"],
            [("Changed", [0.5, 0.0]), ("AI confidence, changed", [0.25, None])],
            desc="Two entities.",
            head=["Entity", "Change rate"],
            table=[["invoice_date", "50%"], ["vat", "0%"]],
        )
    )
    svg = svg_of(markup)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img" and svg.get("aria-describedby") == "r-desc"
    assert svg.find(f"{ns}title").text == "Corrections per entity"
    assert svg.find(f"{ns}desc").text == "Two entities."
    bars = [rect.find(f"{ns}title").text for rect in svg.iter(f"{ns}rect") if rect.find(f"{ns}title") is not None]
    assert bars == ["invoice_date, Changed: 50%", "invoice_date, AI confidence, changed: 25%", "vat, Changed: 0%"]
    assert '<th scope="row">vat</th><td>0%</td></tr>' in markup
    assert "<caption>Corrections per entity</caption>" in markup


def test_a_chart_of_shares_escapes_every_text():
    markup = str(
        charts.rate_bars(
            "x",
            "<b>&'\"",
            ["<script>alert(1)</script>"],
            [("<i>", [0.5])],
            desc="<img src=x>",
            head=["<u>"],
            table=[["<script>", "<s>"]],
        )
    )
    assert "<script>" not in markup and "<b>" not in markup and "<img" not in markup and "<u>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    svg_of(markup)  # still well-formed


def test_a_chart_of_shares_says_when_it_is_empty():
    markup = str(charts.rate_bars("e", "T", [], [("Changed", [])], desc="None.", head=["Entity"], table=[]))
    assert "Nothing to show in this period." in markup
    assert '<td colspan="1">Nothing in this period.</td>' in markup
    svg_of(markup)
