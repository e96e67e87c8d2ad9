"""The wav2lip backend renders talking characters through the normal path, with a Wav2Lip
checkpoint of random weights saved in the published format; bad checkpoints fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]

FPS = 12
W, H = 320, 180

FILM = """\
title: Wav2Lip Talk
duration: auto
output: {{resolution: {w}x{h}, fps: {fps}, subtitles: {{burn: false}}}}
backends:
  lipsync: {{name: wav2lip, options: {{model: "{model}", device: cpu, batch_size: 8}}}}
characters:
  - {{name: Ann, voice: adult-female, image: {image}}}
  - {{name: Bob, voice: adult-male}}
scenes:
  - shots:
      - camera: static
        show: Ann
        dialogue:
          - Ann: Hello there, my friend.
          - Bob: Good morning.
          - Ann: Shall we walk?
"""


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ai.tiny_wav2lip import save_wav2lip_checkpoint

    return save_wav2lip_checkpoint(tmp_path_factory.mktemp("wav2lip"))


def _project(tmp_path: Path, model: Path | str, image: str = "ann.png") -> Path:
    from aifilm.pipeline.visuals.stills import portrait

    picture, _ = portrait("Ann", 1, (W * 2, H * 2))  # a drawn face the Haar cascade finds
    picture.save(tmp_path / "ann.png")
    path = tmp_path / "project.yaml"
    path.write_text(FILM.format(w=W, h=H, fps=FPS, model=model, image=image))
    return path


def _frames(film: Path) -> np.ndarray:
    with av.open(str(film)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def test_a_film_talks_through_wav2lip_only_inside_the_face_box(
    checkpoint: Path, tmp_path: Path
) -> None:
    import aifilm
    from aifilm.media.probe import probe
    from aifilm.models import loader

    path = _project(tmp_path, checkpoint)
    result = aifilm.render(path, tmp_path / "out")

    # what the user gets: a film with picture and sound, of the timeline's length
    info = probe(result.video)
    video, audio = info.first("video"), info.first("audio")
    assert video is not None and (video.width, video.height) == (W, H)
    assert audio is not None and audio.codec == "aac"
    report = json.loads(result.report_path.read_text())
    assert result.duration == pytest.approx(report["timeline"]["duration_seconds"], abs=0.1)
    lipsync = report["backends"]["lipsync"]
    assert lipsync["name"] == "wav2lip" and lipsync["commercial_use"] is False
    assert "non-commercial" in lipsync["weights_license"]
    stage = next(s for s in report["stages"] if s["name"] == "lipsync")
    assert stage["backend"] == "wav2lip" and stage["items"] == 1 and not stage["notes"]

    # the same project again: everything from the cache, the model not even loaded again
    loads = len(loader.loads)
    pipe = aifilm.Pipeline(aifilm.Project.load(path))
    try:
        pipe.run()
        assert len(loader.loads) == loads
        again = next(r for r in pipe.context.reports if r.name == "lipsync")
        assert again.cache_hits >= 1 and again.cache_misses == 0
        (overlay,) = pipe.state.overlays[0]
        still_path = pipe.state.visuals[0].path
        timeline = pipe.state.timeline
        assert timeline is not None
        lines = timeline.lines
    finally:
        pipe.close()

    def frames_of(speaker: str) -> list[int]:
        out: list[int] = []
        for line in lines:
            if line.speaker == speaker:
                out += range(int(line.start * FPS) + 1, int(line.end * FPS) - 1)
        return out

    ann, bob = frames_of("Ann"), frames_of("Bob")
    assert ann and bob

    # what reaches the composer: a lossless clip of the padded face box, one frame per film
    # frame, laid on the still; redrawn while Ann speaks, the still's own pixels otherwise
    assert overlay.path.suffix == ".mkv" and overlay.start == 0
    face = _frames(overlay.path)
    frames = _frames(result.video)
    assert len(face) == len(frames)  # the shot is the whole film
    box_h, box_w = face.shape[1:3]
    x0, y0, x1, y1 = overlay.x, overlay.y, overlay.x + box_w, overlay.y + box_h
    assert W * 0.3 < (x0 + x1) / 2 < W * 0.7 and 24 <= box_w <= W // 2
    with Image.open(still_path) as im:
        crop = np.asarray(im.convert("RGB"))[y0:y1, x0:x1].astype(np.int16)
    assert all(np.array_equal(face[n], crop) for n in bob)
    assert all(np.abs(face[n] - crop).mean() > 20 for n in ann)

    # what the viewer sees: Ann's face box changes while she speaks, nothing else does
    # (beyond the encoder's noise), and not while Bob speaks
    reference = frames[bob[len(bob) // 2]].astype(np.int16)
    diff = np.abs(frames.astype(np.int16) - reference).max(axis=3)
    inside = np.zeros((H, W), bool)
    inside[y0:y1, x0:x1] = True
    assert float(diff[ann][:, inside].mean()) > 30
    assert float(diff[ann][:, ~inside].mean()) < 1.0, "pixels changed outside the face box"
    assert float(diff[bob][:, inside].mean()) < 3


def test_a_face_too_small_falls_back_to_mouth_shapes_and_says_so(
    checkpoint: Path, tmp_path: Path
) -> None:
    from aifilm.pipeline.lipsync.base import Face, LipSyncRequest, SpokenLine
    from aifilm.pipeline.lipsync.wav2lip import Wav2LipLipSync
    from aifilm.pipeline.visuals.base import Visual
    from aifilm.pipeline.visuals.stills import portrait

    picture, _ = portrait("Ann", 1, (160, 90))
    picture.save(tmp_path / "small.png")
    wav = tmp_path / "line.wav"
    _tone(wav, 1.0)
    face = Face("Ann", (70, 60, 78, 64), "spec", face=(68, 50, 80, 66))  # 12x16 px
    request = LipSyncRequest(
        "1.1",
        Visual(tmp_path / "small.png", "still", 160, 90),
        face,
        (SpokenLine(wav, 0.2, 1.0),),
        start=0.0,
        frames=18,
        fps=FPS,
    )
    made = Wav2LipLipSync(model=checkpoint, device="cpu").animate(request, tmp_path / "out")
    assert made.kind == "overlay" and made.overlay is not None
    assert made.overlay.path.suffix == ".ffconcat"  # the embedded backend's sprites
    assert made.note is not None and "too small for wav2lip" in made.note
    assert "embedded mouth shapes used" in made.note


def test_a_picture_without_a_face_renders_as_a_still_and_the_report_says_so(
    checkpoint: Path, tmp_path: Path
) -> None:
    import aifilm

    Image.new("RGB", (480, 270), (120, 170, 230)).save(tmp_path / "sky.png")
    path = _project(tmp_path, checkpoint, image="sky.png")
    result = aifilm.render(path, tmp_path / "out")
    report = json.loads(result.report_path.read_text())
    stage = next(s for s in report["stages"] if s["name"] == "lipsync")
    assert stage["backend"] == "wav2lip" and stage["items"] == 0
    assert any("Ann: no face found in sky.png" in n for n in stage["notes"]), stage["notes"]
    assert result.duration > 1 and result.info.first("video") is not None


def _tone(path: Path, seconds: float) -> None:
    from aifilm.media.wav import write_wav

    t = np.arange(int(seconds * 22050)) / 22050
    write_wav(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 22050)


def test_missing_checkpoints_name_the_file_and_the_pull_command(tmp_path: Path) -> None:
    from aifilm.models.hub import ModelNotFoundError
    from aifilm.pipeline.lipsync.wav2lip import Wav2LipLipSync

    backend = Wav2LipLipSync(device="cpu")  # the catalog's default hub id, not downloaded
    assert backend.identity()["model"] == "missing"
    with pytest.raises(ModelNotFoundError) as caught:
        backend.load()
    assert "wav2lip_gan.pth or wav2lip.pth of model camenduru/Wav2Lip" in caught.value.message
    assert "aifilm models pull camenduru/Wav2Lip" in (caught.value.hint or "")

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelNotFoundError, match=r"folder .*empty holds no wav2lip_gan.pth"):
        Wav2LipLipSync(model=empty, device="cpu").load()
    with pytest.raises(ModelNotFoundError, match=r"checkpoint .*nope.pth does not exist"):
        Wav2LipLipSync(model=tmp_path / "nope.pth", device="cpu").load()


def test_malformed_checkpoints_say_what_is_wrong(checkpoint: Path, tmp_path: Path) -> None:
    import torch

    from aifilm.models.checkpoint import CheckpointError
    from aifilm.pipeline.lipsync.wav2lip import Wav2LipLipSync

    truncated = tmp_path / "truncated" / "wav2lip.pth"
    truncated.parent.mkdir()
    truncated.write_bytes(checkpoint.read_bytes()[:100_000])
    with pytest.raises(CheckpointError, match="cannot be read") as caught:
        Wav2LipLipSync(model=truncated.parent, device="cpu").load()
    assert str(truncated) in caught.value.message
    assert "aifilm models pull" in (caught.value.hint or "")

    other = tmp_path / "lipsync_expert.pth"  # another network's weights (SyncNet-like)
    torch.save({"state_dict": {"module.face_encoder.0.weight": torch.zeros(3, 3)}}, other)
    with pytest.raises(CheckpointError, match=r"is not a Wav2Lip checkpoint.*352 missing"):
        Wav2LipLipSync(model=other, device="cpu").load()


def test_the_cli_names_a_missing_checkpoint_and_exits_with_the_missing_dependency_code(
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "project.yaml").write_text(
        "title: Hi\nduration: auto\noutput: {resolution: 160x90, fps: 12}\n"
        "characters:\n  - {name: Ann, voice: child}\n"
        "scenes:\n  - shots:\n      - {camera: static, show: Ann, dialogue: [{Ann: Hi.}]}\n"
    )
    missing = tmp_path / "models" / "wav2lip_gan.pth"
    env = {**os.environ, "AIFILM_WAV2LIP_MODEL": str(missing), "COLUMNS": "400"}
    done = subprocess.run(
        [sys.executable, "-m", "aifilm", "render", str(tmp_path / "project.yaml"),
         "--lipsync", "wav2lip", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 4, done.stdout + done.stderr
    text = " ".join((done.stdout + done.stderr).split())
    assert f"Wav2Lip checkpoint {missing} does not exist" in text
    assert "Traceback" not in text and not (tmp_path / "out" / "hi.mp4").exists()
