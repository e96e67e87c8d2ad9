"""Turn an unexpected exception inside a stage into a `StageError` naming where it happened.

Shared by the stages and the piece runners (`aifilm.pipeline.fanout`), so an error names
its shot whichever thread, process or machine made the piece.
"""

from __future__ import annotations

from aifilm.errors import AifilmError, StageError


class blame:
    """`with blame("visuals", shot="2", source="project.yaml:9"): ...`"""

    def __init__(self, stage: str, *, shot: str | None = None, source: str | None = None):
        self.stage = stage
        self.shot = shot
        self.source = source

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if exc is None or not isinstance(exc, Exception):
            return
        if isinstance(exc, AifilmError):
            # Say where a backend's complaint comes from, once.
            where = self.source or self.shot
            if where and not getattr(exc, "located", False) and not isinstance(exc, StageError):
                exc.message = f"{where}: {exc.message}"
                exc.args = (exc.message,)
                exc.located = True  # type: ignore[attr-defined]
            return
        where = f" ({self.source})" if self.source else ""
        raise StageError(
            f"{type(exc).__name__}: {exc}{where}", stage=self.stage, shot=self.shot
        ) from exc
