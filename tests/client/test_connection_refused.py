"""An upstream that is not listening: Unavailable, with a request ID and a log line."""

from __future__ import annotations

import logging

import pytest

from reviewer.sendai import Unavailable


@pytest.mark.parametrize("action", ["get", "approve"])
def test_it_raises_unavailable_when_the_connection_is_refused(settings, refused_url, api, caplog, action):
    settings.SENDAI_API_URL = refused_url
    caplog.set_level(logging.INFO, logger="reviewer.sendai")
    with pytest.raises(Unavailable) as e:
        getattr(api, action)("team_123456", "proj_123456", "task_abcdef123456", request_id="req-refused")
    assert str(e.value) == "Send.ai could not be reached: the connection was refused or broken."
    assert e.value.request_id == "req-refused"
    assert e.value.retry_after is None
    (record,) = [r for r in caplog.records if r.name == "reviewer.sendai"]
    assert record.levelno == logging.WARNING
    assert "failed: ConnectionError after" in record.getMessage()
    assert "request_id=req-refused" in record.getMessage()
