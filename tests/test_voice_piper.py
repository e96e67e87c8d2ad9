"""The Piper voice backend, with a tiny Piper-compatible ONNX voice built in the test
(tests/fakes/tiny_piper.py) and loaded through piper's own PiperVoice.load."""

from __future__ import annotations

import json
import math
import wave
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("piper")
pytest.importorskip("onnx")

import aifilm
from aifilm import Cache, UserError
from aifilm.errors import UnsupportedError
from aifilm.pipeline.registry import Registry
from aifilm.pipeline.voice.base import SpeechRequest
from aifilm.pipeline.voice.piper import PiperVoice
from fakes.tiny_piper import FRAMES, HOP, RATE, write_voice

TEXT = "Hello there, brave little friend."


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("piper_voices")
    return {
        "tiny": write_voice(tmp),
        "multi": write_voice(tmp, "en_US-multi-low", speakers=3),
        "free": write_voice(tmp, "en_US-free-low", license="CC0"),
        "hindi": write_voice(tmp, "hi_IN-tiny-low", language="hi"),
    }


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2
        data = np.frombuffer(f.readframes(f.getnframes()), dtype=np.int16)
        return data.astype(np.float32) / 32768, f.getframerate()


def _pitch(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * rate / len(samples))


def test_speaks_a_wav_with_word_and_phoneme_timings(
    voices: dict[str, Path], tmp_path: Path
) -> None:
    voice = PiperVoice(model=str(voices["tiny"]))
    out = tmp_path / "line.wav"
    clip = voice.synthesize(SpeechRequest(TEXT, "en"), out)
    samples, rate = _read(out)
    assert rate == RATE == clip.sample_rate
    assert clip.duration == pytest.approx(len(samples) / rate, abs=1e-6)
    # every phoneme id lasts FRAMES hops: the clip is a whole number of ids, plus the silence kept
    ids = round((clip.duration - 2 * 0.05) * RATE / (FRAMES * HOP))
    assert 15 < ids < 120
    assert [w.text for w in clip.words] == TEXT.split()
    starts = [w.start for w in clip.words]
    assert starts == sorted(starts)
    for word, after in zip(clip.words, clip.words[1:], strict=False):
        assert 0 <= word.start < word.end <= after.start <= clip.duration
    assert clip.words[-1].end <= clip.duration
    # the model makes silence at Piper's word spaces: each word's span is loud, the gaps quiet
    for word in clip.words:
        a, b = int(word.start * rate), int(word.end * rate)
        assert np.sqrt(np.mean(samples[a:b] ** 2)) > 0.1, word
    gap = samples[int(clip.words[0].end * rate) + 10 : int(clip.words[1].start * rate) - 10]
    assert gap.size and np.abs(gap).max() < 0.01
    assert clip.phonemes and "h" in [p.phoneme for p in clip.phonemes]
    assert all("ˈ" not in p.phoneme for p in clip.phonemes)
    assert all(0 <= p.start <= p.end <= clip.duration for p in clip.phonemes)
    assert _pitch(samples, rate) == pytest.approx(220, abs=5)


def test_rate_pitch_and_presets(voices: dict[str, Path]) -> None:
    voice = PiperVoice(model=str(voices["tiny"]))
    normal, rate, _, _ = voice.render(SpeechRequest(TEXT, "en"))
    fast, _, words, _ = voice.render(SpeechRequest(TEXT, "en", rate=2.0))
    assert len(fast) < 0.6 * len(normal) and len(words) == 5
    high, _, _, _ = voice.render(SpeechRequest(TEXT, "en", pitch=12.0))
    assert _pitch(high, rate) == pytest.approx(440, abs=10)
    assert len(high) == pytest.approx(len(normal), rel=0.1)
    child, _, _, _ = voice.render(SpeechRequest(TEXT, "en", preset="child"))
    assert _pitch(child, rate) == pytest.approx(220 * 1.2, abs=8)
    # a voice chosen for the preset is used as it is
    own = PiperVoice(voices={"child": str(voices["tiny"])})
    plain, _, _, _ = own.render(SpeechRequest(TEXT, "en", preset="child"))
    assert _pitch(plain, rate) == pytest.approx(220, abs=5)
    with pytest.raises(UnsupportedError, match="preset"):
        voice.render(SpeechRequest(TEXT, "en", preset="robot"))


