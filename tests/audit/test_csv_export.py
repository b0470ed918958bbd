"""The CSV export streams: 100,000 records leave in bounded memory, every one of them."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import tracemalloc

from reviewer.review.models import ActionRecord
from tests.audit.conftest import T0

COUNT = 100_000
LIMIT = 20 * 2**20  # 20 MB: the rows themselves, as Python objects, would take several times that


def build(count: int) -> None:
    """`count` approvals and disapprovals over 500 tasks and 20 reviewers, written in batches."""
    for start in range(0, count, 10_000):
        ActionRecord.objects.bulk_create(
            [
                ActionRecord(
                    at=T0 + dt.timedelta(seconds=n),
                    username=f"reviewer_{n % 20}",
                    team_id="team_123456",
                    project_id="proj_123456",
                    task_id=f"task_{n % 500}",
                    action="approve" if n % 3 else "disapprove",
                    outcome="ok",
                    task_approved=bool(n % 3),
                    task_status="COMPLETED",
                    upstream_status=200,
                    request_id=f"req-{n:08d}",
                    message="A sentence of about the length that an upstream refusal would have, to be realistic.",
                )
                for n in range(start, min(start + 10_000, count))
            ]
        )


def test_it_streams_100000_records_in_bounded_memory(lead_client, people):
    build(COUNT)
    lead_client.force_login(people.lead)  # anew: with REDIS_URL, a test run beside this one may clear the sessions
    warm_up = lead_client.get("/audit/approvals/?format=csv&reviewer=nobody")  # first-request set-up, not export
    assert b"".join(warm_up.streaming_content).count(b"\n") == 1
    gc.collect()
    tracemalloc.start()
    try:
        response = lead_client.get("/audit/approvals/?format=csv")
        assert response.streaming
        lines, size, first, last = 0, 0, b"", b""
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
            first = first or chunk
            last = chunk or last
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == COUNT + 1  # the header and every record
    assert peak < LIMIT, f"peak {peak / 2**20:.1f} MB"
    assert peak < size / 4, f"peak {peak / 2**20:.1f} MB for {size / 2**20:.1f} MB of CSV: it was not streamed"
    header, newest = list(csv.reader(io.StringIO(first.decode())))[:2]
    assert header[:3] == ["when (UTC)", "reviewer", "action"]
    assert newest[0] == (T0 + dt.timedelta(seconds=COUNT - 1)).isoformat().replace("+00:00", "Z")
    assert newest[8] == ("yes" if (COUNT - 1) % 3 else "no")  # approved now: the latest record of its task
    oldest = list(csv.reader(io.StringIO(last.decode())))[-1]
    assert oldest[0] == "2026-03-10T09:00:00Z"


def test_it_lets_a_client_hang_up_midway(lead_client, people):
    build(5000)
    response = lead_client.get("/audit/activity/?format=csv")
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"when (UTC),reviewer,")
    # The client has read enough and hangs up. Closing the test client's wrapper of the stream is what
    # a WSGI server's close() does, minus closing the database connection (which holds this test).
    response._iterator.close()
    assert ActionRecord.objects.count() == 5000  # the stream's cursor went first: the transaction still works
