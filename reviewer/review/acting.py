"""Acting on a task: the one path every action of the console takes.

`perform()` sends the action to Send.ai with the person's own key, records the attempt in
the action log (with the corrections it carried), and brings the work queue up to date:
the entry learns the task's new status first, and only then is the claim given back, so a
finished task is never claimable for a moment. The review screen and the lead's second
review both call it and turn its `Attempt` into a page; neither talks to the client itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reviewer import sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.models import KeyState, Profile
from reviewer.queue import claims, copies
from reviewer.queue.models import Entry
from reviewer.review import corrections
from reviewer.review.models import Action, CorrectionRecord, Draft, EntityTally, Outcome
from reviewer.review.records import record_action

MOVE_ON = ("complete", "discard")  # actions that end a review
CORRECTIONS_ISSUE = sendai.Issue("Corrections", "corrections")
DONE = {
    "complete": gettext_lazy("Completed: Send.ai is processing the task."),
    "discard": gettext_lazy("Discarded."),
    "report": gettext_lazy("Report sent."),
    "approve": gettext_lazy("Approved: the task joins the training data."),
    "disapprove": gettext_lazy("Disapproved: the task leaves the training data."),
    "unlock": gettext_lazy("Unlocked: the task is back in review."),
}


class KeyProblem(Exception):
    """The person's key cannot be used; `reason` says why, for the no-key page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def client_for(profile: Profile) -> sendai.Client:
    """The person's client; KeyProblem when they have no key that could work.

    A key that Send.ai rejected the last time it was used is still tried: a 401 marks the key
    suspect (KeyState.REJECTED, shown on the account pages), but only Send.ai can say whether
    it still is; a transient 401 must not lock the person out. The next answer that is not a
    401 clears the mark (key_answered).
    """
    if not profile.has_key:
        raise KeyProblem(_("You have no Send.ai API key in Reviewer yet."))
    try:
        return sendai.Client(profile.api_key())
    except UndecryptableKey as e:  # now marked so: the key page says to set it again
        raise KeyProblem(str(e)) from None


def key_answered(profile: Profile, *, acted: bool) -> None:
    """Send.ai accepted the key: clear the mark a 401 left (verified, when it also acted)."""
    if profile.key_state == KeyState.REJECTED:
        state = KeyState.VERIFIED if acted else KeyState.SET
        Profile.objects.filter(pk=profile.pk, key_state=KeyState.REJECTED).update(key_state=state)
        profile.key_state = state


def key_failed(profile: Profile, error: sendai.SendaiError) -> str:
    """What a 401 or 403 means for the person; a 401 marks the key suspect (client_for still tries it)."""
    if isinstance(error, sendai.InvalidKey):
        Profile.objects.filter(pk=profile.pk).update(key_state=KeyState.REJECTED)
        return _("Send.ai rejected your API key: it is unknown or has been revoked.")
    return _("Your API key lacks the scope this needs (task.read to open tasks, task.edit to act).")


def held_by_other(entry: Entry | None, user) -> str | None:
    """Why `user` cannot act on the entry's task now, if someone else holds it."""
    holder = entry.holder() if entry else None
    if holder is None or holder.pk == user.pk:
        return None
    since = formats.time_format(timezone.localtime(entry.claimed_at), "TIME_FORMAT")
    return _("%(username)s is working on this task (since %(time)s UTC); you can only look.") % {
        "username": holder.get_username(),
        "time": since,
    }


@dataclass
class Attempt:
    """The outcome of one attempt, for a page to show."""

    action: str
    level: str  # success, warning, info, error
    text: str
    status: int = 200  # what a full page answers with
    task: sendai.Task | None = None  # as the upstream returned it; None when it did not
    done: bool = False  # the upstream did it
    retry: bool = False  # the upstream could not be reached: offer to try again
    request_id: str = ""
    key_problem: str | None = None  # the key cannot be used: show the key page
    not_found: bool = False
    heading: str = ""  # what happened, for a page that cannot show the task
    code: str = ""
    corrections: int = 0
    failures: tuple[dict, ...] = field(default_factory=tuple)
    entry: Entry | None = None  # the task's queue entry as the action left it (read once, here)

    @property
    def notice(self) -> dict[str, str]:
        notice = {"level": self.level, "text": self.text, "request_id": self.request_id, "heading": self.heading}
        if self.key_problem:
            notice["key_problem"] = self.key_problem
        if self.retry:
            notice["retry"] = self.action
        if self.failures or self.code == "invalid_corrections":
            notice["refresh_viewer"] = "1"  # the panel marks what failed
        return notice


