"""What an uploaded file is, from its content (never from its name or the client's word).

The first bytes only pick the parser; the file is accepted when that parser (Pillow for
images, PyAV for audio) actually opens and decodes it. Magic bytes alone are forgeable: a
YAML file with `ftypM4A ` at byte 4 passed as audio (issue 11). The parser is chosen from
the magic and forced, so FFmpeg's own probing never picks a demuxer that reads other files
(playlists, concat lists).
"""

from __future__ import annotations

from pathlib import Path

# (kind, content type, Pillow format or PyAV demuxer, magic, offset)
_SIGNATURES: list[tuple[str, str, str, bytes, int]] = [
    ("image", "image/png", "PNG", b"\x89PNG\r\n\x1a\n", 0),
    ("image", "image/jpeg", "JPEG", b"\xff\xd8\xff", 0),
    ("image", "image/gif", "GIF", b"GIF8", 0),
    ("audio", "audio/mpeg", "mp3", b"ID3", 0),
    ("audio", "audio/flac", "flac", b"fLaC", 0),
    ("audio", "audio/ogg", "ogg", b"OggS", 0),
]

ALLOWED = "PNG, JPEG, GIF, WebP images; WAV, MP3, FLAC, OGG, M4A audio"
MAX_PIXELS = 64_000_000  # larger images are refused before they are decoded (memory)
_AUDIO_FRAMES = 3  # decoded to prove the stream is real audio


def _candidate(head: bytes) -> tuple[str, str, str] | None:
    """(kind, content type, parser) the first bytes claim, or None."""
    for kind, ctype, parser, magic, offset in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind, ctype, parser
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp", "WEBP"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav", "wav"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio", "audio/mpeg", "mp3"  # MPEG audio frame sync without an ID3 tag
    if head[4:8] == b"ftyp" and head[8:12] in (b"M4A ", b"M4B "):
        return "audio", "audio/mp4", "mp4"
    return None


def _image_opens(path: Path, fmt: str) -> bool:
    from PIL import Image

    try:
        with Image.open(path, formats=[fmt]) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                return False
            image.load()
        return True
    except Exception:  # Pillow raises many types for broken files; all mean "not an image"
        return False


def _audio_decodes(path: Path, demuxer: str) -> bool:
    import av

    try:
        with av.open(str(path), format=demuxer) as container:
            if not container.streams.audio:
                return False
            decoded = 0
            for frame in container.decode(audio=0):
                if frame.samples > 0:
                    decoded += 1
                if decoded >= _AUDIO_FRAMES:
                    break
            return decoded > 0
    except Exception:  # PyAV/FFmpeg errors of any kind mean "not audio we can read"
        return False


def sniff_file(path: Path) -> tuple[str, str] | None:
    """(kind, content type) of the file at `path`, or None unless it parses as an allowed
    image or audio file."""
    with path.open("rb") as f:
        head = f.read(64)
    found = _candidate(head)
    if found is None:
        return None
    kind, ctype, parser = found
    ok = _image_opens(path, parser) if kind == "image" else _audio_decodes(path, parser)
    return (kind, ctype) if ok else None
