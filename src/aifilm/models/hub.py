"""Find a model on disk: a local folder, or a hub id in the Hugging Face cache.

A model is named by a hub id (``stabilityai/stable-diffusion-xl-base-1.0``) or a path to
a folder saved with ``save_pretrained``. Lookup reads the Hugging Face cache layout
directly (``models--ORG--NAME/refs`` and ``snapshots``), so listing and checking models
needs neither network nor ``huggingface_hub``. Nothing downloads unless allowed: `pull_model`
(``aifilm models pull NAME``) fetches on purpose, and ``AIFILM_ALLOW_DOWNLOADS=1`` lets a
render fetch what it lacks. Otherwise a missing model raises `ModelNotFoundError` naming the
missing file or folder and the command that fetches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Literal

from aifilm.errors import MissingDependencyError, UserError
from aifilm.models.catalog import model_info

Layout = Literal["diffusers", "transformers"]
ALLOW_ENV = "AIFILM_ALLOW_DOWNLOADS"
_WEIGHTS = ("*.safetensors", "*.bin", "*.safetensors.index.json", "*.bin.index.json")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_INSTALL = "pip install 'aifilm[ai]'"


class ModelNotFoundError(MissingDependencyError):
    """A model's weights are not on this machine (or are incomplete); the hint says how to
    fetch them."""


def downloads_allowed() -> bool:
    """True if ``AIFILM_ALLOW_DOWNLOADS`` is set to 1/true/yes: renders may fetch models."""
    return os.environ.get(ALLOW_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache: ``HF_HUB_CACHE``, else ``HF_HOME/hub``, else the default."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def is_local(name: str | Path) -> bool:
    """True if `name` means a folder rather than a hub id ('org/name' with one slash)."""
    if isinstance(name, Path):
        return True
    text = str(name)
    if Path(text).expanduser().exists():
        return True
    return text.startswith(("/", ".", "~")) or "\\" in text or text.count("/") != 1


def repo_folder(repo_id: str, cache_dir: Path | None = None) -> Path:
    """Where the HF cache keeps a repo: ``<cache>/models--ORG--NAME``."""
    return (cache_dir or hf_cache_dir()) / ("models--" + repo_id.replace("/", "--"))


def cached_snapshot(
    repo_id: str, revision: str | None = None, cache_dir: Path | None = None
) -> Path | None:
    """The snapshot folder of `repo_id` at `revision` (a branch, tag or commit) in the cache."""
    folder = repo_folder(repo_id, cache_dir)
    if revision and _COMMIT.fullmatch(revision):
        snap = folder / "snapshots" / revision
        return snap if snap.is_dir() else None
    ref = folder / "refs" / (revision or "main")
    if ref.is_file():
        snap = folder / "snapshots" / ref.read_text().strip()
        return snap if snap.is_dir() else None
    if revision is None:  # fetched by commit only: take the newest snapshot
        snaps = sorted((folder / "snapshots").glob("*"), key=lambda p: p.stat().st_mtime)
        return snaps[-1] if snaps else None
    return None


def _has_weights(folder: Path) -> bool:
    return any(next(folder.glob(pattern), None) is not None for pattern in _WEIGHTS)


def detect_layout(folder: Path) -> Layout:
    """'diffusers' for a pipeline folder (model_index.json), else 'transformers'."""
    return "diffusers" if (folder / "model_index.json").is_file() else "transformers"


def missing_files(folder: Path, layout: Layout) -> list[str]:
    """What a model folder lacks to load, as paths relative to it ('unet/', 'config.json')."""
    if not folder.is_dir():
        return ["./"]
    if layout == "transformers":
        missing = [] if (folder / "config.json").is_file() else ["config.json"]
        if not _has_weights(folder):
            missing.append("model.safetensors")
        return missing
    index = folder / "model_index.json"
    if not index.is_file():
        return ["model_index.json"]
    try:
        components = json.loads(index.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return ["model_index.json (unreadable)"]
    missing = []
    for name, value in components.items():
        if name.startswith("_") or not isinstance(value, list) or value[0] is None:
            continue
        sub = folder / name
        if not sub.is_dir() or next(sub.iterdir(), None) is None:
            missing.append(f"{name}/")
        elif (sub / "config.json").is_file() and not _has_weights(sub):
            missing.append(f"{name}/ weights (*.safetensors)")
    return missing


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder` (following the HF cache's symlinks to blobs)."""
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total


def model_fingerprint(folder: Path) -> str:
    """What identifies a model's content, cheaply: its commit for an HF cache snapshot; else a
    hash of the config files' content and the weight files' names, sizes and times."""
    folder = Path(folder)
    if folder.parent.name == "snapshots" and _COMMIT.fullmatch(folder.name):
        return f"hf:{folder.parent.parent.name.removeprefix('models--')}@{folder.name}"
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        digest.update(rel.encode())
        if path.suffix in (".json", ".txt") and path.stat().st_size < 1 << 20:
            digest.update(path.read_bytes())
        else:
            stat = path.stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return "sha256:" + digest.hexdigest()[:24]


