"""A small SoundFont 2 reader: presets flattened into playable regions, samples as float32.

Only what the music backend's synthesiser plays is read: the 16-bit sample pool
and, for every preset, its zones merged the way TinySoundFont merges them
(instrument global zone, then the zone, then the preset's generators added),
with times converted to seconds and gains to linear factors. Modulator lists
are skipped, as TinySoundFont skips them; the synthesiser applies the SF2
default ones it needs (velocity, volume, expression, pan, pitch wheel) itself.

The format is RIFF: ``sdta/smpl`` holds the samples and ``pdta`` nine tables
(``phdr pbag pmod pgen inst ibag imod igen shdr``), read here with numpy.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aifilm.errors import UserError

_GEN = np.dtype([("oper", "<u2"), ("amount", "<i2")])
_BAG = np.dtype([("gen", "<u2"), ("mod", "<u2")])
_PHDR = np.dtype(
    [
        ("name", "S20"),
        ("preset", "<u2"),
        ("bank", "<u2"),
        ("bag", "<u2"),
        ("library", "<u4"),
        ("genre", "<u4"),
        ("morphology", "<u4"),
    ]
)
_INST = np.dtype([("name", "S20"), ("bag", "<u2")])
_SHDR = np.dtype(
    [
        ("name", "S20"),
        ("start", "<u4"),
        ("end", "<u4"),
        ("loop_start", "<u4"),
        ("loop_end", "<u4"),
        ("rate", "<u4"),
        ("pitch", "u1"),
        ("correction", "i1"),
        ("link", "<u2"),
        ("type", "<u2"),
    ]
)

# Generator numbers (SF2 2.04, section 8.1.2).
_START, _END, _LOOP_START, _LOOP_END, _START_COARSE = 0, 1, 2, 3, 4
_END_COARSE, _LOOP_START_COARSE, _LOOP_END_COARSE = 12, 45, 50
_INSTRUMENT, _KEY_RANGE, _VEL_RANGE, _SAMPLE_ID = 41, 43, 44, 53
_SAMPLE_MODES, _EXCLUSIVE_CLASS, _ROOT_KEY = 54, 57, 58

# Generators that are plain numbers: where they go and how they are clamped once summed.
_NUMERIC: dict[int, tuple[str, float, float]] = {
    5: ("mod_lfo_to_pitch", -12000, 12000),
    6: ("vib_lfo_to_pitch", -12000, 12000),
    7: ("mod_env_to_pitch", -12000, 12000),
    8: ("filter_fc", 1500, 13500),
    9: ("filter_q", 0, 960),
    10: ("mod_lfo_to_filter_fc", -12000, 12000),
    11: ("mod_env_to_filter_fc", -12000, 12000),
    13: ("mod_lfo_to_volume", -960, 960),
    17: ("pan", -500, 500),
    21: ("mod_lfo_delay", -12000, 5000),
    22: ("mod_lfo_freq", -16000, 4500),
    23: ("vib_lfo_delay", -12000, 5000),
    24: ("vib_lfo_freq", -16000, 4500),
    25: ("mod_env_delay", -12000, 5000),
    26: ("mod_env_attack", -12000, 8000),
    27: ("mod_env_hold", -12000, 5000),
    28: ("mod_env_decay", -12000, 8000),
    29: ("mod_env_sustain", 0, 1000),
    30: ("mod_env_release", -12000, 8000),
    31: ("mod_env_key_to_hold", -1200, 1200),
    32: ("mod_env_key_to_decay", -1200, 1200),
    33: ("vol_env_delay", -12000, 5000),
    34: ("vol_env_attack", -12000, 8000),
    35: ("vol_env_hold", -12000, 5000),
    36: ("vol_env_decay", -12000, 8000),
    37: ("vol_env_sustain", 0, 1440),
    38: ("vol_env_release", -12000, 8000),
    39: ("vol_env_key_to_hold", -1200, 1200),
    40: ("vol_env_key_to_decay", -1200, 1200),
    48: ("attenuation", 0, 1440),
    51: ("coarse_tune", -120, 120),
    52: ("fine_tune", -99, 99),
    56: ("scale_tuning", 0, 1200),
}
_OFFSETS = {
    _START: ("start", 1),
    _END: ("end", 1),
    _LOOP_START: ("loop_start", 1),
    _LOOP_END: ("loop_end", 1),
    _START_COARSE: ("start", 32768),
    _END_COARSE: ("end", 32768),
    _LOOP_START_COARSE: ("loop_start", 32768),
    _LOOP_END_COARSE: ("loop_end", 32768),
}
_TIMECENT_DEFAULTS = {
    name: -12000.0
    for number, (name, _, _) in _NUMERIC.items()
    if number in (21, 23, 25, 26, 27, 28, 30, 33, 34, 35, 36, 38)
}
_DEFAULTS = {name: 0.0 for name, _, _ in _NUMERIC.values()} | _TIMECENT_DEFAULTS
_DEFAULTS |= {"filter_fc": 13500.0, "scale_tuning": 100.0}


@dataclass(frozen=True)
class Envelope:
    """A DAHDSR envelope in seconds; ``sustain`` is a level 0..1 (gain for volume)."""

    delay: float
    attack: float
    hold: float
    decay: float
    sustain: float
    release: float
    key_to_hold: float = 0.0  # timecents per key below middle C
    key_to_decay: float = 0.0

    def for_key(self, key: int) -> Envelope:
        """Hold and decay scaled by key number, as the keynumTo* generators ask."""
        hold, decay = self.hold, self.decay
        if self.key_to_hold:
            hold = hold * 2 ** (self.key_to_hold * (60 - key) / 1200)
        if self.key_to_decay:
            decay = decay * 2 ** (self.key_to_decay * (60 - key) / 1200)
        return replace(self, hold=hold, decay=decay)


@dataclass(frozen=True)
class Region:
    """One playable zone: a sample, where it sounds, and how it is shaped."""

    key_low: int
    key_high: int
    vel_low: int
    vel_high: int
    start: int  # sample frames in the font's sample pool
    end: int  # one past the last frame
    loop_start: int
    loop_end: int  # one past the loop's last frame
    loop_mode: int  # 0 none, 1 continuous, 3 until release
    sample_rate: int
    root_key: int
    tune_cents: float  # coarse, fine and the sample's pitch correction
    scale_tuning: float  # cents per key (100 = normal)
    attenuation_db: float
    pan: float  # -0.5 left .. 0.5 right
    exclusive_class: int
    volume: Envelope
    modulation: Envelope
    filter_fc: float  # cents (absolute; 13500 and above means open)
    filter_q: float  # centibels of resonance
    mod_env_to_pitch: float
    mod_env_to_filter_fc: float
    mod_lfo_to_pitch: float
    mod_lfo_to_filter_fc: float
    mod_lfo_to_volume: float  # centibels
    mod_lfo_delay: float  # seconds
    mod_lfo_freq: float  # Hz
    vib_lfo_to_pitch: float
    vib_lfo_delay: float
    vib_lfo_freq: float

    @property
    def loops(self) -> bool:
        """Whether the sample loops while the note is held."""
        return self.loop_mode in (1, 3) and self.loop_start < self.loop_end <= self.end

    def matches(self, key: int, velocity: int) -> bool:
        """Whether a note of ``key`` at ``velocity`` plays this region."""
        return self.key_low <= key <= self.key_high and self.vel_low <= velocity <= self.vel_high


@dataclass
class SoundFont:
    """A parsed SF2: the sample pool and every preset's regions by ``(bank, program)``."""

    samples: npt.NDArray[np.float32]
    presets: dict[tuple[int, int], list[Region]] = field(default_factory=dict)

    def regions(self, bank: int, program: int) -> list[Region]:
        """The regions of a preset, falling back as General MIDI players do.

        A missing drum kit falls back to the standard kit (bank 128, program 0), a
        missing melodic bank to bank 0, and anything else to no sound.
        """
        for candidate in ((bank, program), (bank, 0) if bank == 128 else (0, program)):
            if candidate in self.presets:
                return self.presets[candidate]
        return []


