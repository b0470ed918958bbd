"""What the review screen draws: a page's items as shapes in page coordinates.

Each annotation, checkbox, segment and signature becomes one `Item` with its
kind, confidence and either a polygon (`points`) or, for annotations, a box
estimated from the start of its line and the length of its text. An item whose
geometry cannot be drawn keeps its place in the list, flagged with the problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from reviewer import sendai

KINDS = [("annotation", "Fields"), ("checkbox", "Checkboxes"), ("segment", "Segments"), ("signature", "Signatures")]
KIND_LABEL = {"annotation": "Field", "checkbox": "Checkbox", "segment": "Segment", "signature": "Signature"}


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: str
    confidence: float
    label: str
    detail: str
    points: str = ""  # SVG polygon points, "x,y x,y …"
    box: tuple[float, float, float, float] | None = None  # x, y, width, height
    problem: str | None = None
    checked: bool | None = None

    key: str = ""  # unique on its page: the item's DOM id

    @property
    def dom_id(self) -> str:
        return f"item-{self.key}"

    @property
    def kind_label(self) -> str:
        return KIND_LABEL[self.kind]

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
        items.append(
            Item(a.id, "annotation", a.confidence, a.entity_id or a.id, a.content, box=box, problem=a.geometry_problem)
        )
    for c in page.checkboxes:
        items.append(_region(c, "checkbox", "Checked" if c.checked else "Not checked", checked=c.checked))
    for s in page.segments:
        items.append(_region(s, "segment", "Segment"))
    for s in page.signatures:
        items.append(_region(s, "signature", "Signature"))
    return [replace(item, key=f"{prefix}{n}") for n, item in enumerate(items)]


def _region(item, kind: str, detail: str, checked: bool | None = None) -> Item:
    if item.geometry_problem or len(item.coordinates) < 3:
        problem = item.geometry_problem or "fewer than three points"
        return Item(item.id, kind, item.confidence, item.id, detail, problem=problem, checked=checked)
    return Item(
        item.id,
        kind,
        item.confidence,
        item.id,
        detail,
        points=_points(item.coordinates),
        box=_bounds(item.coordinates),
        checked=checked,
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
                problems=sum(1 for i in every if i.geometry_problem),
            )
        )
    return out
