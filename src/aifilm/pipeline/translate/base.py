"""The translate stage's interface: lines of text in one language, the same lines in another.

Subtitles in a language other than the one a line is spoken in need that line's
translation. Translations written in the project file always win; a translate
backend is asked only for the lines without one. The default backend, `spec`,
translates nothing: it reports the lines that lack a translation.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from aifilm.errors import UnsupportedError
from aifilm.pipeline.backend import Backend


class TranslationUnavailable(UnsupportedError):
    """A backend could not translate some of the texts it was given (`.missing`: indices)."""

    def __init__(self, message: str, missing: Sequence[int], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.missing = list(missing)


class TranslateBackend(Backend):
    """Base of translation backends."""

    stage: ClassVar[str] = "translate"

    @abstractmethod
    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """`texts` (in the language `source`) translated into `target`, one for one, in order.

        Language codes are aifilm's (`spec.vocabulary.LANGUAGE_CODES`). Raise
        `TranslationUnavailable` naming the texts that cannot be translated, or
        `UnsupportedError` for a language pair the service lacks.
        """
