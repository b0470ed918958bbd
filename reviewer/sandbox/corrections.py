"""Complete with corrections (API.md §5, docs/corrections.md): the body read and applied.

`parse()` checks the body's shape, with no task at hand: it runs before the task's status is
looked at. `apply()` checks the operations against the task (pages, items, the page's size) and
returns the corrected pages with a `Correction` row per operation, unsaved: the caller saves
them with the status change, after validation, in the transaction on the locked task row.
Both raise `Invalid` with a message that starts with the place, `corrections[3].fields.content:`.
"""

from __future__ import annotations

import copy
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from reviewer.sandbox.models import ID_RE, Correction, Task

MAX_OPERATIONS = 5000
MAX_BODY = 8 * 1024 * 1024
MAX_CONTENT = 2000
MAX_POINTS = 100

OPS = ("update", "remove", "add")
# kind: (the page's list, the prefix of the ids the API gives added items)
KINDS = {
    "annotation": ("annotations", "ann"),
    "checkbox": ("checkboxes", "cb"),
    "segment": ("segments", "seg"),
    "signature": ("signatures", "sig"),
}
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
KEYS = {
    "update": ("op", "page_id", "item_id", "kind", "fields"),
    "remove": ("op", "page_id", "item_id", "kind"),
    "add": ("op", "page_id", "kind", "item"),
}
ARTICLE = {"annotation": "an", "checkbox": "a", "segment": "a", "signature": "a", "update": "an", "remove": "a"}
ID_RULE = "must be an ID: 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or a digit."
# Item fields that are the API's own, not values a correction sets.
OWN_FIELDS = ("id", "confidence", "corrected", "original")


class Invalid(ValueError):
    """The body or one of its operations is refused; the message names the place."""


@dataclass(frozen=True)
class Operation:
    index: int
    op: str
    kind: str
    page_id: str
    item_id: str  # empty for an add
    values: dict[str, Any]  # update: the fields to set; add: the new item; remove: nothing


def parse(body: Any) -> list[Operation]:
    """The operations of a complete's body (None: no body); Invalid if its shape is wrong."""
    if body is None:
        return []
    if not isinstance(body, dict):
        raise Invalid('body: must be a JSON object, {"corrections": [operation, ...]}.')
    for key in body:
        if key != "corrections":
            raise Invalid(f"{_name(key)}: unknown field; the body of complete holds only corrections.")
    raw = body.get("corrections", [])
    if not isinstance(raw, list):
        raise Invalid("corrections: must be a list of operations.")
    if len(raw) > MAX_OPERATIONS:
        raise Invalid(f"corrections: at most {MAX_OPERATIONS} operations ({len(raw)} given).")
    seen: dict[tuple[str, str, str], int] = {}
    operations = []
    for index, entry in enumerate(raw):
        operation = _operation(index, entry)
        if operation.op != "add":
            key = (operation.page_id, operation.kind, operation.item_id)
            if key in seen:
                raise Invalid(
                    f"corrections[{index}].item_id: {operation.kind} {operation.item_id} on page {operation.page_id}"
                    f" already has an operation (corrections[{seen[key]}]); give each item at most one."
                )
            seen[key] = index
        operations.append(operation)
    return operations


def _name(key: str) -> str:
    """A field name for a message: as it is when it looks like one, quoted and cut otherwise."""
    if re.fullmatch(r"[A-Za-z0-9_]{1,40}", key):
        return key
    return json.dumps(key if len(key) <= 40 else key[:39] + "…")


def _operation(index: int, entry: Any) -> Operation:
    at = f"corrections[{index}]"
    if not isinstance(entry, dict):
        raise Invalid(f"{at}: must be an object with op, kind and page_id.")
    op, kind = entry.get("op"), entry.get("kind")
    if "op" not in entry:
        raise Invalid(f"{at}.op: required (update, remove or add).")
    if not isinstance(op, str) or op not in OPS:
        raise Invalid(f"{at}.op: must be update, remove or add.")
    if "kind" not in entry:
        raise Invalid(f"{at}.kind: required (annotation, checkbox, segment or signature).")
    if not isinstance(kind, str) or kind not in KINDS:
        raise Invalid(f"{at}.kind: must be annotation, checkbox, segment or signature.")
    for key in entry:
        if key in KEYS[op]:
            continue
        if key == "item_id":
            raise Invalid(f"{at}.item_id: an added item gets its id from the API; leave item_id out.")
        raise Invalid(f"{at}.{_name(key)}: not a field of {ARTICLE[op]} {op} operation ({', '.join(KEYS[op])}).")
    page_id = _id(entry, "page_id", at)
    item_id = _id(entry, "item_id", at) if op != "add" else ""
    if op == "update":
        values = _fields(entry, kind, f"{at}.fields")
    elif op == "add":
        values = _item(entry, kind, f"{at}.item")
    else:
        values = {}
    return Operation(index, op, kind, page_id, item_id, values)


