"""The review screen: a task with its pages, overlays and actions.

Access is checked first in every view by `_reviewer()`; the task itself is
fetched from the upstream with the acting person's own key by `_fetch()`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from reviewer import sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.models import KeyState, Profile
from reviewer.accounts.roles import profile_of


def _reviewer(request: HttpRequest) -> Profile:
    """The acting person's profile, if they may review; 403 otherwise."""
    if not request.user.has_perm("accounts.review_tasks"):
        raise PermissionDenied("Your role does not include reviewing tasks.")
    return profile_of(request.user)


def _check_ids(*ids: str) -> None:
    try:
        for value in ids:
            sendai.check_id(value, "ID")
    except sendai.InvalidId:
        raise Http404("No task has such an ID.") from None


def _no_key(request: HttpRequest, profile: Profile, reason: str) -> HttpResponse:
    context = {"profile": profile, "reason": reason, "self_service": settings.ALLOW_SELF_SERVICE_KEYS}
    return render(request, "review/no_key.html", context)


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
    _check_ids(team_id, project_id, task_id)
    if not profile.has_key:
        return _no_key(request, profile, "You have no Send.ai API key in Reviewer yet.")
    if profile.key_state == KeyState.REJECTED:
        return _no_key(request, profile, "Send.ai rejected your API key the last time it was used.")
    try:
        result = sendai.Client(profile.api_key()).get(team_id, project_id, task_id)
    except UndecryptableKey:
        return _no_key(request, profile, "Your stored key can no longer be read by Reviewer.")
    except sendai.InvalidKey:
        Profile.objects.filter(pk=profile.pk).update(key_state=KeyState.REJECTED)
        profile.key_state = KeyState.REJECTED
        return _no_key(request, profile, "Send.ai rejected your API key: it is unknown or has been revoked.")
    except sendai.MissingScope:
        return _no_key(request, profile, "Your API key lacks the task.read scope, so it cannot open tasks.")
    except sendai.NotFound as e:
        return render(request, "review/not_found.html", {"message": str(e), "task_id": task_id}, status=404)
    except (sendai.Unavailable, sendai.ProtocolError) as e:
        context = {"message": str(e), "request_id": e.request_id}
        return render(request, "review/unavailable.html", context, status=503)
    context = {"task": result.task, "team_id": team_id, "project_id": project_id, "request_id": result.request_id}
    return render(request, "review/task.html", context)
