"""The worker process: runs the background tasks, and enqueues the periodic ones (docs/background-work.md)."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from reviewer import background


class Command(BaseCommand):
    help = (
        "Run the background worker of the configured task backend (the database's, or RQ's with REDIS_URL), "
        "enqueueing the periodic work (lease sweeping, pruning, recovering lost syncs) on its interval."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-periodic",
            action="store_false",
            dest="periodic",
            help="Only run tasks; enqueue no periodic work (another worker does).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the periodic work once, run every task that is ready, then exit.",
        )

    def handle(self, *args, periodic: bool, batch: bool, verbosity: int, **options):
        stop = threading.Event()
        if periodic and batch:
            background.enqueue_periodic()
        elif periodic:
            threading.Thread(target=background.run_periodic, args=(stop,), name="periodic", daemon=True).start()
        try:
            if settings.TASK_BACKEND == "rq":
                call_command(
                    "rqworker",
                    "default",
                    job_class="django_tasks_rq.Job",
                    with_scheduler=not batch,
                    burst=batch,
                    verbosity=verbosity,
                )
            else:
                call_command("db_worker", queue_name="*", reload=False, batch=batch, verbosity=verbosity)
        finally:
            stop.set()
