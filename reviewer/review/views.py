"""The review screen: a task with its pages, overlays and actions.

Access is checked first in every view by `_reviewer()`. The task lives upstream:
it is fetched with the acting person's own key, and every action is sent with
that key too. One view, one template, several renderings: a full page, or the
`state` or `viewer` partial for htmx.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from reviewer import sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.models import KeyState, Profile
from reviewer.accounts.roles import profile_of
from reviewer.queue import claims
from reviewer.queue.models import Entry
from reviewer.review import overlays, rules
from reviewer.review.forms import IssueTypeForm, ReportForm
from reviewer.review.models import Action, IssueType, Outcome
from reviewer.review.records import record_action

ACTIONS = ("complete", "discard", "report", "approve", "disapprove", "unlock")
MOVE_ON = ("complete", "discard")  # actions that end a review
PARTIALS = {"task-state": "state", "viewer": "viewer"}
DEFAULT_THRESHOLD = 0.8


class KeyProblem(Exception):
    """The person's key cannot be used; `reason` says why, for the no-key page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reviewer(request: HttpRequest) -> Profile:
    """The acting person's profile, if they may review; 403 otherwise."""
    if not request.user.has_perm("accounts.review_tasks"):
        raise PermissionDenied("Your role does not include reviewing tasks.")
    return profile_of(request.user)


def _check_ids(*ids: str) -> None:
    try:
        for value, kind in zip(ids, ("team", "project", "task", "page"), strict=False):
            sendai.check_id(value, kind)
    except sendai.InvalidId:
        raise Http404("No task has such an ID.") from None


def _client(profile: Profile) -> sendai.Client:
    if not profile.has_key:
        raise KeyProblem("You have no Send.ai API key in Reviewer yet.")
    if profile.key_state == KeyState.REJECTED:
        raise KeyProblem("Send.ai rejected your API key the last time it was used.")
    try:
        return sendai.Client(profile.api_key())
    except UndecryptableKey:
        raise KeyProblem("Your stored key can no longer be read by Reviewer.") from None


def _key_failed(profile: Profile, error: sendai.SendaiError) -> KeyProblem:
    if isinstance(error, sendai.InvalidKey):
        Profile.objects.filter(pk=profile.pk).update(key_state=KeyState.REJECTED)
        return KeyProblem("Send.ai rejected your API key: it is unknown or has been revoked.")
    return KeyProblem("Your API key lacks the scope this needs (task.read to open tasks, task.edit to act).")


def _no_key(request: HttpRequest, profile: Profile, reason: str) -> HttpResponse:
    context = {"profile": profile, "reason": reason, "self_service": settings.ALLOW_SELF_SERVICE_KEYS}
    return render(request, "review/no_key.html", context)


def _threshold(request: HttpRequest) -> float:
    try:
        value = float(request.GET.get("threshold", DEFAULT_THRESHOLD))
    except ValueError:
        return DEFAULT_THRESHOLD
    return min(1.0, max(0.0, value)) if value == value else DEFAULT_THRESHOLD  # NaN → default


def _page_number(request: HttpRequest, task: sendai.Task) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), max(len(task.pages), 1))


def _claim(request: HttpRequest, ids: tuple[str, str, str], task: sendai.Task, *, take: bool) -> dict:
    """The queue's view of this task: who holds it, and whether that is the viewer.

    Opening a task that is in review claims it for the viewer, unless someone
    else holds it; the entry learns the status the upstream just showed.
    """
    entry = Entry.objects.filter(team_id=ids[0], project_id=ids[1], task_id=ids[2]).first()
    if entry is None:
        return {"entry": None, "holder": None, "mine": False}
    claims.remember(ids[0], ids[1], task, entry.source)
    if take and task.status == "REVIEWING":
        entry = claims.hold(entry.pk, request.user)
    else:
        entry.refresh_from_db()
    holder = entry.holder()
    return {"entry": entry, "holder": holder, "mine": bool(holder and holder.pk == request.user.pk)}


