"""Claude models through Anthropic's Messages API and its official `anthropic` client.

The answer's shape is a forced tool call: the tool's `input_schema` is the JSON Schema,
and the answer is the `tool_use` block's input.
"""

from __future__ import annotations

import json
from typing import Any

from aifilm.pipeline.llm.base import (
    ChatAnswer,
    ChatRequest,
    LLMBackend,
    ProviderError,
    Refusal,
    provider_message,
    retry_after_seconds,
)


class AnthropicChat(LLMBackend):
    """Anthropic's Claude models."""

    name = "anthropic"
    description = "Anthropic Claude (Messages API)"
    requires = ("anthropic",)
    api_key_env = "ANTHROPIC_API_KEY"
    base_url_env = "ANTHROPIC_BASE_URL"
    default_model = "claude-sonnet-4-5"
    license = "MIT"  # the client; the model's terms are Anthropic's
    weights_license = "Claude via Anthropic's API under its commercial terms"

    def send(self, request: ChatRequest) -> ChatAnswer:
        """One message, answered by a forced tool call."""
        self.require()
        import anthropic

        client = anthropic.Anthropic(
            api_key=self.require_key(),
            base_url=self.base_url,
            timeout=self.options.timeout,
            max_retries=0,
        )
        messages: list[Any] = [{"role": r, "content": t} for r, t in request.messages]
        try:
            message = client.messages.create(
                model=self.model,
                max_tokens=request.max_tokens,
                system=request.system,
                messages=messages,
                tools=[
                    {
                        "name": request.schema_name,
                        "description": "Give the answer.",
                        "input_schema": request.schema,
                    }
                ],
                tool_choice={"type": "tool", "name": request.schema_name},
                # Newer Claude models fix their own sampling: send a temperature only when
                # the user set one.
                extra_body=(
                    {"temperature": self.options.temperature}
                    if "temperature" in self.options.model_fields_set
                    else None
                ),
            )
        except anthropic.APIStatusError as exc:
            raise ProviderError(
                exc.status_code,
                provider_message(exc.body, exc.message),
                retry_after_seconds(exc.response.headers),
            ) from None
        except anthropic.APIConnectionError as exc:
            raise ProviderError(None, str(exc) or type(exc).__name__) from None
        if message.stop_reason == "refusal":
            raise Refusal("stop_reason: refusal")
        if message.stop_reason == "max_tokens":
            raise self.out_of_room(request)
        text = ""
        for block in message.content:
            if block.type == "tool_use":
                text = json.dumps(block.input, ensure_ascii=False)
                break
            if block.type == "text":
                text = text or block.text
        return ChatAnswer(text, message.usage.input_tokens, message.usage.output_tokens)
