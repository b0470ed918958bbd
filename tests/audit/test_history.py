"""A task's history: every record by everyone on it, in order, and its second reviews."""

from __future__ import annotations

import datetime as dt
import re

from reviewer.audit.models import Sample, SampleItem
from tests.audit.conftest import T0, rec


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
