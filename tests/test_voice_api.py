"""The ElevenLabs, OpenAI and Google voice backends against a fake server on 127.0.0.1."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from aifilm.errors import MissingDependencyError, UnsupportedError, UserError
from aifilm.media.wav import read_wav
from aifilm.pipeline.registry import Registry
from aifilm.pipeline.timeline import SpeechClip
from aifilm.pipeline.voice.align import (
    estimate_word_timings,
    split_words,
    voiced_regions,
    words_from_characters,
    words_from_sounds,
)
from aifilm.pipeline.voice.base import SpeechRequest
from aifilm.pipeline.voice.elevenlabs import ElevenLabsVoice
from aifilm.pipeline.voice.google_tts import GoogleVoice
from aifilm.pipeline.voice.http import ApiVoiceBackend, retry_after, wav_samples
from aifilm.pipeline.voice.openai_tts import OpenAIVoice
from aifilm.spec.vocabulary import VOICE_PRESETS
from fakes.tts_server import (
    ELEVENLABS_BUSY,
    ELEVENLABS_QUOTA,
    GOOD_KEY,
    GOOGLE_QUOTA,
    GOOGLE_RATE,
    OPENAI_QUOTA,
    OPENAI_RATE,
    FakeTTSServer,
    google_error,
    pcm_bytes,
    speech_like,
)

TEXT = "The old lighthouse keeper climbed the stairs again tonight"
BACKENDS: dict[str, type[ApiVoiceBackend]] = {
    "elevenlabs": ElevenLabsVoice,
    "openai": OpenAIVoice,
    "google": GoogleVoice,
}
RATE_LIMITED = {
    "elevenlabs": ELEVENLABS_BUSY,
    "openai": OPENAI_RATE,
    "google": GOOGLE_RATE,
}
QUOTA = {
    "elevenlabs": (401, ELEVENLABS_QUOTA),
    "openai": (429, OPENAI_QUOTA),
    "google": (429, GOOGLE_QUOTA),
}
BAD_KEY = "sk-wrong-9d8c7b6a5f4e3d2c1b0a-SECRET"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeTTSServer]:
    fake = FakeTTSServer()
    yield fake
    fake.close()


@pytest.fixture
def fake(server: FakeTTSServer, monkeypatch: pytest.MonkeyPatch) -> FakeTTSServer:
    """The server, emptied, with every provider's key set and no address overrides."""
    server.reset()
    for cls in BACKENDS.values():
        monkeypatch.setenv(cls.api_key_env, GOOD_KEY)
        monkeypatch.delenv(cls.base_env, raising=False)
    return server


def make(name: str, fake: FakeTTSServer, **options: Any) -> ApiVoiceBackend:
    return BACKENDS[name]({"api_base": fake.url, "backoff_s": 0.01, **options})


def speak(backend: ApiVoiceBackend, tmp_path: Path, text: str = TEXT, **kwargs: Any) -> SpeechClip:
    return backend.synthesize(SpeechRequest(text, **kwargs), tmp_path / "line.wav")


def check_clip(clip: SpeechClip, fake: FakeTTSServer, text: str, tolerance: float) -> None:
    """The WAV is readable and as long as what was served; words fall on the served bursts."""
    samples, rate = read_wav(clip.path)
    assert samples.shape[1] == 1 and rate == clip.sample_rate
    assert fake.served is not None
    assert clip.duration == pytest.approx(len(samples) / rate)
    assert clip.duration == pytest.approx(fake.served.duration, abs=0.03)
    assert [w.text for w in clip.words] == text.split()
    last = 0.0
    for word, (start, end) in zip(clip.words, fake.served.words, strict=True):
        assert last <= word.start <= word.end <= clip.duration
        assert word.start == pytest.approx(start, abs=tolerance)
        assert word.end == pytest.approx(end, abs=tolerance)
        last = word.start


# ---- alignment helpers ---------------------------------------------------------


