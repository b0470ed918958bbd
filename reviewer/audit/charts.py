"""Charts drawn on the server as inline SVG: no script, no CDN, readable by everyone.

Each function returns markup (a SafeString) for a <figure>: the SVG, with role="img", a
<title> and a <desc> that sums it up in words, and beside it a table of the same numbers
for screen readers and for anyone who wants the exact figures. Every piece of text that
comes from data is escaped: `rate_bars` computes only numbers and hands them with the text to
a template (audit/_rate_bars.html), which escapes as every template does; the older two
still build their markup here, escaping each piece of data with escape().
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from reviewer.audit.templatetags.audit import percent

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 64


def nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above `value` (at least 1): the top of the y axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def _n(value: float) -> str:
    """A coordinate, short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _steps(top: int) -> int:
    """How many gridline intervals divide `top` (1, 2 or 5 × 10^k) into whole numbers."""
    if top < 5:
        return top
    return 4 if str(top)[0] == "2" else 5


def _axis(top: int, plot_h: float) -> list[str]:
    parts = []
    steps = _steps(top)
    for n in range(steps + 1):
        value = top * n // steps
        y = TOP + plot_h - plot_h * n / steps
        label = str(value)
        parts.append(
            f'<line class="grid-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="#d5dae3" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{_n(y + 4)}" text-anchor="end" font-size="11" fill="#5b6475">{label}</text>'
        )
    return parts


