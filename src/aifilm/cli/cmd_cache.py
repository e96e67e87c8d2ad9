"""`aifilm cache info|prune|clear`: see and shrink the render cache."""

from __future__ import annotations

from collections import Counter

import typer
from pydantic import ByteSize, TypeAdapter, ValidationError
from rich.table import Table

from aifilm.cli.console import emit_json, escape, out
from aifilm.errors import UserError
from aifilm.pipeline.cache import Cache
from aifilm.settings import Settings

cache_app = typer.Typer(
    name="cache",
    help="The render cache: its size, and pruning it (it is capped by AIFILM_CACHE_MAX_SIZE).",
    no_args_is_help=True,
)
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


def human(size: int) -> str:
    """Bytes as a short decimal size: 61.7 MB."""
    return ByteSize(size).human_readable(decimal=True)


def _cache() -> tuple[Cache, Settings]:
    settings = Settings()
    return Cache(settings.cache_dir), settings


@cache_app.command("info")
def info_command(as_json: bool = AS_JSON) -> None:
    """Where the cache is, how big it is, its cap, and what each stage keeps."""
    cache, settings = _cache()
    entries = cache.entries()
    count: Counter[str] = Counter()
    size: Counter[str] = Counter()
    for entry in entries:
        count[entry.stage] += 1
        size[entry.stage] += entry.size
    total = cache.size_bytes() if cache.root.exists() else 0
    cap = int(settings.cache_max_size)
    if as_json:
        emit_json(
            {
                "dir": str(cache.root),
                "bytes": total,
                "entries": len(entries),
                "max_bytes": cap,
                "stages": {s: {"entries": count[s], "bytes": size[s]} for s in sorted(count)},
            }
        )
        return
    table = Table(title=f"cache: {escape(str(cache.root))}", title_justify="left")
    for col in ("stage", "entries", "size"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for stage in sorted(count):
        table.add_row(escape(stage), str(count[stage]), human(size[stage]))
    out.print(table)
    limit = human(cap) if cap else "no cap"
    out.print(f"{human(total)} in {len(entries)} entries; cap {limit} (AIFILM_CACHE_MAX_SIZE)")


@cache_app.command("prune")
def prune_command(
    max_size: str | None = typer.Option(
        None, "--max-size", help="Prune to this size, e.g. 1GB (default: the cap in settings)."
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Remove the least recently used entries until the cache fits its cap."""
    cache, settings = _cache()
    cap = int(settings.cache_max_size) if max_size is None else _parse_size(max_size)
    done = cache.prune(cap)
    if as_json:
        emit_json({"event": "pruned", "max_bytes": cap, **vars(done)})
        return
    out.print(
        f"removed {done.removed} entries ({human(done.freed_bytes)}); "
        f"{done.kept} left ({human(done.kept_bytes)} of {human(cap)})"
    )


@cache_app.command("clear")
def clear_command(as_json: bool = AS_JSON) -> None:
    """Remove everything in the cache (the next render makes every piece again)."""
    cache, _ = _cache()
    freed = cache.clear()
    if as_json:
        emit_json({"event": "cleared", "dir": str(cache.root), "freed_bytes": freed})
        return
    out.print(f"removed {escape(str(cache.root))} ({human(freed)})")


def _parse_size(text: str) -> int:
    try:
        return int(TypeAdapter(ByteSize).validate_python(text))
    except ValidationError:
        raise UserError(
            f"--max-size '{text}' is not a size", hint="write it like 500MB, 2GB or 2GiB"
        ) from None


def register(app: typer.Typer) -> None:
    """Add the `cache` group to the app."""
    app.add_typer(cache_app)
