"""A task's history: every record by everyone on it, in order, and its second reviews."""

from __future__ import annotations

import datetime as dt
import re

from reviewer.audit.models import Sample, SampleItem
from tests.audit.conftest import T0, correct, rec


def test_it_lists_everything_on_the_task_in_order(lead_client, people):
    rec("rita", "open", at=T0, task="t1", task_approved=False)
    approval = rec("rita", "approve", at=T0 + dt.timedelta(minutes=2), task="t1", seconds_on_task=120)
    rec("leo", "disapprove", "refused", at=T0 + dt.timedelta(minutes=1), task="t1", upstream_code="already_disapproved")
    rec("leo", "disapprove", at=T0 + dt.timedelta(minutes=3), task="t1")
    rec("rita", "approve", at=T0, task="t2")
    rec("rita", "approve", at=T0, task="t1", project="proj_other")
    sample = Sample.objects.create(created_by_name="leo", period_start="2026-03-01", period_end="2026-03-31", size=1)
    SampleItem.objects.create(
        sample=sample,
        record=approval,
        team_id="team_123456",
        project_id="proj_123456",
        task_id="t1",
        approver="rita",
        verdict="disagreed",
        reason="Wrong date",
        disapproved_upstream=True,
    )
    response = lead_client.get("/audit/task/team_123456/proj_123456/t1/")
    assert response.status_code == 200
    html = response.content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    events = re.findall(r"<td>(rita|leo)</td>\s*<td>(\w+)</td>", body)
    assert events == [("rita", "Opened"), ("leo", "Disapprove"), ("rita", "Approve"), ("leo", "Disapprove")]
    assert "already_disapproved" in body
    assert "2 min 00 s" in body
    assert 'Approved now</dt><dd><span class="approval">not approved</span>' in html
    assert "Wrong date" in html and "(disapproved in Send.ai)" in html


def test_it_says_when_nothing_is_recorded(lead_client, people):
    html = lead_client.get("/audit/task/team_123456/proj_123456/never/").content.decode()
    assert "Nothing is recorded on this task." in html
    assert '<span class="muted">unknown</span>' in html


def correction_rows(html: str) -> list[list[str]]:
    """The cells of the corrections' rows, as text (still escaped)."""
    rows = re.findall(r'<tr class="correction-\w+">(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in row] for row in cells]


def test_it_shows_each_records_corrections_escaped(lead_client, people):
    rec("rita", "open", at=T0, task="t1")
    done = rec("rita", "complete", at=T0 + dt.timedelta(minutes=1), task="t1", correction_count=5)
    correct(done, entity="total_amount", item="ann_2", before={"content": "S,OOO?"}, after={"content": "€ 5,000.00"})
    correct(done, entity="note", item="ann_3", before={"content": "<script>alert(1)</script>"}, after={"content": "ok"})
    correct(
        done, "add", entity="invoice_date", item="ann_c1", after={"entity_id": "invoice_date", "content": "12-10-2026"}
    )
    correct(done, "remove", "signature", item="sig_1", before={"coordinates": [[1, 1], [2, 1], [2, 2]]}, confidence=0.4)
    correct(done, kind="checkbox", item="cb_2", before={"checked": False}, after={"checked": True}, confidence=0.55)
    rec("leo", "approve", at=T0 + dt.timedelta(minutes=2), task="t1")
    response = lead_client.get("/audit/task/team_123456/proj_123456/t1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "5 corrections sent with this complete" in html
    assert correction_rows(html) == [
        ["total_amount", "content", "S,OOO? → € 5,000.00", "changed", "annotation", "page_1", "—"],
        ["note", "content", "&lt;script&gt;alert(1)&lt;/script&gt; → ok", "changed", "annotation", "page_1", "—"],
        ["invoice_date", "content", "added: 12-10-2026", "added", "annotation", "page_1", "—"],
        ["signature sig_1", "—", "removed", "removed", "signature", "page_1", "40%"],
        ["checkbox cb_2", "checked", "not ticked → ticked", "changed", "checkbox", "page_1", "55%"],
    ]
    # The corrections sit under their own record, before the next one.
    assert html.index("S,OOO?") < html.index("<td>leo</td>")


def test_it_shortens_long_values_and_keeps_the_full_one(lead_client, people):
    long = "A" * 70 + "<b>end</b>"
    done = rec("rita", "complete", task="t1", correction_count=1)
    correct(done, entity="notes", before={"content": "short"}, after={"content": long})
    html = lead_client.get("/audit/task/team_123456/proj_123456/t1/").content.decode()
    full = "A" * 70 + "&lt;b&gt;end&lt;/b&gt;"
    assert f'<summary title="{full}">{"A" * 59}…</summary><span>{full}</span></details>' in html
    assert "<b>end</b>" not in html
