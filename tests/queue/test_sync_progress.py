"""A lead starts a sync, sees it progress live (the queue page polls while it runs) and its outcome."""

from __future__ import annotations

import pytest

from reviewer.queue.models import SyncRun
from tests.conftest import give_key, make_key, make_project, make_task, run_tasks

URL = "/queue/syncs/"


def _start(client, people):
    make_task("task_1")
    make_task("task_2", status="COMPLETED")
    give_key(people.lead, make_key(project=make_project()))
    client.force_login(people.lead)
    return client.post("/queue/sync/", {"team_id": "team_123456", "project_id": "proj_123456"})


def test_it_polls_while_the_sync_runs_and_stops_at_its_outcome(client, people, upstream):
    response = _start(client, people)
    assert response.status_code == 302
    assert response["Location"] == "/queue/#syncs-h"
    page = client.get("/queue/").content.decode()
    assert 'hx-get="/queue/syncs/"' in page and 'hx-trigger="every 2s"' in page
    SyncRun.objects.update(status=SyncRun.Status.RUNNING, pages=1, seen=200)  # as the worker leaves it mid-way
    part = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Running" in part and "1 page(s) listed, 200 task(s) seen" in part
    assert 'hx-trigger="every 2s"' in part
    assert "<html" not in part  # the fragment only
    SyncRun.objects.update(status=SyncRun.Status.QUEUED, pages=0, seen=0)
    run_tasks()
    part = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Done" in part and "1 page(s) listed, 2 task(s) seen" in part
    assert "hx-trigger" not in part  # finished: no more polling


def test_a_retried_sync_shows_its_error_and_when_it_is_tried_again(client, people, upstream, settings):
    _start(client, people)
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    run_tasks()
    run = SyncRun.objects.get()
    part = client.get(URL).content.decode()
    assert "Failed; will be tried again" in part
    assert f"Next attempt at {run.next_attempt_at:%H:%M:%S} UTC" in part
    assert run.error in part


def test_a_second_sync_of_the_same_project_waits_for_the_first(client, people, upstream):
    _start(client, people)
    response = client.post("/queue/sync/", {"team_id": "team_123456", "project_id": "proj_123456"}, follow=True)
    assert "already under way" in response.content.decode()
    assert SyncRun.objects.count() == 1


def test_a_bad_id_starts_no_sync(client, people, upstream):
    give_key(people.lead, make_key(project=make_project()))
    client.force_login(people.lead)
    response = client.post("/queue/sync/", {"team_id": "team/1", "project_id": "proj_123456"}, follow=True)
    assert "The sync failed" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_it_is_in_dutch_for_a_dutch_lead(client, people, upstream):
    from reviewer.accounts.roles import profile_of

    _start(client, people)
    profile = profile_of(people.lead)
    profile.language = "nl"
    profile.save()
    part = client.get(URL).content.decode()
    assert "Wacht op de worker" in part and "Laatste synchronisaties" in part


def test_a_lead_sees_only_their_own_and_the_unattended_syncs(client, people, upstream):
    SyncRun.objects.create(kind="manual", team_id="team_9", project_id="proj_9", started_by=people.admin)
    SyncRun.objects.create(kind="upload", team_id="team_8", project_id="proj_8", upload_id="upl_8")
    client.force_login(people.lead)
    part = client.get(URL).content.decode()
    assert "team_8/proj_8" in part and "team_9" not in part


@pytest.mark.parametrize(
    ("persona", "method", "status"),
    [("reviewer", "get", 403), ("stranger", "get", 403), ("lead", "post", 405), ("lead", "get", 200)],
)
def test_its_access(client, people, persona, method, status):
    client.force_login(getattr(people, persona))
    assert getattr(client, method)(URL).status_code == status


def test_it_asks_a_visitor_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_admin_reads_the_syncs_in_the_admin_site(client, people):
    SyncRun.objects.create(kind="upload", team_id="team_8", project_id="proj_8", upload_id="upl_8", error="HTTP 502")
    operator = people.admin
    operator.is_staff = operator.is_superuser = True  # the admin site's own gate
    operator.save()
    client.force_login(operator)
    page = client.get("/admin/queue/syncrun/").content.decode()
    assert "team_8" in page and "upl_8" in page
    assert client.get("/admin/queue/syncrun/add/").status_code == 403  # read only
