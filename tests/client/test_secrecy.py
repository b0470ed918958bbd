"""The API key appears in no log record and no exception text, whatever happens."""

from __future__ import annotations

import logging
import traceback

import pytest

from reviewer.sendai import Client, Issue, SendaiError
from tests.client.conftest import KEY

ECHO = {"payload": None, "error": {"code": "invalid_status", "message": f"Key {KEY} may not do this."}}


def everything_that_can_happen(upstream, doc_task) -> list[SendaiError]:
    """Call the client through every outcome; return the exceptions raised."""
    client = Client(KEY)
    upstream.reply(json_body={"payload": doc_task})  # success
    upstream.reply(207, json_body={"payload": doc_task, "error": ECHO["error"]})  # a warning that echoes the key
    upstream.reply(400, json_body=ECHO)  # a refusal that echoes the key
    upstream.reply(400, f"Bad key: Bearer {KEY}")
    upstream.reply(401, json_body=ECHO)
    upstream.reply(403)
    upstream.reply(404, f"<html>{KEY}</html>")
    upstream.reply(502, f"upstream said {KEY}")
    upstream.reply(200, f"<html>{KEY}</html>")
    upstream.reply(200, json_body={"payload": {"id": KEY}})
    upstream.reply(delay=2)
    upstream.reply(json_body={"payload": doc_task}, reset_after=5)
    upstream.reply(500)

    errors = []
    results = [client.get("team_1", "proj_1", "task_1")]
    results.append(client.report("team_1", "proj_1", "task_1", [Issue("Other", "other")]))
    for _ in range(11):
        with pytest.raises(SendaiError) as e:
            client.approve("team_1", "proj_1", "task_1")
        errors.append(e.value)
    assert "[key]" in results[1].warning
    for bad in (lambda: Client(KEY + "\n").get("team_1", "proj_1", "task_1"), lambda: client.get("a", "b", KEY + "/")):
        with pytest.raises(SendaiError) as e:
            bad()
        errors.append(e.value)
    return errors


def test_it_keeps_the_key_out_of_logs_and_exceptions(upstream, doc_task, refused_url, settings, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's debug lines included
    errors = everything_that_can_happen(upstream, doc_task)
    settings.SENDAI_API_URL = refused_url
    with pytest.raises(SendaiError) as e:
        Client(KEY).get("team_1", "proj_1", "task_1")
    errors.append(e.value)

    assert len(caplog.records) > 10
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        assert KEY not in formatter.format(record)
        assert KEY not in repr(record.args)
    assert len(errors) == 14
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in "".join(traceback.format_exception(error))  # chained causes included
        assert KEY not in repr(vars(error))
    assert KEY not in repr(Client(KEY))
