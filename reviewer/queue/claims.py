"""Claims on queue entries: leases that are taken atomically, renewed, released and expire.

Taking the next entry locks candidate rows with SKIP LOCKED on PostgreSQL, so
concurrent claimers each get a different row without waiting on one another;
on SQLite every write transaction is IMMEDIATE (see settings), so claimers are
serialized and the same query is just as correct.

A claimed entry leaves the index of free entries (`queue_entry_next` holds only entries with no
holder), so the next claim reads the same few index rows however many claims are held. A claim
that lapses stays out until it is swept back (`sweep_lapsed`): every claim first looks whether
any claim has lapsed (one probe of the index `queue_entry_lapse`, in the same query that locks
the claimer) and sweeps if so, and `queue_expire` or periodic work can sweep at any time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from reviewer import sendai
from reviewer.queue import copies, reach
from reviewer.queue.models import CLAIMABLE, AheadFetch, ClaimEvent, Entry, Skip

MAX_CONFIRM_TRIES = 10
# How long a task fetched ahead stays good enough to hand out without asking the upstream again.
AHEAD_SECONDS = copies.OPEN_SECONDS
# How far down the queue a fetch-ahead looks for a task that no one else is fetching ahead.
AHEAD_CANDIDATES = 50
# How many lapsed claims a claim sweeps back on its way (the rest: the next claims, or a sweep).
CLAIM_SWEEP_LIMIT = 100


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.QUEUE_LEASE_SECONDS)


def _event(entry: Entry, user, kind: str, by=None) -> None:
    ClaimEvent.objects.create(
        entry=entry,
        user=user,
        username=user.get_username() if user else "",
        kind=kind,
        by=by.get_username() if by else "",
    )


def _expire(entry: Entry, now: dt.datetime) -> None:
    """Record that the entry's claim lapsed, if it did (called when the entry changes hands)."""
    if entry.claimed_by_id and entry.claim_expires_at and entry.claim_expires_at <= now:
        _event(entry, _holder_of(entry), ClaimEvent.Kind.EXPIRED)


def _holder_of(entry: Entry):
    """The entry's claimed_by, read only when needed (a claim does not join the user table)."""
    return entry.claimed_by if entry.claimed_by_id else None


def available(now: dt.datetime | None = None, *, project: str = "", step_type: str = "", user=None):
    """Entries free to claim, oldest first; for `user`, only what their key reaches and can open.

    Free means without a holder: the rows of the index `queue_entry_next`. A lapsed claim is
    free again once swept back (`sweep_lapsed`), which every claim does first when one has lapsed.
    `now` is kept for the callers' sake.
    """
    kinds = (Skip.Kind.NO_ACCESS,)
    return Entry.objects.filter(_free(project, step_type, user, kinds)).order_by("created_at", "id")


def _free(project: str, step_type: str, user, skip_kinds: tuple[str, ...]) -> Q:
    """The condition of available(), as one Q (a claim builds it on every call: one filter, not six),
    leaving out what `user` passed over with one of `skip_kinds`."""
    q = Q(status__in=CLAIMABLE, claimed_by__isnull=True)
    if user is not None:
        skips = Skip.objects.filter(user=user)
        if len(skip_kinds) == 1:
            skips = skips.filter(kind=skip_kinds[0])
        q &= reach.visible(user) & ~Q(pk__in=skips.values("entry_id"))
    if project:
        team_id, _, project_id = project.partition("/")
        q &= Q(team_id=team_id, project_id=project_id) if project_id else Q(project_id=team_id)
    if step_type:
        q &= Q(step_type=step_type)
    return q


def release_all(user) -> list[int]:
    """Release every live claim the user holds (a reviewer works on one task at a time); their pks."""
    now = timezone.now()
    released = []
    with transaction.atomic():
        for entry in Entry.objects.select_for_update().filter(claimed_by=user, claim_expires_at__gt=now):
            _clear(entry)
            _event(entry, user, ClaimEvent.Kind.RELEASED)
            released.append(entry.pk)
    return released


