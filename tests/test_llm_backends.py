"""The llm backends against a fake server speaking each provider's wire format: JSON
answers by schema, usage, 429 with Retry-After, 5xx, bad keys, refusals, missing keys
and extras. The key never appears in an error."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import pytest
from tests.fakes.llm_server import KEYS, FakeLLMServer, Reply, error_reply

from aifilm.errors import MissingDependencyError, UserError
from aifilm.pipeline.llm.base import ChatRequest, LLMBackend
from aifilm.pipeline.registry import registry

PROVIDERS = ("openai", "anthropic", "gemini")
ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY"}
SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "required": ["summary"],
}
REQUEST = ChatRequest(
    system="Summarise.",
    messages=(("user", "Part 1 of 1 of notes. one two three four five six seven eight nine ten"),),
    schema=SCHEMA,
    schema_name="summary",
    max_tokens=256,
)


@pytest.fixture
def fake(llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> FakeLLMServer:
    llm_server.reset()
    for provider, variable in ENV.items():
        monkeypatch.setenv(variable, KEYS[provider])
    for variable in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GOOGLE_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    return llm_server


def backend(provider: str, fake: FakeLLMServer, **options: Any) -> LLMBackend:
    url = fake.url + "/v1" if provider == "openai" else fake.url
    made = registry.create("llm", {"name": provider, "options": {"base_url": url, **options}})
    assert isinstance(made, LLMBackend)
    return made


@pytest.mark.parametrize("provider", PROVIDERS)
def test_answers_json_by_schema_and_counts_usage(provider: str, fake: FakeLLMServer) -> None:
    llm = backend(provider, fake, model="m-1")
    answer = llm.chat(REQUEST)
    assert json.loads(answer.text)["summary"].endswith(
        "notes: three four five six seven eight nine ten"
    )
    assert answer.input_tokens > 0 and answer.output_tokens > 0
    assert llm.usage.to_dict() == {
        "requests": 1,
        "input_tokens": answer.input_tokens,
        "output_tokens": answer.output_tokens,
    }
    (sent,) = fake.of(provider)
    body = json.dumps(sent.body)
    assert "Summarise." in body and '"summary"' in body  # system prompt and schema went out
    if provider != "gemini":
        assert sent.body["model"] == "m-1"
    else:
        assert "/models/m-1:generateContent" in sent.path


def test_openai_tool_mode_reads_the_function_arguments(fake: FakeLLMServer) -> None:
    answer = backend("openai", fake, mode="tools").chat(REQUEST)
    assert "summary" in json.loads(answer.text)
    (sent,) = fake.of("openai")
    assert sent.body["tool_choice"]["function"]["name"] == "summary"
    assert "response_format" not in sent.body


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_waits_as_retry_after_says(provider: str, fake: FakeLLMServer) -> None:
    fake.push(error_reply(provider, 429, "slow down", retry_after="1"))
    answer = backend(provider, fake).chat(REQUEST)
    assert "summary" in json.loads(answer.text)
    first, second = fake.of(provider)
    assert second.at - first.at >= 0.95


@pytest.mark.parametrize("provider", PROVIDERS)
def test_5xx_is_retried_then_given_up_with_a_clear_error(
    provider: str, fake: FakeLLMServer
) -> None:
    fake.push(error_reply(provider, 503, "overloaded", retry_after="0"))
    assert backend(provider, fake).chat(REQUEST).text
    fake.requests.clear()
    fake.push(*[error_reply(provider, 500, "boom", retry_after="0")] * 3)
    with pytest.raises(UserError, match=r"failed after 3 tries \(HTTP 500\)"):
        backend(provider, fake, retries=2).chat(REQUEST)
    assert len(fake.of(provider)) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_bad_key_names_the_variable_and_hides_the_key(
    provider: str, fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV[provider], "wrong-secret-value")
    started = time.monotonic()
    with pytest.raises(UserError) as caught:
        backend(provider, fake).chat(REQUEST)
    assert time.monotonic() - started < 2  # not retried
    text = str(caught.value)
    assert "refused the API key" in text and ENV[provider] in text
    assert "wrong-secret-value" not in text
    assert len(fake.of(provider)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_missing_key_fails_before_any_request(
    provider: str, fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV[provider])
    if provider == "openai":  # a local server needs no key: only OpenAI itself does
        made = registry.create("llm", "openai")
        assert isinstance(made, LLMBackend)
        with pytest.raises(UserError, match="export OPENAI_API_KEY"):
            made.chat(REQUEST)
    else:
        with pytest.raises(UserError, match=f"export {ENV[provider]}"):
            backend(provider, fake).chat(REQUEST)
    assert not fake.requests


def test_openai_compatible_local_server_without_a_key(
    fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(UserError, match="refused the API key"):  # reached the server
        backend("openai", fake).chat(REQUEST)
    assert fake.of("openai")[0].headers["authorization"] == "Bearer not-needed"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_refusal_is_a_clear_error(provider: str, fake: FakeLLMServer) -> None:
    fake.push(Reply(refusal=True))
    with pytest.raises(UserError, match="refused to answer"):
        backend(provider, fake).chat(REQUEST)
    assert len(fake.of(provider)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_cache_identity_has_no_key(provider: str, fake: FakeLLMServer) -> None:
    llm = backend(provider, fake, api_key="sk-very-secret", model="m-2")
    identity = json.dumps(llm.identity())
    assert "sk-very-secret" not in identity and "m-2" in identity
    assert "sk-very-secret" not in repr(llm.options)


@pytest.mark.parametrize(("provider", "module"), [("openai", "openai"), ("gemini", "google")])
def test_missing_extra_names_the_install(
    provider: str, module: str, fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'aifilm\[llm\]'"):
        backend(provider, fake).chat(REQUEST)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_server_is_retried_then_a_clear_error(
    provider: str, fake: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    options = {"base_url": f"http://127.0.0.1:{port}/v1", "retries": 1, "timeout": 5}
    made = registry.create("llm", {"name": provider, "options": options})
    assert isinstance(made, LLMBackend)
    monkeypatch.setattr("aifilm.pipeline.llm.base.time.sleep", lambda s: None)
    with pytest.raises(UserError, match=r"failed after 2 tries \(no answer\)"):
        made.chat(REQUEST)


def test_doctor_counts_google_api_key_for_gemini(monkeypatch: pytest.MonkeyPatch) -> None:
    from aifilm.doctor import check_backends
    from aifilm.pipeline.llm.gemini import GeminiChat

    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    key = next(c for c in GeminiChat.health() if c.name.startswith("API key"))
    assert not key.ok and key.fix == "export GEMINI_API_KEY=..."
    monkeypatch.setenv("GOOGLE_API_KEY", "g-key")
    key = next(c for c in GeminiChat.health() if c.name.startswith("API key"))
    assert key.ok and "GOOGLE_API_KEY" in key.detail
    gemini = next(c for c in check_backends() if c.name.startswith("llm backend 'gemini'"))
    assert "GEMINI_API_KEY: GOOGLE_API_KEY is set (used in its place)" in gemini.detail


def test_backends_share_the_provider_message_helper() -> None:
    from aifilm.pipeline.llm import anthropic_chat, base, openai_chat

    assert not hasattr(openai_chat, "_message")
    assert "openai_chat" not in anthropic_chat.__dict__
    said = {"error": {"type": "invalid_request_error", "message": "max_tokens too large"}}
    assert base.provider_message(said, "x") == "max_tokens too large"
