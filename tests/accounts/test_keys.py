"""People's API keys: encrypted at rest, write-only, rotated, recorded, never shown."""

from __future__ import annotations

import io
import logging

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from reviewer.accounts import crypto
from reviewer.accounts.models import KeyEvent, KeyState, Profile
from tests.conftest import give_key

RAW = "sk_live_ThisIsASecretKey1234"


def _database_text() -> str:
    """Every row of every table, as text."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
            out += [repr(row) for row in cursor.fetchall()]
    return "\n".join(out)


def _set_key(client, people, raw=RAW):
    client.force_login(people.admin)
    return client.post(
        f"/people/{people.reviewer.pk}/key/",
        {"api_key": raw, "team_id": "team_123456", "project_id": "proj_123456"},
        follow=True,
    )


def test_it_stores_the_key_encrypted(client, people, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9"  # verification fails fast: unreachable
    _set_key(client, people)
    profile = Profile.objects.get(user=people.reviewer)
    assert profile.encrypted_key
    assert RAW not in _database_text()
    assert RAW[:-4] not in _database_text()
    assert crypto.decrypt(profile.encrypted_key) == RAW
    assert (profile.key_last4, profile.key_set_by) == ("1234", people.admin)


def test_the_key_appears_in_no_page_or_log_record(client, people, settings, caplog):
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    caplog.set_level(logging.DEBUG)
    response = _set_key(client, people)
    pages = [response.content.decode()]
    for url in ["/people/", f"/people/{people.reviewer.pk}/"]:
        pages.append(client.get(url).content.decode())
    client.force_login(people.reviewer)
    pages.append(client.get("/account/").content.decode())
    pages.append(client.get("/review/team_123456/proj_123456/task_x/").content.decode())
    for page in pages:
        assert RAW not in page
    assert "1234" in pages[1]
    for record in caplog.records:
        assert RAW not in record.getMessage()
        assert RAW not in str(record.args)


def test_a_bad_key_form_keeps_the_other_fields_but_not_the_key(client, people):
    client.force_login(people.admin)
    response = client.post(
        f"/people/{people.reviewer.pk}/key/",
        {"api_key": "has a space inside", "team_id": "team_9", "project_id": "bad id"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "no spaces or line breaks" in page
    assert "Use 1 to 128 letters" in page
    assert 'value="team_9"' in page
    assert "has a space inside" not in page
    assert not Profile.objects.get(user=people.reviewer).has_key


def test_it_records_every_key_change_without_the_key(client, people, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    _set_key(client, people)
    _set_key(client, people, raw="sk_live_AnotherSecretKey5678")
    client.post(f"/people/{people.reviewer.pk}/key/revoke/", {"confirm": "yes"})
    actions = list(KeyEvent.objects.filter(subject=people.reviewer).order_by("pk").values_list("action", "actor_name"))
    assert actions == [
        ("set", "ada"),
        ("verified", "ada"),
        ("replaced", "ada"),
        ("verified", "ada"),
        ("revoked", "ada"),
    ]
    profile = Profile.objects.get(user=people.reviewer)
    assert (profile.has_key, profile.key_state, profile.key_last4) == (False, KeyState.NONE, "")
    assert RAW not in _database_text()


def test_people_may_set_their_own_key_when_the_setting_allows(client, people, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    client.force_login(people.reviewer)
    data = {"api_key": RAW, "team_id": "team_123456", "project_id": "proj_123456"}
    settings.ALLOW_SELF_SERVICE_KEYS = False
    assert client.post("/account/", data).status_code == 403
    assert not Profile.objects.get(user=people.reviewer).has_key
    settings.ALLOW_SELF_SERVICE_KEYS = True
    assert client.post("/account/", data).status_code == 302
    assert Profile.objects.get(user=people.reviewer).key_last4 == "1234"
    assert KeyEvent.objects.get(action="set").actor == people.reviewer


def test_rotation_re_encrypts_every_key_under_the_newest(people, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old]
    give_key(people.reviewer, RAW)
    give_key(people.lead, "sk_live_LeadKey00009999")
    settings.FERNET_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_api_keys", stdout=out)
    assert "Re-encrypted 2 key(s)" in out.getvalue()
    settings.FERNET_KEYS = [new]  # the old key can now be dropped
    assert Profile.objects.get(user=people.reviewer).api_key() == RAW
    assert Profile.objects.get(user=people.lead).api_key() == "sk_live_LeadKey00009999"
    assert KeyEvent.objects.filter(action="rotated").count() == 2


def test_a_key_under_a_dropped_fernet_key_is_reported_not_crashed(client, people, settings):
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    give_key(people.reviewer, RAW)
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    err = io.StringIO()
    call_command("rotate_api_keys", stdout=io.StringIO(), stderr=err)
    assert "rita: the key cannot be decrypted" in err.getvalue()
    client.force_login(people.reviewer)
    response = client.get("/review/team_123456/proj_123456/task_x/")
    assert response.status_code == 400  # the key page, not a 500
    assert b"cannot be read" in response.content


def test_the_demo_gives_each_person_a_working_sandbox_key(db, upstream):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from reviewer import sendai

    call_command("sandbox_seed", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    lines = out.getvalue().splitlines()
    for username in ("reviewer", "lead", "admin"):
        [line] = [line for line in lines if line.split()[:1] == [username]]
        password = line.split()[1]
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)
        assert user is not None
        key = Profile.objects.get(user=user).api_key()
        assert key not in out.getvalue()
        assert sendai.Client(key).get("team_demo", "proj_demo", "task_abcdef123456").task.id == "task_abcdef123456"
