"""Reading facts from media files (PyAV; the static FFmpeg ships no ffprobe)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from aifilm.errors import AssetError


@dataclass(frozen=True)
class StreamInfo:
    """One stream of a media file."""

    kind: str  # video | audio | subtitle | data
    codec: str
    profile: str | None = None
    width: int | None = None
    height: int | None = None
    pix_fmt: str | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    language: str | None = None
    duration: float | None = None
    frames: int | None = None
    title: str | None = None  # a track's name (MP4 stores it as 'name')


@dataclass(frozen=True)
class MediaInfo:
    """A media file's container, length and streams."""

    path: Path
    format: str
    duration: float
    size_bytes: int
    streams: list[StreamInfo] = field(default_factory=list)
    faststart: bool | None = None  # MP4 only: moov atom before mdat

    def first(self, kind: str) -> StreamInfo | None:
        """The first stream of a kind."""
        return next((s for s in self.streams if s.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able facts for reports."""
        data = asdict(self)
        data["path"] = str(self.path)
        return data


def _mp4_faststart(path: Path) -> bool | None:
    """True if the 'moov' box comes before 'mdat' (progressive playback, YouTube)."""
    try:
        with path.open("rb") as fh:
            offset = 0
            size_total = path.stat().st_size
            while offset < size_total:
                fh.seek(offset)
                header = fh.read(16)
                if len(header) < 8:
                    return None
                size = int.from_bytes(header[:4], "big")
                kind = header[4:8]
                if size == 1:
                    size = int.from_bytes(header[8:16], "big")
                if kind == b"moov":
                    return True
                if kind == b"mdat":
                    return False
                if size < 8:
                    return None
                offset += size
    except OSError:
        return None
    return None


def probe(path: str | Path) -> MediaInfo:
    """Facts about a media file; `AssetError` if it cannot be read."""
    import av

    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise AssetError(f"cannot read media file {path}: {exc}", path=path) from None
    with container:
        streams = []
        for s in container.streams:
            ctx: Any = s.codec_context
            duration = float(s.duration * s.time_base) if s.duration and s.time_base else None
            lang = s.metadata.get("language")
            if s.type == "video":
                rate = s.average_rate or s.base_rate
                streams.append(
                    StreamInfo(
                        "video",
                        ctx.name,
                        getattr(ctx, "profile", None),
                        ctx.width,
                        ctx.height,
                        ctx.format.name if ctx.format else None,
                        float(rate) if rate else None,
                        language=lang,
                        duration=duration,
                        frames=s.frames or None,
                    )
                )
            elif s.type == "audio":
                streams.append(
                    StreamInfo(
                        "audio",
                        ctx.name,
                        getattr(ctx, "profile", None),
                        sample_rate=ctx.sample_rate,
                        channels=ctx.channels,
                        language=lang,
                        duration=duration,
                        frames=s.frames or None,
                    )
                )
            else:
                streams.append(
                    StreamInfo(
                        s.type,
                        ctx.name if ctx else "unknown",
                        language=lang,
                        duration=duration,
                        title=s.metadata.get("title") or s.metadata.get("name"),
                    )
                )
        duration = (
            float(container.duration / 1_000_000)
            if container.duration
            else max((s.duration or 0.0) for s in streams)
            if streams
            else 0.0
        )
        fmt = container.format.name
    faststart = _mp4_faststart(path) if path.suffix.lower() in (".mp4", ".m4a", ".mov") else None
    return MediaInfo(path, fmt, duration, path.stat().st_size, streams, faststart)


__all__ = ["Fraction", "MediaInfo", "StreamInfo", "probe"]
