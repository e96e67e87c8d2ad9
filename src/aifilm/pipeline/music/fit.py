"""Fit a user's audio file to the film: loop or trim to an exact length, fade, 48 kHz stereo.

FFmpeg does the work in one streaming run (``-stream_loop`` to repeat the
input without buffering it, ``atrim``/``apad`` on sample counts for an exact
length, ``afade`` at both ends), so memory stays flat whatever the length.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

from aifilm.errors import AssetError, ToolError, UserError
from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.pipeline.music.base import MusicTrack
from aifilm.pipeline.music.recipes.dsp import fade_lengths, frame_count


def _check_audio(src: Path) -> int:
    """Channels of ``src``'s first audio stream; `AssetError` if FFmpeg cannot read sound in it."""
    if not src.is_file():
        raise AssetError(
            f"music file {src} does not exist",
            path=src,
            hint="check the 'music: file:' path (relative paths are read from the project folder)",
        )
    import av

    fix = "use an audio file FFmpeg can read (mp3, wav, ogg, flac, m4a, ...)"
    try:
        with av.open(str(src)) as container:
            if not container.streams.audio:
                raise AssetError(f"music file {src} has no audio stream", path=src, hint=fix)
            channels = int(container.streams.audio[0].codec_context.channels or 2)
    except AssetError:
        raise
    except Exception as exc:  # PyAV raises a family of FFmpeg errors (and OSError)
        reason = str(exc).strip() or type(exc).__name__
        raise AssetError(
            f"music file {src} cannot be read as audio ({reason})", path=src, hint=fix
        ) from None
    return channels


def fit_audio_file(src: Path, duration: float, out: Path, sample_rate: int = 48000) -> MusicTrack:
    """Decode ``src``, loop it if shorter or trim it if longer, fade in and out, and write
    a 16-bit stereo WAV of exactly ``duration`` seconds at ``sample_rate`` to ``out``."""
    if not duration > 0:
        raise UserError(f"music length must be more than 0 seconds (got {duration})")
    src = Path(src)
    channels = _check_audio(src)
    frames = frame_count(duration, sample_rate)
    fade_in, fade_out = fade_lengths(duration)
    length = frames / sample_rate
    # A mono file goes to both sides at full level (FFmpeg's default upmix is 3 dB down).
    upmix = ["pan=stereo|c0=c0|c1=c0"] if channels == 1 else []
    chain = ",".join(
        [
            *upmix,
            f"aresample={sample_rate}",
            f"aformat=sample_fmts=fltp:sample_rates={sample_rate}:channel_layouts=stereo",
            f"apad=whole_len={frames}",
            f"atrim=end_sample={frames}",
            "asetpts=N/SR/TB",
            f"afade=t=in:st=0:d={fade_in:.6f}:curve=hsin",
            f"afade=t=out:st={length - fade_out:.6f}:d={fade_out:.6f}:curve=hsin",
        ]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part.wav")
    try:
        run_ffmpeg(
            ["-stream_loop", "-1", "-i", src, "-vn", "-sn", "-dn", "-af", chain,
             "-ac", "2", "-ar", str(sample_rate), "-c:a", "pcm_s16le", "-f", "wav", tmp],
            what=f"fitting music file {src.name}",
        )  # fmt: skip
        with wave.open(str(tmp), "rb") as wf:
            got = wf.getnframes()
        if got != frames:
            raise ToolError(
                f"FFmpeg wrote {got} frames for {src.name}, expected {frames}", command=[str(src)]
            )
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return MusicTrack(path=out, duration=frames / sample_rate, sample_rate=sample_rate, genre=None)