def _clear(entry: Entry) -> None:
    entry.claimed_by = None
    entry.claimed_at = None
    entry.claim_expires_at = None
    entry.save(update_fields=["claimed_by", "claimed_at", "claim_expires_at"])


def claim_next(user, *, project: str = "", step_type: str = "", skip: tuple[int, ...] = ()) -> Entry | None:
    """Claim the oldest available entry for `user`; None when there is none."""
    now = timezone.now()
    with transaction.atomic():
        person = _lock_person(user, now)
        if person.lapsed:
            sweep_lapsed(now, limit=CLAIM_SWEEP_LIMIT)
        locking = Entry.objects.select_for_update(skip_locked=True, of=("self",))
        exclude = ~Q(pk__in=skip) if skip else Q()
        # Neither skipped by them nor out of their key's reach (every kind of Skip), oldest first.
        fresh = locking.filter(_free(project, step_type, user, tuple(Skip.Kind)) & exclude)
        entry = None
        if person.ahead is not None:  # first the task fetched ahead for them, if still free: no upstream call
            entry = next(iter(fresh.filter(pk=person.ahead)), None)
        if entry is None:
            entry = next(iter(fresh.order_by("created_at", "id")[:1]), None)
        if entry is None:  # only tasks this person skipped are left: the longest-skipped first
            passed = _free(project, step_type, user, (Skip.Kind.NO_ACCESS,)) & exclude
            passed &= Q(skips__user=user, skips__kind=Skip.Kind.SKIPPED)
            entry = next(iter(locking.filter(passed).order_by("skips__at", "pk")[:1]), None)
        if entry is None:
            return None
        _take(entry, user, now, holds=person.holds)
    return entry


@dataclass(frozen=True)
class _Person:
    ahead: int | None  # the entry of a live fetch-ahead for them, if any
    holds: bool  # whether they hold a claim (live or lapsed)
    lapsed: bool  # whether anyone's claim has lapsed and waits to be swept back


def _lock_person(user, now: dt.datetime | None = None) -> _Person | None:
    """Serialize one person's claim steps (their user row, locked to the end of the transaction):
    two requests of theirs at once then cannot each take a task without seeing the other's.

    Given `now`, the same query reads what a claim needs to know first (one round trip, not four)."""
    if now is None:
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        return None
    ahead = AheadFetch.objects.filter(user=OuterRef("pk"), until__gt=now).order_by("entry__created_at", "entry_id")
    row = (
        get_user_model()
        .objects.select_for_update(of=("self",))
        .filter(pk=user.pk)
        .annotate(
            ahead_entry=Subquery(ahead.values("entry_id")[:1]),
            holds=Exists(Entry.objects.filter(claimed_by=OuterRef("pk"))),
            lapsed=Exists(Entry.objects.filter(claimed_by__isnull=False, claim_expires_at__lte=now)),
        )
        .values_list("ahead_entry", "holds", "lapsed")
    )
    found = list(row)
    ahead_entry, holds, lapsed = found[0] if found else (None, True, True)
    return _Person(ahead=ahead_entry, holds=bool(holds), lapsed=bool(lapsed))


def _take(entry: Entry, user, now: dt.datetime, *, holds: bool = True) -> None:
    """Give the locked `entry` to `user`, who first gives back every other claim they have
    (`holds` False: the caller knows, under the person's lock, that they have none).

    One claim per reviewer; the database holds it too (the constraint queue_one_claim_per_reviewer).
    """
    others = Entry.objects.select_for_update(of=("self",)).filter(claimed_by=user).exclude(pk=entry.pk)
    for other in others if holds else ():
        live = other.claim_expires_at is not None and other.claim_expires_at > now
        _event(other, user, ClaimEvent.Kind.RELEASED if live else ClaimEvent.Kind.EXPIRED)
        _clear(other)
    _expire(entry, now)
    entry.claimed_by, entry.claimed_at, entry.claim_expires_at = user, now, now + lease()
    entry.save(update_fields=["claimed_by", "claimed_at", "claim_expires_at"])
    _event(entry, user, ClaimEvent.Kind.CLAIMED)


