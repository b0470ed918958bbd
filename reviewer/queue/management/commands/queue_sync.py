from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewer import sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.roles import profile_of
from reviewer.queue import sources


class Command(BaseCommand):
    help = "Mirror a project's tasks into the work queue, using the task list (an extension of the API)."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True)
        parser.add_argument("--project", required=True)
        parser.add_argument("--user", required=True, help="Whose Send.ai key lists the tasks.")

    def handle(self, *args, team, project, user, **options):
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r}.")
        profile = profile_of(person)
        if not profile.key_works:
            raise CommandError(f"{user} has no working Send.ai key.")
        try:
            result = sources.sync(sendai.Client(profile.api_key()), team, project)
        except (sendai.SendaiError, UndecryptableKey) as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"Synced {result.seen} tasks of {team}/{project} in {result.pages} page(s).")
