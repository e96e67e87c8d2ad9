"""The Coqui voice backend on a toy VITS checkpoint (tests/ai/tiny_coqui.py) saved as Coqui
saves checkpoints and loaded through Coqui's own ``TTS.api.TTS``."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("TTS.api", reason="coqui extra not installed: pip install 'aifilm[coqui]'")

import aifilm
from ai.tiny_coqui import RATE, tiny_vits
from aifilm import Cache
from aifilm.errors import MissingDependencyError, UnsupportedError, UserError
from aifilm.models.hub import ModelNotFoundError
from aifilm.pipeline.registry import Registry
from aifilm.pipeline.voice.base import SpeechRequest
from aifilm.pipeline.voice.coqui import VOICE_TABLES, CoquiVoice

pytestmark = pytest.mark.ai
TEXT = "Hello there, brave little friend."


@pytest.fixture(scope="module")
def vits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_vits(tmp_path_factory.mktemp("coqui") / "tiny-vctk-vits")


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2
        data = np.frombuffer(f.readframes(f.getnframes()), dtype=np.int16)
        return data.astype(np.float32) / 32768, f.getframerate()


def test_speaks_a_wav_with_word_timings_covering_the_text(vits: Path, tmp_path: Path) -> None:
    voice = CoquiVoice(model=str(vits), device="cpu")
    clip = voice.synthesize(SpeechRequest(TEXT, "en", "adult-female"), tmp_path / "a.wav")
    samples, rate = _read(clip.path)
    assert rate == RATE == clip.sample_rate
    assert clip.duration == pytest.approx(len(samples) / rate, abs=1e-6) and clip.duration > 0.2
    assert np.abs(samples).max() > 0.01  # sound, not silence
    assert [w.text for w in clip.words] == TEXT.split()
    assert clip.words[0].start >= 0 and clip.words[-1].end <= clip.duration + 1e-6
    for word, after in zip(clip.words, clip.words[1:], strict=False):
        assert word.start <= word.end <= after.start
    # seeded by the line: the same line twice is the same audio
    again = voice.synthesize(SpeechRequest(TEXT, "en", "adult-female"), tmp_path / "b.wav")
    assert np.array_equal(_read(again.path)[0], samples)


def test_presets_pick_table_speakers_and_shape_stand_ins(vits: Path, tmp_path: Path) -> None:
    voice = CoquiVoice(model=str(vits), device="cpu")
    assert voice.voice_for(SpeechRequest(TEXT, "en", "mature")) == (
        VOICE_TABLES["vctk"]["mature"],
        False,
    )
    adult = voice.synthesize(SpeechRequest(TEXT, "en", "adult-male"), tmp_path / "m.wav")
    child = voice.synthesize(SpeechRequest(TEXT, "en", "child"), tmp_path / "c.wav")
    assert adult.sample_rate == child.sample_rate == RATE
    assert not np.array_equal(_read(adult.path)[0][:1000], _read(child.path)[0][:1000])
    # the override table wins, and names a speaker of the model or a clip to clone
    custom = CoquiVoice(model=str(vits), device="cpu", voices={"child": "p226"})
    assert custom.voice_for(SpeechRequest(TEXT, "en", "child")) == ("p226", True)
    ids = {v.preset: v.id for v in custom.voices("en")}
    assert ids["child"] == "p226" and ids["adult-female"] == "p225"
    bad = CoquiVoice(model=str(vits), device="cpu", voices={"child": "nobody"})
    with pytest.raises(UserError, match="no speaker 'nobody'") as info:
        bad.synthesize(SpeechRequest(TEXT, "en", "child"), tmp_path / "x.wav")
    assert "p225" in str(info.value.hint)
    clone = CoquiVoice(model=str(vits), device="cpu", voices={"child": str(tmp_path / "no.wav")})
    with pytest.raises(UserError, match="reference clip"):
        clone.synthesize(SpeechRequest(TEXT, "en", "child"), tmp_path / "y.wav")


def test_language_and_missing_model_errors(vits: Path, tmp_path: Path) -> None:
    voice = CoquiVoice(model=str(vits), device="cpu", language="en")
    with pytest.raises(UnsupportedError, match="speaks 'en', not 'hi'"):
        voice.synthesize(SpeechRequest("namaste", "hi"), tmp_path / "h.wav")
    with pytest.raises(ModelNotFoundError, match="not found"):
        CoquiVoice(model=str(tmp_path / "nothing")).synthesize(
            SpeechRequest(TEXT), tmp_path / "n.wav"
        )
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "config.json").write_text("{}")
    with pytest.raises(ModelNotFoundError, match="no model file"):
        CoquiVoice(model=str(empty)).synthesize(SpeechRequest(TEXT), tmp_path / "e.wav")


def test_named_models_never_download_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # Coqui's model folder
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "data"))
    voice = CoquiVoice(model="tts_models/en/ljspeech/vits")
    assert voice.weights_license == "apache 2.0" and voice.commercial_use
    with pytest.raises(ModelNotFoundError, match="not downloaded") as info:
        voice.synthesize(SpeechRequest(TEXT), tmp_path / "d.wav")
    assert "aifilm models pull tts_models/en/ljspeech/vits" in str(info.value.hint)
    xtts = CoquiVoice(model="tts_models/multilingual/multi-dataset/xtts_v2")
    assert xtts.weights_license == "CPML" and not xtts.commercial_use
    assert xtts.voice_for(SpeechRequest(TEXT, "en", "adult-female"))[0] == "Claribel Dervla"
    with pytest.raises(UserError, match="unknown Coqui model"):
        CoquiVoice(model="tts_models/en/nobody/vits").synthesize(
            SpeechRequest(TEXT), tmp_path / "u.wav"
        )


def test_registered_with_its_extra() -> None:
    assert Registry().get("voice", "coqui") is CoquiVoice
    assert CoquiVoice.extra == "coqui" and "TTS" in CoquiVoice.requires
    assert all(check.ok for check in CoquiVoice.health())
    assert issubclass(MissingDependencyError, UserError)


def test_renders_speech_that_reaches_the_mix(vits: Path, tmp_path: Path) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(
        """\
