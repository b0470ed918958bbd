"""Page images for the sandbox: a drawing of a task's page, as SVG.

The sandbox has no scanned documents, so it draws one: white paper of the page's
pixel size, a header band with the task name, greeked body text, a table, and the
page's own items (annotation texts at the start of their lines, checkbox squares,
signature scribbles, segment boxes).

Everything taken from the task is XML-escaped; the drawing has no scripts and no
external references. Malformed geometry is skipped, never an error. The output is
the same for the same input.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import Any
from xml.sax.saxutils import escape

A4 = (2480, 3508)  # pixels at 300 dpi, the documentation's page size
MAX_COORDINATE = 1e7  # beyond this a number is treated as malformed
MAX_TEXT = 300  # characters of an annotation drawn at most
FONT = "Helvetica, Arial, sans-serif"

# Characters that XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]


def text_size(width: float, height: float) -> float:
    """The font size of text on a page of this size: 38 px on A4 at 300 dpi (about 9 pt)."""
    return round(min(width, height) * 0.0155, 1)


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width of `text`, for layout and collision checks."""
    return len(text) * size * 0.55


def page_size(page: Any) -> tuple[float, float]:
    """The page's width and height in pixels; A4 proportions where they are missing or invalid."""
    page = page if isinstance(page, dict) else {}
    width, height = _positive(page.get("width")), _positive(page.get("height"))
    if width and height:
        return width, height
    if width:
        return width, round(width * A4[1] / A4[0])
    if height:
        return round(height * A4[0] / A4[1]), height
    return A4


def page_svg(task: Any, page: dict) -> bytes:
    """The page drawn as an SVG document (image/svg+xml) of the page's pixel size.

    `task` is a sandbox Task (or anything with a `name`, or a dict with one); `page`
    is one of its pages. An annotation's text starts at (left_of_line, top), `top`
    being the top of its line of text.
    """
    page = page if isinstance(page, dict) else {}
    width, height = page_size(page)
    drawing = _Drawing(_task_field(task, "name"), _page_label(task, page), width, height)
    drawing.read_items(page)
    return drawing.render().encode()


def _task_field(task: Any, name: str) -> str:
    value = task.get(name) if isinstance(task, dict) else getattr(task, name, None)
    return _clean(value) or ""


def _page_label(task: Any, page: dict) -> str:
    pages = task.get("pages") if isinstance(task, dict) else getattr(task, "pages", None)
    label = _clean(page.get("id")) or "page"
    if isinstance(pages, list):
        for number, candidate in enumerate(pages, 1):
            if candidate is page or (isinstance(candidate, dict) and candidate.get("id") == page.get("id")):
                return f"{label} · {number} / {len(pages)}"
    return label


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) > MAX_COORDINATE:
        return None  # also too large for a float
    value = float(value)
    if not math.isfinite(value) or abs(value) > MAX_COORDINATE:
        return None
    return value


def _positive(value: Any) -> float | None:
    number = _number(value)
    if number is None or number <= 0:
        return None
    return int(number) if number.is_integer() else number


