"""Talking-head checkpoints in `aifilm models` and `aifilm doctor`, pulled file by file, and
SadTalker's checkpoint files found, read and checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]


def _aifilm(*args: str, hub: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_CACHE": str(hub), "HF_HUB_OFFLINE": "1"}
    env.pop("AIFILM_WAV2LIP_MODEL", None)
    env.pop("AIFILM_SADTALKER_MODEL", None)
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args], capture_output=True, text=True, env=env
    )


def _snapshot(hub: Path, repo: str, files: dict[str, bytes]) -> Path:
    commit = "c" * 40
    snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / commit
    for name, data in files.items():
        (snap / name).parent.mkdir(parents=True, exist_ok=True)
        (snap / name).write_bytes(data)
    (snap.parents[1] / "refs").mkdir(exist_ok=True)
    (snap.parents[1] / "refs" / "main").write_text(commit)
    return snap


def test_models_list_and_doctor_show_wav2lip_and_its_licence(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    _snapshot(hub, "vinthony/SadTalker", {"SadTalker_V0.0.2_256.safetensors": b"\0" * 10})
    done = _aifilm("models", "list", "--json", hub=hub)
    assert done.returncode == 0, done.stderr
    rows = {r["model"]: r for r in map(json.loads, done.stdout.splitlines())}
    wav2lip = rows["camenduru/Wav2Lip"]
    assert wav2lip["backend"] == "wav2lip" and not wav2lip["present"]
    assert wav2lip["commercial_use"] is False and "non-commercial" in wav2lip["weights_license"]
    sad = rows["vinthony/SadTalker"]
    assert sad["commercial_use"] is True and "Apache-2.0" in sad["weights_license"]
    assert not sad["present"] and sad["missing"] == ["mapping_00229-model.pth.tar"]

    doctor = _aifilm("doctor", "--json", hub=hub)
    checks = {r["name"]: r for r in map(json.loads, doctor.stdout.splitlines())}
    row = checks["lipsync backend 'wav2lip'"]
    assert row["ok"]  # not chosen: information, not a problem
    assert "NON-COMMERCIAL" in row["detail"] and "non-commercial use only" in row["detail"]
    assert "aifilm models pull camenduru/Wav2Lip" in row["fix"]
    sad_row = checks["lipsync backend 'sadtalker'"]
    assert sad_row["ok"] and "Apache-2.0" in sad_row["detail"]
    assert "mapping_00229-model.pth.tar" in sad_row["detail"]  # the file still missing
    assert "aifilm models pull vinthony/SadTalker" in sad_row["fix"]

    _snapshot(hub, "camenduru/Wav2Lip", {"checkpoints/wav2lip_gan.pth": b"\0" * 10})
    done = _aifilm("models", "list", "--json", "--backend", "wav2lip", hub=hub)
    (row,) = map(json.loads, done.stdout.splitlines())
    assert row["present"] and row["size_bytes"] == 10


def test_pull_fetches_exactly_the_catalog_files(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    from aifilm.models.hub import pull_model

    asked: dict[str, Any] = {}

    def fake(repo: str, **kwargs: Any) -> str:
        asked.update(kwargs, repo=repo)
        return "/nowhere"

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake)
    pull_model("camenduru/Wav2Lip")
    assert asked["allow_patterns"] == ["checkpoints/wav2lip_gan.pth"]
    pull_model("vinthony/SadTalker")
    assert asked["allow_patterns"] == [
        "SadTalker_V0.0.2_256.safetensors", "mapping_00229-model.pth.tar",
    ]  # fmt: skip


def _sadtalker_files(folder: Path, networks: tuple[str, ...]) -> None:
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"{n}.layer.weight": torch.ones(2, 2) for n in networks}
    save_file(tensors, str(folder / "SadTalker_V0.0.2_256.safetensors"))
    torch.save(
        {"mapping": {"first.weight": torch.ones(3)}, "epoch": 229},
        folder / "mapping_00229-model.pth.tar",
    )


def test_sadtalker_checkpoints_are_found_read_and_checked(tmp_path: Path) -> None:
    from aifilm.models.checkpoint import CheckpointError
    from aifilm.models.hub import ModelNotFoundError
    from aifilm.pipeline.lipsync.sadtalker import NETWORKS, find_sadtalker, load_sadtalker

    good = tmp_path / "checkpoints"
    _sadtalker_files(good, NETWORKS)
    files = find_sadtalker(good)
    states = load_sadtalker(files)
    assert set(states) == {*NETWORKS, "mapping"}
    assert list(states["generator"]) == ["layer.weight"]  # prefix removed, as SadTalker does

    with pytest.raises(ModelNotFoundError) as caught:
        find_sadtalker("vinthony/SadTalker", allow_download=False)
    assert "SadTalker_V0.0.2_256.safetensors of model vinthony/SadTalker" in caught.value.message
    assert "aifilm models pull vinthony/SadTalker" in (caught.value.hint or "")

    (good / "mapping_00229-model.pth.tar").unlink()
    with pytest.raises(ModelNotFoundError, match=r"holds no mapping_00229-model\.pth\.tar"):
        find_sadtalker(good)
    with pytest.raises(ModelNotFoundError, match=r"holds no SadTalker_V0\.0\.2_512\.safetensors"):
        find_sadtalker(good, size=512)

    partial = tmp_path / "partial"
    _sadtalker_files(partial, ("audio2exp", "generator"))
    with pytest.raises(CheckpointError) as bad:
        load_sadtalker(find_sadtalker(partial))
    assert "SadTalker_V0.0.2_256.safetensors is not a SadTalker checkpoint" in bad.value.message
    assert "no weights for audio2pose, face_3drecon, kp_extractor" in bad.value.message
    assert "aifilm models pull vinthony/SadTalker" in (bad.value.hint or "")
