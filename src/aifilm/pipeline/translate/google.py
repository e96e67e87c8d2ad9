"""Google Cloud Translation (Basic, v2 REST) as a translate backend.

``POST /language/translate/v2`` with ``{"q": [...], "source", "target",
"format": "text"}`` and the key in the ``X-Goog-Api-Key`` header; the answer is
``{"data": {"translations": [{"translatedText": ...}, ...]}}`` in request order.
Up to 128 texts go in one request. Set ``GOOGLE_TRANSLATE_API_KEY``;
``AIFILM_GOOGLE_TRANSLATE_API_BASE`` moves the address (a proxy, a test server).
"""

from __future__ import annotations

from typing import Literal

import httpx
from pydantic import Field

from aifilm.errors import UserError
from aifilm.pipeline.translate.api import ApiTranslateBackend, ApiTranslateOptions
from aifilm.pipeline.web_api import Failure, default_failure, json_body

# aifilm's codes where Google's differ.
_GOOGLE_CODES = {"zh": "zh-CN"}


class GoogleTranslate(ApiTranslateBackend):
    """Google Cloud Translation API, Basic edition (v2)."""

    name = "google-translate"
    description = "Google Cloud Translation v2 (needs GOOGLE_TRANSLATE_API_KEY)"
    provider = "Google Cloud Translation"
    api_key_env = "GOOGLE_TRANSLATE_API_KEY"
    base_env = "AIFILM_GOOGLE_TRANSLATE_API_BASE"
    default_base = "https://translation.googleapis.com"
    key_help = "Create a key for the Cloud Translation API in the Google Cloud console."
    license = "MIT"
    weights_license = "Google Cloud Translation service under the Google Cloud Terms of Service"
    commercial_use = True
    max_batch_texts = 128
    max_batch_chars = 5000

    class Options(ApiTranslateOptions):
        """Connection options and the translation model."""

        model: Literal["nmt", "base"] | None = Field(
            None, description="Google's model: 'nmt' (neural) or 'base'; default: Google's."
        )

    options: Options

    def translate_batch(self, texts: list[str], source: str, target: str, key: str) -> list[str]:
        """One POST of up to 128 texts."""
        body: dict[str, object] = {
            "q": texts,
            "source": _GOOGLE_CODES.get(source, source),
            "target": _GOOGLE_CODES.get(target, target),
            "format": "text",
        }
        if self.options.model:
            body["model"] = self.options.model
        response = self.post(
            "/language/translate/v2", json=body, key=key, headers={"X-Goog-Api-Key": key}
        )
        data = json_body(response)
        try:
            return [str(t["translatedText"]) for t in data["data"]["translations"]]
        except (KeyError, TypeError) as exc:
            raise UserError(
                f"{self.provider} answered without data.translations[].translatedText "
                f"({type(exc).__name__}: {exc})",
                hint="check the service address (AIFILM_GOOGLE_TRANSLATE_API_BASE, api_base)",
            ) from None

    def classify(self, response: httpx.Response) -> Failure:
        """Read Google's ``{"error": {"code", "message", "status", "details"}}`` body."""
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return default_failure(response)
        message = str(error.get("message") or error.get("status") or "")
        reasons = {
            str(d.get("reason"))
            for d in error.get("details") or []
            if isinstance(d, dict) and d.get("reason")
        }
        reasons |= {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
        if reasons & {"API_KEY_INVALID", "API_KEY_EXPIRED", "keyInvalid"}:
            return Failure("auth", message)
        if response.status_code == 429 and "per day" in message.lower():
            return Failure("quota", message)
        if reasons & {"BILLING_DISABLED", "dailyLimitExceeded"}:
            return Failure("quota", message)
        return default_failure(response, message or None)