def test_voice_choice_speakers_and_languages(voices: dict[str, Path]) -> None:
    voice = PiperVoice(
        model=str(voices["tiny"]),
        voices={"hi": str(voices["hindi"]), "mature": str(voices["multi"])},
        speakers={"mature": "speaker2"},
    )
    samples, rate, _, _ = voice.render(SpeechRequest("Good evening.", "en", preset="mature"))
    assert _pitch(samples, rate) == pytest.approx(220 * 3, abs=10)  # speaker 2 of the tiny model
    samples, rate, _, _ = voice.render(
        SpeechRequest("Good evening.", "en", voice_id=str(voices["tiny"]))
    )
    assert _pitch(samples, rate) == pytest.approx(220, abs=5)
    assert {v.id for v in voice.voices()} == {"hi", "mature", "default"}
    assert [v.id for v in voice.voices("hi")] == ["hi"]
    with pytest.raises(UnsupportedError, match="no voice 'nobody'"):
        voice.render(SpeechRequest("Hi.", "en", voice_id="nobody"))
    with pytest.raises(UnsupportedError, match="speaks 'en', not 'fr'"):
        voice.render(SpeechRequest("Bonjour.", "fr"))


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "en_US-amy-medium.onnx"
    with pytest.raises(UserError) as caught:
        PiperVoice(model=str(missing)).synthesize(SpeechRequest("Hi.", "en"), tmp_path / "x.wav")
    message = f"{caught.value} {caught.value.hint}"
    assert str(missing) in message
    assert "piper-voices" in message and "never downloads" in message
    with pytest.raises(UserError, match="no Piper voice configured"):
        PiperVoice().synthesize(SpeechRequest("Hi.", "en"), tmp_path / "x.wav")


def test_licence_is_per_voice(voices: dict[str, Path]) -> None:
    unclear = PiperVoice(model=str(voices["tiny"]))
    assert not unclear.commercial_use and "model card" in (unclear.weights_license or "")
    assert (unclear.weights_license or "").startswith("unknown")
    free = PiperVoice(model=str(voices["free"]))
    assert free.commercial_use and free.weights_license == "CC0"
    mixed = PiperVoice(model=str(voices["free"]), voices={"child": str(voices["tiny"])})
    assert not mixed.commercial_use
    assert PiperVoice.commercial_use is False  # the class default stays safe


JOE_CARD = """# Model card for joe (medium)

* Language: en_US (English, United States)
* Speakers: 1

## Dataset

* URL: https://github.com/NabuCasa/voice-datasets
* License: CC0

## Training

Finetuned from U.S. English lessac voice (medium quality).
"""


def test_a_dataset_licence_is_not_the_voices(voices: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "joe"
    folder.mkdir()
    for path in (voices["tiny"], voices["tiny"].with_name(voices["tiny"].name + ".json")):
        (folder / path.name.replace("tiny", "joe")).write_bytes(path.read_bytes())
    (folder / "MODEL_CARD").write_text(JOE_CARD, encoding="utf-8")
    joe = PiperVoice(model=str(next(folder.glob("*.onnx"))))
    assert not joe.commercial_use
    assert joe.weights_license.startswith("unknown, not for paid hosted use"), joe.weights_license
    assert "CC0" in joe.weights_license and "does not cover the voice" in joe.weights_license
    (folder / "MODEL_CARD").write_text(
        JOE_CARD.replace("## Dataset", "* License: MIT\n\n## Dataset"), encoding="utf-8"
    )
    stated = PiperVoice(model=str(next(folder.glob("*.onnx"))))
    assert stated.commercial_use and stated.weights_license == "MIT"


def test_without_alignments_words_are_estimated(voices: dict[str, Path]) -> None:
    voice = PiperVoice(model=str(voices["tiny"]), alignments=False)
    samples, rate, words, phonemes = voice.render(SpeechRequest(TEXT, "en"))
    assert phonemes == ()
    assert [w.text for w in words] == TEXT.split()
    assert all(0 <= w.start <= w.end <= len(samples) / rate for w in words)


def test_registered_with_extra_and_requirements() -> None:
    backend = Registry().get("voice", "piper")
    assert backend is PiperVoice
    assert PiperVoice.extra == "piper" and PiperVoice.requires == ("piper",)
    assert all(check.ok for check in PiperVoice.health())


def test_renders_a_film_through_the_plugin_path(voices: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(
        """\
title: Piper Test
duration: 10s
output: {resolution: 320x180, fps: 12, quality: draft}
characters:
  - {name: Ann, voice: child}
scenes:
  - color: "#2c3e50"
    shots:
      - narration: Once there was a quiet valley.
        camera: static
      - dialogue:
          - Ann: "Hello there, friend."
        camera: static
"""
    )
    result = aifilm.render(
        project,
        tmp_path / "out",
        voice=PiperVoice(model=str(voices["tiny"])),
        cache=Cache(tmp_path / "cache"),
    )
    assert result.video.exists()
    srt = next(path for key, path in result.subtitles.items() if key.startswith("srt"))
    assert "Hello there, friend." in srt.read_text(encoding="utf-8")
    report = json.loads(result.report_path.read_text())
    backend = report["backends"]["voice"]
    assert backend["name"] == "piper" and backend["commercial_use"] is False
    assert "model card" in backend["weights_license"]
    assert math.isclose(report["timeline"]["target_seconds"], 10, rel_tol=0.2)
