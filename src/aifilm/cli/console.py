"""Shared printing for the CLI: the console, error panels, exit codes."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from aifilm.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISSING_DEPENDENCY,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_USER,
    AifilmError,
    SpecError,
    UserError,
)

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_MISSING_DEPENDENCY",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_USER",
    "console",
    "emit_json",
    "escape",
    "out",
    "show_error",
    "show_warning",
]

console = Console(stderr=True)
out = Console()


def emit_json(data: dict[str, Any]) -> None:
    """One JSON object per line on stdout (for CI)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def show_error(error: AifilmError, *, as_json: bool = False) -> int:
    """Print an error the way its kind deserves; return the exit code."""
    if as_json:
        payload: dict[str, Any] = {
            "event": "error",
            "error": type(error).__name__,
            "message": error.message,
            "hint": error.hint,
            "exit_code": error.exit_code,
        }
        if isinstance(error, SpecError):
            payload["issues"] = [
                {
                    "file": i.file,
                    "line": i.line,
                    "column": i.column,
                    "field": i.field,
                    "message": i.message,
                }
                for i in error.issues
            ]
        emit_json(payload)
        return error.exit_code
    user = isinstance(error, UserError)
    # User text may hold [brackets]: build plain Text, never parse it as markup.
    body = Text(error.message)
    if error.hint:
        body.append("\n\nfix: ", style="bold").append(error.hint)
    if not user:
        body.append(
            "\n\nThis looks like a bug or a broken tool; please report it with this message."
        )
    title = "Problem" if user else "Internal error"
    console.print(
        Panel(body, title=title, title_align="left", border_style="red" if user else "magenta")
    )
    return error.exit_code


def show_warning(stage: str, message: str) -> None:
    """A warning on the terminal, as it happens; its text is never read as rich markup."""
    console.print(
        f"[yellow]warning[/] ({escape(stage)}): {escape(message)}", highlight=False, soft_wrap=True
    )
