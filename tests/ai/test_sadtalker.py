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
    # `still` keeps the picture's own head pose, as SadTalker's --still
    held = coefficients(loaded, face, speech, backend.options.model_copy(update={"still": True}))
    assert np.allclose(held[1][:, 64:], source[64:]) and not np.allclose(
        spoken[:, 64:], source[64:]
    )


def test_a_head_too_small_falls_back_to_mouth_shapes_and_says_so(
    checkpoints: Path, tmp_path: Path
) -> None:
    from aifilm.pipeline.lipsync.base import Face, LipSyncRequest, SpokenLine
    from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync
    from aifilm.pipeline.visuals.base import Visual
    from aifilm.pipeline.visuals.stills import portrait

    picture, _ = portrait("Ann", 1, (160, 90))
    picture.save(tmp_path / "small.png")
    _speech(tmp_path / "line.wav", 1.0)
    face = Face("Ann", (70, 60, 78, 64), "spec", face=(68, 50, 80, 66))  # 12x16 px
    request = LipSyncRequest(
        "1.1",
        Visual(tmp_path / "small.png", "still", 160, 90),
        face,
        (SpokenLine(tmp_path / "line.wav", 0.2, 1.0),),
        start=0.0,
        frames=18,
        fps=12,
    )
    made = SadTalkerLipSync(model=checkpoints, device="cpu").animate(request, tmp_path / "out")
    assert made.kind == "overlay" and made.overlay is not None
    assert made.overlay.path.suffix == ".ffconcat"  # the embedded backend's sprites
    assert (
        made.note == "Ann's head (26x26 px) is too small for sadtalker; embedded mouth shapes used"
    )


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
    # (the encoder may all but repeat a frame now and then: most steps, not every one)
    assert (steps > 0.02).mean() >= 0.9 and steps.mean() > 0.2, steps


# Tensors of the published checkpoints, read off SadTalker's code and configs
# (facerender.yaml, auido2pose.yaml; the networks' constructors): name -> shape.
PUBLISHED = {
    "audio2exp.audio_encoder.0.conv_block.0.weight": (32, 1, 3, 3),
    "audio2exp.audio_encoder.12.conv_block.0.weight": (512, 512, 1, 1),
    "audio2exp.mapping1.weight": (64, 512 + 64 + 1),
    "audio2pose.audio_encoder.audio_encoder.9.conv_block.1.running_var": (256,),
    "audio2pose.netG.encoder.MLP.L0.weight": (128, 192 + 64 + 32 * 6 + 6),
    "audio2pose.netG.encoder.linear_logvar.weight": (64, 128),
    "audio2pose.netG.decoder.MLP.L0.weight": (128, 64 + 32 * 6 + 6),
    "audio2pose.netG.decoder.MLP.L1.weight": (192, 128),
    "audio2pose.netG.decoder.classbias": (46, 64),
    "audio2pose.netG.decoder.resunet.up_residual_conv1.conv_skip.0.weight": (128, 384, 3, 3),
    "audio2pose.netG.decoder.resunet.upsample_1.upsample.weight": (256, 256, 2, 1),
    "audio2pose.netG.decoder.pose_linear.weight": (6, 6),
    "audio2pose.netD_motion.seq.2.conv.weight": (1024, 512, 3),
    "audio2pose.netD_motion.seq.3.weight": (1, 1024, 3),
    "face_3drecon.backbone.conv1.weight": (64, 3, 7, 7),
    "face_3drecon.backbone.layer3.5.bn3.num_batches_tracked": (),
    "face_3drecon.backbone.layer4.0.downsample.0.weight": (2048, 1024, 1, 1),
    "face_3drecon.final_layers.1.weight": (64, 2048, 1, 1),
    "face_3drecon.final_layers.6.bias": (1,),
    "kp_extractor.down.weight": (3, 1, 13, 13),
    "kp_extractor.predictor.down_blocks.down4.conv.weight": (1024, 512, 3, 3),
    "kp_extractor.predictor.conv.weight": (16384, 1024, 1, 1),
    "kp_extractor.predictor.up_blocks.up0.conv.weight": (512, 1024, 3, 3, 3),
    "kp_extractor.predictor.up_blocks.up4.norm.running_mean": (32,),
    "kp_extractor.kp.weight": (15, 32, 3, 3, 3),
    "generator.first.conv.weight": (64, 3, 3, 3),
    "generator.down_blocks.1.conv.weight": (256, 128, 3, 3),
    "generator.second.weight": (512, 256, 1, 1),
    "generator.resblocks_3d.3dr5.conv2.weight": (32, 32, 3, 3, 3),
    "generator.third.conv.weight": (256, 512, 3, 3),
    "generator.fourth.weight": (256, 256, 1, 1),
    "generator.dense_motion_network.compress.weight": (4, 32, 1, 1, 1),
    "generator.dense_motion_network.hourglass.encoder.down_blocks.0.conv.weight": (
        64,
        80,
        3,
        3,
        3,
    ),
    "generator.dense_motion_network.hourglass.decoder.up_blocks.0.conv.weight": (
        512,
        1024,
        3,
        3,
        3,
    ),
    "generator.dense_motion_network.hourglass.decoder.conv.weight": (112, 112, 3, 3, 3),
    "generator.dense_motion_network.mask.weight": (16, 112, 7, 7, 7),
    "generator.dense_motion_network.occlusion.weight": (1, 112 * 16, 7, 7),
    "generator.decoder.fc.weight": (512, 256, 3, 3),
    "generator.decoder.G_middle_5.conv_1.weight_orig": (512, 512, 3, 3),
    "generator.decoder.G_middle_5.conv_1.weight_u": (512,),
    "generator.decoder.G_middle_0.norm_0.mlp_shared.0.weight": (128, 256, 3, 3),
    "generator.decoder.up_0.conv_s.weight_orig": (256, 512, 1, 1),
    "generator.decoder.up_1.norm_s.mlp_gamma.weight": (256, 128, 3, 3),
    "generator.decoder.conv_img.weight": (3, 64, 3, 3),
    "mapping.first.0.weight": (1024, 70, 7),
    "mapping.encoder2.1.weight": (1024, 1024, 3),
    "mapping.fc_exp.weight": (45, 1024),
    "mapping.fc_yaw.weight": (66, 1024),
}


