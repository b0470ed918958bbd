"""Demo people for the README's start command: a reviewer, a lead and an admin,
each with a new password (printed) and their own sandbox API key."""

import io
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reviewer.accounts.models import KeyEvent, Role
from reviewer.accounts.roles import profile_of, set_role

TEAM, PROJECT = "team_demo", "proj_demo"
PEOPLE = [("reviewer", Role.REVIEWER), ("lead", Role.LEAD), ("admin", Role.ADMIN)]


class Command(BaseCommand):
    help = "Create (or reset) the demo users reviewer, lead and admin, print their passwords, give each a sandbox key."

    def handle(self, *args, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The demo needs the sandbox: set SANDBOX_ENABLED=True.")
        User = get_user_model()
        lines = []
        for username, role in PEOPLE:
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
                user.set_password(password)
                user.is_staff = user.is_superuser = role == Role.ADMIN
                user.save()
                set_role(user, role)
                profile = profile_of(user)
                profile.team_id, profile.project_id = TEAM, PROJECT
                if not profile.has_key:
                    out = io.StringIO()
                    call_command(
                        "sandbox_key",
                        team=TEAM,
                        project=PROJECT,
                        scopes="task.read,task.edit",
                        name=f"demo {username}",
                        stdout=out,
                    )
                    profile.set_key(out.getvalue().strip().splitlines()[-1], by=None)
                    KeyEvent.record(None, user, KeyEvent.Action.SET, "demo set-up")
                profile.save()
            lines.append(f"  {username:<9} {password:<18} ({role.label})")
        self.stdout.write("Demo people (user name, password, role); each has their own sandbox key:")
        self.stdout.write("\n".join(lines))
