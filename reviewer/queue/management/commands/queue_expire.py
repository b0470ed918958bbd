from django.core.management.base import BaseCommand

from reviewer.queue.claims import expire_lapsed


class Command(BaseCommand):
    help = "Return lapsed claims to the queue, recording each expiry (claims also lapse by themselves)."

    def handle(self, *args, **options):
        self.stdout.write(f"Returned {expire_lapsed()} lapsed claim(s) to the queue.")
