"""Per-reviewer figures over a period, computed from the action log.

Definitions (each counts records whose `at` falls in the period, by the record's user name):

- done: outcome ok or warning (the upstream did it; a warning is a 207 report, stored).
- tasks handled: distinct tasks with a done action other than opening.
- actions by kind: done actions of each kind (opening is not an action).
- refusals: outcome refused. Failures: outcome unavailable, error or key.
- time on task: `seconds_on_task` of done actions (time since this person opened the task);
  the median and the 90th percentile interpolate linearly between the two nearest values,
  as PostgreSQL's percentile_cont does (used there; elsewhere computed in Python).
- reversed: approvals in the period whose next approval decision on that task (the next ok
  approve or disapprove by anyone, at any later time) is a disapproval by someone else.
- agreement: of that reviewer's approvals in the period that a lead has judged in a second
  review, the share the lead agreed with.
- correction rate: of that reviewer's done completes, the share that sent corrections
  (`correction_count` > 0); corrections per complete: their corrections over all their done
  completes (those with none count as 0).
- per entity (from the tallies of the done completes in the period, of everyone or of the
  chosen reviewer): items = the AI's values with that entity, changed = those the reviewer
  changed or removed, change rate = changed / items; mean confidence of changed values = the sum
  of the AI's confidences over changed items / changed, of unchanged values likewise over the
  items kept. Added items are the reviewer's own and do not count.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lead, TruncDate
from django.utils.translation import gettext, gettext_lazy

from reviewer.audit.forms import day_bounds
from reviewer.audit.models import SampleItem, Verdict
from reviewer.review.models import Action, ActionRecord, EntityTally, Outcome

DONE = (Outcome.OK, Outcome.WARNING)
FAILED = (Outcome.UNAVAILABLE, Outcome.ERROR, Outcome.KEY)
KINDS = (Action.COMPLETE, Action.DISCARD, Action.REPORT, Action.APPROVE, Action.DISAPPROVE, Action.UNLOCK)
DECISIONS = (Action.APPROVE, Action.DISAPPROVE)
# Buckets of time on task: (label, from seconds, below seconds or None).
BUCKETS = (
    (gettext_lazy("under 10 s"), 0, 10),
    (gettext_lazy("10–30 s"), 10, 30),
    (gettext_lazy("30 s–1 min"), 30, 60),
    (gettext_lazy("1–2 min"), 60, 120),
    (gettext_lazy("2–5 min"), 120, 300),
    (gettext_lazy("5–10 min"), 300, 600),
    (gettext_lazy("10–30 min"), 600, 1800),
    (gettext_lazy("over 30 min"), 1800, None),
)


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentile(ordered: list[int], fraction: float) -> float | None:
    """The `fraction` percentile of sorted values, interpolated as percentile_cont does."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class ReviewerFigures:
    username: str
    tasks: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    refusals: int = 0
    failures: int = 0
    timed: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    median: float | None = None
    p90: float | None = None
    reversed: int = 0
    agreed: int = 0
    decided: int = 0
    corrected: int = 0  # done completes that sent corrections
    corrections: int = 0  # corrections sent by done completes

    @property
    def approvals(self) -> int:
        return self.actions.get(Action.APPROVE, 0)

    @property
    def completes(self) -> int:
        return self.actions.get(Action.COMPLETE, 0)

    @property
    def correction_rate(self) -> float | None:
        """The share of done completes that sent corrections, 0..1; None without completes."""
        return self.corrected / self.completes if self.completes else None

    @property
    def corrections_per_complete(self) -> float | None:
        return self.corrections / self.completes if self.completes else None

    @property
    def agreement(self) -> float | None:
        """The share of judged approvals the lead agreed with, 0..1; None if none was judged."""
        return self.agreed / self.decided if self.decided else None

    @property
    def kinds(self) -> list[int]:
        return [self.actions.get(kind, 0) for kind in KINDS]


