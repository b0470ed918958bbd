"""manage.py sandbox_seed: the sandbox's demo data (see reviewer/sandbox/seed.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reviewer.sandbox import seed


class Command(BaseCommand):
    help = (
        f"Create the sandbox's demo team, project, validation rules and tasks ({seed.TEAM_ID}/{seed.PROJECT_ID}). "
        "Only what is missing is created: running it again changes nothing, and existing tasks are never overwritten."
    )

    def handle(self, *args, **options) -> None:
        result = seed.seed()
        where = f"{seed.TEAM_ID}/{seed.PROJECT_ID}"
        if result.team_created:
            self.stdout.write(f"Created team {seed.TEAM_ID} ({seed.TEAM_NAME})")
        if result.project_created:
            self.stdout.write(f"Created project {where} ({seed.PROJECT_NAME})")
        if result.rules_created:
            self.stdout.write(f"Created {_count(range(result.rules_created), 'validation rule')} in {where}")
        if not result.tasks_created:
            self.stdout.write(f"Nothing to do: {where} already has all {result.tasks_total} demo tasks.")
            return
        uploads = f" ({_count(result.uploads_created, 'new upload')})" if result.uploads_created else ""
        self.stdout.write(self.style.SUCCESS(f"Created {_count(result.tasks_created, 'task')} in {where}{uploads}."))


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
