"""Every action through the console: sent with the person's key, the upstream's verdict shown, each attempt recorded."""

from __future__ import annotations

import pytest

from reviewer.accounts.models import KeyState, Profile
from reviewer.review.models import ActionRecord, IssueType
from reviewer.sandbox.models import Report, Status, Task, TrainingExample, ValidationRule
from tests.conftest import give_key, make_key, make_project, make_task
from tests.review.conftest import HTMX, TASK_URL, act_url


def _task() -> Task:
    return Task.objects.get(task_id="task_abcdef123456")


@pytest.mark.parametrize(
    ("action", "status", "approved", "after"),
    [
        ("complete", Status.REVIEWING, False, (Status.PROCESSING, False)),
        ("discard", Status.REVIEWING, False, (Status.DISCARDED, False)),
        ("approve", Status.COMPLETED, False, (Status.COMPLETED, True)),
        ("disapprove", Status.COMPLETED, True, (Status.COMPLETED, False)),
        ("unlock", Status.COMPLETED, False, (Status.REVIEWING, False)),
    ],
)
def test_each_action_works_without_javascript(reviewer_client, settings, action, status, approved, after):
    settings.SANDBOX_PROCESSING_DELAY = 60
    make_task(status=status, approved=approved)
    make_task("task_sibling")  # keeps the upload in progress, so unlock is allowed
    response = reviewer_client.post(act_url(action), {"token": "t1"}, follow=True)
    assert response.redirect_chain == [(TASK_URL, 302)]
    task = _task()
    assert (task.status, task.approved) == after
    assert after[0] in response.content.decode()
    record = ActionRecord.objects.get(action=action)
    assert (record.outcome, record.upstream_status, record.username, record.task_status) == (
        "ok",
        200,
        "rita",
        after[0],
    )
    assert record.request_id
    if action == "approve":
        assert TrainingExample.objects.filter(task=task).exists()


