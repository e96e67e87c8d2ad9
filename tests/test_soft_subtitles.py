"""Subtitles in several languages: per-language files, soft tracks in the MP4, burned glyphs."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

import aifilm
from aifilm import Cache, render
from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.media.probe import probe
from aifilm.pipeline.compose.mux import SubtitleTrack, add_subtitle_tracks, track_tags
from aifilm.pipeline.subtitles.cues import Cue
from aifilm.pipeline.subtitles.srt import parse_srt, write_srt
from aifilm.pipeline.subtitles.vtt import parse_vtt
from aifilm.spec.vocabulary import ISO_639_2, LANGUAGE_CODES

FILM = """\
title: The Thirsty Crow
language: en
duration: 10s
output:
  resolution: 320x180
  fps: 12
  quality: draft
  subtitles: {subtitles}
characters: [{{name: Crow, voice: child}}]
scenes:
  - shots:
      # Plain dark shots (a shot's own colour), so only burned-in text is bright.
      - narration: A crow was very thirsty.
        color: "#264653"
        translations:
          hi: एक कौआ बहुत प्यासा था।
          ta: ஒரு காகம் மிகவும் தாகமாக இருந்தது.
          zh: 一只乌鸦非常口渴。
        camera: static
      - dialogue:
          - Crow: I need water now.
            hi: मुझे अभी पानी चाहिए।
            ta: எனக்கு இப்போது தண்ணீர் வேண்டும்.
            zh: 我现在需要水。
        color: "#264653"
        camera: static
