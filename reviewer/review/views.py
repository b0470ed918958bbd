"""The review screen: a task with its pages, overlays and actions.

Access is checked first in every view by `_reviewer()`. The task lives upstream:
it is fetched with the acting person's own key, and every action is sent with
that key too. One view, one template, several renderings: a full page, or the
`state` or `viewer` partial for htmx.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from reviewer import sendai
from reviewer.accounts.models import KeyState, Profile
from reviewer.accounts.roles import profile_of
from reviewer.queue import claims, copies, reach
from reviewer.queue.models import Entry
from reviewer.review import acting, corrections, overlays, panel, prefs, rules
from reviewer.review.forms import IssueTypeForm, ReportForm
from reviewer.review.models import Action, IssueType, Outcome
from reviewer.review.records import record_action

ACTIONS = ("complete", "discard", "report", "approve", "disapprove", "unlock")
MOVE_ON = ("complete", "discard")  # actions that end a review
PARTIALS = {"task-state": "state", "viewer": "viewer"}
DEFAULT_THRESHOLD = 0.8


def _reviewer(request: HttpRequest) -> Profile:
    """The acting person's profile, if they may review; 403 otherwise."""
    if not request.user.has_perm("accounts.review_tasks"):
        raise PermissionDenied(_("Your role does not include reviewing tasks."))
    return profile_of(request.user)


def _check_ids(*ids: str) -> None:
    try:
        for value, kind in zip(ids, ("team", "project", "task", "page"), strict=False):
            sendai.check_id(value, kind)
    except sendai.InvalidId:
        raise Http404(_("No task has such an ID.")) from None


def _no_key_context(profile: Profile, reason: str) -> dict:
    return {"profile": profile, "reason": reason, "self_service": settings.ALLOW_SELF_SERVICE_KEYS}


def _no_key(request: HttpRequest, profile: Profile, reason: str) -> HttpResponse:
    return render(request, "review/no_key.html", _no_key_context(profile, reason))


def _problem(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    """A page that says why the task cannot be shown; for htmx, its `problem` fragment in place of
    the part asked for (the page strip's viewer, the PROCESSING poll's state), with the status,
    which htmx swaps (base.html's htmx-config)."""
    if not request.htmx:
        return render(request, template, context, status=status)
    target = request.htmx.target or ""
    context = {"retry_url": request.get_full_path(), **context, "target": target if target in PARTIALS else ""}
    if template == "review/no_key.html":  # the key page has no fragment: say it in the page's own words
        template = "review/unavailable.html"
        context |= {"heading": _("Your Send.ai API key is needed"), "message": context["reason"], "key_link": True}
    return render(request, f"{template}#problem", context, status=status)


def _opening_failed(request: HttpRequest, profile: Profile, ids, started: float, e: sendai.SendaiError) -> HttpResponse:
    """Send.ai did not give the task: say why, and record the failed opening (a full page's, as for a success)."""
    if isinstance(e, sendai.InvalidKey | sendai.MissingScope):
        outcome, template, status = Outcome.KEY, "review/no_key.html", 400
        context = _no_key_context(profile, acting.key_failed(profile, e))
    elif isinstance(e, sendai.NotFound):
        outcome, template, status = Outcome.REFUSED, "review/not_found.html", 404
        context = {"message": str(e), "task_id": ids[2]}
    else:
        outcome = Outcome.ERROR if isinstance(e, sendai.ProtocolError) else Outcome.UNAVAILABLE
        outcome = Outcome.REFUSED if isinstance(e, sendai.Refused) else outcome
        template, status = "review/unavailable.html", 503
        context = {"message": str(e), "request_id": e.request_id, "heading": acting.heading(e)}
    if not request.htmx:
        _record(request, ids, Action.OPEN, outcome, started, e.request_id, status=e.status, message=str(e))
    return _problem(request, template, context, status)


def _threshold(request: HttpRequest, default: float = DEFAULT_THRESHOLD) -> float:
    try:
        value = float(request.GET.get("threshold", default))
    except ValueError:
        return default
    return min(1.0, max(0.0, value)) if value == value else default  # NaN → default


def _page_number(request: HttpRequest, task: sendai.Task) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), max(len(task.pages), 1))


