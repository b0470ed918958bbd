"""The reviewer's API key is used by the console only: nothing the browser receives contains it."""

from __future__ import annotations


def test_the_api_key_never_reaches_the_browser(console):
    page = console.page
    seen = []  # (url, status, headers, body) of every answer, read before the page gets it

    def inspect(route):
        # Reading each body as it passes, rather than after the fact, also covers answers the
        # page has navigated away from (their bodies are gone by then).
        response = route.fetch()
        seen.append((route.request.url, response.status, response.headers, response.body()))
        route.fulfill(response=response)

    page.route("**/*", inspect)
    console.open("task_demo_020")
    page.keyboard.press("]")  # a partial update
    page.wait_for_selector("#viewer[data-page='2']")
    page.keyboard.press("a")  # an action
    page.wait_for_selector("#task-state .approval.approved")
    assert any("/image/" in url for url, *_ in seen)  # the page image, fetched with the key
    secrets = (console.key, console.key[len("sk_sbx_") :])
    for url, status, headers, body in seen:
        text = " ".join(f"{k}: {v}" for k, v in headers.items()) + body.decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in text, f"{url} ({status})"
    stored = page.evaluate("() => document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    cookies = " ".join(c["value"] for c in page.context.cookies())
    for secret in secrets:
        assert secret not in stored
        assert secret not in cookies
