"""The three ways tasks reach the queue: the upstream's task list, notification events, and imports."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from reviewer import background, sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.roles import profile_of
from reviewer.queue.claims import remember
from reviewer.queue.models import Entry, SyncRun, WebhookDelivery

logger = logging.getLogger(__name__)
ALREADY = "Already received."
MAX_SYNC_PAGES = 1000
MAX_IMPORT_LINES = 10_000
# An import asks Send.ai for each new task ID: at most this many per import, this many at once,
# for at most half of GUNICORN_TIMEOUT in all.
MAX_IMPORT_CHECKS = 200
IMPORT_CHECK_WORKERS = 4


@dataclass
class SyncResult:
    seen: int = 0
    pages: int = 0
    skipped: int = 0  # tasks that could not be read (an ID outside the contract): logged, not stored


def sync(client: sendai.Client, team_id: str, project_id: str, *, upload_id: str | None = None) -> SyncResult:
    """Mirror every task of a project (or of one upload) into the queue, page by page, here and now
    (`manage.py queue_sync`; the console's syncs run in the worker: run_sync below).

    Raises ListingUnavailable where the upstream offers no task list.
    """
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.MANUAL, team_id=team_id, project_id=project_id, upload_id=upload_id or ""
    )
    run.status = SyncRun.Status.RUNNING
    run.save(update_fields=["status"])
    try:
        while sync_page(client, run):
            pass
    except Exception as e:  # recorded as failed, so that no one runs it again
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED, error=str(e)[:2000], finished_at=timezone.now()
        )
        raise
    return SyncResult(seen=run.seen, pages=run.pages, skipped=run.skipped)


def sync_page(client: sendai.Client, run: SyncRun) -> bool:
    """List the run's next page into the queue; True while there are more pages to list.

    The page's entries and the run's progress (its counts, the next page's cursor) are stored in
    one transaction, and only if the run is where this copy found it: a run that two workers
    were given (a recovered one and a late original) lists each page once. Listing a page again
    is harmless in any case (remember() keeps the newest sighting). Raises SendaiError.
    """
    seen = timezone.now()  # a task's status in the listing is as of the request, not its answer
    cursor = run.cursor
    listing = client.list(
        run.team_id, run.project_id, limit=200, cursor=cursor or None, upload_id=run.upload_id or None
    )
    with transaction.atomic():
        current = SyncRun.objects.select_for_update().get(pk=run.pk)
        if current.cursor != cursor or current.pages != run.pages or current.status != SyncRun.Status.RUNNING:
            run.refresh_from_db()
            return False  # another copy of this run got here first, or it is over
        for task in listing.tasks:
            remember(run.team_id, run.project_id, task, Entry.Source.LIST, seen_at=seen)
        for reason in listing.skipped:  # e.g. an ID outside the contract: it could not be linked to
            logger.warning("sync of %s/%s skipped a task: %s", run.team_id, run.project_id, reason)
        run.seen += len(listing.tasks)
        run.skipped += len(listing.skipped)
        run.pages += 1
        run.cursor = listing.next_cursor or ""
        run.updated_at = timezone.now()
        more = bool(listing.next_cursor) and run.pages < MAX_SYNC_PAGES
        if not more:
            run.status = SyncRun.Status.DONE
            run.finished_at = run.updated_at
            run.error = ""
            run.next_attempt_at = None
        run.save()
    return more


@dataclass
class ImportResult:
    added: int = 0
    known: int = 0
    problems: list[str] = field(default_factory=list)  # lines that could not be read
    missing: list[str] = field(default_factory=list)  # IDs that Send.ai does not know (404)
    unreadable: list[str] = field(default_factory=list)  # IDs that could not be checked, and why
    unchecked: int = 0  # new IDs beyond MAX_IMPORT_CHECKS, from line `unchecked_from` on
    unchecked_from: int = 0
    checked_limit: int = 0  # MAX_IMPORT_CHECKS at the time


class ImportRefused(Exception):
    """Nothing was imported: the importer's key was refused; the message says so."""


def import_ids(text: str, team_id: str, project_id: str, client: sendai.Client) -> ImportResult:
    """Add task IDs, one a line: `task_id`, or `team_id,project_id,task_id` (CSV).

    Bad lines are reported by number and skipped. Every ID new to the queue is asked of
    Send.ai with the importer's `client` first (at most MAX_IMPORT_CHECKS per import): only
    the tasks found are added, with what Send.ai says of them; the others are listed. Raises
    ImportRefused, adding nothing, when Send.ai does not accept the key.
    """
    result = ImportResult()
    found = _import_lines(text, team_id, project_id, result)
    known = _in_queue(found)
    new: dict[tuple[str, str, str], int] = {}
    for number, ids in found:
        if ids in known or ids in new:
            result.known += 1
        else:
            new[ids] = number
    to_check = list(new.items())
    result.checked_limit = MAX_IMPORT_CHECKS
    if len(to_check) > MAX_IMPORT_CHECKS:
        result.unchecked = len(to_check) - MAX_IMPORT_CHECKS
        result.unchecked_from = to_check[MAX_IMPORT_CHECKS][1]
        to_check = to_check[:MAX_IMPORT_CHECKS]
    seen_at = timezone.now()
    answers = _check_tasks(client, [ids for ids, _number in to_check])
    if any(isinstance(answer, sendai.InvalidKey) for answer in answers.values()):
        error = next(a for a in answers.values() if isinstance(a, sendai.InvalidKey))
        raise ImportRefused(_("Nothing was added: %(reason)s") % {"reason": error})
    for ids, number in to_check:
        answer = answers.get(ids)
        where = {"number": number, "task": ids[2], "team": ids[0], "project": ids[1]}
        if isinstance(answer, sendai.Task):
            remember(ids[0], ids[1], answer, Entry.Source.IMPORT, seen_at=seen_at)
            result.added += 1
        elif isinstance(answer, sendai.NotFound):
            result.missing.append(_("Line %(number)s: %(task)s in %(team)s/%(project)s") % where)
        else:
            reason = answer or _("Send.ai did not answer in time; import it again.")
            result.unreadable.append(
                _("Line %(number)s: %(task)s in %(team)s/%(project)s: %(reason)s")
                % {
                    **where,
                    "reason": reason,
                }
            )
    return result


def _import_lines(text: str, team_id: str, project_id: str, result: ImportResult) -> list[tuple[int, tuple]]:
    """The (line number, (team, project, task)) of each good line; the bad ones go to `result`."""
    found = []
    lines = text.splitlines()
    if len(lines) > MAX_IMPORT_LINES:
        result.problems.append(
            _("Only the first %(count)s lines were read.")
            % {"count": formats.number_format(MAX_IMPORT_LINES, force_grouping=True)}
        )
    reader = csv.reader(io.StringIO("\n".join(lines[:MAX_IMPORT_LINES])))
    for row in reader:
        number = reader.line_num  # the line the row ends on, also after a quoted line break
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if [c.lower() for c in cells] in (["task_id"], ["team_id", "project_id", "task_id"]):
            continue  # a header line
        if len(cells) == 1:
            ids = (team_id, project_id, cells[0])
        elif len(cells) == 3:
            ids = (cells[0], cells[1], cells[2])
        else:
            result.problems.append(
                _("Line %(number)s: expected a task ID, or team ID, project ID and task ID.") % {"number": number}
            )
            continue
        try:
            for value, kind in zip(ids, ("team", "project", "task"), strict=True):
                sendai.check_id(value, kind)
        except sendai.InvalidId as e:
            result.problems.append(_("Line %(number)s: %(problem)s") % {"number": number, "problem": e})
            continue
        found.append((number, ids))
    return found


def _in_queue(found: list[tuple[int, tuple]]) -> set[tuple[str, str, str]]:
    tasks = {ids[2] for _number, ids in found}
    rows = Entry.objects.filter(task_id__in=tasks).values_list("team_id", "project_id", "task_id")
    return set(rows) & {ids for _number, ids in found}


def _check_tasks(client: sendai.Client, tasks: list[tuple[str, str, str]]) -> dict[tuple, object]:
    """Ask Send.ai for each task, a few at a time, for at most IMPORT_CHECK_SECONDS in all.

    Each answer is the Task or the SendaiError it raised; a task without an answer in time is
    missing from the result. Every call keeps the client's own deadline and waiting limit, so
    that a call still running when the time is up ends by itself.
    """
    if not tasks:
        return {}
    language = translation.get_language()

    def check(ids: tuple[str, str, str]) -> object:
        with translation.override(language):  # the reasons, in the importer's language
            try:
                return client.get(*ids).task
            except sendai.SendaiError as e:
                return e

    pool = ThreadPoolExecutor(
        max_workers=min(IMPORT_CHECK_WORKERS, settings.SENDAI_MAX_WAITING, len(tasks)),
        thread_name_prefix="import-check",
    )
    try:
        futures = {pool.submit(check, ids): ids for ids in tasks}
        done, _pending = wait(futures, timeout=settings.GUNICORN_TIMEOUT / 2)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return {futures[f]: f.result() for f in done}


class BadEvent(ValueError):
    """A notification event that cannot be read; the message says what is wrong."""


class RetryLater(Exception):
    """The event could not be applied now (the upstream, or the sync key); nothing was recorded."""


def _event_id(body: dict) -> str:
    """The event's ID, whole: one longer than the column is kept as its SHA-256, never cut short."""
    event_id = _text(body, "id")
    if len(event_id) <= 128:
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadEvent(f"{name}: expected a non-empty string.")
    return value


def receive_event(body: object) -> tuple[bool, str]:
    """Take a notification event once. Returns (new, outcome); replays return (False, …).

    A task event is applied and recorded in one transaction: one that failed here leaves no
    record, and its retry is applied. An upload event is recorded at once with a sync of the
    upload's tasks, which the worker runs (and retries); a replay of an event whose sync failed
    for good starts it again, any other replay is only acknowledged.
    """
    if not isinstance(body, dict):
        raise BadEvent("The event must be a JSON object.")
    event_id = _event_id(body)
    level = _text(body, "event_level")
    name = _text(body, "event")
    team_id = _text(body, "team_id")
    project_id = _text(body, "project_id")
    try:
        sendai.check_id(team_id, "team")
        sendai.check_id(project_id, "project")
    except sendai.InvalidId as e:
        raise BadEvent(str(e)) from None
    if level not in ("TASK", "UPLOAD"):
        raise BadEvent("event_level: expected TASK or UPLOAD.")
    if level == "UPLOAD":
        return _receive_upload(event_id, name, team_id, project_id, _event_upload(body))
    task = _event_task(body)
    if WebhookDelivery.objects.filter(event_id=event_id).exists():
        return False, ALREADY
    try:
        with transaction.atomic():
            remember(team_id, project_id, task, Entry.Source.WEBHOOK)
            outcome = f"Task {task.id} is {task.status}."
            WebhookDelivery.objects.create(event_id=event_id, event=name[:64], level=level, outcome=outcome[:200])
    except IntegrityError:  # the same event, applied by a delivery running alongside
        return False, ALREADY
    return True, outcome


def _receive_upload(event_id: str, name: str, team_id: str, project_id: str, upload_id: str) -> tuple[bool, str]:
    from reviewer.queue import tasks  # the tasks module imports this one

    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.select_for_update().filter(event_id=event_id).first()
            failed = delivery is not None and delivery.sync_run and delivery.sync_run.status == SyncRun.Status.FAILED
            if delivery is not None and not failed:
                return False, ALREADY
            run = SyncRun.objects.create(
                kind=SyncRun.Kind.UPLOAD, team_id=team_id, project_id=project_id, upload_id=upload_id
            )
            outcome = f"Upload {upload_id}: its tasks are being synced (sync {run.pk})."
            if delivery is None:
                WebhookDelivery.objects.create(
                    event_id=event_id, event=name[:64], level="UPLOAD", outcome=outcome[:200], sync_run=run
                )
            else:  # its sync failed for good: this replay tries again
                delivery.sync_run, delivery.outcome = run, outcome[:200]
                delivery.save(update_fields=["sync_run", "outcome"])
            background.enqueue(tasks.run_sync, run.pk)
    except IntegrityError:  # the same event, taken by a delivery running alongside
        return False, ALREADY
    return True, outcome


def _event_task(body: dict) -> sendai.Task:
    task = body.get("task")
    if not isinstance(task, dict):
        raise BadEvent("task: expected the task object.")
    try:
        return sendai.parse_task(task, "task", with_pages=False)  # refuses IDs outside the contract
    except sendai.ProtocolError as e:
        raise BadEvent(str(e)) from None


def _event_upload(body: dict) -> str:
    upload = body.get("upload")
    upload_id = upload.get("id") if isinstance(upload, dict) else upload
    if not isinstance(upload_id, str):
        raise BadEvent("upload: expected the upload, with its id.")
    try:
        return sendai.check_id(upload_id, "upload")
    except sendai.InvalidId as e:
        raise BadEvent(str(e)) from None


def sync_client() -> sendai.Client | None:
    """A client with the key of QUEUE_SYNC_USER, for syncs that no person starts.

    None when there is no such person with a working key; RetryLater when the key cannot be read.
    """
    username = settings.QUEUE_SYNC_USER
    user = get_user_model().objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        return None
    profile = profile_of(user)
    if not profile.key_works:
        return None
    try:
        return sendai.Client(profile.api_key())
    except UndecryptableKey as e:
        raise RetryLater(f"QUEUE_SYNC_USER {username}: {e}") from None