def _claim(
    request: HttpRequest, ids: tuple[str, str, str], task: sendai.Task, *, take: bool, seen_at=None, fresh: bool = True
) -> dict:
    """The queue's view of this task: who holds it, and whether that is the viewer.

    Opening a task that is in review claims it for the viewer, unless someone
    else holds it. A `fresh` task (just fetched from the upstream, not a copy) is a sighting:
    the entry learns the status the upstream showed at `seen_at` (unless it knows a newer
    one: then the queue's word wins and nothing is claimed).
    """
    entry = Entry.objects.select_related("claimed_by").filter(team_id=ids[0], project_id=ids[1], task_id=ids[2]).first()
    if entry is None:
        return _claim_of(request, None)
    if fresh:
        claims.remember(ids[0], ids[1], task, entry.source, seen_at=seen_at)
    if take and task.status == "REVIEWING":
        entry = claims.hold(entry.pk, request.user)
    elif fresh:
        entry = Entry.objects.select_related("claimed_by").get(pk=entry.pk)
    return _claim_of(request, entry)


def _claim_of(request: HttpRequest, entry: Entry | None) -> dict:
    holder = entry.holder() if entry else None
    return {
        "entry": entry,
        "holder": holder,
        "mine": bool(holder and holder.pk == request.user.pk),
        "viewer": request.user,
    }


def _held_by_other(claim: dict) -> str | None:
    return acting.held_by_other(claim["entry"], claim["viewer"]) if claim["entry"] and not claim["mine"] else None


def _context(request: HttpRequest, ids: tuple[str, str, str], task: sendai.Task, **extra) -> dict:
    team_id, project_id, task_id = ids
    claim = extra.pop("claim", None) or _claim(request, ids, task, take=False)
    unavailable = rules.unavailable_because(task)
    if _held_by_other(claim):
        # The notice says who holds it, once; each button only points there.
        holder = claim["holder"].get_username()
        unavailable = dict.fromkeys(unavailable, _("%(name)s holds this task.") % {"name": holder})
    view = prefs.read(profile_of(request.user).review_prefs)  # the person's view settings; the query wins
    threshold = _threshold(request, view["threshold"])
    number = _page_number(request, task)
    page = task.pages[number - 1] if task.pages else None
    editing = settings.CORRECTIONS_MODE != "off"
    draft = corrections.load(request.user, ids) if editing else None
    changes = draft.changes if draft else {}
    failures = draft.failures if draft else []
    failing, failing_items = {}, {}  # what failed, by entity, and by item where the upstream named one
    for f in failures:
        message = f.get("message") or "fails validation"
        if f.get("item_id"):
            failing_items[(f.get("page_id"), f["item_id"])] = message
        else:
            failing.setdefault(f.get("entity_id") or "", message)
    items = overlays.page_items(page, prefix=f"p{number}-") if page else []
    if changes or failures:
        items = [
            replace(
                i,
                change=changes.get(i.ref),
                failing=failing_items.get((page.id, i.id)) or (failing.get(i.entity, "") if i.entity else ""),
            )
            for i in items
        ]
    added = overlays.added_items(page, changes, prefix=f"p{number}-") if page else []
    order = request.GET.get("order", view["order"])
    order = order if order in prefs.ORDERS else "page"
    if order == "confidence":
        items = sorted(items, key=lambda i: (i.confidence, i.kind, i.id))
    present = {a.entity_id for p in task.pages for a in p.annotations} | {
        c.get("entity_id") for c in changes.values() if c.get("kind") == "annotation"
    }
    missing = [{"entity_id": e, "message": m} for e, m in failing.items() if e and e not in present and m]
    report_form = extra.pop("report_form", None)
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
        # Read only where drawn (the state, the full page): a viewer partial asks no issue types.
        "report_form": report_form or SimpleLazyObject(ReportForm),
        "report_bound": bool(report_form and report_form.is_bound),
        "token": uuid.uuid4().hex,
        "threshold": threshold,
        "order": order,
        "view": view,
        "near": min(1.0, threshold + overlays.NEAR),
        "gap": overlays.gap(overlays.line_height(page)) if page else 0,
        "overlay_data": overlays.compact(items, added) if page else [],
        "page_number": number,
        "page": page,
        "items": items,
        "kinds": overlays.KINDS,
        "summaries": overlays.summarize(task, threshold),
        "line_height": overlays.line_height(page) if page else 0,
        **_panel(request, page, items, added, threshold, order),
        "editing": editing and not claim_blocks(claim) and task.status == "REVIEWING",
        "corrections_on": editing,
        "draft": draft,
        "changes": changes,
        "change_lines": [(key, corrections.describe(c), c) for key, c in changes.items()],
        "added": added,
        "failures": failures,
        "missing": missing,
        # The full page's list (a partial draws none), and the lead's view of others' drafts: read when drawn.
        "entities": SimpleLazyObject(
            lambda: sorted(e for e in present | set(failing) | corrections.project_entities(ids) if e)
        ),
        "others_drafts": SimpleLazyObject(lambda: _others_drafts(request, ids)) if editing else [],
        "complete_label": _complete_label(len(changes)),
        **extra,
    }