def _clean(value: Any) -> str | None:
    """Text fit for XML: a string or number, without forbidden characters, on one line, not too long."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = _SPACES.sub(" ", _NOT_XML.sub("", str(value))).strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def _polygon(coordinates: Any) -> list[Point] | None:
    """Three or more [x, y] points of finite numbers, or None."""
    if not isinstance(coordinates, list) or len(coordinates) < 3:
        return None
    points = []
    for point in coordinates:
        if not isinstance(point, list | tuple) or len(point) != 2:
            return None
        x, y = _number(point[0]), _number(point[1])
        if x is None or y is None:
            return None
        points.append((x, y))
    return points


def _items(page: dict, kind: str) -> Iterable[dict]:
    items = page.get(kind)
    if isinstance(items, list):
        yield from (item for item in items if isinstance(item, dict))


def _bbox(points: list[Point]) -> Box:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _points_attr(points: list[Point]) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


class _Drawing:
    def __init__(self, title: str, label: str, width: float, height: float) -> None:
        self.title, self.label = title, label
        self.width, self.height = width, height
        self.size = text_size(width, height)
        self.pitch = self.size * 1.6
        self.margin = width * 0.08
        self.header = height * 0.045
        self.footer = height * 0.96
        self.rng = random.Random(f"{title}|{label}|{_f(width)}x{_f(height)}")  # decoration only
        self.texts: list[tuple[float, float, str]] = []
        self.checkboxes: list[tuple[list[Point], bool]] = []
        self.segments: list[list[Point]] = []
        self.signatures: list[tuple[list[Point], str]] = []
        self.occupied: list[Box] = []

    def read_items(self, page: dict) -> None:
        for item in _items(page, "annotations"):
            x, y, text = _number(item.get("left_of_line")), _number(item.get("top")), _clean(item.get("content"))
            if x is None or y is None or not text:
                continue
            self.texts.append((x, y, text))
            self.occupied.append((x, y, x + text_width(text, self.size), y + self.size))
        for item in _items(page, "checkboxes"):
            if points := _polygon(item.get("coordinates")):
                self.checkboxes.append((points, item.get("checked") is True))
                self.occupied.append(_bbox(points))
        for item in _items(page, "signatures"):
            if points := _polygon(item.get("coordinates")):
                self.signatures.append((points, str(item.get("id"))))
                self.occupied.append(_bbox(points))
        for item in _items(page, "segments"):
            if points := _polygon(item.get("coordinates")):
                self.segments.append(points)

    def render(self) -> str:
        w, h = _f(self.width), _f(self.height)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"',
            f' font-family="{FONT}">\n',
            f"<title>{escape(self.title)} — {escape(self.label)}</title>\n",
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>\n',
        ]
        self._header(out)
        self._segments(out)
        tables = self._tables(out)
        self.occupied.extend(tables)
        self._filler(out)
        self._footer(out)
        self._texts(out)
        self._checkboxes(out)
        self._signatures(out)
        out.append("</svg>\n")
        return "".join(out)

    def _header(self, out: list[str]) -> None:
        size, baseline = self.size * 1.15, self.header * 0.5 + self.size * 0.4
        out.append(
            f'<rect class="header" x="0" y="0" width="{_f(self.width)}" height="{_f(self.header)}" fill="#eef2f6"/>\n'
        )
        out.append(
            f'<line x1="0" y1="{_f(self.header)}" x2="{_f(self.width)}" y2="{_f(self.header)}"'
            f' stroke="#cbd5e1" stroke-width="{_f(self.size * 0.08)}"/>\n'
        )
        out.append(
            f'<text x="{_f(self.margin)}" y="{_f(baseline)}" font-size="{_f(size)}" font-weight="bold"'
            f' fill="#334155">{escape(self.title)}</text>\n'
        )
        out.append(
            f'<text x="{_f(self.width - self.margin)}" y="{_f(baseline)}" font-size="{_f(self.size * 0.8)}"'
            f' text-anchor="end" fill="#64748b">{escape(self.label)}</text>\n'
        )

    def _footer(self, out: list[str]) -> None:
        y = self.footer
        out.append(
            f'<line x1="{_f(self.margin)}" y1="{_f(y)}" x2="{_f(self.width - self.margin)}" y2="{_f(y)}"'
            f' stroke="#e2e8f0" stroke-width="{_f(self.size * 0.06)}"/>\n'
        )
        out.append(
            f'<text x="{_f(self.width - self.margin)}" y="{_f(y + self.size * 1.2)}" font-size="{_f(self.size * 0.7)}"'
            f' text-anchor="end" fill="#94a3b8">{escape(self.label)}</text>\n'
        )

    def _segments(self, out: list[str]) -> None:
        stroke = _f(self.size * 0.08)
        for points in self.segments:
            out.append(
                f'<polygon class="segment" points="{_points_attr(points)}" fill="#eaf2fb" fill-opacity="0.55"'
                f' stroke="#b9cde4" stroke-width="{stroke}"/>\n'
            )

    def _tables(self, out: list[str]) -> list[Box]:
        """Rules around rows of annotations that look like a table; else a decorative table where there is room."""
        rows: dict[float, set[float]] = defaultdict(set)
        ends: dict[float, float] = {}  # the right end of each row's text
        for x, y, text in self.texts:
            rows[y].add(x)
            ends[y] = max(ends.get(y, x), x + text_width(text, self.size))
        table_rows = sorted(y for y, xs in rows.items() if len(xs) >= 3)
        blocks: list[list[float]] = []
        for y in table_rows:
            if blocks and y - blocks[-1][-1] <= self.pitch * 2.2:
                blocks[-1].append(y)
            else:
                blocks.append([y])
        boxes = []
        for block in blocks:
            if len(block) < 2:
                continue
            # Column rules where most rows start a text, at most a dozen.
            starts = Counter(x for y in block for x in rows[y])
            common = sorted(x for x, count in starts.items() if count * 2 >= len(block))
            columns = [min(starts), *[x for x in common if x > min(starts)][:11]]
            right = max(ends[y] for y in block)
            row_pitch = min(b - a for a, b in pairwise(block))
            pad = max((row_pitch - self.size) / 2, self.size * 0.2)
            box = (
                columns[0] - self.size * 0.5,
                block[0] - pad - row_pitch,
                max(right, self.width - self.margin) + self.size * 0.5,
                block[-1] + self.size + pad,
            )
            row_tops = [y - pad for y in block]
            self._grid(out, box, row_tops, [x - self.size * 0.5 for x in columns[1:]], heading=box[1] + pad)
            boxes.append(box)
        if boxes:
            return boxes
        return self._decorative_table(out)

    def _decorative_table(self, out: list[str]) -> list[Box]:
        rows, row_pitch = 6, self.pitch * 1.1
        x0, x1 = self.margin, self.width - self.margin
        for fraction in (0.55, 0.35, 0.72):
            y0 = self.height * fraction
            box = (x0, y0, x1, y0 + row_pitch * (rows + 1))
            if box[3] < self.footer and not any(_overlaps(box, other) for other in self.occupied):
                break
        else:
            return []
        columns = [x0 + (x1 - x0) * f for f in (0.45, 0.62, 0.8)]
        row_tops = [box[1] + row_pitch * (i + 1) for i in range(rows)]
        self._grid(out, box, row_tops, columns, heading=box[1] + (row_pitch - self.size) / 2)
        bar = self.size * 0.45
        lefts = [x0, *columns]
        rights = [*columns, x1]
        for top in row_tops:
            for left, right in zip(lefts, rights, strict=True):
                length = (right - left - self.size * 1.5) * self.rng.uniform(0.35, 0.9)
                out.append(
                    f'<rect x="{_f(left + self.size * 0.6)}" y="{_f(top + (row_pitch - bar) / 2)}"'
                    f' width="{_f(length)}" height="{_f(bar)}" rx="{_f(bar / 4)}" fill="#e5e7eb"/>\n'
                )
        return [box]

    def _grid(self, out: list[str], box: Box, row_tops: list[float], columns: list[float], heading: float) -> None:
        x0, y0, x1, y1 = box
        stroke = _f(self.size * 0.05)
        out.append(
            f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(row_tops[0] - y0)}" fill="#f1f5f9"/>\n'
        )
        bar = self.size * 0.45
        for left, right in zip([x0, *columns], [*columns, x1], strict=True):
            length = min(right - left - self.size * 1.2, self.size * 5)
            if length > 0:
                out.append(
                    f'<rect x="{_f(left + self.size * 0.5)}" y="{_f(heading + (self.size - bar) / 2)}"'
                    f' width="{_f(length)}" height="{_f(bar)}" rx="{_f(bar / 4)}" fill="#cbd5e1"/>\n'
                )
        lines = [f"M{_f(x0)} {_f(y)}H{_f(x1)}" for y in row_tops[1:]]
        lines += [f"M{_f(x)} {_f(y0)}V{_f(y1)}" for x in columns]
        if lines:
            out.append(f'<path d="{"".join(lines)}" fill="none" stroke="#e2e8f0" stroke-width="{stroke}"/>\n')
        out.append(
            f'<rect class="table" x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" fill="none"'
            f' stroke="#cbd5e1" stroke-width="{stroke}"/>\n'
        )

    def _filler(self, out: list[str]) -> None:
        """Greeked body text: faint bars on the lines of the page, around what is drawn there."""
        start, pad = self.header + self.pitch, self.size * 0.6
        count = int((self.footer - self.pitch - start) // self.pitch)
        if count <= 0:
            return
        # Lines of text stay on one side of a segment's border: its edges block them too.
        edge = self.size * 0.3
        edges = []
        for points in self.segments:
            x0, y0, x1, y1 = _bbox(points)
            edges += [(x0 - edge, y0, x0 + edge, y1), (x1 - edge, y0, x1 + edge, y1)]
            edges += [(x0, y0 - edge, x1, y0 + edge), (x0, y1 - edge, x1, y1 + edge)]
        blocked: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for x0, y0, x1, y1 in [*self.occupied, *edges]:
            first = max(0, math.floor((y0 - pad - start - self.size) / self.pitch))
            last = min(count - 1, math.floor((y1 + pad - start) / self.pitch))
            for row in range(first, last + 1):
                blocked[row].append((x0 - pad * 2, x1 + pad * 2))
        bar = self.size * 0.45
        left, right = self.margin, self.width - self.margin
        paragraph_end = False
        for row in range(count):
            if paragraph_end or self.rng.random() < 0.12:
                paragraph_end = False
                continue
            end = right if self.rng.random() < 0.8 else left + (right - left) * self.rng.uniform(0.3, 0.8)
            paragraph_end = end < right
            y = start + row * self.pitch + (self.size - bar) / 2
            for x0, x1 in _free_spans(left, end, sorted(blocked.get(row, ()))):
                if x1 - x0 >= self.size * 3:
                    out.append(
                        f'<rect x="{_f(x0)}" y="{_f(y)}" width="{_f(x1 - x0)}" height="{_f(bar)}"'
                        f' rx="{_f(bar / 4)}" fill="#eceff3"/>\n'
                    )

    def _texts(self, out: list[str]) -> None:
        if not self.texts:
            return
        out.append(f'<g class="annotations" font-size="{_f(self.size)}" fill="#1f2933">\n')
        baseline = self.size * 0.8  # `top` is the top of the line of text
        for x, y, text in self.texts:
            out.append(f'<text x="{_f(x)}" y="{_f(y + baseline)}">{escape(text)}</text>\n')
        out.append("</g>\n")

    def _checkboxes(self, out: list[str]) -> None:
        for points, checked in self.checkboxes:
            x0, y0, x1, y1 = _bbox(points)
            side = max(x1 - x0, y1 - y0)
            out.append(
                f'<polygon class="checkbox" points="{_points_attr(points)}" fill="#ffffff" stroke="#374151"'
                f' stroke-width="{_f(max(side * 0.08, 1))}"/>\n'
            )
            if checked:
                w, h = x1 - x0, y1 - y0
                out.append(
                    f'<path class="tick" d="M{_f(x0 + w * 0.2)} {_f(y0 + h * 0.55)}'
                    f"L{_f(x0 + w * 0.42)} {_f(y0 + h * 0.78)}"
                    f'L{_f(x0 + w * 0.82)} {_f(y0 + h * 0.22)}" fill="none" stroke="#111827"'
                    f' stroke-width="{_f(max(side * 0.13, 1))}" stroke-linecap="round" stroke-linejoin="round"/>\n'
                )

    def _signatures(self, out: list[str]) -> None:
        for points, item_id in self.signatures:
            x0, y0, x1, y1 = _bbox(points)
            w, h = x1 - x0, y1 - y0
            rng = random.Random(f"{self.label}|{item_id}")  # decoration only
            x, y = x0 + w * 0.06, y0 + h * 0.62
            path = [f"M{_f(x)} {_f(y)}"]
            steps = 7
            for step in range(1, steps + 1):
                nx = x0 + w * (0.06 + 0.86 * step / steps)
                ny = y0 + h * rng.uniform(0.3, 0.75)
                c1 = (x + (nx - x) * 0.3, y0 + h * rng.uniform(0.05, 0.95))
                c2 = (x + (nx - x) * 0.7, y0 + h * rng.uniform(0.05, 0.95))
                path.append(f"C{_f(c1[0])} {_f(c1[1])} {_f(c2[0])} {_f(c2[1])} {_f(nx)} {_f(ny)}")
                x, y = nx, ny
            out.append(
                f'<path class="signature" d="{"".join(path)}" fill="none" stroke="#1e3a8a"'
                f' stroke-width="{_f(max(h * 0.025, 1))}" stroke-linecap="round" stroke-linejoin="round"/>\n'
            )
            line_y = y0 + h * 0.88
            out.append(
                f'<line x1="{_f(x0)}" y1="{_f(line_y)}" x2="{_f(x1)}" y2="{_f(line_y)}" stroke="#9ca3af"'
                f' stroke-width="{_f(max(h * 0.01, 1))}"/>\n'
            )


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_spans(start: float, end: float, blocked: list[tuple[float, float]]) -> Iterable[tuple[float, float]]:
    """The parts of [start, end] outside the sorted `blocked` intervals."""
    x = start
    for b0, b1 in blocked:
        if b0 > x:
            yield x, min(b0, end)
        x = max(x, b1)
        if x >= end:
            return
    if x < end:
        yield x, end