def perform(
    user,
    profile: Profile,
    ids: tuple[str, str, str],
    action: str,
    *,
    issues: list[sendai.Issue] | None = None,
    message: str | None = None,
    token: str = "",
    check_claim: bool = True,
) -> Attempt:
    """Send `action` on the task `ids` for `user`; record it; update the queue. Never raises SendaiError."""
    started = time.monotonic()

    def record(outcome: str, request_id: str | None = None, **fields) -> None:
        record_action(user, ids, action, outcome, started=started, request_id=request_id, **fields)

    try:
        client = client_for(profile)
    except KeyProblem as e:
        return Attempt(action, "error", e.reason, status=400, key_problem=e.reason)
    entry = Entry.objects.select_related("claimed_by").filter(team_id=ids[0], project_id=ids[1], task_id=ids[2]).first()
    if check_claim and (reason := held_by_other(entry, user)):
        record(Outcome.REFUSED, code="claimed", message=reason)
        return Attempt(action, "error", reason, status=409, code="claimed")
    draft = corrections.load(user, ids) if action == "complete" else None
    try:
        operations = corrections.operations(draft) if settings.CORRECTIONS_MODE != "off" else []
    except corrections.DraftError as e:
        return Attempt(action, "error", str(e), status=400, code="draft")
    changes = list(draft.changes.values()) if operations else []
    if token and not cache.add(f"action-token:{user.pk}:{token}", 1, timeout=3600):
        record(Outcome.DUPLICATE, message=_("Sent twice; the repeat was dropped."))
        return Attempt(action, "info", _("That was sent already; it was not sent again."))
    try:
        if action == "report":
            result = client.report(*ids, issues or [], message)
        elif action == "complete" and operations and settings.CORRECTIONS_MODE == "report":
            result = _report_then_complete(client, user, ids, changes, operations, started)
        elif action == "complete":
            result = client.complete(*ids, operations)
        else:
            result = getattr(client, action)(*ids)
    except (sendai.InvalidKey, sendai.MissingScope) as e:
        reason = key_failed(profile, e)
        record(Outcome.KEY, e.request_id, status=e.status, message=str(e))
        copies.forget(ids)
        title = _("Send.ai did not accept your API key") if e.status == 401 else _("Your API key may not do this")
        return Attempt(
            action,
            "error",
            str(e),
            status=400,
            key_problem=reason,
            request_id=e.request_id or "",
            heading=title,
        )
    except sendai.InvalidId as e:  # nothing was sent
        return Attempt(action, "error", str(e), status=400)
    except sendai.NotFound as e:
        record(Outcome.REFUSED, e.request_id, status=404, message=str(e))
        copies.forget(ids)
        return Attempt(
            action,
            "error",
            str(e),
            status=404,
            not_found=True,
            request_id=e.request_id or "",
            heading=_("Task not found"),
        )
    except sendai.Refused as e:
        record(Outcome.REFUSED, e.request_id, status=e.status, code=e.code or "", message=e.upstream_message or str(e))
        copies.forget(ids)  # a refusal says the task is not as the page showed it
        return _refused(user, ids, action, draft, e)
    except (sendai.Unavailable, sendai.ProtocolError) as e:
        outcome = Outcome.UNAVAILABLE if isinstance(e, sendai.Unavailable) else Outcome.ERROR
        record(outcome, e.request_id, status=e.status, message=str(e))
        copies.forget(ids)  # it may have been done all the same
        kept = " " + _("Your corrections are kept.") if changes else ""
        text, title = str(e) + kept, heading(e)
        if isinstance(e, sendai.ProtocolError) and e.status and 200 <= e.status < 300:
            text += " " + _("Send.ai may have done it all the same: reload the task to see its state.")
        return Attempt(action, "error", text, status=503, retry=True, request_id=e.request_id or "", heading=title)
    key_answered(profile, acted=True)
    _write_record(user, ids, action, started, result, changes if action == "complete" else [])
    if action == "complete" and draft is not None and (changes or not draft.changes):
        Draft.objects.filter(pk=draft.pk).delete()  # sent, or held only the last validation's verdict
    if entry is not None:
        claims.settle(entry.pk, user, result.task, release_claim=action in MOVE_ON)  # status and claim at once
        entry.status = result.task.status  # as settle left it, without reading it again
        if action in MOVE_ON:
            entry.claimed_by, entry.claimed_at, entry.claim_expires_at = None, None, None
    # Everyone's copy is out of date; the answer is this person's new one (pages and all).
    copies.forget(ids)
    copies.keep(user, ids, result.task, timezone.now())
    text = result.warning or str(DONE[action])
    if changes and not result.warning:
        count = len(changes)
        text = ngettext(
            "Completed with %(count)s correction: Send.ai is processing the task.",
            "Completed with %(count)s corrections: Send.ai is processing the task.",
            count,
        ) % {"count": count}
        if settings.CORRECTIONS_MODE == "complete" and not _shows_corrections(result.task):
            text += " " + _("Send.ai's answer does not show them, though: check that it takes corrections.")
    level = "warning" if result.warning else "success"
    return Attempt(
        action,
        level,
        text,
        task=result.task,
        done=True,
        request_id=result.request_id,
        corrections=len(changes),
        entry=entry,
    )


