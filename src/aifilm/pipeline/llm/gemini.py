"""Google Gemini models through the official `google-genai` client (generateContent).

The answer's shape is `response_json_schema` with `application/json` output. A blocked
prompt or a SAFETY stop is a refusal. `base_url` points the client at another server
(e.g. a proxy); the key comes from GEMINI_API_KEY (or GOOGLE_API_KEY).
"""

from __future__ import annotations

import os

from aifilm.pipeline.backend import HealthCheck
from aifilm.pipeline.llm.base import (
    ChatAnswer,
    ChatRequest,
    LLMBackend,
    ProviderError,
    Refusal,
    retry_after_seconds,
)

_REFUSED = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION"}


class GeminiChat(LLMBackend):
    """Google's Gemini models."""

    name = "gemini"
    description = "Google Gemini (generateContent)"
    requires = ("google.genai",)
    api_key_env = "GEMINI_API_KEY"
    default_model = "gemini-2.5-flash"
    license = "Apache-2.0"  # the client; the model's terms are Google's
    weights_license = "Gemini via Google's API under the Gemini API terms"

    @classmethod
    def health(cls) -> list[HealthCheck]:
        """As every backend's, but GOOGLE_API_KEY counts as the key (Google's client reads
        it too)."""
        checks = super().health()
        if os.environ.get("GOOGLE_API_KEY") and not os.environ.get(cls.api_key_env or ""):
            checks = [
                HealthCheck(c.name, True, "GOOGLE_API_KEY is set (used in its place)")
                if c.name.startswith("API key")
                else c
                for c in checks
            ]
        return checks

    def api_key(self) -> str | None:
        """The option, GEMINI_API_KEY, else GOOGLE_API_KEY (as Google's client reads them)."""
        return super().api_key() or os.environ.get("GOOGLE_API_KEY")

    def send(self, request: ChatRequest) -> ChatAnswer:
        """One generateContent call."""
        self.require()
        from google import genai
        from google.genai import errors, types

        client = genai.Client(
            api_key=self.require_key(),
            http_options=types.HttpOptions(
                base_url=self.base_url, timeout=int(self.options.timeout * 1000)
            ),
        )
        contents = [
            types.Content(
                role="model" if role == "assistant" else "user", parts=[types.Part(text=t)]
            )
            for role, t in request.messages
        ]
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            temperature=self.options.temperature,
            max_output_tokens=request.max_tokens,
            response_mime_type="application/json",
            response_json_schema=request.schema,
        )
        try:
            response = client.models.generate_content(
                model=self.model, contents=contents, config=config
            )
        except errors.APIError as exc:
            headers = getattr(exc.response, "headers", None)
            raise ProviderError(
                exc.code, exc.message or str(exc), retry_after_seconds(headers)
            ) from None
        except Exception as exc:
            # No answer at all: the client lets its HTTP library's transport errors through.
            if not _transport_error(exc):
                raise
            raise ProviderError(None, str(exc) or type(exc).__name__) from None
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason:
            raise Refusal(f"prompt blocked ({feedback.block_reason})")
        candidate = response.candidates[0] if response.candidates else None
        reason = str(getattr(candidate, "finish_reason", "") or "").rsplit(".", 1)[-1]
        if reason in _REFUSED:
            raise Refusal(f"finish_reason {reason}")
        if reason == "MAX_TOKENS":
            raise self.out_of_room(request)
        usage = response.usage_metadata
        return ChatAnswer(
            response.text or "",
            (usage.prompt_token_count or 0) if usage else 0,
            (usage.candidates_token_count or 0) if usage else 0,
        )


def _transport_error(exc: Exception) -> bool:
    """Whether `exc` is a connection failure or time-out from the client's HTTP library."""
    library = type(exc).__module__.split(".")[0]
    return isinstance(exc, OSError | TimeoutError) or library in ("httpx", "httpx2", "requests")
