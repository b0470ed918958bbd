"""The corrections in the action log, in words: for a task's history and for the CSV export.

A correction record holds the AI's values of the fields that changed (`before`) and the
reviewer's (`after`). Each changed field becomes one `Line`: what was corrected (the entity of
an annotation, or the kind and ID of another item), the field, and the values before and after
as a person reads them. Values are any text (up to 2,000 characters); a `Shown` keeps the full
value beside a shortened one, and the templates escape both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reviewer.review.models import CorrectionRecord

SHORT = 60  # characters of a value shown in a table; the full value is one click away
MISSING = "(missing)"
# The order of fields in a line, whatever order the database keeps a JSON object's keys in.
FIELD_ORDER = ("content", "entity_id", "checked", "top", "left_of_line", "coordinates")
OPS = {"update": "changed", "remove": "removed", "add": "added"}


@dataclass(frozen=True)
class Shown:
    """A value in words: `full`, and `short` (the same unless it was cut) for a table cell.

    `placeholder` marks words that stand for no value, such as "(missing)", not a value itself.
    """

    full: str
    placeholder: bool = False

    @property
    def short(self) -> str:
        return self.full if len(self.full) <= SHORT else self.full[: SHORT - 1].rstrip() + "…"

    @property
    def cut(self) -> bool:
        return len(self.full) > SHORT


@dataclass(frozen=True)
class Line:
    op: str  # update, remove, add
    kind: str
    page_id: str
    item_id: str
    name: str  # the entity of an annotation, or "signature sig_1"
    field: str  # "" for a removed item
    before: Shown
    after: Shown
    confidence: float | None

    @property
    def done(self) -> str:
        """The operation in words: changed, removed or added."""
        return OPS.get(self.op, self.op)

    @property
    def text(self) -> str:
        """The line in the CSV's words: 'total_amount: S,OOO? → € 5,000.00', 'removed signature sig_1'."""
        if self.op == "remove":
            was = "" if self.before.placeholder else f" (was {self.before.full})"
            return f"removed {self.name}{was}"
        label = self.name if self.field in ("", "content") else f"{self.name} {self.field}"
        if self.op == "add" and self.kind != "annotation":
            return f"added {label}: {self.after.full}"
        return f"{label}: {self.before.full} → {self.after.full}"


def shown(value: Any) -> Shown:
    """A value as a person reads it."""
    if value is None:
        return Shown(MISSING, placeholder=True)
    if value == "":
        return Shown("(empty)", placeholder=True)
    if isinstance(value, bool):
        return Shown("ticked" if value else "not ticked")
    if isinstance(value, list):
        return Shown(f"polygon of {len(value)} points: {json.dumps(value)}")
    return Shown(str(value))


def _fields(values: dict) -> list[str]:
    known = [f for f in FIELD_ORDER if f in values]
    return known + sorted(f for f in values if f not in FIELD_ORDER)


def lines(c: CorrectionRecord) -> list[Line]:
    """The lines of one correction: one per changed field; one for a removed or an added item."""
    before = c.before if isinstance(c.before, dict) else {}
    after = c.after if isinstance(c.after, dict) else {}
    is_annotation = c.kind == "annotation"
    name = (c.entity_id or after.get("entity_id") or "") if is_annotation else ""
    if not name:
        name = f"{c.kind} {c.item_id}" if c.item_id else f"{c.kind} (new)"
    elif c.op == "remove" and c.item_id:
        name = f"{name} {c.item_id}"

    def line(field: str, old: Any, new: Any) -> Line:
        return Line(c.op, c.kind, c.page_id, c.item_id, name, field, shown(old), shown(new), c.confidence)

    if c.op == "remove":
        return [line("", before.get("content") if is_annotation else None, None)]
    if c.op == "add":
        if is_annotation:
            return [line("content", None, after.get("content"))]
        return [line("", None, ", ".join(shown(after[f]).full for f in _fields(after)) or None)]
    return [line(f, before.get(f), after[f]) for f in _fields(after)] or [line("", None, None)]


def details(corrections: Iterable[CorrectionRecord]) -> str:
    """The corrections of one record in one CSV cell, separated by '; '."""
    return "; ".join(line.text for c in corrections for line in lines(c))
