"""The Send.ai v2 Task API client: one method per endpoint, called with one user's API key.

    client = Client(api_key)
    result = client.get("team_1", "proj_1", "task_1")  # a TaskResult; result.task is the Task

Every call checks its IDs before anything is sent (InvalidId), goes through the one pooled
session of the process, sends an X-Request-ID (the caller's, else the ID of the incoming
request being answered (reviewer/observability/requestid.py), else a fresh uuid4 hex), logs
method, path, status, duration and request ID to "reviewer.sendai", and raises a SendaiError
subclass (errors.py) for anything but success. The key goes in the Authorization header
and nowhere else: not in logs, not in exception messages.

Deadlines: the session's adapter gives every request the (SENDAI_CONNECT_TIMEOUT,
SENDAI_READ_TIMEOUT) timeout from settings, and the whole answer, headers and body, must
arrive within SENDAI_READ_TIMEOUT of sending: each read of the socket gets only what is left
of that deadline (_DeadlineResponse), so an upstream that trickles bytes cannot stretch a
call past it.

Waiting: at most SENDAI_MAX_WAITING calls of the process wait on Send.ai at once; a call
beyond that is not sent and raises Busy (an Unavailable) at once, so that a hung upstream
cannot take every thread of the server and /health/ and the pages that need no Send.ai
keep answering.

Retries: GETs only, once: on a 429, 502 or 503 answer, after its Retry-After (capped at
RETRY_AFTER_CAP seconds) or at once (urllib3 does not back off before a first retry), and on
a connection that broke before an answer came (a pooled keep-alive connection the server
had closed). Timeouts are not retried: a slow upstream would only get slower. An action
(POST) is sent exactly once, whatever happens. Worst case for a GET: 2 × (connect + read
timeout) + RETRY_AFTER_CAP, 28.1 s with the default settings, below gunicorn's 30 s; for a
POST: connect + read timeout, 13.05 s.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader, ReadTimeoutError
from urllib3.util import Retry

from reviewer.observability import requestid
from reviewer.sendai.errors import (
    Busy,
    CorrectionsRefused,
    InvalidId,
    InvalidKey,
    InvalidReport,
    ListingUnavailable,
    MissingScope,
    NotFound,
    ProtocolError,
    Refused,
    Unavailable,
    ValidationFailed,
)
from reviewer.sendai.types import (
    ID_PATTERN,
    Issue,
    PageImage,
    TaskList,
    TaskResult,
    as_object,
    malformed,
    parse_task,
)

logger = logging.getLogger("reviewer.sendai")

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,47}")  # an error code: validation_failed, invalid_status…
UNREADABLE_CODE = "unreadable"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,1024}")  # visible ASCII: nothing that could break a header
MAX_BYTES = 20 * 1024 * 1024  # the largest answer read: a task or a page image
MAX_ERROR_BYTES = 64 * 1024  # what is read of an error answer
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
RETRY_AFTER_CAP = 2
RETRY_AFTER_LONGEST = 24 * 3600  # a longer Retry-After is read as this: "try again later"
JSON = "application/json"


class _DeadlineReader(io.RawIOBase):
    """The socket's reads, each allowed only what is left of the answer's deadline."""

    def __init__(self, raw: io.RawIOBase, sock: Any, deadline: float, per_read: float | None) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline, self._per_read = raw, sock, deadline, per_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("The answer did not arrive within its deadline.")
        self._sock.settimeout(left if self._per_read is None else min(self._per_read, left))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An answer that must arrive whole, status line to last byte, within the read timeout.

    urllib3 sets the socket's timeout to the read timeout just before the answer is read;
    that becomes the deadline for all of it, not a bound on each wait for data.
    """

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        per_read = sock.gettimeout()
        deadline = time.monotonic() + (settings.SENDAI_READ_TIMEOUT if per_read is None else per_read)
        self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline, per_read))


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Retry(Retry):
    """GETs once more after a 429/502/503, or a connection that broke before any answer; never after a timeout.

    Its Retry-After is read by the console's own parser: a number of any length is no error.
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, ReadTimeoutError):
            raise error  # a slow upstream would only get slower
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def parse_retry_after(self, retry_after: str) -> float:
        seconds = _retry_after(retry_after)
        if seconds is None:
            raise InvalidHeader("Unreadable Retry-After header.")
        return min(seconds, self.retry_after_max)


class TimeoutAdapter(HTTPAdapter):
    """An adapter that sends no request without the (connect, read) timeout from settings,
    and reads every answer against a deadline (_DeadlineResponse)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (settings.SENDAI_CONNECT_TIMEOUT, settings.SENDAI_READ_TIMEOUT)
        return super().send(request, *args, **kwargs)


