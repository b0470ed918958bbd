"""The Send.ai task object and the client's results, as typed immutable values.

`parse_task` reads the JSON at the boundary. Unknown fields are ignored. A wrong type or
a missing required field raises ProtocolError naming the field, for example
"payload.pages[0].checkboxes[2].confidence". Geometry is tolerant: an item that cannot be
placed on its page keeps its data, has no coordinates (or no top/left_of_line), and says
why in `geometry_problem`, so that the review screen can show it flagged. So are values:
an item whose confidence, checked or text is of the wrong type keeps its place with a safe
stand-in (confidence 0, not checked, no text) and says why in `value_problem`; one bad item
never makes the whole task unreadable. A number too large for a float counts as no number.
IDs are checked where they enter: a task, project, upload or page ID outside the contract's
pattern makes the answer unreadable (ProtocolError), so that no such ID reaches a URL later.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reviewer.sendai.errors import ProtocolError

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")  # API.md §1

Point = tuple[float, float]
R = TypeVar("R", "Segment", "Signature")


class Status(StrEnum):
    """The documented task statuses. `Task.status` is plain text: unknown values are kept."""

    PROCESSING = "PROCESSING"
    REVIEWING = "REVIEWING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    DISCARDED = "DISCARDED"
    FILTERED = "FILTERED"


@dataclass(frozen=True, slots=True)
class Meta:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Annotation:
    """Extracted text; `top` and `left_of_line` place the start of its line (None when unusable)."""

    id: str
    entity_id: str
    confidence: float
    content: str
    top: float | None
    left_of_line: float | None
    geometry_problem: str | None = None
    corrected: bool = False  # changed or added by a person (API.md §5)
    value_problem: str | None = None  # a value of the wrong type, replaced by a stand-in


@dataclass(frozen=True, slots=True)
class Checkbox:
    """`coordinates` is a polygon of 3+ points on the page, or empty with `geometry_problem` set."""

    id: str
    confidence: float
    checked: bool
    coordinates: tuple[Point, ...]
    geometry_problem: str | None = None
    corrected: bool = False
    value_problem: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    id: str
    confidence: float
    coordinates: tuple[Point, ...]
    geometry_problem: str | None = None
    corrected: bool = False
    value_problem: str | None = None


@dataclass(frozen=True, slots=True)
class Signature:
    id: str
    confidence: float
    coordinates: tuple[Point, ...]
    geometry_problem: str | None = None
    corrected: bool = False
    value_problem: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    width: float
    height: float
    annotations: tuple[Annotation, ...] = ()
    checkboxes: tuple[Checkbox, ...] = ()
    segments: tuple[Segment, ...] = ()
    signatures: tuple[Signature, ...] = ()
    removed: tuple[str, ...] = ()  # ids of items a person removed (API.md §5)


@dataclass(frozen=True, slots=True)
class Task:
    """A task; `status` and `step_type` are kept as text. `pages` is empty in a task list."""

    id: str
    name: str
    created_at: datetime
    status: str
    step_type: str
    upload_id: str
    project_id: str
    approved: bool
    meta: tuple[Meta, ...] = ()
    exported_at: datetime | None = None
    export_failed_at: datetime | None = None
    last_opened_at: datetime | None = None
    pages: tuple[Page, ...] = ()


@dataclass(frozen=True, slots=True)
class Issue:
    """One issue of a report: a human-readable label and a machine-readable value."""

    label: str
    value: str


# The contract's common issue types, for a report picklist; teams add their own.
COMMON_ISSUES = (
    # The labels go to Send.ai in English; the report form shows them translated.
    Issue(gettext_noop("Poor Document Quality"), "poor_quality"),
    Issue(gettext_noop("Wrong Document Type"), "wrong_type"),
    Issue(gettext_noop("Missing Information"), "missing_info"),
    Issue(gettext_noop("Processing Error"), "processing_error"),
    Issue(gettext_noop("Data Validation Failed"), "validation_failed"),
)


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a task endpoint answered: the task, complete's `message`, report's 207 `warning`."""

    task: Task
    request_id: str
    message: str | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class TaskList:
    """One page of the task list; pass `next_cursor` back to get the next (None: no more)."""

    tasks: tuple[Task, ...]
    next_cursor: str | None
    request_id: str
    skipped: tuple[str, ...] = ()  # why each task of the page that could not be read was left out


@dataclass(frozen=True, slots=True)
class PageImage:
    content: bytes
    content_type: str
    request_id: str


# Parsing


