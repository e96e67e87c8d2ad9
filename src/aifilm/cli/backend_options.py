"""The backend-choice options that `render` and `validate` share, declared once."""

from __future__ import annotations

from typing import Any

import typer

VOICE: Any = typer.Option(None, "--voice", help="Voice backend name.")
MUSIC: Any = typer.Option(None, "--music", help="Music backend name.")
VISUALS: Any = typer.Option(None, "--visuals", help="Visuals backend name.")
COMPOSE: Any = typer.Option(None, "--compose", help="Compose backend name.")
LIPSYNC: Any = typer.Option(
    None, "--lipsync", help="Lip-sync backend for talking characters (visemes, wav2lip, sadtalker)."
)
TRANSLATE: Any = typer.Option(
    None,
    "--translate",
    help="Translate backend for subtitle languages (spec, google-translate, deepl).",
)
