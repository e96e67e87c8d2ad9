"""The film's sound: speech clips laid out in time, then music ducked under them and the
whole mix normalised to a loudness target in two FFmpeg passes.

`assemble_speech` streams the film's speech track block by block (a few seconds of
float at a time, plus the clips being played), so a long film stays in small memory.
`mix_audio` measures the mix with `ebur128` first, then applies a linear gain and a
peak limiter, measures again and corrects, so the result lands on the target (-14 LUFS,
YouTube's reference) within a fraction of a LU even for peaky speech.
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
import wave
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aifilm.errors import AssetError, ToolError
from aifilm.media.ffmpeg import ffmpeg_exe, run_ffmpeg
from aifilm.media.wav import read_wav
from aifilm.pipeline.timeline import Timeline

_BLOCK = 1 << 16  # samples written per step
_TAPS = 16  # half-width of the resampling kernel, in input samples
_MAX_PHASES = 4096  # rate ratios with more distinct kernels compute them per sample


def resample(x: npt.NDArray[np.float32], src: int, dst: int) -> npt.NDArray[np.float32]:
    """Windowed-sinc resampling of a mono signal from `src` Hz to `dst` Hz."""
    if src == dst or x.size == 0:
        return x.astype(np.float32, copy=False)
    n_out = math.ceil(x.size * dst / src)
    cutoff = min(1.0, dst / src) * 0.96  # below the lower Nyquist: no aliasing
    padded = np.concatenate([np.zeros(_TAPS, np.float32), x, np.zeros(_TAPS + 1, np.float32)])
    offsets = np.arange(-_TAPS + 1, _TAPS + 1)
    out = np.empty(n_out, np.float32)
    step = 8192
    g = math.gcd(src, dst)
    up, down = dst // g, src // g
    if up <= _MAX_PHASES:
        # Output sample j sits `((j*down) % up) / up` past an input sample: only `up`
        # distinct kernels, computed once (24 -> 48 kHz: 2), instead of one per sample.
        kernels = _kernel((np.arange(up) / up)[:, None] - offsets[None, :], cutoff)
        for first in range(0, n_out, step):
            num = np.arange(first, min(n_out, first + step), dtype=np.int64) * down
            idx = (num // up)[:, None] + offsets[None, :]
            out[first : first + num.size] = np.einsum(
                "ij,ij->i", padded[idx + _TAPS], kernels[num % up]
            )
        return out
    for first in range(0, n_out, step):
        j = np.arange(first, min(n_out, first + step))
        t = j * (src / dst)
        base = np.floor(t).astype(np.int64)
        idx = base[:, None] + offsets[None, :]  # input samples around t
        out[j] = (padded[idx + _TAPS] * _kernel(t[:, None] - idx, cutoff)).sum(axis=1)
    return out


def _kernel(d: npt.NDArray[np.float64], cutoff: float) -> npt.NDArray[np.float32]:
    """Hann-windowed sinc weights at distances `d` (rows normalised to sum 1)."""
    kernel = cutoff * np.sinc(cutoff * d) * (0.5 + 0.5 * np.cos(np.pi * d / _TAPS))
    kernel /= kernel.sum(axis=1, keepdims=True)
    return kernel.astype(np.float32)


# Speech clips resampled to the mix's rate, kept between renders of one process (`--watch`:
# an edit re-voices one line, the others' clips are the same cached files), up to a size.
_RESAMPLED: OrderedDict[tuple[str, int, int, int], npt.NDArray[np.float32]] = OrderedDict()
_RESAMPLED_BYTES = 32 * 2**20
_resampled_lock = threading.Lock()


def _load_mono(path: Path, rate: int) -> npt.NDArray[np.float32]:
    if not path.is_file():
        raise AssetError(f"speech clip {path} does not exist", path=path)
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, rate)
    with _resampled_lock:
        if key in _RESAMPLED:
            _RESAMPLED.move_to_end(key)
            return _RESAMPLED[key]
    try:
        samples, src_rate = read_wav(path)
    except (wave.Error, ValueError, EOFError) as exc:
        raise AssetError(f"cannot read speech clip {path}: {exc}", path=path) from None
    mono = resample(samples.mean(axis=1).astype(np.float32), src_rate, rate)
    mono.flags.writeable = False  # shared between renders
    with _resampled_lock:
        _RESAMPLED[key] = mono
        while sum(a.nbytes for a in _RESAMPLED.values()) > _RESAMPLED_BYTES and len(_RESAMPLED) > 1:
            _RESAMPLED.popitem(last=False)
    return mono


def assemble_speech(timeline: Timeline, out: Path, sample_rate: int = 48000) -> Path:
    """Write a mono 16-bit WAV, exactly the film's length, with each line's clip at its start."""
    total = round(timeline.duration * sample_rate)
    lines = sorted(timeline.lines, key=lambda line: line.start)
    placed = [(round(line.start * sample_rate), line) for line in lines]
    active: dict[int, npt.NDArray[np.float32]] = {}
    ends: dict[int, int] = {}
    next_line = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(sample_rate)
        for block_start in range(0, total, _BLOCK):
            block_end = min(total, block_start + _BLOCK)
            block = np.zeros(block_end - block_start, np.float32)
            while next_line < len(placed) and placed[next_line][0] < block_end:
                start, line = placed[next_line]
                active[next_line] = _load_mono(line.clip.path, sample_rate)
                ends[next_line] = start + active[next_line].size
                next_line += 1
            for key in list(active):
                start = placed[key][0]
                clip = active[key]
                lo, hi = max(start, block_start), min(ends[key], block_end)
                if hi > lo:
                    block[lo - block_start : hi - block_start] += clip[lo - start : hi - start]
                if ends[key] <= block_end:
                    del active[key], ends[key]
            pcm = (np.clip(block, -1.0, 1.0) * 32767.0).astype("<i2")
            wf.writeframes(pcm.tobytes())
    return out


def _num(value: Any) -> float:
    """A loudnorm number ('-inf' for silence) as a float."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("-inf")