def _pull_hint(name: str) -> str:
    info = model_info(name)
    size = f" (about {info.size_gb:g} GB)" if info else ""
    gated = (
        f"; accept its terms at https://huggingface.co/{name} and log in (hf auth login) first"
        if info and info.gated
        else ""
    )
    return (
        f"run: aifilm models pull {name}{size}, or set {ALLOW_ENV}=1 to let renders fetch "
        f"models{gated}"
    )


def resolve_model(
    name: str | Path,
    *,
    layout: Layout,
    revision: str | None = None,
    cache_dir: Path | None = None,
    allow_download: bool | None = None,
) -> Path:
    """The folder of a model ready to load, or `ModelNotFoundError` saying what is missing.

    `name` is a local folder or a hub id; a hub id is looked up in the HF cache and, only
    when `allow_download` (default: ``AIFILM_ALLOW_DOWNLOADS``), fetched with `pull_model`.
    """
    if is_local(name):
        folder = Path(name).expanduser()
        if not folder.is_dir():
            raise ModelNotFoundError(
                f"model folder {folder} does not exist",
                hint="give a folder saved with save_pretrained(), or a hub id such as "
                "stabilityai/stable-diffusion-xl-base-1.0",
            )
        missing = missing_files(folder, layout)
        if missing:
            raise ModelNotFoundError(
                f"model folder {folder} is incomplete: missing {', '.join(missing)}",
                hint="save the whole pipeline there with save_pretrained(folder), "
                "or copy the missing parts from the model's hub repository",
            )
        return folder
    repo_id = str(name)
    snapshot = cached_snapshot(repo_id, revision, cache_dir)
    missing = missing_files(snapshot, layout) if snapshot else []
    if snapshot is not None and not missing:
        return snapshot
    if allow_download is None:
        allow_download = downloads_allowed()
    if allow_download:
        folder = pull_model(repo_id, revision=revision, layout=layout, cache_dir=cache_dir)
        still = missing_files(folder, layout)
        if still:
            raise ModelNotFoundError(
                f"model {repo_id} was downloaded but is missing {', '.join(still)}",
                hint=f"check that {repo_id} is a {layout} checkpoint of the right kind",
            )
        return folder
    at = f"@{revision}" if revision else ""
    if snapshot is None:
        raise ModelNotFoundError(
            f"model {repo_id}{at} is not downloaded: no snapshot in the Hugging Face cache "
            f"({repo_folder(repo_id, cache_dir)})",
            hint=_pull_hint(repo_id),
        )
    raise ModelNotFoundError(
        f"model {repo_id}{at} is incomplete in the Hugging Face cache ({snapshot}): "
        f"missing {', '.join(missing)}",
        hint=_pull_hint(repo_id),
    )


def _patterns(layout: Layout, variant: str | None) -> tuple[list[str], list[str]]:
    if layout == "transformers":
        return ["*.json", "*.safetensors", "*.model", "*.txt"], []
    weights = f"*/*.{variant}.safetensors" if variant else "*/*.safetensors"
    ignore = [] if variant else ["*.fp16.safetensors"]
    return ["model_index.json", "*/*.json", "*/*.txt", "*/*.model", weights], ignore


def pull_model(
    name: str,
    *,
    revision: str | None = None,
    layout: Layout | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Download a hub model into the HF cache (only what loading needs) and return its folder.

    Safetensors weights only, and for pipelines only the component folders (no single-file
    checkpoints); a catalog model with an fp16 variant fetches just that variant; one
    published as loose files (Wav2Lip, SadTalker) fetches exactly the catalog's files.
    """
    try:
        import huggingface_hub
    except ImportError:
        raise MissingDependencyError(
            "downloading models needs huggingface_hub", hint=_INSTALL
        ) from None
    info = model_info(name)
    if layout is None:
        if info is not None:
            layout = "transformers" if info.backend == "musicgen" else "diffusers"
        else:
            layout = _remote_layout(name, revision)
    allow, ignore = _patterns(layout, info.variant if info else None)
    if info is not None and info.files:  # loose checkpoint files: exactly those
        allow, ignore = list(info.files), []
    try:
        path = huggingface_hub.snapshot_download(
            name,
            revision=revision,
            cache_dir=str(cache_dir) if cache_dir else None,
            allow_patterns=allow,
            ignore_patterns=ignore or None,
        )
    except Exception as exc:  # offline, gated, not found: huggingface_hub raises many kinds
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"could not download model {name}: {reason}",
            hint="check the name and the network; gated models need their terms accepted on "
            "huggingface.co and a token (hf auth login or HF_TOKEN)",
        ) from None
    return Path(path)


def _remote_layout(name: str, revision: str | None) -> Layout:
    import huggingface_hub

    try:
        found = huggingface_hub.file_exists(name, "model_index.json", revision=revision)
    except Exception:
        found = False
    return "diffusers" if found else "transformers"
