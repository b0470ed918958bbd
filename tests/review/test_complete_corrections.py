"""Completing with the draft's corrections: sent, recorded, and the draft kept whenever they did not get through."""

from __future__ import annotations

import json

import pytest

from reviewer.review.models import ActionRecord, CorrectionRecord, Draft, EntityTally
from reviewer.sandbox.models import Report, Status, Task
from tests.conftest import make_task
from tests.review.conftest import HTMX, TASK_URL, act_url
from tests.review.test_drafts import DRAFT_URL, JSON, change


@pytest.fixture
def task(db):
    return make_task()


def _upstream() -> Task:
    return Task.objects.get(task_id="task_abcdef123456")


def test_report_mode_sends_the_corrections_readably_and_as_data_then_completes(reviewer_client, task, settings):
    settings.CORRECTIONS_MODE = "report"
    reviewer_client.post(DRAFT_URL, change(), **JSON)
    response = reviewer_client.post(act_url("complete"), {"token": "t1"}, **HTMX)
    assert response.status_code == 200
    assert "Completed with 1 correction: Send.ai is processing the task." in response.content.decode()
    report = Report.objects.get()
    assert report.issues == [{"label": "Corrections", "value": "corrections"}]
    assert "- total_amount: $1,234.56 → $1,234.65" in report.message
    data = json.loads(report.message.split("As data (the corrections body of complete):\n", 1)[1])
    assert data == {
        "corrections": [
            {
                "op": "update",
                "page_id": "page_1",
                "kind": "annotation",
                "item_id": "ann_1",
                "fields": {"content": "$1,234.65"},
            }
        ]
    }
    assert _upstream().status == Status.PROCESSING
    records = {r.action: r for r in ActionRecord.objects.exclude(action="open")}
    assert records["report"].correction_count == 1
    assert records["complete"].outcome == "ok"
    correction = CorrectionRecord.objects.get()
    assert correction.record == records["complete"]
    assert records["complete"].correction_count == 1
    assert (correction.entity_id, correction.before, correction.after) == (
        "total_amount",
        {"content": "$1,234.56"},
        {"content": "$1,234.65"},
    )
    tally = EntityTally.objects.get(record=records["complete"])
    assert (tally.entity_id, tally.items, tally.changed) == ("total_amount", 1, 1)
    assert tally.changed_confidence == pytest.approx(0.98)
    assert not Draft.objects.exists()


def test_a_draft_with_a_refused_value_is_not_sent(reviewer_client, task):
    reviewer_client.post(DRAFT_URL, change(content="a\tb"), **JSON)
    response = reviewer_client.post(act_url("complete"), {"token": "t2"}, **HTMX)
    html = response.content.decode()
    assert "1 correction has a value that Send.ai would refuse" in html
    assert _upstream().status == Status.REVIEWING
    assert not ActionRecord.objects.filter(action="complete").exists()
    assert Draft.objects.get().changes


def test_complete_sent_twice_is_sent_once_and_the_second_says_so(reviewer_client, task, settings):
    settings.CORRECTIONS_MODE = "report"
    reviewer_client.post(DRAFT_URL, change(), **JSON)
    reviewer_client.post(act_url("complete"), {"token": "same"}, **HTMX)
    again = reviewer_client.post(act_url("complete"), {"token": "same"}, **HTMX).content.decode()
    assert "That was sent already; it was not sent again." in again
    assert Report.objects.count() == 1
    assert ActionRecord.objects.filter(action="complete", outcome="ok").count() == 1


def test_an_outage_keeps_the_draft_and_offers_to_try_again(reviewer_client, task, settings):
    reviewer_client.post(DRAFT_URL, change(), **JSON)
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    html = reviewer_client.post(act_url("complete"), {"token": "t3"}, **HTMX).content.decode()
    assert "Your corrections are kept." in html
    assert "data-retry" in html
    assert Draft.objects.get().changes
    assert ActionRecord.objects.get(action="complete").outcome == "unavailable"


