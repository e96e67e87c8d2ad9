"""`aifilm cast` and the cast in `aifilm plan`, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """\
Title: Brick & Steel

EXT. PATIO - DAY

BRICK BRADDOCK, retired police detective in his 50s, sits.

MAYA (8) runs in with a kite.

BRICK
Are they cold?

MAYA
Grandpa, look!
"""


def aifilm(*args: str) -> subprocess.CompletedProcess[str]:
    # A wide terminal, so table cells are not wrapped mid-phrase.
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args], capture_output=True, text=True, env=env
    )


def test_cast_json_lists_who_why_and_voice(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    done = aifilm("cast", str(script), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    rows = {row["name"]: row for row in payload["characters"]}
    assert set(rows) == {"Brick", "Maya"}
    brick = rows["Brick"]
    assert (brick["sex"], brick["age"], brick["role"], brick["voice"]) == (
        "male",
        "mature",
        "detective",
        "mature",
    )
    assert brick["lines"] == 1 and brick["voice_set"] is False
    assert any("(line 5)" in reason for reason in brick["evidence"])
    assert "name: Brick" in brick["override"]
    assert (rows["Maya"]["age"], rows["Maya"]["voice"]) == ("child", "child")


def test_cast_table_shows_the_evidence_and_how_to_override(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    done = aifilm("cast", str(script))
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "Brick" in flat and "male, mature, detective" in flat
    assert "introduced as" in flat
    assert "characters:" in flat and "sex: female, age: mature" in flat


def test_plan_shows_and_reports_the_cast(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    plan = json.loads(aifilm("plan", str(script), "--json").stdout)
    assert [row["name"] for row in plan["cast"]] == ["Brick", "Maya"]
    text = aifilm("plan", str(script)).stdout
    assert "cast" in text and "mature" in text and "aifilm cast" in text


def test_cast_of_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    done = aifilm("cast", str(tmp_path / "nope.fountain"))
    assert done.returncode == 3 and "Traceback" not in done.stderr
