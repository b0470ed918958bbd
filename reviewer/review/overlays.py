"""What the review screen draws: a page's items as shapes in page coordinates.

Each annotation, checkbox, segment and signature becomes one `Item` with its
kind, confidence and either a polygon (`points`) or, for annotations, a box
estimated from the start of its line and its text: the line's height is the page's
(`line_height`), its width the sum of its characters' advances at that height
(`text_width`), clamped to the page. An annotation without text has no width that can
be known: it is drawn as a bracket at the start of its line. An item whose geometry
cannot be drawn keeps its place in the list, flagged with the problem.

`compact` gives the page's shapes as compact data that review.js draws (5,000 items on a
page in milliseconds, and a page about a quarter the size of its markup): outlines just
outside the text (a gap of `gap()` page units), the larger regions first so that the
smallest one under the pointer is on top.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from reviewer import sendai

KINDS = [
    ("annotation", _("Fields")),
    ("checkbox", _("Checkboxes")),
    ("segment", _("Segments")),
    ("signature", _("Signatures")),
]
KIND_LABEL = {
    "annotation": pgettext_lazy("kind of item", "Field"),
    "checkbox": pgettext_lazy("kind of item", "Checkbox"),
    "segment": pgettext_lazy("kind of item", "Segment"),
    "signature": pgettext_lazy("kind of item", "Signature"),
}
ADDED_LABEL = {
    "annotation": _("new field"),
    "checkbox": _("new checkbox"),
    "segment": _("new segment"),
    "signature": _("new signature"),
}
CHECKED = {True: _("Checked"), False: _("Not checked")}
NEAR = 0.1  # the amber band: from the threshold to this much above it

# Advance widths of Helvetica/Arial (the most common document faces), in thousandths of the
# font size; other characters take DEFAULT_ADVANCE (wide scripts: WIDE_ADVANCE).
_ADVANCES = {
    **dict.fromkeys(" !',./:;I[\\]fijlt|", 278),
    **dict.fromkeys('"', 355),
    **dict.fromkeys("#$0123456789?L_abdeghnopqu", 556),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("&ABEKPSVXY", 667),
    **dict.fromkeys("()-`r", 333),
    **dict.fromkeys("*", 389),
    **dict.fromkeys("+<=>~", 584),
    **dict.fromkeys("@", 1015),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("J^ckvxyz{}s", 500),
    **dict.fromkeys("Mm", 833),
    **dict.fromkeys("W", 944),
}
DEFAULT_ADVANCE, WIDE_ADVANCE = 556, 1000


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: str
    confidence: float
    label: str
    detail: str
    points: str = ""  # SVG polygon points, "x,y x,y …"
    box: tuple[float, float, float, float] | None = None  # x, y, width, height
    problem: str | None = None  # why it cannot be drawn
    checked: bool | None = None
    value_problem: str | None = None  # a value Send.ai sent of the wrong type (sendai/types.py)

    key: str = ""  # unique on its page: the item's DOM id
    ref: str = ""  # "page_id/kind/item_id": the key of its change in a draft
    original: str = ""  # the AI's values as JSON, for the editor
    entity: str = ""
    corrected: bool = False  # the upstream says a person changed it
    change: dict | None = None  # this person's unsent change
    failing: str = ""  # what the upstream's validation said about it

    @property
    def dom_id(self) -> str:
        return f"item-{self.key}"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABEL[self.kind])

    def _edge(self, i: int) -> str:
        return f"{self.box[i]:g}" if self.box else ""

    @property
    def x(self) -> str:
        return self._edge(0)

    @property
    def y(self) -> str:
        return self._edge(1)

    @property
    def width(self) -> str:
        return self._edge(2)

    @property
    def height(self) -> str:
        return self._edge(3)

    @property
    def right(self) -> str:
        return f"{self.box[0] + self.box[2]:g}" if self.box else ""

    @property
    def bottom(self) -> str:
        return f"{self.box[1] + self.box[3]:g}" if self.box else ""

    @property
    def hue(self) -> int:
        """0 (red) for no confidence up to 120 (green) for full confidence."""
        return round(max(0.0, min(1.0, self.confidence)) * 120)

    @property
    def percent(self) -> int:
        return math.floor(max(0.0, min(1.0, self.confidence)) * 100)


def _points(coordinates: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in coordinates)


def _bounds(coordinates: tuple[tuple[float, float], ...]) -> tuple[float, float, float, float]:
    xs = [x for x, _ in coordinates]
    ys = [y for _, y in coordinates]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def line_height(page: sendai.Page) -> float:
    """The height of a line of body text on this page, for boxes around annotations.

    Body text is about 9 pt on an A4 or Letter page whatever its resolution: 1.55% of the
    page's shorter side (38 px at 300 dpi), as the sandbox's drawings have it.
    """
    return max(min(page.width, page.height) * 0.0155, 8.0)


def gap(height: float) -> float:
    """How far outside the text an outline is drawn, in page units."""
    return round(height * 0.15, 2)


def text_width(content: str, height: float) -> float:
    """The drawn width of `content` in a line `height` high, from its characters' advances."""
    total = 0
    for ch in content:
        advance = _ADVANCES.get(ch)
        if advance is None:
            advance = WIDE_ADVANCE if ord(ch) >= 0x1100 and not 0x2000 <= ord(ch) < 0x2100 else DEFAULT_ADVANCE
        total += advance
    return total * height / 1000