def test_without_a_draft_complete_is_the_plain_one(reviewer_client, task):
    response = reviewer_client.post(act_url("complete"), {"token": "t4"}, follow=True)
    assert response.redirect_chain == [(TASK_URL, 302)]
    assert "Completed: Send.ai is processing the task." in response.content.decode()
    record = ActionRecord.objects.get(action="complete")
    assert record.correction_count == 0
    assert _upstream().status == Status.PROCESSING


def test_complete_mode_applies_the_corrections_upstream_and_records_them(reviewer_client, task):
    reviewer_client.post(DRAFT_URL, change(), **JSON)
    reviewer_client.post(DRAFT_URL, {**change(op="remove", kind="signature", item_id="sig_1")}, **JSON)
    response = reviewer_client.post(act_url("complete"), {"token": "t5"}, **HTMX)
    assert "Completed with 2 corrections: Send.ai is processing the task." in response.content.decode()
    page = _upstream().pages[0]
    assert page["annotations"][0]["content"] == "$1,234.65"
    assert page["annotations"][0]["corrected"] is True
    assert page["annotations"][0]["original"] == {"content": "$1,234.56"}
    assert page["signatures"] == []
    assert [r["id"] for r in page["removed"]] == ["sig_1"]
    record = ActionRecord.objects.get(action="complete")
    assert (record.outcome, record.correction_count) == ("ok", 2)
    rows = {(c.op, c.kind, c.item_id) for c in CorrectionRecord.objects.filter(record=record)}
    assert rows == {("update", "annotation", "ann_1"), ("remove", "signature", "sig_1")}
    assert not Draft.objects.exists()
    # The console reads the corrected task back: the field is marked as corrected by a person.
    html = reviewer_client.get(TASK_URL).content.decode()
    assert 'title="Corrected by a person earlier">corrected</span>' in html


def test_a_correction_the_upstream_refuses_is_marked_and_the_draft_kept(reviewer_client, task):
    # An add on a page the task does not have: the console cannot know, the upstream refuses it.
    reviewer_client.post(
        DRAFT_URL,
        {
            "op": "add",
            "key": "new/x1",
            "kind": "annotation",
            "page_id": "page_9",
            "page_width": "2480",
            "page_height": "3508",
            "entity_id": "invoice_date",
            "content": "12-10-2026",
        },
        **JSON,
    )
    html = reviewer_client.post(act_url("complete"), {"token": "t6"}, **HTMX).content.decode()
    assert "corrections[0].page_id: no page page_9 in this task." in html
    assert "the one Send.ai refused is marked" in html
    stored = Draft.objects.get().changes["new/x1"]
    assert "no page page_9" in stored["error"]
    assert _upstream().status == Status.REVIEWING
    assert ActionRecord.objects.get(action="complete").upstream_code == "invalid_corrections"


def test_corrections_make_a_failing_task_completable(reviewer_client, task):
    from reviewer.sandbox.models import ValidationRule

    ValidationRule.objects.create(project=task.project, rule="required", entity_id="invoice_date")
    refused = reviewer_client.post(act_url("complete"), {"token": "t7"}, **HTMX).content.decode()
    assert "invoice_date: missing" in refused
    assert Draft.objects.get().failures[0]["entity_id"] == "invoice_date"
    page = reviewer_client.get(TASK_URL).content.decode()
    assert 'data-add-field="invoice_date"' in page
    reviewer_client.post(
        DRAFT_URL,
        {
            "op": "add",
            "key": "new/d1",
            "kind": "annotation",
            "page_id": "page_1",
            "page_width": "2480",
            "page_height": "3508",
            "entity_id": "invoice_date",
            "content": "12-10-2026",
        },
        **JSON,
    )
    done = reviewer_client.post(act_url("complete"), {"token": "t8"}, **HTMX).content.decode()
    assert "Completed with 1 correction" in done
    added = [a for a in _upstream().pages[0]["annotations"] if a["entity_id"] == "invoice_date"]
    assert added and added[0]["content"] == "12-10-2026" and added[0]["top"] is None
