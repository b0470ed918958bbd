"""The contract's rules for each action, mirrored only to guide the reviewer.

The upstream decides; these say which buttons to offer and, where one is not
offered, why. `None` means the action is available.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reviewer import sendai

FINISHED = ("COMPLETED", "DISCARDED", "FILTERED")


def unavailable_because(task: sendai.Task) -> dict[str, str | None]:
    status = task.status
    processing = status == "PROCESSING"
    reviewing = status == "REVIEWING"
    return {
        "complete": None
        if reviewing
        else _("Only tasks in review can be completed; this one is %(status)s.") % {"status": status},
        "discard": None
        if reviewing
        else _("Only tasks in review can be discarded; this one is %(status)s.") % {"status": status},
        "approve": (
            _("A task cannot be approved while it is processing.")
            if processing
            else _("This task is already approved.")
            if task.approved
            else None
        ),
        "disapprove": (
            _("A task cannot be disapproved while it is processing.")
            if processing
            else _("This task is not approved.")
            if not task.approved
            else None
        ),
        "unlock": (
            _("Only COMPLETED, DISCARDED or FILTERED tasks can be unlocked; this one is %(status)s.")
            % {"status": status}
            if status not in FINISHED
            else _("This task has been exported and can no longer be unlocked.")
            if task.exported_at
            else None
        ),
        "report": None,
    }
