"""The SDK client and the CLI against the real app: remote render, credentials, errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from tests.server.conftest import TINY_SPEC, png_bytes
from typer.testing import CliRunner

import aifilm
from aifilm.cli.app import app as cli_app
from aifilm.server.state import ServerState


def _project(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "sky.png").write_bytes(png_bytes((320, 180)))
    spec = TINY_SPEC.replace('  - color: "#336699"\n', "  - background: images/sky.png\n")
    path = folder / "project.yaml"
    path.write_text(spec)
    return path


def test_client_renders_remotely(live: tuple[str, ServerState], tmp_path: Path) -> None:
    url, _state = live
    client = aifilm.Client(url)
    client.register("sdk@example.com", "pass word 1")
    client.login("sdk@example.com", "pass word 1")
    key = client.create_api_key("tests")
    with aifilm.Client(url, api_key=key) as c:
        seen: list[dict[str, object]] = []
        result = c.render(_project(tmp_path / "film"), tmp_path / "out", on_progress=seen.append)
        assert result.job["status"] == "completed"
        assert result.files["video"] == tmp_path / "out" / "tiny-film.mp4"
        assert aifilm.media.probe.probe(result.files["video"]).duration == pytest.approx(
            10, abs=0.2
        )
        assert seen and seen[-1]["status"] == "completed"
        assert c.balance()["balance"] == 2
        assert c.jobs()["total"] == 1
        with pytest.raises(aifilm.RemoteError) as caught:
            c.cancel(result.job["id"])
        assert caught.value.status == 409 and "already completed" in str(caught.value)
    anonymous = aifilm.Client(url)
    with pytest.raises(aifilm.RemoteError, match="Authorization") as caught:
        anonymous.me()
    assert caught.value.status == 401 and caught.value.hint and "aifilm login" in caught.value.hint


def test_cli_login_credits_render_jobs(
    live: tuple[str, ServerState], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _state = live
    creds = tmp_path / "config" / "credentials.json"
    monkeypatch.setenv("AIFILM_CREDENTIALS", str(creds))
    monkeypatch.delenv("AIFILM_API_KEY", raising=False)
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        ["login", url, "--register", "--email", "cli@example.com", "--password", "pass word 2"],
    )
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    r = runner.invoke(cli_app, ["credits"])
    assert r.exit_code == 0 and "3 credit(s) on the creator plan" in r.output
    project = _project(tmp_path / "film")
    r = runner.invoke(
        cli_app, ["render", "--remote", url, str(project), "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "tiny-film.mp4").stat().st_size > 1000
    assert "completed" in r.output
    r = runner.invoke(cli_app, ["jobs"])
    assert r.exit_code == 0 and "completed" in r.output and "1 job(s)" in r.output
    r = runner.invoke(cli_app, ["credits"])
    assert "2 credit(s)" in r.output
