"""The copy of a task kept per person for the length of a review (reviewer/queue/copies.py).

The console talks to the local stand-in of tests/client/conftest.py, which counts what it
receives: a page switch, a threshold or order change and a reload shortly after an open ask it
nothing; every action, refusal, newer status, webhook event and key change makes the next
request ask again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from reviewer import sendai
from reviewer.accounts.models import Profile
from reviewer.queue import claims, sources
from reviewer.queue.models import Entry
from tests.client.conftest import serving
from tests.conftest import give_key
from tests.review.test_upstream_faults import task_json

IDS = ("team_123456", "proj_123456", "task_abcdef123456")
TASK_URL = "/review/team_123456/proj_123456/task_abcdef123456/"
VIEWER = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "viewer"}
STATE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "task-state"}
KEY = "sk_test_faulty_upstream_key_0001"


@pytest.fixture
def upstream(settings):
    with serving(settings) as server:
        yield server


@pytest.fixture
def rita(client, people, upstream):
    give_key(people.reviewer, KEY)
    client.force_login(people.reviewer)
    return client


@pytest.fixture
def client_factory(upstream):
    """Another person's browser: signed in, with a key for the same upstream."""
    from django.test import Client

    def make(user):
        give_key(user, KEY)
        other = Client()
        other.force_login(user)
        return other

    return make


@pytest.fixture
def queued(db):
    """The task in the queue, in review."""
    return claims.remember(*IDS[:2], sendai.parse_task(task_json()), Entry.Source.IMPORT)


def asks(upstream) -> int:
    return sum(1 for r in upstream.received if r.method == "GET")


def test_a_page_switch_and_a_threshold_or_order_change_ask_the_upstream_nothing(rita, upstream, queued):
    upstream.reply(json_body={"payload": task_json()})
    assert rita.get(TASK_URL).status_code == 200
    assert asks(upstream) == 1
    for query in ("?page=1", "?page=1&threshold=0.5", "?page=1&order=confidence"):
        response = rita.get(TASK_URL + query, **VIEWER)
        assert response.status_code == 200
        assert 'id="viewer"' in response.content.decode()
    assert asks(upstream) == 1


def test_a_reload_shortly_after_an_open_shows_the_copy_and_renews_the_claim(rita, upstream, queued, people):
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    Entry.objects.filter(pk=queued.pk).update(claim_expires_at=timezone.now() + dt.timedelta(seconds=5))
    assert rita.get(TASK_URL).status_code == 200
    assert asks(upstream) == 1
    entry = Entry.objects.get(pk=queued.pk)
    assert entry.claimed_by == people.reviewer
    assert entry.claim_expires_at > timezone.now() + dt.timedelta(seconds=60)  # renewed by the reload


def test_a_full_open_takes_no_copy_older_than_its_limit(rita, upstream, queued, monkeypatch):
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    monkeypatch.setattr(claims, "AHEAD_SECONDS", 0)  # every copy is older than that
    assert rita.get(TASK_URL + "?page=1", **VIEWER).status_code == 200  # the viewer still takes it
    assert asks(upstream) == 1
    assert rita.get(TASK_URL).status_code == 200
    assert asks(upstream) == 2


def test_the_processing_poll_always_asks_the_upstream(rita, upstream, queued):
    upstream.reply(json_body={"payload": task_json("PROCESSING")})
    rita.get(TASK_URL)
    rita.get(TASK_URL, **STATE)
    rita.get(TASK_URL, **STATE)
    assert asks(upstream) == 3


def test_an_action_outdates_everyones_copy_and_its_answer_is_the_actors_new_one(
    rita, upstream, queued, people, client_factory
):
    lead = client_factory(people.lead)
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    lead.get(TASK_URL)
    assert asks(upstream) == 2
    upstream.replies.clear()
    upstream.reply(json_body={"payload": task_json(approved=True)})
    response = rita.post(f"{TASK_URL}act/approve/", {"token": "t-approve"}, **STATE)
    assert "Approved for training" in response.content.decode()
    assert asks(upstream) == 2  # the approve was a POST
    assert "Approved for training" in rita.get(TASK_URL).content.decode()  # the answer, not a fetch
    assert asks(upstream) == 2
    lead.get(TASK_URL + "?page=1", **VIEWER)  # the lead's copy is from before the approve
    assert asks(upstream) == 3


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 409, "json_body": {"payload": None, "error": {"code": "invalid_status", "message": "No."}}},
        {"status": 404, "json_body": {"payload": None, "error": {"code": "not_found", "message": "No."}}},
        {"status": 401, "json_body": {"payload": None, "error": {"code": "invalid_key", "message": "No."}}},
        {"status": 503, "body": "down"},
    ],
    ids=["refused", "not-found", "key", "unavailable"],
)
def test_a_refusal_or_failure_outdates_the_copies(rita, upstream, queued, people, client_factory, reply):
    lead = client_factory(people.lead)
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)  # she holds it; the lead looks
    lead.get(TASK_URL)
    assert asks(upstream) == 2
    upstream.replies.clear()
    upstream.reply(**reply)
    upstream.reply(json_body={"payload": task_json()})
    rita.post(f"{TASK_URL}act/discard/", {"token": "t-discard"}, **STATE)
    before = asks(upstream)
    lead.get(TASK_URL + "?page=1", **VIEWER)
    assert asks(upstream) == before + 1


