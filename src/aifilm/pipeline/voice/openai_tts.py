"""OpenAI voices through its REST API; word timings estimated from the audio.

One request per line::

    POST {base}/v1/audio/speech
    Authorization: Bearer $OPENAI_API_KEY
    {"model": "gpt-4o-mini-tts", "voice": "nova", "input": ...,
     "response_format": "pcm", "speed": 1.0, "instructions": ...}

answers the audio itself: ``pcm`` is raw 16-bit little-endian mono at 24 kHz,
``wav`` the same in a WAV file. ``instructions`` (gpt-4o-mini-tts only; tts-1
and tts-1-hd ignore them, so they are not sent) steer the age, the language and
the pitch. Errors come as ``{"error": {"message", "type", "param", "code"}}``:
``invalid_api_key`` (401), ``insufficient_quota`` (429, not retried),
``rate_limit_exceeded`` (429, retried).

The service reports no timings, so `estimate_word_timings` lays the words over
the voiced stretches of the audio.
"""

from __future__ import annotations

import contextlib
import logging
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
from aifilm.spec.vocabulary import VOICE_PRESETS, language

logger = logging.getLogger("aifilm.voice.api")


@dataclass(frozen=True)
class Preset:
    """An OpenAI voice, what to tell the model about the speaker, and a speed."""

    voice: str
    instructions: str
    speed: float  # 0.25-4.0, times the line's rate


# The one table: preset -> voice (every voice speaks every language) and direction.
PRESETS: dict[str, Preset] = {
    "baby": Preset(
        "shimmer", "Speak as a baby of one to two years: very high, soft and slow.", 0.85
    ),
    "toddler": Preset(
        "shimmer", "Speak as a toddler of three: a high, small voice, simple and slow.", 0.9
    ),
    "child": Preset("sage", "Speak as a child of about eight: a clear, bright young voice.", 1.0),
    "pre-teen": Preset(
        "coral", "Speak as a twelve-year-old: a young adolescent voice, lively.", 1.0
    ),
    "young-adult": Preset("ash", "Speak as an energetic young adult of about twenty.", 1.05),
    "adult-male": Preset("onyx", "Speak as an adult man of about forty: natural, clear.", 1.0),
    "adult-female": Preset("nova", "Speak as an adult woman of about forty: natural, clear.", 1.0),
    "mature": Preset(
        "echo", "Speak as a man in his sixties: deeper, slower and authoritative.", 0.9
    ),
}

# Our languages that OpenAI lists for its speech models (they follow Whisper's).
LANGUAGES = frozenset(
    {"en", "hi", "es", "fr", "de", "pt", "zh", "ja", "ar", "ta", "mr", "kn", "it", "ru"}
)
_NO_INSTRUCTIONS = frozenset({"tts-1", "tts-1-hd"})
_RATE = 24000  # the rate of "pcm" answers


