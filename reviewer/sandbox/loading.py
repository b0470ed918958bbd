"""Task JSON into sandbox rows, for `manage.py sandbox_load`.

A file holds a task object (the contract's §2), a `{"payload": task}` envelope as
the API answers, a list of either, or an object `{"tasks": [...], "validation_rules": [...]}`
(either key may be left out) whose rules, `{"rule", "entity_id", "category"?}` as
`ValidationRule` has them, are added to the project where missing (existing rules are kept).
Tasks are taken as given: status, approval, export times and pages included. Geometry is not
checked (malformed geometry is
what some test data is for), but the shape the sandbox relies on is: IDs, status,
numbers for page sizes, lists where lists belong, ISO 8601 times. The file's
project_id is ignored (the command's --project decides), and a PROCESSING task
stays PROCESSING (it is given no processing deadline).

Everything is validated before anything is written; `parse_file` raises
`LoadError` naming every problem and its place, and `write_tasks` writes all the
tasks in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from reviewer.sandbox.models import ID_PATTERN as ID_RULE
from reviewer.sandbox.models import Project, Status, Task, Team, TrainingExample, Upload, ValidationRule

ID_PATTERN = re.compile(f"^{ID_RULE}$")  # anchored, so that error messages show the whole rule
ITEM_KINDS = ("annotations", "checkboxes", "segments", "signatures")
TIME_FIELDS = ("exported_at", "export_failed_at", "last_opened_at", "approved_at")
MAX_PROBLEMS = 20  # listed in one error message


class LoadError(Exception):
    """A file that cannot be loaded; the message names the problems and where they are."""


@dataclass(frozen=True)
class TaskData:
    """A validated task, ready to be written."""

    task_id: str
    name: str
    status: str
    upload_id: str
    created_at: dt.datetime | None
    meta: list[dict[str, str]]
    step_type: str
    approved: bool
    approved_at: dt.datetime | None
    exported_at: dt.datetime | None
    export_failed_at: dt.datetime | None
    last_opened_at: dt.datetime | None
    pages: list[dict[str, Any]]


@dataclass(frozen=True)
class RuleData:
    rule: str
    entity_id: str
    category: str


@dataclass(frozen=True)
class Contents:
    """What a file holds, validated."""

    tasks: list[TaskData]
    rules: list[RuleData]


@dataclass(frozen=True)
class LoadResult:
    team_created: bool
    project_created: bool
    created: list[str]
    replaced: list[str]
    rules_created: int = 0


def parse_file(path: str | Path) -> Contents:
    """Read and validate a file of tasks; raise LoadError if anything in it is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except UnicodeDecodeError as e:
        raise LoadError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise LoadError(f"{path}: cannot be read: {e.strerror}") from None
    return parse_text(text, path.name)


