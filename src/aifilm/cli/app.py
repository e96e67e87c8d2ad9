"""The `aifilm` command: wires the command modules into one typer app."""

from __future__ import annotations

import os
import sys

import typer

from aifilm.cli import (
    cmd_billing,
    cmd_cache,
    cmd_crm,
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
    cmd_write,
    cmd_youtube,
)
from aifilm.cli.console import console, emit_json, show_error
from aifilm.errors import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    AifilmError,
    InternalError,
    UserError,
)

app = typer.Typer(
    name="aifilm",
    help="Turn a script into a finished film: narration, dialogue, music, subtitles, motion.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (
    cmd_init,
    cmd_write,
    cmd_render,
    cmd_plan,
    cmd_validate,
    cmd_schema,
    cmd_voices,
    cmd_music,
    cmd_models,
    cmd_doctor,
    cmd_cache,
    cmd_remote,
    cmd_billing,
    cmd_crm,
    cmd_serve,
    cmd_publish,
    cmd_youtube,
):
    module.register(app)

# Commands that report bad settings themselves instead of stopping on them.
_SHOWS_BAD_SETTINGS = {"doctor"}


def _print_version(value: bool) -> None:
    # An option callback runs while the options are parsed, before typer asks for a command.
    if value:
        from aifilm.about import version

        typer.echo(f"aifilm {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version (from the installed package) and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    argv = (ctx.obj or {}).get("argv", sys.argv[1:])
    asks_help = "--help" in argv or "-h" in argv
    if ctx.invoked_subcommand not in _SHOWS_BAD_SETTINGS and not asks_help:
        # A bad AIFILM_* variable or config.toml stops every command up front, the same way,
        # rather than deep inside whichever code reads the settings first. Help still shows.
        from aifilm.settings import Settings

        Settings()


def run(argv: list[str]) -> int:
    """Run the command line `argv`; print any error as a panel (or JSON); return the exit code.

    Nothing escapes as a traceback: aifilm errors show their message and fix, a file the
    system refused is a user error, and anything else is an internal error (set
    AIFILM_DEBUG=1 to see its traceback).
    """
    as_json = "--json" in argv
    try:
        code = app(args=argv, prog_name="aifilm", standalone_mode=False, obj={"argv": argv})
        return code if isinstance(code, int) else 0
    except AifilmError as error:
        return show_error(error, as_json=as_json)
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted[/]: finished pieces are cached; run the same command to resume"
        )
        return EXIT_INTERRUPTED
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:  # Ctrl-C or end of input at a prompt
        why = "" if _interactive() else ": a question got no answer (give it as an option)"
        console.print(f"\n[yellow]aborted[/]{why}", highlight=False)
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:  # usage errors: show them the standard way (exit 2)
        code = int(getattr(exc, "exit_code", EXIT_USAGE))
        if as_json:
            emit_json(
                {
                    "event": "error",
                    "error": "UsageError",
                    "message": exc.format_message(),
                    "hint": "see --help",
                    "exit_code": code,
                }
            )
            return code
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            console.print(exc.format_message(), markup=False, highlight=False)
        return code
    except OSError as exc:  # the system refused a file: not a bug, and the user can fix it
        return show_error(_os_error(exc), as_json=as_json)
    except Exception as exc:
        if os.environ.get("AIFILM_DEBUG"):
            raise
        bug = InternalError(
            f"{type(exc).__name__}: {exc}",
            hint="run again with AIFILM_DEBUG=1 to see the traceback, and report it",
        )
        return show_error(bug, as_json=as_json)


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):  # closed or replaced stdin
        return False


def _os_error(exc: OSError) -> UserError:
    where = f": {exc.filename}" if exc.filename else ""
    return UserError(
        f"{exc.strerror or exc}{where}",
        hint="check the path, its permissions and the free space on its disk",
    )


def main() -> None:
    """Entry point of the `aifilm` program."""
    sys.exit(run(sys.argv[1:]))