def test_an_htmx_action_answers_with_the_state_partial(reviewer_client):
    make_task(status=Status.COMPLETED)
    response = reviewer_client.post(act_url("approve"), {"token": "t2"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="task-state"')
    assert "Approved: the task joins the training data." in html
    assert "Approved for training" in html
    assert _task().approved


def test_a_refusal_shows_the_upstreams_reason(reviewer_client):
    make_task(status=Status.COMPLETED, approved=True)
    response = reviewer_client.post(act_url("approve"), {"token": "t3"})
    assert response.status_code == 400
    assert "already approved" in response.content.decode()
    record = ActionRecord.objects.get(action="approve")
    assert (record.outcome, record.upstream_status, record.upstream_code) == ("refused", 400, "already_approved")


def test_a_validation_failure_shows_what_failed(reviewer_client):
    task = make_task()
    pages = task.pages
    pages[0]["annotations"][0]["content"] = "about a thousand"
    Task.objects.filter(pk=task.pk).update(pages=pages)
    ValidationRule.objects.create(project=task.project, rule="amount", entity_id="total_amount")
    response = reviewer_client.post(act_url("complete"), {"token": "t4"}, **HTMX)
    html = response.content.decode()
    assert "total_amount: not an amount" in html
    assert 'class="notice notice-error" role="alert"' in html
    assert _task().status == Status.REVIEWING
    assert ActionRecord.objects.get(action="complete").upstream_code == "validation_failed"


def test_a_double_submission_is_sent_once(reviewer_client):
    make_task(status=Status.COMPLETED)
    reviewer_client.post(act_url("approve"), {"token": "same"})
    response = reviewer_client.post(act_url("approve"), {"token": "same"}, **HTMX)
    assert "was not sent again" in response.content.decode()
    outcomes = list(ActionRecord.objects.filter(action="approve").order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["ok", "duplicate"]
    assert TrainingExample.objects.count() == 1


def test_a_report_is_sent_with_picked_custom_and_other_issues(reviewer_client):
    IssueType.objects.create(label="Handwriting", value="handwriting")
    make_task()
    data = {
        "token": "t5",
        "issues": ["poor_quality", "handwriting"],
        "other": "Stamp covers the total",
        "message": "Page 1 is skewed.",
    }
    response = reviewer_client.post(act_url("report"), data, follow=True)
    assert b"Report sent." in response.content
    report = Report.objects.get()
    assert report.issues == [
        {"label": "Poor Document Quality", "value": "poor_quality"},
        {"label": "Handwriting", "value": "handwriting"},
        {"label": "Stamp covers the total", "value": "other"},
    ]
    assert report.message == "Page 1 is skewed."


def test_an_empty_report_is_refused_locally_and_keeps_the_text(reviewer_client):
    make_task()
    response = reviewer_client.post(act_url("report"), {"token": "t6", "message": "I typed this"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one issue" in html
    assert "I typed this" in html
    assert not Report.objects.exists()
    assert not ActionRecord.objects.filter(action="report").exists()


def test_a_207_shows_as_a_warning_that_the_report_was_stored(reviewer_client, settings):
    settings.SANDBOX_REPORT_HOOK_URL = "http://127.0.0.1:9/hook"
    make_task()
    response = reviewer_client.post(act_url("report"), {"token": "t7", "issues": ["wrong_type"]}, **HTMX)
    html = response.content.decode()
    assert "notice-warning" in html
    assert "The report was stored" in html
    assert Report.objects.count() == 1
    assert ActionRecord.objects.get(action="report").outcome == "warning"


def test_an_unreachable_upstream_keeps_the_report_text(reviewer_client, settings):
    make_task()
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    data = {"token": "t8", "issues": ["missing_info"], "other": "Second page missing", "message": "Keep me"}
    for extra in ({}, HTMX):
        response = reviewer_client.post(act_url("report"), data | {"token": f"t8{bool(extra)}"}, **extra)
        html = response.content.decode()
        assert response.status_code == (200 if extra else 503)
        assert "could not be reached" in html or "unavailable" in html.lower()
        assert "Second page missing" in html
        assert "Keep me" in html
        assert 'value="missing_info"' in html and "checked" in html
    assert ActionRecord.objects.filter(action="report", outcome="unavailable").count() == 2


def test_an_unreachable_upstream_offers_a_retry(reviewer_client, settings):
    make_task(status=Status.COMPLETED)
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    html = reviewer_client.post(act_url("approve"), {"token": "t9"}, **HTMX).content.decode()
    assert "data-retry" in html
    assert f'hx-post="{act_url("approve")}"' in html


def test_a_rejected_key_points_to_the_key(client, people, upstream):
    make_task()
    give_key(people.reviewer, "sk_sbx_revoked-or-unknown")
    client.force_login(people.reviewer)
    response = client.post(act_url("approve"), {"token": "t10"})
    assert response.status_code == 400
    assert b"Send.ai rejected your API key" in response.content
    assert b'href="/account/"' in response.content
    assert Profile.objects.get(user=people.reviewer).key_state == KeyState.REJECTED
    assert ActionRecord.objects.get().outcome == "key"
    # The key is only suspect: the next action still asks Send.ai, and says why it failed in place.
    again = client.post(act_url("approve"), {"token": "t11"}, **HTMX)
    assert again.status_code == 200
    assert "Send.ai did not accept the API key" in again.content.decode()
    assert ActionRecord.objects.filter(outcome="key").count() == 2


def test_a_read_only_key_points_to_the_missing_scope(client, people, upstream):
    make_task(status=Status.COMPLETED)
    give_key(people.reviewer, make_key(scopes=("task.read",), project=make_project()))
    client.force_login(people.reviewer)
    response = client.post(act_url("approve"), {"token": "t12"})
    assert b"lacks the task.edit scope" in response.content
    assert not _task().approved


def test_actions_need_csrf(people, upstream):
    from django.test import Client

    make_task()
    give_key(people.reviewer, make_key(project=make_project()))
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.reviewer)
    assert client.post(act_url("discard"), {"token": "t13"}).status_code == 403
    assert _task().status == Status.REVIEWING


def test_an_unknown_action_is_404(reviewer_client):
    make_task()
    assert reviewer_client.post(act_url("delete"), {"token": "t14"}).status_code == 404
    assert reviewer_client.get(act_url("approve")).status_code == 405


def test_a_stranger_cannot_act(client, people, upstream):
    make_task()
    client.force_login(people.stranger)
    assert client.post(act_url("discard")).status_code == 403
    assert _task().status == Status.REVIEWING
