"""The one exception tree of aifilm.

User errors are things the person running aifilm can fix (a bad spec, a missing
file, a missing optional dependency); internal errors are bugs or broken tools.
The CLI shows a ``UserError`` as a short panel and exits non-zero, never a
traceback::

    AifilmError
    ├── UserError                  (exit code 3)
    │   ├── SpecError              a project or script file is invalid; carries .issues
    │   ├── AssetError             an image/audio file is missing, unreadable or unsupported
    │   ├── UnknownBackendError    no backend of that name is registered for a stage
    │   ├── UnsupportedError       a backend cannot do what was asked (language, genre, ...)
    │   └── MissingDependencyError an optional extra or external tool is not installed (exit 4)
    └── InternalError              (exit code 1)
        ├── StageError             a stage failed; carries .stage, .shot and .path
        └── ToolError              an external program (FFmpeg) failed; carries .command and .log
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AifilmError(Exception):
    """Base of every error aifilm raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UserError(AifilmError):
    """Something the user can fix: the message says what and how."""

    exit_code = 3


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

    exit_code = 4


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
