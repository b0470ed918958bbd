"""The sandbox's HTTP API: the Send.ai v2 Task API of reviewer/sendai/API.md, under /sandbox.

Every answer is JSON in the contract's shape; every refusal is the error
envelope with its 4xx status. Checks run in one order for every endpoint:
method (405), key (401), IDs (400), scope (403), access (404), body, then the
task's state (400).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from reviewer.sandbox import corrections, logic
from reviewer.sandbox.images import page_svg
from reviewer.sandbox.logic import ApiError
from reviewer.sandbox.models import ID_RE, ApiKey, Project, Status, Task, hash_key
from reviewer.sandbox.openapi import openapi_document

logger = logging.getLogger(__name__)

REQUEST_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_BODY = 64 * 1024
MAX_LIMIT = 200
# Cursors outside these bounds cannot be ours, and near the calendar's ends conversions overflow.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
NOT_FOUND = "Task not found, or this API key has no access to it."

View = Callable[..., JsonResponse | HttpResponse]


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None
) -> JsonResponse:
    error = {"code": code, "message": message, **(extra or {})}
    response = JsonResponse({"payload": None, "error": error}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def api(*methods: str) -> Callable[[View], View]:
    """Make a view an API endpoint: method check, error envelope, request log."""

    def decorator(view: View) -> View:
        @login_not_required  # API key authentication, not sessions
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            started = time.monotonic()
            try:
                if methods and request.method not in methods:
                    raise ApiError(
                        405,
                        "method_not_allowed",
                        f"{request.method} is not allowed here; use {' or '.join(methods)}.",
                        {"Allow": ", ".join(methods)},
                    )
                response = view(request, *args, **kwargs)
            except ApiError as e:
                response = error_response(e.status, e.code, e.message, e.headers, e.extra)
            except Exception:
                logger.exception("sandbox %s %s failed", request.method, request.path)
                response = error_response(500, "internal_error", "The sandbox failed to answer; see its log.")
            request_id = request.headers.get("X-Request-ID", "")
            if REQUEST_ID_RE.fullmatch(request_id):
                response["X-Request-ID"] = request_id
            else:
                request_id = "-"
            logger.info(
                "sandbox %s %s %s %.1fms request_id=%s",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
                request_id,
            )
            return response

        return wrapper

    return decorator


def _authenticate(request: HttpRequest) -> ApiKey:
    header = request.headers.get("Authorization", "")
    if not header:
        raise ApiError(
            401,
            "unauthorized",
            "An API key is required: send it as Authorization: Bearer <key>.",
            {"WWW-Authenticate": "Bearer"},
        )
    scheme, _, raw = header.partition(" ")
    key = None
    if scheme.lower() == "bearer" and raw.strip():
        key = ApiKey.objects.filter(digest=hash_key(raw.strip()), revoked_at__isnull=True).first()
    if key is None:
        raise ApiError(
            401, "invalid_api_key", "The API key is invalid or has been revoked.", {"WWW-Authenticate": "Bearer"}
        )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def _check_ids(**ids: str) -> None:
    for name, value in ids.items():
        if not ID_RE.fullmatch(value):
            raise ApiError(
                400, "invalid_id", f"{name} must be 1 to 128 letters, digits, '_', '.' or '-', starting with one."
            )


def _require_scope(key: ApiKey, scope: str) -> None:
    if scope not in key.scopes:
        raise ApiError(403, "insufficient_scope", f"This API key lacks the {scope} scope.")


def _project(request: HttpRequest, scope: str, team_id: str, project_id: str, **ids: str) -> tuple[ApiKey, Project]:
    """Authenticate, validate the IDs, check the scope and the key's access to the project."""
    key = _authenticate(request)
    _check_ids(team_id=team_id, project_id=project_id, **ids)
    _require_scope(key, scope)
    project = Project.objects.select_related("team").filter(team__team_id=team_id, project_id=project_id).first()
    if project is None or not key.can_access(project):
        raise ApiError(404, "not_found", NOT_FOUND)
    return key, project


def _task(project: Project, task_id: str, *, lock: bool = False) -> Task:
    tasks = Task.objects.select_related("project__team", "upload")
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    task = tasks.filter(project=project, task_id=task_id).first()
    if task is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return task


