"""Corrections: a person's draft of changes to one task, and what becomes of it.

A draft is kept on the server per person and task (`Draft`) and saved change by change,
with no upstream call, so that nothing typed waits on Send.ai. Each change is checked
against the limits of docs/corrections.md as it is saved; a value that breaks one is
kept too, with its error, so that nothing typed is lost, and Complete waits until it is
fixed. Completing turns the draft into the operations of API.md §5.

A change, as stored under its key in `Draft.changes`:

    {"op": "update", "page_id": "page_1", "kind": "annotation", "item_id": "ann_3",
     "fields": {"content": "12-10-2026"}, "original": {"content": "12-1O-2026"},
     "confidence": 0.41, "entity_id": "invoice_date", "error": ""}

`original` holds the AI's values of the changed fields, as the page showed them; an update
whose fields all equal the original again is no change and leaves the draft.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from reviewer import sendai
from reviewer.review.models import Draft, EntityTally

KINDS = ("annotation", "checkbox", "segment", "signature")
OPS = ("update", "remove", "add")
FIELDS = {
    "annotation": ("content", "entity_id", "top", "left_of_line"),
    "checkbox": ("checked", "coordinates"),
    "segment": ("coordinates",),
    "signature": ("coordinates",),
}
REQUIRED_TO_ADD = {
    "annotation": ("entity_id", "content"),
    "checkbox": ("checked", "coordinates"),
    "segment": ("coordinates",),
    "signature": ("coordinates",),
}
MAX_CONTENT = 2000
MAX_POINTS = 100
MAX_OPERATIONS = 5000
KIND_NAMES = {
    "annotation": pgettext_lazy("kind of item", "field"),
    "checkbox": pgettext_lazy("kind of item", "checkbox"),
    "segment": pgettext_lazy("kind of item", "segment"),
    "signature": pgettext_lazy("kind of item", "signature"),
}
# A whole sentence per kind, since the article and the word order differ between languages.
NO_SUCH_FIELD = {
    "annotation": gettext_lazy("a field has no such field."),
    "checkbox": gettext_lazy("a checkbox has no such field."),
    "segment": gettext_lazy("a segment has no such field."),
    "signature": gettext_lazy("a signature has no such field."),
}
NEEDED_TO_ADD = {
    "annotation": gettext_lazy("is needed for a new field."),
    "checkbox": gettext_lazy("is needed for a new checkbox."),
    "segment": gettext_lazy("is needed for a new segment."),
    "signature": gettext_lazy("is needed for a new signature."),
}


def _number_shown(value: float) -> str:
    """A coordinate or size as a person reads it in their language: 12.5 or 12,5; 300, not 300.0."""
    return formats.number_format(int(value) if float(value).is_integer() else value)


class CorrectionError(ValueError):
    """A value the contract would refuse; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        message = str(message)
        super().__init__(_("%(field)s: %(problem)s") % {"field": field, "problem": message})
        self.field = field
        self.message = message


class DraftError(Exception):
    """The draft cannot be sent as it is; the sentence says why."""


# Checking values -------------------------------------------------------------------------------


