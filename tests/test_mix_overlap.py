"""The mix is made while the picture is encoded, and the film copies its AAC track.

An edit re-mixes the whole sound (one line moved the loudness of all of it); mixing
and encoding it to AAC took a core for about 2.5 s after the picture, on the edit's
critical path. Now the mix runs beside the picture's segments and the join only copies.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import av
import numpy as np
import pytest
from tests.test_smart_rerender import LINES, _project

from aifilm import Cache, render
from aifilm.errors import AifilmError, ToolError
from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.media.probe import probe
from aifilm.pipeline.compose import audio as audio_module
from aifilm.pipeline.compose import ffmpeg as composer_module
from aifilm.pipeline.compose.audio import encode_aac
from aifilm.pipeline.compose.base import CompositionRequest
from aifilm.pipeline.compose.ffmpeg import FFmpegComposer, join_segments


def _stage(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["stages"] if s["name"] == name)


def _decoded(path: Path) -> tuple[str, int]:
    """The film's sound as decoded samples: their digest and count."""
    digest, count = hashlib.sha256(), 0
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            samples = frame.to_ndarray()
            digest.update(np.ascontiguousarray(samples).tobytes())
            count += frame.samples
    return digest.hexdigest(), count


def test_the_mix_is_made_while_the_picture_is_encoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    times: dict[str, float] = {}
    real_mix, real_encode = audio_module.mix_audio, composer_module.encode_segments

    def slow_mix(*args: Any, **kwargs: Any) -> dict[str, Any]:
        time.sleep(1.5)  # a long film's mix
        facts = real_mix(*args, **kwargs)
        times["mix done"] = time.perf_counter()
        return facts

    def encode(*args: Any, **kwargs: Any) -> Any:
        times["picture started"] = time.perf_counter()
        return real_encode(*args, **kwargs)

    monkeypatch.setattr(audio_module, "mix_audio", slow_mix)
    monkeypatch.setattr(composer_module, "encode_segments", encode)
    result = render(_project(tmp_path / "p", LINES), tmp_path / "out", cache=Cache(tmp_path / "c"))

    assert times["picture started"] < times["mix done"]  # side by side, not one after another
    mix = _stage(result.report, "mix")
    assert mix["seconds"] >= 1.5 and (mix["cache_hits"], mix["cache_misses"]) == (0, 1)
    # each stage counts its own cache use, though the two ran at once: the compose stage's
    # misses are its segments, the film, its subtitle tracks and its thumbnail, not the mix
    # that finished meanwhile
    compose, composer = _stage(result.report, "compose"), result.report["composer"]
    assert (compose["cache_hits"], compose["cache_misses"]) == (0, composer["segments"] + 3)
    assert [s["name"] for s in result.report["stages"]][-2:] == ["mix", "compose"]
    info = probe(result.video)
    audio = info.first("audio")
    assert audio is not None and (audio.codec, audio.sample_rate, audio.channels) == (
        "aac",
        48000,
        2,
    )
    _, samples = _decoded(result.video)
    assert abs(samples / 48000 - result.duration) < 0.05
    # the film's track is the mix's own AAC encoding, copied
    entry = next((tmp_path / "c" / "mix").glob("*/*/mix.m4a"))
    assert _decoded(result.video) == _decoded(entry)
    assert not [t for t in threading.enumerate() if t.name == "aifilm-mix"]


