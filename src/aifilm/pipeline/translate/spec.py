"""The default translate backend: translations come from the project file, or not at all."""

from __future__ import annotations

from aifilm.pipeline.translate.base import TranslateBackend, TranslationUnavailable


class SpecTranslations(TranslateBackend):
    """Uses only the translations written in the project file; never guesses one.

    The stage asks it only for lines the spec leaves untranslated, so every text
    it is given is missing; the stage lists them with their `file:line`.
    """

    name = "spec"
    weights_license = "none: the project's own translations"
    description = "Translations written in the project file (translations: {en: ...})"

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Nothing to add to the spec: every text asked for is missing."""
        if not texts:
            return []
        raise TranslationUnavailable(
            f"{len(texts)} line(s) have no {target} translation in the project file",
            range(len(texts)),
        )