def _held_by_other(claim: dict) -> str | None:
    holder = claim["holder"]
    if holder is None or claim["mine"]:
        return None
    since = timezone.localtime(claim["entry"].claimed_at).strftime("%H:%M")
    return f"{holder.get_username()} is working on this task (since {since} UTC); you can only look."


def _context(request: HttpRequest, ids: tuple[str, str, str], task: sendai.Task, **extra) -> dict:
    team_id, project_id, task_id = ids
    claim = extra.pop("claim", None) or _claim(request, ids, task, take=False)
    unavailable = rules.unavailable_because(task)
    if reason := _held_by_other(claim):
        unavailable = dict.fromkeys(unavailable, reason)
    threshold = _threshold(request)
    number = _page_number(request, task)
    page = task.pages[number - 1] if task.pages else None
    items = overlays.page_items(page, prefix=f"p{number}-") if page else []
    order = request.GET.get("order", "page")
    if order == "confidence":
        items = sorted(items, key=lambda i: (i.confidence, i.kind, i.id))
    return {
        "task": task,
        "team_id": team_id,
        "project_id": project_id,
        "task_id": task_id,
        "task_url": reverse("task", args=ids),
        "unavailable": unavailable,
        "claim": claim,
        "claim_notice": _held_by_other(claim),
        "can_release": request.user.has_perm("accounts.release_claims"),
        "report_form": extra.pop("report_form", None) or ReportForm(),
        "token": uuid.uuid4().hex,
        "threshold": threshold,
        "order": order,
        "page_number": number,
        "page": page,
        "items": items,
        "kinds": overlays.KINDS,
        "summaries": overlays.summarize(task, threshold),
        "line_height": overlays.line_height(page) if page else 0,
        **extra,
    }


def _template(request: HttpRequest) -> str:
    partial = PARTIALS.get(request.htmx.target or "") if request.htmx else None
    return f"review/task.html#{partial}" if partial else "review/task.html"


@require_GET
def open_task(request: HttpRequest) -> HttpResponse:
    """Go to a task by its IDs (the form on the start page)."""
    profile = _reviewer(request)
    team = request.GET.get("team_id", "").strip() or profile.team_id
    project = request.GET.get("project_id", "").strip() or profile.project_id
    task_id = request.GET.get("task_id", "").strip()
    try:
        for value, kind in ((team, "team"), (project, "project"), (task_id, "task")):
            sendai.check_id(value, kind)
    except sendai.InvalidId as e:
        return render(request, "front/index.html", {"profile": profile, "open_error": str(e)}, status=400)
    return redirect(reverse("task", args=[team, project, task_id]))