def test_a_mix_that_fails_fails_the_render_and_leaves_no_film(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        time.sleep(0.5)
        raise ToolError("loudness measurement failed", command=["ffmpeg"], log="no audio")

    monkeypatch.setattr(audio_module, "mix_audio", broken)
    out = tmp_path / "out"
    with pytest.raises(AifilmError, match="loudness measurement failed"):
        render(_project(tmp_path / "p", LINES), out, cache=Cache(tmp_path / "c"))
    assert not out.exists() or not list(out.glob("*.mp4"))
    assert not list((tmp_path / "c").glob("film/*/*/film.mp4"))
    assert not list((tmp_path / "c").glob("mix/*/*/mix.wav"))
    assert not [t for t in threading.enumerate() if t.name == "aifilm-mix"]


class _Impatient(FFmpegComposer):
    """A composer that reads the audio when it starts (as third-party composers may)."""

    name = "impatient"
    seen: ClassVar[list[bool]] = []

    def waits_for_audio(self) -> bool:
        return False

    def compose(self, request: CompositionRequest, out: Path, progress: Any = None) -> Any:
        self.seen.append(request.audio.is_file() and request.audio_ready is None)
        return super().compose(request, out, progress)


def test_a_composer_that_does_not_wait_is_given_the_finished_mix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mix = audio_module.mix_audio

    def slow_mix(*args: Any, **kwargs: Any) -> dict[str, Any]:
        time.sleep(1.0)
        return real_mix(*args, **kwargs)

    monkeypatch.setattr(audio_module, "mix_audio", slow_mix)
    result = render(
        _project(tmp_path / "p", LINES),
        tmp_path / "out",
        cache=Cache(tmp_path / "c"),
        compose=_Impatient(),
    )
    assert _Impatient.seen == [True]
    assert probe(result.video).first("audio") is not None


def test_copying_the_aac_track_sounds_the_same_as_encoding_it_in_the_join(
    tmp_path: Path,
) -> None:
    video = tmp_path / "v.ts"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x90:r=15", "-t", "3", "-c:v", "libx264",
                "-g", "8", "-f", "mpegts", str(video)])  # fmt: skip
    wav = tmp_path / "mix.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=3",
                "-ac", "2", "-c:a", "pcm_s16le", str(wav)])  # fmt: skip
    aac = encode_aac(wav, tmp_path / "mix.m4a")
    encoded, copied = tmp_path / "encoded.mp4", tmp_path / "copied.mp4"
    join_segments([video], wav, 3.0, encoded, tmp_path)
    join_segments([video], wav, 3.0, copied, tmp_path, aac=aac)
    assert _decoded(copied) == _decoded(encoded)
    for film in (encoded, copied):
        info = probe(film)
        assert info.faststart is True
        assert abs(info.duration - 3.0) < 0.05


def _snr_db(reference: Path, encoded: Path) -> float:
    """How far an encoding's decoded samples are from the WAV it was made from."""

    def samples(path: Path) -> np.ndarray:
        with av.open(str(path)) as container:
            parts = []
            for frame in container.decode(audio=0):
                array = frame.to_ndarray().astype(np.float64)  # planar: one row a channel
                parts.append(array.T.reshape(-1) if frame.format.is_planar else array.reshape(-1))
            return np.concatenate(parts)

    ref, dec = samples(reference), samples(encoded)
    if dec.dtype != ref.dtype or np.abs(dec).max() <= 1.0:  # AAC decodes to floats in -1..1
        ref = ref / 32768.0
    n = min(len(ref), len(dec))
    return float(10 * np.log10(np.mean(ref[:n] ** 2) / np.mean((ref[:n] - dec[:n]) ** 2)))


def test_a_drafts_sound_track_is_encoded_faster_and_still_close_to_the_mix(
    tmp_path: Path,
) -> None:
    wav = tmp_path / "mix.wav"
    # speech-like: a gliding tone with noise bursts, so the coders have work to do
    run_ffmpeg(["-f", "lavfi", "-i",
                "aevalsrc='0.3*sin(2*PI*(200+150*sin(2*PI*0.7*t))*t)+0.05*random(0)*gt(sin(2*PI*3*t),0)':s=48000:d=6",
                "-ac", "2", "-c:a", "pcm_s16le", str(wav)])  # fmt: skip
    standard = encode_aac(wav, tmp_path / "standard.m4a")
    draft = encode_aac(wav, tmp_path / "draft.m4a", draft=True)
    assert _decoded(standard) != _decoded(draft)  # another coder
    for path in (standard, draft):
        audio = probe(path).first("audio")
        assert audio is not None and (audio.codec, audio.sample_rate, audio.channels) == (
            "aac",
            48000,
            2,
        )
    # both close to the mix (SNR says nothing finer: twoloop shapes its noise by ear)
    assert _snr_db(wav, draft) > 25.0 and _snr_db(wav, standard) > 25.0