def _panel(request: HttpRequest, page, items: list, added: list, threshold: float, order: str) -> dict:
    """The item panel's groups (or one list, lowest confidence first), a window of them drawn."""
    try:
        start = max(0, int(request.GET.get("items", "0")))
    except ValueError:
        start = 0
    if not page:
        return {"groups": [], "listing": None, "pager": None}
    number = request.GET.get("page", "1")
    items_url = f"{request.path}?page={number if number.isdigit() else 1}&threshold={threshold:g}&order={order}"
    if order == "confidence":
        listing, pager = panel.entries(items, added, threshold, start)
        return {"groups": [], "listing": listing, "pager": pager, "items_url": items_url}
    groups, pager = panel.render(panel.groups(items, added, threshold, overlays.line_height(page)), threshold, start)
    return {"groups": groups, "listing": None, "pager": pager, "items_url": items_url}


def claim_blocks(claim: dict) -> bool:
    """Whether someone else holds the task, so that the viewer can only look."""
    return bool(claim["holder"] and not claim["mine"])


def _complete_label(count: int) -> str:
    if not count:
        return pgettext("action", "Complete")
    return ngettext("Complete with %(count)s correction", "Complete with %(count)s corrections", count) % {
        "count": count
    }


def _others_drafts(request: HttpRequest, ids: tuple[str, str, str]) -> list[dict]:
    """Unsent corrections of other people on this task: a lead sees them."""
    if not request.user.has_perm("accounts.audit_work"):
        return []
    return [
        {
            "username": d.user.get_username(),
            "updated_at": d.updated_at,
            "lines": [corrections.describe(c) for c in d.changes.values()],
        }
        for d in corrections.others(request.user, ids)
    ]


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


def _copy_to_show(request: HttpRequest, profile: Profile, ids: tuple[str, str, str]):
    """The person's copy of the task that this request may show instead of asking the upstream
    (reviewer/queue/copies.py says what keeps it good): the viewer's requests (page, threshold,
    order) take one as long as it lives; a full open one fetched within copies.OPEN_SECONDS (the
    task "next" fetched ahead, a reload); the PROCESSING poll, and any other partial, none. Nor
    does anyone whose key Send.ai rejected the last time: only Send.ai can say whether it still does."""
    if profile.key_state == KeyState.REJECTED:
        return None
    if not request.htmx:
        return claims.take_ahead(request.user, ids)
    if PARTIALS.get(request.htmx.target or "") == "viewer":
        return copies.look(request.user, ids)
    return None