def malformed(field: str, problem: str) -> ProtocolError:
    # `problem` is one of PROBLEMS, translated here.
    return ProtocolError(
        _("Send.ai sent an answer the console cannot read: %(field)s %(problem)s.")
        % {"field": field, "problem": _(problem)},
        field=field,
    )


# What malformed() says of a field, marked for the catalogue (callers pass the English).
PROBLEMS = (
    gettext_noop("is not an object"),
    gettext_noop("is missing"),
    gettext_noop("is not a string"),
    gettext_noop("is not a number"),
    gettext_noop("is not true or false"),
    gettext_noop("is not an ISO 8601 time"),
    gettext_noop("is not a list"),
    gettext_noop("is not positive"),
    gettext_noop("is not an ID of the contract's form"),
)


def is_number(value: Any) -> bool:
    """A finite int or float that a float can hold (JSON's 400-digit integers cannot)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def as_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise malformed(path, "is not an object")
    return value


def _required(data: dict[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise malformed(f"{path}.{key}", "is missing")
    return data[key]


def _text(data: dict[str, Any], key: str, path: str) -> str:
    value = _required(data, key, path)
    if not isinstance(value, str):
        raise malformed(f"{path}.{key}", "is not a string")
    return value


def _number(data: dict[str, Any], key: str, path: str) -> float:
    value = _required(data, key, path)
    if not is_number(value):
        raise malformed(f"{path}.{key}", "is not a number")
    return float(value)


def _id(data: dict[str, Any], key: str, path: str) -> str:
    """An ID that goes into the console's URLs and the upstream's paths: the contract's pattern."""
    value = _text(data, key, path)
    if not ID_PATTERN.fullmatch(value):
        raise malformed(f"{path}.{key}", "is not an ID of the contract's form")
    return value


class _Values:
    """An item's values read leniently: a value of the wrong type gets a stand-in and a note."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def confidence(self) -> float:
        value = self.data.get("confidence")
        if is_number(value):
            return float(value)
        self.problems.append(
            _("its confidence (%(value)s) is not a number, so it counts as 0") % {"value": _shown(value)}
        )
        return 0.0

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if isinstance(value, bool):
            return value
        self.problems.append(
            _("its %(field)s value (%(value)s) is not true or false, so it counts as false")
            % {"field": key, "value": _shown(value)}
        )
        return False

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if isinstance(value, str):
            return value
        self.problems.append(
            _("its %(field)s (%(value)s) is not text, so it is shown empty") % {"field": key, "value": _shown(value)}
        )
        return ""

    @property
    def problem(self) -> str | None:
        if not self.problems:
            return None
        return _("Send.ai sent a bad value: %(problems)s.") % {"problems": "; ".join(self.problems)}


def _shown(value: Any) -> str:
    """A short rendering of an unreadable value for a reviewer (never a 400-digit number)."""
    if value is None:
        return _("null or missing")
    if isinstance(value, int) and not isinstance(value, bool) and not is_number(value):
        return _("a number a float cannot hold")
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _flag(data: dict[str, Any], key: str, path: str) -> bool:
    value = _required(data, key, path)
    if not isinstance(value, bool):
        raise malformed(f"{path}.{key}", "is not true or false")
    return value


def _time(data: dict[str, Any], key: str, path: str, *, required: bool = True) -> datetime | None:
    value = _required(data, key, path) if required else data.get(key)
    if value is None and not required:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise malformed(f"{path}.{key}", "is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _list(data: dict[str, Any], key: str, path: str, *, required: bool = False) -> list[Any]:
    """A list field; when not required, a missing or null one is empty."""
    value = _required(data, key, path) if required else data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise malformed(f"{path}.{key}", "is not a list")
    return value


def _positive(data: dict[str, Any], key: str, path: str) -> float:
    value = _number(data, key, path)
    if value <= 0:
        raise malformed(f"{path}.{key}", "is not positive")
    return value


def _each(data: dict[str, Any], key: str, path: str, *, required: bool = False) -> list[tuple[Any, str]]:
    """The items of a list field, each with its path."""
    return [(item, f"{path}.{key}[{i}]") for i, item in enumerate(_list(data, key, path, required=required))]


def _polygon(value: Any, width: float, height: float) -> tuple[tuple[Point, ...], str | None]:
    """The polygon's points, or no points and the reason it cannot be drawn on the page."""
    if not isinstance(value, list):
        return (), _("has no list of coordinates")
    if len(value) < 3:
        return (), _("has %(count)s point(s); a polygon needs at least 3") % {"count": len(value)}
    points = []
    for point in value:
        if not (isinstance(point, list) and len(point) == 2 and is_number(point[0]) and is_number(point[1])):
            return (), _("has a point that is not a pair of numbers")
        x, y = float(point[0]), float(point[1])
        if not (0 <= x <= width and 0 <= y <= height):
            return (), _("has the point (%(x)s, %(y)s) outside the page") % {"x": f"{x:g}", "y": f"{y:g}"}
        points.append((x, y))
    return tuple(points), None


