"""Admins add the team's own report issue types; reviewers then see them in the report form."""

from __future__ import annotations

import pytest
from django.test import Client

from reviewer.review.models import IssueType
from tests.conftest import make_task
from tests.review.conftest import TASK_URL


def test_an_admin_adds_an_issue_type_that_reviewers_see(people, reviewer_client):
    make_task()
    admin = Client()
    admin.force_login(people.admin)
    response = admin.post("/review/issue-types/", {"label": "Handwriting", "value": "handwriting"})
    assert response.status_code == 302
    assert 'value="handwriting"' in reviewer_client.get(TASK_URL).content.decode()


def test_a_built_in_code_is_refused_and_the_form_kept(client, people):
    client.force_login(people.admin)
    response = client.post("/review/issue-types/", {"label": "My quality", "value": "poor_quality"})
    assert response.status_code == 400
    assert "one of the built-in issue types" in response.content.decode()
    assert 'value="My quality"' in response.content.decode()
    assert not IssueType.objects.exists()


def test_a_type_can_stop_being_offered(people, reviewer_client):
    make_task()
    issue_type = IssueType.objects.create(label="Handwriting", value="handwriting")
    admin = Client()
    admin.force_login(people.admin)
    admin.post(f"/review/issue-types/{issue_type.pk}/toggle/")
    assert 'value="handwriting"' not in reviewer_client.get(TASK_URL).content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "lead", "stranger"])
def test_only_admins_configure_issue_types(client, people, persona):
    client.force_login(getattr(people, persona))
    assert client.get("/review/issue-types/").status_code == 403
    assert client.post("/review/issue-types/", {"label": "x", "value": "x"}).status_code == 403
