"""Subtitle cues, SRT/VTT/ASS files, and burning ASS in with the real FFmpeg."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from aifilm.pipeline.subtitles.ass import ass_filter, escape_ass_text, write_ass
from aifilm.pipeline.subtitles.cues import MIN_CUE_S, Cue, build_cues, split_text, text_width
from aifilm.pipeline.subtitles.srt import parse_srt, write_srt
from aifilm.pipeline.subtitles.vtt import parse_vtt, write_vtt
from aifilm.pipeline.timeline import (
    SpeechClip,
    TimedLine,
    TimedShot,
    Timeline,
    VisualSpec,
    WordTiming,
)

LONG = (
    "Once upon a time a thirsty crow flew over the dry fields looking for water, "
    "and at last it found a pot with a little water at the very bottom."
)


def _timeline(*lines: TimedLine) -> Timeline:
    end = max(line.end for line in lines) + 1
    shot = TimedShot(
        "1.1", 1, 1, 0.0, end, VisualSpec("color", color="black"), "static", "cut", 0.0, list(lines)
    )
    return Timeline(1280, 720, 30, end, [shot])


def _line(
    text: str, start: float, duration: float, words: tuple[WordTiming, ...] = (), **kw: object
) -> TimedLine:
    clip = SpeechClip(Path("x.wav"), duration, 22050, words)
    return TimedLine("Narrator", text, start, clip, **kw)  # type: ignore[arg-type]


def _even_words(text: str, per_word: float, gap: float) -> tuple[WordTiming, ...]:
    words, at = [], 0.0
    for word in text.split():
        words.append(WordTiming(word.strip(",."), at, at + per_word))
        at += per_word + gap
    return tuple(words)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- splitting -------------------------------------------------------------------


def test_split_respects_line_and_cue_limits_and_keeps_all_text() -> None:
    cues = split_text(LONG, max_chars=42, max_lines=2)
    assert len(cues) > 1
    for lines in cues:
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= 42 for line in lines)
    assert " ".join(" ".join(lines) for lines in cues) == LONG


def test_split_breaks_cjk_between_characters_in_order() -> None:
    text = (
        "むかしむかし、のどのかわいたカラスが水をさがして畑の上を飛んでいました。"
        "やっと水の入ったつぼを見つけました。"
    )
    cues = split_text(text, max_chars=42, max_lines=2)
    assert len(cues) >= 2
    for lines in cues:
        assert all(text_width(line) <= 42 for line in lines)
        # a line never starts with closing punctuation
        assert all(line[0] not in "、。" for line in lines)
    assert "".join("".join(lines) for lines in cues) == text


@pytest.mark.parametrize(
    ("text", "language", "lines"),
    [
        # Japanese breaks between phrases (BudouX): before, "水を探し" / "て木から..."
        (
            "カカという小さなカラスが、水を探して木から木へと飛び回っていました。",
            "ja",
            ["カカという小さなカラスが、水を探して", "木から木へと飛び回っていました。"],
        ),
        # Chinese between words (jieba): before, "...的小乌" / "鸦从一棵树..."
        (
            "河流都干了，一只名叫卡卡的小乌鸦从一棵树飞到另一棵树，寻找水。",
            "zh",
            ["河流都干了，一只名叫卡卡的小乌鸦", "从一棵树飞到另一棵树，寻找水。"],
        ),
    ],
)
def test_japanese_and_chinese_lines_break_between_words_not_inside_one(
    text: str, language: str, lines: list[str]
) -> None:
    assert split_text(text, max_chars=42, language=language) == [lines]


def test_title_cards_wrap_japanese_between_phrases() -> None:
    """Title cards and captions (`draw.text.wrap_text`) use the same break points."""
    from PIL import Image, ImageDraw

    from aifilm.draw.text import font_for, wrap_text

    text = "のどがかわいたカラスと水のつぼのふしぎなお話"
    font = font_for(text, "ja", 40, bold=True)
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    # before: "のどがかわいたカラス" / "と水のつぼのふしぎな" / "お話"
    assert wrap_text(draw, text, font, 400, "ja") == [
        "のどがかわいた",
        "カラスと水のつぼの",
        "ふしぎなお話",
    ]


def test_a_word_longer_than_a_line_is_cut_not_lost() -> None:
    url = "https://example.com/" + "a" * 80
    cues = split_text(f"see {url} now", max_chars=42)
    assert _squash("".join("".join(lines) for lines in cues)) == _squash(f"see {url} now")
    assert all(len(line) <= 42 for lines in cues for line in lines)


# --- timing ----------------------------------------------------------------------


def test_cues_are_timed_from_word_timings() -> None:
    words = _even_words(LONG, 0.3, 0.6)  # long pauses: cues are not joined end to start
    line = _line(LONG, 10.0, words[-1].end + 0.2, words)
    cues = build_cues(_timeline(line))
    assert len(cues) >= 2
    assert cues[0].start == pytest.approx(10.0 + words[0].start, abs=1e-3)
    first_cue_words = cues[0].text.split()
    last_word_of_first = words[len(first_cue_words) - 1]
    assert cues[0].end == pytest.approx(10.0 + last_word_of_first.end, abs=1e-3)
    second_first_word = words[len(first_cue_words)]
    assert cues[1].start == pytest.approx(10.0 + second_first_word.start, abs=1e-3)
    assert cues[-1].end == pytest.approx(10.0 + words[-1].end, abs=1e-3)


def test_cues_fall_back_to_character_count_when_words_do_not_match() -> None:
    words = (WordTiming("something", 0.0, 0.5), WordTiming("else", 0.5, 1.0))
    line = _line(LONG, 2.0, 8.0, words)
    cues = build_cues(_timeline(line))
    assert cues[0].start == pytest.approx(2.0)
    assert cues[-1].end == pytest.approx(10.0)
    # time shared by characters: the longer cue lasts longer
    lengths = [len(_squash(c.text)) for c in cues]
    durations = [c.end - c.start for c in cues]
    assert sorted(range(len(cues)), key=lambda i: lengths[i]) == sorted(
        range(len(cues)), key=lambda i: durations[i]
    )


def test_translation_is_shown_and_timed_by_characters() -> None:
    line = _line(
        "Hello world",
        1.0,
        2.0,
        _even_words("Hello world", 0.4, 0.1),
        translations={"hi": "नमस्ते दुनिया"},
    )
    cues = build_cues(_timeline(line), language="hi")
    assert [c.text for c in cues] == ["नमस्ते दुनिया"]
    assert (cues[0].start, cues[0].end) == (1.0, 3.0)


def test_short_cues_are_lengthened_without_overlap_and_stay_inside_speech() -> None:
    a = _line("Hi.", 1.0, 1.5, (WordTiming("Hi", 0.1, 0.3),))
    b = _line("Yes?", 2.6, 0.5, (WordTiming("Yes", 0.0, 0.2),))
    c = _line(LONG, 3.2, 9.0, _even_words(LONG, 0.1, 0.2))
    cues = build_cues(_timeline(a, b, c))
    assert cues[0].end - cues[0].start >= MIN_CUE_S - 1e-9
    assert cues[0].end <= a.end
    for cue in cues:
        assert cue.end >= cue.start
    for before, after in itertools.pairwise(cues):
        assert before.end <= after.start
    # "Yes?" lasts 0.5 s: lengthened only within its own speech
    yes = next(c for c in cues if c.text == "Yes?")
    assert b.start <= yes.start and yes.end <= b.end
    for cue in cues:
        owner = next(line for line in (a, b, c) if _squash(cue.text) in _squash(line.text))
        assert owner.start - 1e-9 <= cue.start and cue.end <= owner.end + 1e-9


# --- files -----------------------------------------------------------------------

CUES = [
    Cue(1.5, 3.0, "Hello there,\nfriend & <neighbour>"),
    Cue(3.25, 5.125, "नमस्ते दुनिया, क्षमा"),
    Cue(3601.0, 3602.999, "مرحبا بالعالم"),
]


def test_srt_round_trip_and_format(tmp_path: Path) -> None:
    path = write_srt(CUES, tmp_path / "a.srt")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "1\n00:00:01,500 --> 00:00:03,000\nHello there,\nfriend & <neighbour>\n\n2\n"
    )
    assert "01:00:01,000 --> 01:00:02,999" in text
    assert parse_srt(text) == CUES
    assert parse_srt("\ufeff" + text.replace("\n", "\r\n")) == CUES


def test_vtt_round_trip_and_format(tmp_path: Path) -> None:
    path = write_vtt(CUES, tmp_path / "a.vtt")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n1\n00:00:01.500 --> 00:00:03.000\n")
    assert "friend &amp; &lt;neighbour&gt;" in text
    assert parse_vtt(text) == CUES


def test_ass_escapes_user_text(tmp_path: Path) -> None:
    assert escape_ass_text("{\\b1}bold") == "\\{\\\u2060b1\\}bold"
    assert escape_ass_text("a\nb") == "a\\Nb"
    path = write_ass(
        [Cue(0, 1, "{\\b1}bold\\N}")], tmp_path / "a.ass", width=1280, height=720, language="en"
    )
    dialogue = next(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("Dialogue:")
    )
    body = dialogue.split(",", 9)[9]
    assert re.search(r"(?<!\\)[{}]", body) is None  # no brace can open an override block
    assert "\\N" not in body.replace("\\\u2060N", "")  # the user's \N stays text


def test_ass_header(tmp_path: Path) -> None:
    path = write_ass(CUES, tmp_path / "a.ass", width=1280, height=720, language="ar")
    text = path.read_text(encoding="utf-8")
    assert "PlayResX: 1280\nPlayResY: 720" in text
    style = next(line for line in text.splitlines() if line.startswith("Style:"))
    assert style.split(",")[1] == "Noto Sans Arabic"
    assert style.endswith(",-1")  # right-to-left: base direction from the text
    assert "\\N" in text and "Dialogue: 0,1:00:01.00,1:00:03.00," in text


def test_ass_filter_escapes_special_characters() -> None:
    value = ass_filter(Path("/a:b/c,d/it's [x]\\y.ass"), Path("/f"))
    assert value.startswith(
        "ass=filename=/a\\\\:b/c\\,d/it\\\\\\'s \\[x\\]\\\\\\\\y.ass:fontsdir=/f:"
    )
    assert value.endswith(":shaping=complex")


# --- burning in with FFmpeg ------------------------------------------------------


def _burn(tmp_path: Path, text: str, language: str, name: str) -> np.ndarray:
    import av

    from aifilm.media.ffmpeg import run_ffmpeg
    from aifilm.media.fonts import fonts_dir

    ass = write_ass(
        [Cue(0.0, 1.0, text)],
        tmp_path / f"{name}.ass",
        width=320,
        height=120,
        language=language,
        font_size=0.3,
    )
    out = tmp_path / f"{name}.mp4"
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=320x120:r=10:d=1",
            "-vf",
            ass_filter(ass, fonts_dir()),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            out,
        ]
    )
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(frames) == 10
    return frames[5].astype(np.int16)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("hi", "नमस्ते दुनिया, क्षमा"),
        ("ar", "مرحبا بالعالم"),
        ("ja", "こんにちは世界"),
        ("ta", "வணக்கம் உலகம்"),
        ("bn", "নমস্কার পৃথিবী"),
        ("te", "నమస్కారం ప్రపంచం"),
        ("zh", "你好，世界"),
        ("gu", "નમસ્તે દુનિયા"),
        ("kn", "ನಮಸ್ಕಾರ ಜಗತ್ತು"),
        ("ml", "നമസ്കാരം ലോകം"),
        ("pa", "ਸਤ ਸ੍ਰੀ ਅਕਾਲ"),
        ("ru", "Привет, мир"),
    ],
)
def test_burned_subtitles_draw_real_glyphs(tmp_path: Path, language: str, text: str) -> None:
    from aifilm.media.fonts import font_file

    try:
        font_file(language)
    except Exception as exc:  # CJK font package not installed
        pytest.skip(str(exc))
    # A folder whose name needs filter-graph escaping proves ass_filter's escaping too.
    where = tmp_path / "it's, [odd]: dir"
    where.mkdir()
    real = _burn(where, text, language, "real")
    tofu = _burn(where, "".join(ch if ch == " " else "\ue000" for ch in text), language, "tofu")
    assert (real > 128).sum() > 200  # glyphs were drawn
    # Missing glyphs would come out as the same boxes as the private-use string.
    assert np.abs(real - tofu).mean() > 3


def test_burned_ass_shows_braces_literally(tmp_path: Path) -> None:
    plain = _burn(tmp_path, "ab", "en", "plain")
    braces = _burn(tmp_path, "a{\\b1}b", "en", "braces")
    assert (braces > 128).sum() > (plain > 128).sum() * 1.5  # more letters drawn, none bold


@pytest.mark.parametrize(
    ("language", "text", "lines"),
    [
        # a title's point is not a sentence end: no line breaks after "Dr." or "Sra."
        ("en", "Meet Dr. Smith at the gate.", ["Meet Dr. Smith at the gate."]),
        ("de", "Dr. Weber kam am 12.05.2024 an.", ["Dr. Weber kam am 12.05.2024 an."]),
        ("es", "La Sra. López llegó tarde.", ["La Sra. López llegó tarde."]),
        # ...but one that may end a sentence still does
        ("en", "Bread, milk, etc. Then home.", ["Bread, milk, etc.", "Then home."]),
        # nor is a German ordinal's point ("am 12. Mai", "im 19. Jahrhundert")
        ("de", "Weber kam am 12. Mai an.", ["Weber kam am 12. Mai an."]),
        ("de", "Es war im 19. Jahrhundert.", ["Es war im 19. Jahrhundert."]),
        ("de", "Es kostet 12. Dann gehen wir.", ["Es kostet 12.", "Dann gehen wir."]),
        # nor a number sign's ("No. 1"), though "no." before a word still is
        ("en", "It was the No. 1 song.", ["It was the No. 1 song."]),
        ("en", "I said no. 2 days later.", ["I said no.", "2 days later."]),
        ("it", "Abita al n. 5 della via.", ["Abita al n. 5 della via."]),
        # nor any point before a lowercase word (seen in a rendered German film)
        (
            "de",
            "Ludwig XIV. regierte. Es kostete 2,5 Mio. € im Jahr.",
            ["Ludwig XIV. regierte.", "Es kostete 2,5 Mio. € im Jahr."],
        ),
    ],
)
def test_titles_do_not_end_a_subtitle_sentence(language: str, text: str, lines: list[str]) -> None:
    assert split_text(text, language=language) == [lines]
