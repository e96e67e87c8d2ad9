"""The `aifilm` command: wires the command modules into one typer app."""

from __future__ import annotations

import sys

import typer

from aifilm.cli import (
    cmd_billing,
    cmd_doctor,
    cmd_init,
    cmd_models,
    cmd_music,
    cmd_plan,
    cmd_publish,
    cmd_remote,
    cmd_render,
    cmd_schema,
    cmd_serve,
    cmd_validate,
    cmd_voices,
    cmd_youtube,
)
from aifilm.cli.console import EXIT_INTERRUPTED, console, show_error
from aifilm.errors import AifilmError

app = typer.Typer(
    name="aifilm",
    help="Turn a script into a finished film: narration, dialogue, music, subtitles, motion.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (
    cmd_init,
    cmd_render,
    cmd_plan,
    cmd_validate,
    cmd_schema,
    cmd_voices,
    cmd_music,
    cmd_models,
    cmd_doctor,
    cmd_remote,
    cmd_billing,
    cmd_serve,
    cmd_publish,
    cmd_youtube,
):
    module.register(app)


def _print_version(value: bool) -> None:
    # An option callback runs while the options are parsed, before typer asks for a command.
    if value:
        from aifilm.about import version

        typer.echo(f"aifilm {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version (from the installed package) and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    pass


def main() -> None:
    """Entry point: run the app, turning aifilm errors into panels and exit codes."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except AifilmError as error:
        sys.exit(show_error(error, as_json="--json" in sys.argv))
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted[/]: finished pieces are cached; run the same command to resume"
        )
        sys.exit(EXIT_INTERRUPTED)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: show them the standard way (exit 2)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            console.print(str(exc))
        sys.exit(int(getattr(exc, "exit_code", 2)))