def test_estimate_word_timings_puts_words_on_bursts() -> None:
    rate = 16000
    # Burst lengths are not proportional to the words' lengths: snapping to pauses must fix it.
    lengths = [0.30, 0.15, 0.45, 0.25]
    text = "aa bbbbbb cccc dd"
    rng = np.random.default_rng(1)
    pieces, truth, at = [np.zeros(1600)], [], 0.1
    for n, length in enumerate(lengths):
        if n:
            pieces.append(np.zeros(int(0.2 * rate)))
            at += 0.2
        count = int(length * rate)
        t = np.arange(count) / rate
        pieces.append(0.4 * np.sin(2 * np.pi * 180 * t) * (0.7 + 0.3 * np.sin(2 * np.pi * 5 * t)))
        truth.append((at, at + count / rate))
        at += count / rate
    pieces.append(np.zeros(2400))
    audio = np.concatenate(pieces) + rng.normal(0, 1e-4, sum(len(p) for p in pieces))
    assert len(voiced_regions(audio, rate)) == 4
    words = estimate_word_timings(audio, rate, text)
    assert [w.text for w in words] == text.split()
    for word, (start, end) in zip(words, truth, strict=True):
        assert word.start == pytest.approx(start, abs=0.02)
        assert word.end == pytest.approx(end, abs=0.02)


def test_estimate_word_timings_more_words_than_bursts_and_silence() -> None:
    rate = 8000
    audio, truth = speech_like("one two", rate)
    words = estimate_word_timings(audio, rate, "one two three four")
    assert len(words) == 4
    assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(words))
    assert words[0].start == pytest.approx(truth[0][0], abs=0.02)
    assert words[-1].end == pytest.approx(truth[-1][1], abs=0.02)
    silent = estimate_word_timings(np.zeros(rate), rate, "a b")  # spread over the clip
    assert [(w.start, w.end) for w in silent] == [(0.0, 0.5), (0.5, 1.0)]
    assert estimate_word_timings(audio, rate, "  ") == ()


def test_words_from_sounds_keep_order_and_give_marks_no_time() -> None:
    """The loop Kokoro and Piper share: engine times in, monotonic word timings out."""
    text = "Go — now, friend"
    spans = split_words(text)
    sounds = [(0.10, 0.40), None, (0.35, 0.70), (0.90, 0.80)]  # overlap, and an end < start
    words = words_from_sounds(text, spans, sounds)
    assert [(w.text, w.start, w.end) for w in words] == [
        ("Go", 0.10, 0.40),
        ("—", 0.40, 0.40),
        ("now,", 0.40, 0.70),
        ("friend", 0.90, 0.90),
    ]


def test_split_words_splits_cjk_characters() -> None:
    text = "Hi, you! 你好，世界。 こんにちは"
    assert [text[a:b] for a, b in split_words(text)] == [
        "Hi,", "you!", "你", "好，", "世", "界。", "こ", "ん", "に", "ち", "は",
    ]  # fmt: skip


def test_words_from_characters_matches_normalised_characters() -> None:
    text = "Say “hello” now"
    spoken = 'Say "hello" now'  # quotes normalised by the service
    starts = [i * 0.1 for i in range(len(spoken))]
    words = words_from_characters(text, list(spoken), starts, [s + 0.1 for s in starts], 2.0)
    assert [(w.text, round(w.start, 2), round(w.end, 2)) for w in words] == [
        ("Say", 0.0, 0.3),
        ("“hello”", 0.5, 1.0),  # the curly quotes had no match; the letters did
        ("now", 1.2, 1.5),
    ]


