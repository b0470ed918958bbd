"""Per-reviewer figures on a known fixture: every number, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from reviewer.audit import figures
from reviewer.audit.models import Sample, SampleItem
from tests.audit.conftest import rec, tally

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 10)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def work(people):
    """A fortnight of rita, leo and ada, with times on task chosen so that every figure is known."""
    r = {}
    rec("rita", "approve", at=at(28, 23, 59, month=2), task="t9", seconds_on_task=1)  # the day before the period
    r["early"] = rec("rita", "approve", at=at(28, 23, 59, month=2), task="t10")
    rec("rita", "open", at=at(2, 9), task="t1", task_approved=False)
    r["t1"] = rec("rita", "approve", at=at(2), task="t1", seconds_on_task=10)
    rec("rita", "open", at=at(2, 9), task="t2", task_approved=False)
    rec("rita", "complete", at=at(2, 11), task="t2", seconds_on_task=20)
    r["t2"] = rec("rita", "approve", at=at(3), task="t2", seconds_on_task=30)
    rec("rita", "report", "warning", at=at(3), task="t3", seconds_on_task=40)
    rec("rita", "approve", "refused", at=at(4), task="t4", seconds_on_task=5)
    rec("rita", "discard", "unavailable", at=at(4), task="t4")
    rec("rita", "complete", "error", at=at(4), task="t5")
    rec("rita", "approve", "key", at=at(4), task="t5")
    rec("rita", "approve", "duplicate", at=at(4), task="t5")
    rec("rita", "disapprove", at=at(4), task="t2", seconds_on_task=50)  # rita takes back her own approval
    r["t6"] = rec("rita", "approve", at=at(5), task="t6", seconds_on_task=100)
    r["ada_t2"] = rec("ada", "approve", at=at(5), task="t2", seconds_on_task=1800)
    rec("leo", "open", at=at(6, 9, 50), task="t1", task_approved=True)
    rec("leo", "disapprove", at=at(6), task="t1", seconds_on_task=600)  # reverses rita's approval of t1
    rec("leo", "disapprove", at=at(6), task="t2")  # reverses ada's approval of t2, not rita's
    rec("leo", "disapprove", at=at(20), task="t6")  # after the period: still reverses rita's approval of t6
    rec("rita", "approve", at=at(11, 0, 0), task="t7", seconds_on_task=3)  # the day after the period

    sample = Sample.objects.create(created_by_name="leo", period_start=START, period_end=END, size=5)
    for record, verdict in (
        (r["t1"], "agreed"),
        (r["t2"], "disagreed"),
        (r["t6"], ""),
        (r["ada_t2"], "agreed"),
        (r["early"], "disagreed"),  # approved before the period
    ):
        SampleItem.objects.create(
            sample=sample,
            record=record,
            team_id=record.team_id,
            project_id=record.project_id,
            task_id=record.task_id,
            approver=record.username,
            verdict=verdict,
        )
    return r


def test_it_computes_every_figure_of_each_reviewer(work):
    result = figures.compute(START, END)
    people = {p.username: p for p in result.reviewers}
    assert sorted(people) == ["ada", "leo", "rita"]

    rita = people["rita"]
    assert rita.tasks == 4  # t1, t2, t3, t6; t4 and t5 only failed
    assert rita.actions == {"complete": 1, "discard": 0, "report": 1, "approve": 3, "disapprove": 1, "unlock": 0}
    assert (rita.refusals, rita.failures) == (1, 3)
    assert rita.timed == 6
    assert rita.median == pytest.approx(35.0)  # 10 20 30 | 40 50 100
    assert rita.p90 == pytest.approx(75.0)  # between 50 and 100
    assert rita.reversed == 2  # t1 by leo, t6 by leo after the period; not t2, which she took back herself
    assert (rita.agreed, rita.decided, rita.agreement) == (1, 2, 0.5)

    leo = people["leo"]
    assert (leo.tasks, leo.actions["disapprove"], leo.refusals, leo.failures) == (2, 2, 0, 0)
    assert (leo.timed, leo.median, leo.p90) == (1, 600.0, 600.0)
    assert (leo.reversed, leo.decided, leo.agreement) == (0, 0, None)

    ada = people["ada"]
    assert (ada.tasks, ada.approvals, ada.median, ada.p90) == (1, 1, 1800.0, 1800.0)
    assert (ada.reversed, ada.agreed, ada.decided, ada.agreement) == (1, 1, 1, 1.0)

    total = result.total
    assert total.tasks == 4  # t1 t2 t3 t6: a task two people handled counts once for everyone
    assert total.actions == {"complete": 1, "discard": 0, "report": 1, "approve": 4, "disapprove": 3, "unlock": 0}
    assert total.median == pytest.approx(45.0)  # 10 20 30 40 | 50 100 600 1800
    assert total.p90 == pytest.approx(960.0)
    assert (total.reversed, total.agreed, total.decided) == (3, 2, 3)


def test_it_counts_actions_per_day_and_the_spread_of_time_on_task(work):
    result = figures.compute(START, END)
    assert result.days[0] == START and result.days[-1] == END and len(result.days) == 10
    by_day = {
        day.isoformat(): {kind: counts[n] for kind, counts in result.per_day.items() if counts[n]}
        for n, day in enumerate(result.days)
    }
    assert by_day == {
        "2026-03-01": {},
        "2026-03-02": {"approve": 1, "complete": 1},
        "2026-03-03": {"approve": 1, "report": 1},
        "2026-03-04": {"disapprove": 1},
        "2026-03-05": {"approve": 2},
        "2026-03-06": {"disapprove": 2},
        "2026-03-07": {},
        "2026-03-08": {},
        "2026-03-09": {},
        "2026-03-10": {},
    }
    assert result.histogram == [
        ("under 10 s", 0),
        ("10–30 s", 2),
        ("30 s–1 min", 3),
        ("1–2 min", 1),
        ("2–5 min", 0),
        ("5–10 min", 0),
        ("10–30 min", 1),
        ("over 30 min", 1),
    ]


def test_it_narrows_to_one_reviewer_without_losing_others_reversals(work):
    result = figures.compute(START, END, reviewer="rita")
    assert [p.username for p in result.reviewers] == ["rita"]
    rita = result.reviewers[0]
    assert (rita.tasks, rita.reversed, rita.agreed, rita.decided) == (4, 2, 1, 2)
    assert result.total.median == pytest.approx(35.0)
    assert sum(result.per_day["disapprove"]) == 1


def test_it_narrows_to_one_project(work):
    rec("rita", "approve", at=at(5), task="t8", project="proj_other", seconds_on_task=7)
    everywhere = {p.username: p for p in figures.compute(START, END).reviewers}["rita"]
    assert (everywhere.tasks, everywhere.approvals, everywhere.timed) == (5, 4, 7)
    for team in ("team_123456", ""):
        here = figures.compute(START, END, team_id=team, project_id="proj_123456")
        rita = {p.username: p for p in here.reviewers}["rita"]
        assert (rita.tasks, rita.approvals, rita.timed, rita.reversed) == (4, 3, 6, 2)
    other = figures.compute(START, END, project_id="proj_other")
    assert [(p.username, p.tasks, p.median) for p in other.reviewers] == [("rita", 1, 7.0)]


def test_it_shows_the_figures_and_the_charts(lead_client, work):
    response = lead_client.get("/audit/figures/?date_from=2026-03-01&date_to=2026-03-10")
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r'<th scope="row"><a href="[^"]*reviewer=rita">rita</a></th>(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in cells] == [
        "4", "1", "0", "1", "3", "1", "0", "1", "3", "35 s", "1 min 15 s", "2 of 3", "50% (1 of 2)", "0% (0 of 1)",
        "0.0",
    ]  # fmt: skip
    assert html.count('role="img"') == 4
    assert "Everyone&#x27;s actions per day, 2026-03-01 to 2026-03-10" in html
    assert "<desc" in html and "The busiest day was 2026-03-02 with 2." in html
    assert (
        '<th scope="row">2026-03-05</th><td>0</td><td>0</td><td>0</td><td>2</td><td>0</td><td>0</td><td>2</td>' in html
    )
    assert '<th scope="row">over 30 min</th><td>1</td><td>12%</td>' in html


def test_it_defaults_to_the_last_30_days(lead_client, people):
    rec("rita", "approve", at=dt.datetime.now(dt.UTC) - dt.timedelta(days=29, hours=-1), task="recent")
    rec("rita", "approve", at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31), task="old")
    html = lead_client.get("/audit/figures/").content.decode()
    assert "1 action from" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2024-01-01&date_to=2026-01-01", "Choose at most 366 days."),
        ("date_from=yesterday", "Enter a valid date."),
        ("date_from=2026-03-10&date_to=2026-03-01", "The end comes before the start."),
    ],
)
def test_it_explains_a_bad_period(lead_client, people, query, message):
    response = lead_client.get(f"/audit/figures/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_portable_percentile_matches_percentile_cont():
    assert figures.percentile([], 0.5) is None
    assert figures.percentile([7], 0.9) == 7
    assert figures.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert figures.percentile([10, 20, 30, 40, 50, 100], 0.9) == pytest.approx(75.0)


@pytest.fixture
def corrected(people):
    """rita's four completes (two corrected), leo's one (corrected), and the entity tallies of each."""
    c1 = rec("rita", "complete", at=at(2), task="c1", correction_count=3)
    c2 = rec("rita", "complete", "warning", at=at(3), task="c2", correction_count=1)
    c3 = rec("rita", "complete", at=at(4), task="c3")
    rec("rita", "complete", at=at(4), task="c4", project="proj_other")
    rec("rita", "report", at=at(4), task="c4", correction_count=2)  # report mode: not a complete
    refused = rec("rita", "complete", "refused", at=at(5), task="c5", correction_count=2)
    c6 = rec("leo", "complete", at=at(6), task="c6", correction_count=5)
    rec("ada", "approve", at=at(6), task="c6")
    before = rec("leo", "complete", at=at(28, month=2), task="c7", correction_count=4)  # before the period
    tally(c1, "invoice_date", 2, 1, 0.4, 0.9)
    tally(c1, "total_amount", 1, 1, 0.3, 0.0)
    tally(c2, "invoice_date", 1, 0, 0.0, 0.8)
    tally(c2, "total_amount", 1, 0, 0.0, 0.95)
    tally(c3, "invoice_date", 1, 0, 0.0, 0.7)
    tally(c6, "invoice_date", 1, 1, 0.5, 0.0)
    tally(c6, "vat", 2, 0, 0.0, 1.8)
    tally(refused, "vat", 3, 3, 2.0, 0.0)
    tally(before, "invoice_date", 5, 5, 4.0, 0.0)


def test_it_computes_the_correction_rate_of_each_reviewer(corrected):
    result = figures.compute(START, END)
    people = {p.username: p for p in result.reviewers}
    rita, leo, ada = people["rita"], people["leo"], people["ada"]
    assert (rita.completes, rita.corrected, rita.corrections) == (4, 2, 4)
    assert (rita.correction_rate, rita.corrections_per_complete) == (0.5, 1.0)
    assert (leo.completes, leo.corrected, leo.correction_rate, leo.corrections_per_complete) == (1, 1, 1.0, 5.0)
    assert (ada.completes, ada.correction_rate, ada.corrections_per_complete) == (0, None, None)
    total = result.total
    assert (total.completes, total.corrected, total.corrections) == (5, 3, 9)
    assert total.correction_rate == pytest.approx(0.6)
    assert total.corrections_per_complete == pytest.approx(1.8)


def test_it_computes_the_change_rate_and_confidences_per_entity(corrected):
    result = figures.compute(START, END)
    entities = [(e.entity_id, e.items, e.changed) for e in result.entities]
    assert entities == [("total_amount", 2, 1), ("invoice_date", 5, 2), ("vat", 2, 0)]  # most often changed first
    total_amount, invoice_date, vat = result.entities
    assert total_amount.change_rate == 0.5
    assert total_amount.mean_changed == pytest.approx(0.3)
    assert total_amount.mean_unchanged == pytest.approx(0.95)
    assert invoice_date.change_rate == pytest.approx(0.4)
    assert invoice_date.mean_changed == pytest.approx(0.45)  # (0.4 + 0.5) / 2
    assert invoice_date.mean_unchanged == pytest.approx(0.8)  # (0.9 + 0.8 + 0.7) / 3
    assert (vat.change_rate, vat.mean_changed) == (0.0, None)
    assert vat.mean_unchanged == pytest.approx(0.9)
    every = result.all_entities
    assert (every.items, every.changed) == (9, 3)
    assert every.mean_changed == pytest.approx(0.4)
    assert every.mean_unchanged == pytest.approx(5.15 / 6)


def test_it_narrows_the_entities_to_one_reviewer_and_one_project(corrected):
    ritas = figures.compute(START, END, reviewer="rita").entities
    assert [(e.entity_id, e.items, e.changed) for e in ritas] == [("total_amount", 2, 1), ("invoice_date", 4, 1)]
    assert ritas[1].mean_unchanged == pytest.approx(0.8)
    assert figures.compute(START, END, project_id="proj_other").entities == []
    other = figures.compute(START, END, project_id="proj_other").reviewers
    assert [(p.username, p.completes, p.corrected) for p in other] == [("rita", 1, 0)]


def test_it_shows_the_correction_figures_and_their_charts(lead_client, corrected):
    response = lead_client.get("/audit/figures/?date_from=2026-03-01&date_to=2026-03-10")
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r'<th scope="row"><a href="[^"]*reviewer=rita">rita</a></th>(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[-2:] == ["50% (2 of 4)", "1.0"]
    assert html.count('role="img"') == 4
    assert '<th scope="row">rita</th><td>4</td><td>2</td><td>50%</td><td>1.0</td></tr>' in html
    assert '<th scope="row">Everyone</th><td>5</td><td>3</td><td>60%</td><td>1.8</td></tr>' in html
    assert '<th scope="row">ada</th><td>0' not in html  # no completes: not in the chart
    assert '<th scope="row">total_amount</th><td>2</td><td>1</td><td>50%</td><td>30%</td><td>95%</td></tr>' in html
    assert '<th scope="row">vat</th><td>2</td><td>0</td><td>0%</td><td>—</td><td>90%</td></tr>' in html
    assert '<th scope="row">Every entity</th><td>9</td><td>3</td><td>33%</td><td>40%</td><td>86%</td></tr>' in html
    assert (
        "3 of 9 AI values (33%) changed, over 3 entities. The most often changed: total_amount, 50%. "
        "The AI&#x27;s mean confidence was 40% on the values changed and 86% on those kept."
    ) in html
    assert (
        "3 of 5 completes (60%) sent corrections, 1.8 corrections per complete. The highest share: leo, 100%." in html
    )