def test_the_queue_learning_a_newer_status_outdates_the_copy(rita, upstream, queued):
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    claims.remember(*IDS[:2], sendai.parse_task(task_json()), Entry.Source.LIST)  # a sync: nothing new
    rita.get(TASK_URL + "?page=1", **VIEWER)
    assert asks(upstream) == 1
    claims.remember(*IDS[:2], sendai.parse_task(task_json("COMPLETED")), Entry.Source.LIST)
    rita.get(TASK_URL + "?page=1", **VIEWER)
    assert asks(upstream) == 2


def test_a_sighting_that_shows_something_new_outdates_the_copy(rita, upstream, queued):
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    claims.remember(*IDS[:2], sendai.parse_task(task_json(name="Scanned again")), Entry.Source.LIST)
    rita.get(TASK_URL + "?page=1", **VIEWER)
    assert asks(upstream) == 2


def test_a_webhook_event_outdates_the_copy_even_with_the_same_status(rita, upstream, queued):
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    task = {k: v for k, v in task_json().items() if k != "pages"}
    event = {"id": "evt_c1", "event": "task_updated", "event_level": "TASK", "task": task}
    assert sources.receive_event(event | {"team_id": IDS[0], "project_id": IDS[1]})[0] is True
    rita.get(TASK_URL + "?page=1", **VIEWER)
    assert asks(upstream) == 2


def test_a_new_key_starts_without_copies(rita, upstream, queued, people):
    upstream.reply(json_body={"payload": task_json()})
    rita.get(TASK_URL)
    give_key(people.reviewer, "sk_test_faulty_upstream_key_0002")
    rita.get(TASK_URL + "?page=1", **VIEWER)
    assert asks(upstream) == 2


def test_copies_are_shared_by_every_worker(settings):
    """The embedded default keeps them in the database, not in one process's memory."""
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in ("reviewer.cache.DatabaseCache", "django.core.cache.backends.redis.RedisCache")


@pytest.mark.django_db
def test_the_database_cache_writes_once_and_adds_only_over_what_expired(django_assert_max_num_queries, settings):
    from django.core.management import call_command

    from reviewer.cache import DatabaseCache

    location = {"BACKEND": "reviewer.cache.DatabaseCache", "LOCATION": "reviewer_cache"}
    settings.CACHES = {**settings.CACHES, "table": location}  # its table, on the Redis pass too
    call_command("createcachetable", verbosity=0)
    cache = DatabaseCache("reviewer_cache", {"KEY_PREFIX": "test-upsert"})
    with django_assert_max_num_queries(2 + 2 * (connection.vendor == "postgresql")):  # the write (in a savepoint)
        cache.set("k", 1)
    assert cache.add("k", 2) is False
    assert cache.get("k") == 1
    cache.set("gone", 1, timeout=-1)
    assert cache.add("gone", 3) is True
    assert cache.get("gone") == 3
    cache.set("k", 4)
    assert cache.get("k") == 4
    with transaction.atomic():  # a write inside the caller's transaction leaves it usable
        cache.set("k", 5)
        assert Profile.objects.count() >= 0
    assert cache.get("k") == 5


@pytest.mark.django_db
def test_key_last_used_at_is_written_at_most_once_a_minute(people, django_assert_num_queries):
    give_key(people.reviewer, KEY)
    profile = Profile.objects.get(user=people.reviewer)
    with django_assert_num_queries(1):
        profile.api_key()
    first = profile.key_last_used_at
    with django_assert_num_queries(0):
        profile.api_key()
    assert Profile.objects.get(pk=profile.pk).key_last_used_at == first
    profile.key_last_used_at = first - dt.timedelta(seconds=61)
    with django_assert_num_queries(1):
        profile.api_key()
    assert Profile.objects.get(pk=profile.pk).key_last_used_at > first
