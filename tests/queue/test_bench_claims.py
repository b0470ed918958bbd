"""The claims benchmark (benchmarks/queue_claims.py) runs, at its tiny size, and returns its
figures; it leaves no rows behind. Its speed is not checked here: figures live in benchmarks/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from benchmarks import queue_claims
from reviewer.queue.models import ClaimEvent, Entry


@pytest.mark.django_db(transaction=True)
def test_the_claims_benchmark_runs_and_cleans_up(capsys):
    figures = queue_claims.run("tiny")
    assert [f["name"].split(" (")[0] for f in figures] == ["claim p50", "claim p95"]
    for figure in figures:
        assert figure["unit"] == "ms"
        assert figure["errors"] == 0
        assert figure["runs"] == 2
        assert figure["min"] <= figure["median"] <= figure["max"]
        assert figure["ratio"] == figure["median"]
        assert "primary-key lookup" in figure["reference"]
    assert "ratio min/median/max" in capsys.readouterr().out  # printed as well as returned
    assert not Entry.objects.filter(team_id=queue_claims.TEAM).exists()
    assert not ClaimEvent.objects.exists()
    assert not get_user_model().objects.filter(username__startswith=queue_claims.PREFIX).exists()
