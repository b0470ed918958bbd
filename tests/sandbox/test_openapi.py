"""The sandbox against its own OpenAPI description, /sandbox/openapi.json, with Schemathesis.

Every operation is called with generated requests (valid and invalid) through the Django WSGI
application, with a valid key, and every response is checked against the description: no server
error, documented status codes, content types, headers and bodies, and auth that is not ignored.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

import hypothesis
import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.core import NotSet
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import negative_data_rejection

from reviewer.sandbox.models import SCOPES, ApiKey, KeyGrant, Status, Task, ValidationRule, hash_key
from tests.conftest import doc_pages, make_project, make_task

TEAM, PROJECT = "team_123456", "proj_123456"
EXPORTED_AT = dt.datetime(2024, 1, 16, 9, 0, tzinfo=dt.UTC)
# Tasks in every state an action cares about, so that generated requests reach the rules,
# not only the 404 of an unknown task.
TASKS = {
    "task_abcdef123456": {"status": Status.REVIEWING},
    # Fails the project's one validation rule (receipts need a receipt_date; it has none).
    "task_invalid": {"status": Status.REVIEWING, "meta": [{"name": "category", "value": "receipt"}]},
    "task_completed": {"status": Status.COMPLETED, "upload_id": "upl_open"},
    "task_discarded": {"status": Status.DISCARDED, "upload_id": "upl_open"},
    "task_waiting": {"status": Status.REVIEWING, "upload_id": "upl_open"},
    "task_approved": {"status": Status.COMPLETED, "approved": True},
    "task_processing": {"status": Status.PROCESSING},
    "task_failed": {"status": Status.FAILED},
    "task_filtered": {"status": Status.FILTERED, "upload_id": "upl_open"},
    "task_exported": {"status": Status.COMPLETED, "upload_id": "upl_open", "exported_at": EXPORTED_AT},
    "task_no_images": {"status": Status.REVIEWING, "has_images": False},
}
EXAMPLES_PER_OPERATION = 30
# The key that every generated request carries, unless Schemathesis removes it to test auth.
KEY = "sk_sbx_schemathesis-key-for-the-test-project"


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "database": "none"},
        "auth": {"openapi": {"bearer": {"bearer": KEY}}},
        # Path parameters are mostly drawn from the IDs that exist, so that requests get past the 404.
        "dictionaries": {
            "teams": {"values": [TEAM, "team_other"]},
            "projects": {"values": [PROJECT, "proj_other"]},
            "tasks": {"values": [*TASKS, "task_other"]},
            "pages": {"values": ["page_1", "page_2"]},
            # Cursors as the list issues them (any time and row): most generated strings are not cursors.
            "cursors": {"values": [cursor("2000-01-01T00:00:00+00:00|0"), cursor("2100-01-01T00:00:00+00:00|0")]},
        },
        "parameters": {
            "path.team_id": {"dictionary": "teams", "probability": 0.9},
            "path.project_id": {"dictionary": "projects", "probability": 0.9},
            "path.task_id": {"dictionary": "tasks", "probability": 0.9},
            "path.page_id": {"dictionary": "pages", "probability": 0.9},
            "query.cursor": {"dictionary": "cursors", "probability": 0.5},
        },
    }
)
APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/sandbox/openapi.json", APP, config=CONFIG)

# Refusals of well-formed requests for a reason that a schema cannot express. Only these are let
# through the `positive_data_acceptance` check; every other failure of every check is kept.
NOT_IN_THE_SCHEMA = {
    # The task's state (API.md §3: "Refused with 400 when"), e.g. discarding a discarded task.
    "invalid_status",
    "already_approved",
    "already_disapproved",
    "task_exported",
    "upload_processed",
    "validation_failed",
    # A cursor that the list did not issue: the schema can only say "string".
    "invalid_cursor",
}


# Corrections refused for what only the task knows (its pages, items and page sizes), or for what
# JSON Schema cannot say (a repeated item, a polygon with no area); every other refusal of a
# correction that the schema accepts is a failure.
BEYOND_THE_SCHEMA = re.compile(
    r"^corrections\[\d+\]\.[\w.\[\]]+: (no page |no (annotation|checkbox|segment|signature) "
    r"|the point .* is outside the page|the line's start .* is outside the page"
    r"|.* already has an operation|the points lie on one line)"
)


@schema.hook
def filter_failure(context, failure, case, response) -> bool:
    if isinstance(failure, RejectedPositiveData) and response.status_code == 400:
        error = response.json()["error"]
        if error["code"] == "invalid_corrections":
            return not BEYOND_THE_SCHEMA.match(error["message"])
        return error["code"] not in NOT_IN_THE_SCHEMA
    return True


@pytest.fixture
def sandbox(db):
    """The sandbox's records for the test, and the WSGI application sharing the test's transaction.

    Like Django's own test client, this keeps the application from closing the database
    connection at the end of each request: it holds the test's transaction.
    """
    project = make_project(TEAM, PROJECT)
    ValidationRule.objects.create(project=project, rule="required", entity_id="receipt_date", category="receipt")
    for task_id, fields in TASKS.items():
        make_task(task_id, project=project, **fields)
    make_task("task_other", project=make_project("team_other", "proj_other"))
    key = ApiKey.objects.create(name="schemathesis", prefix=KEY[:11], digest=hash_key(KEY), scopes=list(SCOPES))
    KeyGrant.objects.create(key=key, team=project.team, project=project)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_it_describes_itself_in_openapi_3_1():
    schema.validate()
    assert schema.raw_schema["openapi"] == "3.1.0"
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    base = "/v2/{team_id}/project/{project_id}/task"
    assert operations == {
        f"GET {base}",
        f"GET {base}/{{task_id}}",
        *(f"POST {base}/{{task_id}}/{action}" for action in ("complete", "discard", "approve", "disapprove")),
        *(f"POST {base}/{{task_id}}/{action}" for action in ("unlock", "report")),
        f"GET {base}/{{task_id}}/page/{{page_id}}/image",
    }


@schema.parametrize()
# The examples of one operation share the test's records and transaction, on purpose: the state
# that one request leaves (a task discarded, approved...) is what the next one meets.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_it_conforms_to_its_openapi_description(case, sandbox):
    case.call_and_validate()


TASK_IDS = {"team_id": TEAM, "project_id": PROJECT, "task_id": "task_abcdef123456"}
REPORT = "/v2/{team_id}/project/{project_id}/task/{task_id}/report"
LIST = "/v2/{team_id}/project/{project_id}/task"


@pytest.mark.parametrize(
    ("path", "method", "data"),
    [
        # Characters that JSON carries but a database may not store.
        (REPORT, "POST", {"body": {"issues": [{"label": "a\x00b", "value": "poor_quality"}]}}),
        (REPORT, "POST", {"body": {"issues": [{"label": "Poor", "value": "poor_quality"}], "message": "a\x00b"}}),
        (REPORT, "POST", {"body": {"issues": [{"label": "\ud800", "value": "poor_quality"}]}}),
        (REPORT, "POST", {"body": {"issues": [{"label": "Poor", "value": "poor_quality"}], "message": "\udfff"}}),
        # A cursor whose time is a valid date only before it is turned into UTC.
        (LIST, "GET", {"query": {"cursor": cursor("0001-01-01T00:00:00+14:00|1")}}),
        (LIST, "GET", {"query": {"cursor": cursor("9999-12-31T23:59:59-12:00|1")}}),
    ],
    ids=["nul-in-label", "nul-in-message", "surrogate-in-label", "surrogate-in-message", "cursor-min", "cursor-max"],
)
def test_it_conforms_on_edge_cases(sandbox, path, method, data):
    """Explicit examples of requests that the generated ones reach only by chance."""
    ids = {k: v for k, v in TASK_IDS.items() if "{" + k + "}" in path}
    media_type = "application/json" if "body" in data else None
    case = schema[path][method].Case(path_parameters=ids, media_type=media_type, **data)
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"})


def schema_accepts(name: str, instance) -> bool:
    """Whether the served description's schema `name` accepts `instance`."""
    document = {"$ref": f"#/components/schemas/{name}", "components": schema.raw_schema["components"]}
    return jsonschema_rs.Draft202012Validator(document).is_valid(instance)


