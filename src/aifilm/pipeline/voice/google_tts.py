"""Google Cloud Text-to-Speech through its REST API; word timings estimated from the audio.

One request per line::

    POST {base}/v1/text:synthesize
    X-Goog-Api-Key: $GOOGLE_API_KEY
    {"input": {"text": ...},
     "voice": {"languageCode": "hi-IN", "name": "hi-IN-Standard-A"},
     "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": 24000,
                     "speakingRate": 1.0, "pitch": 0.0}}

answers ``{"audioContent": <base64>}``; LINEAR16 content is a WAV file (Google
includes the header). The key goes in the ``X-Goog-Api-Key`` header, which
Google APIs accept in place of ``?key=``, so it never shows in a logged URL.
Errors come as ``{"error": {"code", "message", "status", "details": [{"reason"}]}}``:
``API_KEY_INVALID`` (400), ``PERMISSION_DENIED`` (403, e.g. the API is not
enabled for the key's project), ``RESOURCE_EXHAUSTED`` (429: retried, unless
the message names a daily quota).

Presets pick a female or male Standard voice of the language and set Google's
pitch (semitones) and speaking rate: the children are the female voice raised
in pitch and slowed. Sanskrit has no Google voice and is read with the Hindi
one, as espeak does.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import httpx
from pydantic import Field

from aifilm.errors import UnsupportedError, UserError
from aifilm.media.wav import write_wav
from aifilm.pipeline.timeline import SpeechClip
from aifilm.pipeline.voice.align import estimate_word_timings
from aifilm.pipeline.voice.base import SpeechRequest, VoiceInfo
from aifilm.pipeline.voice.http import (
    ApiOptions,
    ApiVoiceBackend,
    Failure,
    default_failure,
    json_body,
    pcm16_samples,
    wav_samples,
)
from aifilm.spec.vocabulary import VOICE_PRESETS


@dataclass(frozen=True)
class Preset:
    """How one age is made from a Google voice: its gender, pitch and rate."""

    gender: Literal["FEMALE", "MALE"]
    pitch: float  # semitones, -20..20
    rate: float  # speakingRate, 0.25..4


PRESETS: dict[str, Preset] = {
    "baby": Preset("FEMALE", 9.0, 0.8),
    "toddler": Preset("FEMALE", 7.0, 0.85),
    "child": Preset("FEMALE", 5.0, 0.95),
    "pre-teen": Preset("FEMALE", 3.0, 1.0),
    "young-adult": Preset("MALE", 1.5, 1.05),
    "adult-male": Preset("MALE", 0.0, 1.0),
    "adult-female": Preset("FEMALE", 0.0, 1.0),
    "mature": Preset("MALE", -3.0, 0.9),
}

# Our language -> Google locale, and its female and male Standard voices.
LOCALES: dict[str, tuple[str, str, str]] = {
    "en": ("en-US", "en-US-Standard-C", "en-US-Standard-D"),
    "hi": ("hi-IN", "hi-IN-Standard-A", "hi-IN-Standard-B"),
    "es": ("es-ES", "es-ES-Standard-A", "es-ES-Standard-B"),
    "fr": ("fr-FR", "fr-FR-Standard-A", "fr-FR-Standard-B"),
    "de": ("de-DE", "de-DE-Standard-A", "de-DE-Standard-B"),
    "pt": ("pt-BR", "pt-BR-Standard-A", "pt-BR-Standard-B"),
    "zh": ("cmn-CN", "cmn-CN-Standard-A", "cmn-CN-Standard-B"),
    "ja": ("ja-JP", "ja-JP-Standard-A", "ja-JP-Standard-C"),
    "ar": ("ar-XA", "ar-XA-Standard-A", "ar-XA-Standard-B"),
    "ta": ("ta-IN", "ta-IN-Standard-A", "ta-IN-Standard-B"),
    "te": ("te-IN", "te-IN-Standard-A", "te-IN-Standard-B"),
    "bn": ("bn-IN", "bn-IN-Standard-A", "bn-IN-Standard-B"),
    "mr": ("mr-IN", "mr-IN-Standard-A", "mr-IN-Standard-B"),
    "gu": ("gu-IN", "gu-IN-Standard-A", "gu-IN-Standard-B"),
    "ml": ("ml-IN", "ml-IN-Standard-A", "ml-IN-Standard-B"),
    "kn": ("kn-IN", "kn-IN-Standard-A", "kn-IN-Standard-B"),
    "pa": ("pa-IN", "pa-IN-Standard-A", "pa-IN-Standard-B"),
    "it": ("it-IT", "it-IT-Standard-A", "it-IT-Standard-C"),
    "ru": ("ru-RU", "ru-RU-Standard-A", "ru-RU-Standard-B"),
    "sa": ("hi-IN", "hi-IN-Standard-A", "hi-IN-Standard-B"),  # no Sanskrit voice
}
_VOICE_LOCALE = re.compile(r"^([a-z]{2,3}-[A-Z]{2})-")


def table_voice(language: str, preset: str) -> str | None:
    """The table's voice name for a language and preset (None if the language is missing)."""
    entry = LOCALES.get(language)
    if entry is None or preset not in PRESETS:
        return None
    return entry[1] if PRESETS[preset].gender == "FEMALE" else entry[2]