def _field_box(left: float, top: float, content: str, height: float, page_width: float):
    """The box of a field's text (or, without text, of the bracket at its line's start)."""
    width = text_width(content.strip(), height) if content.strip() else height * 0.4
    return (left, top, max(min(width, page_width - left), height * 0.25), height)


def page_items(page: sendai.Page, prefix: str = "") -> list[Item]:
    """The page's items; `prefix` keeps their DOM ids unique across the pages of a task."""
    items: list[Item] = []
    height = line_height(page)
    for a in page.annotations:
        box = None
        if a.geometry_problem is None and a.left_of_line is not None and a.top is not None:
            box = _field_box(a.left_of_line, a.top, a.content, height, page.width)
        values = {"entity_id": a.entity_id, "content": a.content, "top": a.top, "left_of_line": a.left_of_line}
        items.append(
            Item(
                a.id,
                "annotation",
                a.confidence,
                a.entity_id or a.id,
                a.content,
                box=box,
                problem=a.geometry_problem,
                original=json.dumps(values, ensure_ascii=False),
                entity=a.entity_id,
                corrected=a.corrected,
                value_problem=a.value_problem,
            )
        )
    checked = {True: str(CHECKED[True]), False: str(CHECKED[False])}  # lazy texts made once, not per item
    segment, signature = str(KIND_LABEL["segment"]), str(KIND_LABEL["signature"])
    for c in page.checkboxes:
        items.append(_region(c, "checkbox", checked[bool(c.checked)], checked=c.checked))
    for s in page.segments:
        items.append(_region(s, "segment", segment))
    for s in page.signatures:
        items.append(_region(s, "signature", signature))
    for n, item in enumerate(items):  # just made and not shared yet: set in place (a copy each costs at 5,000 items)
        object.__setattr__(item, "key", f"{prefix}{n}")
        object.__setattr__(item, "ref", f"{page.id}/{item.kind}/{item.id}")
    return items


def _region(item, kind: str, detail: str, checked: bool | None = None) -> Item:
    values: dict = {"coordinates": [list(p) for p in item.coordinates]}
    if checked is not None:
        values["checked"] = checked
    common = {
        "checked": checked,
        "original": json.dumps(values),
        "corrected": item.corrected,
        "value_problem": item.value_problem,
    }
    if item.geometry_problem or len(item.coordinates) < 3:
        problem = item.geometry_problem or "fewer than three points"
        return Item(item.id, kind, item.confidence, item.id, detail, problem=problem, **common)
    return Item(
        item.id,
        kind,
        item.confidence,
        item.id,
        detail,
        points=_points(item.coordinates),
        box=_bounds(item.coordinates),
        **common,
    )


@dataclass(frozen=True, slots=True)
class PageSummary:
    number: int
    page: sendai.Page
    count: int
    low: int
    problems: int


