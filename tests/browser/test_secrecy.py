"""The reviewer's API key is used by the console only: nothing the browser receives contains it."""

from __future__ import annotations


def test_the_api_key_never_reaches_the_browser(console):
    page = console.page
    responses = []
    page.on("response", lambda response: responses.append(response))
    console.open("task_demo_020")
    page.keyboard.press("]")  # a partial update
    page.wait_for_selector("#viewer[data-page='2']")
    page.keyboard.press("a")  # an action
    page.wait_for_selector("#task-state .approval.approved")
    assert any("/image/" in r.url for r in responses)  # the page image, fetched with the key
    secrets = (console.key, console.key[len("sk_sbx_") :])
    for response in responses:
        headers = " ".join(f"{k}: {v}" for k, v in response.all_headers().items())
        body = response.body().decode("utf-8", "replace") if response.status < 300 else ""
        for secret in secrets:
            assert secret not in body, response.url
            assert secret not in headers, response.url
    stored = page.evaluate("() => document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    cookies = " ".join(c["value"] for c in page.context.cookies())
    for secret in secrets:
        assert secret not in stored
        assert secret not in cookies