def parse_text(text: str, source: str) -> Contents:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise LoadError(f"{source}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise LoadError(f"{source}: invalid JSON: nested too deeply") from None
    return parse_data(data, source)


def parse_data(data: Any, source: str) -> Contents:
    """Validate decoded JSON: a task, an envelope, a list of either, or {"tasks", "validation_rules"}."""
    problems: list[str] = []
    rules: list[RuleData] = []
    if isinstance(data, dict) and "id" not in data and "payload" not in data and _BUNDLE_KEYS & set(data):
        tasks_data, rules_data = data.get("tasks", []), data.get("validation_rules", [])
        for key, value in (("tasks", tasks_data), ("validation_rules", rules_data)):
            if not isinstance(value, list):
                raise LoadError(f"{source}: {key}: expected a list, got {_kind(value)}")
        if not tasks_data and not rules_data:
            raise LoadError(f"{source}: the file holds no tasks and no validation rules")
        entries = [(f"tasks[{index}]", item) for index, item in enumerate(tasks_data)]
        rules = _rules(rules_data, source, problems)
    elif isinstance(data, list):
        if not data:
            raise LoadError(f"{source}: the list holds no tasks")
        entries = [(f"item {number}", item) for number, item in enumerate(data, 1)]
    elif isinstance(data, dict):
        entries = [("", data)]
    else:
        raise LoadError(
            f'{source}: expected a task object, a {{"payload": task}} envelope, a list of them, or'
            f' {{"tasks": [...], "validation_rules": [...]}}, got {_kind(data)}'
        )
    tasks: list[TaskData] = []
    first_place: dict[str, str] = {}
    for label, entry in entries:
        checker = _TaskChecker(entry)
        if label:
            place = f"{label} ({checker.task_id})" if checker.task_id else label
        else:
            place = f"task {checker.task_id}" if checker.task_id else ""
        prefix = f"{source}: {place}: " if place else f"{source}: "
        task = checker.check()
        problems += [prefix + problem for problem in checker.problems]
        if task is None:
            continue
        if task.task_id in first_place:
            problems.append(
                f"{prefix}id: {task.task_id} appears twice in the file (first as {first_place[task.task_id]})"
            )
            continue
        first_place[task.task_id] = label or "the task"
        tasks.append(task)
    if problems:
        raise LoadError(_problems_message(source, problems))
    return Contents(tasks, rules)


_BUNDLE_KEYS = {"tasks", "validation_rules"}


def _rules(entries: list[Any], source: str, problems: list[str]) -> list[RuleData]:
    """The validation rules of a file, each problem named by its place."""
    rules, first_place = [], {}
    kinds = ValidationRule.Rule.values
    for index, entry in enumerate(entries):
        place = f"{source}: validation_rules[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{place}: expected a {{rule, entity_id, category}} object, got {_kind(entry)}")
            continue
        found = len(problems)
        rule, entity_id, category = entry.get("rule"), entry.get("entity_id"), entry.get("category")
        if "rule" not in entry:
            problems.append(f"{place}.rule: required")
        elif rule not in kinds:
            problems.append(f"{place}.rule: expected one of {', '.join(kinds)}, got {_shown(rule)}")
        if "entity_id" not in entry:
            problems.append(f"{place}.entity_id: required")
        elif not isinstance(entity_id, str) or not ID_PATTERN.fullmatch(entity_id):
            problems.append(f"{place}.entity_id: expected an ID matching {ID_PATTERN.pattern}, got {_shown(entity_id)}")
        if category is not None and not (isinstance(category, str) and len(category) <= 128):
            problems.append(
                f"{place}.category: expected a string of at most 128 characters, or null, got {_shown(category)}"
            )
        if len(problems) > found:
            continue
        data = RuleData(rule, entity_id, category or "")
        if data in first_place:
            problems.append(
                f"{place}: the same rule appears twice in the file (first as validation_rules[{first_place[data]}])"
            )
            continue
        first_place[data] = index
        rules.append(data)
    return rules