"""


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> aifilm.RenderResult:
    tmp = tmp_path_factory.mktemp("multi")
    (tmp / "project.yaml").write_text(
        FILM.format(subtitles="{languages: [en, hi, ta, zh], burn_language: hi}"),
        encoding="utf-8",
    )
    return render(tmp / "project.yaml", tmp / "out", cache=Cache(tmp / "cache"))


def test_every_language_gets_srt_and_vtt_files(multi: aifilm.RenderResult) -> None:
    names = {kind: path.name for kind, path in multi.subtitles.items()}
    assert names == {
        "srt": "the-thirsty-crow.srt",
        "vtt": "the-thirsty-crow.vtt",
        **{
            f"{k}:{lang}": f"the-thirsty-crow.{lang}.{k}"
            for lang in ("en", "hi", "ta", "zh")
            for k in ("srt", "vtt")
        },
    }
    assert all(path.is_file() for path in multi.subtitles.values())
    main = multi.subtitles["srt"].read_text(encoding="utf-8")
    assert main == multi.subtitles["srt:en"].read_text(encoding="utf-8")
    hindi = parse_srt(multi.subtitles["srt:hi"].read_text(encoding="utf-8"))
    assert [c.text for c in hindi] == ["एक कौआ बहुत प्यासा था।", "मुझे अभी पानी चाहिए।"]
    for lang in ("en", "hi", "ta", "zh"):
        srt = parse_srt(multi.subtitles[f"srt:{lang}"].read_text(encoding="utf-8"))
        assert srt == parse_vtt(multi.subtitles[f"vtt:{lang}"].read_text(encoding="utf-8"))


def test_translated_cues_line_up_with_the_spoken_ones(multi: aifilm.RenderResult) -> None:
    english = parse_srt(multi.subtitles["srt:en"].read_text(encoding="utf-8"))
    lines = [(s["start"], s["start"] + s["duration"]) for s in multi.report["timeline"]["shots"]]
    assert len(english) == 2
    for lang in ("hi", "ta", "zh"):
        cues = parse_srt(multi.subtitles[f"srt:{lang}"].read_text(encoding="utf-8"))
        assert len(cues) == len(english)
        for cue, spoken, (shot_start, shot_end) in zip(cues, english, lines, strict=True):
            # The translation is on screen while that line is spoken, inside its shot.
            assert shot_start <= cue.start < cue.end <= shot_end
            assert abs(cue.start - spoken.start) < 0.5 and abs(cue.end - spoken.end) < 0.5
            assert min(cue.end, spoken.end) - max(cue.start, spoken.start) > 0.5


def test_mp4_has_a_tagged_soft_track_per_language(multi: aifilm.RenderResult) -> None:
    info = probe(multi.video)
    subs = [s for s in info.streams if s.kind == "subtitle"]
    assert [(s.codec, s.language, s.title) for s in subs] == [
        ("mov_text", "eng", "English"),
        ("mov_text", "hin", "Hindi"),
        ("mov_text", "tam", "Tamil"),
        ("mov_text", "zho", "Mandarin Chinese"),
    ]
    assert info.faststart is True
    assert [s.kind for s in info.streams[:2]] == ["video", "audio"]
    with av.open(str(multi.video)) as container:
        stream = container.streams.subtitles[1]
        texts = [
            sub.dialogue.decode() if hasattr(sub, "dialogue") else str(sub)
            for packet in container.demux(stream)
            for sub in (packet.decode() or [])
        ]
    assert any("पानी" in t for t in texts), texts


def test_hindi_is_burned_in(multi: aifilm.RenderResult) -> None:
    # During the first cue the bottom band has bright text; between cues it has none.
    cue = parse_srt(multi.subtitles["srt:hi"].read_text(encoding="utf-8"))[0]
    with av.open(str(multi.video)) as container:
        frames = {
            round(f.time, 2): f.to_ndarray(format="gray")
            for f in container.decode(video=0)
            if f.time is not None
        }

    def band(t: float) -> np.ndarray:
        return frames[min(frames, key=lambda x: abs(x - t))][150:175]

    assert (band((cue.start + cue.end) / 2) > 120).sum() > 60
    assert (band(0.1) > 120).sum() == 0


def test_rerender_reuses_the_remux(multi: aifilm.RenderResult, tmp_path: Path) -> None:
    project = multi.report["project"]["source"]
    again = render(project, tmp_path / "again", cache=Cache(Path(multi.report["cache"]["dir"])))
    assert again.report["cache"]["misses"] == 0


def test_no_tracks_when_turned_off(tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text(
        FILM.format(subtitles="{languages: [en, hi], tracks: false, burn: false}"),
        encoding="utf-8",
    )
    result = render(tmp_path / "project.yaml", tmp_path / "out", cache=Cache(tmp_path / "c"))
    assert [s.kind for s in probe(result.video).streams] == ["video", "audio"]
    assert set(result.subtitles) == {"srt", "vtt", "srt:en", "vtt:en", "srt:hi", "vtt:hi"}


def test_add_subtitle_tracks_remuxes_without_reencoding(tmp_path: Path) -> None:
    film = tmp_path / "film.mp4"
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=160x90:r=12:d=2", "-f", "lavfi", "-i",
         "sine=f=440:d=2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
         "-shortest", film]
    )  # fmt: skip
    tracks = []
    for lang, text in [("ar", "مرحبا"), ("ja", "こんにちは"), ("bn", "নমস্কার")]:
        srt = write_srt([Cue(0.2, 1.5, text)], tmp_path / f"{lang}.srt")
        tracks.append(SubtitleTrack(srt, lang, title=f"{lang} words" if lang == "ja" else None))
    out = add_subtitle_tracks(film, tracks, tmp_path / "out.mp4")
    before, after = probe(film), probe(out)
    assert after.first("video") == before.first("video")  # copied, not re-encoded
    subs = [(s.codec, s.language, s.title) for s in after.streams if s.kind == "subtitle"]
    assert subs == [
        ("mov_text", "ara", "Arabic"),
        ("mov_text", "jpn", "ja words"),
        ("mov_text", "ben", "Bengali"),
    ]
    assert after.faststart is True


def test_every_language_has_an_iso_639_2_tag() -> None:
    assert set(ISO_639_2) == set(LANGUAGE_CODES)
    assert all(len(code) == 3 for code in ISO_639_2.values())
    assert track_tags("hi") == ("hin", "Hindi") and track_tags("xx") == ("und", "xx")
