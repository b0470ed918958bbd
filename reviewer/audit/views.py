"""The audit pages, for team leads and admins.

The approvals ledger and the activity log (filtered, paged by keyset, exported to CSV as
a stream), each task's history, per-reviewer figures with charts, and the second review
of approvals. Access is checked first in every view by `_auditor()`, or by `_sample()` and
`_sample_item()`, which call it. Nothing here changes or deletes an action record: the one
write to the log is the record of a lead's own disapproval, through `record_action`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import unicodedata
from collections.abc import Iterator
from contextlib import nullcontext

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviewer import sendai
from reviewer.accounts.roles import profile_of
from reviewer.audit import charts, corrections, sampling
from reviewer.audit.figures import KINDS, Figures, compute
from reviewer.audit.forms import LogFilterForm, PeriodForm, SampleForm, VerdictForm, today
from reviewer.audit.models import Sample, SampleItem, Verdict
from reviewer.audit.templatetags.audit import percent, ratio, seconds
from reviewer.review import acting
from reviewer.review.models import Action, ActionRecord, CorrectionRecord

PAGE_SIZE = 50
ENTITY_BARS = 20  # entities in the chart; the table has them all
HISTORY_LIMIT = 2000
CSV_CHUNK = 2000
CSV_BATCH = 500  # rows written per piece of the stream, and whose corrections are read together
LEDGER_ACTIONS = [Action.APPROVE.value, Action.DISAPPROVE.value]
ALL_ACTIONS = list(Action.values)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ACTION_LABELS = dict(Action.choices)
DISAPPROVED = gettext_lazy("Disapproved in Send.ai: the task left the training data.")
# Each chart's title, for one reviewer and for everyone: whole sentences, as languages differ
# in how they say whose.
TITLES = {
    "per-day": (
        gettext_lazy("%(reviewer)s's actions per day, %(start)s to %(end)s"),
        gettext_lazy("Everyone's actions per day, %(start)s to %(end)s"),
    ),
    "time-on-task": (
        gettext_lazy("%(reviewer)s's time on task, %(start)s to %(end)s"),
        gettext_lazy("Everyone's time on task, %(start)s to %(end)s"),
    ),
    "corrected": (
        gettext_lazy("%(reviewer)s's completes with corrections, %(start)s to %(end)s"),
        gettext_lazy("Everyone's completes with corrections, %(start)s to %(end)s"),
    ),
    "entities": (
        gettext_lazy("%(reviewer)s's corrections per entity, %(start)s to %(end)s"),
        gettext_lazy("Everyone's corrections per entity, %(start)s to %(end)s"),
    ),
}
VERDICT_DONE = {
    Verdict.AGREED: gettext_lazy("%(task)s: agreed."),
    Verdict.DISAGREED: gettext_lazy("%(task)s: disagreed."),
}


def _auditor(request: HttpRequest) -> None:
    """Let through those who may audit the team's work (leads and admins); 403 for anyone else."""
    if not request.user.has_perm("accounts.audit_work"):
        raise PermissionDenied(_("Only team leads and admins see the audit pages."))


def _sample(request: HttpRequest, sample_id: int) -> Sample:
    _auditor(request)
    return get_object_or_404(Sample, pk=sample_id)


def _sample_item(request: HttpRequest, item_id: int) -> SampleItem:
    """The sampled approval `item_id`, for a lead who did not approve it themselves."""
    _auditor(request)
    item = get_object_or_404(SampleItem.objects.select_related("sample", "record"), pk=item_id)
    if item.record.user_id == request.user.pk or item.approver == request.user.get_username():
        raise PermissionDenied(_("This is your own approval: another lead gives the second review."))
    return item


# --- The ledger and the activity log --------------------------------------------------


def _cursor(record: ActionRecord) -> str:
    """A position in the log, newest first: the record's time in microseconds, and its id."""
    return f"{(record.at - EPOCH) // dt.timedelta(microseconds=1)}.{record.pk}"