def _problems_message(source: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    lines = [f"{source}: {len(problems)} problems, nothing was loaded:"]
    lines += [f"  {problem}" for problem in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        lines.append(f"  … and {len(problems) - MAX_PROBLEMS} more")
    return "\n".join(lines)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _positive_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return value > 0  # an int may be too large for a float
    return math.isfinite(value) and value > 0


def _shown(value: Any) -> str:
    """A value for a message: strings quoted, long ones cut, containers named."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, dict | list):
        return _kind(value)
    shown = json.dumps(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


class _TaskChecker:
    """Checks one entry of the file, collecting every problem with its path."""

    def __init__(self, entry: Any) -> None:
        self.problems: list[str] = []
        self.root = ""
        if isinstance(entry, dict) and "payload" in entry and "id" not in entry:
            self.root = "payload"
            entry = entry["payload"]
        self.task = entry
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        self.task_id = raw_id if isinstance(raw_id, str) and ID_PATTERN.fullmatch(raw_id) else ""

    def fail(self, path: str, message: str) -> None:
        full = ".".join(part for part in (self.root, path) if part)
        self.problems.append(f"{full}: {message}" if full else message)

    def check(self) -> TaskData | None:
        task = self.task
        if not isinstance(task, dict):
            self.fail("", f"expected a task object, got {_kind(task)}")
            return None
        task_id = self.identifier(task, "id")
        name = self.text(task, "name", required=True, max_length=500)
        status = task.get("status")
        if "status" not in task:
            self.fail("status", "required")
        elif status not in Status.values:
            self.fail("status", f"expected one of {', '.join(Status.values)}, got {_shown(status)}")
        upload_id = self.identifier(task, "upload_id")
        step_type = self.text(task, "step_type", required=False, max_length=64) or "EXTRACT"
        approved = task.get("approved", False)
        if not isinstance(approved, bool):
            self.fail("approved", f"expected true or false, got {_shown(approved)}")
        created_at = self.time(task, "created_at")
        times = {name: self.time(task, name) for name in TIME_FIELDS}
        meta = self.meta(task.get("meta", []))
        pages = self.pages(task)
        if self.problems:
            return None
        return TaskData(
            task_id=task_id,
            name=name,
            status=status,
            upload_id=upload_id,
            created_at=created_at,
            meta=meta,
            step_type=step_type,
            approved=approved,
            pages=pages,
            **times,
        )

    def identifier(self, task: dict, key: str) -> str:
        value = task.get(key)
        if key not in task or value is None:
            self.fail(key, "required")
        elif not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.fail(key, f"expected an ID matching {ID_PATTERN.pattern}, got {_shown(value)}")
        else:
            return value
        return ""

    def text(self, task: dict, key: str, *, required: bool, max_length: int) -> str:
        value = task.get(key)
        if value is None:
            if required:
                self.fail(key, "required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty string, got {_shown(value)}")
        elif len(value) > max_length:
            self.fail(key, f"expected at most {max_length} characters, got {len(value)}")
        else:
            return value
        return ""

    def time(self, task: dict, key: str) -> dt.datetime | None:
        value = task.get(key)
        if value is None:
            return None
        parsed = None
        if isinstance(value, str) and "T" in value.upper():
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(key, f"expected an ISO 8601 time like 2024-01-15T10:30:00Z, or null, got {_shown(value)}")
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def meta(self, meta: Any) -> list[dict[str, str]]:
        if meta is None:
            return []
        if not isinstance(meta, list):
            self.fail("meta", f"expected a list of {{name, value}} objects, got {_kind(meta)}")
            return []
        result = []
        for index, entry in enumerate(meta):
            if not isinstance(entry, dict):
                self.fail(f"meta[{index}]", f"expected a {{name, value}} object, got {_kind(entry)}")
                continue
            for key in ("name", "value"):
                if not isinstance(entry.get(key), str):
                    self.fail(f"meta[{index}].{key}", f"expected a string, got {_shown(entry.get(key))}")
            result.append({"name": entry.get("name"), "value": entry.get("value")})
        return result

    def pages(self, task: dict) -> list[dict[str, Any]]:
        pages = task.get("pages")
        if "pages" not in task:
            self.fail("pages", "required")
            return []
        if not isinstance(pages, list):
            self.fail("pages", f"expected a list of pages, got {_kind(pages)}")
            return []
        page_ids: set[str] = set()
        for index, page in enumerate(pages):
            path = f"pages[{index}]"
            if not isinstance(page, dict):
                self.fail(path, f"expected a page object, got {_kind(page)}")
                continue
            page_id = page.get("id")
            if not isinstance(page_id, str) or not ID_PATTERN.fullmatch(page_id):
                self.fail(f"{path}.id", f"expected an ID matching {ID_PATTERN.pattern}, got {_shown(page_id)}")
            elif page_id in page_ids:
                self.fail(f"{path}.id", f"{page_id} appears twice in the task")
            else:
                page_ids.add(page_id)
            for key in ("width", "height"):
                value = page.get(key)
                if not _positive_number(value):
                    self.fail(f"{path}.{key}", f"expected a positive number, got {_shown(value)}")
            for kind in ITEM_KINDS:
                self.items(page, kind, f"{path}.{kind}")
        return pages

    def items(self, page: dict, kind: str, path: str) -> None:
        items = page.get(kind)
        if not isinstance(items, list):
            self.fail(
                path, f"expected a list, got {_kind(items)}" if kind in page else "required (a list, maybe empty)"
            )
            return
        seen: set[str] = set()
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            if not isinstance(item, dict):
                self.fail(where, f"expected an object, got {_kind(item)}")
                continue
            item_id = item.get("id")
            if not isinstance(item_id, str) or not item_id:
                self.fail(f"{where}.id", f"expected a non-empty string, got {_shown(item_id)}")
            elif item_id in seen:
                self.fail(f"{where}.id", f"{item_id} appears twice in the page's {kind}")
            else:
                seen.add(item_id)
            if kind != "annotations" and not isinstance(item.get("coordinates"), list):
                self.fail(f"{where}.coordinates", f"expected a list of points, got {_shown(item.get('coordinates'))}")


def write_tasks(
    team_id: str,
    project_id: str,
    tasks: list[TaskData],
    *,
    rules: list[RuleData] = (),
    replace: bool = False,
) -> LoadResult:
    """Write validated tasks and rules into team/project, creating both if missing, all or nothing.

    A task whose ID exists in the project is an error, unless `replace`: then the
    existing task is overwritten in place (its reports are kept). A rule that exists is kept.
    """
    now = timezone.now()
    with transaction.atomic():
        team, team_created = Team.objects.get_or_create(team_id=team_id)
        project, project_created = Project.objects.get_or_create(team=team, project_id=project_id)
        existing = {t.task_id: t for t in project.tasks.filter(task_id__in=[t.task_id for t in tasks])}
        if existing and not replace:
            names = ", ".join(sorted(existing))
            verb = "exists" if len(existing) == 1 else "exist"
            raise LoadError(
                f"{team_id}/{project_id}: {names} already {verb}; nothing was loaded"
                " (--replace overwrites existing tasks)"
            )
        uploads = _uploads(project, tasks, now)
        created, replaced = [], []
        for data in tasks:
            task = existing.get(data.task_id) or Task(project=project, task_id=data.task_id)
            task.upload = uploads[data.upload_id]
            task.name = data.name
            task.created_at = data.created_at or now
            task.meta = data.meta
            task.status = data.status
            task.step_type = data.step_type
            task.approved = data.approved
            task.approved_at = (data.approved_at or now) if data.approved else None
            task.approved_by = None
            task.exported_at = data.exported_at
            task.export_failed_at = data.export_failed_at
            task.last_opened_at = data.last_opened_at
            task.pages = data.pages
            task.processing_until = None
            task.has_images = True
            (replaced if task.pk else created).append(data.task_id)
            task.save()
            TrainingExample.objects.filter(task=task).delete()
            if task.approved:
                TrainingExample.objects.create(task=task, added_at=task.approved_at, pages=task.pages)
        rules_created = 0
        for rule in rules:
            _, made = ValidationRule.objects.get_or_create(
                project=project, rule=rule.rule, entity_id=rule.entity_id, category=rule.category
            )
            rules_created += made
    return LoadResult(team_created, project_created, created, replaced, rules_created)


def _uploads(project: Project, tasks: list[TaskData], now: dt.datetime) -> dict[str, Upload]:
    """The uploads of `tasks`, created where missing, dated by their earliest task."""
    uploads = {}
    for upload_id in dict.fromkeys(t.upload_id for t in tasks):
        first = min((t.created_at or now for t in tasks if t.upload_id == upload_id), default=now)
        uploads[upload_id], _ = Upload.objects.get_or_create(
            project=project, upload_id=upload_id, defaults={"created_at": first}
        )
    return uploads
