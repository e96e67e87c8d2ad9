"""Short audio previews for the studio: how a voice preset sounds, how a music genre sounds.

Each preview is made once by the server's default backends and kept in the render cache
(`previews/`), so a second listen costs a file read.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from aifilm.server.errors import Problem
from aifilm.spec.vocabulary import GENRE_IDS, LANGUAGE_CODES, VOICE_PRESETS

MUSIC_SECONDS = 6.0
SAMPLE_LINES = {
    "en": "Hello! This is how I sound in your film.",
    "hi": "नमस्ते! आपकी फ़िल्म में मेरी आवाज़ ऐसी होगी।",
}
_LOCK = threading.Lock()  # one preview is made at a time: they share the CPU with renders


def _cached(cache_dir: Path, key: str, make: Callable[[Path], None]) -> Path:
    folder = cache_dir / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".wav")
    if path.is_file() and path.stat().st_size > 44:
        return path
    with _LOCK:
        if not path.is_file():
            part = path.with_suffix(".part.wav")
            make(part)
            part.replace(path)
    return path


def voice_preview(cache_dir: Path, preset: str, language: str) -> Path:
    """A WAV of the default voice speaking a sample line with `preset` in `language`."""
    if preset not in VOICE_PRESETS:
        raise Problem(422, f"unknown voice {preset!r}; choose one of: {', '.join(VOICE_PRESETS)}")
    if language not in LANGUAGE_CODES:
        raise Problem(
            422, f"unknown language {language!r}; use one of: {', '.join(LANGUAGE_CODES)}"
        )

    def make(out: Path) -> None:
        from aifilm.pipeline.registry import registry
        from aifilm.pipeline.voice.base import SpeechRequest, VoiceBackend

        voice = registry.create("voice")
        assert isinstance(voice, VoiceBackend)
        text = SAMPLE_LINES.get(language, SAMPLE_LINES["en"])
        voice.synthesize(SpeechRequest(text=text, language=language, preset=preset), out)

    return _cached(cache_dir, f"voice:{preset}:{language}", make)


def music_preview(cache_dir: Path, genre: str) -> Path:
    """A WAV of a few seconds of the default music backend playing `genre`."""
    if genre not in GENRE_IDS:
        raise Problem(422, f"unknown genre {genre!r}; choose one of: {', '.join(GENRE_IDS)}")

    def make(out: Path) -> None:
        from aifilm.pipeline.music.base import MusicBackend, MusicRequest
        from aifilm.pipeline.registry import registry

        music = registry.create("music")
        assert isinstance(music, MusicBackend)
        music.compose(MusicRequest(genre=genre, duration=MUSIC_SECONDS, sample_rate=22050), out)

    return _cached(cache_dir, f"music:{genre}", make)