def _parse_cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = (value or "").split(".")
        return EPOCH + dt.timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


def _keyset(records: QuerySet, request: HttpRequest) -> dict:
    """One page of `records`, newest first, after (older than) or before (newer than) a cursor.

    Keyset paging reads only the rows it shows, through the index on `at`, at any depth and
    with no COUNT(*) of a million rows on every page.
    """
    before = _parse_cursor(request.GET.get("before"))
    after = None if before else _parse_cursor(request.GET.get("after"))
    if before:
        at, pk = before
        newer_first = records.filter(at__gte=at).filter(Q(at__gt=at) | Q(pk__gt=pk)).order_by("at", "pk")
        rows = list(newer_first[: PAGE_SIZE + 1])
        more_newer = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        return {
            "rows": rows,
            "newer": _link(request, before=_cursor(rows[0])) if more_newer else None,
            "older": _link(request, after=_cursor(rows[-1])) if rows else None,
            "newest": _link(request),
        }
    if after:
        at, pk = after
        records = records.filter(at__lte=at).filter(Q(at__lt=at) | Q(pk__lt=pk))
    rows = list(records.order_by("-at", "-pk")[: PAGE_SIZE + 1])
    more_older = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return {
        "rows": rows,
        "newer": _link(request, before=_cursor(rows[0])) if after and rows else None,
        "older": _link(request, after=_cursor(rows[-1])) if more_older else None,
        "newest": _link(request) if after else None,
    }


def _link(request: HttpRequest, **params: str) -> str:
    """This page's address with the same filters and `params` (a cursor, or a format)."""
    query = request.GET.copy()
    for name in ("after", "before", "format"):
        query.pop(name, None)
    query.update(params)
    return "?" + query.urlencode() if query else "?"


@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Every approve and disapprove, with the task's approval state now."""
    _auditor(request)
    return _log(request, LEDGER_ACTIONS, "audit/approvals.html", "approvals")


@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    """Every recorded action and opening."""
    _auditor(request)
    return _log(request, ALL_ACTIONS, "audit/activity.html", "activity")


def _log(request: HttpRequest, actions: list[str], template: str, name: str) -> HttpResponse:
    form = LogFilterForm(request.GET, actions=actions)
    context = {"form": form, "section": name}
    if not form.is_valid():
        return render(request, template, context, status=400)
    records = form.scope(ActionRecord.objects.all())
    if name == "approvals":
        records = records.annotate(approved_now=sampling.approval_now())
    if request.GET.get("format") == "csv":
        return _csv(records, LEDGER_COLUMNS if name == "approvals" else ACTIVITY_COLUMNS, f"{name}-{today()}.csv")
    context.update(page=_keyset(records, request), csv_url=_link(request, format="csv"))
    return render(request, template, context)


# (header, field) of each CSV column; DETAILS is not a field but the corrections in words.
DETAILS = "correction_details"
LEDGER_COLUMNS = [
    ("when (UTC)", "at"),
    ("reviewer", "username"),
    ("action", "action"),
    ("outcome", "outcome"),
    ("team", "team_id"),
    ("project", "project_id"),
    ("task", "task_id"),
    ("approved after", "task_approved"),
    ("approved now", "approved_now"),
    ("upstream status", "upstream_status"),
    ("upstream code", "upstream_code"),
    ("message", "message"),
    ("request id", "request_id"),
    ("corrections", "correction_count"),
    ("correction_details", DETAILS),
]
ACTIVITY_COLUMNS = [
    *LEDGER_COLUMNS[:7],
    ("task status after", "task_status"),
    ("approved after", "task_approved"),
    ("seconds on task", "seconds_on_task"),
    ("duration ms", "duration_ms"),
    *LEDGER_COLUMNS[9:],
]