def hold(entry_pk: int, user) -> Entry | None:
    """Claim or renew the entry for `user` if it is free or already theirs; the entry either way.

    Returns None when there is no such entry. The caller compares `claimed_by`
    with the user to learn whether they hold it.
    """
    now = timezone.now()
    with transaction.atomic():
        _lock_person(user)
        entry = Entry.objects.select_for_update(of=("self",)).select_related("claimed_by").filter(pk=entry_pk).first()
        if entry is None:
            return None
        holder = entry.holder(now)
        if holder is not None and holder.pk != user.pk:
            return entry
        if holder is None and entry.status not in CLAIMABLE:
            return entry  # a newer sighting than the caller's says the task is no longer in review
        if holder is None and _released_by(entry, user):
            return entry  # a lead who just released someone's claim is looking, not taking it
        if holder is None:
            _take(entry, user, now)
        else:
            entry.claim_expires_at = now + lease()
            entry.save(update_fields=["claim_expires_at"])
    return entry


def _released_by(entry: Entry, user) -> bool:
    """Whether the entry's latest claim event is `user` (a lead) releasing someone else's claim."""
    last = entry.events.order_by("-at", "-pk").first()
    return bool(last and last.kind == ClaimEvent.Kind.RELEASED_BY_LEAD and last.by == user.get_username())


def renew(entry_pk: int, user) -> tuple[Entry | None, bool]:
    """Extend `user`'s live claim on the entry; never take one. (entry or None, whether extended)."""
    now = timezone.now()
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).select_related("claimed_by").filter(pk=entry_pk).first()
        if entry is None:
            return None, False
        holder = entry.holder(now)
        if holder is None or holder.pk != user.pk:
            return entry, False
        entry.claim_expires_at = now + lease()
        entry.save(update_fields=["claim_expires_at"])
    return entry, True


def release(entry_pk: int, user, *, by=None) -> bool:
    """Release a claim: the holder's own, or anyone's when `by` (a lead) is given."""
    now = timezone.now()
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).select_related("claimed_by").filter(pk=entry_pk).first()
        holder = entry.holder(now) if entry else None
        if holder is None or (by is None and holder.pk != user.pk):
            return False
        _clear(entry)
        kind = ClaimEvent.Kind.RELEASED_BY_LEAD if by else ClaimEvent.Kind.RELEASED
        _event(entry, holder, kind, by=by)
    return True