def heading(e: sendai.SendaiError) -> str:
    """What went wrong, in a few words: not reached, no answer, or an answer that could not be read."""
    if isinstance(e, sendai.Busy):
        return _("Reviewer is waiting on Send.ai for too many requests")
    if isinstance(e, sendai.ProtocolError):
        return _("Send.ai's answer could not be read")
    if e.status:
        return _("Send.ai could not answer")
    return _("Send.ai could not be reached")


def _refused(user, ids, action: str, draft: Draft | None, e: sendai.Refused) -> Attempt:
    attempt = Attempt(action, "error", str(e), status=400, code=e.code or "", request_id=e.request_id or "")
    if isinstance(e, sendai.ValidationFailed):
        corrections.remember_failures(user, ids, e.failures)
        attempt.failures = e.failures
        if draft is not None and draft.changes:
            attempt.text += " " + _("Your corrections are kept: fix what is marked and complete again.")
    elif isinstance(e, sendai.CorrectionsRefused) and draft is not None:
        if e.unsupported:
            attempt.text += " " + _(
                "Your corrections are kept. An admin can set CORRECTIONS_MODE=report so that they"
                " reach Send.ai as a report before a plain complete."
            )
        else:
            corrections.mark_refused(draft, e.index, e.upstream_message or str(e))
            attempt.text += " " + _("Your corrections are kept: the one Send.ai refused is marked.")
    elif e.code == "invalid_status" and draft is not None and draft.changes:
        attempt.text += " " + _("Your corrections are kept.")
    return attempt


def _report_then_complete(client, user, ids, changes, operations, started) -> sendai.TaskResult:
    """Report mode: the corrections go first as a report (readable, and as data), then a plain complete."""
    body = corrections.report_issue_message(changes, operations)
    report = client.report(*ids, [CORRECTIONS_ISSUE], body)
    _write_record(user, ids, Action.REPORT, started, report, changes, rows=False)
    return client.complete(*ids)


def _write_record(
    user, ids, action: str, started: float, result: sendai.TaskResult, changes: list[dict], *, rows: bool = True
) -> None:
    """The attempt's row in the log, with its corrections and, for a complete, the tallies per entity.

    The corrections' rows hang off the complete that they went with; in report mode the report
    that carried them counts them too (its message holds them), without rows of its own.
    """
    with transaction.atomic():
        record = record_action(
            user,
            ids,
            action,
            Outcome.WARNING if result.warning else Outcome.OK,
            started=started,
            request_id=result.request_id,
            status=200,
            message=result.warning or "",
            task=result.task,
            correction_count=len(changes),
        )
        if changes and rows:
            CorrectionRecord.objects.bulk_create(
                CorrectionRecord(record=record, **row) for row in corrections.record_rows(changes)
            )
        if action == Action.COMPLETE:
            EntityTally.objects.bulk_create(
                EntityTally(record=record, **row) for row in corrections.tallies(result.task, changes)
            )


def _shows_corrections(task: sendai.Task) -> bool:
    """Whether the upstream's answer marks any item as corrected or removed (§5)."""
    for page in task.pages:
        items = (*page.annotations, *page.checkboxes, *page.segments, *page.signatures)
        if page.removed or any(i.corrected for i in items):
            return True
    return False