def _timecents_to_seconds(value: float) -> float:
    return 0.0 if value < -11950 else float(2 ** (value / 1200))


def _envelope(gens: dict[str, float], prefix: str, sustain_is_gain: bool) -> Envelope:
    sustain = gens[f"{prefix}_sustain"]
    if sustain_is_gain:
        level = 10 ** (-sustain / 200) if sustain < 1000 else 0.0  # centibels of attenuation
    else:
        level = 1.0 - sustain / 1000
    key_to_hold, key_to_decay = gens[f"{prefix}_key_to_hold"], gens[f"{prefix}_key_to_decay"]
    return Envelope(
        delay=_timecents_to_seconds(gens[f"{prefix}_delay"]),
        attack=_timecents_to_seconds(gens[f"{prefix}_attack"]),
        hold=_timecents_to_seconds(gens[f"{prefix}_hold"]),
        decay=_timecents_to_seconds(gens[f"{prefix}_decay"]),
        sustain=max(0.0, min(1.0, level)),
        release=_timecents_to_seconds(gens[f"{prefix}_release"]),
        key_to_hold=key_to_hold,
        key_to_decay=key_to_decay,
    )


class _Zone:
    """Generators of one zone as read: numbers, address offsets, ranges, sample or instrument."""

    def __init__(self) -> None:
        self.numbers: dict[str, float] = {}
        self.offsets: dict[str, int] = {}
        self.key_range = (0, 127)
        self.vel_range = (0, 127)
        self.loop_mode: int | None = None
        self.exclusive_class: int | None = None
        self.root_key: int | None = None
        self.link: int | None = None  # the sample (instrument zone) or instrument (preset zone)

    def merged_over(self, base: _Zone) -> _Zone:
        """This zone's generators on top of a global zone's (a local value replaces it)."""
        zone = _Zone()
        zone.numbers = base.numbers | self.numbers
        zone.offsets = base.offsets | self.offsets
        zone.key_range = self.key_range if self.key_range != (0, 127) else base.key_range
        zone.vel_range = self.vel_range if self.vel_range != (0, 127) else base.vel_range
        zone.loop_mode = self.loop_mode if self.loop_mode is not None else base.loop_mode
        zone.exclusive_class = (
            self.exclusive_class if self.exclusive_class is not None else base.exclusive_class
        )
        zone.root_key = self.root_key if self.root_key is not None else base.root_key
        zone.link = self.link
        return zone