@require_GET
def task(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> HttpResponse:
    profile = _reviewer(request)
    ids = (team_id, project_id, task_id)
    _check_ids(*ids)
    started, seen = time.monotonic(), timezone.now()
    try:
        client = acting.client_for(profile)
        copy = _copy_to_show(request, profile, ids)
        result = sendai.TaskResult(task=copy.task, request_id="") if copy else client.get(*ids)
        seen = copy.seen_at if copy else seen
    except acting.KeyProblem as e:
        return _problem(request, "review/no_key.html", _no_key_context(profile, e.reason), 400)
    except sendai.SendaiError as e:
        return _opening_failed(request, profile, ids, started, e)
    if not request.htmx:
        _record(request, ids, Action.OPEN, Outcome.OK, started, result.request_id, status=200, task=result.task)
    if copy is None:
        reach.learn(request.user, team_id, project_id)  # the person's key opens this project: the queue shows it
        acting.key_answered(profile, acted=False)
    claim = _claim(request, ids, result.task, take=not request.htmx, seen_at=seen, fresh=copy is None)
    if copy is None:
        copies.keep(request.user, ids, result.task, seen)  # after the sighting: for the next page switch
    return render(request, _template(request), _context(request, ids, result.task, claim=claim))


@require_GET
def page_image(request: HttpRequest, team_id: str, project_id: str, task_id: str, page_id: str) -> HttpResponse:
    """The page image, fetched with the person's key; the key never reaches the browser.

    The bytes are kept beside the person's task copy (copies.keep_image: the same person, key and
    task, outdated by the same events), so that reopening a task, or its next page fetched ahead,
    does not ask the upstream again; anyone whose key Send.ai rejected the last time is always
    sent upstream. The answer carries a strong validator: a browser that has the image is
    answered 304 without its bytes.
    """
    profile = _reviewer(request)
    _check_ids(team_id, project_id, task_id, page_id)
    ids = (team_id, project_id, task_id)
    try:
        client = acting.client_for(profile)
        kept = copies.look_image(request.user, ids, page_id) if profile.key_state != KeyState.REJECTED else None
        if kept is None:
            seen = timezone.now()
            image = client.page_image(team_id, project_id, task_id, page_id)
            kept = copies.keep_image(request.user, ids, page_id, image, seen)
    except sendai.NotFound:
        return _image_problem("none", 404, _("Send.ai offers no image of this page."))
    except acting.KeyProblem as e:
        return _image_problem("key", 403, e.reason)
    except (sendai.InvalidKey, sendai.MissingScope) as e:
        acting.key_failed(profile, e)  # a 401 marks the key suspect: no kept image is shown to it
        copies.drop_image(request.user, ids, page_id)
        return _image_problem("key", 403, str(e))
    except sendai.SendaiError as e:
        return _image_problem("failed", 502, str(e))
    if kept.etag in _etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(kept.content, content_type=kept.content_type)
    response["ETag"] = kept.etag
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def _etags(header: str) -> set[str]:
    """The validators of an If-None-Match header (weak ones compared by their opaque part)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _image_problem(reason: str, status: int, message: str) -> HttpResponse:
    """Why there is no page image, as plain text: the viewer shows it on the page.

    `X-Image-Problem` says which: "none" (the upstream has no image of this page), "key" (the
    person's key cannot read it) or "failed" (the upstream did not answer as it should; a
    retry may help).
    """
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["X-Image-Problem"] = reason
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def view_prefs(request: HttpRequest) -> HttpResponse:
    """Remember the review screen's view settings for this person (the screen posts what changed)."""
    profile = _reviewer(request)
    form = prefs.PrefsForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": form.error_text()}, status=400)
    stored = profile.review_prefs if isinstance(profile.review_prefs, dict) else {}
    profile.review_prefs = {**stored, **form.posted()}
    profile.save(update_fields=["review_prefs"])
    return JsonResponse({"prefs": prefs.read(profile.review_prefs)})


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
        raise Http404(_("No such action."))
    form = ReportForm(request.POST) if action == "report" else None
    if form is not None and not form.is_valid():
        notice = {"level": "error", "text": _("Check the report: %(errors)s") % {"errors": " ".join(form.error_list())}}
        return _after_refusal(request, profile, ids, notice, form, status=400)
    attempt = acting.perform(
        request.user,
        profile,
        ids,
        action,
        issues=form.chosen_issues() if form else None,
        message=(form.cleaned_data["message"] or None) if form else None,
        token=request.POST.get("token", ""),
    )
    # The report dialog is sent again only after a report (closed and empty, or with what was typed
    # and why it was refused); after any other action the page keeps its own (htmx's hx-preserve).
    keep_report = bool(request.htmx) and action != "report"
    if not attempt.done:  # refused, failed, 401/403/404 included: the reason, with what was typed
        keep = form if attempt.level == "error" else None
        return _after_refusal(
            request, profile, ids, attempt.notice, keep, status=attempt.status, keep_report=keep_report
        )
    if action in acting.MOVE_ON:
        moved = _move_on(request, profile, ids, attempt)
        if moved is not None:
            return moved
    claim = _claim_of(request, attempt.entry)
    return _after(request, ids, attempt.task, attempt.notice, None, claim=claim, keep_report=keep_report)


def _move_on(request: HttpRequest, profile: Profile, ids, attempt: acting.Attempt) -> HttpResponse | None:
    """After finishing a task, open the next one for those who chose so (acting gave the claim back)."""
    if not profile.auto_advance or attempt.entry is None:
        return None
    notice = attempt.notice
    name = attempt.entry.name or ids[2]
    # The notice lands on the next task's page: it names the one that was finished.
    text = _("%(name)s (%(task)s): %(outcome)s") % {"name": name, "task": ids[2], "outcome": notice["text"]}
    messages.success(request, text)
    try:
        found = claims.next_task(request.user, acting.client_for(profile))
    except (acting.KeyProblem, sendai.SendaiError) as e:
        messages.error(request, _("The next task could not be opened: %(reason)s") % {"reason": e})
        found = None
    if found is None:
        messages.info(request, _("Nothing else is waiting for review."))
        url = reverse("queue")
    else:
        url = reverse("task", args=[found[0].team_id, found[0].project_id, found[0].task_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _after(
    request, ids, task, notice, form, status: int = 200, claim: dict | None = None, keep_report: bool = False
) -> HttpResponse:
    """Show the task as the upstream returned it, with the outcome of the action."""
    if not request.htmx and status == 200 and notice.get("level") in ("success", "warning", "info"):
        getattr(messages, notice["level"])(request, notice["text"])
        return redirect(reverse("task", args=ids))
    context = _context(request, ids, task, notice=notice, report_form=form, claim=claim, keep_report=keep_report)
    template = "review/task.html#state" if request.htmx else "review/task.html"
    return render(request, template, context, status=status if not request.htmx else 200)


def _after_refusal(request, profile, ids, notice, form, status: int, keep_report: bool = False) -> HttpResponse:
    """After a refusal or a failure: the task as it is now, the reason, and the form as it was typed."""
    seen = timezone.now()
    try:
        task = acting.client_for(profile).get(*ids).task
    except (acting.KeyProblem, sendai.SendaiError):
        context = {
            "ids": ids,
            "notice": notice,
            "report_form": form,
            "task_url": reverse("task", args=ids),
            "token": uuid.uuid4().hex,
        }
        template = "review/act_failed.html#failure" if request.htmx else "review/act_failed.html"
        return render(request, template, context, status=200 if request.htmx else status)
    claim = _claim(request, ids, task, take=False, seen_at=seen)
    copies.keep(request.user, ids, task, seen)  # as it is now, after the refusal
    return _after(request, ids, task, notice, form, status=status, claim=claim, keep_report=keep_report)


def _drafting(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> tuple[str, str, str]:
    """The task's IDs, for a person who may review, where corrections are on; 403 or 404 otherwise."""
    _reviewer(request)
    if settings.CORRECTIONS_MODE == "off":
        raise Http404(_("Corrections are switched off here."))
    ids = (team_id, project_id, task_id)
    _check_ids(*ids)
    return ids


def _seen(request: HttpRequest) -> int | None:
    """The draft's version that the page last saw, when it says."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() and len(version) < 10 else None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _draft_answer(request: HttpRequest, ids, draft, *, status: int = 200, **fields) -> HttpResponse:
    """The draft as it is now: JSON for the panel's script, or back to the task for a plain form."""
    changes = draft.changes if draft else {}
    if not _wants_json(request):
        if fields.get("error"):
            messages.error(request, fields["error"])
        page = request.POST.get("page_number", "")
        return redirect(reverse("task", args=ids) + (f"?page={page}" if page.isdigit() else ""))
    summary = render_to_string(
        "review/_draft.html",
        {
            "change_lines": [(key, corrections.describe(c), c) for key, c in changes.items()],
            "draft_url": reverse("task-draft", args=ids),
            "corrections_on": True,
            "editing": True,
        },
        request=request,
    )
    body = {
        "version": draft.version if draft else 0,
        "count": len(changes),
        "complete_label": _complete_label(len(changes)),
        "summary": summary,
        **fields,
    }
    return JsonResponse(body, status=status)


@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> HttpResponse:
    """A person's corrections to a task: GET the draft's state, POST one change (saved at once, no upstream call)."""
    ids = _drafting(request, team_id, project_id, task_id)
    current = corrections.load(request.user, ids)
    if request.method == "GET":
        return _draft_answer(request, ids, current, changes=current.changes if current else {})
    owner = request.POST.get("owner", "")
    if owner and owner != str(request.user.pk):
        # A page opened by someone else, whose changes waited in this browser: not this person's to save.
        error = _("These changes were made by someone else who used this browser; they were not saved.")
        return _draft_answer(request, ids, current, status=409, error=error, field="owner")
    try:
        key, change = corrections.build_change(request.POST.dict())
    except corrections.CorrectionError as e:
        return _draft_answer(request, ids, current, status=400, error=str(e), field=e.field)
    count = len(current.changes) if current else 0
    if change is not None and count >= corrections.MAX_OPERATIONS and key not in (current.changes if current else {}):
        error = _("A task takes at most %(limit)s corrections; this one was not saved.") % {
            "limit": formats.number_format(corrections.MAX_OPERATIONS, force_grouping=True)
        }
        return _draft_answer(request, ids, current, status=400, error=error, field="op")
    saved = corrections.save(request.user, ids, key, change, _seen(request))
    fragment = render_to_string("review/_change.html", {"change": change}) if change else ""
    notice = (
        _("These corrections were also changed in another tab or window; the panel now shows them all.")
        if saved.conflict
        else ""
    )
    return _draft_answer(request, ids, saved.draft, key=key, change=change, fragment=fragment, conflict=notice)


@require_POST
def draft_undo(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> HttpResponse:
    """Take one change back: the item is as the AI left it."""
    ids = _drafting(request, team_id, project_id, task_id)
    key = request.POST.get("key", "")
    current = corrections.load(request.user, ids)
    if current is None or key not in current.changes:
        return _draft_answer(request, ids, current, key=key, change=None, fragment="")
    saved = corrections.save(request.user, ids, key, None, _seen(request))
    return _draft_answer(request, ids, saved.draft, key=key, change=None, fragment="")


@require_POST
def draft_discard(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> HttpResponse:
    """Throw all of the person's corrections to this task away (the page asks first)."""
    ids = _drafting(request, team_id, project_id, task_id)
    count = corrections.discard(request.user, ids)
    if count:
        text = ngettext("%(count)s correction discarded.", "%(count)s corrections discarded.", count) % {"count": count}
    else:
        text = _("There were no corrections.")
    if _wants_json(request):
        return _draft_answer(request, ids, None, discarded=count, notice=text)
    messages.info(request, text)
    return redirect(reverse("task", args=ids))


def _issue_types_admin(request: HttpRequest) -> None:
    if not request.user.has_perm("accounts.manage_people"):
        raise PermissionDenied(_("Only admins configure the report's issue types."))


@require_http_methods(["GET", "POST"])
def issue_types(request: HttpRequest) -> HttpResponse:
    """The report picklist: the contract's five common types, plus the team's own."""
    _issue_types_admin(request)
    form = IssueTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Reviewers can now report “%(label)s”.") % {"label": form.cleaned_data["label"]})
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