def summarize(task: sendai.Task, threshold: float) -> list[PageSummary]:
    """Per page: how many items, how many below the threshold, how many flagged."""
    out = []
    for number, page in enumerate(task.pages, start=1):
        groups = (page.annotations, page.checkboxes, page.segments, page.signatures)
        every = [i for g in groups for i in g]
        out.append(
            PageSummary(
                number=number,
                page=page,
                count=len(every),
                low=sum(1 for i in every if i.confidence < threshold),
                problems=sum(1 for i in every if i.geometry_problem or i.value_problem),
            )
        )
    return out


def added_items(page: sendai.Page, changes: dict[str, dict], prefix: str = "") -> list[Item]:
    """The items a person added to this page in their draft, drawn like the AI's."""
    out = []
    height = line_height(page)
    for n, (key, change) in enumerate(changes.items()):
        if change.get("op") != "add" or change.get("page_id") != page.id:
            continue
        item, kind = change.get("item") or {}, change.get("kind", "annotation")
        common = {"key": f"{prefix}new{n}", "ref": key, "change": change, "original": "{}", "corrected": True}
        if kind == "annotation":
            content = str(item.get("content", ""))
            box = None
            top, left = item.get("top"), item.get("left_of_line")
            if isinstance(top, int | float) and isinstance(left, int | float):
                box = _field_box(left, top, content, height, page.width)
            label = str(item.get("entity_id") or "new field")
            out.append(Item("", kind, 1.0, label, content, box=box, entity=label, **common))
            continue
        points = item.get("coordinates")
        try:
            coordinates = tuple((float(x), float(y)) for x, y in points)
        except (TypeError, ValueError):
            coordinates = ()
        checked = item.get("checked") if kind == "checkbox" else None
        detail = str(CHECKED[bool(checked)] if kind == "checkbox" else KIND_LABEL[kind])
        if len(coordinates) >= 3:
            region = {"points": _points(coordinates), "box": _bounds(coordinates)}
        else:
            region = {"problem": gettext("fewer than three points")}
        out.append(Item("", kind, 1.0, str(ADDED_LABEL[kind]), detail, checked=checked, **region, **common))
    return out


def band(confidence: float, threshold: float) -> str:
    """The item's confidence band: "low" (red), "near" (amber, just above the threshold) or "" (green)."""
    if confidence < threshold:
        return "low"
    return "near" if confidence < threshold + NEAR else ""


def _n(value: float) -> float | int:
    v = round(value, 2)
    return int(v) if v == int(v) else v


def _area(item: Item) -> float:
    return item.box[2] * item.box[3] if item.box else 0.0


def _flags(item: Item) -> str:
    """What review.js needs besides the geometry, one letter each: checked, unchecked, failing,
    changed (g), added, and e for a field without text (drawn as a bracket)."""
    flags = ""
    if item.checked:
        flags += "c"
    elif item.checked is False:
        flags += "u"
    if item.failing:
        flags += "f"
    if item.change:
        flags += "g"
    if item.kind == "annotation" and not item.detail.strip():
        flags += "e"
    return flags


def _geometry(item: Item) -> list:
    if item.points:
        return [_n(float(v)) for pair in item.points.split() for v in pair.split(",")]
    return [_n(v) for v in item.box]


def compact(items: list[Item], added: list[Item]) -> list[list]:
    """The page's drawable items as compact rows for review.js, which draws them (one pass, no markup).

    Each row is [DOM id, kind, confidence, flags, title, geometry], larger regions first, so that
    smaller ones are drawn on top (and clicked); the person's additions come last, flagged "a".
    Geometry is a polygon's points as x1, y1, x2, y2, … (segments, checkboxes, signatures) or a
    field's text box as x, y, width, height; review.js draws the outline `gap()` outside it.
    """
    out = []
    for i in sorted((i for i in items if i.box), key=_area, reverse=True):
        title = f"{i.label}: {i.detail} ({i.percent}%)"
        out.append([i.dom_id, i.kind, i.confidence, _flags(i), title, _geometry(i)])
    for i in added:
        if i.box:
            title = gettext("Added by you: %(label)s %(detail)s") % {"label": i.label, "detail": i.detail}
            out.append([i.dom_id, i.kind, 1, "a" + _flags(i), title, _geometry(i)])
    return out
