"""What the review screen draws: a page's items as shapes in page coordinates.

Each annotation, checkbox, segment and signature becomes one `Item` with its
kind, confidence and either a polygon (`points`) or, for annotations, a box
estimated from the start of its line and the length of its text. An item whose
geometry cannot be drawn keeps its place in the list, flagged with the problem.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace

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
    """The height of a text line on this page, for boxes around annotations."""
    return max(page.height / 110, 8.0)


def page_items(page: sendai.Page, prefix: str = "") -> list[Item]:
    """The page's items; `prefix` keeps their DOM ids unique across the pages of a task."""
    items: list[Item] = []
    height = line_height(page)
    for a in page.annotations:
        box = None
        if a.geometry_problem is None and a.left_of_line is not None and a.top is not None:
            width = max(len(a.content), 3) * height * 0.55
            box = (a.left_of_line, a.top, min(width, max(page.width - a.left_of_line, height)), height)
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
    for c in page.checkboxes:
        items.append(_region(c, "checkbox", str(CHECKED[bool(c.checked)]), checked=c.checked))
    for s in page.segments:
        items.append(_region(s, "segment", str(KIND_LABEL["segment"])))
    for s in page.signatures:
        items.append(_region(s, "signature", str(KIND_LABEL["signature"])))
    return [replace(item, key=f"{prefix}{n}", ref=f"{page.id}/{item.kind}/{item.id}") for n, item in enumerate(items)]


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
                box = (left, top, min(max(len(content), 3) * height * 0.55, max(page.width - left, height)), height)
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
