"""manage.py sandbox_load: load tasks from a JSON file into the sandbox (see reviewer/sandbox/loading.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewer.sandbox.loading import ID_PATTERN, LoadError, parse_file, write_tasks


class Command(BaseCommand):
    help = (
        'Load sandbox tasks from a JSON file: a task object, a {"payload": task} envelope, a list of either, '
        'or {"tasks": [...], "validation_rules": [{"rule", "entity_id", "category"}, ...]} (rules that are '
        "missing are added; rule is required, date, amount or line_totals). "
        "Tasks are loaded as given (status, approval, export times, pages); unknown fields and the file's project_id "
        "are ignored. The team and project are created if missing. The whole file is checked first: on any problem "
        "nothing is loaded. A task whose ID already exists in the project is an error, unless --replace."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The JSON file to load.")
        parser.add_argument("--team", required=True, help="The team's ID, e.g. team_demo (created if missing).")
        parser.add_argument("--project", required=True, help="The project's ID, e.g. proj_demo (created if missing).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite tasks whose ID already exists in the project (their reports are kept).",
        )

    def handle(self, *args, file: str, team: str, project: str, replace: bool, **options) -> None:
        for option, value in (("--team", team), ("--project", project)):
            if not ID_PATTERN.fullmatch(value):
                raise CommandError(f"{option} {value!r} is not a valid ID (expected {ID_PATTERN.pattern}).")
        try:
            contents = parse_file(file)
            result = write_tasks(team, project, contents.tasks, rules=contents.rules, replace=replace)
        except LoadError as e:
            raise CommandError(str(e)) from None
        if result.team_created:
            self.stdout.write(f"Created team {team}")
        if result.project_created:
            self.stdout.write(f"Created project {team}/{project}")
        count = len(result.created) + len(result.replaced)
        replaced = f" ({len(result.replaced)} replaced)" if result.replaced else ""
        noun = "task" if count == 1 else "tasks"
        rules = ""
        if contents.rules:
            rule_noun = "validation rule" if len(contents.rules) == 1 else "validation rules"
            rules = f" and {len(contents.rules)} {rule_noun} ({result.rules_created} new)"
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} {noun}{rules} into {team}/{project}{replaced}."))