@require_GET
def task(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> HttpResponse:
    profile = _reviewer(request)
    ids = (team_id, project_id, task_id)
    _check_ids(*ids)
    started = time.monotonic()
    try:
        client = _client(profile)
        ahead = None if request.htmx else claims.take_ahead(request.user, ids)
        result = sendai.TaskResult(task=ahead, request_id="") if ahead else client.get(*ids)
    except KeyProblem as e:
        return _no_key(request, profile, e.reason)
    except (sendai.InvalidKey, sendai.MissingScope) as e:
        return _no_key(request, profile, _key_failed(profile, e).reason)
    except sendai.NotFound as e:
        return render(request, "review/not_found.html", {"message": str(e), "task_id": task_id}, status=404)
    except (sendai.Unavailable, sendai.ProtocolError, sendai.Refused) as e:
        context = {"message": str(e), "request_id": e.request_id}
        return render(request, "review/unavailable.html", context, status=503)
    if not request.htmx:
        _record(request, ids, Action.OPEN, Outcome.OK, started, result.request_id, status=200, task=result.task)
    claim = _claim(request, ids, result.task, take=not request.htmx)
    return render(request, _template(request), _context(request, ids, result.task, claim=claim))


@require_GET
def page_image(request: HttpRequest, team_id: str, project_id: str, task_id: str, page_id: str) -> HttpResponse:
    """The page image, fetched with the person's key; the key never reaches the browser."""
    profile = _reviewer(request)
    _check_ids(team_id, project_id, task_id, page_id)
    try:
        image = _client(profile).page_image(team_id, project_id, task_id, page_id)
    except KeyProblem:
        raise Http404("No image.") from None
    except sendai.SendaiError:
        raise Http404("No image.") from None
    response = HttpResponse(image.content, content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def _record(
    request: HttpRequest,
    ids: tuple[str, str, str],
    action: str,
    outcome: str,
    started: float,
    request_id: str | None,
    **fields,
) -> None:
    record_action(request.user, ids, action, outcome, started=started, request_id=request_id, **fields)


def _send(client: sendai.Client, action: str, ids: tuple[str, str, str], form: ReportForm | None):
    if action == "report":
        return client.report(*ids, form.chosen_issues(), form.cleaned_data["message"] or None)
    return getattr(client, action)(*ids)


@require_POST
def act(request: HttpRequest, team_id: str, project_id: str, task_id: str, action: str) -> HttpResponse:
    profile = _reviewer(request)
    ids = (team_id, project_id, task_id)
    _check_ids(*ids)
    if action not in ACTIONS:
        raise Http404("No such action.")
    form = ReportForm(request.POST) if action == "report" else None
    started = time.monotonic()
    notice: dict[str, str] = {}
    task = None
    try:
        client = _client(profile)
        if form is not None and not form.is_valid():
            task = client.get(*ids).task
            notice = {"level": "error", "text": "Check the report: " + " ".join(form.error_list())}
            return _after(request, ids, task, notice, form, status=400)
        entry = Entry.objects.filter(team_id=team_id, project_id=project_id, task_id=task_id).first()
        if entry and (holder := entry.holder()) and holder.pk != request.user.pk:
            task = client.get(*ids).task
            reason = _held_by_other({"entry": entry, "holder": holder, "mine": False})
            _record(request, ids, action, Outcome.REFUSED, started, None, code="claimed", message=reason)
            return _after(request, ids, task, {"level": "error", "text": reason}, form, status=409)
        token = request.POST.get("token", "")
        if token and not cache.add(f"action-token:{request.user.pk}:{token}", 1, timeout=3600):
            task = client.get(*ids).task
            _record(
                request, ids, action, Outcome.DUPLICATE, started, None, message="Sent twice; the repeat was dropped."
            )
            notice = {"level": "info", "text": "That was sent already; it was not sent again."}
            return _after(request, ids, task, notice, None)
        result = _send(client, action, ids, form)
    except KeyProblem as e:
        return _key_response(request, profile, e.reason)
    except (sendai.InvalidKey, sendai.MissingScope) as e:
        reason = _key_failed(profile, e).reason
        _record(request, ids, action, Outcome.KEY, started, e.request_id, status=e.status, message=str(e))
        return _key_response(request, profile, reason)
    except sendai.NotFound as e:
        _record(request, ids, action, Outcome.REFUSED, started, e.request_id, status=404, message=str(e))
        return render(request, "review/not_found.html", {"message": str(e), "task_id": task_id}, status=404)
    except sendai.Refused as e:
        _record(
            request,
            ids,
            action,
            Outcome.REFUSED,
            started,
            e.request_id,
            status=e.status,
            code=e.code or "",
            message=e.upstream_message or str(e),
        )
        notice = {"level": "error", "text": str(e)}
        return _after_refusal(request, profile, ids, notice, form, status=400)
    except (sendai.Unavailable, sendai.ProtocolError) as e:
        outcome = Outcome.UNAVAILABLE if isinstance(e, sendai.Unavailable) else Outcome.ERROR
        _record(request, ids, action, outcome, started, e.request_id, status=e.status, message=str(e))
        notice = {"level": "error", "text": str(e), "retry": action, "request_id": e.request_id or ""}
        return _after_refusal(request, profile, ids, notice, form, status=503)
    outcome = Outcome.WARNING if result.warning else Outcome.OK
    _record(
        request,
        ids,
        action,
        outcome,
        started,
        result.request_id,
        status=200,
        message=result.warning or "",
        task=result.task,
    )
    text = _done_sentence(action, result)
    notice = {"level": "warning" if result.warning else "success", "text": text}
    if action in MOVE_ON:
        moved = _move_on(request, profile, ids, result.task, notice)
        if moved is not None:
            return moved
    return _after(request, ids, result.task, notice, None)


def _move_on(request: HttpRequest, profile: Profile, ids, task: sendai.Task, notice: dict) -> HttpResponse | None:
    """After finishing a task: release its claim, and open the next one for those who chose so."""
    entry = Entry.objects.filter(team_id=ids[0], project_id=ids[1], task_id=ids[2]).first()
    if entry is not None:
        claims.release(entry.pk, request.user)
    if not profile.auto_advance or entry is None:
        return None  # the task page shown next records the task's new status in the queue
    claims.remember(*ids[:2], task, entry.source)
    messages.success(request, notice["text"])
    try:
        found = claims.next_task(request.user, sendai.Client(profile.api_key()))
    except sendai.SendaiError as e:
        messages.error(request, f"The next task could not be opened: {e}")
        found = None
    if found is None:
        messages.info(request, "Nothing else is waiting for review.")
        url = reverse("queue")
    else:
        url = reverse("task", args=[found[0].team_id, found[0].project_id, found[0].task_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _done_sentence(action: str, result: sendai.TaskResult) -> str:
    done = {
        "complete": "Completed: Send.ai is processing the task.",
        "discard": "Discarded.",
        "report": "Report sent.",
        "approve": "Approved: the task joins the training data.",
        "disapprove": "Disapproved: the task leaves the training data.",
        "unlock": "Unlocked: the task is back in review.",
    }[action]
    return result.warning or done


def _after(request, ids, task, notice, form, status: int = 200) -> HttpResponse:
    """Show the task as the upstream returned it, with the outcome of the action."""
    if not request.htmx and status == 200 and notice.get("level") in ("success", "warning", "info"):
        getattr(messages, notice["level"])(request, notice["text"])
        return redirect(reverse("task", args=ids))
    context = _context(request, ids, task, notice=notice, report_form=form)
    template = "review/task.html#state" if request.htmx else "review/task.html"
    return render(request, template, context, status=status if not request.htmx else 200)


def _after_refusal(request, profile, ids, notice, form, status: int) -> HttpResponse:
    """After a refusal or a failure: the task as it is now, the reason, and the form as it was typed."""
    try:
        task = _client(profile).get(*ids).task
    except (KeyProblem, sendai.SendaiError):
        context = {
            "ids": ids,
            "notice": notice,
            "report_form": form,
            "task_url": reverse("task", args=ids),
            "token": uuid.uuid4().hex,
        }
        template = "review/act_failed.html#failure" if request.htmx else "review/act_failed.html"
        return render(request, template, context, status=200 if request.htmx else status)
    return _after(request, ids, task, notice, form, status=status)


def _key_response(request: HttpRequest, profile: Profile, reason: str) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRefresh()
    return _no_key(request, profile, reason)


def _issue_types_admin(request: HttpRequest) -> None:
    if not request.user.has_perm("accounts.manage_people"):
        raise PermissionDenied("Only admins configure the report's issue types.")


@require_http_methods(["GET", "POST"])
def issue_types(request: HttpRequest) -> HttpResponse:
    """The report picklist: the contract's five common types, plus the team's own."""
    _issue_types_admin(request)
    form = IssueTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Reviewers can now report \u201c{form.cleaned_data['label']}\u201d.")
        return redirect("issue-types")
    context = {"form": form, "common": sendai.COMMON_ISSUES, "types": IssueType.objects.order_by("label")}
    return render(request, "review/issue_types.html", context, status=400 if form.errors else 200)


@require_POST
def issue_type_toggle(request: HttpRequest, type_id: int) -> HttpResponse:
    _issue_types_admin(request)
    issue_type = get_object_or_404(IssueType, pk=type_id)
    issue_type.active = not issue_type.active
    issue_type.save(update_fields=["active"])
    return redirect("issue-types")
