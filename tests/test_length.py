"""Length: a script that does not fit is refused before any work, with ways forward that work."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import aifilm
from aifilm.errors import UserError
from aifilm.media.probe import probe
from aifilm.pipeline.parts import apply_pace, cut, episodes_of, select_scenes
from aifilm.pipeline.plan.length import FilmTooLongError
from aifilm.pipeline.plan.summary import plan_project
from aifilm.pipeline.registry import registry
from aifilm.pipeline.voice.base import VoiceBackend
from aifilm.spec.loader import load_project, load_project_yaml
from aifilm.spec.models import Project

SCENE = """INT. OFFICE {n} - NIGHT

ANNA, a lawyer in her 30s, reads a long file under a desk lamp. She sighs and turns a page.

ANNA
I have read this contract four times and I still do not understand who owns the warehouse.

BOB
Nobody does. That is the point of the contract, and that is why they pay us to read it.

"""


def long_script(path: Path, scenes: int = 60, acts: bool = False) -> Path:
    parts = ["Title: Long Night\n\n"]
    for n in range(scenes):
        if acts and n % (scenes // 3) == 0:
            parts.append(f"# ACT {n // (scenes // 3) + 1}\n\n")
        parts.append(SCENE.format(n=n + 1))
    path.write_text("".join(parts), encoding="utf-8")
    return path


def plan(project: Project) -> list[str]:
    voice = registry.create("voice", None)
    assert isinstance(voice, VoiceBackend)
    return plan_project(project, voice, {}).warnings


def advised_durations_validate(warnings: list[str]) -> None:
    """Every 'duration: X' a warning advises is a value the spec accepts."""
    for value in re.findall(r"duration: (\d+(?:\.\d+)?s)", " ".join(warnings)):
        Project(title="T", duration=value)


def test_a_feature_script_is_refused_before_any_work(tmp_path: Path) -> None:
    script = long_script(tmp_path / "long.fountain")
    out = tmp_path / "out"
    with pytest.raises(FilmTooLongError) as raised:
        aifilm.render(script, out, cache=False)
    error = raised.value
    assert re.search(
        r"runs \d+ min \d+ s \(\d+ s, estimated from its 180 spoken lines", error.message
    )
    assert "at most 10 min (600 s)" in error.message
    assert error.hint and "--scenes 1-" in error.hint and "--episodes 10m" in error.hint
    assert not out.exists()  # nothing was made
    # The plan shows the same numbers as a warning instead of refusing.
    warnings = plan(load_project(script))
    assert any("at most 10 min" in w and "--scenes 1-" in w for w in warnings)


def test_the_cli_refuses_with_exit_3_and_the_numbers(tmp_path: Path) -> None:
    script = long_script(tmp_path / "long.fountain")
    done = subprocess.run(
        [sys.executable, "-m", "aifilm", "render", str(script), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 3
    error = json.loads(done.stdout.splitlines()[-1])
    assert error["error"] == "FilmTooLongError" and "--episodes 10m" in error["hint"]
    assert "Traceback" not in done.stderr


def test_a_target_duration_warning_never_advises_a_rejected_value(tmp_path: Path) -> None:
    long_script(tmp_path / "long.fountain")
    project = load_project_yaml(
        "title: T\nduration: 10m\nscript_file: long.fountain\n", base_dir=tmp_path
    )
    warnings = plan(project)
    assert any("--episodes" in w for w in warnings)
    assert not re.search(r"duration: \d{4,}s", " ".join(warnings))
    advised_durations_validate(warnings)
    # Just over the target (and under the maximum), the duration it advises is valid.
    script = tmp_path / "mid.fountain"
    long_script(script, scenes=6)
    project = load_project_yaml(
        "title: T\nduration: 60s\nscript_file: mid.fountain\n", base_dir=tmp_path
    )
    warnings = plan(project)
    assert any(re.search(r"set 'duration: \d+s'", w) for w in warnings)
    advised_durations_validate(warnings)


def test_a_film_of_a_few_seconds_gets_a_warning(tmp_path: Path) -> None:
    (tmp_path / "short.txt").write_text("Hello.\n", encoding="utf-8")
    warnings = plan(load_project(tmp_path / "short.txt"))
    assert any("only" in w and "duration: 10s" in w for w in warnings)
    advised_durations_validate(warnings)


def test_scenes_by_number_range_list_and_heading(tmp_path: Path) -> None:
    project = load_project(long_script(tmp_path / "long.fountain", scenes=12))
    assert select_scenes(project, "3-5") == [2, 3, 4]
    assert select_scenes(project, "2,7-8") == [1, 6, 7]
    assert select_scenes(project, "11-") == [10, 11]
    assert select_scenes(project, "office 12") == [11]
    with pytest.raises(UserError, match="scenes 1 to 12"):
        select_scenes(project, "9-14")
    with pytest.raises(UserError, match="no scene heading contains 'KITCHEN'"):
        select_scenes(project, "KITCHEN")
    [(part, film)] = cut(project, scenes="3-5")
    assert part is None and len(film.scenes) == 3
    assert film.title == "Long Night scenes 3-5"
    assert film.scenes[0].title == "INT. OFFICE 3 - NIGHT"
    # Messages still point at the script's lines.
    assert film.shot_source(0, 0) == project.shot_source(2, 0)


def test_episodes_by_length_and_by_act(tmp_path: Path) -> None:
    project = load_project(long_script(tmp_path / "long.fountain", scenes=60, acts=True))
    films = cut(project, episodes="10m")
    assert len(films) >= 3
    for part, film in films:
        assert part is not None and part.seconds <= 600
        assert film.scenes[0].shots[0].title == f"Long Night - {part.label}"
        assert film.title == f"Long Night {part.number:02d}"
    scenes = [n for part, _ in films if part for n in part.scenes]
    assert scenes == list(range(60))  # every scene once, in order
    acts = episodes_of(project, [1.0] * 60, "acts")
    assert [p.label for p in acts] == [f"Episode {n} of 3: ACT {n}" for n in (1, 2, 3)]
    films = cut(load_project(tmp_path / "long.fountain"), episodes="acts")  # 8 min each
    assert [len(part.scenes) for part, _ in films if part] == [20, 20, 20]
    longer = load_project(long_script(tmp_path / "longer.fountain", scenes=90, acts=True))
    with pytest.raises(UserError, match=r"ACT 1 runs 1[01] min"):
        cut(longer, episodes="acts")  # each act is over 10 min: refused before any render
    with pytest.raises(UserError, match="between"):
        cut(project, episodes="30m")


def test_pace(tmp_path: Path) -> None:
    project = load_project(long_script(tmp_path / "long.fountain", scenes=2))
    apply_pace(project, 1.2)
    assert project.narrator.rate == pytest.approx(1.2)
    assert [c.rate for c in project.characters] == [pytest.approx(1.2)] * 2
    with pytest.raises(UserError, match="faster than rate 2"):
        apply_pace(project, 1.9)


def test_episodes_render_as_numbered_complete_films(tmp_path: Path) -> None:
    script = tmp_path / "two.fountain"
    script.write_text(
        "Title: Two Parts\n\n# ACT ONE\n\nINT. ROOM - DAY\n\nANNA\nHello there.\n\n"
        "# ACT TWO\n\nEXT. GARDEN - DAY\n\nBOB\nGoodbye now.\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "aifilm",
            "render",
            str(script),
            "--episodes",
            "acts",
            "--preview",
            "--json",
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(x) for x in done.stdout.splitlines() if '"result"' in x]
    videos = [Path(r["video"]) for r in results]
    assert [v.name for v in videos] == ["two-parts-01-preview.mp4", "two-parts-02-preview.mp4"]
    for video in videos:
        info = probe(video)
        assert info.first("video") is not None and info.first("audio") is not None
        assert info.duration > 3  # the title card and the scene


def test_speech_longer_than_its_estimate_stops_before_the_pictures(tmp_path: Path) -> None:
    # The estimate says the film fits; the voices then take 30 s a line: the plan stage
    # refuses before any picture is made, instead of rendering a film past the limit.
    import numpy as np

    from aifilm.media.wav import write_wav
    from aifilm.pipeline.registry import Registry
    from aifilm.pipeline.render import Pipeline
    from aifilm.pipeline.timeline import SpeechClip
    from aifilm.pipeline.voice.base import SpeechRequest, VoiceInfo

    class SlowVoice(VoiceBackend):
        name = "slow-test"

        def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
            write_wav(out, np.zeros(30 * 8000, dtype=np.float32), 8000)
            return SpeechClip(path=out, duration=30.0, sample_rate=8000)

        def voices(self, language: str | None = None) -> list[VoiceInfo]:
            return [VoiceInfo("slow", "en", None, "test")]

        def estimate_duration(self, request: SpeechRequest) -> float:
            return 1.0

    backends = Registry()
    backends.register(SlowVoice)
    script = tmp_path / "s.txt"
    script.write_text("\n\n".join(f"Line number {n}." for n in range(25)), encoding="utf-8")
    pipe = Pipeline(load_project(script), voice="slow-test", backends=backends, cache=False)
    try:
        with pytest.raises(FilmTooLongError, match=r"runs 1\d min .* as spoken"):
            pipe.run()
        assert pipe.state.timeline is not None and pipe.state.film is None
    finally:
        pipe.close()
