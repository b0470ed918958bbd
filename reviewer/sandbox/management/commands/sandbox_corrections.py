"""manage.py sandbox_corrections: the corrections the sandbox applied, who sent them and when."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reviewer.sandbox.logic import iso
from reviewer.sandbox.models import Correction, Project


class Command(BaseCommand):
    help = (
        "Print the corrections applied by complete (API.md §5) in a project, oldest first: when, "
        "the task, the operation's place in its request, what it changed (before → after) and the API key "
        "that sent it. Read-only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--team", required=True, help="The team's ID, e.g. team_demo.")
        parser.add_argument("--project", required=True, help="The project's ID, e.g. proj_demo.")
        parser.add_argument("--task", help="Only this task's corrections.")

    def handle(self, *args, team: str, project: str, task: str | None, **options) -> None:
        project_row = Project.objects.filter(team__team_id=team, project_id=project).first()
        if project_row is None:
            raise CommandError(f"Unknown project {team}/{project}.")
        rows = Correction.objects.filter(task__project=project_row).select_related("task", "api_key")
        where = f"{team}/{project}"
        if task is not None:
            if not project_row.tasks.filter(task_id=task).exists():
                raise CommandError(f"Unknown task {task!r} in {where}.")
            rows = rows.filter(task__task_id=task)
            where = f"task {task} of {where}"
        count = 0
        for row in rows.order_by("created_at", "task__task_id", "index"):
            self.stdout.write(_line(row))
            count += 1
        self.stdout.write(f"{count} correction{'' if count == 1 else 's'} in {where}.")


def _line(row: Correction) -> str:
    key = f'key "{row.api_key.name}" ({row.api_key.prefix}…)' if row.api_key else "a deleted key"
    change = {
        "update": f"{_json(row.before)} → {_json(row.after)}",
        "remove": f"removed {_json(row.before)}",
        "add": f"added {_json(row.after)}",
    }[row.op]
    return (
        f"{iso(row.created_at)} {row.task.task_id} [{row.index}] {row.op} {row.kind} "
        f"{row.page_id}/{row.item_id} by {key}: {change}"
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