def _id(entry: dict[str, Any], key: str, at: str) -> str:
    if key not in entry:
        raise Invalid(f"{at}.{key}: required.")
    value = entry[key]
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise Invalid(f"{at}.{key}: {ID_RULE}")
    return value


def _fields(entry: dict[str, Any], kind: str, at: str) -> dict[str, Any]:
    if "fields" not in entry:
        raise Invalid(f"{at}: required (an object of the fields to set).")
    fields = entry["fields"]
    if not isinstance(fields, dict) or not fields:
        raise Invalid(f"{at}: must be a non-empty object of the fields to set.")
    _known(fields, kind, at)
    return _values(fields, kind, at)


def _item(entry: dict[str, Any], kind: str, at: str) -> dict[str, Any]:
    if "item" not in entry:
        raise Invalid(f"{at}: required (the new {kind}, without id and confidence).")
    item = entry["item"]
    if not isinstance(item, dict):
        raise Invalid(f"{at}: must be an object: the new {kind}, without id and confidence.")
    for key in ("id", "confidence"):
        if key in item:
            raise Invalid(f"{at}.{key}: the API sets the {key} of an added item; leave it out.")
    _known(item, kind, at)
    for key in REQUIRED_TO_ADD[kind]:
        if key not in item:
            raise Invalid(f"{at}.{key}: required for an added {kind}.")
    return _values(item, kind, at)


def _known(values: dict[str, Any], kind: str, at: str) -> None:
    for key in values:
        if key not in FIELDS[kind]:
            raise Invalid(
                f"{at}.{_name(key)}: {ARTICLE[kind]} {kind} has no such field (only {', '.join(FIELDS[kind])})."
            )


def _values(values: dict[str, Any], kind: str, at: str) -> dict[str, Any]:
    """The values, checked in a fixed order; all but the page's bounds, which apply() checks."""
    out: dict[str, Any] = {}
    if "entity_id" in values:
        if not isinstance(values["entity_id"], str) or not ID_RE.fullmatch(values["entity_id"]):
            raise Invalid(f"{at}.entity_id: {ID_RULE}")
        out["entity_id"] = values["entity_id"]
    if "content" in values:
        out["content"] = _content(values["content"], f"{at}.content")
    if "top" in values or "left_of_line" in values:
        top, left = values.get("top"), values.get("left_of_line")
        for key, value in (("top", top), ("left_of_line", left)):
            if value is not None and not _is_number(value):
                raise Invalid(f"{at}.{key}: must be a number (page pixels), or null for no position.")
        if (top is None) != (left is None):
            missing = "left_of_line" if left is None else "top"
            raise Invalid(f"{at}.{missing}: give top and left_of_line together (both numbers, or both null).")
        out["top"], out["left_of_line"] = top, left
    if "checked" in values:
        if not isinstance(values["checked"], bool):
            raise Invalid(f"{at}.checked: must be true or false.")
        out["checked"] = values["checked"]
    if "coordinates" in values:
        out["coordinates"] = _polygon(values["coordinates"], f"{at}.coordinates")
    return out


def _content(value: Any, at: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{at}: must be a string.")
    if len(value) > MAX_CONTENT:
        raise Invalid(f"{at}: at most {MAX_CONTENT} characters ({len(value)} given).")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(f"{at}: contains characters that are not valid Unicode.") from None
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise Invalid(f"{at}: must be one line without control characters (no NUL, tab or line break).")
    return value


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _polygon(value: Any, at: str) -> list[list[int | float]]:
    if not isinstance(value, list) or not 3 <= len(value) <= MAX_POINTS:
        raise Invalid(f"{at}: must be a list of 3 to {MAX_POINTS} points [x, y].")
    for number, point in enumerate(value):
        if not (isinstance(point, list) and len(point) == 2 and all(_is_number(v) for v in point)):
            raise Invalid(f"{at}[{number}]: must be a point [x, y] of two numbers.")
    try:
        area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(value, value[1:] + value[:1], strict=True)) / 2
    except OverflowError:
        area = math.inf
    if not abs(area) >= 0.5:
        raise Invalid(f"{at}: the points lie on one line; a polygon needs an area.")
    return [list(point) for point in value]


# Applying --------------------------------------------------------------------------------------


