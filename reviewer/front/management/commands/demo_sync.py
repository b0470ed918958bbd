"""Fill the demo's work queue: wait for the server to answer, then sync with the lead's key."""

import time

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewer import sendai
from reviewer.accounts.roles import profile_of
from reviewer.front.management.commands.demo_setup import PROJECT, TEAM
from reviewer.queue import sources


class Command(BaseCommand):
    help = "Wait (up to --wait seconds) for the upstream to answer, then sync the demo project into the queue."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=30.0)

    def handle(self, *args, wait: float, **options):
        lead = get_user_model().objects.filter(username="lead").first()
        if lead is None or not profile_of(lead).key_works:
            raise CommandError("Run demo_setup first: the lead's key lists the tasks.")
        deadline = time.monotonic() + wait
        while True:
            try:
                requests.get(settings.SENDAI_API_URL + "/openapi.json", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise CommandError(f"{settings.SENDAI_API_URL} did not answer within {wait:g}s.") from None
                time.sleep(0.5)
        result = sources.sync(sendai.Client(profile_of(lead).api_key()), TEAM, PROJECT)
        self.stdout.write(f"The work queue holds the {result.seen} tasks of {TEAM}/{PROJECT}.")
