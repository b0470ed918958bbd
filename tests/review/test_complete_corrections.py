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
    data = json.loads(report.message.split("As data (sendai-api.md §5):\n", 1)[1])
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