def _annotation(data: Any, path: str, width: float, height: float) -> Annotation:
    data = as_object(data, path)
    values = _Values(data)
    top, left, problem = data.get("top"), data.get("left_of_line"), None
    if top is None and left is None:
        pass  # placed nowhere on the page: a field a person added without a position
    elif not (is_number(top) and is_number(left)):
        top, left, problem = None, None, _("has a top or left_of_line that is not a number")
    elif not (0 <= left <= width and 0 <= top <= height):
        top, left, problem = (
            None,
            None,
            _("starts at (%(left)s, %(top)s), outside the page")
            % {
                "left": f"{left:g}",
                "top": f"{top:g}",
            },
        )
    return Annotation(
        id=_text(data, "id", path),
        entity_id=values.text("entity_id"),
        confidence=values.confidence(),
        content=values.text("content"),
        top=None if top is None else float(top),
        left_of_line=None if left is None else float(left),
        geometry_problem=problem,
        corrected=data.get("corrected") is True,
        value_problem=values.problem,
    )


def _checkbox(data: Any, path: str, width: float, height: float) -> Checkbox:
    data = as_object(data, path)
    values = _Values(data)
    coordinates, problem = _polygon(data.get("coordinates"), width, height)
    return Checkbox(
        id=_text(data, "id", path),
        confidence=values.confidence(),
        checked=values.flag("checked"),
        coordinates=coordinates,
        geometry_problem=problem,
        corrected=data.get("corrected") is True,
        value_problem=values.problem,
    )


def _region(cls: type[R], data: Any, path: str, width: float, height: float) -> R:
    """A segment or a signature: the same fields."""
    data = as_object(data, path)
    values = _Values(data)
    coordinates, problem = _polygon(data.get("coordinates"), width, height)
    return cls(
        id=_text(data, "id", path),
        confidence=values.confidence(),
        coordinates=coordinates,
        geometry_problem=problem,
        corrected=data.get("corrected") is True,
        value_problem=values.problem,
    )


def _page(data: Any, path: str) -> Page:
    data = as_object(data, path)
    width, height = _positive(data, "width", path), _positive(data, "height", path)
    return Page(
        id=_id(data, "id", path),
        width=width,
        height=height,
        annotations=tuple(_annotation(item, at, width, height) for item, at in _each(data, "annotations", path)),
        checkboxes=tuple(_checkbox(item, at, width, height) for item, at in _each(data, "checkboxes", path)),
        segments=tuple(_region(Segment, item, at, width, height) for item, at in _each(data, "segments", path)),
        signatures=tuple(_region(Signature, item, at, width, height) for item, at in _each(data, "signatures", path)),
        removed=_removed(data.get("removed")),
    )


def _removed(value: Any) -> tuple[str, ...]:
    """The ids of a page's removed items (§5); anything unreadable there is ignored."""
    if not isinstance(value, list):
        return ()
    return tuple(r["id"] for r in value if isinstance(r, dict) and isinstance(r.get("id"), str))


def _meta(data: Any, path: str) -> Meta:
    data = as_object(data, path)
    return Meta(name=_text(data, "name", path), value=_text(data, "value", path))


def parse_task(data: Any, path: str = "payload", *, with_pages: bool = True) -> Task:
    """Read a task object; `with_pages=False` for list items, which carry no pages."""
    data = as_object(data, path)
    return Task(
        id=_id(data, "id", path),
        name=_text(data, "name", path),
        created_at=_time(data, "created_at", path),
        status=_text(data, "status", path),
        step_type=_text(data, "step_type", path),
        upload_id=_id(data, "upload_id", path),
        project_id=_id(data, "project_id", path),
        approved=_flag(data, "approved", path),
        meta=tuple(_meta(item, at) for item, at in _each(data, "meta", path)),
        exported_at=_time(data, "exported_at", path, required=False),
        export_failed_at=_time(data, "export_failed_at", path, required=False),
        last_opened_at=_time(data, "last_opened_at", path, required=False),
        pages=tuple(_page(item, at) for item, at in _each(data, "pages", path, required=True)) if with_pages else (),
    )
