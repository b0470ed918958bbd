from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reviewer.sandbox.events import MAX_ATTEMPTS, deliver_pending


class Command(BaseCommand):
    help = f"Deliver the sandbox's undelivered notification events (each is tried at most {MAX_ATTEMPTS} times)."

    def handle(self, *args, **options):
        if not settings.SANDBOX_WEBHOOK_URL:
            raise CommandError("SANDBOX_WEBHOOK_URL is not set: there is nowhere to deliver events.")
        delivered, failed = deliver_pending()
        self.stdout.write(f"Delivered {delivered} event(s); {failed} failed and stay pending.")
