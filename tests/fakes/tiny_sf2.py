"""Write small SoundFont 2 files: one sine sample per preset, with the generators a test sets.

The layout follows the SF2 2.04 spec (RIFF 'sfbk', INFO, sdta/smpl, the nine
pdta tables with their terminal records), so the reader is tested on the format,
not on a structure of its own.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 32000
PERIOD = 64  # frames per sine cycle: 500 Hz at 32 kHz
ROOT_KEY = 71  # B4 = 493.9 Hz, near the sample's 500 Hz (the test uses the exact ratio)


@dataclass
class TinyPreset:
    """A preset: bank, program and instrument-zone generators ``{number: amount}``."""

    bank: int = 0
    program: int = 0
    generators: dict[int, int] = field(default_factory=dict)
    key_range: tuple[int, int] = (0, 127)
    loop: bool = True


def _chunk(cid: bytes, body: bytes) -> bytes:
    pad = b"\0" if len(body) % 2 else b""
    return cid + struct.pack("<I", len(body)) + body + pad


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


def write_sf2(path: Path, presets: list[TinyPreset], seconds: float = 0.5) -> Path:
    """Write ``presets`` to ``path``; each plays its own 500 Hz sine of ``seconds``."""
    frames = int(seconds * RATE) // PERIOD * PERIOD
    sine = np.round(np.sin(2 * np.pi * np.arange(frames) / PERIOD) * 16000).astype("<i2")
    smpl = b""
    shdr = b""
    phdr = pbag = pgen = inst = ibag = igen = b""
    gen_count = 0
    for i, preset in enumerate(presets):
        start = len(smpl) // 2
        smpl += sine.tobytes() + b"\0\0" * 46  # the spec's 46 zero frames after each sample
        end = start + frames
        loop_start, loop_end = start + frames - 4 * PERIOD, end
        shdr += struct.pack(
            "<20sIIIIIBbHH", f"sine{i}".encode(), start, end, loop_start, loop_end, RATE,
            ROOT_KEY, 0, 0, 1,
        )  # fmt: skip
        # instrument i: one zone (its generators, then keyRange first as the spec asks)
        inst += struct.pack("<20sH", f"inst{i}".encode(), i)
        ibag += struct.pack("<HH", gen_count, 0)
        zone = [(43, preset.key_range[0] | preset.key_range[1] << 8)]
        zone += sorted(preset.generators.items())
        zone += [(54, 1 if preset.loop else 0), (53, i)]  # sampleModes, then sampleID last
        igen += b"".join(struct.pack("<Hh" if a < 0 else "<HH", g, a) for g, a in zone)
        gen_count += len(zone)
        phdr += struct.pack(
            "<20sHHHIII", f"preset{i}".encode(), preset.program, preset.bank, i, 0, 0, 0
        )
        pbag += struct.pack("<HH", 2 * i, 0)
        pgen += struct.pack("<HH", 43, 0 | 127 << 8) + struct.pack("<HH", 41, i)
    n = len(presets)
    inst += struct.pack("<20sH", b"EOI", n)
    ibag += struct.pack("<HH", gen_count, 0)
    igen += struct.pack("<HH", 0, 0)
    phdr += struct.pack("<20sHHHIII", b"EOP", 0, 0, n, 0, 0, 0)
    pbag += struct.pack("<HH", 2 * n, 0)
    pgen += struct.pack("<HH", 0, 0)
    shdr += struct.pack("<20sIIIIIBbHH", b"EOS", 0, 0, 0, 0, 0, 0, 0, 0, 0)
    mod = struct.pack("<HHhHH", 0, 0, 0, 0, 0)
    body = b"sfbk" + _list(
        b"INFO", _chunk(b"ifil", struct.pack("<HH", 2, 4)), _chunk(b"INAM", b"tiny\0\0")
    )
    body += _list(b"sdta", _chunk(b"smpl", smpl))
    body += _list(
        b"pdta",
        _chunk(b"phdr", phdr), _chunk(b"pbag", pbag), _chunk(b"pmod", mod), _chunk(b"pgen", pgen),
        _chunk(b"inst", inst), _chunk(b"ibag", ibag), _chunk(b"imod", mod), _chunk(b"igen", igen),
        _chunk(b"shdr", shdr),
    )  # fmt: skip
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path