def apply(task: Task, operations: list[Operation]) -> tuple[list[Any], list[Correction]]:
    """The task's pages with the operations applied, and a Correction row for each (unsaved)."""
    pages = copy.deepcopy(task.pages)
    by_id: dict[str, dict[str, Any]] = {}
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("id"), str):
            by_id.setdefault(page["id"], page)
    indexes: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    numbers = _next_numbers(pages)
    removed: dict[tuple[str, str], set[str]] = {}
    records = []

    def items(page: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
        key = (page["id"], kind)
        if key not in indexes:
            found = page.get(KINDS[kind][0])
            found = found if isinstance(found, list) else []
            indexes[key] = {i["id"]: i for i in found if isinstance(i, dict) and isinstance(i.get("id"), str)}
        return indexes[key]

    for operation in operations:
        at = f"corrections[{operation.index}]"
        page = by_id.get(operation.page_id)
        if page is None:
            raise Invalid(f"{at}.page_id: no page {operation.page_id} in this task.")
        where = f"{at}.{'item' if operation.op == 'add' else 'fields'}"
        _check_bounds(operation.values, page, where)
        kind, values = operation.kind, operation.values
        if operation.op == "add":
            list_name, prefix = KINDS[kind]
            numbers[prefix] += 1
            item = _new_item(kind, f"{prefix}_c{numbers[prefix]}", values)
            if not isinstance(page.get(list_name), list):
                page[list_name] = []
            page[list_name].append(item)
            items(page, kind)[item["id"]] = item
            before, after = {}, {k: v for k, v in item.items() if k != "corrected"}
        else:
            item = items(page, kind).get(operation.item_id)
            if item is None:
                raise Invalid(f"{at}.item_id: {_no_item(page, operation, items)}")
            if operation.op == "update":
                before, after = _update(item, values), values
            else:
                del items(page, kind)[operation.item_id]
                removed.setdefault((page["id"], kind), set()).add(operation.item_id)
                before, after = _values_of(item), {}
                original = {**before, **(item.get("original") if isinstance(item.get("original"), dict) else {})}
                if not isinstance(page.get("removed"), list):
                    page["removed"] = []
                page["removed"].append({"id": operation.item_id, "kind": kind, "original": original})
        records.append(
            Correction(
                index=operation.index,
                op=operation.op,
                kind=kind,
                page_id=operation.page_id,
                item_id=item["id"],
                before=before,
                after=after,
            )
        )
    for (page_id, kind), ids in removed.items():
        page, list_name = by_id[page_id], KINDS[kind][0]
        page[list_name] = [i for i in page[list_name] if not (isinstance(i, dict) and i.get("id") in ids)]
    return pages, records


def _next_numbers(pages: list[Any]) -> dict[str, int]:
    """For each prefix, the highest n of the task's `<prefix>_c<n>` ids (removed ones too)."""
    numbers = {prefix: 0 for _, prefix in KINDS.values()}
    pattern = re.compile(r"(ann|cb|seg|sig)_c(\d{1,9})")
    for page in pages:
        if not isinstance(page, dict):
            continue
        for list_name in (*(name for name, _ in KINDS.values()), "removed"):
            found = page.get(list_name)
            for item in found if isinstance(found, list) else []:
                match = (
                    pattern.fullmatch(item["id"])
                    if isinstance(item, dict) and isinstance(item.get("id"), str)
                    else None
                )
                if match:
                    numbers[match[1]] = max(numbers[match[1]], int(match[2]))
    return numbers


def _no_item(page: dict[str, Any], operation: Operation, items) -> str:
    text = f"no {operation.kind} {operation.item_id} on page {page['id']}"
    other = next((k for k in KINDS if k != operation.kind and operation.item_id in items(page, k)), None)
    if other:
        return f"{text} ({operation.item_id} is {ARTICLE[other]} {other})."
    removed = page.get("removed")
    if isinstance(removed, list) and any(isinstance(r, dict) and r.get("id") == operation.item_id for r in removed):
        return f"{text} (it was removed)."
    return text + "."


def _check_bounds(values: dict[str, Any], page: dict[str, Any], at: str) -> None:
    width, height = page.get("width"), page.get("height")
    if not (_is_number(width) and _is_number(height)):
        return  # a page of no known size: nothing to measure against
    size = f"({width:g} × {height:g})"
    top, left = values.get("top"), values.get("left_of_line")
    if top is not None and left is not None and not (0 <= left <= width and 0 <= top <= height):
        field = "left_of_line" if not 0 <= left <= width else "top"
        raise Invalid(f"{at}.{field}: the line's start (left {left:g}, top {top:g}) is outside the page {size}.")
    for number, (x, y) in enumerate(values.get("coordinates") or []):
        if not (0 <= x <= width and 0 <= y <= height):
            raise Invalid(f"{at}.coordinates[{number}]: the point ({x:g}, {y:g}) is outside the page {size}.")


def _new_item(kind: str, item_id: str, values: dict[str, Any]) -> dict[str, Any]:
    if kind == "annotation":
        return {
            "id": item_id,
            "entity_id": values["entity_id"],
            "confidence": 1.0,
            "content": values["content"],
            "top": values.get("top"),
            "left_of_line": values.get("left_of_line"),
            "corrected": True,
        }
    item: dict[str, Any] = {"id": item_id, "confidence": 1.0}
    if kind == "checkbox":
        item["checked"] = values["checked"]
    item["coordinates"] = values["coordinates"]
    item["corrected"] = True
    return item


def _values_of(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in OWN_FIELDS}


def _update(item: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Set the values on the item, keeping the AI's in `original`; return the values replaced."""
    original = item.get("original") if isinstance(item.get("original"), dict) else {}
    before = {}
    for key, value in values.items():
        old = item.get(key)
        before[key] = old
        if key not in item or old != value:
            original.setdefault(key, old)
            item[key] = value
    item["corrected"] = True
    if original:
        item["original"] = original
    return before
