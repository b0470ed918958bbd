"""The exceptions of the Send.ai client, each with a sentence a reviewer can read.

Status codes map as follows (see Client._check): 401 → InvalidKey; 403 → MissingScope;
404 → NotFound; 400 → Refused, or ValidationFailed for code validation_failed; other
4xx (409, 413, 422, …) → Refused: the upstream turned this request down; 408, 429, 5xx,
timeouts and broken connections → Unavailable; 3xx (never followed), 405, 415 and
unexpected 1xx/2xx → ProtocolError: client and upstream disagree on the protocol, which a
reviewer cannot fix (often a wrong SENDAI_API_URL). On the list path, 405, 501 and a 404
without the error envelope → ListingUnavailable. A body that is not JSON, or JSON of the
wrong shape, on a success status → ProtocolError. No message ever contains an API key.
"""

from __future__ import annotations


class SendaiError(Exception):
    """Base class: `str(e)` is the sentence to show; `request_id` traces the call."""

    status: int | None = None

    def __init__(self, message: str, *, request_id: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.status = status


class InvalidId(SendaiError, ValueError):
    """A team, project, task, page or upload ID that the contract does not allow; nothing was sent."""


class InvalidReport(SendaiError, ValueError):
    """A report that the contract would refuse; nothing was sent."""


class InvalidKey(SendaiError):
    """401: the API key is missing, unknown or revoked (or cannot be a key at all)."""


class MissingScope(SendaiError):
    """403: the key is valid but lacks the scope for this call."""


class NotFound(SendaiError):
    """404: no such task (or page), or the key has no access to its team or project."""


class Refused(SendaiError):
    """400 and other 4xx: the upstream refused the request; `code` and `upstream_message` say why."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        upstream_message: str | None = None,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id, status=status)
        self.code = code
        self.upstream_message = upstream_message


class ValidationFailed(Refused):
    """400 with code validation_failed: complete found problems; the task is unchanged.

    `failures` lists what failed, each {"entity_id", "message", "rule", "page_id", "item_id"}
    (the last three may be None): from the answer's `error.failures` where the upstream sends
    them, otherwise read from its message ("Validation failed: invoice_date: missing; …").
    """

    def __init__(self, message: str, *, failures: tuple[dict, ...] = (), **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.failures = failures


class CorrectionsRefused(Refused):
    """Complete with corrections refused because of the corrections (400 invalid_corrections,
    or 415/400 from an upstream that takes no body): nothing was applied, the task is unchanged.

    `index` is the 0-based operation that the upstream's message names, when it names one;
    `unsupported` is true when the upstream does not take corrections at all.
    """

    def __init__(self, message: str, *, index: int | None = None, unsupported: bool = False, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.index = index
        self.unsupported = unsupported


class Unavailable(SendaiError):
    """Timeout, refused or broken connection, 408, 429 or 5xx; `retry_after` in seconds when known."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: int | None = None,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id, status=status)
        self.retry_after = retry_after


class Busy(Unavailable):
    """Not sent: as many calls of this process as SENDAI_MAX_WAITING allows wait on Send.ai already."""


class ProtocolError(SendaiError):
    """An answer that breaks the contract: not JSON, wrong shape, unexpected status or content type.

    `field` names the offending field when there is one, e.g. "payload.pages[0].checkboxes[2].confidence".
    """

    def __init__(
        self, message: str, *, field: str | None = None, request_id: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, request_id=request_id, status=status)
        self.field = field


class ListingUnavailable(SendaiError):
    """The upstream does not offer the task list (an extension): hide the feature."""
