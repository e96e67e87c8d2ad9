"""The sadtalker backend renders talking heads through the normal path, with SadTalker
checkpoints of random weights saved in the published format; the full-size networks have
exactly the published checkpoints' tensors; bad checkpoints fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]

FPS = 8  # the backend alone; films are at least 12 fps
FILM_FPS = 12
W, H = 240, 136

FILM = """\
title: SadTalker Talk
duration: auto
output: {{resolution: {w}x{h}, fps: {fps}, subtitles: {{burn: false}}}}
backends:
  lipsync: {{name: sadtalker, options: {{model: "{model}", device: cpu, batch_size: 8}}}}
characters:
  - {{name: Ann, voice: adult-female, image: ann.png}}
  - {{name: Bob, voice: adult-male}}
scenes:
  - shots:
      - camera: static
        show: Ann
        dialogue:
          - Ann: Hello there.
          - Bob: Good morning.
"""


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ai.tiny_sadtalker import save_sadtalker_checkpoints

    return save_sadtalker_checkpoints(tmp_path_factory.mktemp("sadtalker") / "checkpoints")


def _frames(clip: Path) -> np.ndarray:
    with av.open(str(clip)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def _speech(path: Path, seconds: float) -> None:
    """A vowel-like tone whose loudness moves like syllables."""
    from aifilm.media.wav import write_wav

    t = np.arange(int(seconds * 22050)) / 22050
    wave = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 720 * t)
    write_wav(path, (0.2 * wave * np.abs(np.sin(2 * np.pi * 3 * t))).astype(np.float32), 22050)


def _request(tmp_path: Path, seed: int = 7, audio: Path | None = None):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.lipsync.base import Face, LipSyncRequest, SpokenLine
    from aifilm.pipeline.visuals.base import Visual
    from aifilm.pipeline.visuals.stills import portrait

    picture, _ = portrait("Ann", 1, (W, H))
    picture.save(tmp_path / "ann.png")
    if audio is None:
        audio = tmp_path / "line.wav"
        _speech(audio, 1.5)
    face = Face("Ann", (104, 78, 136, 90), "spec", face=(92, 40, 148, 100))
    return LipSyncRequest(
        "1.1",
        Visual(tmp_path / "ann.png", "still", W, H),
        face,
        (SpokenLine(audio, 1.0, 1.5),),
        start=0.0,
        frames=26,  # 3.25 s: silence, 1.5 s of speech, silence
        fps=FPS,
        seed=seed,
    )


def test_a_shot_becomes_a_clip_of_the_picture_whose_head_alone_moves(
    checkpoints: Path, tmp_path: Path
) -> None:
    import time

    from aifilm.media.probe import probe
    from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync
    from aifilm.pipeline.lipsync.sadtalker_motion import head_box

    request = _request(tmp_path)
    backend = SadTalkerLipSync(model=checkpoints, device="cpu", batch_size=8)
    backend.load()
    began = time.process_time()
    made = backend.animate(request, tmp_path / "out")
    print(f"tiny SadTalker: {request.frames} frames in {time.process_time() - began:.2f} s CPU")
    assert made.kind == "video" and made.video is not None and made.note is None

    # what reaches the composer: a clip the size of the picture, one frame per shot frame
    video = probe(made.video).first("video")
    assert video is not None and (video.width, video.height) == (W, H)
    assert video.fps == FPS and video.frames == request.frames
    frames = _frames(made.video).astype(np.int16)
    assert len(frames) == request.frames

    # outside the head's square the picture is the still's (up to the encoder's noise)
    x0, y0, x1, y1 = head_box(request.face.face, (W, H), backend.options.crop_scale)
    assert (x1 - x0, y1 - y0) == (96, 96)  # 1.6 x the 60 px face box, even
    with Image.open(request.visual.path) as im:
        still = np.asarray(im.convert("RGB")).astype(np.int16)
    outside = np.ones((H, W), bool)
    outside[y0:y1, x0:x1] = False
    diff = np.abs(frames - still).max(axis=3)
    assert float(diff[:, outside].mean()) < 1.0, "pixels changed outside the head"
    assert float(diff[:, ~outside].mean()) > 10  # the head is re-rendered

    # inside it, the head moves from frame to frame while Ann speaks (1.0 s to 2.5 s)
    talking = frames[9:19, y0:y1, x0:x1]
    steps = np.abs(np.diff(talking, axis=0)).mean(axis=(1, 2, 3))
    assert (steps > 0.05).all() and steps.mean() > 1.0, steps



def test_what_is_said_drives_the_head(checkpoints: Path, tmp_path: Path) -> None:
    from aifilm.models.loader import Loaded
    from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync
    from aifilm.pipeline.lipsync.sadtalker_render import coefficients

    backend = SadTalkerLipSync(model=checkpoints, device="cpu")
    loaded: Loaded = backend.load()
    face = np.full((256, 256, 3), 128, np.uint8)
    speech = _request(tmp_path)
    quiet = tmp_path / "quiet.wav"
    from aifilm.media.wav import write_wav

    write_wav(quiet, np.zeros(int(1.5 * 22050), np.float32), 22050)
    silence = _request(tmp_path, audio=quiet)
    source, spoken = coefficients(loaded, face, speech, backend.options)
    _, unspoken = coefficients(loaded, face, silence, backend.options)
    assert source.shape == (70,) and spoken.shape == (83, 70)  # 3.25 s at 25 fps, and one
    # the expression differs while the line plays (25 to 62 at 25 fps), not long before it
    during = np.abs(spoken[28:60, :64] - unspoken[28:60, :64]).mean()
    before = np.abs(spoken[:10, :64] - unspoken[:10, :64]).mean()
    assert during > 10 * max(before, 1e-6)

    # the same shot again moves the same (the shot's seed); another seed moves otherwise
    assert np.array_equal(coefficients(loaded, face, speech, backend.options)[1], spoken)
    reseeded = coefficients(loaded, face, _request(tmp_path, seed=8), backend.options)[1]
    assert np.abs(reseeded[:, 64:] - spoken[:, 64:]).mean() > 1e-4  # the head's motion


def test_a_film_talks_through_sadtalker(checkpoints: Path, tmp_path: Path) -> None:
    import aifilm
    from aifilm.media.probe import probe
    from aifilm.models import loader
    from aifilm.pipeline.visuals.stills import portrait

    picture, _ = portrait("Ann", 1, (W * 2, H * 2))  # a drawn face the Haar cascade finds
    picture.save(tmp_path / "ann.png")
    path = tmp_path / "project.yaml"
    path.write_text(FILM.format(w=W, h=H, fps=FILM_FPS, model=checkpoints))
    result = aifilm.render(path, tmp_path / "out")

    info = probe(result.video)
    video, audio = info.first("video"), info.first("audio")
    assert video is not None and (video.width, video.height) == (W, H)
    assert audio is not None
    report = json.loads(result.report_path.read_text())
    lipsync = report["backends"]["lipsync"]
    assert lipsync["name"] == "sadtalker" and lipsync["commercial_use"] is True
    assert "Apache-2.0" in lipsync["weights_license"]
    stage = next(s for s in report["stages"] if s["name"] == "lipsync")
    assert stage["backend"] == "sadtalker" and stage["items"] == 1, stage

    # the same project again: everything from the cache, the networks not loaded again
    loads = len(loader.loads)
    pipe = aifilm.Pipeline(aifilm.Project.load(path))
    try:
        pipe.run()
        assert len(loader.loads) == loads
        again = next(r for r in pipe.context.reports if r.name == "lipsync")
        assert again.cache_hits >= 1 and again.cache_misses == 0
        visual = pipe.state.visuals[0]
        timeline = pipe.state.timeline
        assert timeline is not None
        lines = timeline.lines
    finally:
        pipe.close()

    # what reached the composer: the shot's picture became the head's clip, at film size
    assert visual.kind == "video" and visual.path.suffix == ".mp4"
    clip = probe(visual.path).first("video")
    assert clip is not None and (clip.width, clip.height) == (W, H) and clip.fps == FILM_FPS

    # what the viewer sees: Ann's head moves while she speaks
    frames = _frames(result.video).astype(np.int16)
    assert clip.frames == len(frames)  # the shot is the whole film
    ann = next(line for line in lines if line.speaker == "Ann")
    a, b = int(ann.start * FILM_FPS) + 1, int(ann.end * FILM_FPS) - 1
    steps = np.abs(np.diff(frames[a:b], axis=0)).mean(axis=(1, 2, 3))
    assert (steps > 0.02).all() and steps.mean() > 0.2, steps
