"""Chat models behind the OpenAI chat-completions API, through the official `openai` client.

The same wire format is spoken by Azure OpenAI, Ollama, vLLM, LM Studio, llama.cpp's
server, OpenRouter and Groq: set `base_url` (or OPENAI_BASE_URL) and the key. A local
server that needs no key gets a placeholder. The answer's shape is asked for as a JSON
Schema (`response_format`), or as a forced tool call for servers without it (`mode: tools`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aifilm.pipeline.llm.base import (
    ChatAnswer,
    ChatRequest,
    LLMBackend,
    ProviderError,
    Refusal,
    provider_message,
    retry_after_seconds,
)


class OpenAIChat(LLMBackend):
    """OpenAI chat completions, or any server speaking them (by `base_url`)."""

    name = "openai"
    description = "OpenAI-compatible chat (OpenAI, Azure, Ollama, vLLM, LM Studio, OpenRouter)"
    requires = ("openai",)
    api_key_env = "OPENAI_API_KEY"
    base_url_env = "OPENAI_BASE_URL"
    default_model = "gpt-4o-mini"
    license = "Apache-2.0"  # the client; the model's terms are the provider's
    weights_license = "the provider's models under its terms (OpenAI: outputs are yours to use)"

    class Options(LLMBackend.Options):
        """As every llm backend, and how to ask for JSON."""

        mode: Literal["json_schema", "tools"] = Field(
            "json_schema",
            description="json_schema: response_format; tools: a forced function call.",
        )

    options: Options

    def send(self, request: ChatRequest) -> ChatAnswer:
        """One chat completion."""
        self.require()
        import openai

        key = self.api_key()
        if not key:
            if not self.base_url:
                self.require_key()
            key = "not-needed"  # local servers (Ollama, vLLM) ignore it; the client wants one
        client = openai.OpenAI(
            api_key=key, base_url=self.base_url, timeout=self.options.timeout, max_retries=0
        )
        messages: list[Any] = [{"role": "system", "content": request.system}]
        messages += [{"role": role, "content": text} for role, text in request.messages]
        shape: dict[str, Any]
        if self.options.mode == "tools":
            shape = {
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": request.schema_name,
                            "description": "Give the answer.",
                            "parameters": request.schema,
                        },
                    }
                ],
                "tool_choice": {"type": "function", "function": {"name": request.schema_name}},
            }
        else:
            shape = {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": request.schema_name,
                        "schema": request.schema,
                        "strict": False,
                    },
                }
            }
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=self.options.temperature,
                max_completion_tokens=request.max_tokens,
                stream=False,
                **shape,
            )
        except openai.APIStatusError as exc:
            raise ProviderError(
                exc.status_code,
                provider_message(exc.body, exc.message),
                retry_after_seconds(exc.response.headers),
            ) from None
        except openai.APIConnectionError as exc:
            raise ProviderError(None, str(exc) or type(exc).__name__) from None
        if not response.choices:
            raise ProviderError(None, "the answer had no choices")
        choice = response.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise Refusal(str(message.refusal))
        if choice.finish_reason == "content_filter":
            raise Refusal("the provider's content filter stopped the answer")
        if choice.finish_reason == "length":
            raise self.out_of_room(request)
        text = message.content or ""
        if message.tool_calls:
            call = message.tool_calls[0]
            text = getattr(getattr(call, "function", None), "arguments", "") or ""
        usage = response.usage
        return ChatAnswer(
            text,
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
        )