def _mix_graph(has_speech: bool, has_music: bool, music_volume: float, duck: bool) -> str:
    fmt = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
    chains = []
    if has_speech and has_music:
        chains.append(f"[0:a]aresample=48000,{fmt},asplit=2[speech][key]")
        chains.append(f"[1:a]aresample=48000,{fmt},volume={music_volume:.4f}[music]")
        if duck:
            # speech keys the compressor: about -12 dB on the music while someone speaks
            chains.append(
                "[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=15:release=350"
                ":knee=2[bed]"
            )
        else:
            chains.append("[key]anullsink")
            chains.append("[music]anull[bed]")
        chains.append("[speech][bed]amix=inputs=2:normalize=0:duration=longest[mix]")
    elif has_speech:
        chains.append(f"[0:a]aresample=48000,{fmt}[mix]")
    else:
        chains.append(f"[0:a]aresample=48000,{fmt},volume={music_volume:.4f}[mix]")
    return ";".join(chains)


def mix_audio(
    speech: Path | None,
    music: Path | None,
    *,
    duration: float,
    out: Path,
    music_volume: float = 0.35,
    duck: bool = True,
    target_lufs: float = -14.0,
    true_peak: float = -1.5,
) -> dict[str, Any]:
    """Mix speech and music (either may be None) to a stereo 48 kHz 16-bit WAV of `duration`.

    Returns the measured loudness: input and output integrated LUFS, true peaks, the
    gain applied and how loudnorm normalised ("linear" unless peaks forced "dynamic").
    """
    sources = [p for p in (speech, music) if p is not None]
    if not sources:
        raise ValueError("mix_audio needs speech, music or both")
    for path in sources:
        if not path.is_file():
            raise AssetError(f"audio file {path} does not exist", path=path)
    samples = round(duration * 48000)
    inputs: list[str] = []
    for path in sources:
        inputs += ["-i", str(path)]
    mix = _mix_graph(speech is not None, music is not None, music_volume, duck)

    # pass 1: measure the mix as it would be made
    # (ebur128 without true peak: loudnorm's 192 kHz true-peak pass costs several times more)
    measured = _ebur128([*inputs, "-filter_complex", f"{mix};[mix]ebur128=framelog=quiet[m]",
                         "-map", "[m]", "-f", "null", "-"])  # fmt: skip
    input_i = measured["lufs"]
    trim = (
        "aresample=48000,aformat=sample_fmts=s16:channel_layouts=stereo"
        f",apad=whole_len={samples},atrim=end_sample={samples}"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.wav")
    normalization = "none (silent)"
    gain = 0.0
    try:
        if input_i < -60.0:  # silence (or nearly): nothing to normalise
            result = _render_mix(inputs, f"{mix};[mix]{trim}[out]", partial)
        else:
            # A linear gain to the target, with a peak limiter for the peaks it would push
            # past the ceiling; the limiter costs a little loudness, so measure and correct.
            # (loudnorm's own linear mode gives up and goes dynamic on peaky speech.)
            gain = target_lufs - input_i
            ceiling = 10 ** ((true_peak - 0.5) / 20)
            for _ in range(4):
                chain = (
                    f"[mix]volume={gain:.3f}dB,alimiter=limit={ceiling:.4f}:attack=2:release=50"
                    f":level=false,{trim}[out]"
                )
                result = _render_mix(inputs, f"{mix};{chain}", partial)
                error = target_lufs - result["lufs"]
                if abs(error) <= 0.2:
                    break
                gain += error
            normalization = "linear"  # a gain, with a limiter on the peaks only
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)

    return {
        "input_lufs": input_i,
        "output_lufs": result["lufs"],
        "output_true_peak": result["true_peak"],
        "output_lra": result["lra"],
        "target_lufs": target_lufs,
        "gain_db": round(gain, 2),
        "normalization": normalization,
        "duration": samples / 48000,
    }