title: Coqui Test
duration: auto
output: {resolution: 320x180, fps: 12, quality: draft}
characters:
  - {name: Ann, voice: child}
scenes:
  - color: "#2c3e50"
    shots:
      - narration: Once there was a quiet valley.
      - dialogue:
          - Ann: "Hello there, friend."
"""
    )
    voice = CoquiVoice(model=str(vits), device="cpu", voices={"child": "p308"})
    pipe = aifilm.Pipeline(aifilm.Project.load(project), voice=voice, cache=Cache(tmp_path / "c"))
    try:
        state = pipe.run(until="mix")
        clips = list(state.speech.values())
        assert len(clips) == 2
        for clip in clips:
            assert clip.sample_rate == RATE and clip.duration > 0.2 and clip.words
        assert [w.text for w in clips[1].words] == ["Hello", "there,", "friend."]
        assert state.audio is not None and state.audio.exists()
        assert state.timeline is not None
        placed = [line for shot in state.timeline.shots for line in shot.lines]
        assert [line.clip.duration for line in placed] == [c.duration for c in clips]
        mixed, mix_rate = _read_any(state.audio)
        start = placed[1].start
        speech = mixed[int(start * mix_rate) : int((start + placed[1].clip.duration) * mix_rate)]
        assert np.sqrt(np.mean(speech**2)) > 1e-3  # Ann's line is heard in the mix
    finally:
        pipe.close()


def _read_any(path: Path) -> tuple[np.ndarray, int]:
    from aifilm.media.wav import read_wav

    samples, rate = read_wav(path)
    return samples.mean(axis=1), rate


def test_models_pull_names_coqui_failures_without_a_prompt(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "TTS_HOME": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    env.pop("COQUI_TOS_AGREED", None)

    def pull(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aifilm", "models", "pull", name],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip

    unknown = pull("tts_models/en/nobody/vits")
    assert unknown.returncode != 0 and "unknown Coqui model" in unknown.stdout + unknown.stderr
    xtts = pull("tts_models/multilingual/multi-dataset/xtts_v2")  # asks for its licence first
    text = " ".join((xtts.stdout + xtts.stderr).split())
    assert xtts.returncode != 0 and "COQUI_TOS_AGREED=1" in text and "non-commercial" in text
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.pth"))


@pytest.fixture(scope="module")
def xtts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ai.tiny_coqui import tiny_xtts

    return tiny_xtts(tmp_path_factory.mktemp("coqui") / "tiny-xtts")


def test_xtts_clones_a_voice_from_a_reference_clip(xtts: Path, tmp_path: Path) -> None:
    from ai.tiny_coqui import XTTS_RATE
    from aifilm.media.wav import write_wav

    rng = np.random.default_rng(0)
    clips = {}
    for name, hz in (("low", 110.0), ("high", 330.0)):
        t = np.arange(22050 * 3) / 22050
        tone = 0.3 * np.sin(2 * np.pi * hz * t) + 0.02 * rng.standard_normal(t.size)
        clips[name] = tmp_path / f"{name}.wav"
        write_wav(clips[name], tone.astype(np.float32), 22050)
    voices = {"child": str(clips["low"]), "mature": str(clips["high"])}
    voice = CoquiVoice(model=str(xtts), device="cpu", voices=voices)
    assert voice.voice_for(SpeechRequest(TEXT, "en", "child")) == (str(clips["low"]), True)
    clip = voice.synthesize(SpeechRequest(TEXT, "en", "child"), tmp_path / "a.wav")
    samples, rate = _read(clip.path)
    assert rate == XTTS_RATE == clip.sample_rate and clip.duration > 0
    assert [w.text for w in clip.words] == TEXT.split()
    again = voice.synthesize(SpeechRequest(TEXT, "en", "child"), tmp_path / "b.wav")
    assert np.array_equal(_read(again.path)[0], samples)  # seeded: the same audio
    other = voice.synthesize(SpeechRequest(TEXT, "en", "mature"), tmp_path / "c.wav")
    assert not np.array_equal(_read(other.path)[0][:2000], samples[:2000])  # another voice
    with pytest.raises(UnsupportedError, match="does not speak 'hi'"):
        voice.synthesize(SpeechRequest("namaste", "hi", "child"), tmp_path / "h.wav")


def test_xtts_gpt_uses_its_key_value_cache_with_this_transformers(xtts: Path) -> None:
    """The shim for transformers 5.24+ (`patch_xtts_generation`) hands generate()'s cache to
    XTTS's GPT: decoding with the cache gives the tokens decoding without it gives."""
    import inspect

    import torch
    from transformers import GenerationMixin
    from TTS.tts.layers.xtts.gpt_inference import GPT2InferenceModel

    from aifilm.pipeline.voice.coqui_models import (
        load_model,
        model_files,
        xtts_needs_cache_shim,
    )

    model = load_model(model_files(str(xtts)), "cpu").synthesizer.tts_model
    renamed = "cache" in inspect.signature(GenerationMixin.prepare_inputs_for_generation).parameters
    # Applied by loading an XTTS model exactly where transformers passes `cache=`, once.
    assert getattr(GPT2InferenceModel.forward, "_aifilm_takes_cache", False) is renamed
    assert not xtts_needs_cache_shim()
    torch.manual_seed(0)
    latents = torch.randn(1, 32, model.gpt.model_dim)  # as the perceiver resampler makes
    text = torch.tensor([[10, 11, 12, 13, 14, 15]])
    greedy = {"do_sample": False, "num_beams": 1}
    cached = model.gpt.generate(latents, text, use_cache=True, **greedy)
    uncached = model.gpt.generate(latents, text, use_cache=False, **greedy)
    assert cached.shape[1] > 4 and len(set(cached[0].tolist())) > 2
    assert torch.equal(cached, uncached)
