"""manage.py sandbox_key: create a sandbox API key and print it, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewer.sandbox.models import SCOPES, ApiKey, Project, Team


class Command(BaseCommand):
    help = (
        "Create a sandbox API key for a team (all its projects) or one of its projects, and print it. "
        "The raw key is printed once, alone on the last line of the output; only its digest is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--team", required=True, help="The team's ID, e.g. team_demo. It must exist.")
        parser.add_argument(
            "--project",
            help="A project's ID within the team, e.g. proj_demo. Without it, the key covers the whole team.",
        )
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated scopes, from: {', '.join(SCOPES)}. E.g. task.read,task.edit",
        )
        parser.add_argument(
            "--name", default="sandbox key", help="A name to tell the key apart (default: sandbox key)."
        )

    def handle(self, *args, team: str, project: str | None, scopes: str, name: str, **options) -> None:
        wanted = _scopes(scopes)
        team_row = Team.objects.filter(team_id=team).first()
        if team_row is None:
            raise CommandError(f"Unknown team {team!r}: create it first (manage.py sandbox_seed or sandbox_load).")
        project_row = None
        if project is not None:
            project_row = Project.objects.filter(team=team_row, project_id=project).first()
            if project_row is None:
                raise CommandError(f"Unknown project {project!r} in team {team}.")
        if not name.strip():
            raise CommandError("--name must not be empty.")
        key, raw = ApiKey.create(name=name.strip(), scopes=wanted, grants=[(team_row, project_row)])
        where = f"{team}/{project}" if project_row else f"every project of team {team}"
        self.stdout.write(
            f'Created key "{key.name}" ({key.prefix}…) for {where}, scopes {", ".join(wanted)}. '
            "It is shown only this once:"
        )
        self.stdout.write(raw)


def _scopes(value: str) -> list[str]:
    """The scopes of a comma-separated list, in order, without repeats; CommandError on an unknown one."""
    scopes = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not scopes:
        raise CommandError(f"--scopes is empty: give one or more of {', '.join(SCOPES)}.")
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise CommandError(f"Unknown scope {', '.join(map(repr, unknown))}: use one or more of {', '.join(SCOPES)}.")
    return scopes
