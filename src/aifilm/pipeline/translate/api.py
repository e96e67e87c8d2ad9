"""What the translation API backends (Google Cloud Translation, DeepL) share.

Connection, retries, key handling and error messages come from
`aifilm.pipeline.web_api.WebApiBackend`; this module adds cutting the texts into
batches the service accepts (`max_batch_texts`, `max_batch_chars`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from aifilm.errors import UserError
from aifilm.pipeline.translate.base import TranslateBackend
from aifilm.pipeline.web_api import ConnectionOptions, WebApiBackend

ApiTranslateOptions = ConnectionOptions  # the options every translation API backend has


def batches(texts: list[str], max_texts: int, max_chars: int) -> Iterator[list[str]]:
    """`texts` in order, cut into runs of at most `max_texts` texts and about `max_chars`."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (len(batch) >= max_texts or size + len(text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


class ApiTranslateBackend(WebApiBackend, TranslateBackend):
    """Base of translate backends that call a web API."""

    max_batch_texts: ClassVar[int] = 50
    max_batch_chars: ClassVar[int] = 5000
    quota_hint: ClassVar[str] = (
        "raise the quota or wait for it to reset, or write the translations in the project "
        "file (translate backend 'spec')"
    )
    rejected_hint: ClassVar[str] = (
        "check output.subtitles.languages (the service may not offer a language) "
        "and the backend's options"
    )
    cached_what: ClassVar[str] = "finished translations"

    class Options(ConnectionOptions):
        """Connection options."""

    options: ConnectionOptions

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translate in batches the service accepts; one answer per text, in order."""
        if not texts:
            return []
        key = self.api_key()
        out: list[str] = []
        for batch in batches(texts, self.max_batch_texts, self.max_batch_chars):
            got = self.translate_batch(batch, source, target, key)
            if len(got) != len(batch):
                raise UserError(
                    f"{self.provider} answered {len(got)} translations for {len(batch)} texts",
                    hint="render again; if it persists, try another translate backend",
                )
            out.extend(got)
        return out

    def translate_batch(self, texts: list[str], source: str, target: str, key: str) -> list[str]:
        """One request's worth of texts; implemented by each backend."""
        raise NotImplementedError