def test_wav_samples_reads_streamed_wav_and_retry_after_forms() -> None:
    from fakes.tts_server import wav_file

    samples, _ = speech_like("hi", 8000)
    decoded, rate = wav_samples(wav_file(samples, 8000, streamed=True))
    assert rate == 8000 and len(decoded) == len(samples)
    assert retry_after(httpx.Response(429, headers={"retry-after": "2"})) == 2.0
    assert retry_after(httpx.Response(429, headers={"retry-after-ms": "150"})) == 0.15
    date = httpx.Response(429, headers={"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after(date) == 0.0
    assert retry_after(httpx.Response(429)) is None


# ---- each backend against the fake server ----------------------------------------


@pytest.mark.parametrize("name", list(BACKENDS))
def test_backend_speaks_with_word_timings(name: str, fake: FakeTTSServer, tmp_path: Path) -> None:
    backend = make(name, fake)
    clip = speak(backend, tmp_path, language="en", preset="adult-female")
    # ElevenLabs reports times; the others are estimated from the audio.
    check_clip(clip, fake, TEXT, tolerance=0.005 if name == "elevenlabs" else 0.05)
    assert len(fake.requests) == 1


def test_elevenlabs_request_shape(fake: FakeTTSServer, tmp_path: Path) -> None:
    speak(make("elevenlabs", fake), tmp_path, preset="mature", rate=1.1)
    sent = fake.requests[0]
    assert sent.path == "/v1/text-to-speech/2EiwWnXFnvU5JabPnv8n/with-timestamps"
    assert sent.query == {"output_format": "pcm_22050"}
    assert sent.headers["xi-api-key"] == GOOD_KEY
    assert sent.body["model_id"] == "eleven_multilingual_v2"
    assert "language_code" not in sent.body  # multilingual v2 takes none
    assert sent.body["voice_settings"]["speed"] == pytest.approx(0.99)
    fake.reset()
    speak(make("elevenlabs", fake, model_id="eleven_flash_v2_5"), tmp_path, language="hi")
    assert fake.requests[0].body["language_code"] == "hi"


def test_elevenlabs_mp3_is_decoded(fake: FakeTTSServer, tmp_path: Path) -> None:
    clip = speak(make("elevenlabs", fake, output_format="mp3_44100_128"), tmp_path)
    assert clip.sample_rate == 44100
    check_clip(clip, fake, TEXT, tolerance=0.005)


def test_openai_request_shape_and_wav(fake: FakeTTSServer, tmp_path: Path) -> None:
    clip = speak(
        make("openai", fake, response_format="wav"), tmp_path, language="hi", preset="child"
    )
    check_clip(clip, fake, TEXT, tolerance=0.05)
    sent = fake.requests[0]
    assert sent.path == "/v1/audio/speech"
    assert sent.headers["authorization"] == f"Bearer {GOOD_KEY}"
    assert sent.body["model"] == "gpt-4o-mini-tts" and sent.body["voice"] == "sage"
    assert sent.body["response_format"] == "wav"
    assert "child" in sent.body["instructions"] and "Hindi" in sent.body["instructions"]
    fake.reset()
    speak(make("openai", fake, model="tts-1"), tmp_path)
    assert "instructions" not in fake.requests[0].body


def test_google_request_shape(fake: FakeTTSServer, tmp_path: Path) -> None:
    clip = speak(
        make("google", fake, sample_rate=16000), tmp_path, language="ta", preset="child", pitch=1
    )
    assert clip.sample_rate == 16000
    sent = fake.requests[0]
    assert sent.path == "/v1/text:synthesize"
    assert sent.headers["x-goog-api-key"] == GOOD_KEY and "key" not in sent.query
    assert sent.body["voice"] == {"languageCode": "ta-IN", "name": "ta-IN-Standard-A"}
    config = sent.body["audioConfig"]
    assert config["audioEncoding"] == "LINEAR16" and config["sampleRateHertz"] == 16000
    assert config["pitch"] == 6.0 and config["speakingRate"] == 0.95
    fake.reset()
    speak(make("google", fake), tmp_path, voice_id="en-GB-Neural2-A")
    assert fake.requests[0].body["voice"] == {"languageCode": "en-GB", "name": "en-GB-Neural2-A"}


# ---- retries and errors ------------------------------------------------------------


@pytest.mark.parametrize("name", list(BACKENDS))
def test_429_waits_as_retry_after_says_then_succeeds(
    name: str, fake: FakeTTSServer, tmp_path: Path
) -> None:
    fake.push(429, RATE_LIMITED[name], {"retry-after": "0.3"})
    began = time.monotonic()
    clip = speak(make(name, fake, backoff_s=5.0), tmp_path)  # backoff unused: Retry-After wins
    assert 0.3 <= time.monotonic() - began < 3.0
    assert len(fake.requests) == 2 and len(clip.words) == len(TEXT.split())


@pytest.mark.parametrize("name", list(BACKENDS))
def test_500_once_then_success(name: str, fake: FakeTTSServer, tmp_path: Path) -> None:
    fake.push(500, {"error": "internal"})
    clip = speak(make(name, fake), tmp_path)
    assert len(fake.requests) == 2 and clip.duration > 1


def test_gives_up_after_max_retries(fake: FakeTTSServer, tmp_path: Path) -> None:
    for _ in range(3):
        fake.push(503, {"detail": {"status": "system_busy", "message": "busy"}})
    with pytest.raises(UserError, match=r"after 2 attempts.*HTTP 503: busy"):
        speak(make("elevenlabs", fake, max_retries=1), tmp_path)
    assert len(fake.requests) == 2


def test_total_wait_is_capped(fake: FakeTTSServer, tmp_path: Path) -> None:
    fake.push(429, OPENAI_RATE, {"retry-after": "30"})
    began = time.monotonic()
    with pytest.raises(UserError, match=r"too many requests.*max_wait_s"):
        speak(make("openai", fake, max_wait_s=1), tmp_path)
    assert time.monotonic() - began < 1 and len(fake.requests) == 1


def test_connection_errors_are_retried(
    fake: FakeTTSServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = FakeTTSServer()
    gone.close()  # a port nothing listens on
    backend = OpenAIVoice({"api_base": gone.url, "backoff_s": 0.01, "max_retries": 2})
    with pytest.raises(UserError, match="could not be reached or failed after 3 attempts"):
        speak(backend, tmp_path)
    assert sum("retrying" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.parametrize("name", list(BACKENDS))
def test_bad_key_names_the_variable_and_never_shows_the_key(
    name: str,
    fake: FakeTTSServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log requests at DEBUG and INFO
    cls = BACKENDS[name]
    monkeypatch.setenv(cls.api_key_env, BAD_KEY)
    with pytest.raises(UserError) as caught:
        speak(make(name, fake), tmp_path)
    error = caught.value
    assert cls.api_key_env in str(error) and "refused the API key" in str(error)
    texts = [str(error), repr(error), str(error.__cause__), str(error.__context__)]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert not any(BAD_KEY in t for t in texts)
    assert not any(BAD_KEY[5:20] in t for t in texts)
    assert len(fake.requests) == 1  # a refused key is not retried


@pytest.mark.parametrize("name", list(BACKENDS))
def test_exhausted_quota_says_so_without_retrying(
    name: str, fake: FakeTTSServer, tmp_path: Path
) -> None:
    status, body = QUOTA[name]
    fake.push(status, body)
    with pytest.raises(UserError, match="quota or credits are used up"):
        speak(make(name, fake), tmp_path)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("name", list(BACKENDS))
def test_missing_key_fails_before_any_request(
    name: str, fake: FakeTTSServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = BACKENDS[name]
    monkeypatch.delenv(cls.api_key_env)
    with pytest.raises(MissingDependencyError, match=cls.api_key_env):
        speak(make(name, fake), tmp_path)
    assert fake.requests == []
    assert any(c.name == f"API key {cls.api_key_env}" and not c.ok for c in cls.health())


def test_other_client_errors_carry_the_providers_message(
    fake: FakeTTSServer, tmp_path: Path
) -> None:
    with pytest.raises(
        UserError, match=r"rejected the request \(HTTP 400\): Invalid value: 'bogus'"
    ):
        speak(make("openai", fake), tmp_path, voice_id="bogus")
    with pytest.raises(UserError, match=r"HTTP 422.*voice_settings"):
        fake.push(422, {"detail": [{"loc": ["body", "voice_settings"], "msg": "bad"}]})
        speak(make("elevenlabs", fake), tmp_path)
    missing = google_error(400, "INVALID_ARGUMENT", "Voice 'en-US-Nope-Z' does not exist.")
    fake.push(400, missing)
    with pytest.raises(UserError, match=r"HTTP 400.*does not exist"):
        speak(make("google", fake), tmp_path, voice_id="en-US-Nope-Z")
    # A voice of another locale sets the request's locale from its name:
    speak(make("google", fake, voices={"child": "fr-FR-Standard-A"}), tmp_path, preset="child")
    assert fake.requests[-1].body["voice"]["languageCode"] == "fr-FR"


def test_unsupported_language_is_refused_before_any_request(
    fake: FakeTTSServer, tmp_path: Path
) -> None:
    with pytest.raises(UnsupportedError, match="eleven_v3"):
        speak(make("elevenlabs", fake), tmp_path, language="te")
    with pytest.raises(UnsupportedError, match="allow_unlisted_languages"):
        speak(make("openai", fake), tmp_path, language="bn")
    assert fake.requests == []
    speak(make("elevenlabs", fake, model_id="eleven_v3"), tmp_path, language="te")
    speak(make("openai", fake, allow_unlisted_languages=True), tmp_path, language="bn")


# ---- voices: presets, options, overrides -------------------------------------------


def sent_voice(name: str, fake: FakeTTSServer) -> str:
    sent = fake.requests[-1]
    if name == "elevenlabs":
        return sent.path.split("/")[3]
    if name == "openai":
        return str(sent.body["voice"])
    voice = sent.body["voice"]
    return f"{voice['name']}@{sent.body['audioConfig']['pitch']}"


@pytest.mark.parametrize("name", list(BACKENDS))
def test_presets_pick_different_voices(name: str, fake: FakeTTSServer, tmp_path: Path) -> None:
    backend = make(name, fake)
    speak(backend, tmp_path, "Hello there", preset="child")
    child = sent_voice(name, fake)
    speak(backend, tmp_path, "Hello there", preset="adult-male")
    assert child != sent_voice(name, fake)
    listed = backend.voices("en")
    assert [v.preset for v in listed] == list(VOICE_PRESETS)
    assert len({v.id for v in listed if v.preset in ("child", "adult-male")}) == 2
    assert "en" in backend.languages()


@pytest.mark.parametrize("name", list(BACKENDS))
def test_options_and_voice_id_override_the_table(
    name: str, fake: FakeTTSServer, tmp_path: Path
) -> None:
    custom = {"elevenlabs": "CustomVoice123", "openai": "fable", "google": "en-US-Wavenet-F"}[name]
    other = {"elevenlabs": "OtherVoice456", "openai": "alloy", "google": "en-US-Wavenet-A"}[name]
    backend = make(name, fake, voices={"child": custom, "en/mature": other})
    speak(backend, tmp_path, "Hi", preset="child")
    assert sent_voice(name, fake).split("@")[0] == custom
    speak(backend, tmp_path, "Hi", preset="mature")
    assert sent_voice(name, fake).split("@")[0] == other
    speak(backend, tmp_path, "Hi", preset="child", voice_id=other)  # the request wins
    assert sent_voice(name, fake).split("@")[0] == other
    assert {v.id for v in backend.voices("en") if v.preset == "child"} == {custom}
    with pytest.raises(UserError, match="did you mean 'child'"):
        BACKENDS[name]({"voices": {"chld": "x"}})


def test_cache_identity_leaves_out_the_connection(fake: FakeTTSServer) -> None:
    a = ElevenLabsVoice({"api_base": "http://a", "max_retries": 1})
    b = ElevenLabsVoice({"api_base": "http://b", "timeout_s": 5})
    assert a.identity() == b.identity()
    assert a.identity() != ElevenLabsVoice({"voices": {"child": "x"}}).identity()


def test_address_from_environment_and_mock_transport(
    fake: FakeTTSServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFILM_OPENAI_API_BASE", fake.url)
    speak(OpenAIVoice({"api_base": "http://127.0.0.1:9"}), tmp_path)  # environment wins
    assert len(fake.requests) == 1
    monkeypatch.delenv("AIFILM_OPENAI_API_BASE")

    audio, _ = speech_like("one two three", 24000)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=pcm_bytes(audio))

    backend = OpenAIVoice(transport=httpx.MockTransport(answer))
    clip = speak(backend, tmp_path, "one two three")
    assert str(seen[0].url) == "https://api.openai.com/v1/audio/speech"
    assert len(clip.words) == 3 and clip.duration == pytest.approx(len(audio) / 24000)


def test_empty_line_is_silence_without_a_request(fake: FakeTTSServer, tmp_path: Path) -> None:
    clip = speak(make("google", fake), tmp_path, "   ")
    assert clip.words == () and clip.duration == 0.25 and fake.requests == []


def test_registered_as_builtins() -> None:
    registry = Registry()
    for name, cls in BACKENDS.items():
        assert registry.get("voice", name) is cls
        assert cls.extra is None and cls.license.startswith("MIT")
        assert cls.weights_license and "Terms" in cls.weights_license
