"""What a file is, from its first bytes (never from its name or the client's word)."""

from __future__ import annotations

# (kind, content type, test on the first 64 bytes)
_SIGNATURES: list[tuple[str, str, bytes, int]] = [
    ("image", "image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image", "image/jpeg", b"\xff\xd8\xff", 0),
    ("image", "image/gif", b"GIF8", 0),
    ("audio", "audio/mpeg", b"ID3", 0),
    ("audio", "audio/flac", b"fLaC", 0),
    ("audio", "audio/ogg", b"OggS", 0),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, content type) of a file starting with `head`, or None when not allowed."""
    for kind, ctype, magic, offset in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind, ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio", "audio/mpeg"  # MPEG audio frame sync without an ID3 tag
    if head[4:8] == b"ftyp" and head[8:12] in (b"M4A ", b"M4B "):
        return "audio", "audio/mp4"
    return None


ALLOWED = "PNG, JPEG, GIF, WebP images; WAV, MP3, FLAC, OGG, M4A audio"