def _zones(
    bags: npt.NDArray[np.void], gens: npt.NDArray[np.void], first: int, stop: int, link_gen: int
) -> list[_Zone]:
    zones = []
    for b in range(first, stop):
        zone = _Zone()
        for g in range(int(bags[b]["gen"]), int(bags[b + 1]["gen"])):
            oper, amount = int(gens[g]["oper"]), int(gens[g]["amount"])
            unsigned = amount & 0xFFFF
            if oper == link_gen:
                zone.link = unsigned
            elif oper == _KEY_RANGE:
                zone.key_range = (unsigned & 0xFF, unsigned >> 8)
            elif oper == _VEL_RANGE:
                zone.vel_range = (unsigned & 0xFF, unsigned >> 8)
            elif oper == _SAMPLE_MODES:
                zone.loop_mode = unsigned & 3
            elif oper == _EXCLUSIVE_CLASS:
                zone.exclusive_class = unsigned
            elif oper == _ROOT_KEY:
                zone.root_key = amount
            elif oper in _OFFSETS:
                name, scale = _OFFSETS[oper]
                zone.offsets[name] = zone.offsets.get(name, 0) + amount * scale
            elif oper in _NUMERIC:
                zone.numbers[_NUMERIC[oper][0]] = float(amount)
        zones.append(zone)
    return zones


def _split_global(zones: list[_Zone]) -> tuple[_Zone, list[_Zone]]:
    """The global zone (first, without a link) and the others, each merged over it."""
    if zones and zones[0].link is None:
        base, rest = zones[0], zones[1:]
    else:
        base, rest = _Zone(), zones
    return base, [z.merged_over(base) for z in rest if z.link is not None]


def _chunks(data: bytes, start: int, stop: int) -> dict[str, tuple[int, int]]:
    """RIFF sub-chunks between ``start`` and ``stop``: id -> (offset, size); LISTs flattened."""
    found: dict[str, tuple[int, int]] = {}
    pos = start
    while pos + 8 <= stop:
        cid = data[pos : pos + 4].decode("latin-1")
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + 8
        if body + size > len(data):
            raise ValueError(f"chunk '{cid}' runs past the end of the file")
        if cid == "LIST":
            found |= _chunks(data, body + 4, body + size)
        else:
            found[cid] = (body, size)
        pos = body + size + (size & 1)
    return found


