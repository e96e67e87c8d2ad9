"""Single-file checkpoints (``wav2lip_gan.pth``, ``SadTalker_V0.0.2_256.safetensors``).

Some models are published as loose weight files rather than pipeline folders. Such a
model is named by the file itself, a folder holding it, or a hub id whose snapshot (in
the Hugging Face cache) holds it, in any sub-folder. Nothing downloads unless allowed,
as for every model: a missing file raises `ModelNotFoundError` naming the file and the
`aifilm models pull` command; a file that is not what it should be raises
`CheckpointError` naming the file and what is wrong with it.

Pickled ``.pth`` files are read with ``torch.load(weights_only=True)``: tensors and plain
containers only, never code from the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aifilm.errors import UserError
from aifilm.models.hub import (
    ModelNotFoundError,
    _pull_hint,
    cached_snapshot,
    downloads_allowed,
    is_local,
    pull_model,
    repo_folder,
)


class CheckpointError(UserError):
    """A checkpoint file exists but is not the model it should be (wrong, truncated, other)."""


def _find(folder: Path, names: Sequence[str]) -> Path | None:
    """The first of `names` in `folder` or below it (names may hold sub-folders)."""
    for name in names:
        direct = folder / name
        if direct.is_file():
            return direct
        found = sorted(folder.rglob(Path(name).name))
        for path in found:
            if path.is_file():
                return path
    return None


def resolve_checkpoint(
    name: str | Path,
    names: Sequence[str],
    *,
    what: str,
    revision: str | None = None,
    cache_dir: Path | None = None,
    allow_download: bool | None = None,
) -> Path:
    """The checkpoint file `name` means: a file, a folder holding one of `names`, or a hub id.

    `what` names the model in messages ("Wav2Lip"). `ModelNotFoundError` says which file
    is missing and how to fetch it.
    """
    wanted = " or ".join(Path(n).name for n in names)
    if is_local(name):
        path = Path(name).expanduser()
        if path.is_file():
            return path
        if path.is_dir():
            found = _find(path, names)
            if found is not None:
                return found
            raise ModelNotFoundError(
                f"{what} checkpoint not found: folder {path} holds no {wanted}",
                hint=f"put {wanted} there, give the file's path, or run: aifilm models pull "
                f"with the model's hub id (see aifilm models list)",
            )
        raise ModelNotFoundError(
            f"{what} checkpoint {path} does not exist",
            hint=f"give the path of {wanted}, or a hub id: see aifilm models list",
        )
    repo_id = str(name)
    snapshot = cached_snapshot(repo_id, revision, cache_dir)
    found = _find(snapshot, names) if snapshot is not None else None
    if found is not None:
        return found
    if allow_download is None:
        allow_download = downloads_allowed()
    if allow_download:
        folder = pull_model(repo_id, revision=revision, cache_dir=cache_dir)
        found = _find(folder, names)
        if found is None:
            raise ModelNotFoundError(
                f"model {repo_id} was downloaded but holds no {wanted}",
                hint=f"check that {repo_id} is a {what} checkpoint repository",
            )
        return found
    where = snapshot if snapshot is not None else repo_folder(repo_id, cache_dir)
    raise ModelNotFoundError(
        f"{what} checkpoint {wanted} of model {repo_id} is not downloaded (looked in {where})",
        hint=_pull_hint(repo_id),
    )


def checkpoint_fingerprint(path: Path) -> str:
    """What identifies a checkpoint file cheaply: its snapshot commit in the HF cache, else
    its name, size and modification time."""
    for parent in path.parents:
        if parent.parent.name == "snapshots" and len(parent.name) == 40:
            rel = path.relative_to(parent).as_posix()
            return f"hf:{parent.parent.parent.name.removeprefix('models--')}@{parent.name}/{rel}"
    stat = path.stat()
    digest = hashlib.sha256(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return "sha256:" + digest.hexdigest()[:24]


def _fix(path: Path, hint: str | None) -> str:
    return hint or f"download {path.name} again (aifilm models pull ID); it may be truncated"


def load_tensors(path: Path, *, what: str, hint: str | None = None) -> Mapping[str, Any]:
    """Every tensor of a ``.pth``/``.pt``/``.tar`` (pickled) or ``.safetensors`` file.

    A pickled checkpoint's dict is returned as saved (e.g. ``{"state_dict": ...}``).
    """
    from aifilm.models.device import require_torch

    torch = require_torch()
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return dict(load_file(str(path), device="cpu"))
        loaded = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch and safetensors raise many kinds for a bad file
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(
            f"{what} checkpoint {path} cannot be read: {reason}", hint=_fix(path, hint)
        ) from None
    if not isinstance(loaded, Mapping):
        raise CheckpointError(
            f"{what} checkpoint {path} holds a {type(loaded).__name__}, not a dict of tensors",
            hint=_fix(path, hint),
        )
    return loaded


def match_state_dict(
    model: Any, state: Mapping[str, Any], path: Path, *, what: str, hint: str | None = None
) -> None:
    """Load `state` into `model`, or `CheckpointError` naming the keys or shapes that differ."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [
        f"{k} {tuple(state[k].shape)} (expected {tuple(own[k].shape)})"
        for k in own
        if k in state and tuple(getattr(state[k], "shape", ())) != tuple(own[k].shape)
    ]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing ({', '.join(missing[:3])}...)")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected ({', '.join(unexpected[:3])}...)")
    if wrong:
        problems.append(f"{len(wrong)} of another shape ({', '.join(wrong[:2])}...)")
    if problems:
        raise CheckpointError(
            f"{path} is not a {what} checkpoint: its weights do not fit the network: "
            + "; ".join(problems),
            hint=_fix(path, hint),
        )
    model.load_state_dict(dict(state))
