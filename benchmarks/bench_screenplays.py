"""Measure screenplay handling: parsing against a reference parser, casting against the scripts.

    python benchmarks/bench_screenplays.py

For the three screenplays in tests/screenplays/ and a feature-length script made from
their scenes: elements right / wrong / dropped against screenplain (the reference
Fountain parser), the time to load and to cast, the planned length; and for the three
screenplays each described character's sex and age as written against the cast chosen.
Results: benchmarks/results/screenplays.json and the tables for docs/screenplays.md on
stdout.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TESTS = HERE.parent / "tests"
RESULTS = HERE / "results" / "screenplays.json"
sys.path.insert(0, str(HERE.parent))  # tests.screenplay_reference

from tests.screenplay_reference import CAST_AS_WRITTEN, compare, feature_length  # noqa: E402

from aifilm.cast.casting import cast_project  # noqa: E402
from aifilm.pipeline.plan.estimate import speech_estimates  # noqa: E402
from aifilm.pipeline.plan.length import clock  # noqa: E402
from aifilm.pipeline.plan.timing import plan_timeline  # noqa: E402
from aifilm.pipeline.registry import registry  # noqa: E402
from aifilm.pipeline.voice.base import VoiceBackend  # noqa: E402
from aifilm.spec.loader import load_project  # noqa: E402


def measure(path: Path) -> dict[str, Any]:
    """Parse comparison, load and cast times, planned length for one script."""
    text = path.read_text(encoding="utf-8")
    result = compare(text)
    start = time.perf_counter()
    project = load_project(path)  # parses, and casts every character
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    roles = cast_project(project)
    cast_s = time.perf_counter() - start
    voice = registry.create("voice", None)
    assert isinstance(voice, VoiceBackend)
    start = time.perf_counter()
    estimates = speech_estimates(project, voice)  # what render checks before any work
    timeline = plan_timeline(project, lambda key: estimates[key])
    check_s = time.perf_counter() - start
    return {
        "script": path.name,
        "lines_of_text": text.count("\n") + 1,
        "scenes": len(project.scenes),
        "characters": len(roles),
        "elements": result.total,
        "right": result.right,
        "wrong": len(result.wrong),
        "dropped": len(result.dropped),
        "extra": len(result.extra),
        "silent_by_design": result.silent_by_design,
        "load_seconds": round(loaded, 3),
        "cast_seconds": round(cast_s, 3),
        "length_check_seconds": round(check_s, 3),
        "planned_seconds": round(timeline.duration),
        "planned": clock(timeline.duration),
    }


def cast_rows(name: str) -> list[dict[str, Any]]:
    """Each described character: sex and age as written, as inferred, the preset chosen."""
    roles = cast_project(load_project(TESTS / "screenplays" / name))
    rows = []
    for character, (sex, age, preset) in CAST_AS_WRITTEN[name].items():
        role = roles[character]
        rows.append(
            {
                "script": name,
                "character": character,
                "written": f"{sex}, {age}",
                "inferred": f"{role.identity.sex}, {role.identity.age}",
                "voice": role.voice + (f" v{role.variant}" if role.variant else ""),
                "fits": preset,
                "match": role.voice == preset
                and (role.identity.sex, role.identity.age) == (sex, age),
            }
        )
    return rows


def main() -> None:
    names = sorted(CAST_AS_WRITTEN)
    scripts = [TESTS / "screenplays" / n for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        feature = Path(tmp) / "feature.fountain"
        feature.write_text(
            feature_length([p.read_text(encoding="utf-8") for p in scripts]), encoding="utf-8"
        )
        parsing = [measure(p) for p in [*scripts, feature]]
    casting = [row for name in names for row in cast_rows(name)]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"parsing": parsing, "casting": casting}, indent=2) + "\n")
    print(
        "| script | scenes | elements | right | wrong | dropped | extra | silent by design "
        "| load | cast | length check | planned |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in parsing:
        print(
            f"| {r['script']} | {r['scenes']} | {r['elements']} | {r['right']} | {r['wrong']} "
            f"| {r['dropped']} | {r['extra']} | {r['silent_by_design']} | {r['load_seconds']} s "
            f"| {r['cast_seconds']} s | {r['length_check_seconds']} s | {r['planned']} |"
        )
    print()
    print("| script | character | as written | inferred | voice | fits | match |")
    print("|---|---|---|---|---|---|---|")
    for c in casting:
        print(
            f"| {c['script']} | {c['character']} | {c['written']} | {c['inferred']} "
            f"| {c['voice']} | {c['fits']} | {'yes' if c['match'] else 'NO'} |"
        )
    matched = sum(c["match"] for c in casting)
    print(f"\n{matched} of {len(casting)} described characters cast to a matching preset")


if __name__ == "__main__":
    main()
