"""Each call logs method, path, status, duration and request ID to "reviewer.sendai"."""

from __future__ import annotations

import logging
import re

import pytest

from reviewer.sendai import Refused, Unavailable


def sendai_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "reviewer.sendai"]


def test_it_logs_a_successful_call(upstream, api, doc_task, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.sendai")
    upstream.reply(json_body={"payload": doc_task})
    api.approve("team_1", "proj_1", "task_1", request_id="req-log")
    (record,) = sendai_records(caplog)
    assert record.levelno == logging.INFO
    assert re.fullmatch(
        r"POST /v2/team_1/project/proj_1/task/task_1/approve 200 \d+ms request_id=req-log", record.getMessage()
    )


def test_it_logs_the_query_of_a_list(upstream, api, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.sendai")
    upstream.reply(json_body={"payload": [], "next_cursor": None})
    api.list("team_1", "proj_1", status="REVIEWING")
    (record,) = sendai_records(caplog)
    assert record.getMessage().startswith("GET /v2/team_1/project/proj_1/task?status=REVIEWING&limit=50 200 ")


def test_it_logs_a_refusal_at_info_and_a_5xx_as_a_warning(upstream, api, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.sendai")
    upstream.reply(400)
    upstream.reply(500)
    with pytest.raises(Refused):
        api.discard("team_1", "proj_1", "task_1")
    with pytest.raises(Unavailable):
        api.discard("team_1", "proj_1", "task_1")
    first, second = sendai_records(caplog)
    assert (first.levelno, " 400 " in first.getMessage()) == (logging.INFO, True)
    assert (second.levelno, " 500 " in second.getMessage()) == (logging.WARNING, True)


def test_it_logs_a_timeout_with_its_duration(upstream, api, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.sendai")
    upstream.reply(delay=2)
    with pytest.raises(Unavailable):
        api.get("team_1", "proj_1", "task_1", request_id="req-slow")
    (record,) = sendai_records(caplog)
    assert record.levelno == logging.WARNING
    assert re.fullmatch(
        r"GET /v2/team_1/project/proj_1/task/task_1 failed: ReadTimeout after \d+ms request_id=req-slow",
        record.getMessage(),
    )
    assert 450 <= int(re.search(r"(\d+)ms", record.getMessage()).group(1)) < 1500
