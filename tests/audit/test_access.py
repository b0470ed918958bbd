"""Only team leads and admins reach the audit pages; every view refuses the wrong method."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewer.audit.models import Sample, SampleItem
from tests.audit.conftest import rec

PERSONAS = ["anonymous", "stranger", "reviewer", "lead", "admin"]
AUDITORS = {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 200, "admin": 200}

# (method, url, status for leads and admins)
VIEWS = [
    ("get", "/audit/approvals/", 200),
    ("get", "/audit/approvals/?format=csv", 200),
    ("get", "/audit/activity/", 200),
    ("get", "/audit/activity/?format=csv", 200),
    ("get", "/audit/task/team_123456/proj_123456/task_1/", 200),
    ("get", "/audit/figures/", 200),
    ("get", "/audit/samples/", 200),
    ("post", "/audit/samples/", 400),
    ("get", "/audit/samples/{sample}/", 200),
    ("post", "/audit/samples/items/{item}/verdict/", 400),
]


@pytest.fixture
def sample(people):
    record = rec()
    sample = Sample.objects.create(
        created_by=people.lead,
        created_by_name="leo",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        size=1,
    )
    item = SampleItem.objects.create(
        sample=sample, record=record, team_id="team_123456", project_id="proj_123456", task_id="task_1", approver="rita"
    )
    return sample, item


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "url", "allowed"), VIEWS, ids=[f"{m} {u}" for m, u, _ in VIEWS])
def test_it_lets_only_leads_and_admins_in(client, people, sample, persona, method, url, allowed):
    if persona != "anonymous":
        client.force_login(getattr(people, persona))
    url = url.format(sample=sample[0].pk, item=sample[1].pk)
    response = getattr(client, method)(url)
    want = AUDITORS[persona]
    if want == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif want == 403:
        assert response.status_code == 403
        # the stranger, without a role, is refused before any page (tests/accounts/test_no_role.py)
        refusal = b"has no role yet" if persona == "stranger" else b"Only team leads and admins"
        assert refusal in response.content
    else:
        assert response.status_code == allowed, response.content[:500]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/audit/approvals/"),
        ("delete", "/audit/approvals/"),
        ("post", "/audit/activity/"),
        ("put", "/audit/activity/"),
        ("post", "/audit/task/team_123456/proj_123456/task_1/"),
        ("delete", "/audit/task/team_123456/proj_123456/task_1/"),
        ("post", "/audit/figures/"),
        ("put", "/audit/samples/"),
        ("post", "/audit/samples/{sample}/"),
        ("delete", "/audit/samples/{sample}/"),
        ("get", "/audit/samples/items/{item}/verdict/"),
    ],
)
def test_it_refuses_wrong_methods(client, people, sample, method, url):
    client.force_login(people.admin)
    response = getattr(client, method)(url.format(sample=sample[0].pk, item=sample[1].pk))
    assert response.status_code == 405


def test_it_shows_the_audit_link_only_to_leads_and_admins(client, people):
    for persona, shown in (("reviewer", False), ("stranger", False), ("lead", True), ("admin", True)):
        client.force_login(getattr(people, persona))
        assert (b'href="/audit/approvals/"' in client.get("/").content) is shown, persona


def test_it_answers_404_for_unknown_samples_and_items(lead_client):
    assert lead_client.get("/audit/samples/999/").status_code == 404
    assert lead_client.post("/audit/samples/items/999/verdict/").status_code == 404


def test_it_answers_404_for_an_impossible_task_id(lead_client):
    assert lead_client.get("/audit/task/team_123456/proj_123456/..%20x/").status_code == 404
