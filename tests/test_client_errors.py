"""The SDK client's failures are aifilm errors with the right exit codes, never httpx's."""

from __future__ import annotations

import json

import httpx
import pytest

import aifilm
from aifilm.errors import (
    EXIT_CREDENTIALS,
    EXIT_INTERNAL,
    EXIT_QUOTA,
    EXIT_UNREACHABLE,
    EXIT_USER,
)


def _answering(
    status: int, body: str, content_type: str = "application/problem+json"
) -> aifilm.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body, headers={"Content-Type": content_type})

    return aifilm.Client(
        "http://films.test", api_key="afk_x", transport=httpx.MockTransport(handler)
    )


@pytest.mark.parametrize(
    ("status", "code", "hint"),
    [
        (401, EXIT_CREDENTIALS, "aifilm login"),
        (403, EXIT_USER, None),  # not allowed (a plan, a blocked project): not a sign-in
        (402, EXIT_QUOTA, "aifilm credits"),
        (404, EXIT_USER, None),
        (503, EXIT_INTERNAL, "try again later"),
    ],
)
def test_a_refusal_has_the_exit_code_of_its_status(
    status: int, code: int, hint: str | None
) -> None:
    client = _answering(status, json.dumps({"title": "No", "detail": f"refused {status}"}))
    with pytest.raises(aifilm.RemoteError) as caught:
        client.balance()
    assert caught.value.status == status and caught.value.exit_code == code
    assert caught.value.message == f"server: refused {status}"
    if hint is None:
        assert caught.value.hint is None
    else:
        assert hint in (caught.value.hint or "")


def test_an_answer_that_is_not_json_is_a_user_error() -> None:
    with pytest.raises(aifilm.UserError, match="not JSON") as caught:
        _answering(200, "<html>a web page</html>", "text/html").balance()
    assert caught.value.exit_code == EXIT_USER and "aifilm server" in (caught.value.hint or "")
    with pytest.raises(aifilm.RemoteError, match="server: <html>oops"):
        _answering(500, "<html>oops</html>", "text/html").jobs()


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
def test_a_server_that_cannot_be_reached(failure: httpx.TransportError) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    client = aifilm.Client("http://films.test", transport=httpx.MockTransport(handler))
    with pytest.raises(aifilm.ServerUnreachableError) as caught:
        client.jobs()
    assert caught.value.exit_code == EXIT_UNREACHABLE and caught.value.url == "http://films.test"
    assert "films.test" in caught.value.message


@pytest.mark.parametrize("url", ["films.example.com", "127.0.0.1:8000", "ftp://films.test", ""])
def test_a_server_url_must_be_http(url: str) -> None:
    with pytest.raises(aifilm.UserError, match="does not start with http:// or https://"):
        aifilm.Client(url)