def check_content(value: Any) -> str:
    if not isinstance(value, str):
        raise CorrectionError("content", _("must be text."))
    if len(value) > MAX_CONTENT:
        raise CorrectionError(
            "content",
            _("at most %(limit)s characters (%(count)s given).")
            % {
                "limit": formats.number_format(MAX_CONTENT, force_grouping=True),
                "count": formats.number_format(len(value), force_grouping=True),
            },
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CorrectionError("content", _("contains characters that are not valid Unicode.")) from None
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise CorrectionError("content", _("must be one line without control characters (no tabs or line breaks)."))
    return value


def check_entity(value: Any) -> str:
    try:
        return sendai.check_id(value.strip() if isinstance(value, str) else value, "entity")
    except sendai.InvalidId:
        raise CorrectionError(
            "entity_id", _("use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or a digit.")
        ) from None


def _number(value: Any, field: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise CorrectionError(field, _("must be a number.")) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CorrectionError(field, _("must be a number."))
    return float(value)


def check_position(top: Any, left: Any, size: tuple[float, float]) -> tuple[float | None, float | None]:
    """Both or neither; inside the page."""
    if top in (None, "") and left in (None, ""):
        return None, None
    if top in (None, "") or left in (None, ""):
        raise CorrectionError("top", _("give both the top and the left of the line, or neither."))
    top, left = _number(top, "top"), _number(left, "left_of_line")
    width, height = size
    if not (0 <= left <= width and 0 <= top <= height):
        raise CorrectionError(
            "top",
            _("(%(left)s, %(top)s) is outside the page (%(width)s × %(height)s).")
            % {
                "left": _number_shown(left),
                "top": _number_shown(top),
                "width": _number_shown(width),
                "height": _number_shown(height),
            },
        )
    return round(top, 1), round(left, 1)


def check_polygon(value: Any, size: tuple[float, float]) -> list[list[float]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise CorrectionError("coordinates", _("must be a list of [x, y] points.")) from None
    if not isinstance(value, list) or not 3 <= len(value) <= MAX_POINTS:
        raise CorrectionError("coordinates", _("a polygon needs 3 to %(most)s points.") % {"most": MAX_POINTS})
    width, height = size
    points = []
    for point in value:
        if not (isinstance(point, list) and len(point) == 2):
            raise CorrectionError("coordinates", _("each point must be a pair of numbers [x, y]."))
        x, y = _number(point[0], "coordinates"), _number(point[1], "coordinates")
        if not (0 <= x <= width and 0 <= y <= height):
            raise CorrectionError(
                "coordinates",
                _("the point (%(x)s, %(y)s) is outside the page.") % {"x": _number_shown(x), "y": _number_shown(y)},
            )
        points.append([round(x, 1), round(y, 1)])
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True))
    if abs(area) < 1:
        raise CorrectionError("coordinates", _("the points lie on one line: a polygon needs an area."))
    return points


def check_checked(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1"):
        return True
    if value in ("false", "off", "0", ""):
        return False
    raise CorrectionError("checked", _("must be ticked or not."))


def clean_values(kind: str, values: dict[str, Any], size: tuple[float, float]) -> dict[str, Any]:
    """The given fields of `kind`, checked; CorrectionError for the first that is wrong."""
    allowed = FIELDS[kind]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise CorrectionError(unknown[0], NO_SUCH_FIELD[kind])
    out: dict[str, Any] = {}
    if "content" in values:
        out["content"] = check_content(values["content"])
    if "entity_id" in values:
        out["entity_id"] = check_entity(values["entity_id"])
    if "top" in values or "left_of_line" in values:
        out["top"], out["left_of_line"] = check_position(values.get("top"), values.get("left_of_line"), size)
    if "checked" in values:
        out["checked"] = check_checked(values["checked"])
    if "coordinates" in values:
        out["coordinates"] = check_polygon(values["coordinates"], size)
    return out


# The draft ------------------------------------------------------------------------------------


def key_of(page_id: str, kind: str, item_id: str) -> str:
    return f"{page_id}/{kind}/{item_id}"


@dataclass
class Saved:
    draft: Draft
    conflict: bool  # another tab wrote since this one last looked
    change: dict[str, Any] | None  # None: the item is as the AI left it


def load(user, ids: tuple[str, str, str]) -> Draft | None:
    return Draft.objects.filter(user=user, team_id=ids[0], project_id=ids[1], task_id=ids[2]).first()


def others(user, ids: tuple[str, str, str]):
    """Other people's drafts of this task, with something in them (for the lead, and for the record)."""
    drafts = Draft.objects.filter(team_id=ids[0], project_id=ids[1], task_id=ids[2]).exclude(user=user)
    return drafts.exclude(changes={}).select_related("user").order_by("-updated_at")


def project_entities(ids: tuple[str, str, str]) -> set[str]:
    """The entities reviewers have met in this project (from the log's tallies), for the editor's list."""
    key = f"entities:{ids[0]}/{ids[1]}"
    found = cache.get(key)
    if found is None:
        rows = EntityTally.objects.filter(record__team_id=ids[0], record__project_id=ids[1])
        found = sorted(set(rows.order_by("-record_id").values_list("entity_id", flat=True)[:2000]))[:500]
        cache.set(key, found, 600)
    return set(found)


def _storable(value: Any) -> Any:
    """`value` with NUL characters shown as ␀: PostgreSQL's JSON cannot hold them; the draft keeps the rest."""
    if isinstance(value, str):
        return value.replace("\x00", "\u2400")
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    return value


def build_change(data: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """A change from what the panel posted: its key, and the change (None: back to the AI's values).

    See `_build_change`; whatever it keeps is made storable.
    """
    key, change = _build_change(data)
    return key, _storable(change) if change is not None else None


def _build_change(data: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """A change from what the panel posted: its key, and the change (None: back to the AI's values).

    `data` holds op, page_id, kind, item_id (not for add), key (for add), the new values, the
    AI's values as JSON in `original`, the item's `confidence` and the page's width and height.
    Values that break a limit are kept with `error` set.
    """
    op, kind = data.get("op"), data.get("kind")
    if op not in OPS:
        raise CorrectionError("op", _("must be update, remove or add."))
    if kind not in KINDS:
        raise CorrectionError("kind", _("must be annotation, checkbox, segment or signature."))
    page_id = _id(data.get("page_id"), "page_id", "page")
    if op == "add":
        key = str(data.get("key") or "")
        if not (key.startswith("new/") and 5 <= len(key) <= 64 and key[4:].replace("-", "").isalnum()):
            raise CorrectionError("key", _("an added item needs a key of the form new/<letters and digits>."))
        item_id = ""
    else:
        item_id = _id(data.get("item_id"), "item_id", "item")
        key = key_of(page_id, kind, item_id)
    size = (_number(data.get("page_width"), "page_width"), _number(data.get("page_height"), "page_height"))
    original = _original(data.get("original"))
    values = {f: data[f] for f in FIELDS[kind] if f in data}
    change: dict[str, Any] = {"op": op, "page_id": page_id, "kind": kind, "item_id": item_id, "error": ""}
    confidence = data.get("confidence")
    change["confidence"] = _number(confidence, "confidence") if confidence not in (None, "") else None
    if op == "remove":
        change["original"] = original
        change["entity_id"] = original.get("entity_id", "")
        return key, change
    try:
        clean = clean_values(kind, values, size)
        if op == "add":
            missing = [f for f in REQUIRED_TO_ADD[kind] if f not in clean]
            if missing:
                raise CorrectionError(missing[0], NEEDED_TO_ADD[kind])
    except CorrectionError as e:
        clean = {f: v for f, v in values.items() if isinstance(v, str | bool | int | float | list | None)}
        change["error"] = str(e)
        change["error_field"] = e.field
    if op == "add":
        change["item"] = clean
        change["original"] = {}
        change["entity_id"] = clean.get("entity_id", "") if isinstance(clean.get("entity_id"), str) else ""
        return key, change
    fields = {f: v for f, v in clean.items() if original.get(f, _MISSING) != v}
    if not fields and not change["error"]:
        return key, None
    change["fields"] = fields if not change["error"] else clean
    change["original"] = {f: original.get(f) for f in change["fields"]}
    change["entity_id"] = clean.get("entity_id") or original.get("entity_id", "")
    return key, change


_MISSING = object()


def _id(value: Any, field: str, kind: str) -> str:
    try:
        return sendai.check_id(value, kind)
    except sendai.InvalidId:
        raise CorrectionError(
            field, _("not a valid page ID.") if kind == "page" else _("not a valid item ID.")
        ) from None


def _original(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        data = json.loads(value or "{}")
    except (TypeError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def save(user, ids: tuple[str, str, str], key: str, change: dict[str, Any] | None, seen: int | None) -> Saved:
    """Store (or, with None, drop) one change; last write wins, and a stale tab is told."""
    with transaction.atomic():
        draft, _ = Draft.objects.select_for_update().get_or_create(
            user=user, team_id=ids[0], project_id=ids[1], task_id=ids[2]
        )
        conflict = seen is not None and seen != draft.version
        if change is None:
            draft.changes.pop(key, None)
        else:
            draft.changes[key] = change
        draft.failures = [f for f in draft.failures if f.get("entity_id") != (change or {}).get("entity_id", "-")]
        draft.version += 1
        draft.updated_at = timezone.now()
        draft.save(update_fields=["changes", "failures", "version", "updated_at"])
    return Saved(draft, conflict, change)


def discard(user, ids: tuple[str, str, str]) -> int:
    """Throw the person's draft of this task away; how many changes it held."""
    draft = load(user, ids)
    if draft is None:
        return 0
    count = len(draft.changes)
    draft.delete()
    return count


def remember_failures(user, ids: tuple[str, str, str], failures: tuple[dict, ...]) -> None:
    """Keep what the upstream's validation said, so that the page marks it until the next try."""
    Draft.objects.update_or_create(
        user=user,
        team_id=ids[0],
        project_id=ids[1],
        task_id=ids[2],
        defaults={"failures": list(failures), "updated_at": timezone.now()},
    )


def mark_refused(draft: Draft, index: int | None, message: str) -> None:
    """Put the upstream's refusal of operation `index` on the change it came from."""
    keys = list(draft.changes)
    if index is None or not 0 <= index < len(keys):
        return
    draft.changes[keys[index]]["error"] = message
    draft.save(update_fields=["changes"])


def operations(draft: Draft | None) -> list[dict[str, Any]]:
    """The draft as the operations of API.md §5, in the order they were first made."""
    if draft is None or not draft.changes:
        return []
    broken = [c for c in draft.changes.values() if c.get("error")]
    if broken:
        count = len(broken)
        raise DraftError(
            ngettext(
                "%(count)s correction has a value that Send.ai would refuse (marked in the list); "
                "fix or undo it, then complete.",
                "%(count)s corrections have a value that Send.ai would refuse (marked in the list); "
                "fix or undo them, then complete.",
                count,
            )
            % {"count": count}
        )
    if len(draft.changes) > MAX_OPERATIONS:
        raise DraftError(
            _("A task takes at most %(limit)s corrections at once.")
            % {"limit": formats.number_format(MAX_OPERATIONS, force_grouping=True)}
        )
    out = []
    for change in draft.changes.values():
        op = {"op": change["op"], "page_id": change["page_id"], "kind": change["kind"]}
        if change["op"] != "add":
            op["item_id"] = change["item_id"]
        if change["op"] == "update":
            op["fields"] = change["fields"]
        elif change["op"] == "add":
            op["item"] = change["item"]
        out.append(op)
    return out


# After sending ----------------------------------------------------------------------------------


def describe(change: dict[str, Any]) -> str:
    """One line a person can read: "invoice_date: 12-1O-2026 → 12-10-2026"."""
    kind, op = change["kind"], change["op"]
    if kind == "annotation" and change.get("entity_id"):
        name = change["entity_id"]
    else:
        item = change.get("item_id") or _("(new)")  # outside the f-string, where xgettext finds it
        name = f"{KIND_NAMES[kind]} {item}"
    if op == "remove":
        return _("%(name)s: removed") % {"name": name}
    if op == "add":
        values = ", ".join(f"{f} {_shown(v)}" for f, v in change["item"].items())
        return _("%(name)s: added, %(values)s") % {"name": name, "values": values}
    original = change.get("original") or {}
    parts = [
        ("" if f == "content" else f"{f} ") + f"{_shown(original.get(f))} → {_shown(v)}"
        for f, v in change["fields"].items()
    ]
    return f"{name}: " + "; ".join(parts)


def _shown(value: Any) -> str:
    if value is None:
        return _("(none)")
    if value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("ticked") if value else _("not ticked")
    if isinstance(value, list):
        return ngettext("polygon of %(count)s point", "polygon of %(count)s points", len(value)) % {"count": len(value)}
    return str(value)


def report_issue_message(changes: list[dict[str, Any]], operations_: list[dict[str, Any]]) -> str:
    """The report that carries corrections where complete takes none: readable lines, then the data.

    In English whatever the reviewer's language: it goes to Send.ai, whose API speaks English.
    """
    with translation.override("en"):
        lines = [f"{len(changes)} correction(s) made in Reviewer:"]
        lines += [f"- {describe(c)}" for c in changes]
    lines += [
        "",
        "As data (the corrections body of complete):",
        json.dumps({"corrections": operations_}, ensure_ascii=False),
    ]
    return "\n".join(lines)


def record_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The action log's rows for the corrections sent (CorrectionRecord fields)."""
    rows = []
    for c in changes:
        after = c.get("fields") or c.get("item") or {}
        rows.append(
            {
                "op": c["op"],
                "kind": c["kind"],
                "page_id": c["page_id"],
                "item_id": c.get("item_id", ""),
                "entity_id": c.get("entity_id") or "",
                "before": c.get("original") or {} if c["op"] != "add" else {},
                "after": after if c["op"] != "remove" else {},
                "confidence": c.get("confidence") if c["op"] != "add" else None,
            }
        )
    return rows


def tallies(task: sendai.Task, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per entity on the task as the AI read it: values kept and changed, with their confidence sums.

    `task` is the task before the corrections were applied, or the answer to them: an item
    the person added does not count, one they removed counts as changed.
    """
    touched = {(c["page_id"], c["item_id"]) for c in changes if c["op"] in ("update", "remove")}
    added = {(c["page_id"], c["item_id"]) for c in changes if c["op"] == "add"}
    out: dict[str, dict[str, Any]] = {}

    def count(entity: str, confidence: float, changed: bool) -> None:
        empty = {"entity_id": entity, "items": 0, "changed": 0, "changed_confidence": 0.0, "unchanged_confidence": 0.0}
        row = out.setdefault(entity, empty)
        row["items"] += 1
        if changed:
            row["changed"] += 1
            row["changed_confidence"] += confidence
        else:
            row["unchanged_confidence"] += confidence

    seen = set()
    for page in task.pages:
        for a in page.annotations:
            if (page.id, a.id) in added or (a.corrected and (page.id, a.id) not in touched and a.confidence >= 1.0):
                continue  # a person's own field, not the AI's
            seen.add((page.id, a.id))
            count(a.entity_id, a.confidence, (page.id, a.id) in touched)
    for c in changes:  # removed items are gone from an answer that applied them
        if c["op"] == "remove" and c["kind"] == "annotation" and (c["page_id"], c["item_id"]) not in seen:
            count(c.get("entity_id") or "(unknown)", c.get("confidence") or 0.0, True)
    return sorted(out.values(), key=lambda r: r["entity_id"])