def _csv(records: QuerySet, columns: list[tuple[str, str]], filename: str) -> StreamingHttpResponse:
    """The records as CSV, streamed: the database hands over CSV_CHUNK rows at a time."""
    fields = [f for _, f in columns if f != DETAILS]
    rows = records.order_by("-at", "-pk").values_list("pk", *fields)
    lines = _csv_lines([h for h, _ in columns], [f for _, f in columns], rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _csv_lines(header: list[str], columns: list[str], rows: QuerySet) -> Iterator[str]:
    """CSV text, a few hundred rows at a time.

    Rows come as (pk, *fields); each batch of CSV_BATCH rows reads the corrections of those of
    its records that sent any, in one query, for the DETAILS column.

    On PostgreSQL the rows come through a server-side cursor inside a read transaction: outside
    one, Django declares the cursor WITH HOLD, and PostgreSQL then computes the whole result
    before the first row. (SQLite reads in chunks anyway, and a transaction there would take
    the write lock for the length of the download.)
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    fields = [f for f in columns if f != DETAILS]
    count = fields.index("correction_count") + 1
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        stream = rows.iterator(chunk_size=CSV_CHUNK)
        try:
            while batch := list(itertools.islice(stream, CSV_BATCH)):
                written = _details_of([row[0] for row in batch if row[count]])
                for row in batch:
                    values = dict(zip(fields, row[1:], strict=True))
                    values[DETAILS] = written.get(row[0], "")
                    writer.writerow([_cell(values[f]) for f in columns])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        finally:  # a client that hangs up: close the cursor while its transaction still exists
            stream.close()
    yield buffer.getvalue()


def _details_of(pks: list[int]) -> dict[int, str]:
    """The corrections of these records in words, by record: one query, none for no records."""
    if not pks:
        return {}
    rows = CorrectionRecord.objects.filter(record_id__in=pks).order_by("record_id", "pk")
    return {
        pk: corrections.details(group)
        for pk, group in itertools.groupby(rows.iterator(chunk_size=CSV_CHUNK), key=lambda c: c.record_id)
    }


def _cell(value) -> str | int:
    """A CSV cell. Text that a spreadsheet would run as a formula is quoted with a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")  # and their full-width forms


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet might run `text` as a formula: it starts with a tab or CR, or its first
    character that is neither whitespace nor an invisible control or format character (NUL, a
    zero-width space, a byte-order mark…) is = + - or @."""
    for char in text:
        if char in FORMULA_STARTS:
            return True
        if not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")):
            return False
    return False


@require_GET
def task_history(request: HttpRequest, team_id: str, project_id: str, task_id: str) -> HttpResponse:
    """Every record of one task, by everyone, oldest first, and its second reviews."""
    _auditor(request)
    try:
        for value, kind in ((team_id, "team"), (project_id, "project"), (task_id, "task")):
            sendai.check_id(value, kind)
    except sendai.InvalidId:
        raise Http404(_("No task has such an ID.")) from None
    ids = {"team_id": team_id, "project_id": project_id, "task_id": task_id}
    records = list(
        ActionRecord.objects.filter(**ids)
        .order_by("at", "pk")
        .prefetch_related(Prefetch("corrections", queryset=CorrectionRecord.objects.order_by("pk")))[
            : HISTORY_LIMIT + 1
        ]
    )
    for record in records:
        record.lines = [line for c in record.corrections.all() for line in corrections.lines(c)]
    known = [r.task_approved for r in records if r.task_approved is not None]
    context = {
        **ids,
        "records": records[:HISTORY_LIMIT],
        "cut": len(records) > HISTORY_LIMIT,
        "limit": HISTORY_LIMIT,
        "approved_now": known[-1] if known else None,
        "items": SampleItem.objects.filter(**ids).select_related("sample", "record").order_by("pk"),
        "section": "activity",
    }
    return render(request, "audit/task.html", context)


# --- Figures ------------------------------------------------------------------------


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """Per-reviewer figures over a period, with charts of actions per day and time on task."""
    _auditor(request)
    form = PeriodForm(request.GET)
    context = {"form": form, "section": "figures"}
    if not form.is_valid():
        return render(request, "audit/figures.html", context, status=400)
    data = form.cleaned_data
    result = compute(
        data["date_from"],
        data["date_to"],
        reviewer=data["reviewer"],
        team_id=form.team_id,
        project_id=form.project_id,
    )
    words = {
        "reviewer": data["reviewer"],
        "start": date_format(result.start, "SHORT_DATE_FORMAT"),
        "end": date_format(result.end, "SHORT_DATE_FORMAT"),
    }

    def title(chart: str) -> str:
        mine, everyone = TITLES[chart]
        return (mine if data["reviewer"] else everyone) % words

    series = [(ACTION_LABELS[kind], result.per_day[kind]) for kind in KINDS]
    summary = ""
    if result.total.median is not None:
        summary = _("Median %(median)s, 90th percentile %(p90)s.") % {
            "median": seconds(result.total.median),
            "p90": seconds(result.total.p90),
        }
    context.update(
        result=result,
        kinds=[ACTION_LABELS[kind] for kind in KINDS],
        per_day=charts.stacked_bars("per-day", title("per-day"), result.days, series),
        spread=charts.histogram("time-on-task", title("time-on-task"), result.histogram, summary=summary),
        corrected_chart=_corrections_chart(result, title("corrected")),
        entity_chart=_entities_chart(result, title("entities")),
        period_query=urlencode({k: form.data.get(k, "") for k in ("date_from", "date_to", "project")}),
    )
    return render(request, "audit/figures.html", context)


def _corrections_chart(result: Figures, title: str) -> str:
    """The share of each reviewer's done completes that sent corrections (those with completes)."""
    people = [p for p in result.reviewers if p.completes]
    total = result.total
    if people:
        top = max(people, key=lambda p: (p.correction_rate, p.completes))
        desc = ngettext(
            "%(corrected)s of %(completes)s complete (%(share)s) sent corrections, %(per)s corrections per complete.",
            "%(corrected)s of %(completes)s completes (%(share)s) sent corrections, %(per)s corrections per complete.",
            total.completes,
        ) % {
            "corrected": total.corrected,
            "completes": total.completes,
            "share": percent(total.correction_rate),
            "per": ratio(total.corrections_per_complete),
        }
        desc += " " + _("The highest share: %(reviewer)s, %(share)s.") % {
            "reviewer": top.username,
            "share": percent(top.correction_rate),
        }
    else:
        desc = _("No completes in the period.")
    table = [
        [p.username, p.completes, p.corrected, percent(p.correction_rate), ratio(p.corrections_per_complete)]
        for p in people
    ]
    if len(people) > 1:
        table.append(
            [
                _("Everyone"),
                total.completes,
                total.corrected,
                percent(total.correction_rate),
                ratio(total.corrections_per_complete),
            ]
        )
    return charts.rate_bars(
        "corrected",
        title,
        [p.username for p in people],
        [(_("Completes corrected"), [p.correction_rate for p in people])],
        desc=desc,
        head=[_("Reviewer"), _("Completes"), _("With corrections"), _("Share"), _("Corrections per complete")],
        table=table,
    )


def _entities_chart(result: Figures, title: str) -> str:
    """Per entity: how often the AI's values were changed, and the AI's mean confidence on each side."""
    entities, every = result.entities, result.all_entities
    shown = entities[:ENTITY_BARS]
    if entities:
        first = entities[0]
        values = ngettext(
            "%(changed)s of %(items)s AI value (%(share)s) changed",
            "%(changed)s of %(items)s AI values (%(share)s) changed",
            every.items,
        ) % {"changed": every.changed, "items": every.items, "share": percent(every.change_rate)}
        over = ngettext("over %(count)s entity", "over %(count)s entities", len(entities)) % {"count": len(entities)}
        desc = _("%(values)s, %(over)s.") % {"values": values, "over": over}
        desc += " " + _(
            "The most often changed: %(entity)s, %(share)s. The AI's mean confidence was %(changed)s "
            "on the values changed and %(kept)s on those kept."
        ) % {
            "entity": first.entity_id,
            "share": percent(first.change_rate),
            "changed": percent(every.mean_changed),
            "kept": percent(every.mean_unchanged),
        }
        if len(entities) > len(shown):
            desc += " " + _("The chart shows the %(count)s most often changed; the table shows all.") % {
                "count": len(shown)
            }
    else:
        desc = _("No completed task in the period has entities.")
    rows = [*entities, every] if len(entities) > 1 else entities
    table = [
        [
            e.entity_id,
            e.items,
            e.changed,
            percent(e.change_rate),
            percent(e.mean_changed),
            percent(e.mean_unchanged),
        ]
        for e in rows
    ]
    return charts.rate_bars(
        "entities",
        title,
        [e.entity_id for e in shown],
        [
            (_("Changed"), [e.change_rate for e in shown]),
            (_("AI confidence, changed"), [e.mean_changed for e in shown]),
            (_("AI confidence, kept"), [e.mean_unchanged for e in shown]),
        ],
        desc=desc,
        head=[
            _("Entity"),
            _("AI values"),
            _("Changed"),
            _("Change rate"),
            _("Mean AI confidence, changed"),
            _("Mean, kept"),
        ],
        table=table,
    )


# --- Second review of approvals ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def samples(request: HttpRequest) -> HttpResponse:
    """The samples drawn so far, and the form to draw one."""
    _auditor(request)
    form = SampleForm(request.POST) if request.method == "POST" else SampleForm()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "reviewer": data["reviewer"],
            "team_id": form.team_id,
            "project_id": form.project_id,
            "period_start": data["date_from"],
            "period_end": data["date_to"],
        }
        drawn = sampling.draw(form.scope(ActionRecord.objects.all()), data["size"], by=request.user, filters=filters)
        if drawn is not None:
            count = drawn.items.count()
            if count < drawn.size:
                text = ngettext(
                    "Drew %(count)s approved task (only %(count)s matched).",
                    "Drew %(count)s approved tasks (only %(count)s matched).",
                    count,
                )
            else:
                text = ngettext("Drew %(count)s approved task.", "Drew %(count)s approved tasks.", count)
            messages.success(request, text % {"count": count})
            return redirect("audit-sample", sample_id=drawn.pk)
        form.add_error(None, _("No approval matches these choices among the tasks that are still approved."))
    decided = Q(items__verdict__in=[Verdict.AGREED, Verdict.DISAGREED])
    listing = Sample.objects.annotate(
        count=Count("items"),
        decided=Count("items", filter=decided),
        disagreed=Count("items", filter=Q(items__verdict=Verdict.DISAGREED)),
    )[:100]
    context = {"form": form, "samples": listing, "section": "samples"}
    return render(request, "audit/samples.html", context, status=400 if form.errors else 200)


