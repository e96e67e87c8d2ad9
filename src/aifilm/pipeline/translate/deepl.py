"""DeepL as a translate backend.

``POST /v2/translate`` with ``{"text": [...], "source_lang", "target_lang"}``
and ``Authorization: DeepL-Auth-Key <key>``; the answer is ``{"translations":
[{"detected_source_language", "text"}, ...]}`` in request order. Up to 50 texts
go in one request. Free-plan keys (ending in ``:fx``) use api-free.deepl.com,
others api.deepl.com. Set ``DEEPL_API_KEY``; ``AIFILM_DEEPL_API_BASE`` moves the
address. A 456 answer means the character quota is used up.
"""

from __future__ import annotations

import os
from typing import Literal

import httpx
from pydantic import Field

from aifilm.errors import UserError
from aifilm.pipeline.translate.api import ApiTranslateBackend, ApiTranslateOptions
from aifilm.pipeline.web_api import Failure, default_failure, json_body


class DeepLTranslate(ApiTranslateBackend):
    """DeepL API (Free or Pro, chosen by the key)."""

    name = "deepl"
    description = "DeepL API (needs DEEPL_API_KEY; free keys end in ':fx')"
    provider = "DeepL"
    api_key_env = "DEEPL_API_KEY"
    base_env = "AIFILM_DEEPL_API_BASE"
    default_base = "https://api.deepl.com"
    free_base = "https://api-free.deepl.com"
    key_help = "Find the key under 'API Keys' in your DeepL account."
    weights_license = "DeepL API service under DeepL's terms (Free: no commercial guarantees)"
    max_batch_texts = 50
    max_batch_chars = 30000

    class Options(ApiTranslateOptions):
        """Connection options, target variants and formality."""

        english: Literal["EN-US", "EN-GB"] = Field("EN-US", description="English to write.")
        portuguese: Literal["PT-BR", "PT-PT"] = Field("PT-BR", description="Portuguese to write.")
        formality: Literal["default", "prefer_more", "prefer_less"] = Field(
            "default", description="Formal or informal address, where the language has it."
        )

    options: Options

    def base_url(self) -> str:
        """The environment's or the option's address, else Free or Pro by the key's ':fx'."""
        base = os.environ.get(self.base_env) or self.options.api_base
        if not base:
            base = self.free_base if self.api_key().endswith(":fx") else self.default_base
        return base.rstrip("/")

    def _target(self, code: str) -> str:
        return {"en": self.options.english, "pt": self.options.portuguese}.get(code, code.upper())

    def translate_batch(self, texts: list[str], source: str, target: str, key: str) -> list[str]:
        """One POST of up to 50 texts."""
        body: dict[str, object] = {
            "text": texts,
            "source_lang": source.upper(),
            "target_lang": self._target(target),
        }
        if self.options.formality != "default":
            body["formality"] = self.options.formality
        response = self.post(
            "/v2/translate",
            json=body,
            key=key,
            headers={"Authorization": f"DeepL-Auth-Key {key}"},
        )
        data = json_body(response)
        try:
            return [str(t["text"]) for t in data["translations"]]
        except (KeyError, TypeError) as exc:
            raise UserError(
                f"DeepL answered without translations[].text ({type(exc).__name__}: {exc})",
                hint="check the service address (AIFILM_DEEPL_API_BASE, api_base)",
            ) from None

    def classify(self, response: httpx.Response) -> Failure:
        """DeepL: 403 bad key, 456 quota used up, 429 too many requests; body {"message"}."""
        body = json_body(response)
        message = None
        if isinstance(body, dict):
            message = str(body.get("message") or body.get("detail") or "") or None
        status = response.status_code
        if status == 403:
            return Failure("auth", message or "Authorization failure")
        if status == 456:
            return Failure("quota", message or "Quota exceeded")
        return default_failure(response, message)