class GoogleVoice(ApiVoiceBackend):
    """Google Cloud Text-to-Speech (web API): every product language."""

    name: ClassVar[str] = "google"
    description: ClassVar[str] = "Google Cloud Text-to-Speech API (needs GOOGLE_API_KEY)"
    provider: ClassVar[str] = "Google Cloud Text-to-Speech"
    api_key_env: ClassVar[str] = "GOOGLE_API_KEY"
    base_env: ClassVar[str] = "AIFILM_GOOGLE_TTS_API_BASE"
    default_base: ClassVar[str] = "https://texttospeech.googleapis.com"
    key_help: ClassVar[str] = (
        "(an API key of a project with the Cloud Text-to-Speech API enabled: "
        "https://console.cloud.google.com/apis/credentials)"
    )
    license: ClassVar[str] = "MIT (aifilm's client code)"
    weights_license: ClassVar[str | None] = (
        "Google Cloud Text-to-Speech service under the Google Cloud Terms of Service"
    )
    commercial_use: ClassVar[bool] = True
    version: ClassVar[str] = "1"

    class Options(ApiOptions):
        """Google audio settings."""

        sample_rate: int = Field(24000, ge=8000, le=48000, description="Hz of the audio.")

    options: Options

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """One voice per (language, preset); ids are Google voice names."""
        codes = [language] if language is not None else list(LOCALES)
        found = []
        for code in codes:
            if code not in LOCALES:
                continue
            for preset, about in VOICE_PRESETS.items():
                voice = self.voice_for(SpeechRequest("", code, preset), table_voice(code, preset))
                p = PRESETS[preset]
                found.append(
                    VoiceInfo(
                        str(voice), code, preset, f"{about} (Google {voice}, pitch {p.pitch:+g})"
                    )
                )
        return found

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the line through Google into a mono 16-bit WAV, with estimated word timings."""
        voice = self.voice_for(request, table_voice(request.language, request.preset))
        preset = PRESETS[request.preset]  # voice_for checked it
        locale_match = _VOICE_LOCALE.match(voice or "")
        if locale_match:
            locale = locale_match.group(1)
        elif request.language in LOCALES:
            locale = LOCALES[request.language][0]
        else:
            raise UnsupportedError(
                f"the Google voice backend has no voice for the language '{request.language}'",
                hint=f"supported: {', '.join(LOCALES)}; or give a Google voice name as voice_id",
            )
        key = self.api_key()
        rate = self.options.sample_rate
        text = request.text.strip()
        if not text:
            silence = pcm16_samples(b"\0\0" * (rate // 4))
            write_wav(out, silence, rate)
            return SpeechClip(out, len(silence) / rate, rate)
        selection: dict[str, Any] = {"languageCode": locale}
        if voice:
            selection["name"] = voice
        else:
            selection["ssmlGender"] = preset.gender
        body = {
            "input": {"text": text},
            "voice": selection,
            "audioConfig": {
                "audioEncoding": "LINEAR16",
                "sampleRateHertz": rate,
                "speakingRate": round(min(4.0, max(0.25, preset.rate * request.rate)), 3),
                "pitch": round(min(20.0, max(-20.0, preset.pitch + request.pitch)), 2),
            },
        }
        response = self.post(
            "/v1/text:synthesize",
            json=body,
            key=key,
            headers={"x-goog-api-key": key},
        )
        answer = json_body(response)
        try:
            audio = base64.b64decode(answer["audioContent"], validate=True)
            samples, got_rate = wav_samples(audio)
        except (TypeError, KeyError, binascii.Error, ValueError) as exc:
            raise UserError(
                f"Google answered without readable LINEAR16 audio ({type(exc).__name__})",
                hint="check api_base points at the Cloud Text-to-Speech API",
            ) from None
        write_wav(out, samples, got_rate)
        words = estimate_word_timings(samples, got_rate, text)
        return SpeechClip(out, len(samples) / got_rate, got_rate, words)

    def classify(self, response: httpx.Response) -> Failure:
        """Read Google's ``{"error": {...}}`` error body."""
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return default_failure(response)
        message = str(error.get("message") or error.get("status") or "")
        reasons = {
            str(d.get("reason"))
            for d in error.get("details") or []
            if isinstance(d, dict) and d.get("reason")
        }
        if reasons & {"API_KEY_INVALID", "API_KEY_EXPIRED"}:
            return Failure("auth", message)
        if response.status_code == 429 and "per day" in message.lower():
            return Failure("quota", message)
        if "BILLING_DISABLED" in reasons:
            return Failure("quota", message)
        return default_failure(response, message or None)