@require_GET
def sample(request: HttpRequest, sample_id: int) -> HttpResponse:
    """Work through a sample: each approved task, a link to review it, and a verdict form."""
    return _sample_page(request, _sample(request, sample_id))


def _form(item: SampleItem) -> VerdictForm:
    initial = {"verdict": item.verdict or None, "reason": item.reason}
    return VerdictForm(prefix=f"item{item.pk}", initial=initial, auto_id="%s")


def _row(item: SampleItem, form: VerdictForm | None = None, notice: dict | None = None) -> dict:
    return {
        "item": item,
        "form": form or _form(item),
        "notice": notice,
        "review_url": reverse("task", args=item.ids),
        "history_url": reverse("audit-task", args=item.ids),
    }


def _sample_page(request: HttpRequest, sample: Sample, failed: dict | None = None, status: int = 200) -> HttpResponse:
    failed = failed or {}
    items = sample.items.select_related("record", "decided_by").annotate(approved_now=sampling.approval_now())
    rows = [_row(item, *failed.get(item.pk, (None, None))) for item in items]
    decided = sum(1 for row in rows if row["item"].verdict)
    context = {"sample": sample, "rows": rows, "decided": decided, "section": "samples"}
    return render(request, "audit/sample.html", context, status=status)


def _item_response(
    request: HttpRequest, item: SampleItem, form: VerdictForm | None, notice: dict | None, status: int = 200
) -> HttpResponse:
    if request.htmx:
        fresh = _fresh(item)
        return render(request, "audit/sample.html#item", {"row": _row(fresh, form, notice), "sample": item.sample})
    return _sample_page(request, item.sample, {item.pk: (form, notice)}, status=status)


