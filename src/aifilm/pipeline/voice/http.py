"""What the text-to-speech API backends (ElevenLabs, OpenAI, Google) share.

Connection, retries, key handling and error messages come from
`aifilm.pipeline.web_api.WebApiBackend`; this module adds what is particular to
voices: a request's voice (its `voice_id`, else the user's `voices` option, else
the backend's table) and decoding the audio the services send back.
"""

from __future__ import annotations

import io
import tempfile
import wave
from pathlib import Path
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator

from aifilm.errors import UnsupportedError
from aifilm.pipeline.voice.base import SpeechRequest, VoiceBackend
from aifilm.pipeline.web_api import (
    CONNECTION_OPTIONS,
    ConnectionOptions,
    Failure,
    WebApiBackend,
    default_failure,
    json_body,
    retry_after,
    scrub,
)
from aifilm.spec.vocabulary import LANGUAGE_CODES, VOICE_PRESETS, choice_error

__all__ = [
    "CONNECTION_OPTIONS",
    "ApiOptions",
    "ApiVoiceBackend",
    "Failure",
    "decode_audio",
    "default_failure",
    "json_body",
    "pcm16_samples",
    "retry_after",
    "scrub",
    "wav_bytes",
    "wav_samples",
]

Samples = npt.NDArray[np.float32]


class ApiOptions(ConnectionOptions):
    """Options every API voice backend has: connection, retries and voice overrides."""

    voices: dict[str, str] = Field(
        default_factory=dict,
        description="The provider's voice id per preset ('child') or language/preset "
        "('hi/child'), overriding the built-in table.",
    )

    @field_validator("voices")
    @classmethod
    def _known_presets(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            language, _, preset = key.rpartition("/")
            if preset not in VOICE_PRESETS:
                raise ValueError(choice_error("voice preset", preset, list(VOICE_PRESETS)))
            if language and language not in LANGUAGE_CODES:
                raise ValueError(choice_error("language", language, LANGUAGE_CODES))
        return value


class ApiVoiceBackend(WebApiBackend, VoiceBackend):
    """Base of voice backends that call a text-to-speech web API."""

    quota_hint: ClassVar[str] = (
        "add credits or upgrade the plan, wait for the quota to reset, "
        "or use another voice backend (e.g. espeak)"
    )
    rejected_hint: ClassVar[str] = "check the voice backend's options and the line's voice settings"
    cached_what: ClassVar[str] = "finished lines"

    class Options(ApiOptions):
        """Connection and voice options."""

    options: ApiOptions

    def voice_for(self, request: SpeechRequest, table_voice: str | None) -> str | None:
        """The voice to use: the request's, else the user's option, else the table's."""
        if request.preset not in VOICE_PRESETS:
            raise UnsupportedError(
                choice_error("voice preset", request.preset, list(VOICE_PRESETS))
            )
        if request.voice_id:
            return request.voice_id
        overrides = self.options.voices
        return (
            overrides.get(f"{request.language}/{request.preset}")
            or overrides.get(request.preset)
            or table_voice
        )


# ---- audio ---------------------------------------------------------------------


def pcm16_samples(data: bytes) -> Samples:
    """Raw signed 16-bit little-endian mono PCM as float32 in [-1, 1]."""
    usable = len(data) - len(data) % 2
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def wav_samples(data: bytes) -> tuple[Samples, int]:
    """A 16-bit PCM WAV file's samples (mixed to mono) and rate.

    Tolerates the size fields of a streamed WAV (0 or 0xFFFFFFFF), which some
    services send: the data runs to the end of the file.
    """
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    pos, channels, rate, width = 12, 0, 0, 0
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk == b"fmt ":
            fmt = int.from_bytes(data[body : body + 2], "little")
            channels = int.from_bytes(data[body + 2 : body + 4], "little")
            rate = int.from_bytes(data[body + 4 : body + 8], "little")
            width = int.from_bytes(data[body + 14 : body + 16], "little")
            if fmt not in (1, 0xFFFE) or width != 16:
                raise ValueError(f"only 16-bit PCM WAV is supported (format {fmt}, {width}-bit)")
        elif chunk == b"data":
            if not channels:
                raise ValueError("WAV data before its format chunk")
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            samples = pcm16_samples(data[body:end])
            frames = len(samples) // channels
            mono = samples[: frames * channels].reshape(frames, channels).mean(axis=1)
            return mono.astype(np.float32), rate
        pos = body + size + (size & 1)
    raise ValueError("WAV file without a data chunk")


def wav_bytes(samples: Samples, rate: int) -> bytes:
    """Mono float samples as a 16-bit PCM WAV file in memory."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return buffer.getvalue()


def decode_audio(data: bytes, rate: int) -> Samples:
    """Compressed audio (MP3, Opus, ...) decoded by FFmpeg to mono float32 at `rate`."""
    from aifilm.media.ffmpeg import run_ffmpeg
    from aifilm.media.wav import read_wav

    with tempfile.TemporaryDirectory(prefix="aifilm-tts-") as folder:
        source, target = Path(folder) / "speech.bin", Path(folder) / "speech.wav"
        source.write_bytes(data)
        run_ffmpeg(
            ["-i", source, "-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le", target],
            what="decoding the speech audio from the service",
        )
        samples, _ = read_wav(target)
    return samples[:, 0]