def _day(day: dt.date) -> str:
    """A day as the reader's language writes it short (ISO in English)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def _svg(chart_id: str, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _figure(chart_id: str, title: str, desc: str, svg: str, table: str) -> SafeString:
    numbers = _("%(title)s: the numbers") % {"title": title}
    return mark_safe(  # noqa: S308 (every piece of data in it went through escape())
        f'<figure class="chart-figure" aria-labelledby="{chart_id}-caption">'
        f'<figcaption id="{chart_id}-caption">{escape(title)}</figcaption>'
        f'<div class="chart-pair"><div class="chart-box">{svg}'
        f'<p class="chart-summary" aria-hidden="true">{escape(desc)}</p></div>'
        f'<div class="chart-table" role="region" aria-label="{escape(numbers)}" tabindex="0">'
        f"{table}</div></div></figure>"
    )


def stacked_bars(
    chart_id: str,
    title: str,
    days: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[int]]],
) -> SafeString:
    """Counts per day, stacked by series: `series` is [(label, [count per day]), …]."""
    totals = [sum(counts[n] for _, counts in series) for n in range(len(days))]
    grand = sum(totals)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_max(max(totals, default=0))
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.8, 1.0)
    body = _axis(top, plot_h)
    for n, day in enumerate(days):
        x = LEFT + slot * n + (slot - bar) / 2
        base = TOP + plot_h
        for colour, (label, counts) in zip(PALETTE, series, strict=False):
            if not counts[n]:
                continue
            h = plot_h * counts[n] / top
            base -= h
            body.append(
                f'<rect x="{_n(x)}" y="{_n(base)}" width="{_n(bar)}" height="{_n(h)}" fill="{colour}">'
                f"<title>{_day(day)}: {counts[n]} {escape(label)}</title></rect>"
            )
    every = max(1, math.ceil(len(days) / 10))
    # Translators: a date format (Django's DATE_FORMAT letters), as short as a chart's axis needs.
    axis_format = pgettext("chart axis date format", "m-d")
    for n, day in enumerate(days):
        if n % every == 0:
            x = LEFT + slot * n + slot / 2
            body.append(
                f'<text x="{_n(x)}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                f'fill="#5b6475">{dateformat.format(day, axis_format)}</text>'
            )
    legend_x = LEFT
    for colour, (label, counts) in zip(PALETTE, series, strict=False):
        body.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 22}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{HEIGHT - 12}" font-size="12" fill="#1d2330">'
            f"{escape(label)} ({sum(counts)})</text>"
        )
        legend_x += 16 + 8 * (len(label) + len(str(sum(counts))) + 3)
    if days:
        busiest = max(range(len(days)), key=lambda n: totals[n])
        parts = ", ".join(f"{sum(counts)} {label}" for label, counts in series)
        desc = ngettext(
            "%(count)s action from %(start)s to %(end)s: %(parts)s.",
            "%(count)s actions from %(start)s to %(end)s: %(parts)s.",
            grand,
        ) % {"count": grand, "start": _day(days[0]), "end": _day(days[-1]), "parts": parts}
        if grand:
            desc += " " + _("The busiest day was %(day)s with %(count)s.") % {
                "day": _day(days[busiest]),
                "count": totals[busiest],
            }
    else:
        desc = _("No days in the period.")
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label, _ in series)
    rows = "".join(
        f'<tr><th scope="row">{_day(day)}</th>'
        + "".join(f"<td>{counts[n]}</td>" for _, counts in series)
        + f"<td>{totals[n]}</td></tr>"
        for n, day in enumerate(days)
    )
    # Outside the f-string: xgettext does not look inside one, so a _() there never reaches the catalogue.
    day_head, total_head = escape(_("Day")), escape(_("Total"))
    table = (
        f'<table class="grid compact"><caption>{escape(title)}</caption>'
        f'<thead><tr><th scope="col">{day_head}</th>{head}'
        f'<th scope="col">{total_head}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return _figure(chart_id, title, desc, _svg(chart_id, title, desc, body), table)


def histogram(chart_id: str, title: str, buckets: Sequence[tuple[str, int]], *, summary: str = "") -> SafeString:
    """One bar per bucket: `buckets` is [(label, count), …] in order."""
    total = sum(count for _, count in buckets)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_max(max((count for _, count in buckets), default=0))
    slot = plot_w / max(len(buckets), 1)
    bar = slot * 0.7
    body = _axis(top, plot_h)
    for n, (label, count) in enumerate(buckets):
        x = LEFT + slot * n + (slot - bar) / 2
        h = plot_h * count / top
        y = TOP + plot_h - h
        body.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}" height="{_n(h)}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {count}</title></rect>"
            f'<text x="{_n(x + bar / 2)}" y="{_n(y - 4)}" text-anchor="middle" font-size="11" '
            f'fill="#1d2330">{count}</text>'
            f'<text x="{_n(x + bar / 2)}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
            f'fill="#5b6475">{escape(label)}</text>'
        )
    if total:
        commonest = max(buckets, key=lambda b: b[1])
        desc = (
            ngettext("%(count)s timed action.", "%(count)s timed actions.", total) % {"count": total}
            + " "
            + _("The most common time on task was %(bucket)s (%(count)s).")
            % {"bucket": commonest[0], "count": commonest[1]}
        )
    else:
        desc = _("No timed actions in the period.")
    if summary:
        desc += " " + summary
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{count}</td>'
        f"<td>{(100 * count / total if total else 0):.0f}%</td></tr>"
        for label, count in buckets
    )
    heads = "".join(f'<th scope="col">{escape(h)}</th>' for h in (_("Time on task"), _("Actions"), _("Share")))
    table = (
        f'<table class="grid compact"><caption>{escape(title)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"
    )
    return _figure(chart_id, title, desc, _svg(chart_id, title, desc, body), table)


# The horizontal bars of shares: a label column, then the plot, then room for the value.
LABEL_W, VALUE_W, BAR_H, BAR_GAP, GROUP_GAP, LEGEND_H, AXIS_H = 180, 52, 12, 2, 10, 26, 22
LABEL_CHARS = 26


def rate_bars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    desc: str,
    head: Sequence[str],
    table: Sequence[Sequence[str]],
) -> SafeString:
    """One group of horizontal bars per label, one bar per series, each a share 0..1 on a 0–100% axis.

    `series` is [(name, [share or None per label]), …]; a None draws no bar and reads "—".
    `head` and `table` are the data table beside it (each row's first cell heads the row).
    """
    plot_x = LABEL_W
    plot_w = WIDTH - LABEL_W - VALUE_W
    group_h = len(series) * (BAR_H + BAR_GAP) - BAR_GAP + GROUP_GAP
    plot_h = max(len(labels), 1) * group_h
    height = LEGEND_H + plot_h + AXIS_H
    grid = [{"x": _n(plot_x + plot_w * n / 4), "label": f"{25 * n}%"} for n in range(5)]
    legend, x = [], plot_x
    for colour, (name, _values) in zip(PALETTE, series, strict=False):
        legend.append({"x": _n(x), "text_x": _n(x + 16), "colour": colour, "name": name})
        x += 16 + 7 * len(name) + 14
    rows = []
    for n, label in enumerate(labels):
        top = LEGEND_H + n * group_h
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars = []
        for m, (colour, (name, values)) in enumerate(zip(PALETTE, series, strict=False)):
            value = values[n]
            y = top + m * (BAR_H + BAR_GAP)
            width = plot_w * min(max(value or 0.0, 0.0), 1.0)
            bars.append(
                {
                    "y": _n(y),
                    "width": _n(width),
                    "text_x": _n(plot_x + width + 4),
                    "text_y": _n(y + BAR_H - 2),
                    "colour": colour,
                    "series": name,
                    "value": percent(value),
                    "drawn": value is not None,
                }
            )
        label_y = top + (group_h - GROUP_GAP) / 2 + 4
        rows.append({"label": label, "short": short, "y": _n(label_y), "bars": bars})
    context = {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": WIDTH,
        "height": _n(height),
        "plot_x": plot_x,
        "label_x": plot_x - 6,
        "bar_h": BAR_H,
        "grid_top": LEGEND_H - 4,
        "grid_bottom": _n(LEGEND_H + plot_h),
        "axis_y": _n(LEGEND_H + plot_h + 14),
        "legend_y": 4,
        "legend_text_y": 14,
        "grid": grid,
        "legend": legend,
        "rows": rows,
        "head": head,
        "table": table,
    }
    return render_to_string("audit/_rate_bars.html", context)
