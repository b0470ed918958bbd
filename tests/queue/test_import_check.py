"""Import checks every new task ID with the importer's own key before adding it (issue #12).

Against the live sandbox: an ID that Send.ai does not know (404) is listed and not added, one
that cannot be read is listed with the reason, the found ones are added with what Send.ai says
of them; an importer without a usable key is told so and nothing is added.
"""

from __future__ import annotations

import socket

import pytest

from reviewer.accounts.models import KeyState
from reviewer.queue import sources
from reviewer.queue.models import Entry
from tests.conftest import give_key, make_key, make_project, make_task
from tests.queue.conftest import make_entry

TEAM, PROJECT = "team_123456", "proj_123456"


def _import(client, ids, **data):
    return client.post("/queue/import/", {"team_id": TEAM, "project_id": PROJECT, "ids": ids, **data})


@pytest.fixture
def lead(client, people, upstream):
    give_key(people.lead, make_key())
    client.force_login(people.lead)
    return client


def test_it_adds_only_the_tasks_that_exist_and_lists_the_others(lead):
    make_task("task_real1", name="Invoice one")
    make_task("task_real2")
    response = _import(lead, f"task_real1\ntask_nope\n{TEAM},{PROJECT},task_real2\nteam_other,proj_x,task_real1")
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 added, 0 already in the queue" in page
    assert "These task IDs were not found in Send.ai, so they were not added:" in page
    assert f"Line 2: task_nope in {TEAM}/{PROJECT}" in page
    assert "Line 4: task_real1 in team_other/proj_x" in page
    entries = Entry.objects.order_by("task_id")
    assert [(e.task_id, e.status, e.source) for e in entries] == [
        ("task_real1", "REVIEWING", "import"),
        ("task_real2", "REVIEWING", "import"),
    ]
    assert entries[0].name == "Invoice one"  # what Send.ai said of it


def test_an_id_already_in_the_queue_is_not_asked_again(lead):
    make_entry("task_known", team_id=TEAM, project_id=PROJECT)  # not in the sandbox at all
    make_task("task_new")
    response = _import(lead, "task_known\ntask_new\ntask_new")
    assert response.status_code == 200
    assert "1 added, 2 already in the queue" in response.content.decode()


def test_an_importer_without_a_key_is_told_and_nothing_is_added(client, people, upstream):
    make_task("task_real1")
    client.force_login(people.lead)
    response = _import(client, "task_real1\ntask_other")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Set your Send.ai API key first: every imported task ID is checked with it." in page
    assert 'href="/account/"' in page
    assert "task_real1\ntask_other</textarea>" in page  # what was pasted is still there
    assert not Entry.objects.exists()


def test_a_key_that_cannot_be_read_is_no_usable_key(client, people, upstream):
    make_task("task_real1")
    give_key(people.lead, make_key(), state=KeyState.UNREADABLE)
    client.force_login(people.lead)
    response = _import(client, "task_real1")
    assert response.status_code == 400
    assert "Set your Send.ai API key first" in response.content.decode()
    assert not Entry.objects.exists()


def test_a_key_an_earlier_401_marked_is_asked_again(client, people, upstream):
    """The mark may come from a transient 401: only Send.ai can say the key is still rejected."""
    make_task("task_real1")
    give_key(people.lead, make_key(), state=KeyState.REJECTED)
    client.force_login(people.lead)
    _import(client, "task_real1")
    assert Entry.objects.filter(task_id="task_real1").exists()


def test_a_key_that_send_ai_rejects_adds_nothing(client, people, upstream):
    make_task("task_real1")
    give_key(people.lead, "sk_sbx_NotAKeyAtAll1234")
    client.force_login(people.lead)
    response = _import(client, "task_real1\ntask_real2")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was added: Send.ai did not accept the API key" in page
    assert "sk_sbx_NotAKeyAtAll1234" not in page
    assert not Entry.objects.exists()


def test_a_task_the_key_cannot_read_is_listed_with_the_reason(client, people, upstream):
    make_task("task_real1")
    give_key(people.lead, make_key(scopes=("task.edit",)))
    client.force_login(people.lead)
    response = _import(client, "task_real1")
    assert response.status_code == 400
    page = response.content.decode()
    assert "These task IDs could not be checked, so they were not added; import them again later:" in page
    assert "Line 1: task_real1 in team_123456/proj_123456: The API key is not allowed to open the task" in page
    assert not Entry.objects.exists()


def test_when_send_ai_cannot_be_reached_nothing_is_added(lead, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    response = _import(lead, "task_real1\ntask_real2")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 1: task_real1 in team_123456/proj_123456: Send.ai could not be reached" in page
    assert "Line 2: task_real2" in page
    assert not Entry.objects.exists()


def test_at_most_so_many_ids_are_checked_per_import(lead, monkeypatch):
    monkeypatch.setattr(sources, "MAX_IMPORT_CHECKS", 2)
    make_project()
    for n in range(4):
        make_task(f"task_many{n}")
    response = _import(lead, "task_id\ntask_many0\ntask_many1\ntask_many2\ntask_many3")
    page = response.content.decode()
    assert response.status_code == 400
    assert "2 added" in page
    assert "Only the first 2 new task IDs are checked at a time: 2 more, from line 4 on, were not added" in page
    assert sorted(Entry.objects.values_list("task_id", flat=True)) == ["task_many0", "task_many1"]


def test_a_hung_send_ai_leaves_the_ids_unchecked_within_the_imports_time(client, people, settings):
    """Send.ai accepts the connection and never answers: the import does not wait for it past
    its own time (half of GUNICORN_TIMEOUT) and adds nothing."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)  # connections complete in the backlog; nothing is ever read or answered
    try:
        settings.SENDAI_API_URL = f"http://127.0.0.1:{hung.getsockname()[1]}/sandbox"
        settings.SENDAI_READ_TIMEOUT = 30.0  # each call would wait this long
        settings.GUNICORN_TIMEOUT = 1  # the import waits half of it
        give_key(people.lead, "sk_sbx_HungButSecret5555")
        client.force_login(people.lead)
        response = _import(client, "task_hung1\ntask_hung2")
    finally:
        hung.close()
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 1: task_hung1 in team_123456/proj_123456: Send.ai did not answer in time; import it again." in page
    assert "Line 2: task_hung2" in page
    assert not Entry.objects.exists()
