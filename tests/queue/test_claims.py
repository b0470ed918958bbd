"""Claims are leases: oldest first, one holder, renewed, released, and returned when they lapse."""

from __future__ import annotations

import io

from django.core.management import call_command

from reviewer.queue import claims
from reviewer.queue.models import ClaimEvent, Entry
from tests.queue.conftest import expire, make_entry


def test_it_claims_the_oldest_available_task(people):
    make_entry("task_new", minutes=50)
    make_entry("task_old", minutes=10)
    make_entry("task_done", minutes=1, status="COMPLETED")
    entry = claims.claim_next(people.reviewer)
    assert entry.task_id == "task_old"
    assert entry.claimed_by == people.reviewer
    assert claims.claim_next(people.lead).task_id == "task_new"
    assert claims.claim_next(people.admin) is None


def test_it_filters_by_project_and_step_type(people):
    make_entry("task_a", project_id="proj_a", step_type="CLASSIFY")
    make_entry("task_b", project_id="proj_b", step_type="EXTRACT")
    make_entry("task_c", project_id="proj_b", step_type="CLASSIFY")
    # A lead, who sees every project of their team.
    assert claims.claim_next(people.lead, project="proj_b", step_type="CLASSIFY").task_id == "task_c"
    assert claims.claim_next(people.lead, project="team_123456/proj_a").task_id == "task_a"
    assert claims.claim_next(people.lead, project="proj_x") is None


def test_a_lapsed_claim_returns_to_the_queue_and_is_recorded(people):
    entry = make_entry()
    assert claims.claim_next(people.reviewer).pk == entry.pk
    assert claims.claim_next(people.lead) is None
    expire(entry)
    taken = claims.claim_next(people.lead)
    assert taken.pk == entry.pk
    assert taken.claimed_by == people.lead
    kinds = list(ClaimEvent.objects.order_by("pk").values_list("kind", "username"))
    assert kinds == [("claimed", "rita"), ("expired", "rita"), ("claimed", "leo")]


def test_the_expire_command_returns_lapsed_claims(people):
    entry = make_entry()
    claims.claim_next(people.reviewer)
    expire(entry)
    out = io.StringIO()
    call_command("queue_expire", stdout=out)
    assert "Returned 1 lapsed claim" in out.getvalue()
    entry.refresh_from_db()
    assert entry.claimed_by is None
    assert ClaimEvent.objects.filter(kind="expired").count() == 1


def test_holding_renews_ones_own_claim_and_never_takes_anothers(people, settings):
    settings.QUEUE_LEASE_SECONDS = 600
    entry = make_entry()
    claims.claim_next(people.reviewer)
    first = Entry.objects.get(pk=entry.pk).claim_expires_at
    renewed = claims.hold(entry.pk, people.reviewer)
    assert renewed.claim_expires_at >= first
    assert claims.hold(entry.pk, people.lead).claimed_by == people.reviewer
    assert ClaimEvent.objects.filter(kind="claimed").count() == 1


def test_releasing_frees_the_task(people):
    entry = make_entry()
    claims.claim_next(people.reviewer)
    assert not claims.release(entry.pk, people.lead)  # not theirs
    assert claims.release(entry.pk, people.reviewer)
    assert claims.claim_next(people.lead).pk == entry.pk


def test_a_lead_releases_anothers_claim(people):
    entry = make_entry()
    claims.claim_next(people.reviewer)
    assert claims.release(entry.pk, people.lead, by=people.lead)
    event = ClaimEvent.objects.get(kind="released_by_lead")
    assert (event.username, event.by) == ("rita", "leo")


def test_a_reviewer_holds_one_claim_at_a_time(people):
    first, second = make_entry(), make_entry()
    claims.claim_next(people.reviewer)
    claims.release_all(people.reviewer)
    assert claims.claim_next(people.reviewer).pk == first.pk
    assert Entry.objects.get(pk=second.pk).claimed_by is None


def test_held_claims_leave_the_free_entries_and_lapsed_ones_come_back_first(people):
    oldest, newer = make_entry(minutes=1), make_entry(minutes=2)
    assert claims.claim_next(people.reviewer).pk == oldest.pk
    assert list(claims.available().values_list("pk", flat=True)) == [newer.pk]  # a held claim is not free
    expire(oldest)
    # The next claim sweeps the lapsed claim back first, so the oldest task still comes first.
    assert claims.claim_next(people.lead).pk == oldest.pk
    kinds = list(ClaimEvent.objects.order_by("pk").values_list("kind", "username"))
    assert kinds == [("claimed", "rita"), ("expired", "rita"), ("claimed", "leo")]
    assert list(claims.available().values_list("pk", flat=True)) == [newer.pk]


def test_sweeping_returns_the_lapsed_claims_only_and_records_each(people):
    live, lapsed_1, lapsed_2 = make_entry(), make_entry(), make_entry()
    for user, entry in ((people.reviewer, live), (people.lead, lapsed_1), (people.admin, lapsed_2)):
        assert claims.hold(entry.pk, user).claimed_by == user
    expire(lapsed_1)
    expire(lapsed_2)
    assert claims.sweep_lapsed(limit=1) == 1
    assert claims.sweep_lapsed() == 1
    assert claims.sweep_lapsed() == 0
    assert set(claims.available().values_list("pk", flat=True)) == {lapsed_1.pk, lapsed_2.pk}
    assert Entry.objects.get(pk=live.pk).holder() == people.reviewer
    expired = ClaimEvent.objects.filter(kind="expired")
    assert sorted(expired.values_list("entry_id", "username")) == sorted(
        [(lapsed_1.pk, people.lead.username), (lapsed_2.pk, people.admin.username)]
    )