def test_the_full_size_networks_have_the_published_checkpoints_tensors() -> None:
    import torch

    from aifilm.pipeline.lipsync.sadtalker_nets import SadTalkerSizes, build_networks

    with torch.device("meta"):  # no memory, no time: shapes only
        nets = build_networks()
    states = {name: net.state_dict() for name, net in nets.items()}
    shapes = {f"{n}.{k}": tuple(v.shape) for n, state in states.items() for k, v in state.items()}
    for key, shape in PUBLISHED.items():
        assert shapes.get(key) == shape, key
    # no tensor the release lacks: spectral norms keep weight_orig/_u/_v, not weight
    assert "generator.decoder.up_0.conv_s.weight" not in shapes
    assert not any(k.startswith(("he_estimator.", "generator.final")) for k in shapes)
    others = ("generator.resblocks_2d.", "generator.up_blocks.", "generator.final.")
    assert not any(k.startswith(others) for k in shapes)  # OcclusionAwareGenerator's parts
    # the five networks of the .safetensors file weigh what the published file does (725 MB)
    tensors = [v for n, state in states.items() if n != "mapping" for v in state.values()]
    size = sum(v.numel() * v.element_size() for v in tensors)
    assert 724e6 < size < 726e6, size
    # and the sizes read back from the tensors are the published design's
    assert SadTalkerSizes.of(states) == SadTalkerSizes()


def _files(tmp_path: Path, checkpoints: Path) -> Path:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(checkpoints, folder)
    return folder


def test_malformed_checkpoints_say_what_is_wrong(checkpoints: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    from aifilm.models.checkpoint import CheckpointError
    from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync

    # a generator tensor of another shape
    folder = _files(tmp_path, checkpoints)
    networks = folder / "SadTalker_V0.0.2_256.safetensors"
    tensors = load_file(str(networks))
    tensors["generator.decoder.conv_img.bias"] = torch.zeros(5)
    save_file(tensors, str(networks))
    with pytest.raises(CheckpointError) as caught:
        SadTalkerLipSync(model=folder, device="cpu").load()
    assert f"{networks} is not a SadTalker generator checkpoint" in caught.value.message
    assert "decoder.conv_img.bias (5,) (expected (3,))" in caught.value.message
    assert "aifilm models pull vinthony/SadTalker" in (caught.value.hint or "")

    # a mapping network without its last layer
    folder = _files(tmp_path / "b", checkpoints)
    mapping = folder / "mapping_00229-model.pth.tar"
    saved = torch.load(mapping, weights_only=True)
    del saved["mapping"]["fc_exp.weight"]
    torch.save(saved, mapping)
    wrong = r"not a SadTalker mapping checkpoint.*1 missing \(fc_exp\.weight"
    with pytest.raises(CheckpointError, match=wrong):
        SadTalkerLipSync(model=folder, device="cpu").load()


def test_missing_checkpoints_name_the_file_and_the_pull_command(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from aifilm.models.hub import ModelNotFoundError
    from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync

    backend = SadTalkerLipSync(device="cpu")  # the catalog's default hub id, not downloaded
    assert backend.identity()["model"] == "missing"
    with pytest.raises(ModelNotFoundError) as caught:
        backend.load()
    assert "SadTalker_V0.0.2_256.safetensors of model vinthony/SadTalker" in caught.value.message
    assert "aifilm models pull vinthony/SadTalker" in (caught.value.hint or "")

    (tmp_path / "project.yaml").write_text(
        "title: Hi\nduration: auto\noutput: {resolution: 160x90, fps: 12}\n"
        "characters:\n  - {name: Ann, voice: child}\n"
        "scenes:\n  - shots:\n      - {camera: static, show: Ann, dialogue: [{Ann: Hi.}]}\n"
    )
    empty = tmp_path / "models"
    empty.mkdir()
    env = {**os.environ, "AIFILM_SADTALKER_MODEL": str(empty), "COLUMNS": "400"}
    done = subprocess.run(
        [sys.executable, "-m", "aifilm", "render", str(tmp_path / "project.yaml"),
         "--lipsync", "sadtalker", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 4, done.stdout + done.stderr
    text = " ".join((done.stdout + done.stderr).split())
    assert f"folder {empty} holds no SadTalker_V0.0.2_256.safetensors" in text
    assert "Traceback" not in text and not (tmp_path / "out" / "hi.mp4").exists()
