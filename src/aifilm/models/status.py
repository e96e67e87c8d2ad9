"""What `aifilm models list` shows: each known model, whether it is here, and its terms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aifilm.models.catalog import ModelInfo, known_models
from aifilm.models.hub import Layout, cached_snapshot, folder_size, missing_files


@dataclass(frozen=True)
class ModelStatus:
    """A catalog model on this machine: present or not, where, and how big."""

    info: ModelInfo
    present: bool
    path: Path | None
    size_bytes: int | None  # on disk when present
    missing: tuple[str, ...] = ()  # parts a partial download lacks

    def to_dict(self) -> dict[str, object]:
        """JSON-able facts."""
        return {
            "model": self.info.id,
            "backend": self.info.backend,
            "family": self.info.family,
            "present": self.present,
            "path": str(self.path) if self.path else None,
            "size_bytes": self.size_bytes,
            "download_gb": self.info.size_gb,
            "missing": list(self.missing),
            "weights_license": self.info.weights_license,
            "commercial_use": self.info.commercial_use,
            "gated": self.info.gated,
            "note": self.info.note,
        }


def model_statuses(backend: str | None = None, cache_dir: Path | None = None) -> list[ModelStatus]:
    """Every catalog model (of one backend, or all) and whether it is in the HF cache."""
    statuses = []
    for info in known_models(backend):
        snapshot = cached_snapshot(info.id, cache_dir=cache_dir)
        if snapshot is None:
            statuses.append(ModelStatus(info, False, None, None))
            continue
        layout: Layout = "transformers" if info.backend == "musicgen" else "diffusers"
        if info.files:  # loose checkpoint files
            missing = tuple(f for f in info.files if not (snapshot / f).is_file())
        else:
            missing = tuple(missing_files(snapshot, layout))
        statuses.append(ModelStatus(info, not missing, snapshot, folder_size(snapshot), missing))
    return statuses