@pytest.mark.parametrize("text", ["poor_quality", " ", "\t", "\u2028", "\x85", "\x1c", "\x1f"])
def test_it_agrees_with_its_schema_on_blank_issue_text(sandbox, text):
    body = {"issues": [{"label": "Poor Document Quality", "value": text}]}
    case = schema[REPORT]["POST"].Case(path_parameters=TASK_IDS, body=body, media_type="application/json")
    response = case.call(headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == (201 if schema_accepts("ReportRequest", body) else 400)


@pytest.mark.parametrize("upload_id", ["upl_open", "", "-upl", "upl\n"])
def test_it_agrees_with_its_schema_on_the_upload_id_filter(sandbox, upload_id):
    ids = {"team_id": TEAM, "project_id": PROJECT}
    case = schema[LIST]["GET"].Case(path_parameters=ids, query={"upload_id": upload_id})
    response = case.call(headers={"Authorization": f"Bearer {KEY}"})
    parameter = next(p for p in schema.raw_schema["paths"][LIST]["get"]["parameters"] if p["name"] == "upload_id")
    valid = jsonschema_rs.Draft202012Validator(parameter["schema"]).is_valid(upload_id)
    assert response.status_code == (200 if valid else 400)


@pytest.mark.parametrize("status", ["REVIEWING", "reviewing", "PAUSED", ""])
def test_it_agrees_with_its_schema_on_the_status_filter(sandbox, status):
    ids = {"team_id": TEAM, "project_id": PROJECT}
    case = schema[LIST]["GET"].Case(path_parameters=ids, query={"status": status})
    response = case.call(headers={"Authorization": f"Bearer {KEY}"})
    parameter = next(p for p in schema.raw_schema["paths"][LIST]["get"]["parameters"] if p["name"] == "status")
    valid = jsonschema_rs.Draft202012Validator(parameter["schema"]).is_valid(status)
    assert response.status_code == (200 if valid else 400)


COMPLETE = "/v2/{team_id}/project/{project_id}/task/{task_id}/complete"
ITEMS = {"annotation": "ann_1", "checkbox": "cb_1", "segment": "seg_1", "signature": "sig_1"}


def _aimed(body):
    """A generated body with its operations aimed at the task's page and items, so that they get past
    the references to what the schema cannot know."""
    if isinstance(body, dict) and isinstance(body.get("corrections"), list):
        for operation in body["corrections"]:
            operation["page_id"] = "page_1"
            if "item_id" in operation:
                operation["item_id"] = ITEMS[operation["kind"]]
    return body


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_it_conforms_on_generated_corrections(sandbox, mode):
    """Complete with generated bodies, on a task in review every time: the generated requests of the
    test above mostly meet a task that is no longer in review, or no task at all.

    Positive bodies are aimed at the task's items (which the schema cannot know), and refusing one
    is a failure unless the filter above lets it through; a negative body must be refused. (Aiming
    a body changes it after generation, which Schemathesis's own negative_data_rejection check
    reads as a negative case: it is replaced here by the assertion on negative bodies.)
    """
    strategy = schema[COMPLETE]["POST"].as_strategy(mode, path_parameters=TASK_IDS)

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=60,
        database=None,
        deadline=None,
        suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.filter_too_much],
    )
    def check(case):
        Task.objects.filter(task_id="task_abcdef123456").update(status=Status.REVIEWING, pages=doc_pages())
        positive = mode == schemathesis.GenerationMode.POSITIVE
        if positive:
            case.body = _aimed(case.body)
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {KEY}"}, excluded_checks=[negative_data_rejection]
        )
        body = case.meta.components.get(ParameterLocation.BODY)
        if not positive and body is not None and body.mode == mode and not isinstance(case.body, NotSet):
            assert 400 <= response.status_code < 500, case.body

    check()
