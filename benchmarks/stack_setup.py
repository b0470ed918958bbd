"""Run inside a Stack's environment (benchmarks/stack.py): migrate, seed, one signed-up reviewer.

`python -m benchmarks.stack_setup USER PASSWORD [TASKS.json]` prints the user's raw sandbox key.
"""

from __future__ import annotations

import io
import os
import sys

import django


def main() -> None:
    username, password = sys.argv[1], sys.argv[2]
    tasks = sys.argv[3] if len(sys.argv) > 3 else None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reviewer.accounts.models import Role
    from reviewer.accounts.roles import profile_of, set_role

    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
    call_command("sandbox_seed", verbosity=0, stdout=quiet)
    if tasks:
        call_command("sandbox_load", tasks, team="team_demo", project="proj_demo", replace=True, stdout=quiet)
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
    user.set_password(password)
    user.save()
    set_role(user, Role.REVIEWER)
    out = io.StringIO()
    call_command(
        "sandbox_key", team="team_demo", project="proj_demo", scopes="task.read,task.edit", name=username, stdout=out
    )
    raw = out.getvalue().strip().splitlines()[-1]
    profile = profile_of(user)
    profile.set_key(raw, by=None)
    profile.team_id, profile.project_id, profile.key_state = "team_demo", "proj_demo", "verified"
    profile.save()
    print(raw)


if __name__ == "__main__":
    main()
