"""musicgen on a toy MusicGen checkpoint: exact-length 48 kHz stereo with fades."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]


def _backend(model: Path, **options: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.music.musicgen import MusicGen

    settings: dict[str, object] = {"device": "cpu", "top_k": 20, **options}
    return MusicGen(model=model, **settings)


def test_prompt_comes_from_the_genre_vocabulary(musicgen_model: Path) -> None:
    from aifilm.pipeline.music.base import MusicRequest

    backend = _backend(musicgen_model, mood="calm")
    prompt = backend.prompt_for(MusicRequest(genre="folk", duration=5, tempo=96))
    assert (
        prompt.startswith("Regional folk: flute") and "calm mood" in prompt and "96 bpm" in prompt
    )
    assert "carnatic" in backend.genres()
    assert backend.commercial_use is False and "CC-BY-NC" in str(backend.weights_license)
    assert backend.model_licence()["commercial_use"] is False


def test_long_music_is_made_in_segments_of_exact_length(
    musicgen_model: Path, tmp_path: Path
) -> None:
    from aifilm.media.wav import read_wav
    from aifilm.pipeline.music.base import MusicRequest

    # 2.3 s from segments of at most 1 s, each continuing from the last 0.4 s.
    backend = _backend(musicgen_model, segment_s=1.0, context_s=0.4)
    loaded = backend.model()
    calls: list[bool] = []
    call = backend._call

    def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(len(args) > 4 and args[4] is not None)
        return call(*args, **kwargs)  # type: ignore[arg-type]

    backend._call = counting  # type: ignore[method-assign]
    raw, rate = backend.generate(loaded, "calm folk music", 2.3, seed=3)
    # 1 s, then continuations of 0.6 s new music each, each prompted with audio.
    assert calls == [False, True, True]
    assert rate == 6400 and raw.shape == (1, round(2.3 * 6400))

    track = backend.compose(MusicRequest(genre="folk", duration=2.3, seed=3), tmp_path / "m.wav")
    samples, sample_rate = read_wav(track.path)
    assert sample_rate == 48000 and samples.shape == (round(2.3 * 48000), 2)
    assert track.duration == pytest.approx(2.3) and track.genre == "folk"
    # Faded in and out: silent at both ends.
    assert np.abs(samples[:10]).max() < 0.01 and np.abs(samples[-10:]).max() < 0.01