class Session(requests.Session):
    """The pooled session shared by every thread and user of the process; it keeps no cookies."""

    def __init__(self) -> None:
        super().__init__()
        retry = _Retry(
            total=1,
            connect=0,
            read=1,
            other=0,
            status_forcelist=(429, 502, 503),
            allowed_methods=frozenset({"GET"}),
            retry_after_max=RETRY_AFTER_CAP,
            raise_on_status=False,
        )
        adapter = TimeoutAdapter(max_retries=retry)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        # One user's cookie must never ride along with another user's request.
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.headers["User-Agent"] = "Reviewer (Send.ai review console)"


class Gate:
    """How many calls of this process wait on Send.ai now; at most SENDAI_MAX_WAITING."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waiting = 0

    @contextmanager
    def enter(self, request_id: str) -> Iterator[None]:
        with self._lock:
            if self.waiting >= settings.SENDAI_MAX_WAITING:
                busy = True
            else:
                busy = False
                self.waiting += 1
        if busy:
            logger.warning("not sent: %d calls wait on Send.ai already request_id=%s", self.waiting, request_id)
            raise Busy(
                _(
                    "Reviewer is already waiting on Send.ai for as many requests as it lets wait at once, "
                    "so this one was not sent; try again in a moment."
                ),
                request_id=request_id,
            )
        try:
            yield
        finally:
            with self._lock:
                self.waiting -= 1


session = Session()
gate = Gate()


@dataclass(frozen=True, slots=True)
class Answer:
    """What the upstream sent back, read in full."""

    method: str
    target: str
    status: int
    content: bytes
    content_type: str
    retry_after: str | None
    request_id: str


class Client:
    """The Send.ai v2 Task API, called with one user's API key; cheap to create per request."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "<sendai.Client>"

    def get(self, team: str, project: str, task: str, *, request_id: str | None = None) -> TaskResult:
        return self._task(
            "GET",
            _task_path(team, project, task),
            pgettext("what Send.ai was asked to do", "open the task"),
            request_id,
        )

    def complete(
        self,
        team: str,
        project: str,
        task: str,
        corrections: Sequence[dict[str, Any]] = (),
        *,
        request_id: str | None = None,
    ) -> TaskResult:
        """Finish the review: REVIEWING → PROCESSING, `message` says so; ValidationFailed if it fails.

        With `corrections` (operations of API.md §5) the body carries them; the upstream
        applies them all or none. CorrectionsRefused when it refuses them or takes no body.
        """
        path = _task_path(team, project, task, "complete")
        if not corrections:
            return self._task("POST", path, pgettext("what Send.ai was asked to do", "complete the task"), request_id)
        body = {"corrections": list(corrections)}
        try:
            return self._task(
                "POST",
                path,
                pgettext("what Send.ai was asked to do", "complete the task with your corrections"),
                request_id,
                body=body,
            )
        except ProtocolError as e:
            if e.status != 415:
                raise
            raise CorrectionsRefused(
                _("Send.ai does not take corrections with complete (HTTP 415); nothing was applied."),
                unsupported=True,
                request_id=e.request_id,
                status=e.status,
            ) from None

    def discard(self, team: str, project: str, task: str, *, request_id: str | None = None) -> TaskResult:
        return self._task(
            "POST",
            _task_path(team, project, task, "discard"),
            pgettext("what Send.ai was asked to do", "discard the task"),
            request_id,
        )

    def report(
        self,
        team: str,
        project: str,
        task: str,
        issues: Iterable[Issue],
        message: str | None = None,
        *,
        request_id: str | None = None,
    ) -> TaskResult:
        """Report issues; a 207 (report stored, the call it triggers failed) sets `warning`."""
        path = _task_path(team, project, task, "report")
        body = report_body(issues, message)
        return self._task(
            "POST",
            path,
            pgettext("what Send.ai was asked to do", "store the report"),
            request_id,
            body=body,
            ok=(200, 201, 207),
        )

    def approve(self, team: str, project: str, task: str, *, request_id: str | None = None) -> TaskResult:
        return self._task(
            "POST",
            _task_path(team, project, task, "approve"),
            pgettext("what Send.ai was asked to do", "approve the task"),
            request_id,
        )

    def disapprove(self, team: str, project: str, task: str, *, request_id: str | None = None) -> TaskResult:
        return self._task(
            "POST",
            _task_path(team, project, task, "disapprove"),
            pgettext("what Send.ai was asked to do", "disapprove the task"),
            request_id,
        )

    def unlock(self, team: str, project: str, task: str, *, request_id: str | None = None) -> TaskResult:
        return self._task(
            "POST",
            _task_path(team, project, task, "unlock"),
            pgettext("what Send.ai was asked to do", "unlock the task"),
            request_id,
        )

    def list(
        self,
        team: str,
        project: str,
        *,
        status: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        upload_id: str | None = None,
        request_id: str | None = None,
    ) -> TaskList:
        """A page of tasks, oldest first, without pages (an extension: ListingUnavailable if not offered)."""
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError("limit must be a whole number of 1 or more.")
        query = {"status": status, "limit": limit, "cursor": cursor}
        if upload_id is not None:
            query["upload_id"] = check_id(upload_id, "upload")
        path = _project_path(team, project) + "/task?" + urlencode({k: v for k, v in query.items() if v is not None})
        answer = self._send("GET", path, request_id)
        if answer.status in (405, 501) or (answer.status == 404 and _envelope(answer.content) is None):
            raise ListingUnavailable(
                _("This Send.ai API does not offer a task list: open tasks by their ID."),
                request_id=answer.request_id,
                status=answer.status,
            )
        self._check(answer, (200,), pgettext("what Send.ai was asked to do", "list the tasks"))
        with _reading(answer):
            body = _json(answer)
            payload = body.get("payload")
            if not isinstance(payload, list):
                raise malformed("payload", "is not a list")
            tasks, skipped = [], []
            for i, item in enumerate(payload):  # one unreadable task (a bad ID) is skipped, not the page
                try:
                    tasks.append(parse_task(item, f"payload[{i}]", with_pages=False))
                except ProtocolError as e:
                    skipped.append(str(e))
            next_cursor = body.get("next_cursor")
            if next_cursor is not None and not isinstance(next_cursor, str):
                raise malformed("next_cursor", "is not a string")
        return TaskList(
            tasks=tuple(tasks), next_cursor=next_cursor or None, request_id=answer.request_id, skipped=tuple(skipped)
        )

    def page_image(self, team: str, project: str, task: str, page: str, *, request_id: str | None = None) -> PageImage:
        """The page as PNG, JPEG or SVG (an extension: NotFound when there is none)."""
        path = _task_path(team, project, task) + "/page/" + quote(check_id(page, "page"), safe="") + "/image"
        answer = self._send("GET", path, request_id, accept=", ".join(IMAGE_TYPES))
        self._check(
            answer,
            (200,),
            pgettext("what Send.ai was asked to do", "fetch the page image"),
            not_found=_("Send.ai has no image for this page."),
        )
        with _reading(answer):
            if answer.content_type not in IMAGE_TYPES:
                raise ProtocolError(
                    _(
                        "Send.ai sent a page image of a type the console does not show (%(type)s): "
                        "only PNG, JPEG and SVG are accepted."
                    )
                    % {"type": answer.content_type or "none"}
                )
        return PageImage(content=answer.content, content_type=answer.content_type, request_id=answer.request_id)

    # Internals

    def _task(
        self,
        method: str,
        path: str,
        doing: str,
        request_id: str | None,
        *,
        body: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 207),
    ) -> TaskResult:
        answer = self._send(method, path, request_id, body=body)
        self._check(answer, ok, doing)
        with _reading(answer):
            data = _json(answer)
            if "payload" not in data:
                raise malformed("payload", "is missing")
            task = parse_task(data["payload"], "payload")
        message = data.get("message")
        warning = None
        if answer.status == 207:
            error = data.get("error")
            detail = error.get("message") if isinstance(error, dict) else None
            warning = self._clean(detail) if isinstance(detail, str) and detail.strip() else None
            if not warning and path.endswith("/report"):
                warning = _("The report was stored, but the call it triggers failed.")
            # 207 is documented for report only; on another action it still means "done, but
            # something it set off failed", not a wrong SENDAI_API_URL.
            warning = warning or _("Send.ai did it, but a call it triggers failed (HTTP 207).")
        return TaskResult(
            task=task,
            request_id=answer.request_id,
            message=self._clean(message) if isinstance(message, str) else None,
            warning=warning,
        )

    def _send(self, method: str, path: str, request_id: str | None, *, body: Any = None, accept: str = JSON) -> Answer:
        """Send one request and read the answer; raise Unavailable when no complete answer comes."""
        if not isinstance(self._key, str) or not KEY_PATTERN.fullmatch(self._key):
            raise InvalidKey(_("The API key is empty or has characters that an API key cannot have."))
        if request_id is None:  # the ID of the request being answered, else a fresh one
            request_id = requestid.current() or uuid.uuid4().hex
        elif not REQUEST_ID_PATTERN.fullmatch(request_id):
            raise ValueError("A request ID is 1 to 128 letters, digits, '_', '.', ':' or '-'.")
        headers = {"Authorization": f"Bearer {self._key}", "X-Request-ID": request_id, "Accept": accept}
        url = settings.SENDAI_API_URL + path
        started = time.monotonic()

        def failed(e: requests.RequestException, message: str) -> Unavailable:
            ms = (time.monotonic() - started) * 1000
            logger.warning("%s %s failed: %s after %dms request_id=%s", method, path, type(e).__name__, ms, request_id)
            return Unavailable(message, request_id=request_id)

        with gate.enter(request_id):
            try:
                response = session.request(method, url, json=body, headers=headers, stream=True, allow_redirects=False)
            except requests.ConnectTimeout as e:
                within = _seconds(settings.SENDAI_CONNECT_TIMEOUT)
                raise failed(e, _("Send.ai could not be reached within %(wait)s.") % {"wait": within}) from e
            except requests.ReadTimeout as e:
                raise failed(
                    e, _("Send.ai did not answer within %(wait)s.") % {"wait": _seconds(settings.SENDAI_READ_TIMEOUT)}
                ) from e
            except requests.ConnectionError as e:
                raise failed(e, _("Send.ai could not be reached: the connection was refused or broken.")) from e
            except requests.RequestException as e:
                raise failed(e, _("The request to Send.ai failed.")) from e
            with response:
                status = response.status_code
                try:
                    content = _read(response, MAX_BYTES if status < 300 else MAX_ERROR_BYTES)
                except requests.RequestException as e:
                    if isinstance(e.args[0] if e.args else None, ReadTimeoutError):
                        late = _("Send.ai did not send its whole answer within %(wait)s.") % {
                            "wait": _seconds(settings.SENDAI_READ_TIMEOUT)
                        }
                        raise failed(e, late) from e
                    raise failed(e, _("The connection to Send.ai broke before its answer was complete.")) from e
        ms = (time.monotonic() - started) * 1000
        level = logging.WARNING if status >= 500 else logging.INFO
        logger.log(level, "%s %s %s %dms request_id=%s", method, path, status, ms, request_id)
        return Answer(
            method=method,
            target=path,
            status=status,
            content=content,
            content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower(),
            retry_after=response.headers.get("Retry-After"),
            request_id=request_id,
        )

    def _check(self, answer: Answer, ok: tuple[int, ...], doing: str, not_found: str | None = None) -> None:
        """Raise the exception that the answer's status calls for, unless it is one of `ok`."""
        status, request_id = answer.status, answer.request_id
        if status in ok:
            if len(answer.content) > MAX_BYTES:
                raise ProtocolError(
                    _("Send.ai sent an answer larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20},
                    request_id=request_id,
                    status=status,
                )
            return
        if status == 401:
            raise InvalidKey(
                _("Send.ai did not accept the API key: it is unknown, revoked or mistyped."),
                request_id=request_id,
                status=status,
            )
        if status == 403:
            scope = "task.read" if answer.method == "GET" else "task.edit"
            raise MissingScope(
                _("The API key is not allowed to %(doing)s: it lacks the %(scope)s scope.")
                % {"doing": doing, "scope": scope},
                request_id=request_id,
                status=status,
            )
        if status == 404:
            raise NotFound(
                not_found or _("Send.ai has no such task, or the API key has no access to its project."),
                request_id=request_id,
                status=status,
            )
        if status == 429 or status == 408 or status >= 500:
            retry_after = _retry_after(answer.retry_after)
            if status == 429:
                message = _("Send.ai is receiving too many requests")
            elif status == 408:
                message = _("Send.ai gave up waiting for the request (HTTP 408)")
            else:
                message = _("Send.ai could not answer (HTTP %(status)s)") % {"status": status}
            raise Unavailable(
                _("%(problem)s; try again %(when)s.") % {"problem": message, "when": _later(retry_after)},
                retry_after=retry_after,
                request_id=request_id,
                status=status,
            )
        if status in (405, 415) or status < 400:
            if 300 <= status < 400:
                sentence = _(
                    "Send.ai answered with a redirect (HTTP %(status)s): check that SENDAI_API_URL points "
                    "at the v2 API."
                )
            else:
                sentence = _(
                    "Send.ai answered with an unexpected status (HTTP %(status)s): check that SENDAI_API_URL points "
                    "at the v2 API."
                )
            raise ProtocolError(
                sentence % {"status": status},
                request_id=request_id,
                status=status,
            )
        # 400, 409, 413, 422 and any other 4xx: the upstream refused this request.
        code, upstream, error = _envelope(answer.content) or (None, None, {})
        code = scrub_code(code, self._key) if code is not None else None
        upstream = self._clean(upstream) if upstream else None
        if status == 413 and not upstream:
            upstream = _("the request is too large")
        if upstream:
            message = _("Send.ai refused to %(doing)s: %(reason)s") % {"doing": doing, "reason": _sentence(upstream)}
        else:
            message = _("Send.ai refused to %(doing)s (HTTP %(status)s).") % {"doing": doing, "status": status}
        details = {"code": code, "upstream_message": upstream, "request_id": request_id, "status": status}
        if status == 400 and code == "validation_failed":
            failures = tuple({**f, "message": self._clean(f["message"] or "")} for f in _failures(error, upstream))
            raise ValidationFailed(message, failures=failures, **details)
        if status == 400 and code == "invalid_corrections":
            raise CorrectionsRefused(message, index=_operation_index(upstream), **details)
        raise Refused(message, **details)

    def _clean(self, text: str) -> str:
        """Upstream text made fit for a message: one line, short, and without the key."""
        text = " ".join(text.replace(self._key, "[key]").split())
        return text if len(text) <= 300 else text[:299] + "…"


def scrub_code(code: Any, key: str = "") -> str:
    """An upstream error code fit to store and show: a short snake_case token, else "unreadable".

    The one scrubber for codes: the client applies it where a code arrives (with the key, so
    a code that echoes the key is dropped even when it looks like a token), and the action log
    again where one is written.
    """
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        return UNREADABLE_CODE
    if key and (key in code or code in key):
        return UNREADABLE_CODE
    return code


# Translators: the kinds of ID in "That is not a valid %(kind)s ID".
ID_KINDS = {
    "team": pgettext_lazy("kind of ID", "team"),
    "project": pgettext_lazy("kind of ID", "project"),
    "task": pgettext_lazy("kind of ID", "task"),
    "page": pgettext_lazy("kind of ID", "page"),
    "upload": pgettext_lazy("kind of ID", "upload"),
    "entity": pgettext_lazy("kind of ID", "entity"),
}


def check_id(value: Any, kind: str) -> str:
    """Return `value` if the contract allows it as an ID; raise InvalidId otherwise."""
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return value
    raise InvalidId(
        _(
            "That is not a valid %(kind)s ID: use 1 to 128 letters, digits, '_', '.' or '-', "
            "starting with a letter or a digit."
        )
        % {"kind": ID_KINDS.get(kind, kind)}
    )


def report_body(issues: Iterable[Issue], message: str | None) -> dict[str, Any]:
    """The JSON body of a report, refused (InvalidReport) where the contract would refuse it."""
    if isinstance(issues, str | bytes | dict):
        raise InvalidReport(_("The issues of a report must be a list."))
    issues = list(issues)
    if not issues:
        raise InvalidReport(_("Choose at least one issue to report."))
    for issue in issues:
        if not (isinstance(issue, Issue) and _filled(issue.label) and _filled(issue.value)):
            raise InvalidReport(_("Each issue of a report needs a label and a value."))
    if message is not None and not isinstance(message, str):
        raise InvalidReport(_("The message of a report must be text."))
    body: dict[str, Any] = {"issues": [{"label": i.label, "value": i.value} for i in issues]}
    if message is not None:
        body["message"] = message
    return body


def _filled(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _project_path(team: str, project: str) -> str:
    return f"/v2/{quote(check_id(team, 'team'), safe='')}/project/{quote(check_id(project, 'project'), safe='')}"


def _task_path(team: str, project: str, task: str, action: str = "") -> str:
    path = _project_path(team, project) + "/task/" + quote(check_id(task, "task"), safe="")
    return f"{path}/{action}" if action else path


def _read(response: requests.Response, limit: int) -> bytes:
    """The body, streamed; stops reading once it is past `limit` bytes."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


@contextmanager
def _reading(answer: Answer) -> Iterator[None]:
    """Give a ProtocolError raised while reading the answer its request ID and status, and log it."""
    try:
        try:
            yield
        except (TypeError, ValueError, ArithmeticError, RecursionError) as e:
            # The parser checks every value it reads; a value it did not foresee must still not
            # crash the page (and, for an action Send.ai applied, lose the record of it).
            raise ProtocolError(_("Send.ai sent an answer the console cannot read.")) from e
    except ProtocolError as e:
        e.request_id, e.status = answer.request_id, answer.status
        logger.warning(
            "%s %s unreadable answer: %s request_id=%s", answer.method, answer.target, e.field, answer.request_id
        )
        raise


def _json(answer: Answer) -> dict[str, Any]:
    if not answer.content.strip():
        raise ProtocolError(_("Send.ai sent an empty answer."))
    try:
        data = json.loads(answer.content)
    except (ValueError, RecursionError):
        raise ProtocolError(_("Send.ai sent an answer that is not JSON.")) from None
    return as_object(data, "the answer")


def _envelope(content: bytes) -> tuple[str | None, str | None, dict[str, Any]] | None:
    """The (code, message, error object) of an error envelope {"payload": null, "error": {...}}, or None."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("error"), dict)):
        return None
    error = data["error"]
    code, message = error.get("code"), error.get("message")
    return (code if isinstance(code, str) else None, message if isinstance(message, str) else None, error)


FAILURE_FIELDS = ("rule", "entity_id", "message", "page_id", "item_id")
FAILURE_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]{0,127}): (.+)")
OPERATION_RE = re.compile(r"corrections\[(\d{1,4})\]")


