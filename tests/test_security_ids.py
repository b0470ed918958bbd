"""IDs outside the contract's pattern are refused where data enters the queue (sync, webhook,
import), with a logged reason and a count the lead sees; the queue page keeps working."""

from __future__ import annotations

from reviewer.queue.models import Entry, SyncRun
from tests.conftest import give_key, make_key, make_project, make_task, run_tasks
from tests.queue.conftest import give_import_key


def test_a_sync_skips_tasks_whose_ids_are_outside_the_contract(client, people, upstream, caplog):
    make_task("task_good1")
    make_task("a/b")  # the sandbox's ORM takes it; its API lists it as is
    make_task("task_bad_upload", upload_id="upl/1")
    give_key(people.lead, make_key())
    client.force_login(people.lead)
    client.post("/queue/sync/")
    run_tasks()
    run = SyncRun.objects.get()
    assert (run.status, run.seen, run.skipped) == ("done", 1, 2)
    assert "2 skipped as unreadable" in client.get("/queue/").content.decode()
    assert list(Entry.objects.values_list("task_id", flat=True)) == ["task_good1"]
    assert "].id is not an ID of the contract's form" in caplog.text
    assert "].upload_id is not an ID of the contract's form" in caplog.text
    for user in (people.lead, people.reviewer):
        client.force_login(user)
        assert client.get("/queue/").status_code == 200


def test_an_import_refuses_ids_outside_the_contract_by_line(client, people, upstream):
    give_import_key(people.lead, ("t1", "p1"))
    make_task("task_ok", project=make_project("t1", "p1"))
    client.force_login(people.lead)
    response = client.post(
        "/queue/import/", {"ids": "task_ok\na/b\nteam_1,pg/1,task_2", "team_id": "t1", "project_id": "p1"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: That is not a valid task ID" in page
    assert "Line 3: That is not a valid project ID" in page
    assert list(Entry.objects.values_list("task_id", flat=True)) == ["task_ok"]
    assert client.get("/queue/").status_code == 200
