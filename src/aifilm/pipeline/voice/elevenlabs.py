"""ElevenLabs voices through its REST API, word timings from its character alignment.

One request per line::

    POST {base}/v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_22050
    xi-api-key: $ELEVENLABS_API_KEY
    {"text": ..., "model_id": "eleven_multilingual_v2",
     "voice_settings": {"stability", "similarity_boost", "style", "use_speaker_boost", "speed"},
     "language_code": "hi"}          # only for models that take it (flash/turbo v2.5)

answers ``{"audio_base64": ..., "alignment": {"characters": [...],
"character_start_times_seconds": [...], "character_end_times_seconds": [...]}}``.
``pcm_<rate>`` audio is raw 16-bit little-endian mono; ``mp3_<rate>_<kbps>`` is
decoded with FFmpeg. Errors come as ``{"detail": {"status": "invalid_api_key" |
"quota_exceeded" | ..., "message": ...}}`` (both of those with HTTP 401), or
``{"detail": [{"loc", "msg", "type"}]}`` for a malformed request (422).

The presets use ElevenLabs' premade voices, which speak every language of the
model; children are the one "childish" premade voice at slower speeds, since
ElevenLabs has no premade child voices. ElevenLabs has no pitch control: a
line's ``pitch`` is ignored with a warning. Speed is limited to 0.7-1.2.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
from pydantic import Field

from aifilm.errors import UnsupportedError, UserError
from aifilm.media.wav import write_wav
from aifilm.pipeline.timeline import SpeechClip
from aifilm.pipeline.voice.align import estimate_word_timings, words_from_characters
from aifilm.pipeline.voice.base import SpeechRequest, VoiceInfo
from aifilm.pipeline.voice.http import (
    ApiOptions,
    ApiVoiceBackend,
    Failure,
    decode_audio,
    default_failure,
    json_body,
    pcm16_samples,
)
from aifilm.spec.vocabulary import VOICE_PRESETS

logger = logging.getLogger("aifilm.voice.api")


@dataclass(frozen=True)
class Preset:
    """An ElevenLabs premade voice and the settings that make it one age."""

    voice_id: str
    voice_name: str
    speed: float  # 0.7-1.2, times the line's rate
    stability: float  # 0-1: higher is steadier, lower more expressive
    style: float  # 0-1: style exaggeration


# The one table: preset -> voice and settings (the voices speak every model language).
PRESETS: dict[str, Preset] = {
    "baby": Preset("jBpfuIE2acCO8z3wKNLl", "Gigi", 0.80, 0.65, 0.0),
    "toddler": Preset("jBpfuIE2acCO8z3wKNLl", "Gigi", 0.88, 0.55, 0.1),
    "child": Preset("jBpfuIE2acCO8z3wKNLl", "Gigi", 0.95, 0.45, 0.2),
    "pre-teen": Preset("MF3mGyEYCl7XYWbV9V6O", "Elli", 1.0, 0.45, 0.15),
    "young-adult": Preset("TX3LPaxmHKxFdv7VOQHJ", "Liam", 1.05, 0.45, 0.2),
    "adult-male": Preset("pNInz6obpgDQGcFmaJgB", "Adam", 1.0, 0.5, 0.0),
    "adult-female": Preset("21m00Tcm4TlvDq8ikWAM", "Rachel", 1.0, 0.5, 0.0),
    "mature": Preset("2EiwWnXFnvU5JabPnv8n", "Clyde", 0.9, 0.6, 0.0),
}

_V2 = frozenset({"en", "hi", "es", "fr", "de", "pt", "zh", "ja", "ar", "ta", "it", "ru"})
# Our languages each model speaks (from ElevenLabs' model list); other models are not checked.
MODEL_LANGUAGES: dict[str, frozenset[str]] = {
    "eleven_multilingual_v2": _V2,
    "eleven_flash_v2_5": _V2,
    "eleven_turbo_v2_5": _V2,
    "eleven_v3": _V2 | {"bn", "gu", "kn", "ml", "mr", "pa", "te"},
}
# Models that accept `language_code` (others answer an error when it is sent).
LANGUAGE_CODE_MODELS = frozenset({"eleven_flash_v2_5", "eleven_turbo_v2_5"})
_MIN_SPEED, _MAX_SPEED = 0.7, 1.2


class ElevenLabsVoice(ApiVoiceBackend):
    """ElevenLabs text-to-speech (web API): natural voices, word timings from the service."""

    name: ClassVar[str] = "elevenlabs"
    description: ClassVar[str] = "ElevenLabs API (natural, needs ELEVENLABS_API_KEY)"
    provider: ClassVar[str] = "ElevenLabs"
    api_key_env: ClassVar[str] = "ELEVENLABS_API_KEY"
    base_env: ClassVar[str] = "AIFILM_ELEVENLABS_API_BASE"
    default_base: ClassVar[str] = "https://api.elevenlabs.io"
    key_help: ClassVar[str] = "(keys: https://elevenlabs.io/app/settings/api-keys)"
    license: ClassVar[str] = "MIT (aifilm's client code)"
    weights_license: ClassVar[str | None] = (
        "ElevenLabs service and voices under the ElevenLabs Terms of Service; "
        "commercial use needs a paid plan (the free plan is non-commercial, with attribution)"
    )
    commercial_use: ClassVar[bool] = False  # only on paid plans
    version: ClassVar[str] = "1"

    class Options(ApiOptions):
        """ElevenLabs model, audio format and voice settings."""

        model_id: str = Field("eleven_multilingual_v2", description="ElevenLabs model.")
        output_format: str = Field(
            "pcm_22050",
            pattern=r"^(pcm_\d+|mp3_\d+_\d+)$",
            description="pcm_<rate> (raw) or mp3_<rate>_<kbps>; pcm_44100 needs a Pro plan.",
        )
        similarity_boost: float = Field(0.75, ge=0, le=1)
        use_speaker_boost: bool = True

    options: Options

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """One voice per (language, preset) the model speaks; ids are ElevenLabs voice ids."""
        spoken = MODEL_LANGUAGES.get(self.options.model_id, _V2)
        codes = [language] if language is not None else sorted(spoken)
        found = []
        for code in codes:
            if code not in spoken:
                continue
            for preset, about in VOICE_PRESETS.items():
                voice = self.voice_for(SpeechRequest("", code, preset), PRESETS[preset].voice_id)
                assert voice is not None
                label = PRESETS[preset].voice_name if voice == PRESETS[preset].voice_id else voice
                found.append(VoiceInfo(voice, code, preset, f"{about} (ElevenLabs {label})"))
        return found

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the line through ElevenLabs into a mono 16-bit WAV, with word timings."""
        opts = self.options
        spoken = MODEL_LANGUAGES.get(opts.model_id)
        if spoken is not None and request.language not in spoken:
            raise UnsupportedError(
                f"the ElevenLabs model '{opts.model_id}' does not speak the language "
                f"'{request.language}'",
                hint=f"it speaks: {', '.join(sorted(spoken))}"
                + (
                    "; eleven_v3 speaks more Indian languages"
                    if opts.model_id != "eleven_v3"
                    else ""
                ),
            )
        preset = PRESETS.get(request.preset)
        voice = self.voice_for(request, preset.voice_id if preset else None)
        assert preset is not None and voice is not None  # voice_for checked the preset
        key = self.api_key()
        rate = int(opts.output_format.split("_")[1])
        text = request.text.strip()
        if not text:
            silence = pcm16_samples(b"\0\0" * (rate // 4))
            write_wav(out, silence, rate)
            return SpeechClip(out, len(silence) / rate, rate)
        if request.pitch:
            logger.warning("ElevenLabs has no pitch control: pitch %+g ignored", request.pitch)
        speed = preset.speed * request.rate
        if not _MIN_SPEED <= speed <= _MAX_SPEED:
            clamped = min(_MAX_SPEED, max(_MIN_SPEED, speed))
            logger.warning(
                "ElevenLabs speaks at speeds %g-%g: speed %.2f (preset %s x rate %g) used as %.2f",
                _MIN_SPEED, _MAX_SPEED, speed, request.preset, request.rate, clamped,
            )  # fmt: skip
            speed = clamped
        body: dict[str, Any] = {
            "text": text,
            "model_id": opts.model_id,
            "voice_settings": {
                "stability": preset.stability,
                "similarity_boost": opts.similarity_boost,
                "style": preset.style,
                "use_speaker_boost": opts.use_speaker_boost,
                "speed": round(speed, 3),
            },
        }
        if opts.model_id in LANGUAGE_CODE_MODELS:
            body["language_code"] = request.language
        response = self.post(
            f"/v1/text-to-speech/{voice}/with-timestamps",
            json=body,
            key=key,
            headers={"xi-api-key": key, "accept": "application/json"},
            params={"output_format": opts.output_format},
        )
        answer = json_body(response)
        try:
            audio = base64.b64decode(answer["audio_base64"], validate=True)
        except (TypeError, KeyError, binascii.Error):
            raise UserError(
                "ElevenLabs answered without audio (no valid 'audio_base64')",
                hint="check api_base points at the ElevenLabs API",
            ) from None
        if opts.output_format.startswith("pcm_"):
            samples = pcm16_samples(audio)
        else:
            samples = decode_audio(audio, rate)
        duration = len(samples) / rate
        write_wav(out, samples, rate)
        alignment = answer.get("alignment") or answer.get("normalized_alignment")
        try:
            words = words_from_characters(
                text,
                alignment["characters"],
                alignment["character_start_times_seconds"],
                alignment["character_end_times_seconds"],
                duration,
            )
        except (TypeError, KeyError, IndexError):
            logger.warning("ElevenLabs sent no usable alignment; word timings estimated")
            words = estimate_word_timings(samples, rate, text)
        return SpeechClip(out, duration, rate, words)

    def classify(self, response: httpx.Response) -> Failure:
        """Read ElevenLabs' ``{"detail": ...}`` error body."""
        body = json_body(response)
        detail = body.get("detail") if isinstance(body, dict) else None
        status, message = "", None
        if isinstance(detail, dict):
            status = str(detail.get("status") or "")
            message = str(detail.get("message") or status) or None
        elif isinstance(detail, list):  # validation errors
            message = "; ".join(
                f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}"
                for d in detail
                if isinstance(d, dict)
            )
        elif isinstance(detail, str):
            message = detail
        if status == "quota_exceeded":
            return Failure("quota", message or status)
        if status in ("invalid_api_key", "missing_permissions"):
            return Failure("auth", message or status)
        return default_failure(response, message)
