"""Shot timing: the film lands on its target, speech never sits under a transition."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from aifilm.pipeline.plan.timing import plan_timeline
from aifilm.spec.loader import load_project_yaml


def _project(tmp_path: Path, duration: str, lines: int = 6):  # type: ignore[no-untyped-def]
    shots = "".join(f"      - narration: Line number {i} is here.\n" for i in range(lines))
    text = f"title: T\nduration: {duration}\noutput: {{fps: 30}}\nscenes:\n  - shots:\n{shots}"
    return load_project_yaml(text, base_dir=tmp_path)


@pytest.mark.parametrize("target", [25, 60, 300])
def test_film_lands_within_5_percent_of_target(tmp_path: Path, target: int) -> None:
    tl = plan_timeline(_project(tmp_path, str(target)), lambda key: 2.5)
    assert abs(tl.duration - target) <= 0.05 * target
    assert tl.shots[0].start == 0 and all(
        a.end == pytest.approx(b.start) for a, b in zip(tl.shots, tl.shots[1:], strict=False)
    )


def test_frames_are_whole(tmp_path: Path) -> None:
    tl = plan_timeline(_project(tmp_path, "37s"), lambda key: 2.345)
    for shot in tl.shots:
        assert shot.start * 30 == pytest.approx(round(shot.start * 30), abs=1e-6)


def test_speech_stays_clear_of_transitions(tmp_path: Path) -> None:
    tl = plan_timeline(_project(tmp_path, "auto"), lambda key: 3.0)
    for shot in tl.shots:
        for line in shot.lines:
            assert line.start >= shot.start + (0 if shot is tl.shots[0] else 0.3)
            assert line.end <= shot.end - shot.transition_s / 2 - 0.2


def test_too_long_script_warns_with_numbers(tmp_path: Path) -> None:
    tl = plan_timeline(_project(tmp_path, "10s"), lambda key: 4.0)
    assert tl.duration > 24
    assert any("needs" in w and "target is 10 s" in w for w in tl.warnings)


def test_slightly_long_script_shrinks_holds_to_fit(tmp_path: Path) -> None:
    auto = plan_timeline(_project(tmp_path, "auto"), lambda key: 2.0).duration
    tight = plan_timeline(_project(tmp_path, str(int(auto) - 2)), lambda key: 2.0)
    assert tight.duration == pytest.approx(int(auto) - 2, abs=0.05)
    assert not tight.warnings


def test_auto_camera_alternates_and_titles_stay_still(tmp_path: Path) -> None:
    text = "title: T\nscenes:\n  - shots:\n      - title: Chapter One\n" + "".join(
        f"      - narration: Line {i}.\n" for i in range(5)
    )
    tl = plan_timeline(load_project_yaml(text, base_dir=tmp_path), lambda key: 1.5)
    cams = [s.camera for s in tl.shots]
    assert cams[0] == "static"
    assert all(a != b for a, b in itertools.pairwise(cams))
    assert tl.shots[-1].transition == "cut"


def test_auto_camera_holds_still_on_a_talking_character(tmp_path: Path) -> None:
    text = (
        "title: T\ncharacters: [{name: Ann}]\nscenes:\n  - shots:\n"
        "      - narration: The valley was quiet.\n"
        "      - dialogue: [{Ann: Hello there.}]\n"
        "      - dialogue: [{Ann: Hello again.}]\n        camera: zoom-in\n"
    )
    tl = plan_timeline(load_project_yaml(text, base_dir=tmp_path), lambda key: 1.5)
    assert [s.camera for s in tl.shots] == ["zoom-in", "static", "zoom-in"]
