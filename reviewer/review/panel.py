"""The item panel: what the AI found on a page, in groups a reviewer reads one by one.

Header fields (annotations that occur once), line items (annotations whose entity repeats
on the page, or that belong to the same parent as one that repeats) as a table whose rows
follow the lines on the page, then checkboxes, segments and signatures. Each group counts
its items, those below the threshold and those flagged (cannot be drawn, or failing the
upstream's validation).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reviewer.review.overlays import Item

SEPARATORS = "./"


@dataclass
class Row:
    top: float | None  # None: the items of this row have no position on the page
    cells: list[list[Item]]  # one list per column, in the table's column order


@dataclass
class Group:
    key: str  # "fields", "lines", "checkbox", "segment", "signature"
    title: str
    items: list[Item] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # lines only: (entity, heading)
    rows: list[Row] = field(default_factory=list)  # lines only
    added: list[Item] = field(default_factory=list)  # what the person added to the page
    low: int = 0
    flagged: int = 0

    @property
    def count(self) -> int:
        return len(self.items)


def parent(entity: str) -> str:
    """The entity an entity id belongs to, when it names one ("line_items.amount" → "line_items")."""
    cut = max(entity.rfind(s) for s in SEPARATORS)
    return entity[:cut] if cut > 0 else ""


def _repeated(annotations: list[Item]) -> set[str]:
    """The entities of the line items: those that repeat, and their siblings."""
    counts = Counter(a.entity for a in annotations if a.entity)
    repeated = {e for e, n in counts.items() if n > 1}
    if not repeated:
        return set()
    parents = {parent(e) for e in repeated} - {""}
    prefix = os.path.commonprefix(sorted(repeated)) if len(repeated) > 1 else ""
    prefix = prefix[: prefix.rfind("_") + 1] if "_" in prefix else ""  # a whole word: "line_item_"
    siblings = {e for e in counts if (parent(e) and parent(e) in parents) or (len(prefix) > 2 and e.startswith(prefix))}
    return repeated | siblings


def _heading(entity: str, prefix: str) -> str:
    name = entity[len(prefix) :] if prefix and entity.startswith(prefix) else entity
    if parent(name):
        name = name[len(parent(name)) + 1 :]
    return name.replace("_", " ") or entity


def _top(item: Item) -> float | None:
    return item.box[1] if item.box else None


def _left(item: Item) -> float:
    return item.box[0] if item.box else float("inf")


def line_table(items: list[Item], line_height: float) -> tuple[list[tuple[str, str]], list[Row]]:
    """The line items as columns (entities, left to right) and rows (lines, top to bottom).

    Items whose tops lie within half a line of each other share a row; items with no
    position come last, in a row of their own.
    """
    entities = sorted({i.entity for i in items}, key=lambda e: min(_left(i) for i in items if i.entity == e))
    prefix = os.path.commonprefix(entities) if len(entities) > 1 else ""
    prefix = prefix[: prefix.rfind("_") + 1] if "_" in prefix else ""
    column = {e: n for n, e in enumerate(entities)}
    placed = sorted((i for i in items if _top(i) is not None), key=lambda i: (_top(i), _left(i)))
    rows: list[Row] = []
    for item in placed:
        if not rows or _top(item) - rows[-1].top > line_height / 2:
            rows.append(Row(top=_top(item), cells=[[] for _column in entities]))
        rows[-1].cells[column[item.entity]].append(item)
    unplaced = [i for i in items if _top(i) is None]
    if unplaced:
        row = Row(top=None, cells=[[] for _column in entities])
        for item in unplaced:
            row.cells[column[item.entity]].append(item)
        rows.append(row)
    return [(e, _heading(e, prefix)) for e in entities], rows


def groups(items: list[Item], added: list[Item], threshold: float, line_height: float) -> list[Group]:
    """The page's items (and those the person added) in the panel's groups, empty ones left out."""
    annotations = [i for i in items if i.kind == "annotation"]
    repeated = _repeated(annotations)
    fields = Group("fields", _("Header fields"), [i for i in annotations if i.entity not in repeated])
    lines = Group("lines", _("Line items"), [i for i in annotations if i.entity in repeated])
    if lines.items:
        lines.columns, lines.rows = line_table(lines.items, line_height)
    out = [fields, lines]
    for kind, title in (("checkbox", _("Checkboxes")), ("segment", _("Segments")), ("signature", _("Signatures"))):
        out.append(Group(kind, title, [i for i in items if i.kind == kind]))
    by_key = {g.key: g for g in out}
    for group in out:
        group.low = sum(1 for i in group.items if i.confidence < threshold)
        group.flagged = sum(1 for i in group.items if i.problem or i.failing)
    for item in added:  # the person's own additions, counted by nobody: they are not the AI's
        by_key["fields" if item.kind == "annotation" else item.kind].added.append(item)
    return [g for g in out if g.items or g.added]
