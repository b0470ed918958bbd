"""Second review of approvals: drawing a sample, verdicts, and disapproving upstream with the lead's key."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from reviewer.audit import sampling
from reviewer.audit.models import Sample, SampleItem
from reviewer.review.models import ActionRecord
from reviewer.sandbox.models import Status, Task, TrainingExample
from tests.audit.conftest import T0, rec
from tests.conftest import give_key, make_key, make_project, make_task

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "item"}
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31", "size": "10"}


def draw(client, **data):
    return client.post("/audit/samples/", {**MARCH, **data})


def sample_item(task_id: str) -> SampleItem:
    return SampleItem.objects.get(task_id=task_id)


@pytest.fixture
def approvals(people):
    rec("rita", "approve", at=T0, task="t1")
    rec("rita", "approve", at=T0, task="t2")
    rec("rita", "approve", at=T0 + dt.timedelta(hours=1), task="t2")  # approved twice: one item
    rec("rita", "approve", at=T0, task="t3")
    rec("leo", "disapprove", at=T0 + dt.timedelta(hours=2), task="t3")  # no longer approved
    rec("rita", "approve", "refused", at=T0, task="t4")
    rec("ada", "approve", at=T0, task="t5")
    rec("rita", "approve", at=T0, task="t6", project="proj_other")
    rec("rita", "approve", at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC), task="t7")


def test_it_draws_still_approved_tasks_once_each(lead_client, approvals):
    response = draw(lead_client, reviewer="rita", project="proj_123456")
    sample = Sample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/audit/samples/{sample.pk}/"
    assert sorted(sample.items.values_list("task_id", flat=True)) == ["t1", "t2"]
    t2 = sample_item("t2")
    assert t2.record.at == T0 + dt.timedelta(hours=1)  # the latest approval
    assert (t2.approver, t2.verdict, sample.created_by_name, sample.size) == ("rita", "", "leo", 10)
    assert (sample.reviewer, sample.team_id, sample.project_id) == ("rita", "", "proj_123456")
    page = lead_client.get(response["Location"])
    assert b"Drew 2 approved tasks (only 2 matched)." in page.content
    html = page.content.decode()
    assert 'href="/review/team_123456/proj_123456/t1/"' in html
    assert 'href="/audit/task/team_123456/proj_123456/t2/"' in html
    assert "Decided</dt><dd>0 of 2" in html


def test_it_draws_at_random_up_to_the_size(people):
    for n in range(30):
        rec("rita", "approve", at=T0, task=f"t{n}")
    approvals = ActionRecord.objects.filter(action="approve")
    first = sampling.draw(approvals, 5, by=people.lead, filters=_filters(), rng=random.Random(1))
    second = sampling.draw(approvals, 5, by=people.lead, filters=_filters(), rng=random.Random(2))
    tasks = [set(s.items.values_list("task_id", flat=True)) for s in (first, second)]
    assert [len(t) for t in tasks] == [5, 5]
    assert tasks[0] != tasks[1]


def _filters():
    return {"period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 3, 31)}


def test_it_says_when_nothing_matches_and_keeps_the_choices(lead_client, approvals):
    response = draw(lead_client, reviewer="nobody")
    assert response.status_code == 400
    html = response.content.decode()
    assert "No approval matches these choices" in html
    assert 'value="nobody"' in html
    assert not Sample.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"size": "1000"}, "Ensure this value is less than or equal to 200."),
        ({"date_from": ""}, "This field is required."),
        ({"date_to": "2026-02-01"}, "The end comes before the start."),
        ({"project": "a b"}, "Enter a project ID"),
    ],
)
def test_it_refuses_a_bad_draw(lead_client, approvals, data, message):
    response = draw(lead_client, **data)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.fixture
def item(lead_client, approvals):
    draw(lead_client, reviewer="rita", project="proj_123456")
    return sample_item("t1")


def verdict(client, item, **data):
    return client.post(
        f"/audit/samples/items/{item.pk}/verdict/",
        {f"item{item.pk}-{k}": v for k, v in data.items()},
        **data.pop("_extra", {}),
    )


def test_it_saves_an_agreement(lead_client, people, item):
    response = verdict(lead_client, item, verdict="agreed")
    assert response.status_code == 302
    assert response["Location"] == f"/audit/samples/{item.sample_id}/#item-{sample_item('t2').pk}"
    item.refresh_from_db()
    assert (item.verdict, item.decided_by, item.disapproved_upstream) == ("agreed", people.lead, False)
    assert item.decided_at is not None


def test_a_disagreement_needs_a_reason(lead_client, item):
    response = verdict(lead_client, item, verdict="disagreed", reason="  ")
    assert response.status_code == 400
    assert "Say why you disagree." in response.content.decode()
    item.refresh_from_db()
    assert item.verdict == ""


def test_only_a_disagreement_disapproves(lead_client, item):
    response = verdict(lead_client, item, verdict="agreed", disapprove="on")
    assert response.status_code == 400
    assert "Only a disagreement can disapprove the task." in response.content.decode()


def test_a_disagreement_without_a_key_keeps_the_reason(lead_client, item):
    response = verdict(lead_client, item, verdict="disagreed", reason="The total is wrong", disapprove="on")
    assert response.status_code == 400
    html = response.content.decode()
    assert "You have no working Send.ai API key" in html
    assert "The verdict was not saved." in html
    assert "The total is wrong" in html
    item.refresh_from_db()
    assert item.verdict == ""


def test_an_unreachable_upstream_is_shown_recorded_and_keeps_the_reason(lead_client, people, item, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    give_key(people.lead, "sk_test_unreachable")
    response = verdict(lead_client, item, verdict="disagreed", reason="Blurred scan", disapprove="on")
    assert response.status_code == 503
    html = response.content.decode()
    assert "Send.ai could not be reached: the connection was refused or broken." in html
    assert "Blurred scan" in html
    record = ActionRecord.objects.get(username="leo", action="disapprove", task_id="t1")
    assert record.outcome == "unavailable"
    item.refresh_from_db()
    assert item.verdict == ""


def test_an_htmx_verdict_answers_with_the_item(lead_client, item):
    response = lead_client.post(
        f"/audit/samples/items/{item.pk}/verdict/", {f"item{item.pk}-verdict": "agreed"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="item-{item.pk}"')
    assert "t1: agreed." in html
    bad = lead_client.post(f"/audit/samples/items/{item.pk}/verdict/", {f"item{item.pk}-verdict": "disagreed"}, **HTMX)
    assert bad.status_code == 200  # htmx swaps only 2xx answers
    assert "Say why you disagree." in bad.content.decode()


def test_the_sampling_loop_end_to_end_against_the_sandbox(client, people, upstream, settings):
    """A reviewer approves through the console; a lead samples, agrees once, and disapproves once upstream."""
    project = make_project()
    for task_id in ("task_s1", "task_s2"):
        make_task(task_id, project=project, upload_id="upl_s", status=Status.COMPLETED)
    give_key(people.reviewer, make_key(project=project, name="rita's key"))
    give_key(people.lead, make_key(project=project, name="leo's key"))

    client.force_login(people.reviewer)
    for task_id in ("task_s1", "task_s2"):
        assert client.get(f"/review/team_123456/proj_123456/{task_id}/").status_code == 200
        response = client.post(f"/review/team_123456/proj_123456/{task_id}/act/approve/", {"token": uuid.uuid4().hex})
        assert response.status_code == 302
    assert set(Task.objects.filter(approved=True).values_list("task_id", flat=True)) == {"task_s1", "task_s2"}

    lead = Client()
    lead.force_login(people.lead)
    today = timezone.now().date().isoformat()
    choices = {"reviewer": "rita", "project": "team_123456/proj_123456", "date_from": today, "date_to": today}
    response = lead.post("/audit/samples/", {**choices, "size": "5"})
    assert response.status_code == 302
    page = lead.get(response["Location"]).content.decode()
    for task_id in ("task_s1", "task_s2"):
        assert f'href="/review/team_123456/proj_123456/{task_id}/"' in page
    # The lead looks at each task in the review screen before deciding.
    for task_id in ("task_s1", "task_s2"):
        assert lead.get(f"/review/team_123456/proj_123456/{task_id}/").status_code == 200

    good, bad = sample_item("task_s1"), sample_item("task_s2")
    assert verdict(lead, good, verdict="agreed").status_code == 302
    response = lead.post(
        f"/audit/samples/items/{bad.pk}/verdict/",
        {
            f"item{bad.pk}-verdict": "disagreed",
            f"item{bad.pk}-reason": "Wrong supplier",
            f"item{bad.pk}-disapprove": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "task_s2: disagreed. Disapproved in Send.ai: the task left the training data." in response.content.decode()

    assert Task.objects.get(task_id="task_s1").approved is True
    assert Task.objects.get(task_id="task_s2").approved is False
    assert not TrainingExample.objects.filter(task__task_id="task_s2").exists()
    record = ActionRecord.objects.get(username="leo", action="disapprove")
    assert (record.outcome, record.task_id, record.task_approved, record.upstream_status) == (
        "ok",
        "task_s2",
        False,
        200,
    )
    assert record.seconds_on_task is not None  # the lead opened it in the review screen
    bad.refresh_from_db()
    assert (bad.verdict, bad.reason, bad.disapproved_upstream, bad.decided_by) == (
        "disagreed",
        "Wrong supplier",
        True,
        people.lead,
    )

    # The figures show rita's agreement rate and the reversal; the ledger shows the state now.
    figures = lead.get(f"/audit/figures/?date_from={today}&date_to={today}&reviewer=rita").content.decode()
    row = re.search(r'reviewer=rita">rita</a></th>(.*?)</tr>', figures, re.S).group(1)
    assert '50% <span class="muted">(1 of 2)</span>' in row
    assert '<td>1 <span class="muted">of 2</span></td>' in row  # one of two approvals reversed by someone else
    ledger = lead.get("/audit/approvals/?format=csv")
    lines = b"".join(ledger.streaming_content).decode().splitlines()
    assert len(lines) == 4  # header, two approvals, one disapproval

    # Disapproving again is harmless: Send.ai says it is not approved any more, and the verdict is kept.
    response = lead.post(
        f"/audit/samples/items/{bad.pk}/verdict/",
        {f"item{bad.pk}-verdict": "disagreed", f"item{bad.pk}-reason": "Still wrong", f"item{bad.pk}-disapprove": "on"},
        follow=True,
    )
    assert "nothing to disapprove" in response.content.decode()
    bad.refresh_from_db()
    assert (bad.reason, bad.disapproved_upstream) == ("Still wrong", True)


@pytest.fixture
def sandboxed(people, upstream, lead_client):
    """A sampled approval of a sandbox task that is approved and still PROCESSING (so Send.ai refuses)."""
    make_task("task_busy", status=Status.PROCESSING, approved=True)
    rec("rita", "approve", at=T0, task="task_busy")
    draw(lead_client, reviewer="rita")
    return sample_item("task_busy")


def test_a_refusal_is_shown_recorded_and_keeps_the_reason(lead_client, people, sandboxed):
    give_key(people.lead, make_key(project=make_project()))
    response = verdict(lead_client, sandboxed, verdict="disagreed", reason="Wrong total", disapprove="on")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Send.ai refused to" in html and "The verdict was not saved." in html
    assert "Wrong total" in html
    record = ActionRecord.objects.get(username="leo", action="disapprove")
    assert (record.outcome, record.upstream_status) == ("refused", 400)
    assert Task.objects.get(task_id="task_busy").approved is True
    sandboxed.refresh_from_db()
    assert sandboxed.verdict == ""


def test_a_rejected_key_is_shown_recorded_and_marked(lead_client, people, sandboxed):
    give_key(people.lead, "sk_not_a_key_the_sandbox_knows")
    response = verdict(lead_client, sandboxed, verdict="disagreed", reason="Wrong total", disapprove="on")
    assert response.status_code == 400
    assert "did not accept the API key" in response.content.decode()
    assert ActionRecord.objects.get(username="leo", action="disapprove").outcome == "key"
    people.lead.profile.refresh_from_db()
    assert people.lead.profile.key_state == "rejected"
