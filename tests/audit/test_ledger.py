"""The approvals ledger and the activity log: filters, the approval state now, paging and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviewer.audit import views
from reviewer.review.models import ActionRecord, CorrectionRecord
from tests.audit.conftest import T0, correct, rec

DAY = dt.timedelta(days=1)


def rows(response) -> list[str]:
    """The task IDs of the table's rows, in order."""
    body = response.content.decode()
    return re.findall(r'<a href="/audit/task/[^/]+/[^/]+/([^/]+)/">', body)


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def log(people):
    rec("rita", "open", at=T0, task="t_open", task_approved=False)
    rec("rita", "approve", at=T0 + dt.timedelta(minutes=1), task="t_a", seconds_on_task=60)
    rec("rita", "approve", "refused", at=T0 + dt.timedelta(minutes=2), task="t_b", upstream_code="already_approved")
    rec("leo", "disapprove", at=T0 + DAY, task="t_a")
    rec("rita", "approve", at=T0 + 2 * DAY, task="t_c", project="proj_other")
    rec("rita", "approve", at=T0 + 2 * DAY, task="t_d", team="team_other", project="proj_other")
    rec("leo", "complete", at=T0 + 3 * DAY, task="t_e")


def test_it_lists_approvals_and_disapprovals_newest_first(lead_client, log):
    response = lead_client.get("/audit/approvals/")
    assert response.status_code == 200
    assert rows(response) == ["t_d", "t_c", "t_a", "t_b", "t_a"]


def test_it_shows_the_approval_state_now(lead_client, log):
    # t_a: approved by rita, then disapproved by leo: now not approved, on both rows.
    data = csv_rows(lead_client.get("/audit/approvals/?format=csv"))
    now = {(r["task"], r["action"], r["reviewer"]): (r["approved after"], r["approved now"]) for r in data}
    assert now[("t_a", "approve", "rita")] == ("yes", "no")
    assert now[("t_a", "disapprove", "leo")] == ("no", "no")
    assert now[("t_b", "approve", "rita")] == ("", "")  # a refusal knows nothing of the task
    assert now[("t_c", "approve", "rita")] == ("yes", "yes")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reviewer=leo", ["t_a"]),
        ("reviewer=nobody", []),
        ("project=proj_other", ["t_d", "t_c"]),
        ("project=team_other/proj_other", ["t_d"]),
        ("project=team_123456/proj_other", ["t_c"]),
        ("date_from=2026-03-11", ["t_d", "t_c", "t_a"]),
        ("date_to=2026-03-10", ["t_b", "t_a"]),
        ("date_from=2026-03-11&date_to=2026-03-11", ["t_a"]),
        ("action=disapprove", ["t_a"]),
        ("outcome=refused", ["t_b"]),
        ("reviewer=rita&outcome=ok&date_from=2026-03-10&date_to=2026-03-12", ["t_d", "t_c", "t_a"]),
    ],
)
def test_it_filters_the_ledger(lead_client, log, query, expected):
    assert rows(lead_client.get(f"/audit/approvals/?{query}")) == expected
    assert [r["task"] for r in csv_rows(lead_client.get(f"/audit/approvals/?{query}&format=csv"))] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["t_e", "t_d", "t_c", "t_a", "t_b", "t_a", "t_open"]),
        ("action=open", ["t_open"]),
        ("action=complete", ["t_e"]),
        ("reviewer=leo&action=complete", ["t_e"]),
        ("date_from=2026-03-13", ["t_e"]),
    ],
)
def test_it_filters_the_activity_log(lead_client, log, query, expected):
    assert rows(lead_client.get(f"/audit/activity/?{query}")) == expected
    assert [r["task"] for r in csv_rows(lead_client.get(f"/audit/activity/?{query}&format=csv"))] == expected


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("date_from=2026-13-01", "Enter a valid date.", 'value="2026-13-01"'),
        ("date_from=2026-03-12&date_to=2026-03-10", "The end comes before the start.", 'value="2026-03-12"'),
        ("project=team/with/slashes", "Enter a project ID", 'value="team/with/slashes"'),
        ("project=%3Cscript%3E", "Enter a project ID", 'value="&lt;script&gt;"'),
        ("action=open", "Select a valid choice.", ""),  # opening is not in the ledger
        ("outcome=maybe", "Select a valid choice.", ""),
        ("reviewer=" + "x" * 151, "Ensure this value has at most 150 characters", 'value="xxxx'),
    ],
)
def test_it_explains_invalid_filters_and_keeps_them(lead_client, log, query, message, kept):
    for fmt in ("", "&format=csv"):
        response = lead_client.get(f"/audit/approvals/?{query}{fmt}")
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert kept in html
        assert 'role="alert"' in html
        assert 'aria-invalid="true"' in html


