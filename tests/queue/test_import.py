"""Leads add task IDs by pasting or uploading CSV: bad lines reported by number, good ones kept
(each checked with the lead's key against the live sandbox: tests/queue/test_import_check.py)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from reviewer.queue.models import Entry
from tests.conftest import make_project, make_task
from tests.queue.conftest import give_import_key, make_entry

PASTE = """task_id
task_a
task_b

# a comment
team_x,proj_y,task_c
bad id
a,b
team_x,proj_y,../etc
task_a
"""


def test_it_imports_good_lines_and_reports_bad_ones(client, people, upstream):
    give_import_key(people.lead, ("team_1", "proj_1"), ("team_x", "proj_y"))
    for task_id in ("task_a", "task_b"):
        make_task(task_id, project=make_project("team_1", "proj_1"))
    make_task("task_c", project=make_project("team_x", "proj_y"))
    client.force_login(people.lead)
    response = client.post("/queue/import/", {"team_id": "team_1", "project_id": "proj_1", "ids": PASTE})
    assert response.status_code == 400
    html = response.content.decode()
    assert "3 added, 1 already in the queue, 3 lines skipped" in html
    assert "Line 7: " in html and "Line 8: expected a task ID" in html and "Line 9: " in html
    assert sorted(Entry.objects.values_list("team_id", "project_id", "task_id", "status")) == [
        ("team_1", "proj_1", "task_a", "REVIEWING"),  # as Send.ai says
        ("team_1", "proj_1", "task_b", "REVIEWING"),
        ("team_x", "proj_y", "task_c", "REVIEWING"),
    ]


def test_it_imports_an_uploaded_csv_file(client, people, upstream):
    give_import_key(people.lead, ("team_1", "proj_1"))
    make_task("task_new", project=make_project("team_1", "proj_1"))
    client.force_login(people.lead)
    make_entry("task_known", team_id="team_1", project_id="proj_1")
    upload = SimpleUploadedFile("ids.csv", "\ufefftask_known\ntask_new\n".encode(), content_type="text/csv")
    response = client.post("/queue/import/", {"team_id": "team_1", "project_id": "proj_1", "file": upload})
    assert response.status_code == 200
    assert "1 added, 1 already in the queue" in response.content.decode()


def test_a_binary_file_is_refused_with_a_reason(client, people):
    client.force_login(people.lead)
    upload = SimpleUploadedFile("ids.csv", b"\xff\xfe\x00bad", content_type="text/csv")
    response = client.post("/queue/import/", {"file": upload}, follow=True)
    assert "not UTF-8 text" in response.content.decode()
    assert not Entry.objects.exists()


def test_only_leads_import(client, people):
    client.force_login(people.reviewer)
    assert client.post("/queue/import/", {"ids": "task_a"}).status_code == 403
    assert not Entry.objects.exists()
