"""Give every spoken line of a timeline its text in each subtitle language.

A line needs a translation into each subtitle language other than the film's
own and its own. Translations written in the project file are used as they
are; the others are asked of the translate backend, one request per language
pair, each text cached by content (so editing one line retranslates one line).
Lines that still have none are listed with their `file:line`: as one error, or,
with `output.subtitles.missing: original`, as one warning per language (those
subtitles then show the spoken text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aifilm.errors import UserError
from aifilm.pipeline.cache import Cache, cache_key
from aifilm.pipeline.timeline import TimedLine
from aifilm.pipeline.translate.base import TranslateBackend, TranslationUnavailable

MAX_LISTED = 20  # lines named in one message; the rest are counted


@dataclass
class TranslationReport:
    """What translating did: how many texts came from the spec, the backend, or nowhere."""

    from_spec: int = 0
    translated: int = 0
    missing: dict[str, list[int]] = field(default_factory=dict)  # language -> line indices


def needed(lines: Sequence[TimedLine], film_language: str, languages: Sequence[str]) -> list[str]:
    """The languages some line needs a translation into."""
    return [
        target
        for target in languages
        if target != film_language and any(line.language != target for line in lines)
    ]


def translate_lines(
    lines: Sequence[TimedLine],
    *,
    film_language: str,
    languages: Sequence[str],
    backend: TranslateBackend,
    cache: Cache,
) -> TranslationReport:
    """Fill `line.translations` for every subtitle language; report what is still missing."""
    report = TranslationReport()
    for target in needed(lines, film_language, languages):
        by_source: dict[str, list[int]] = {}
        for i, line in enumerate(lines):
            if line.language == target:
                continue
            if line.translations.get(target, "").strip():
                report.from_spec += 1
            else:
                by_source.setdefault(line.language, []).append(i)
        for source, indices in by_source.items():
            texts = list(dict.fromkeys(lines[i].text for i in indices))
            done, failed = _translate(texts, source, target, backend, cache)
            report.translated += len(done)
            for i in indices:
                if lines[i].text in done:
                    lines[i].translations[target] = done[lines[i].text]
                elif lines[i].text in failed:
                    report.missing.setdefault(target, []).append(i)
    return report


def _translate(
    texts: list[str], source: str, target: str, backend: TranslateBackend, cache: Cache
) -> tuple[dict[str, str], set[str]]:
    """Translations of `texts` (cached ones first) and the texts the backend could not do."""
    identity = backend.identity()
    keys = {text: cache_key("translate", identity, source, target, text) for text in texts}
    todo = [text for text in texts if cache.lookup("translate", keys[text]) is None]
    fresh: dict[str, str] = {}
    failed: set[str] = set()
    if todo:
        try:
            answers = backend.translate(todo, source, target)
        except TranslationUnavailable as exc:
            # Some texts cannot be done: ask once more for the others alone.
            failed = {todo[i] for i in exc.missing if 0 <= i < len(todo)}
            todo = [text for text in todo if text not in failed]
            answers = backend.translate(todo, source, target) if todo else []
        fresh = dict(zip(todo, answers, strict=True))
    done: dict[str, str] = {}
    for text in texts:
        if text in failed:
            continue

        def make(folder: Path, text: str = text) -> dict[str, Any]:
            return {"text": fresh[text]}

        done[text] = str(cache.fetch("translate", keys[text], make).meta["text"])
    return done, failed


def describe_missing(
    lines: Sequence[TimedLine],
    missing: dict[str, list[int]],
    where: Callable[[int], str | None],
) -> list[str]:
    """One text per language: the lines without a translation into it, with `file:line`."""
    out = []
    for target, indices in missing.items():
        listed = []
        for i in indices[:MAX_LISTED]:
            line = lines[i]
            text = line.text if len(line.text) <= 50 else line.text[:49] + "…"
            who = f"{line.speaker}: " if line.speaker else ""
            listed.append(f"  {where(i) or '?'}: {who}{text}")
        more = len(indices) - MAX_LISTED
        if more > 0:
            listed.append(f"  ... and {more} more")
        count = f"{len(indices)} line{'s' if len(indices) != 1 else ''}"
        out.append(f"{count} without a {target} translation:\n" + "\n".join(listed))
    return out


def missing_error(messages: list[str], backend: str) -> UserError:
    """The error for lines left untranslated, with the three ways to fix it."""
    return UserError(
        "subtitles need translations that are missing:\n" + "\n".join(messages),
        hint="write them in the project file (a shot's 'translations: {en: ...}', a dialogue "
        "item's 'en: ...' under its line), choose a translate backend (backends: {translate: "
        "google-translate} or deepl), or set output.subtitles.missing: original to show the "
        f"spoken text instead (translate backend now: '{backend}')",
    )