@dataclass
class EntityFigures:
    """How often the reviewers changed the AI's values of one entity, and the AI's confidence in them."""

    entity_id: str
    items: int = 0
    changed: int = 0
    changed_confidence: float = 0.0  # sums of the AI's confidences
    unchanged_confidence: float = 0.0

    @property
    def change_rate(self) -> float | None:
        return self.changed / self.items if self.items else None

    @property
    def mean_changed(self) -> float | None:
        """The AI's mean confidence in the values that were changed or removed."""
        return self.changed_confidence / self.changed if self.changed else None

    @property
    def mean_unchanged(self) -> float | None:
        """The AI's mean confidence in the values that were kept."""
        kept = self.items - self.changed
        return self.unchanged_confidence / kept if kept > 0 else None


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    reviewers: list[ReviewerFigures]
    total: ReviewerFigures
    days: list[dt.date]
    per_day: dict[str, list[int]]  # kind -> count per day, aligned with `days`
    histogram: list[tuple[str, int]]
    entities: list[EntityFigures] = field(default_factory=list)  # most often changed first
    all_entities: EntityFigures = field(default_factory=lambda: EntityFigures(gettext("Every entity")))


def compute(start: dt.date, end: dt.date, *, reviewer: str = "", team_id: str = "", project_id: str = "") -> Figures:
    """The figures of everyone (or of `reviewer`) over the days start..end (inclusive, UTC).

    A few grouped queries over the period's actions (openings left out), each reading the period
    through the index on `at`; totals add up the people's counts, except distinct tasks and
    percentiles, which are counted over everyone.
    """
    first, after = day_bounds(start, end)
    project = Q()
    if team_id:
        project &= Q(team_id=team_id)
    if project_id:
        project &= Q(project_id=project_id)
    acts = ActionRecord.objects.filter(project, action__in=KINDS, at__gte=first, at__lt=after)
    if reviewer:
        acts = acts.filter(username=reviewer)
    postgres = connection.vendor == "postgresql"

    people: dict[str, ReviewerFigures] = {}
    for row in acts.values("username").annotate(**_counts(postgres)).order_by("username"):
        people[row["username"]] = _figures_of(row, postgres)
    tasks, all_tasks = _tasks(acts)
    for username, n in tasks.items():
        people[username].tasks = n
    if not postgres:
        _percentiles_in_python(acts, people)
    total = _total(acts, people, postgres)
    total.tasks = all_tasks

    for username, count in _reversals(first, after, reviewer, project):
        people.setdefault(username, ReviewerFigures(username)).reversed = count
        total.reversed += count
    for username, agreed, decided in _agreement(first, after, reviewer, team_id, project_id):
        person = people.setdefault(username, ReviewerFigures(username))
        person.agreed, person.decided = agreed, decided
        total.agreed += agreed
        total.decided += decided

    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    index = {day: n for n, day in enumerate(days)}
    per_day = {kind: [0] * len(days) for kind in KINDS}
    daily = (
        acts.filter(outcome__in=DONE)
        .annotate(day=TruncDate("at", tzinfo=dt.UTC))
        .values("day", "action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in daily:
        if row["day"] in index:
            per_day[row["action"]][index[row["day"]]] = row["n"]
    histogram = [(str(label), total.buckets[n]) for n, (label, _, _) in enumerate(BUCKETS)]
    reviewers = [people[name] for name in sorted(people)]
    entities = _entities(first, after, reviewer, team_id, project_id)
    every = EntityFigures(gettext("Every entity"))
    for entity in entities:
        every.items += entity.items
        every.changed += entity.changed
        every.changed_confidence += entity.changed_confidence
        every.unchanged_confidence += entity.unchanged_confidence
    return Figures(start, end, reviewers, total, days, per_day, histogram, entities, every)


def _counts(postgres: bool) -> dict:
    done = Q(outcome__in=DONE)
    timed = done & Q(seconds_on_task__isnull=False)
    counts = {
        "refusals": Count("pk", filter=Q(outcome=Outcome.REFUSED)),
        "failures": Count("pk", filter=Q(outcome__in=FAILED)),
        "timed": Count("pk", filter=timed),
        **{f"kind_{kind}": Count("pk", filter=done & Q(action=kind)) for kind in KINDS},
        "corrected": Count("pk", filter=done & Q(action=Action.COMPLETE, correction_count__gt=0)),
        "corrections": Sum("correction_count", filter=done & Q(action=Action.COMPLETE)),
    }
    for n, (_, low, high) in enumerate(BUCKETS):
        bucket = timed & Q(seconds_on_task__gte=low)
        if high is not None:
            bucket &= Q(seconds_on_task__lt=high)
        counts[f"bucket_{n}"] = Count("pk", filter=bucket)
    if postgres:
        counts["median"] = PercentileCont("seconds_on_task", 0.5, filter=timed)
        counts["p90"] = PercentileCont("seconds_on_task", 0.9, filter=timed)
    return counts


def _figures_of(row: dict, postgres: bool) -> ReviewerFigures:
    return ReviewerFigures(
        username=row["username"],
        actions={kind: row[f"kind_{kind}"] for kind in KINDS},
        refusals=row["refusals"],
        failures=row["failures"],
        timed=row["timed"],
        buckets=[row[f"bucket_{n}"] for n in range(len(BUCKETS))],
        median=row["median"] if postgres else None,
        p90=row["p90"] if postgres else None,
        corrected=row["corrected"],
        corrections=row["corrections"] or 0,
    )


def _tasks(acts: QuerySet) -> tuple[dict[str, int], int]:
    """Distinct tasks with a done action: per person, and for everyone, from one scan.

    A DISTINCT (person, task) set, counted per person, and its distinct tasks counted once.
    """
    pairs = acts.filter(outcome__in=DONE).values("username", "team_id", "project_id", "task_id").distinct().order_by()
    inner, params = pairs.query.sql_with_params()
    sql = (
        f"WITH d AS ({inner}) "  # noqa: S608 (Django's SQL, its values are parameters)
        "SELECT d.username, COUNT(*) FROM d GROUP BY d.username "
        "UNION ALL SELECT NULL, COUNT(*) FROM (SELECT DISTINCT team_id, project_id, task_id FROM d) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {username: n for username, n in rows if username is not None}, sum(n for u, n in rows if u is None)


def _total(acts: QuerySet, people: dict[str, ReviewerFigures], postgres: bool) -> ReviewerFigures:
    """Everyone's figures: the people's counts added up, and the percentiles over everyone's times."""
    total = ReviewerFigures("Everyone", actions=dict.fromkeys(KINDS, 0))
    for person in people.values():
        for kind, n in person.actions.items():
            total.actions[kind] += n
        total.refusals += person.refusals
        total.failures += person.failures
        total.timed += person.timed
        total.corrected += person.corrected
        total.corrections += person.corrections
        total.buckets = [a + b for a, b in zip(total.buckets, person.buckets, strict=True)]
    if len(people) == 1:
        (only,) = people.values()
        total.median, total.p90 = only.median, only.p90
        return total
    if people:
        if postgres:
            timed = acts.filter(outcome__in=DONE, seconds_on_task__isnull=False)
            overall = timed.aggregate(
                median=PercentileCont("seconds_on_task", 0.5), p90=PercentileCont("seconds_on_task", 0.9)
            )
            total.median, total.p90 = overall["median"], overall["p90"]
        else:
            total.median, total.p90 = _overall_percentiles(acts)
    return total


def _percentiles_in_python(acts: QuerySet, people: dict[str, ReviewerFigures]) -> None:
    """Where the database has no percentile_cont: read the times per person, sorted."""
    for username, values in _times(acts):
        people[username].median, people[username].p90 = percentile(values, 0.5), percentile(values, 0.9)


def _overall_percentiles(acts: QuerySet) -> tuple[float | None, float | None]:
    """Everyone's median and 90th percentile, in Python."""
    values = sorted(seconds for _, group in _times(acts) for seconds in group)
    return percentile(values, 0.5), percentile(values, 0.9)


def _times(acts: QuerySet):
    rows = (
        acts.filter(outcome__in=DONE, seconds_on_task__isnull=False)
        .order_by("username", "seconds_on_task")
        .values_list("username", "seconds_on_task")
    )
    for username, group in itertools.groupby(rows.iterator(chunk_size=5000), key=lambda r: r[0]):
        yield username, [seconds for _, seconds in group]


def _agreement(
    first: dt.datetime, after: dt.datetime, reviewer: str, team_id: str, project_id: str
) -> list[tuple[str, int, int]]:
    """(approver, agreed, decided) over the second reviews of approvals made in the period."""
    items = SampleItem.objects.filter(record__at__gte=first, record__at__lt=after)
    if team_id:
        items = items.filter(team_id=team_id)
    if project_id:
        items = items.filter(project_id=project_id)
    if reviewer:
        items = items.filter(approver=reviewer)
    judged = Q(verdict__in=[Verdict.AGREED, Verdict.DISAGREED])
    rows = items.values("approver").annotate(
        agreed=Count("pk", filter=Q(verdict=Verdict.AGREED)), decided=Count("pk", filter=judged)
    )
    return [(row["approver"], row["agreed"], row["decided"]) for row in rows.order_by("approver")]


def _entities(
    first: dt.datetime, after: dt.datetime, reviewer: str, team_id: str, project_id: str
) -> list[EntityFigures]:
    """Per entity, the tallies of the done completes in [first, after), added up; most often changed first.

    The completes are found through the index on (action, at), their tallies through the
    tallies' index on the record.
    """
    scope = Q(record__action=Action.COMPLETE, record__outcome__in=DONE, record__at__gte=first, record__at__lt=after)
    if reviewer:
        scope &= Q(record__username=reviewer)
    if team_id:
        scope &= Q(record__team_id=team_id)
    if project_id:
        scope &= Q(record__project_id=project_id)
    rows = (
        EntityTally.objects.filter(scope)
        .values("entity_id")
        .annotate(
            n=Sum("items"),
            c=Sum("changed"),
            cc=Sum("changed_confidence"),
            uc=Sum("unchanged_confidence"),
        )
        .order_by("entity_id")
    )
    entities = [
        EntityFigures(row["entity_id"], row["n"] or 0, row["c"] or 0, row["cc"] or 0.0, row["uc"] or 0.0)
        for row in rows
    ]
    entities.sort(key=lambda e: (-(e.change_rate or 0.0), -e.items, e.entity_id))
    return entities


def _reversals(first: dt.datetime, after: dt.datetime, reviewer: str, project: Q) -> list[tuple[str, int]]:
    """(approver, approvals reversed by someone else) for approvals made in [first, after).

    Each ok decision since `first` learns the next ok decision on its task (a window over
    the task's decisions, at any later time); an approval is reversed when that next one is
    a disapproval by another person. The index on (action, at) finds the decisions.
    """
    task = ["team_id", "project_id", "task_id"]
    order = [F("at").asc(), F("pk").asc()]
    decisions = ActionRecord.objects.filter(project, action__in=DECISIONS, outcome=Outcome.OK, at__gte=first)
    if reviewer:  # only the tasks this person approved in the period (a semi-join)
        theirs = ActionRecord.objects.filter(
            team_id=OuterRef("team_id"),
            project_id=OuterRef("project_id"),
            task_id=OuterRef("task_id"),
            username=reviewer,
            action=Action.APPROVE,
            outcome=Outcome.OK,
            at__gte=first,
            at__lt=after,
        )
        decisions = decisions.filter(Exists(theirs))
    decisions = decisions.annotate(
        in_period=Case(When(at__lt=after, then=Value(1)), default=Value(0)),
        next_action=Window(Lead("action"), partition_by=task, order_by=order),
        next_user=Window(Lead("username"), partition_by=task, order_by=order),
    ).values("username", "action", "in_period", "next_action", "next_user")
    inner, params = decisions.query.sql_with_params()
    sql = (
        f"SELECT d.username, COUNT(*) FROM ({inner}) d "  # noqa: S608 (Django's query, its values are parameters)
        "WHERE d.action = %s AND d.in_period = 1 AND d.next_action = %s AND d.next_user <> d.username"
    )
    extra = [Action.APPROVE.value, Action.DISAPPROVE.value]
    if reviewer:
        sql += " AND d.username = %s"
        extra.append(reviewer)
    sql += " GROUP BY d.username ORDER BY d.username"
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *extra))
        return [(username, count) for username, count in cursor.fetchall()]
