"""The sandbox's rules: the task object, the actions of the contract, and their side effects.

Views call these inside a transaction on a locked task row; every refusal is an
`ApiError` that the view turns into the contract's error envelope.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reviewer.sandbox import corrections, events, validation
from reviewer.sandbox.models import FINAL_STATUSES, ApiKey, Correction, Report, Status, Task, TrainingExample

logger = logging.getLogger(__name__)

# White space as JSON Schema's (ECMAScript's) \s knows it, so that the OpenAPI description's
# pattern "\S" and these checks agree on what a blank string is.
BLANK = (
    " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
MAX_ISSUES = 50
MAX_TEXT = 500
MAX_MESSAGE = 10_000


class ApiError(Exception):
    """A refusal, rendered as `{"payload": null, "error": {"code", "message"}}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}  # more members of the error object, e.g. validation's failures


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_json(task: Task, *, with_pages: bool = True) -> dict[str, Any]:
    """The public task object of the contract's §2."""
    data: dict[str, Any] = {
        "id": task.task_id,
        "name": task.name,
        "created_at": iso(task.created_at),
        "meta": task.meta,
        "status": task.status,
        "step_type": task.step_type,
        "upload_id": task.upload.upload_id,
        "project_id": task.project.project_id,
        "approved": task.approved,
        "exported_at": iso(task.exported_at),
        "export_failed_at": iso(task.export_failed_at),
        "last_opened_at": iso(task.last_opened_at),
    }
    if with_pages:
        data["pages"] = task.pages
    return data


def settle(task: Task) -> None:
    """Move a PROCESSING task whose processing time is over on to COMPLETED.

    Processing is resolved when the task is next read, not by a background
    thread, so the outcome depends only on the clock and the stored deadline.
    The update is conditional, so two concurrent readers settle it once.
    """
    if task.status != Status.PROCESSING or task.processing_until is None:
        return
    if task.processing_until > timezone.now():
        return
    with transaction.atomic():
        done = Task.objects.filter(pk=task.pk, status=Status.PROCESSING, processing_until=task.processing_until).update(
            status=Status.COMPLETED, processing_until=None
        )
        task.refresh_from_db()
        if done:
            _status_changed(task)


def settle_project(project_pk: int) -> None:
    """Settle every task of a project whose processing time is over (used by the list)."""
    due = Task.objects.filter(project_id=project_pk, status=Status.PROCESSING, processing_until__lte=timezone.now())
    for task in due.select_related("project__team", "upload"):
        settle(task)


def _status_changed(task: Task) -> None:
    events.publish_task(task, "task_status_changed", task_json(task, with_pages=False))
    if task.status == Status.REVIEWING:
        events.publish_upload(task, "IN_REVIEW")
    elif task.status in FINAL_STATUSES and task.upload.is_fully_processed():
        events.publish_upload(task, "PROCESSED")


def _refuse(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def _require_reviewing(task: Task, verb: str) -> None:
    if task.status != Status.REVIEWING:
        raise _refuse(
            "invalid_status",
            f"Only tasks in REVIEWING can be {verb}; this task is {task.status}.",
        )


def complete(task: Task, key: ApiKey, operations: list[corrections.Operation] | None = None) -> dict[str, Any]:
    """Complete, with the corrections of API.md §5 (already checked for shape) applied first.

    The corrections, the validation of the corrected task and the status change are one step:
    any refusal leaves the task as it was (the caller holds the transaction on the locked row).
    """
    _require_reviewing(task, "completed")
    pages, records = task.pages, []
    if operations:
        try:
            pages, records = corrections.apply(task, operations)
        except corrections.Invalid as e:
            raise _refuse("invalid_corrections", str(e)) from None
    failures = validation.failures(task, pages)
    if failures:
        raise ApiError(400, "validation_failed", validation.message(failures), extra={"failures": failures})
    now = timezone.now()
    task.pages = pages
    task.status = Status.PROCESSING
    task.processing_until = now + dt.timedelta(seconds=settings.SANDBOX_PROCESSING_DELAY)
    task.save(update_fields=["pages", "status", "processing_until"] if records else ["status", "processing_until"])
    for record in records:
        record.task, record.api_key, record.created_at = task, key, now
    Correction.objects.bulk_create(records, batch_size=500)
    _status_changed(task)
    return {"payload": task_json(task), "message": "Task processing started"}


def discard(task: Task, key: ApiKey) -> dict[str, Any]:
    _require_reviewing(task, "discarded")
    task.status = Status.DISCARDED
    task.save(update_fields=["status"])
    _status_changed(task)
    return {"payload": task_json(task)}


def approve(task: Task, key: ApiKey) -> dict[str, Any]:
    if task.status == Status.PROCESSING:
        raise _refuse("invalid_status", "Tasks cannot be approved while they are being processed.")
    if task.approved:
        raise _refuse("already_approved", "This task is already approved.")
    now = timezone.now()
    task.approved, task.approved_at, task.approved_by = True, now, key
    task.save(update_fields=["approved", "approved_at", "approved_by"])
    TrainingExample.objects.update_or_create(
        task=task, defaults={"added_at": now, "added_by": key, "pages": copy.deepcopy(task.pages)}
    )
    events.publish_task(task, "task_approved", task_json(task, with_pages=False))
    return {"payload": task_json(task)}


def disapprove(task: Task, key: ApiKey) -> dict[str, Any]:
    if task.status == Status.PROCESSING:
        raise _refuse("invalid_status", "Tasks cannot be disapproved while they are being processed.")
    if not task.approved:
        raise _refuse("already_disapproved", "This task is already disapproved (it is not approved).")
    task.approved, task.approved_at, task.approved_by = False, None, None
    task.save(update_fields=["approved", "approved_at", "approved_by"])
    TrainingExample.objects.filter(task=task).delete()
    events.publish_task(task, "task_de_approved", task_json(task, with_pages=False))
    return {"payload": task_json(task)}


def unlock(task: Task, key: ApiKey) -> dict[str, Any]:
    if task.status not in (Status.COMPLETED, Status.DISCARDED, Status.FILTERED):
        raise _refuse(
            "invalid_status",
            f"Only COMPLETED, DISCARDED or FILTERED tasks can be unlocked; this task is {task.status}.",
        )
    if task.exported_at is not None:
        raise _refuse("task_exported", "This task has been exported and can no longer be unlocked.")
    if task.upload.is_fully_processed():
        raise _refuse(
            "upload_processed",
            f"Upload {task.upload.upload_id} is fully processed; its tasks can no longer be unlocked.",
        )
    task.status = Status.REVIEWING
    task.processing_until = None
    task.save(update_fields=["status", "processing_until"])
    _status_changed(task)
    return {"payload": task_json(task)}


def validate_report(body: Any) -> tuple[list[dict[str, str]], str | None]:
    """Check a report body; return its issues (label and value only) and message."""
    if not isinstance(body, dict):
        raise _refuse("invalid_request", "The request body must be a JSON object.")
    issues = body.get("issues")
    if issues is None:
        raise _refuse("invalid_request", "issues: this field is required.")
    if not isinstance(issues, list) or not issues:
        raise _refuse("invalid_request", "issues: must be a non-empty list of {label, value} objects.")
    if len(issues) > MAX_ISSUES:
        raise _refuse("invalid_request", f"issues: at most {MAX_ISSUES} issues per report.")
    clean = []
    for i, issue in enumerate(issues):
        if not isinstance(issue, dict):
            raise _refuse("invalid_request", f"issues[{i}]: must be an object with label and value.")
        for field in ("label", "value"):
            value = issue.get(field)
            if not isinstance(value, str) or not value.strip(BLANK):
                raise _refuse("invalid_request", f"issues[{i}].{field}: must be a non-empty string.")
            _require_unicode(value, f"issues[{i}].{field}")
            if len(value) > MAX_TEXT:
                raise _refuse("invalid_request", f"issues[{i}].{field}: at most {MAX_TEXT} characters.")
        clean.append({"label": issue["label"], "value": issue["value"]})
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise _refuse("invalid_request", "message: must be a string.")
    if message is not None and len(message) > MAX_MESSAGE:
        raise _refuse("invalid_request", f"message: at most {MAX_MESSAGE} characters.")
    if message is not None:
        _require_unicode(message, "message")
    return clean, message


def _require_unicode(value: str, field: str) -> None:
    """JSON can carry lone surrogates, which are no text and cannot be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse("invalid_request", f"{field}: contains characters that are not valid Unicode.") from None
    if "\x00" in value:
        raise _refuse("invalid_request", f"{field}: must not contain NUL characters.")


def store_report(task: Task, key: ApiKey, issues: list[dict[str, str]], message: str | None) -> Report:
    report = Report.objects.create(task=task, api_key=key, issues=issues, message=message)
    events.publish_task(task, "task_reported", task_json(task, with_pages=False))
    return report


def call_report_hook(report: Report) -> dict[str, str] | None:
    """Make the report's outgoing call, outside any transaction; return the error, if any."""
    url = settings.SANDBOX_REPORT_HOOK_URL
    if not url:
        return None
    task = report.task
    body = {
        "task": task_json(task, with_pages=False),
        "issues": report.issues,
        "message": report.message,
        "reported_at": iso(report.created_at),
    }
    timeout = settings.SANDBOX_OUTGOING_TIMEOUT
    error = None
    try:
        response = requests.post(url, json=body, timeout=(timeout, timeout))
        if response.status_code >= 300:
            error = f"The external call answered HTTP {response.status_code}."
    except requests.RequestException as e:
        error = f"The external call failed: {type(e).__name__}."
    report.hook_status = "failed" if error else "sent"
    report.hook_error = error or ""
    report.save(update_fields=["hook_status", "hook_error"])
    if error:
        logger.warning("report hook failed for task %s: %s", task.task_id, error)
        return {"code": "external_call_failed", "message": f"The report was stored, but {error[0].lower()}{error[1:]}"}
    return None
