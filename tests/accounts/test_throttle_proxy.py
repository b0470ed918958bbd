"""Sign-in throttling behind a proxy: the client's address is read through the trusted
proxies only, so one person's failures lock out that person from that address, and nobody else."""

from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from reviewer.observability.proxy import client_address

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.LOGIN_FAILURE_LIMIT = 3


def _login(client, username, password, via=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": via}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_one_persons_failures_behind_the_proxy_lock_out_no_one_else(client, people, behind_proxy):
    for _ in range(3):
        _login(client, "rita", "guess", forwarded="203.0.113.7")
    assert _login(client, "rita", PASSWORD, forwarded="203.0.113.7").status_code == 429
    # Everyone else comes through the same proxy, and signs in.
    assert _login(client, "leo", PASSWORD, forwarded="198.51.100.20").status_code == 302
    client.post("/accounts/logout/")
    # Rita herself, from another address, too: the lockout is for the name and address together.
    assert _login(client, "rita", PASSWORD, forwarded="198.51.100.21").status_code == 302
    [attempt] = AccessAttempt.objects.all()
    assert (attempt.username, attempt.ip_address) == ("rita", "203.0.113.7")  # still locked out


def test_the_same_name_from_two_addresses_counts_apart(client, people, behind_proxy):
    for _ in range(2):
        _login(client, "rita", "guess", forwarded="203.0.113.7")
        _login(client, "rita", "guess", forwarded="203.0.113.8")
    # Two failures from each: neither pair has reached the limit of three.
    assert _login(client, "rita", PASSWORD, forwarded="203.0.113.8").status_code == 302
    client.post("/accounts/logout/")
    _login(client, "rita", "guess", forwarded="203.0.113.7")
    assert _login(client, "rita", PASSWORD, forwarded="203.0.113.7").status_code == 429


def test_a_forged_header_from_an_untrusted_peer_is_ignored(client, people, behind_proxy):
    # Straight to the console, not through the proxy: a new X-Forwarded-For per guess changes nothing.
    for n in range(3):
        _login(client, "rita", "guess", via="192.0.2.9", forwarded=f"203.0.113.{n}")
    assert _login(client, "rita", PASSWORD, via="192.0.2.9", forwarded="203.0.113.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.9"}


def test_without_a_trusted_proxy_the_header_is_never_read(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = []
    for n in range(2):
        _login(client, "rita", "guess", via="10.0.0.5", forwarded=f"203.0.113.{n}")
    assert _login(client, "rita", PASSWORD, via="10.0.0.5", forwarded="203.0.113.50").status_code == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),
        # The client wrote its own X-Forwarded-For; the proxy appended the address it saw.
        (PROXY, "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        # Two trusted proxies in a row.
        (PROXY, "203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (PROXY, "not-an-address, 203.0.113.7", "203.0.113.7"),
        (PROXY, "garbage", PROXY),
        (PROXY, "", PROXY),
        (PROXY, "[2001:db8::1]:4711", "2001:db8::1"),
        (PROXY, "203.0.113.7:4711", "203.0.113.7"),
        ("192.0.2.9", "203.0.113.7", "192.0.2.9"),
    ],
)
def test_it_reads_the_clients_address(rf, settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_lockout_of_the_admin_sign_in_is_a_page_not_an_error(client, people, behind_proxy):
    people.admin.is_staff = True
    people.admin.save()
    for _ in range(3):
        client.post("/admin/login/?next=/admin/", {"username": "ada", "password": "guess"}, REMOTE_ADDR=PROXY)
    response = client.post("/admin/login/?next=/admin/", {"username": "ada", "password": PASSWORD}, REMOTE_ADDR=PROXY)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_admins_see_and_lift_lockouts_in_the_admin(client, people, behind_proxy):
    for _ in range(3):
        _login(client, "rita", "guess", forwarded="203.0.113.7")
    people.admin.is_staff = True
    people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    page = client.get("/admin/axes/accessattempt/", REMOTE_ADDR=PROXY)
    assert page.status_code == 200
    assert "203.0.113.7" in page.content.decode()
    [attempt] = AccessAttempt.objects.all()
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        REMOTE_ADDR=PROXY,
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_reset_command_lifts_one_persons_lockout(client, people, behind_proxy):
    for name in ("rita", "leo"):
        for _ in range(3):
            _login(client, name, "guess", forwarded="203.0.113.7")
    call_command("axes_reset_username", "rita", stdout=io.StringIO())
    assert _login(client, "rita", PASSWORD, forwarded="203.0.113.7").status_code == 302
    client.post("/accounts/logout/")
    assert _login(client, "leo", PASSWORD, forwarded="203.0.113.7").status_code == 429
    call_command("axes_reset", stdout=io.StringIO())
    assert _login(client, "leo", PASSWORD, forwarded="203.0.113.7").status_code == 302
