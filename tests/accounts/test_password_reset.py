"""Password reset: a limited number of mails per address and per client address, and the same
answer whether or not a mail went out (nothing tells whether an address has an account)."""

from __future__ import annotations

URL = "/accounts/password_reset/"


def _reset(client, email, addr="203.0.113.7"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=addr)


def test_a_reset_mail_is_sent(client, people, mailoutbox):
    response = _reset(client, "rita@example.com")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    [mail] = mailoutbox
    assert "/accounts/reset/" in mail.body


def test_it_sends_only_a_few_mails_per_address(client, people, mailoutbox, settings):
    settings.PASSWORD_RESET_LIMIT = 3
    answers = [_reset(client, "rita@example.com", f"198.51.100.{n}") for n in range(10)]
    answers = {(r.status_code, r["Location"]) for r in answers}
    assert answers == {(302, "/accounts/password_reset/done/")}
    assert len(mailoutbox) == 3


def test_it_sends_only_a_few_mails_per_client_address(client, people, mailoutbox, settings):
    settings.PASSWORD_RESET_LIMIT = 3
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    for email in ("rita@example.com", "leo@example.com", "ada@example.com", "sam@example.com"):
        assert _reset(client, email)["Location"] == "/accounts/password_reset/done/"
    assert [m.to for m in mailoutbox] == [["rita@example.com"], ["leo@example.com"]]


def test_an_unknown_address_gets_the_same_answer_and_counts_too(client, people, mailoutbox, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    known, unknown = _reset(client, "rita@example.com", "192.0.2.1"), _reset(client, "nobody@example.com", "192.0.2.1")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    _reset(client, "leo@example.com", "192.0.2.1")
    assert [m.to for m in mailoutbox] == [["rita@example.com"]]


def test_the_address_is_counted_whatever_its_case(client, people, mailoutbox, settings):
    settings.PASSWORD_RESET_LIMIT = 1
    _reset(client, "rita@example.com", "192.0.2.1")
    _reset(client, "RITA@Example.com ", "192.0.2.2")
    assert len(mailoutbox) == 1


def test_a_mail_server_that_cannot_be_reached_gets_the_same_answer(client, people, settings, caplog):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    response = _reset(client, "rita@example.com")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    assert "Failed to send password reset email" in caplog.text