# what the film's sound track is: AAC-LC 192 kb/s, 48 kHz stereo (YouTube's recommendation)
AUDIO_ARGS = ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"]


# draft films (previews) take AAC's fast coder: under half the CPU, about 4 dB less
# signal-to-noise at the same rate (measured on the 60 s example's mix)
DRAFT_AUDIO_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", "48000", "-ac", "2"]


def encode_aac(wav: Path, out: Path, *, draft: bool = False) -> Path:
    """The mix encoded once as the film's AAC track (an M4A), for the join to copy.

    Made with the mix, so a re-render whose picture changed but not its sound (or whose
    sound was mixed while the picture was encoded) joins without encoding audio again.
    Copying it into the film decodes to the same samples as encoding it there. A `draft`
    (a preview) uses the encoder's fast coder: an edit's preview is joined sooner.
    """
    partial = out.with_name(f".{out.stem}.partial.m4a")
    codec = DRAFT_AUDIO_ARGS if draft else AUDIO_ARGS
    try:
        run_ffmpeg(["-i", str(wav), "-vn", *codec, "-f", "mp4", str(partial)],
                   what="encoding the mix as AAC")  # fmt: skip
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def measure_loudness(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of a file."""
    return _ebur128(["-i", str(path), "-af", "ebur128=framelog=quiet:peak=true", "-f", "null", "-"])


def _ebur128(args: list[str]) -> dict[str, float]:
    """Run FFmpeg with an ebur128 filter in `args`; parse its summary."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    proc = subprocess.run(command, capture_output=True, text=True, errors="replace")
    summary = proc.stderr.rsplit("Summary:", 1)[-1]
    found = {
        key: re.search(pattern, summary)
        for key, pattern in (
            ("lufs", r"I:\s+(-?[\d.]+|-inf) LUFS"),
            ("lra", r"LRA:\s+(-?[\d.]+) LU"),
            ("true_peak", r"Peak:\s+(-?[\d.]+|-inf) dBFS"),
        )
    }
    if proc.returncode != 0 or found["lufs"] is None:
        raise ToolError("loudness measurement failed", command=command, log=proc.stderr[-4000:])
    return {key: _num(m.group(1)) if m else float("nan") for key, m in found.items()}


def _render_mix(inputs: list[str], graph: str, out: Path) -> dict[str, float]:
    """Write the mix `graph`'s [out] to a WAV at `out` and measure it in the same run.

    The loudness (integrated, true peak, range) is measured on the 16-bit samples as they
    are written, so it is what reading the file back would give, without a second and
    third FFmpeg run decoding it again (a re-render's mix is redone on every edit).
    """
    measured = f"{graph};[out]asplit=2[wav][m];[m]ebur128=framelog=quiet:peak=true[q]"
    args = ["-y", *inputs, "-filter_complex", measured]
    args += ["-map", "[wav]", "-c:a", "pcm_s16le", "-f", "wav", str(out)]
    args += ["-map", "[q]", "-f", "null", "-"]
    return _ebur128(args)


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) only: ebur128 without true peak, which is fast."""
    return _ebur128(["-i", str(path), "-af", "ebur128=framelog=quiet", "-f", "null", "-"])["lufs"]