def test_it_pages_by_keyset_without_losing_or_repeating_records(lead_client, people, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for n in range(8):  # two records share each instant, so the id breaks ties
        rec("rita", "approve", at=T0 + dt.timedelta(seconds=n // 2), task=f"t{n}")
    seen, url, pages = [], "/audit/approvals/?reviewer=rita", 0
    while url:
        response = lead_client.get(url)
        seen.extend(rows(response))
        pages += 1
        older = re.search(r'<a href="(\?[^"]+)" rel="next">', response.content.decode())
        url = "/audit/approvals/" + older.group(1).replace("&amp;", "&") if older else None
        if url:
            assert "reviewer=rita" in url
    assert seen == ["t7", "t6", "t5", "t4", "t3", "t2", "t1", "t0"]
    assert pages == 3
    # And back: "newer" from the last page leads to the page before it.
    last = lead_client.get("/audit/approvals/?reviewer=rita&after=" + views._cursor(_record("t3")))
    assert rows(last) == ["t2", "t1", "t0"]
    newer = re.search(r'<a href="(\?[^"]+)" rel="prev">', last.content.decode()).group(1).replace("&amp;", "&")
    assert rows(lead_client.get("/audit/approvals/" + newer)) == ["t5", "t4", "t3"]


def _record(task_id):
    from reviewer.review.models import ActionRecord

    return ActionRecord.objects.get(task_id=task_id)


def test_it_ignores_a_broken_cursor(lead_client, log):
    assert rows(lead_client.get("/audit/approvals/?after=garbage")) == ["t_d", "t_c", "t_a", "t_b", "t_a"]
    assert rows(lead_client.get("/audit/approvals/?before=1.x")) == ["t_d", "t_c", "t_a", "t_b", "t_a"]


def test_it_neutralises_spreadsheet_formulas_in_the_csv(lead_client, people):
    rec("=HYPERLINK(1)", "approve", message="+cmd", task="t1")
    data = csv_rows(lead_client.get("/audit/approvals/?format=csv"))
    assert data[0]["reviewer"] == "'=HYPERLINK(1)"
    assert data[0]["message"] == "'+cmd"
    assert data[0]["when (UTC)"] == "2026-03-10T09:00:00Z"


def test_it_links_each_row_to_the_task_history_and_the_review_screen(lead_client, log):
    html = lead_client.get("/audit/approvals/").content.decode()
    assert 'href="/audit/task/team_123456/proj_123456/t_a/"' in html
    history = lead_client.get("/audit/task/team_123456/proj_123456/t_a/").content.decode()
    assert 'href="/review/team_123456/proj_123456/t_a/"' in history


@pytest.fixture
def corrected(people):
    """A plain complete, a corrected one, and a report that carried a correction (report mode)."""
    rec("leo", "complete", at=T0, task="t_plain")
    fixed = rec("rita", "complete", at=T0 + dt.timedelta(minutes=1), task="t_fixed", correction_count=3)
    correct(fixed, "add", entity="invoice_date", item="", after={"entity_id": "invoice_date", "content": "12-10-2026"})
    correct(fixed, entity="total_amount", item="ann_2", before={"content": "S,OOO?"}, after={"content": "€ 5,000.00"})
    correct(fixed, "remove", "signature", item="sig_1", before={"coordinates": [[1, 1], [2, 1], [2, 2]]})
    reported = rec("rita", "report", at=T0 + dt.timedelta(minutes=2), task="t_rep", correction_count=1)
    correct(reported, kind="checkbox", item="cb_2", before={"checked": False}, after={"checked": True})
    rec("rita", "approve", at=T0 + dt.timedelta(minutes=3), task="t_fixed")
    return fixed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("corrected=on", ["t_rep", "t_fixed"]),
        ("corrected=on&action=complete", ["t_fixed"]),
        ("corrected=on&reviewer=leo", []),
        ("", ["t_fixed", "t_rep", "t_fixed", "t_plain"]),
    ],
)
def test_it_filters_the_activity_to_corrected_tasks(lead_client, corrected, query, expected):
    assert rows(lead_client.get(f"/audit/activity/?{query}")) == expected
    assert [r["task"] for r in csv_rows(lead_client.get(f"/audit/activity/?{query}&format=csv"))] == expected


def test_it_shows_the_count_of_corrections_and_links_to_them(lead_client, corrected):
    html = lead_client.get("/audit/activity/?corrected=on").content.decode()
    link = (
        f'<a href="/audit/task/team_123456/proj_123456/t_fixed/#record-{corrected.pk}">3<span class="visually-hidden">'
    )
    assert link in html
    assert 'name="corrected" aria-describedby="filter-corrected_helptext" id="filter-corrected" checked>' in html
    assert 'href="?corrected=on&amp;format=csv"' in html
    history = lead_client.get("/audit/task/team_123456/proj_123456/t_fixed/").content.decode()
    assert f'<tr id="record-{corrected.pk}">' in history


def test_it_keeps_the_corrected_filter_across_pages(lead_client, corrected, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    first = lead_client.get("/audit/activity/?corrected=on")
    assert rows(first) == ["t_rep"]
    older = re.search(r'<a href="(\?[^"]+)" rel="next">', first.content.decode()).group(1).replace("&amp;", "&")
    assert "corrected=on" in older
    second = lead_client.get("/audit/activity/" + older)
    assert rows(second) == ["t_fixed"]
    assert 'rel="next"' not in second.content.decode()


def test_the_ledger_has_no_corrections_filter(lead_client, corrected):
    html = lead_client.get("/audit/approvals/").content.decode()
    assert 'name="corrected"' not in html


def test_the_csv_carries_the_corrections(lead_client, corrected):
    data = {r["task"] + "/" + r["action"]: r for r in csv_rows(lead_client.get("/audit/activity/?format=csv"))}
    assert list(data["t_fixed/complete"])[-2:] == ["corrections", "correction_details"]
    assert data["t_fixed/complete"]["corrections"] == "3"
    assert data["t_fixed/complete"]["correction_details"] == (
        "invoice_date: (missing) → 12-10-2026; total_amount: S,OOO? → € 5,000.00; removed signature sig_1"
    )
    assert (data["t_rep/report"]["corrections"], data["t_rep/report"]["correction_details"]) == (
        "1",
        "checkbox cb_2 checked: not ticked → ticked",
    )
    assert (data["t_plain/complete"]["corrections"], data["t_plain/complete"]["correction_details"]) == ("0", "")
    ledger = csv_rows(lead_client.get("/audit/approvals/?format=csv"))
    assert [(r["task"], r["corrections"], r["correction_details"]) for r in ledger] == [("t_fixed", "0", "")]


def test_the_csv_reads_corrections_once_per_batch(lead_client, people):
    count = 2 * views.CSV_BATCH + 7
    records = ActionRecord.objects.bulk_create(
        ActionRecord(
            at=T0 + dt.timedelta(seconds=n),
            username="rita",
            team_id="team_123456",
            project_id="proj_123456",
            task_id=f"t{n}",
            action="complete",
            outcome="ok",
            correction_count=1 if n % 2 else 0,
        )
        for n in range(count)
    )
    CorrectionRecord.objects.bulk_create(
        CorrectionRecord(record=r, op="remove", kind="segment", page_id="page_1", item_id=f"seg_{r.task_id}")
        for r in records
        if r.correction_count
    )
    response = lead_client.get("/audit/activity/?format=csv")
    with CaptureQueriesContext(connection) as queries:
        data = csv_rows(response)
    assert len(data) == count
    assert all(
        r["correction_details"] == (f"removed segment seg_{r['task']}" if int(r["task"][1:]) % 2 else "") for r in data
    )
    corrections_read = [q for q in queries if "review_correctionrecord" in q["sql"]]
    assert len(corrections_read) == 3  # one per batch of rows, not one per record
