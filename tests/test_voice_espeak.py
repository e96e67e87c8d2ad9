"""The espeak voice backend against the real engine (no mocks): audio, timings, presets."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aifilm.errors import UnsupportedError, UserError
from aifilm.media.wav import read_wav
from aifilm.pipeline.timeline import SpeechClip
from aifilm.pipeline.voice.base import SpeechRequest
from aifilm.pipeline.voice.espeak import PRESETS, EspeakVoice, clean_text
from aifilm.spec.vocabulary import LANGUAGE_CODES, VOICE_PRESETS

Audio = npt.NDArray[np.float64]

SENTENCE = "The old man walked home slowly, and then he slept."  # 10 words
SAMPLES = {
    "en": "Good morning, my friend.",
    "hi": "नमस्ते, आप कैसे हैं?",
    "ta": "வணக்கம், நீங்கள் எப்படி இருக்கிறீர்கள்?",
    "es": "Hola, ¿cómo estás hoy?",
    "fr": "Bonjour, comment allez-vous?",
    "de": "Guten Tag, wie geht es Ihnen?",
    "pt": "Olá, como você está hoje?",
    "zh": "你好，今天天气很好。",
    "ja": "こんにちは、きょうは いい てんき ですね。",
    "ar": "مرحبا، كيف حالك اليوم؟",
    "te": "నమస్కారం, మీరు ఎలా ఉన్నారు?",
    "bn": "নমস্কার, আপনি কেমন আছেন?",
    "mr": "नमस्कार, तुम्ही कसे आहात?",
    "gu": "નમસ્તે, તમે કેમ છો?",
    "ml": "നമസ്കാരം, സുഖമാണോ?",
    "kn": "ನಮಸ್ಕಾರ, ನೀವು ಹೇಗಿದ್ದೀರಿ?",
    "pa": "ਸਤ ਸ੍ਰੀ ਅਕਾਲ, ਤੁਸੀਂ ਕਿਵੇਂ ਹੋ?",
    "it": "Buongiorno, come stai?",
    "ru": "Здравствуйте, как у вас дела?",
    "sa": "ॐ भूर्भुवः स्वः तत्सवितुर्वरेण्यं",
}


@pytest.fixture(scope="module")
def voice() -> EspeakVoice:
    return EspeakVoice()


def speak(
    voice: EspeakVoice, tmp_path: Path, text: str, **kwargs: object
) -> tuple[SpeechClip, Audio]:
    out = tmp_path / "line.wav"
    clip = voice.synthesize(SpeechRequest(text, **kwargs), out)  # type: ignore[arg-type]
    samples, rate = read_wav(out)
    assert samples.shape[1] == 1 and rate == clip.sample_rate
    assert abs(len(samples) / rate - clip.duration) < 1e-3
    return clip, samples[:, 0].astype(np.float64)


def rms(x: Audio) -> float:
    return float(np.sqrt(np.mean(x**2))) if len(x) else 0.0


def median_f0(x: Audio, rate: int) -> float:
    """Median fundamental frequency by autocorrelation over loud, periodic 40 ms frames."""
    size, hop = int(0.04 * rate), int(0.01 * rate)
    frames = np.lib.stride_tricks.sliding_window_view(x, size)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames = frames[np.sqrt((frames**2).mean(axis=1)) > 0.5 * rms(x)]
    spectrum = np.fft.rfft(frames, 2 * size)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, 2 * size)[:, :size]
    lo, hi = int(rate / 800), int(rate / 60)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    periodic = ac[np.arange(len(lag)), lag] > 0.5 * ac[:, 0]
    return float(np.median(rate / lag[periodic]))


def test_english_line_audio_and_word_timings(voice: EspeakVoice, tmp_path: Path) -> None:
    clip, x = speak(voice, tmp_path, SENTENCE, language="en", preset="adult-female")
    assert clip.sample_rate == 22050
    assert 1.0 < clip.duration < 6.0
    assert rms(x) > 0.03
    assert [w.text for w in clip.words] == SENTENCE.split()
    for before, after in zip(clip.words, clip.words[1:], strict=False):
        assert before.start < after.start and before.end <= after.start + 1e-6
    assert all(0 <= w.start < w.end <= clip.duration for w in clip.words)
    # Trimmed: speech starts and ends within ~50 ms of the file's edges.
    assert clip.words[0].start < 0.12 and clip.duration - clip.words[-1].end < 0.12
    rate = clip.sample_rate

    def loudness(start: float, end: float) -> float:
        return rms(x[int(start * rate) : int(end * rate)])

    for word in clip.words:
        assert loudness(word.start, word.end) > 0.3 * rms(x), word
    # The comma makes a pause between "slowly," and "and": quiet, and where the timings say.
    comma = SENTENCE.split().index("slowly,")
    gap = (clip.words[comma].end, clip.words[comma + 1].start)
    assert gap[1] - gap[0] > 0.08
    assert loudness(*gap) < 0.1 * rms(x)


def test_phoneme_timings_for_english(voice: EspeakVoice, tmp_path: Path) -> None:
    clip, _ = speak(voice, tmp_path, "Hello world, this is fine.", language="en")
    phonemes = clip.phonemes
    assert len(phonemes) > 10
    starts = [p.start for p in phonemes]
    assert starts == sorted(starts)
    assert all(0 <= p.start <= p.end <= clip.duration for p in phonemes)
    assert all(p.phoneme and "ˈ" not in p.phoneme for p in phonemes)
    assert phonemes[0].phoneme == "h"  # IPA names


def test_presets_sound_clearly_different(voice: EspeakVoice) -> None:
    text = "The little boat drifted slowly across the quiet lake at dawn."
    measured: dict[str, tuple[float, float]] = {}
    for preset in VOICE_PRESETS:
        samples, rate, words, _ = voice.render(SpeechRequest(text, "en", preset=preset))
        measured[preset] = (
            median_f0(samples.astype(np.float64), rate),
            words[-1].end - words[0].start,
        )
    f0 = {name: f for name, (f, _) in measured.items()}
    seconds = {name: s for name, (_, s) in measured.items()}
    for young in ("baby", "toddler", "child", "pre-teen"):
        assert f0[young] > 1.5 * f0["adult-male"] and f0[young] > 1.5 * f0["mature"], measured
    assert f0["baby"] > f0["toddler"] > f0["child"] > f0["pre-teen"], measured
    assert f0["child"] > f0["adult-female"] * 1.2, measured
    assert f0["adult-female"] > 1.5 * f0["adult-male"], measured
    assert f0["mature"] < f0["adult-male"] and seconds["mature"] > seconds["adult-male"], measured
    assert seconds["baby"] > 1.2 * seconds["adult-female"], measured
    assert seconds["toddler"] > seconds["adult-female"], measured
    names = list(measured)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (fa, sa), (fb, sb) = measured[a], measured[b]
            assert abs(fa - fb) / fb > 0.08 or abs(sa - sb) / sb > 0.05, (a, b, measured)


def test_pitch_rate_and_voice_id_controls(voice: EspeakVoice) -> None:
    def measure(**kwargs: object) -> tuple[float, float]:
        request = SpeechRequest(SENTENCE, "en", preset="adult-male", **kwargs)  # type: ignore[arg-type]
        samples, rate, _, _ = voice.render(request)
        return median_f0(samples.astype(np.float64), rate), len(samples) / rate

    f0, seconds = measure()
    assert 1.35 < measure(pitch=7.0)[0] / f0 < 1.7  # 7 semitones = x1.5
    assert measure(rate=1.5)[1] < 0.8 * seconds
    assert measure(voice_id="en+f3")[0] > 1.5 * f0
    assert measure(voice_id="+f3")[0] > 1.5 * f0
    with pytest.raises(UnsupportedError, match="variant"):
        measure(voice_id="en+nosuchvariant")
    with pytest.raises(UnsupportedError, match="no voice"):
        measure(voice_id="nosuchvoice+f3")


@pytest.mark.parametrize("language", ["en", "hi", "ta", "es", "fr", "de", "pt", "zh", "ja", "ar"])
def test_languages_speak_with_word_timings(voice: EspeakVoice, language: str) -> None:
    samples, rate, words, _ = voice.render(SpeechRequest(SAMPLES[language], language))
    duration = len(samples) / rate
    assert 0.5 < duration < 8.0
    assert rms(samples.astype(np.float64)) > 0.03
    assert len(words) >= 2
    assert all(0 <= w.start < w.end <= duration for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    spoken = "".join(w.text for w in words)
    assert all(ch in SAMPLES[language] for ch in spoken)


def test_every_product_language_is_offered_and_speaks(voice: EspeakVoice) -> None:
    assert voice.languages() == sorted(LANGUAGE_CODES)
    assert {v.id for v in voice.voices("hi")} == {f"hi/{p}" for p in VOICE_PRESETS}
    assert voice.voices("xx") == []
    for language in set(LANGUAGE_CODES) - {
        "en",
        "hi",
        "ta",
        "es",
        "fr",
        "de",
        "pt",
        "zh",
        "ja",
        "ar",
    }:
        samples, _, words, _ = voice.render(SpeechRequest(SAMPLES[language], language))
        assert rms(samples.astype(np.float64)) > 0.03 and words, language


def test_chinese_gets_a_timing_per_character_or_word(voice: EspeakVoice) -> None:
    _, _, words, _ = voice.render(SpeechRequest("你好，今天天气很好。", "zh"))
    assert len(words) >= 4
    assert "".join(w.text for w in words) == "你好，今天天气很好。"


def test_hostile_text_is_spoken_not_read_as_markup(voice: EspeakVoice, tmp_path: Path) -> None:
    text = 'He said: "100% \\ <b>no</b> 😀 {x}"'
    clip, x = speak(voice, tmp_path, text, language="en")
    assert rms(x) > 0.03
    spoken = [w.text for w in clip.words]
    assert spoken[:2] == ["He", "said:"]
    assert "no" in spoken and not {"b", "<b>no</b>", "\\", "😀"} & set(spoken)
    # Tags, backslash and emoji are silent: about as long as the line without them.
    plain, _ = speak(voice, tmp_path, 'He said: "100% no x"', language="en")
    assert abs(clip.duration - plain.duration) < 0.3


def test_clean_text_keeps_positions_and_joiners() -> None:
    cleaned, index = clean_text("a\u200fb 😀\u200dc\x00<i>d</i>\ud800")
    assert cleaned == "ab  \u200dc    d     "
    assert [index[i] for i in (0, 1, 5, 10)] == [0, 2, 6, 11]


def test_right_to_left_and_odd_characters(voice: EspeakVoice, tmp_path: Path) -> None:
    clip, x = speak(voice, tmp_path, "\u202bمرحبا بالعالم\u202c \u200fكيف حالك؟", language="ar")
    assert rms(x) > 0.03 and len(clip.words) == 4
    clip, _ = speak(
        voice, tmp_path, "null\x00byte and \ud800 surrogate \ue000 private", language="en"
    )
    assert [w.text for w in clip.words] == ["null", "byte", "and", "surrogate", "private"]


def test_text_empty_after_cleaning_gives_short_silence(voice: EspeakVoice, tmp_path: Path) -> None:
    clip, x = speak(voice, tmp_path, "😀 🎬 <br/>", language="en")
    assert 0 < clip.duration <= 0.5 and clip.words == () and rms(x) == 0.0


def test_unknown_language_is_refused_with_the_supported_list(
    voice: EspeakVoice, tmp_path: Path
) -> None:
    with pytest.raises(UnsupportedError, match="'xx'") as info:
        voice.synthesize(SpeechRequest("hello", "xx"), tmp_path / "x.wav")
    assert "hi" in str(info.value) and "ta" in str(info.value)
    with pytest.raises(UnsupportedError, match="preset"):
        voice.render(SpeechRequest("hello", "en", preset="robot"))


def test_espeak_dialects_are_accepted(voice: EspeakVoice) -> None:
    samples, _, words, _ = voice.render(SpeechRequest("Good morning.", "en-GB"))
    assert words and rms(samples.astype(np.float64)) > 0.03


def test_japanese_kanji_are_refused_unless_skipped(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedError, match="kana"):
        EspeakVoice().render(SpeechRequest("東京に行きます", "ja"))
    samples, rate, words, _ = EspeakVoice(japanese_kanji="skip").render(
        SpeechRequest("東京に いきます", "ja")
    )
    assert [w.text for w in words] == ["に", "いきます"]
    assert len(samples) / rate < 2.0  # no "Chinese letter"


def test_options_identity_and_estimate(voice: EspeakVoice) -> None:
    with pytest.raises(UserError, match="bad options"):
        EspeakVoice(speed=2)
    identity = voice.identity()
    assert identity["backend"] == "espeak" and identity["engine"].startswith("espeakng-loader")
    assert EspeakVoice(word_gap_ms=100).identity() != identity
    request = SpeechRequest(SENTENCE, "en", preset="child")
    samples, rate, _, _ = voice.render(request)
    assert voice.estimate_duration(request) == pytest.approx(len(samples) / rate, abs=0.02)
    slow = EspeakVoice(word_gap_ms=200).render(request)[0]
    assert len(slow) > len(samples) + 8 * 0.1 * rate
    assert set(PRESETS) == set(VOICE_PRESETS)


def test_threads_share_the_engine_safely(voice: EspeakVoice) -> None:
    # espeak's output varies by a millisecond or so from call to call (noise and
    # pitch-period phase), so compare length, words and level rather than bytes.
    cases = (("en", "child"), ("hi", "mature"), ("fr", "adult-male"), ("zh", "baby"))
    requests = [SpeechRequest(SAMPLES[lang], lang, preset=preset) for lang, preset in cases]
    expected = [voice.render(r) for r in requests]
    results: list[tuple[object, ...]] = [() for _ in requests]

    def work(i: int) -> None:
        for _ in range(3):
            results[i] = voice.render(requests[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for (samples, rate, words, _), (want, _, want_words, _) in zip(results, expected, strict=True):
        assert abs(len(samples) - len(want)) < 0.02 * rate  # type: ignore[arg-type]
        assert [w.text for w in words] == [w.text for w in want_words]  # type: ignore[attr-defined]
        assert rms(samples.astype(np.float64)) == pytest.approx(
            rms(want.astype(np.float64)), rel=0.1
        )  # type: ignore[attr-defined]


def test_variants_of_one_preset_differ_in_pitch(voice: EspeakVoice) -> None:
    # Two characters cast to the same preset (two men in one scene) must not sound alike.
    def f0(variant: int) -> float:
        request = SpeechRequest(SENTENCE, "en", preset="adult-male", variant=variant)
        samples, rate, _, _ = voice.render(request)
        return median_f0(samples.astype(np.float64), rate)

    base = f0(0)
    assert f0(1) < 0.95 * base  # 1.5 semitones down is about 8.3 %
    assert f0(2) > 1.05 * base
    assert 0.8 * base < f0(1) and f0(2) < 1.2 * base  # still the same kind of voice


@pytest.mark.parametrize(
    ("language", "text", "written", "said"),
    [
        # espeak dropped the rupee sign in Bengali and said "km" as English letters
        ("bn", "এর দাম ₹15,000।", "₹15,000।", "টাকা"),
        ("bn", "আমরা 5 km হাঁটলাম।", "km", "কিলোমিটার"),
        # Russian: "15 000" was "15 0 0 0" and the rouble sign silent
        ("ru", "Это стоит 15 000 ₽ сегодня.", "15 000 ₽", "рублей"),
        ("de", "Wir fuhren 5 km bei 20 °C.", "°C.", "Celsius"),
        ("de", "Er kam am 12.05.2024 an.", "12.05.2024", "zwölften Mai"),  # was "zwölf Mai"
        ("de", "Sie lebte dort bis 1990.", "1990.", "neunzehnhundertneunzig"),
        # Russian days and years are ordinals: "двенадцать мая ... двадцать четыре"
        ("ru", "Он приехал 12 мая 2024 года.", "12", "двенадцатого"),
        ("ru", "Он приехал 12 мая 2024 года.", "2024", "двадцать четвёртого"),
        ("ru", "Это было в 1990 году.", "1990", "девяностом"),
        # Roman numerals: "römisch vierzehn", an English "Roman nineteen" inside Russian
        ("de", "Es war Ludwig XIV. damals.", "XIV.", "vierzehnte"),
        ("ru", "Это было в XIX веке.", "XIX", "девятнадцатом"),
        ("ru", "Это 5-й дом.", "5-й", "пятый"),  # was "пять й краткое"
        ("de", "Es dauert 10-15 Minuten.", "10-15", "bis"),  # was "Strich"
        ("de", "Es kostet 2,5 Mio. € im Jahr.", "Mio. €", "Millionen"),  # was "M I O"
        ("ru", "Это 3 млн ₽ в год.", "млн ₽", "миллиона"),  # was "м л н"
        ("ar", "الحرارة 20 °C اليوم.", "°C", "مئوية"),  # espeak said an English "C"
        ("mr", "आपण 3:30 वाजता भेटू.", "3:30", "साडे"),  # was "तीन तीस"
    ],
)
def test_money_units_and_dates_are_said_in_the_language(
    voice: EspeakVoice, tmp_path: Path, language: str, text: str, written: str, said: str
) -> None:
    """What the line says holds the word for the sign, and the word timings still name the
    words as written, one timing for a written word however many words it is said as."""
    clip, _ = speak(voice, tmp_path, text, language=language)
    spoken = [p.phoneme for p in clip.phonemes]
    expected = [p.phoneme for p in speak(voice, tmp_path, said, language=language)[0].phonemes]
    assert any(spoken[i : i + len(expected)] == expected for i in range(len(spoken))), (
        f"{said!r} ({expected}) not in {spoken}"
    )
    texts = [w.text for w in clip.words]
    assert written in texts, texts
    assert " ".join(texts) == text  # every written word once, in order
    starts = [w.start for w in clip.words]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_japanese_kana_with_numbers_is_not_given_kanji(voice: EspeakVoice, tmp_path: Path) -> None:
    """`speakable` writes Japanese units in kanji (20度), which espeak cannot read: its
    Japanese voice gets the kana as written, and no kanji error names a character the
    line does not hold."""
    clip, _ = speak(voice, tmp_path, "きょうは 20℃ です。", language="ja")
    assert clip.duration > 0.5