def _fresh(item: SampleItem) -> SampleItem:
    """The item again, with its approval state now."""
    return (
        SampleItem.objects.select_related("record", "decided_by", "sample")
        .annotate(approved_now=sampling.approval_now())
        .get(pk=item.pk)
    )


class UpstreamProblem(Exception):
    """Disapproving upstream did not happen; the sentence says why."""

    def __init__(self, sentence: str, status: int) -> None:
        super().__init__(sentence)
        self.status = status


@require_POST
def verdict(request: HttpRequest, item_id: int) -> HttpResponse:
    """Save a lead's verdict on a sampled approval; on disagreement, optionally disapprove upstream."""
    item = _sample_item(request, item_id)
    form = VerdictForm(request.POST, prefix=f"item{item.pk}", auto_id="%s")
    if not form.is_valid():
        notice = {
            "level": "error",
            "text": _("Check the verdict: %(errors)s")
            % {"errors": " ".join(e for errs in form.errors.values() for e in errs)},
        }
        return _item_response(request, item, form, notice, status=400)
    data = form.cleaned_data
    upstream = ""
    if data["disapprove"]:
        try:
            upstream = _disapprove_upstream(request, item)
        except UpstreamProblem as e:
            notice = {"level": "error", "text": f"{e} " + _("The verdict was not saved.")}
            return _item_response(request, item, form, notice, status=e.status)
    item.verdict = data["verdict"]
    item.reason = data["reason"].strip()
    item.decided_by = request.user
    item.decided_at = timezone.now()
    item.disapproved_upstream = item.disapproved_upstream or upstream == str(DISAPPROVED)
    item.save(update_fields=["verdict", "reason", "decided_by", "decided_at", "disapproved_upstream"])
    text = " ".join(filter(None, [VERDICT_DONE[item.verdict] % {"task": item.task_id}, upstream]))
    if request.htmx:
        return _item_response(request, item, None, {"level": "success", "text": text})
    messages.success(request, text)
    undecided = item.sample.items.filter(verdict=Verdict.NONE)
    following = undecided.filter(pk__gt=item.pk).first() or undecided.first()
    anchor = f"#item-{following.pk}" if following else ""
    return redirect(reverse("audit-sample", args=[item.sample_id]) + anchor)


def _disapprove_upstream(request: HttpRequest, item: SampleItem) -> str:
    """Disapprove the task with the lead's own key, by the one action path; raise UpstreamProblem if not done."""
    profile = profile_of(request.user)
    if not profile.key_works:
        raise UpstreamProblem(_("You have no working Send.ai API key in Reviewer, so nothing was sent."), 400)
    attempt = acting.perform(request.user, profile, item.ids, Action.DISAPPROVE, check_claim=False)
    if attempt.done:
        return str(DISAPPROVED)
    if attempt.code == "already_disapproved":
        return _("Send.ai says the task is not approved any more, so there was nothing to disapprove.")
    status = 404 if attempt.not_found else 503 if attempt.retry else 400
    raise UpstreamProblem(attempt.text, status)
