"""manage.py sandbox_corrections: the corrections applied, who sent them, when, before → after."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from reviewer.sandbox.models import Correction
from tests.conftest import make_key, make_project, make_task
from tests.sandbox.conftest import TASK


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sandbox_corrections", *args, stdout=out)
    return out.getvalue()


def test_it_prints_each_correction_with_its_key_time_and_values(api):
    make_task()
    make_task("task_other")
    key = make_key(name="rita")
    body = {
        "corrections": [
            {
                "op": "update",
                "page_id": "page_1",
                "item_id": "ann_1",
                "kind": "annotation",
                "fields": {"content": "$1,234.65"},
            },
            {"op": "remove", "page_id": "page_1", "item_id": "cb_1", "kind": "checkbox"},
            {"op": "add", "page_id": "page_1", "kind": "segment", "item": {"coordinates": [[1, 1], [9, 1], [9, 9]]}},
        ]
    }
    assert api.post(TASK + "/complete", key, json=body).status_code == 200
    when = Correction.objects.first().created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    prefix = Correction.objects.first().api_key.prefix
    lines = run("--team", "team_123456", "--project", "proj_123456").splitlines()
    assert lines == [
        f'{when} task_abcdef123456 [0] update annotation page_1/ann_1 by key "rita" ({prefix}…):'
        ' {"content": "$1,234.56"} → {"content": "$1,234.65"}',
        f'{when} task_abcdef123456 [1] remove checkbox page_1/cb_1 by key "rita" ({prefix}…):'
        ' removed {"checked": true, "coordinates": [[100, 100], [120, 100], [120, 120], [100, 120]]}',
        f'{when} task_abcdef123456 [2] add segment page_1/seg_c1 by key "rita" ({prefix}…):'
        ' added {"id": "seg_c1", "confidence": 1.0, "coordinates": [[1, 1], [9, 1], [9, 9]]}',
        "3 corrections in team_123456/proj_123456.",
    ]
    assert run("--team", "team_123456", "--project", "proj_123456", "--task", "task_other").splitlines() == [
        "0 corrections in task task_other of team_123456/proj_123456."
    ]


@pytest.mark.django_db
def test_it_refuses_an_unknown_project_or_task():
    make_project()
    with pytest.raises(CommandError, match="Unknown project team_123456/proj_nope"):
        run("--team", "team_123456", "--project", "proj_nope")
    with pytest.raises(CommandError, match="Unknown task 'task_nope' in team_123456/proj_123456"):
        run("--team", "team_123456", "--project", "proj_123456", "--task", "task_nope")
