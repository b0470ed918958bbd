"""The Django admin's sign-in is throttled by the same counters as the console's (django-axes)."""

from __future__ import annotations

PASSWORD = "correct horse battery staple"


def _admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_it_refuses_the_right_password_after_repeated_failures(client, people, settings):
    people.admin.is_staff = True
    people.admin.save()
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(4):
        assert _admin_login(client, "ada", "guess").status_code == 200
    assert _admin_login(client, "ada", "guess").status_code == 429
    response = _admin_login(client, "ada", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_at_the_admin_count_for_the_console_and_back(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 4
    for _ in range(2):
        _admin_login(client, "ada", "guess")
        client.post("/accounts/login/", {"username": "ada", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert "Too many failed sign-ins" in response.content.decode()
    assert "Too many failed sign-ins" in _admin_login(client, "ada", PASSWORD).content.decode()


def test_a_staff_member_signs_in_to_the_admin(client, people):
    people.admin.is_staff = True
    people.admin.save()
    response = _admin_login(client, "ada", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
