"""The Send.ai v2 Task API client (docs: reviewer/sendai/API.md).

from reviewer import sendai

try:
    result = sendai.Client(key).complete(team_id, project_id, task_id)
except sendai.SendaiError as e:
    messages.error(request, str(e))  # a sentence for the reviewer; e.request_id traces the call
"""

from reviewer.sendai.client import Client, check_id
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
    SendaiError,
    Unavailable,
    ValidationFailed,
)
from reviewer.sendai.types import (
    COMMON_ISSUES,
    Annotation,
    Checkbox,
    Issue,
    Meta,
    Page,
    PageImage,
    Segment,
    Signature,
    Status,
    Task,
    TaskList,
    TaskResult,
    parse_task,
)

__all__ = [
    "COMMON_ISSUES",
    "Annotation",
    "Busy",
    "Checkbox",
    "Client",
    "CorrectionsRefused",
    "InvalidId",
    "InvalidKey",
    "InvalidReport",
    "Issue",
    "ListingUnavailable",
    "Meta",
    "MissingScope",
    "NotFound",
    "Page",
    "PageImage",
    "ProtocolError",
    "Refused",
    "Segment",
    "SendaiError",
    "Signature",
    "Status",
    "Task",
    "TaskList",
    "TaskResult",
    "Unavailable",
    "ValidationFailed",
    "check_id",
    "parse_task",
]