def sweep_lapsed(now: dt.datetime | None = None, *, limit: int | None = None) -> int:
    """Return lapsed claims to the queue (all, or the `limit` that lapsed first), recording each
    expiry; the number returned. Rows that another transaction holds are left for the next sweep.

    Run by every claim when a claim has lapsed, by `manage.py queue_expire`, and fit for periodic
    work: its cost is the number of lapsed claims (it reads the index queue_entry_lapse).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lapsed = (
            Entry.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("claimed_by")
            .filter(claimed_by__isnull=False, claim_expires_at__lte=now)
            .order_by("claim_expires_at", "pk")
        )
        entries = list(lapsed[:limit] if limit else lapsed)
        if not entries:
            return 0
        ClaimEvent.objects.bulk_create(
            ClaimEvent(
                entry=entry,
                user=entry.claimed_by,
                username=entry.claimed_by.get_username(),
                kind=ClaimEvent.Kind.EXPIRED,
                at=now,
            )
            for entry in entries
        )
        Entry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
            claimed_by=None, claimed_at=None, claim_expires_at=None
        )
    return len(entries)


def expire_lapsed() -> int:
    """Return every lapsed claim to the queue, recording each expiry; the number returned."""
    return sweep_lapsed()


def remember(
    team_id: str, project_id: str, task: sendai.Task, source: str, *, seen_at: dt.datetime | None = None
) -> Entry:
    """Create or update the entry of a task the upstream showed us at `seen_at` (by default now).

    `seen_at` is when the upstream was asked: a read that started before an action answered may
    show the state before it, so its status is kept only if no newer sighting is recorded.
    When the entry learns something it did not know, and on every webhook event, the copies of
    the task fetched before (everyone's: copies.py) are no longer shown.
    """
    seen_at = seen_at or timezone.now()
    entry, newer = _remember(team_id, project_id, task, source, seen_at)
    if newer or source == Entry.Source.WEBHOOK:  # an event is news, whatever its status says
        # The copies fetched before this sighting may be out of date; an event's time is its arrival.
        copies.forget((team_id, project_id, task.id), as_of=None if source == Entry.Source.WEBHOOK else seen_at)
    return entry


def _remember(team_id, project_id, task: sendai.Task, source: str, seen_at: dt.datetime) -> tuple[Entry, bool]:
    """The entry, created or updated; and whether it learned something it did not know (a status,
    a name…)."""
    facts = {
        "name": task.name[:500],
        "step_type": task.step_type[:64],
        "upload_id": task.upload_id[:128],
        "created_at": task.created_at,
    }
    ids = {"team_id": team_id, "project_id": project_id, "task_id": task.id}
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).filter(**ids).first()
        if entry is None:
            try:
                with transaction.atomic():
                    return Entry.objects.create(
                        **ids, **facts, status=task.status, status_at=seen_at, source=source
                    ), True
            except IntegrityError:  # created meanwhile by another request
                entry = Entry.objects.select_for_update(of=("self",)).get(**ids)
        fields = [*facts, "seen_at"]
        newer = any(getattr(entry, name) != value for name, value in facts.items())  # e.g. renamed
        for name, value in facts.items():
            setattr(entry, name, value)
        entry.seen_at = timezone.now()
        if entry.status_at is None or seen_at >= entry.status_at:
            newer = newer or entry.status != task.status
            entry.status, entry.status_at = task.status, seen_at
            fields += ["status", "status_at"]
        entry.save(update_fields=fields)
    return entry, newer


def settle(entry_pk: int, user, task: sendai.Task, *, release_claim: bool) -> None:
    """After `user` acted on the entry's task: the entry learns the status the action answered
    and, when the action ends the review, the claim goes back, in one transaction, so that a
    finished task is never free to claim for a moment."""
    answered_at = timezone.now()  # the action's answer is newer than every read begun before it
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).filter(pk=entry_pk).first()
        if entry is None:
            return
        remember(entry.team_id, entry.project_id, task, entry.source, seen_at=answered_at)
        if release_claim:
            release(entry.pk, user)


# A task fetched ahead is a copy like any other (copies.py): one store, one set of rules.
Ahead = copies.Copy


def keep_ahead(user, ids: tuple[str, str, str], task: sendai.Task, seen_at: dt.datetime) -> None:
    """Keep a task just fetched for `user`, for the next step to use instead of fetching it again."""
    copies.keep(user, ids, task, seen_at)


def take_ahead(user, ids: tuple[str, str, str]) -> Ahead | None:
    """The task kept for `user` by keep_ahead(), if it was fetched within AHEAD_SECONDS and the
    task has not changed since (copies.look); None otherwise (the caller asks the upstream)."""
    ahead = copies.look(user, ids, max_age=AHEAD_SECONDS)
    if ahead is not None:  # used: this person's fetch-ahead may fetch the next one
        AheadFetch.objects.filter(
            user=user, entry__team_id=ids[0], entry__project_id=ids[1], entry__task_id=ids[2]
        ).delete()
    return ahead


def _reserve(entry: Entry, user, now: dt.datetime) -> bool:
    """Take the single-flight lock on fetching `entry` ahead, for `user`; whether it was free."""
    until = now + dt.timedelta(seconds=AHEAD_SECONDS)
    with transaction.atomic():
        if AheadFetch.objects.filter(entry=entry, until__lte=now).update(user=user, until=until):
            return True
        try:
            with transaction.atomic():
                AheadFetch.objects.create(entry=entry, user=user, until=until)
        except IntegrityError:  # someone is fetching it, or fetched it lately
            return False
    return True


def fetch_ahead(user, client: sendai.Client) -> Entry | None:
    """Fetch a task that "next" can hand `user` without an upstream call, without claiming it.

    Called while the person reviews. Each task is fetched ahead by one reviewer at a time, in
    every process (the lock is an AheadFetch row): the others take the next ones down the queue,
    so twenty pages open at once make twenty different GETs, not twenty of the head task.
    """
    now = timezone.now()
    if AheadFetch.objects.filter(user=user, until__gt=now, entry__in=available(now, user=user)).exists():
        return None  # one fetched for this person is still waiting
    skipped = Skip.objects.filter(user=user).values("entry_id")
    candidates = (
        available(now, user=user).exclude(claimed_by=user).exclude(ahead__until__gt=now).exclude(pk__in=skipped)
    )
    for entry in candidates[:AHEAD_CANDIDATES]:
        if _reserve(entry, user, now):
            break
    else:
        return None
    ids = (entry.team_id, entry.project_id, entry.task_id)
    seen_at = timezone.now()
    try:
        task = client.get(*ids).task
    except sendai.SendaiError:
        AheadFetch.objects.filter(entry=entry, user=user).delete()
        return None
    if task.status != entry.status:
        # Only when something changed: remembering locks the entry's row, and a claim made at that
        # moment (SKIP LOCKED) would pass this task over for the next one.
        remember(*ids[:2], task, entry.source, seen_at=seen_at)
    if task.status == "REVIEWING":
        keep_ahead(user, ids, task, seen_at)
    else:
        AheadFetch.objects.filter(entry=entry, user=user).delete()
    return entry


def next_task(user, client: sendai.Client, *, project: str = "", step_type: str = ""):
    """Claim the oldest available task that the upstream confirms is still in review.

    Entries that are no longer REVIEWING are updated and passed over. Returns
    (entry, task), or None when the queue has nothing for this person.
    Upstream errors propagate, with the claim released.
    """
    skipped = release_all(user)  # "next" means another task than the one in hand: it goes behind, for them
    for pk in skipped:
        Skip.objects.update_or_create(
            entry_id=pk, user=user, defaults={"kind": Skip.Kind.SKIPPED, "at": timezone.now()}
        )
    for _ in range(MAX_CONFIRM_TRIES):
        entry = claim_next(user, project=project, step_type=step_type, skip=tuple(skipped))
        if entry is None:
            return None
        ids = (entry.team_id, entry.project_id, entry.task_id)
        ahead = take_ahead(user, ids)
        seen_at = ahead.seen_at if ahead else timezone.now()
        try:
            task = ahead.task if ahead else client.get(*ids).task
        except sendai.NotFound:
            skipped.append(entry.pk)
            if ids[:2] in reach.learned(user):  # a key known to open this project: the task is gone
                Entry.objects.filter(pk=entry.pk).update(status="GONE", claimed_by=None, claim_expires_at=None)
                _event(entry, user, ClaimEvent.Kind.DROPPED)
                continue
            # A 404 may mean "this key has no access" (contract §1): pass it over for this person only.
            release(entry.pk, user)
            Skip.objects.update_or_create(entry=entry, user=user, defaults={"kind": Skip.Kind.NO_ACCESS})
            continue
        except sendai.SendaiError:
            release(entry.pk, user)
            raise
        reach.learn(user, *ids[:2])
        entry = remember(entry.team_id, entry.project_id, task, entry.source, seen_at=seen_at)
        if task.status == "REVIEWING":
            keep_ahead(user, ids, task, seen_at)  # the task page shows it without fetching it again
            return entry, task
        release(entry.pk, user)
        _event(entry, user, ClaimEvent.Kind.DROPPED)
        skipped.append(entry.pk)
    return None