class OpenAIVoice(ApiVoiceBackend):
    """OpenAI text-to-speech (web API): natural voices steered by instructions."""

    name: ClassVar[str] = "openai"
    description: ClassVar[str] = "OpenAI speech API (natural, needs OPENAI_API_KEY)"
    provider: ClassVar[str] = "OpenAI"
    api_key_env: ClassVar[str] = "OPENAI_API_KEY"
    base_env: ClassVar[str] = "AIFILM_OPENAI_API_BASE"
    default_base: ClassVar[str] = "https://api.openai.com"
    key_help: ClassVar[str] = "(keys: https://platform.openai.com/api-keys)"
    license: ClassVar[str] = "MIT (aifilm's client code)"
    weights_license: ClassVar[str | None] = (
        "OpenAI service under the OpenAI Terms of Use and usage policies; "
        "the output is yours to use, but listeners must be told the voice is AI-generated"
    )
    commercial_use: ClassVar[bool] = True
    version: ClassVar[str] = "1"

    class Options(ApiOptions):
        """OpenAI model, audio format and direction."""

        model: str = Field("gpt-4o-mini-tts", description="gpt-4o-mini-tts, tts-1 or tts-1-hd.")
        response_format: Literal["pcm", "wav"] = Field(
            "pcm", description="pcm (raw 24 kHz) or wav."
        )
        instructions: str | None = Field(
            None, description="Extra direction for every line (gpt-4o-mini-tts), e.g. 'warm'."
        )
        allow_unlisted_languages: bool = Field(
            False, description="Also speak languages OpenAI does not list (quality varies)."
        )

    options: Options

    def _speaks(self, code: str) -> bool:
        return code in LANGUAGES or self.options.allow_unlisted_languages

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """One voice per (language, preset); ids are OpenAI voice names."""
        codes = [language] if language is not None else sorted(LANGUAGES)
        found = []
        for code in codes:
            if not self._speaks(code):
                continue
            for preset, about in VOICE_PRESETS.items():
                voice = self.voice_for(SpeechRequest("", code, preset), PRESETS[preset].voice)
                found.append(VoiceInfo(str(voice), code, preset, f"{about} (OpenAI {voice})"))
        return found

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the line through OpenAI into a mono 16-bit WAV, with estimated word timings."""
        opts = self.options
        if not self._speaks(request.language):
            raise UnsupportedError(
                f"OpenAI does not list the language '{request.language}' for its voices",
                hint=f"listed: {', '.join(sorted(LANGUAGES))}; set the voice option "
                "allow_unlisted_languages: true to try anyway",
            )
        preset = PRESETS.get(request.preset)
        voice = self.voice_for(request, preset.voice if preset else None)
        assert preset is not None and voice is not None
        key = self.api_key()
        text = request.text.strip()
        if not text:
            silence = pcm16_samples(b"\0\0" * (_RATE // 4))
            write_wav(out, silence, _RATE)
            return SpeechClip(out, len(silence) / _RATE, _RATE)
        speed = preset.speed * request.rate
        if not 0.25 <= speed <= 4.0:
            clamped = min(4.0, max(0.25, speed))
            logger.warning(
                "OpenAI speaks at speeds 0.25-4: speed %.2f (preset %s x rate %g) used as %.2f",
                speed, request.preset, request.rate, clamped,
            )  # fmt: skip
            speed = clamped
        body: dict[str, Any] = {
            "model": opts.model,
            "voice": voice,
            "input": text,
            "response_format": opts.response_format,
            "speed": round(speed, 3),
        }
        if opts.model in _NO_INSTRUCTIONS:
            if request.pitch:
                logger.warning(
                    "OpenAI %s has no pitch control: pitch %+g ignored", opts.model, request.pitch
                )
        else:
            body["instructions"] = self._instructions(request, preset)
        response = self.post(
            "/v1/audio/speech",
            json=body,
            key=key,
            headers={"authorization": f"Bearer {key}"},
        )
        if opts.response_format == "pcm":
            samples, rate = pcm16_samples(response.content), _RATE
        else:
            try:
                samples, rate = wav_samples(response.content)
            except ValueError as exc:
                raise UserError(f"OpenAI answered with unreadable WAV audio: {exc}") from None
        write_wav(out, samples, rate)
        words = estimate_word_timings(samples, rate, text)
        return SpeechClip(out, len(samples) / rate, rate, words)

    def _instructions(self, request: SpeechRequest, preset: Preset) -> str:
        parts = [preset.instructions if not request.voice_id else ""]
        with contextlib.suppress(KeyError):  # a language outside the list: no line for it
            parts.append(f"Speak in {language(request.language).name}.")
        if request.pitch:
            higher = "higher" if request.pitch > 0 else "lower"
            parts.append(
                f"Use a {higher} pitch than usual (about {abs(request.pitch):g} semitones)."
            )
        if self.options.instructions:
            parts.append(self.options.instructions)
        return " ".join(p for p in parts if p)

    def classify(self, response: httpx.Response) -> Failure:
        """Read OpenAI's ``{"error": {...}}`` error body."""
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return default_failure(response)
        message = str(error.get("message") or "")
        code = str(error.get("code") or "")
        kind = str(error.get("type") or "")
        if "insufficient_quota" in (code, kind):
            return Failure("quota", message or code)
        if code == "invalid_api_key":
            return Failure("auth", message or code)
        return default_failure(response, message or None)
