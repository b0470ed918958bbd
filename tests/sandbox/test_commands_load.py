"""manage.py sandbox_load: tasks loaded as given, every refusal named with its place, nothing half-loaded."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reviewer.sandbox.models import Project, Report, Status, Task, Team, TrainingExample, Upload, ValidationRule
from tests.conftest import DATA, DOC_TASK, make_key, make_project, make_task

pytestmark = pytest.mark.django_db

UTC = dt.UTC
MODELS = (Team, Project, Upload, Task, TrainingExample)

NOT_TASKS = (
    'tasks.json: expected a task object, a {"payload": task} envelope, a list of them, or'
    ' {"tasks": [...], "validation_rules": [...]}, got'
)


def run(path: Path | str, *args: str, team: str = "team_123456", project: str = "proj_123456") -> str:
    out = io.StringIO()
    call_command("sandbox_load", str(path), "--team", team, "--project", project, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def write(tmp_path: Path, data, name: str = "tasks.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def doc(**fields) -> dict:
    task = copy.deepcopy(DOC_TASK)
    task.update(fields)
    return task


def refusal(path: Path, *args: str) -> str:
    before = counts()
    with pytest.raises(CommandError) as error:
        run(path, *args)
    assert counts() == before, "nothing is half-loaded"
    return str(error.value)


def test_it_loads_the_documentation_example_as_it_is():
    output = run(DATA / "doc_task.json")
    assert output.splitlines() == [
        "Created team team_123456",
        "Created project team_123456/proj_123456",
        "Loaded 1 task into team_123456/proj_123456.",
    ]
    task = Task.objects.get()
    assert (task.project.team.team_id, task.project.project_id, task.upload.upload_id) == (
        "team_123456",
        "proj_123456",
        "upl_123456789",
    )
    assert task.task_id == DOC_TASK["id"]
    assert (task.name, task.status, task.step_type, task.meta) == (
        "Document Analysis Task",
        "COMPLETED",
        "EXTRACT",
        DOC_TASK["meta"],
    )
    assert task.created_at == dt.datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
    assert task.upload.created_at == task.created_at
    assert (task.approved, task.approved_at, task.exported_at, task.export_failed_at, task.last_opened_at) == (
        False,
        None,
        None,
        None,
        None,
    )
    assert task.pages == DOC_TASK["pages"]
    assert (task.processing_until, task.has_images) == (None, True)
    assert not TrainingExample.objects.exists()


def test_it_serves_a_loaded_task_as_it_was_given(client):
    run(DATA / "doc_task.json")
    key = make_key(("task.read",))
    response = client.get(
        "/sandbox/v2/team_123456/project/proj_123456/task/task_abcdef123456", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert {k: v for k, v in payload.items() if k != "last_opened_at"} == {
        k: v for k, v in DOC_TASK.items() if k != "last_opened_at"
    }


def test_it_loads_a_bare_task_object(tmp_path):
    output = run(write(tmp_path, doc()))
    assert output.endswith("Loaded 1 task into team_123456/proj_123456.\n")
    assert Task.objects.get().pages == DOC_TASK["pages"]


def test_it_loads_into_an_existing_team_and_project_without_saying_it_created_them():
    project = make_project()
    assert run(DATA / "doc_task.json") == "Loaded 1 task into team_123456/proj_123456.\n"
    assert Task.objects.get().project == project
    assert (Team.objects.count(), Project.objects.count()) == (1, 1)


def test_it_loads_a_list_of_tasks_and_envelopes_with_every_field_as_given():
    before = timezone.now()
    output = run(DATA / "load_tasks.json", team="team_load", project="proj_load")
    assert output.splitlines()[-1] == "Loaded 3 tasks into team_load/proj_load."
    first, second, third = Task.objects.order_by("task_id")
    given = json.loads((DATA / "load_tasks.json").read_text())

    assert (first.task_id, first.status, first.upload.upload_id) == ("task_load_1", Status.REVIEWING, "upl_load_1")
    assert first.created_at == dt.datetime(2026, 10, 2, 8, 15, tzinfo=UTC)
    assert first.last_opened_at == dt.datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
    assert first.meta == [{"name": "category", "value": "invoice"}, {"name": "source", "value": "email"}]

    assert (second.status, second.step_type, second.upload.upload_id) == (Status.COMPLETED, "CLASSIFY", "upl_load_2")
    assert second.approved
    assert second.approved_at == dt.datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
    assert second.exported_at == dt.datetime(2026, 10, 3, 13, 0, tzinfo=UTC)
    assert TrainingExample.objects.get().task == second
    assert TrainingExample.objects.get().added_at == second.approved_at
    # Malformed geometry and unknown fields inside pages are kept: the console flags them.
    assert second.pages == given[1]["payload"]["pages"]
    assert second.pages[0]["checkboxes"][0]["coordinates"] == [[100, 100], [120, 100]]
    assert second.pages[0]["rotation"] == 0

    assert third.status == Status.FAILED
    assert third.export_failed_at == dt.datetime(2026, 10, 4, 10, 0, tzinfo=UTC)
    assert third.created_at >= before  # created_at null: now
    assert Upload.objects.filter(upload_id="upl_load_1").get().tasks.count() == 2


def test_it_sets_the_approval_time_to_now_when_not_given(tmp_path):
    before = timezone.now()
    run(write(tmp_path, {"payload": doc(approved=True)}))
    task = Task.objects.get()
    assert task.approved
    assert before <= task.approved_at <= timezone.now()
    assert TrainingExample.objects.get(task=task).added_at == task.approved_at


def test_it_ignores_an_approval_time_without_approval(tmp_path):
    run(write(tmp_path, doc(approved_at="2026-10-03T12:00:00Z")))
    assert Task.objects.get().approved_at is None
    assert not TrainingExample.objects.exists()


def test_it_defaults_the_optional_fields(tmp_path):
    task = {key: DOC_TASK[key] for key in ("id", "name", "status", "upload_id", "pages")}
    run(write(tmp_path, task))
    row = Task.objects.get()
    assert (row.meta, row.step_type, row.approved, row.exported_at) == ([], "EXTRACT", False, None)


def test_it_keeps_an_unknown_step_type_as_text(tmp_path):
    run(write(tmp_path, doc(step_type="TRANSLATE")))
    assert Task.objects.get().step_type == "TRANSLATE"


def test_it_reads_naive_and_offset_times_as_utc(tmp_path):
    run(write(tmp_path, doc(created_at="2026-10-02T08:15:00", exported_at="2026-10-02T10:15:00+02:00")))
    task = Task.objects.get()
    assert task.created_at == dt.datetime(2026, 10, 2, 8, 15, tzinfo=UTC)
    assert task.exported_at == dt.datetime(2026, 10, 2, 8, 15, tzinfo=UTC)


def test_it_refuses_a_task_that_exists_and_loads_nothing(tmp_path):
    make_task()
    other = doc(id="task_new")
    message = refusal(write(tmp_path, [other, doc()]))
    assert message == (
        "team_123456/proj_123456: task_abcdef123456 already exists; nothing was loaded"
        " (--replace overwrites existing tasks)"
    )
    assert not Task.objects.filter(task_id="task_new").exists()


def test_it_refuses_existing_tasks_even_in_a_new_upload_and_creates_nothing(tmp_path):
    make_task()
    message = refusal(write(tmp_path, [doc(upload_id="upl_new")]))
    assert "task_abcdef123456 already exists" in message
    assert not Upload.objects.filter(upload_id="upl_new").exists()


def test_it_replaces_existing_tasks_in_place_when_asked(tmp_path):
    task = make_task(status=Status.REVIEWING, approved=True, approved_at=timezone.now())
    TrainingExample.objects.create(task=task)
    Report.objects.create(task=task, issues=[{"label": "Poor Document Quality", "value": "poor_quality"}])
    output = run(write(tmp_path, [doc(name="Replaced", upload_id="upl_other"), doc(id="task_new")]), "--replace")
    assert output == "Loaded 2 tasks into team_123456/proj_123456 (1 replaced).\n"
    task.refresh_from_db()
    assert (task.name, task.status, task.approved, task.approved_at) == ("Replaced", Status.COMPLETED, False, None)
    assert task.upload.upload_id == "upl_other"
    assert not TrainingExample.objects.exists()
    assert task.reports.count() == 1
    assert Task.objects.count() == 2


def test_it_names_the_place_of_a_problem():
    message = refusal(DATA / "load_bad_width.json")
    assert message == "load_bad_width.json: item 3 (task_x): pages[0].width: expected a positive number, got 'abc'"
    assert not Team.objects.exists()


def test_it_names_a_problem_in_an_envelope_with_its_path(tmp_path):
    task = doc()
    task["pages"][0]["height"] = 0
    message = refusal(write(tmp_path, [{"payload": task}]))
    assert (
        message == "tasks.json: item 1 (task_abcdef123456): payload.pages[0].height: expected a positive number, got 0"
    )


def test_it_lists_every_problem_and_loads_nothing(tmp_path):
    first = doc(id="task_ok")
    second = doc(id="task_bad", status="DONE")
    del second["name"]
    third = doc(id="a b")
    message = refusal(write(tmp_path, [first, second, third]))
    assert message.splitlines() == [
        "tasks.json: 3 problems, nothing was loaded:",
        "  tasks.json: item 2 (task_bad): name: required",
        "  tasks.json: item 2 (task_bad): status: expected one of PROCESSING, REVIEWING, COMPLETED, FAILED, DISCARDED,"
        " FILTERED, got 'DONE'",
        r"  tasks.json: item 3: id: expected an ID matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$, got 'a b'",
    ]


def test_it_cuts_a_long_list_of_problems(tmp_path):
    message = refusal(write(tmp_path, [doc(id=f"task_{n}", status="DONE") for n in range(25)]))
    lines = message.splitlines()
    assert lines[0] == "tasks.json: 25 problems, nothing was loaded:"
    assert len(lines) == 22
    assert lines[-1] == "  … and 5 more"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": ', "tasks.json: invalid JSON at line 1, column 8: Expecting value"),
        ('[\n  {"id": "a"},\n  {"id": "b"\n]', "tasks.json: invalid JSON at line 4, column 1: Expecting ',' delimiter"),
        ("", "tasks.json: invalid JSON at line 1, column 1: Expecting value"),
        (
            "42",
            NOT_TASKS + " a number",
        ),
        (
            '"task"',
            NOT_TASKS + " a string",
        ),
        (
            "null",
            NOT_TASKS + " null",
        ),
        ("[]", "tasks.json: the list holds no tasks"),
        ("[1]", "tasks.json: item 1: expected a task object, got a number"),
        ('{"payload": null}', "tasks.json: payload: expected a task object, got null"),
        ('[{"payload": [1]}]', "tasks.json: item 1: payload: expected a task object, got a list"),
    ],
)
def test_it_refuses_a_file_that_is_not_tasks(tmp_path, text, message):
    assert refusal(write(tmp_path, text)) == message


def test_it_refuses_a_missing_file(tmp_path):
    assert refusal(tmp_path / "nope.json") == f"{tmp_path / 'nope.json'}: no such file"


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Café"}'.encode("latin-1"))
    assert refusal(path) == f"{path}: not UTF-8 text (byte 13)"


def set_path(task: dict, path: tuple, value) -> None:
    target = task
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


DELETE = object()
ID_RULE = r"expected an ID matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
ISO_RULE = "expected an ISO 8601 time like 2024-01-15T10:30:00Z, or null"
PAGE = ("pages", 0)

FIELD_PROBLEMS = [
    (("id",), DELETE, "id: required"),
    (("id",), "a b", f"id: {ID_RULE}, got 'a b'"),
    (("id",), "_leading", f"id: {ID_RULE}, got '_leading'"),
    (("id",), "x" * 129, f"id: {ID_RULE}, got '{'x' * 57}...'"),
    (("id",), 5, f"id: {ID_RULE}, got 5"),
    (("name",), DELETE, "name: required"),
    (("name",), "  ", "name: expected a non-empty string, got '  '"),
    (("name",), ["x"], "name: expected a non-empty string, got a list"),
    (("name",), "x" * 501, "name: expected at most 500 characters, got 501"),
    (("status",), DELETE, "status: required"),
    (
        ("status",),
        "completed",
        "status: expected one of PROCESSING, REVIEWING, COMPLETED, FAILED, DISCARDED, FILTERED, got 'completed'",
    ),
    (
        ("status",),
        None,
        "status: expected one of PROCESSING, REVIEWING, COMPLETED, FAILED, DISCARDED, FILTERED, got null",
    ),
    (("upload_id",), DELETE, "upload_id: required"),
    (("upload_id",), "upl/../x", f"upload_id: {ID_RULE}, got 'upl/../x'"),
    (("step_type",), 5, "step_type: expected a non-empty string, got 5"),
    (("approved",), "yes", "approved: expected true or false, got 'yes'"),
    (("created_at",), "yesterday", f"created_at: {ISO_RULE}, got 'yesterday'"),
    (("created_at",), "2024-01-15", f"created_at: {ISO_RULE}, got '2024-01-15'"),
    (("exported_at",), 1705314600, f"exported_at: {ISO_RULE}, got 1705314600"),
    (("export_failed_at",), "2024-13-45T10:30:00Z", f"export_failed_at: {ISO_RULE}, got '2024-13-45T10:30:00Z'"),
    (("last_opened_at",), True, f"last_opened_at: {ISO_RULE}, got true"),
    (("approved_at",), "soon", f"approved_at: {ISO_RULE}, got 'soon'"),
    (("meta",), {"category": "invoice"}, "meta: expected a list of {name, value} objects, got an object"),
    (("meta", 0), "category", "meta[0]: expected a {name, value} object, got a string"),
    (("meta", 0, "value"), 5, "meta[0].value: expected a string, got 5"),
    (("meta", 0, "name"), DELETE, "meta[0].name: expected a string, got null"),
    (("pages",), DELETE, "pages: required"),
    (("pages",), {"page_1": {}}, "pages: expected a list of pages, got an object"),
    (PAGE, "page_1", "pages[0]: expected a page object, got a string"),
    ((*PAGE, "id"), DELETE, f"pages[0].id: {ID_RULE}, got null"),
    ((*PAGE, "id"), "page 1", f"pages[0].id: {ID_RULE}, got 'page 1'"),
    ((*PAGE, "width"), "abc", "pages[0].width: expected a positive number, got 'abc'"),
    ((*PAGE, "width"), DELETE, "pages[0].width: expected a positive number, got null"),
    ((*PAGE, "width"), -2480, "pages[0].width: expected a positive number, got -2480"),
    ((*PAGE, "width"), True, "pages[0].width: expected a positive number, got true"),
    ((*PAGE, "height"), 0, "pages[0].height: expected a positive number, got 0"),
    ((*PAGE, "height"), "3508", "pages[0].height: expected a positive number, got '3508'"),
    ((*PAGE, "annotations"), DELETE, "pages[0].annotations: required (a list, maybe empty)"),
    ((*PAGE, "checkboxes"), None, "pages[0].checkboxes: expected a list, got null"),
    ((*PAGE, "segments"), {}, "pages[0].segments: expected a list, got an object"),
    ((*PAGE, "signatures", 0), "sig_1", "pages[0].signatures[0]: expected an object, got a string"),
    ((*PAGE, "annotations", 0, "id"), DELETE, "pages[0].annotations[0].id: expected a non-empty string, got null"),
    ((*PAGE, "annotations", 0, "id"), 1, "pages[0].annotations[0].id: expected a non-empty string, got 1"),
    (
        (*PAGE, "checkboxes", 0, "coordinates"),
        DELETE,
        "pages[0].checkboxes[0].coordinates: expected a list of points, got null",
    ),
    (
        (*PAGE, "segments", 0, "coordinates"),
        "50,50 400,50",
        "pages[0].segments[0].coordinates: expected a list of points, got '50,50 400,50'",
    ),
    (
        (*PAGE, "signatures", 0, "coordinates"),
        {"x": 1},
        "pages[0].signatures[0].coordinates: expected a list of points, got an object",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    FIELD_PROBLEMS,
    ids=[" ".join(map(str, p[0])) + f"={p[1]!r}"[:30] for p in FIELD_PROBLEMS],
)
def test_it_refuses_a_bad_field_naming_it_and_its_place(tmp_path, path, value, problem):
    bad = doc()
    set_path(bad, path, value)
    place = "item 2 (task_abcdef123456)" if path != ("id",) else "item 2"
    message = refusal(write(tmp_path, [doc(id="task_fine"), bad]))
    assert message == f"tasks.json: {place}: {problem}"


@pytest.mark.parametrize(("number", "shown"), [("NaN", "NaN"), ("-Infinity", "-Infinity"), ("1e400", "Infinity")])
def test_it_refuses_sizes_that_are_not_finite(tmp_path, number, shown):
    text = json.dumps(doc()).replace('"width": 2480', f'"width": {number}')
    message = refusal(write(tmp_path, text))
    assert message == f"tasks.json: task task_abcdef123456: pages[0].width: expected a positive number, got {shown}"


def test_it_names_a_single_task_by_its_id(tmp_path):
    message = refusal(write(tmp_path, doc(status="DONE")))
    assert message.startswith("tasks.json: task task_abcdef123456: status: expected one of")


def test_it_refuses_a_page_id_twice_in_a_task(tmp_path):
    task = doc()
    task["pages"].append(copy.deepcopy(task["pages"][0]))
    assert (
        refusal(write(tmp_path, task))
        == "tasks.json: task task_abcdef123456: pages[1].id: page_1 appears twice in the task"
    )


def test_it_refuses_an_item_id_twice_in_a_page(tmp_path):
    task = doc()
    task["pages"][0]["annotations"].append(copy.deepcopy(task["pages"][0]["annotations"][0]))
    assert refusal(write(tmp_path, task)) == (
        "tasks.json: task task_abcdef123456: pages[0].annotations[1].id: ann_1 appears twice in the page's annotations"
    )


def test_it_refuses_a_task_id_twice_in_the_file(tmp_path):
    message = refusal(write(tmp_path, [doc(), {"payload": doc()}]))
    assert (
        message
        == "tasks.json: item 2 (task_abcdef123456): id: task_abcdef123456 appears twice in the file (first as item 1)"
    )


@pytest.mark.parametrize(
    "coordinates",
    [
        [[100, 100], [120, 100]],
        [[100, 100], ["abc", 100], [120, 120], [100, 120]],
        [[-50, 100], [99999, 100], [120, 120]],
        [],
        [None, "x"],
    ],
)
def test_it_allows_malformed_geometry(tmp_path, coordinates):
    task = doc()
    for kind in ("checkboxes", "segments", "signatures"):
        task["pages"][0][kind][0]["coordinates"] = coordinates
    run(write(tmp_path, task))
    assert Task.objects.get().pages == task["pages"]


def test_it_ignores_unknown_fields_and_the_files_project_id(tmp_path):
    run(write(tmp_path, doc(project_id="proj_elsewhere", colour="blue", pages=DOC_TASK["pages"])), project="proj_here")
    task = Task.objects.get()
    assert task.project.project_id == "proj_here"
    assert not hasattr(task, "colour")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--team", "team 1"), ("--project", "../proj")],
)
def test_it_refuses_an_invalid_team_or_project_id(option, value):
    args = {"team": "team_123456", "project": "proj_123456", option.strip("-"): value}
    with pytest.raises(CommandError) as error:
        run(DATA / "doc_task.json", **args)
    assert str(error.value) == f"{option} {value!r} is not a valid ID (expected ^[A-Za-z0-9][A-Za-z0-9_.-]{{0,127}}$)."
    assert counts() == dict.fromkeys(counts(), 0)


def test_it_documents_replace_in_its_help():
    from reviewer.sandbox.management.commands.sandbox_load import Command

    text = " ".join(Command().create_parser("manage.py", "sandbox_load").format_help().split())
    assert "--replace Overwrite tasks whose ID already exists in the project" in text
    assert "unless --replace" in text


# Validation rules: {"tasks": [...], "validation_rules": [...]} ---------------------------------


def rules(project_id: str = "proj_123456") -> list[tuple[str, str, str]]:
    found = ValidationRule.objects.filter(project__project_id=project_id).order_by("pk")
    return [(r.rule, r.entity_id, r.category) for r in found]


def test_it_loads_tasks_with_validation_rules(api):
    output = run(DATA / "load_tasks_and_rules.json")
    assert output.splitlines()[-1] == "Loaded 1 task and 3 validation rules (3 new) into team_123456/proj_123456."
    assert rules() == [
        ("required", "invoice_date", "invoice"),
        ("amount", "total_amount", "invoice"),
        ("required", "receipt_date", ""),
    ]
    # The rules apply at once: the loaded invoice has no invoice_date and no receipt_date.
    r = api.post("/v2/team_123456/project/proj_123456/task/task_rules_1/complete", make_key())
    assert r.json()["error"]["message"] == "Validation failed: invoice_date: missing; receipt_date: missing"


def test_it_loads_rules_alone_and_keeps_the_ones_that_exist(tmp_path):
    make_project()
    path = write(tmp_path, {"validation_rules": [{"rule": "date", "entity_id": "invoice_date", "category": None}]})
    assert run(path).splitlines()[-1] == "Loaded 0 tasks and 1 validation rule (1 new) into team_123456/proj_123456."
    assert run(path).splitlines()[-1] == "Loaded 0 tasks and 1 validation rule (0 new) into team_123456/proj_123456."
    assert rules() == [("date", "invoice_date", "")]


def test_it_names_each_bad_rule_and_loads_nothing(tmp_path):
    data = {
        "tasks": [doc(id="task_fine")],
        "validation_rules": [
            {"rule": "required", "entity_id": "invoice_date"},
            {"rule": "sum", "entity_id": "total_amount"},
            {"rule": "date", "entity_id": "invoice date"},
            {"rule": "amount"},
            {"rule": "amount", "entity_id": "total_amount", "category": 3},
            "required",
            {"rule": "required", "entity_id": "invoice_date", "category": ""},
        ],
    }
    message = refusal(write(tmp_path, data))
    assert message.splitlines() == [
        "tasks.json: 6 problems, nothing was loaded:",
        "  tasks.json: validation_rules[1].rule: expected one of required, date, amount, line_totals, got 'sum'",
        r"  tasks.json: validation_rules[2].entity_id: expected an ID matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$,"
        " got 'invoice date'",
        "  tasks.json: validation_rules[3].entity_id: required",
        "  tasks.json: validation_rules[4].category: expected a string of at most 128 characters, or null, got 3",
        "  tasks.json: validation_rules[5]: expected a {rule, entity_id, category} object, got a string",
        "  tasks.json: validation_rules[6]: the same rule appears twice in the file (first as validation_rules[0])",
    ]
    assert not ValidationRule.objects.exists()


def test_it_names_a_bad_task_among_tasks_and_rules(tmp_path):
    data = {"tasks": [doc(id="task_fine"), doc(id="task_bad", status="DONE")], "validation_rules": []}
    assert refusal(write(tmp_path, data)) == (
        "tasks.json: tasks[1] (task_bad): status: expected one of PROCESSING, REVIEWING, COMPLETED, FAILED,"
        " DISCARDED, FILTERED, got 'DONE'"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tasks": {}}, "tasks.json: tasks: expected a list, got an object"),
        ({"tasks": [doc()], "validation_rules": None}, "tasks.json: validation_rules: expected a list, got null"),
        ({"tasks": [], "validation_rules": []}, "tasks.json: the file holds no tasks and no validation rules"),
    ],
)
def test_it_refuses_a_malformed_file_of_tasks_and_rules(tmp_path, data, message):
    assert refusal(write(tmp_path, data)) == message


def test_it_keeps_a_loaded_approved_tasks_pages_in_the_training_dataset(tmp_path):
    run(write(tmp_path, doc(approved=True)))
    example = TrainingExample.objects.get(task__task_id="task_abcdef123456")
    assert example.pages == DOC_TASK["pages"]
