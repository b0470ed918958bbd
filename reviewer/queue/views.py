"""The queue page, "next task", claims, and the leads' sync and import (the webhook receiver is webhook.py).

Access is checked first in every view: `_reviewer()` for working the queue,
`_lead()` for syncing, importing and releasing others' claims.
"""

from __future__ import annotations

import contextlib
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from reviewer import background, sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.models import Profile
from reviewer.accounts.roles import profile_of
from reviewer.queue import claims, reach, sources, tasks
from reviewer.queue.models import Entry, Skip, SyncRun
from reviewer.review.acting import key_answered, key_failed

logger = logging.getLogger(__name__)


def _reviewer(request: HttpRequest) -> Profile:
    if not request.user.has_perm("accounts.review_tasks"):
        raise PermissionDenied(_("Your role does not include reviewing tasks."))
    return profile_of(request.user)


def _lead(request: HttpRequest) -> Profile:
    if not request.user.has_perm("accounts.release_claims"):
        raise PermissionDenied(_("Only team leads and admins manage the queue."))
    return profile_of(request.user)


def _go(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    profile = _reviewer(request)
    now = timezone.now()
    seen = Entry.objects.filter(reach.visible(request.user))  # what the person's key reaches (queue/reach.py)
    lead = request.user.has_perm("accounts.release_claims")
    mine = Skip.objects.filter(user=request.user, entry=OuterRef("pk"))
    entries = (
        seen.select_related("claimed_by")
        .annotate(skipped_by_me=Exists(mine), skippers=Count("skips", filter=Q(skips__kind=Skip.Kind.SKIPPED)))
        .order_by("created_at", "id")
    )
    filters = {
        "project": request.GET.get("project", "").strip(),
        "step_type": request.GET.get("step_type", "").strip(),
        "claimed_by": request.GET.get("claimed_by", "").strip(),
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", "").strip(),
        "skipped": request.GET.get("skipped", "").strip(),
    }
    if filters["skipped"] == "me":
        entries = entries.filter(skipped_by_me=True)
    elif filters["skipped"] == "several" and lead:
        entries = entries.filter(skippers__gte=2)
    if filters["project"]:
        entries = entries.filter(project_id=filters["project"])
    if filters["step_type"]:
        entries = entries.filter(step_type=filters["step_type"])
    if filters["claimed_by"]:
        entries = entries.filter(claimed_by__username=filters["claimed_by"], claim_expires_at__gt=now)
    if filters["status"]:
        entries = entries.filter(status="" if filters["status"] == "UNKNOWN" else filters["status"])
    if filters["q"]:
        entries = entries.filter(task_id__icontains=filters["q"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    counts = seen.values("status").annotate(n=Count("id")).order_by("status")
    context = {
        "profile": profile,
        "page": page,
        "now": now,
        "filters": filters,
        "counts": [(c["status"] or "UNKNOWN", c["n"]) for c in counts],
        "available": claims.available(now, user=request.user).count(),
        "lead": lead,
        "projects": seen.values_list("project_id", flat=True).distinct().order_by("project_id"),
        "step_types": seen.exclude(step_type="").values_list("step_type", flat=True).distinct(),
        "syncs": recent_syncs(request) if lead else [],
        "claims": seen.filter(claim_expires_at__gt=now).select_related("claimed_by").order_by("claimed_at")
        if request.user.has_perm("accounts.release_claims")
        else None,
    }
    context["syncing"] = any(run.active for run in context["syncs"])
    return render(request, "queue/queue.html", context)


@require_POST
def next_task(request: HttpRequest) -> HttpResponse:
    """Claim the oldest available task (optionally of a project or step type) and open it."""
    profile = _reviewer(request)
    project = request.POST.get("project", "").strip()
    step_type = request.POST.get("step_type", "").strip()
    if not profile.key_works:
        messages.error(request, _("Set your Send.ai API key first: every task is opened with it."))
        return _go(request, reverse("account"))
    try:
        found = claims.next_task(request.user, sendai.Client(profile.api_key()), project=project, step_type=step_type)
    except UndecryptableKey as e:
        messages.error(request, str(e))
        return _go(request, reverse("account"))
    except (sendai.InvalidKey, sendai.MissingScope) as e:
        messages.error(request, key_failed(profile, e))
        return _go(request, reverse("account"))
    except sendai.SendaiError as e:
        messages.error(request, _("No task could be handed out: %(reason)s") % {"reason": e})
        return _go(request, reverse("queue"))
    if found is None:
        messages.info(request, _("Nothing is waiting for review. Well done."))
        return _go(request, reverse("queue"))
    entry = found[0]
    key_answered(profile, acted=False)
    return _go(request, reverse("task", args=[entry.team_id, entry.project_id, entry.task_id]))


@require_GET
def ahead(request: HttpRequest) -> HttpResponse:
    """Fetch the next task ahead of time (the task page asks while its task is reviewed)."""
    profile = _reviewer(request)
    if profile.key_works:
        with contextlib.suppress(UndecryptableKey):  # marked so; the next page says it
            claims.fetch_ahead(request.user, sendai.Client(profile.api_key()))
    return HttpResponse(status=204)


@require_POST
def renew(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Extend the claim the person holds (never take one): 409 when it is not theirs (any more)."""
    _reviewer(request)
    entry, mine = claims.renew(entry_id, request.user)
    if entry is None:
        return HttpResponse(status=404)
    if not mine:
        return HttpResponse(status=409)
    if request.htmx:  # the task page's header shows the claim's new end
        return render(request, "review/task.html#holder", {"claim": {"entry": entry, "mine": True}})
    return HttpResponse(status=204)


@require_POST
def release(request: HttpRequest, entry_id: int) -> HttpResponse:
    _reviewer(request)
    claims.release(entry_id, request.user)
    return HttpResponse(status=204) if request.htmx or request.POST.get("beacon") else redirect("queue")


@require_POST
def release_claim(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A lead returns someone else's claim to the queue."""
    _lead(request)
    if claims.release(entry_id, request.user, by=request.user):
        messages.success(request, _("The claim was released; the task is back in the queue."))
    else:
        messages.info(request, _("Nobody held that task any more."))
    nxt = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(nxt)
    return redirect("queue")


@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """Start a sync of a project's tasks in the worker; the queue page shows its progress."""
    profile = _lead(request)
    team_id = request.POST.get("team_id", "").strip() or profile.team_id
    project_id = request.POST.get("project_id", "").strip() or profile.project_id
    try:
        sendai.check_id(team_id, "team")
        sendai.check_id(project_id, "project")
    except sendai.InvalidId as e:
        messages.error(request, _("The sync failed: %(reason)s") % {"reason": e})
        return redirect("queue")
    if not profile.key_works:
        messages.error(request, _("Set your Send.ai API key first: the sync lists tasks with it."))
        return redirect("queue")
    try:
        profile.api_key()  # said now, not by the worker
    except UndecryptableKey as e:
        messages.error(request, str(e))
        return redirect("queue")
    with transaction.atomic():
        running = _syncs(request).filter(
            kind=SyncRun.Kind.MANUAL, team_id=team_id, project_id=project_id, status__in=SyncRun.ACTIVE
        )
        if running.select_for_update().exists():
            messages.info(
                request, _("A sync of %(team)s/%(project)s is already under way.") % _where(team_id, project_id)
            )
            return redirect("queue")
        run = SyncRun.objects.create(
            kind=SyncRun.Kind.MANUAL, team_id=team_id, project_id=project_id, started_by=request.user
        )
        background.enqueue(tasks.run_sync, run.pk)
    messages.success(
        request,
        _("The sync of %(team)s/%(project)s has started; its progress is shown below.") % _where(team_id, project_id),
    )
    return redirect(reverse("queue") + "#syncs-h")


def _where(team_id: str, project_id: str) -> dict:
    return {"team": team_id, "project": project_id}


def _syncs(request: HttpRequest):
    """The sync runs a lead sees: their own, and those that no person started (upload events)."""
    return SyncRun.objects.filter(Q(started_by=request.user) | Q(started_by__isnull=True))


def recent_syncs(request: HttpRequest) -> list[SyncRun]:
    return list(_syncs(request).select_related("started_by")[:5])


@require_GET
def syncs(request: HttpRequest) -> HttpResponse:
    """The latest syncs and their progress: the part of the queue page that polls while one runs."""
    _lead(request)
    runs = recent_syncs(request)
    return render(request, "queue/queue.html#syncs", {"syncs": runs, "syncing": any(r.active for r in runs)})


@require_POST
def import_ids(request: HttpRequest) -> HttpResponse:
    profile = _lead(request)
    team_id = request.POST.get("team_id", "").strip() or profile.team_id
    project_id = request.POST.get("project_id", "").strip() or profile.project_id
    text = request.POST.get("ids", "")
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > 2 * 1024 * 1024:
            messages.error(request, _("The file is larger than 2 MB; split it."))
            return redirect("queue")
        try:
            text = "\n".join(part for part in (text.rstrip("\r\n"), upload.read().decode("utf-8-sig")) if part)
        except UnicodeDecodeError:
            messages.error(request, _("The file is not UTF-8 text (CSV)."))
            return redirect("queue")
    if not text.strip():
        messages.error(request, _("Paste task IDs or choose a CSV file."))
        return redirect("queue")
    context = {"team_id": team_id, "project_id": project_id, "ids": text}  # the file's lines too
    try:  # every new ID is asked of Send.ai with the importer's own key
        if not profile.key_works:
            raise sources.ImportRefused(_("Set your Send.ai API key first: every imported task ID is checked with it."))
        result = sources.import_ids(text, team_id, project_id, sendai.Client(profile.api_key()))
    except (sources.ImportRefused, UndecryptableKey) as e:
        return render(request, "queue/import_refused.html", {**context, "error": str(e)}, status=400)
    failed = result.problems or result.missing or result.unreadable or result.unchecked
    return render(request, "queue/import_result.html", {**context, "result": result}, status=400 if failed else 200)
