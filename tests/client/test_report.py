"""Report issues: 201 on the live sandbox, 207 as a warning, and local validation before sending."""

from __future__ import annotations

import pytest

from reviewer.sandbox.models import Report, Task
from reviewer.sendai import COMMON_ISSUES, Client, InvalidReport, Issue, ProtocolError
from tests.conftest import make_key, make_task

ISSUES = [Issue("Poor Document Quality", "poor_quality")]


def report(key: str, issues=ISSUES, message="The scan is blurry."):
    return Client(key).report("team_123456", "proj_123456", "task_abcdef123456", issues, message)


@pytest.mark.usefixtures("live")
def test_it_stores_a_report():
    make_task(status="COMPLETED")
    result = report(make_key(), [*ISSUES, Issue("Team's own", "teams_own")])
    assert result.task.status == "COMPLETED"  # a report does not change the status
    assert result.warning is None
    stored = Report.objects.get()
    assert stored.issues == [
        {"label": "Poor Document Quality", "value": "poor_quality"},
        {"label": "Team's own", "value": "teams_own"},
    ]
    assert stored.message == "The scan is blurry."


@pytest.mark.usefixtures("live")
def test_it_sends_no_message_when_there_is_none():
    make_task()
    report(make_key(), message=None)
    assert Report.objects.get().message is None


@pytest.mark.usefixtures("live")
def test_it_returns_the_207_of_a_failed_external_call_as_a_warning(settings, refused_url):
    settings.SANDBOX_REPORT_HOOK_URL = refused_url
    make_task()
    result = report(make_key())
    assert result.task.id == "task_abcdef123456"
    assert result.warning.startswith("The report was stored, but the external call failed")
    assert Report.objects.get().hook_status == "failed"
    assert Task.objects.get().status == "REVIEWING"


def test_it_reads_a_207_from_any_upstream(upstream, api, doc_task):
    error = {"code": "external_call_failed", "message": "The report was stored, but the export hook timed out."}
    upstream.reply(207, json_body={"payload": doc_task, "error": error})
    result = api.report("team_123456", "proj_123456", "task_abcdef123456", ISSUES, "Blurry.")
    assert result.warning == "The report was stored, but the export hook timed out."

    (sent,) = upstream.received
    assert sent.method == "POST"
    assert sent.path == "/sendai/v2/team_123456/project/proj_123456/task/task_abcdef123456/report"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json() == {
        "issues": [{"label": "Poor Document Quality", "value": "poor_quality"}],
        "message": "Blurry.",
    }


def test_it_gives_a_plain_warning_for_a_207_without_an_error_object(upstream, api, doc_task):
    upstream.reply(207, json_body={"payload": doc_task, "error": "oops"})
    result = api.report("team_123456", "proj_123456", "task_abcdef123456", ISSUES)
    assert result.warning == "The report was stored, but the call it triggers failed."


def test_it_still_refuses_a_207_without_a_task(upstream, api):
    upstream.reply(207, json_body={"payload": None, "error": {"code": "x", "message": "y"}})
    with pytest.raises(ProtocolError) as e:
        api.report("team_123456", "proj_123456", "task_abcdef123456", ISSUES)
    assert e.value.field == "payload"


@pytest.mark.parametrize(
    ("issues", "message", "error"),
    [
        ([], None, "Choose at least one issue to report."),
        ([Issue("", "poor_quality")], None, "Each issue of a report needs a label and a value."),
        ([Issue("Poor Document Quality", "   ")], None, "Each issue of a report needs a label and a value."),
        ([("Poor Document Quality", "poor_quality")], None, "Each issue of a report needs a label and a value."),
        ("poor_quality", None, "The issues of a report must be a list."),
        (ISSUES, 42, "The message of a report must be text."),
    ],
)
def test_it_refuses_a_report_the_contract_would_refuse_without_sending_it(upstream, api, issues, message, error):
    with pytest.raises(InvalidReport) as e:
        api.report("team_123456", "proj_123456", "task_abcdef123456", issues, message)
    assert str(e.value) == error
    assert isinstance(e.value, ValueError)
    assert upstream.received == []


def test_it_offers_the_contracts_common_issues():
    assert [issue.value for issue in COMMON_ISSUES] == [
        "poor_quality",
        "wrong_type",
        "missing_info",
        "processing_error",
        "validation_failed",
    ]
