"""`aifilm voices`: the voices a backend offers, by language and age preset."""

from __future__ import annotations

import typer
from rich.table import Table

from aifilm.cli.console import emit_json, escape, out
from aifilm.errors import UserError
from aifilm.pipeline.registry import registry
from aifilm.pipeline.voice.base import VoiceBackend
from aifilm.spec.vocabulary import LANGUAGE_CODES, VOICE_PRESETS, choice_error, language


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("voices")
    def voices_command(
        lang: str | None = typer.Option(
            None, "--language", "-l", help="Only this language (e.g. hi)."
        ),
        backend: str | None = typer.Option(
            None,
            "--backend",
            "-b",
            help="Voice backend (default: kokoro, with espeak where Kokoro lacks the language).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON lines."),
    ) -> None:
        """List voices: age presets per language, and the backend's own voice ids."""
        if lang is not None and lang not in LANGUAGE_CODES:
            raise UserError(choice_error("language", lang, LANGUAGE_CODES))
        voice = registry.create("voice", backend)
        assert isinstance(voice, VoiceBackend)
        voices = voice.voices(lang)
        if as_json:
            for v in voices:
                emit_json(
                    {
                        "id": v.id,
                        "language": v.language,
                        "preset": v.preset,
                        "description": v.description,
                    }
                )
            return
        table = Table(
            title=f"voices of '{escape(voice.name)}'"
            + (f" in {language(lang).name}" if lang else "")
        )
        for col in ("id", "language", "preset", "description"):
            table.add_column(col)
        for v in voices:
            table.add_row(
                *map(
                    escape,
                    (
                        v.id,
                        v.language,
                        v.preset or "",
                        v.description or VOICE_PRESETS.get(v.preset or "", ""),
                    ),
                )
            )
        out.print(table)