@api("GET")
def task_detail(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> JsonResponse:
    _, project = _project(request, "task.read", team_id, project_id, task_id=task_id)
    task = _task(project, task_id)
    logic.settle(task)
    task.last_opened_at = timezone.now()
    Task.objects.filter(pk=task.pk).update(last_opened_at=task.last_opened_at)
    return JsonResponse({"payload": logic.task_json(task)})


ACTIONS = {
    "complete": logic.complete,
    "discard": logic.discard,
    "approve": logic.approve,
    "disapprove": logic.disapprove,
    "unlock": logic.unlock,
}


@login_not_required
@csrf_exempt
def task_action(request: HttpRequest, team_id: str, project_id: str, task_id: str, action: str) -> HttpResponse:
    if action == "report":
        return _report(request, team_id, project_id, task_id)
    if action in ACTIONS:
        return _action(request, team_id, project_id, task_id, action)
    return not_found(request)


@api("POST")
def _action(request: HttpRequest, team_id: str, project_id: str, task_id: str, action: str) -> JsonResponse:
    key, project = _project(request, "task.edit", team_id, project_id, task_id=task_id)
    operations = _corrections(request) if action == "complete" else None
    with transaction.atomic():
        task = _task(project, task_id, lock=True)
        logic.settle(task)
        body = logic.complete(task, key, operations) if action == "complete" else ACTIONS[action](task, key)
    return JsonResponse(body)


def _corrections(request: HttpRequest) -> list[corrections.Operation]:
    """The operations of complete's optional body (none without a body); its shape is checked here,
    before the task is looked at."""
    try:
        return corrections.parse(_json_body(request, corrections.MAX_BODY, optional=True))
    except corrections.Invalid as e:
        raise ApiError(400, "invalid_corrections", str(e)) from None


def _size(limit: int) -> str:
    return f"{limit // 1024 // 1024} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _json_body(request: HttpRequest, limit: int = MAX_BODY, *, optional: bool = False) -> Any:
    """The request's JSON body; with `optional`, None when there is none (an empty body)."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        raise ApiError(400, "invalid_request", "The Content-Length header is not a number.") from None
    if optional and length <= 0:
        return None
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json.")
    if length > limit:
        raise ApiError(413, "payload_too_large", f"The request body is larger than {_size(limit)}.")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, "payload_too_large", f"The request body is larger than {_size(limit)}.")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "The request body is not UTF-8 text.") from None
    except json.JSONDecodeError as e:
        raise ApiError(
            400, "invalid_json", f"The request body is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})."
        ) from None
    except ValueError as e:  # NaN or Infinity, which Python reads but JSON does not have
        raise ApiError(400, "invalid_json", f"The request body is not valid JSON: {e}.") from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "The request body is nested too deeply.") from None


@api("POST")
def _report(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> JsonResponse:
    key, project = _project(request, "task.edit", team_id, project_id, task_id=task_id)
    issues, message = logic.validate_report(_json_body(request))
    with transaction.atomic():
        task = _task(project, task_id, lock=True)
        logic.settle(task)
        report = logic.store_report(task, key, issues, message)
    error = logic.call_report_hook(report)
    task.refresh_from_db()
    return JsonResponse({"payload": logic.task_json(task), "error": error}, status=207 if error else 201)


def _parse_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        created, _, pk = base64.urlsafe_b64decode(cursor.encode() + b"==").decode().partition("|")
        when, number = dt.datetime.fromisoformat(created), int(pk)
        if when.tzinfo is None or not 0 <= number < 2**63 or not EARLIEST <= when <= LATEST:
            raise ValueError(cursor)
        return when.astimezone(dt.UTC), number
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid_cursor", "The cursor is not one this API returned.") from None


def _make_cursor(task: Task) -> str:
    raw = f"{task.created_at.isoformat()}|{task.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@api("GET")
def task_list(request: HttpRequest, team_id: str, project_id: str) -> JsonResponse:
    _, project = _project(request, "task.read", team_id, project_id)
    logic.settle_project(project.pk)
    tasks = Task.objects.filter(project=project).select_related("project", "upload")
    statuses = [s for value in request.GET.getlist("status") for s in value.split(",")]
    unknown = sorted(set(statuses) - set(Status.values))
    if unknown:
        raise ApiError(
            400, "invalid_request", f"status: unknown value {unknown[0]!r}; use one or more of {', '.join(Status)}."
        )
    if statuses:
        tasks = tasks.filter(status__in=statuses)
    if "upload_id" in request.GET:
        upload_id = request.GET["upload_id"]
        _check_ids(upload_id=upload_id)
        tasks = tasks.filter(upload__upload_id=upload_id)
    try:
        limit = int(request.GET.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, "invalid_request", f"limit: must be a whole number from 1 to {MAX_LIMIT}.")
    if cursor := request.GET.get("cursor"):
        created, pk = _parse_cursor(cursor)
        tasks = tasks.filter(Q(created_at__gt=created) | Q(created_at=created, pk__gt=pk))
    page = list(tasks.order_by("created_at", "pk")[: limit + 1])
    next_cursor = _make_cursor(page[limit - 1]) if len(page) > limit else None
    return JsonResponse(
        {"payload": [logic.task_json(t, with_pages=False) for t in page[:limit]], "next_cursor": next_cursor}
    )


@api("GET")
def page_image(request: HttpRequest, team_id: str, project_id: str, task_id: str, page_id: str) -> HttpResponse:
    _, project = _project(request, "task.read", team_id, project_id, task_id=task_id, page_id=page_id)
    task = _task(project, task_id)
    page = task.page(page_id)
    if page is None or not task.has_images:
        raise ApiError(404, "not_found", "This page has no image.")
    response = HttpResponse(page_svg(task, page), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@api("GET")
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(request.build_absolute_uri("/sandbox")))


@api()
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    raise ApiError(404, "not_found", "There is no such endpoint.")
