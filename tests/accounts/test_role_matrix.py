"""The role matrix: every view, for anonymous, stranger, reviewer, lead and admin."""

from __future__ import annotations

import pytest

NO_ROLE = "Your account has no role yet: ask an admin to give you one."

PERSONAS = ["anonymous", "stranger", "reviewer", "lead", "admin"]

# (method, url, {persona: expected status}); "login" means a redirect to the sign-in page. The
# stranger, signed in without a role, reaches no page that needs a sign-in (403 that says so).
MATRIX = [
    ("get", "/", {"anonymous": "login", "stranger": 403, "reviewer": 200, "lead": 200, "admin": 200}),
    ("get", "/account/", {"anonymous": "login", "stranger": 403, "reviewer": 200, "lead": 200, "admin": 200}),
    ("get", "/people/", {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 200}),
    ("get", "/people/new/", {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 200}),
    ("get", "/people/{rita}/", {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 200}),
    (
        "post",
        "/people/{rita}/key/",
        {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 400},
    ),
    (
        "post",
        "/people/{rita}/key/revoke/",
        {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 302},
    ),
    (
        "get",  # the confirm page; rita has no key, so back to her page
        "/people/{rita}/key/revoke/",
        {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 302},
    ),
    (
        "post",
        "/people/{rita}/key/verify/",
        {"anonymous": "login", "stranger": 403, "reviewer": 403, "lead": 403, "admin": 302},
    ),
    (
        "post",
        "/account/key/verify/",
        {"anonymous": "login", "stranger": 403, "reviewer": 302, "lead": 302, "admin": 302},
    ),
    (
        "post",
        "/account/key/revoke/",
        {"anonymous": "login", "stranger": 403, "reviewer": 302, "lead": 302, "admin": 302},
    ),
    (
        "get",
        "/review/team_1/proj_1/task_1/",  # without a key: the page that says to set one (400)
        {"anonymous": "login", "stranger": 403, "reviewer": 400, "lead": 400, "admin": 400},
    ),
    (
        "get",
        "/review/open/?team_id=t&project_id=p&task_id=x",
        {"anonymous": "login", "stranger": 403, "reviewer": 302, "lead": 302, "admin": 302},
    ),
    (
        "get",
        "/accounts/password_change/",
        {"anonymous": "login", "stranger": 403, "reviewer": 200, "lead": 200, "admin": 200},
    ),
    ("get", "/health/", {p: 200 for p in PERSONAS}),
    ("get", "/accounts/login/", {"anonymous": 200, "stranger": 302, "reviewer": 302, "lead": 302, "admin": 302}),
    ("get", "/accounts/password_reset/", {p: 200 for p in PERSONAS}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_it_lets_each_role_reach_only_its_views(client, people, persona, method, url, expected):
    if persona != "anonymous":
        client.force_login(getattr(people, persona))
    url = url.format(rita=people.reviewer.pk)
    response = getattr(client, method)(url)
    want = expected[persona]
    if want == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == want, response.content[:300]
    if want == 403:
        assert b"Not allowed" in response.content
    if want == 403 and persona == "stranger":
        assert NO_ROLE in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/people/"),
        ("put", "/people/{rita}/"),
        ("get", "/people/{rita}/key/"),
        ("put", "/people/{rita}/key/revoke/"),
        ("get", "/account/key/verify/"),
        ("post", "/review/team_1/proj_1/task_1/"),
        ("post", "/health/"),
    ],
)
def test_it_refuses_wrong_methods(client, people, method, url):
    client.force_login(people.admin)
    response = getattr(client, method)(url.format(rita=people.reviewer.pk))
    assert response.status_code == 405


def test_an_unknown_person_is_404_in_the_products_look(client, people):
    client.force_login(people.admin)
    response = client.get("/people/999999/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert b"Reviewer" in response.content


def test_a_task_id_outside_the_contract_is_404(client, people):
    client.force_login(people.reviewer)
    assert client.get("/review/team_1/proj_1/..bad/").status_code == 404


def test_the_admin_of_the_product_cannot_lock_themselves_out(client, people):
    client.force_login(people.admin)
    response = client.post(f"/people/{people.admin.pk}/", {"role": "reviewer", "is_active": "on"})
    assert response.status_code == 400
    assert b"cannot take away your own admin role" in response.content
    assert people.admin.groups.filter(name="admin").exists()