def _table(
    data: bytes, chunks: dict[str, tuple[int, int]], name: str, dtype: np.dtype
) -> npt.NDArray[np.void]:
    if name not in chunks:
        raise ValueError(f"no '{name}' chunk")
    offset, size = chunks[name]
    return np.frombuffer(data, dtype=dtype, count=size // dtype.itemsize, offset=offset)


def parse(data: bytes) -> SoundFont:
    """Read an SF2 file's bytes; raises ValueError on anything that is not one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"sfbk":
        raise ValueError("not a SoundFont 2 file (no RIFF 'sfbk' header)")
    chunks = _chunks(data, 12, len(data))
    if "smpl" not in chunks:
        raise ValueError("no 'smpl' chunk: compressed (SF3) fonts are not supported")
    offset, size = chunks["smpl"]
    pcm = np.frombuffer(data, dtype="<i2", count=size // 2, offset=offset)
    samples = pcm.astype(np.float32)
    samples *= np.float32(1 / 32767)
    phdr = _table(data, chunks, "phdr", _PHDR)
    pbag = _table(data, chunks, "pbag", _BAG)
    pgen = _table(data, chunks, "pgen", _GEN)
    inst = _table(data, chunks, "inst", _INST)
    ibag = _table(data, chunks, "ibag", _BAG)
    igen = _table(data, chunks, "igen", _GEN)
    shdr = _table(data, chunks, "shdr", _SHDR)

    instruments: list[list[_Zone]] = []
    for i in range(len(inst) - 1):  # the last record is the terminal "EOI"
        _, zones = _split_global(
            _zones(ibag, igen, int(inst[i]["bag"]), int(inst[i + 1]["bag"]), _SAMPLE_ID)
        )
        instruments.append(zones)

    font = SoundFont(samples=samples)
    for p in range(len(phdr) - 1):  # the last record is the terminal "EOP"
        _, preset_zones = _split_global(
            _zones(pbag, pgen, int(phdr[p]["bag"]), int(phdr[p + 1]["bag"]), _INSTRUMENT)
        )
        regions: list[Region] = []
        for pz in preset_zones:
            if pz.link is None or pz.link >= len(instruments):
                continue
            for iz in instruments[pz.link]:
                if iz.link is None or iz.link >= len(shdr) - 1:
                    continue
                region = _region(pz, iz, shdr[iz.link], len(samples))
                if region is not None:
                    regions.append(region)
        key = (int(phdr[p]["bank"]), int(phdr[p]["preset"]))
        font.presets.setdefault(key, regions)
    return font


def _region(preset: _Zone, zone: _Zone, sample: np.void, pool: int) -> Region | None:
    """An instrument zone with its preset zone's generators added (SF2 section 9.4)."""
    key_low = max(zone.key_range[0], preset.key_range[0])
    key_high = min(zone.key_range[1], preset.key_range[1])
    vel_low = max(zone.vel_range[0], preset.vel_range[0])
    vel_high = min(zone.vel_range[1], preset.vel_range[1])
    if key_low > key_high or vel_low > vel_high:
        return None
    gens: dict[str, float] = {}
    for name, low, high in _NUMERIC.values():
        value = zone.numbers.get(name, _DEFAULTS[name]) + preset.numbers.get(name, 0.0)
        gens[name] = min(high, max(low, value))
    start = int(sample["start"]) + zone.offsets.get("start", 0)
    end = int(sample["end"]) + zone.offsets.get("end", 0)
    loop_start = int(sample["loop_start"]) + zone.offsets.get("loop_start", 0)
    loop_end = int(sample["loop_end"]) + zone.offsets.get("loop_end", 0)
    end = min(max(end, start + 1), pool)
    rate = int(sample["rate"])
    if rate <= 0 or start >= pool:
        return None
    root = zone.root_key if zone.root_key is not None and zone.root_key >= 0 else None
    return Region(
        key_low=key_low,
        key_high=key_high,
        vel_low=vel_low,
        vel_high=vel_high,
        start=start,
        end=end,
        loop_start=max(start, min(loop_start, end)),
        loop_end=max(start, min(loop_end, end)),
        loop_mode=zone.loop_mode or 0,
        sample_rate=rate,
        root_key=root if root is not None else int(sample["pitch"]),
        tune_cents=gens["coarse_tune"] * 100 + gens["fine_tune"] + int(sample["correction"]),
        scale_tuning=gens["scale_tuning"],
        attenuation_db=gens["attenuation"] / 10,  # centibels
        pan=gens["pan"] / 1000,
        exclusive_class=zone.exclusive_class or 0,
        volume=_envelope(gens, "vol_env", sustain_is_gain=True),
        modulation=_envelope(gens, "mod_env", sustain_is_gain=False),
        filter_fc=gens["filter_fc"],
        filter_q=gens["filter_q"],
        mod_env_to_pitch=gens["mod_env_to_pitch"],
        mod_env_to_filter_fc=gens["mod_env_to_filter_fc"],
        mod_lfo_to_pitch=gens["mod_lfo_to_pitch"],
        mod_lfo_to_filter_fc=gens["mod_lfo_to_filter_fc"],
        mod_lfo_to_volume=gens["mod_lfo_to_volume"],
        mod_lfo_delay=_timecents_to_seconds(gens["mod_lfo_delay"]),
        mod_lfo_freq=8.176 * 2 ** (gens["mod_lfo_freq"] / 1200),
        vib_lfo_to_pitch=gens["vib_lfo_to_pitch"],
        vib_lfo_delay=_timecents_to_seconds(gens["vib_lfo_delay"]),
        vib_lfo_freq=8.176 * 2 ** (gens["vib_lfo_freq"] / 1200),
    )


@functools.lru_cache(maxsize=2)
def load(path: Path) -> SoundFont:
    """Parse the SF2 at ``path`` once per process (the synthesiser reuses it)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the soundfont {path}: {exc.strerror}") from exc
    try:
        return parse(data)
    except (ValueError, struct.error) as exc:
        raise UserError(f"{path} is not a usable SoundFont 2 file: {exc}") from exc


__all__ = ["Envelope", "Region", "SoundFont", "load", "parse"]
