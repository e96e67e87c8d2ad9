"""The one exception tree of aifilm, and the exit codes the CLI gives for it.

User errors are things the person running aifilm can fix (a bad spec, a missing
file, a missing optional dependency); internal errors are bugs or broken tools.
The CLI shows every error as a short panel (or a JSON object with ``--json``) and
exits with the code in `EXIT_CODES`, never with a traceback::

    AifilmError
    ├── UserError                      (exit code 3)
    │   ├── SpecError                  a project or script file is invalid; carries .issues
    │   ├── AssetError                 an image/audio file is missing, unreadable or unsupported
    │   ├── SettingsError              an AIFILM_* variable or config.toml holds a bad value
    │   ├── UnknownBackendError        no backend of that name is registered for a stage
    │   ├── UnsupportedError           a backend cannot do what was asked (language, genre)
    │   │   └── TranslationUnavailable some texts could not be translated [translate.base]
    │   ├── MissingDependencyError     an optional extra, program or model is missing (exit 4)
    │   │   └── ModelNotFoundError     model weights are not on this machine [models.hub]
    │   ├── CheckpointError            a checkpoint is not the model it should be [models]
    │   ├── FilmTooLongError           a script plans longer than a film may run [plan.length]
    │   ├── MalformedAnswerError       a language model's answer was not the asked JSON [direct.llm]
    │   ├── ServerUnreachableError     a server is down or does not answer (exit 7)
    │   ├── RemoteError                an aifilm server refused a request [client]
    │   ├── MetadataError              a title, tag or file YouTube would refuse [youtube]
    │   ├── YouTubeRequestError        YouTube refused a request [youtube]
    │   ├── CredentialsError           YouTube credentials missing or refused (6) [youtube]
    │   └── QuotaError                 the day's YouTube quota is spent (5) [youtube]
    └── InternalError                  (exit code 1)
        ├── StageError                 a stage failed; carries .stage, .shot and .path
        ├── ToolError                  an external program (FFmpeg) failed; carries .log
        └── YouTubeServiceError        YouTube kept failing past the retries [youtube]

In brackets: the module defining a class outside this one (under aifilm.pipeline,
aifilm.models, aifilm.publish.youtube.errors). RemoteError's exit code follows the
HTTP status: 401 gives 6, 402 gives 5, 5xx gives 1, others 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# One meaning per code, for every command (the table in docs/cli.md is checked against this).
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_USER = 3
EXIT_MISSING_DEPENDENCY = 4
EXIT_QUOTA = 5
EXIT_CREDENTIALS = 6
EXIT_UNREACHABLE = 7
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_INTERNAL: "internal error: a bug, a broken tool, or a service that kept failing "
    "(the message says which stage and shot)",
    EXIT_USAGE: "wrong command-line usage: an unknown option, a missing argument, "
    "a value of the wrong type",
    EXIT_USER: "a problem you can fix: an invalid spec (all issues listed), a missing or "
    "unreadable file, a bad setting, an unknown backend, a request a server refused",
    EXIT_MISSING_DEPENDENCY: "a missing dependency: an optional extra, a program or model "
    "weights; `aifilm doctor` exits 4 when a check fails",
    EXIT_QUOTA: "out of quota or credits: YouTube's daily quota, or your credits on the server",
    EXIT_CREDENTIALS: "not signed in, or the credentials were refused (aifilm server or YouTube)",
    EXIT_UNREACHABLE: "a server could not be reached: it is down, refused the connection, "
    "or did not answer in time",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); finished pieces are cached, "
    "so the same command resumes",
}


class AifilmError(Exception):
    """Base of every error aifilm raises on purpose."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UserError(AifilmError):
    """Something the user can fix: the message says what and how."""

    exit_code = EXIT_USER


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a spec or script file, with its position (1-based)."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SpecError(UserError):
    """A project or script file is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[SpecIssue], *, hint: str | None = None) -> None:
        self.issues = list(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in the project"
        super().__init__(head + ":\n" + "\n".join(f"  {i}" for i in self.issues), hint=hint)


class AssetError(UserError):
    """A referenced media file is missing, unreadable or of an unsupported kind."""

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.path = Path(path) if path is not None else None


class UnknownBackendError(UserError):
    """No backend with that name is registered for the stage."""


class UnsupportedError(UserError):
    """The backend cannot do what was asked (a language, a genre, a size)."""


class MissingDependencyError(UserError):
    """An optional Python extra or an external program is not installed."""

    exit_code = EXIT_MISSING_DEPENDENCY


class SettingsError(UserError):
    """A machine setting is invalid: names the variable or config file, the value and the fix."""


class ServerUnreachableError(UserError):
    """A server could not be reached: nothing answered, or not in time."""

    exit_code = EXIT_UNREACHABLE

    def __init__(self, message: str, *, url: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.url = url


class InternalError(AifilmError):
    """A failure that is not the user's to fix: a bug or a broken tool."""


class StageError(InternalError):
    """A pipeline stage failed; says which stage, shot and file were involved."""

    def __init__(
        self,
        message: str,
        *,
        stage: str,
        shot: str | None = None,
        path: Path | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"[{stage}" + (f" {shot}" if shot else "") + "] "
        super().__init__(where + message, hint=hint)
        self.stage = stage
        self.shot = shot
        self.path = path


class ToolError(InternalError):
    """An external program failed; ``log`` keeps the tail of what it printed."""

    def __init__(self, message: str, *, command: list[str], log: str = "") -> None:
        tail = "\n".join(log.strip().splitlines()[-15:])
        super().__init__(message + (f"\n--- last output ---\n{tail}" if tail else ""))
        self.command = command
        self.log = log