def _failures(error: dict[str, Any], message: str | None) -> tuple[dict[str, str | None], ...]:
    """What a validation_failed answer says failed: its `failures` list, or its message read apart."""
    listed = error.get("failures")
    if isinstance(listed, list) and listed:
        out = []
        for failure in listed[:500]:
            if isinstance(failure, dict) and isinstance(failure.get("entity_id"), str):
                out.append({k: failure[k] if isinstance(failure.get(k), str) else None for k in FAILURE_FIELDS})
        if out:
            return tuple(out)
    text = (message or "").removeprefix("Validation failed:").strip()
    out = []
    for part in text.split("; "):
        if match := FAILURE_RE.fullmatch(part.strip().rstrip(".")):
            out.append({"rule": None, "entity_id": match[1], "message": match[2], "page_id": None, "item_id": None})
    return tuple(out)


def _operation_index(message: str | None) -> int | None:
    match = OPERATION_RE.search(message or "")
    return int(match[1]) if match else None


RETRY_SECONDS = re.compile(r"\s*([0-9]+)\s*", re.ASCII)


def _retry_after(value: str | None) -> int | None:
    """Retry-After in whole seconds, from a number or an HTTP date; None if absent or unreadable.

    At most RETRY_AFTER_LONGEST: a number of 400 or 5,000 digits is read as that, not turned
    into an int that no float (or int() itself) can take.
    """
    if not value:
        return None
    if match := RETRY_SECONDS.fullmatch(value):
        digits = match[1].lstrip("0") or "0"
        return int(digits) if len(digits) <= 6 and int(digits) <= RETRY_AFTER_LONGEST else RETRY_AFTER_LONGEST
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(RETRY_AFTER_LONGEST, max(0, round((moment - datetime.now(UTC)).total_seconds())))


def _later(seconds: int | None) -> str:
    """When to try again, for a reviewer."""
    if not seconds:
        return _("in a moment")
    if seconds > 3600:
        return _("later (Send.ai asks to wait more than an hour)")
    return _("in %(wait)s") % {"wait": _seconds(seconds)}


def _seconds(value: float) -> str:
    shown = int(value) if float(value).is_integer() else value
    return ngettext("%(count)s second", "%(count)s seconds", 1 if value == 1 else 2) % {
        "count": formats.number_format(shown)
    }


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."
