"""Claims with 20 real concurrent claimers against a primary-key lookup at the same concurrency.

`make bench` runs this on the database it is configured with (SQLite, the embedded default, or
PostgreSQL with DATABASE_URL); the benchmark itself is benchmarks/queue_claims.py, which also
runs alone: `python -m benchmarks.queue_claims`.
"""

from __future__ import annotations

import pytest

from benchmarks import queue_claims


@pytest.mark.django_db(transaction=True)
def test_claims_against_a_primary_key_lookup():
    figures = queue_claims.run("full")
    assert figures and all(f["errors"] == 0 for f in figures), figures
