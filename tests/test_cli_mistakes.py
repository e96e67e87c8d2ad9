"""Every command, with the mistakes a newcomer makes, ends in a short message and a
documented exit code: never a traceback.

The commands are found by walking the typer app, so a new command is covered the day it
is added. Each gets, where its parameters allow: a missing required argument, a word
where a number goes, a missing file, a folder where a file goes, a file that is not
what it should be, a file where a folder goes, a server that is down, one that refuses,
a server URL without http://, a bad AIFILM_* variable and a broken config.toml.
"""

from __future__ import annotations

import faulthandler
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer.main

from aifilm.cli.app import app, run
from aifilm.errors import (
    EXIT_CODES,
    EXIT_CREDENTIALS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISSING_DEPENDENCY,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    EXIT_USER,
)

ROOT = Path(__file__).resolve().parents[1]
FOLDERS_WRITTEN = {"out_dir", "folder"}  # paths of folders a command makes and writes in
FILES_WRITTEN = {"output"}  # paths of files a command writes
UNUSED_PORT_HOST = "127.0.0.1"


CLI = typer.main.get_command(app)


def _commands(group: Any = CLI, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


def _command(path: tuple[str, ...]) -> Any:
    command = CLI
    for name in path:
        command = command.commands[name]
    return command


COMMANDS = list(_commands())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind((UNUSED_PORT_HOST, 0))
        return int(s.getsockname()[1])


class _Refuse(BaseHTTPRequestHandler):
    """A server that answers every request 401, as an aifilm server does without a key."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"title": "Unauthorized", "status": 401, "detail": "bad API key"})
        self.send_response(401)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def refusing_server() -> Iterator[str]:
    server = ThreadingHTTPServer((UNUSED_PORT_HOST, 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{UNUSED_PORT_HOST}:{server.server_address[1]}"
    server.shutdown()


@dataclass
class Files:
    """What the mistakes are made with."""

    project: Path
    missing: Path
    folder: Path
    junk: Path
    plain: Path


@pytest.fixture
def files(tmp_path: Path) -> Files:
    project = tmp_path / "film" / "project.yaml"
    project.parent.mkdir()
    project.write_text("title: T\nduration: 10s\nscript: Hello there.\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\x00\xff\xfe not text \x89PNG")
    plain = tmp_path / "a-file"
    plain.write_text("I am a file\n")
    return Files(project, tmp_path / "nope" / "missing.yaml", tmp_path / "empty", junk, plain)


@dataclass
class Case:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    expect: set[int] | None = None  # None: any documented code but 1
    says: str | None = None  # a text the message must hold


def _kind(param: Any) -> str:
    """ "path", "integer", "float", "bool" or "text": from the annotation (typer 0.29 keeps
    it in `type_descriptor`) or from click's parameter type (older typer)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return str(getattr(param.type, "name", "text")).replace("boolean", "bool")
    annotation = descriptor.annotation
    options = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    names = {Path: "path", int: "integer", float: "float", bool: "bool"}
    return next((names[a] for a in options if a in names), "text")


def _sample(param: Any, files: Files, url: str) -> str:
    """A value that is right for the parameter, so one mistake is tested at a time."""
    if param.name == "url":
        return url
    if param.name == "email":
        return "newcomer@example.com"
    if param.name == "password":
        return "a long enough password"
    kind = _kind(param)
    if kind == "path":
        return str(files.project)
    if kind == "integer":
        return "1"
    return "x"


def _base(path: tuple[str, ...], files: Files, url: str = "http://127.0.0.1:1") -> list[str]:
    """The command with every required parameter given a good value."""
    argv = list(path)
    for param in _command(path).params:
        if not param.required:
            continue
        if param.param_type_name == "argument":
            argv.append(_sample(param, files, url))
        else:
            argv += [param.opts[0], _sample(param, files, url)]
    return argv


def _with(
    path: tuple[str, ...], files: Files, param: Any, value: str, url: str = "http://127.0.0.1:1"
) -> list[str]:
    """The command with good values everywhere but `param`, which gets `value`."""
    argv = list(path)
    for other in _command(path).params:
        if other.name == param.name:
            if other.param_type_name == "argument":
                argv.append(value)
            else:
                argv += [other.opts[0], value]
        elif other.required:
            if other.param_type_name == "argument":
                argv.append(_sample(other, files, url))
            else:
                argv += [other.opts[0], _sample(other, files, url)]
    return argv


def _cases(path: tuple[str, ...], files: Files, refusing: str) -> list[Case]:
    command = _command(path)
    params = list(command.params)
    cases = [
        Case(_base(path, files), env={"AIFILM_WORKERS": "abc"}, says="AIFILM_WORKERS"),
        Case(_base(path, files), env={"AIFILM_CONFIG": str(files.junk)}, says="junk.yaml"),
        Case([*path, "--help"], env={"AIFILM_WORKERS": "abc"}, expect={0}, says="Usage"),
    ]
    if any(p.required for p in params):
        cases.append(Case(list(path), expect={EXIT_USAGE}))
    for param in params:
        kind = _kind(param)
        is_flag = getattr(param, "is_flag", False)
        if kind in ("integer", "float") and not is_flag:
            cases.append(Case(_with(path, files, param, "abc"), expect={EXIT_USAGE}))
        if kind == "path":
            # The message must name the file when the path is the command's subject (an
            # argument); an option's file may be reached only after the subject is checked.
            named = param.param_type_name == "argument"
            if param.name in FOLDERS_WRITTEN:
                wrong = [files.plain, files.plain / "sub"]
            elif param.name in FILES_WRITTEN:
                wrong = [files.folder, files.plain / "sub"]
            else:
                wrong = [files.missing, files.folder, files.junk]
            for value in wrong:
                says = value.name if value.name != "sub" else files.plain.name
                cases.append(
                    Case(_with(path, files, param, str(value)), says=says if named else None)
                )
        remote = param.name == "url" or "--remote" in getattr(param, "opts", ())
        if remote:
            closed = f"http://{UNUSED_PORT_HOST}:{_closed_port()}"
            key = {"AIFILM_API_KEY": "afk_test"}
            for value, expect in (
                (closed, {EXIT_UNREACHABLE}),
                (closed.removeprefix("http://"), {EXIT_USER}),
                (refusing, {EXIT_CREDENTIALS}),
            ):
                cases.append(Case(_with(path, files, param, value), env=key, expect=expect))
    return cases


def _label(path: tuple[str, ...]) -> str:
    return " ".join(path)


@pytest.mark.parametrize("path", COMMANDS, ids=_label)
def test_every_command_meets_its_likely_mistakes_without_a_traceback(
    path: tuple[str, ...],
    files: Files,
    refusing_server: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(files.project.parent)
    monkeypatch.setenv("COLUMNS", "250")  # rich tables would cut the file names short
    for variable in ("AIFILM_API_KEY", "AIFILM_SERVER_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AIFILM_CREDENTIALS", str(files.folder / "credentials.json"))
    monkeypatch.setenv("AIFILM_DATA_DIR", str(files.folder / "data"))
    for case in _cases(path, files, refusing_server):
        # A mistake a command does not notice can leave it waiting (a browser sign-in, a
        # server): end the run with every thread's stack rather than hang CI.
        faulthandler.dump_traceback_later(120, exit=True, file=sys.__stderr__)
        with monkeypatch.context() as env:
            for name, value in case.env.items():
                env.setenv(name, value)
            code = run(case.argv)
        faulthandler.cancel_dump_traceback_later()
        seen = capsys.readouterr()
        shown = seen.out + seen.err
        where = f"aifilm {' '.join(case.argv)} {case.env}: exit {code}\n{shown}"
        assert "Traceback" not in shown, where
        assert code in EXIT_CODES and code != EXIT_INTERNAL, where
        if path == ("doctor",) and case.env and case.expect is None:
            assert code == EXIT_MISSING_DEPENDENCY, where  # doctor shows bad settings as a check
        elif case.expect is not None:
            assert code in case.expect, where
        if case.says is not None:
            assert case.says in shown, where


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"render", "validate", "init", "login", "jobs", "credits", "cache prune"} <= names
    assert {"billing buy", "youtube login", "models pull", "doctor"} <= names


def aifilm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300", **(env or {})},
        timeout=120,
    )


def test_the_issues_examples_through_the_real_program(tmp_path: Path) -> None:
    """The four tracebacks of issue 12, as a user meets them: a panel, or a JSON error."""
    spec = tmp_path / "project.yaml"
    spec.write_text("title: T\nduration: 10s\nscript: Hello there.\n", encoding="utf-8")
    a_file = tmp_path / "renders.txt"
    a_file.write_text("not a folder\n")
    out = aifilm("render", str(spec), "--out", str(a_file))
    assert out.returncode == EXIT_USER and "Traceback" not in out.stderr
    assert "Problem" in out.stderr and "renders.txt' is a file" in out.stderr

    config = tmp_path / "config.toml"
    config.write_text("workers = 2\ncache_dir = \nno_cache = true\n")
    broken = aifilm("validate", str(spec), "--json", env={"AIFILM_CONFIG": str(config)})
    error = json.loads(broken.stdout)
    assert broken.returncode == EXIT_USER and error["error"] == "SettingsError"
    assert "config.toml is not valid TOML" in error["message"] and "line 2" in error["message"]

    workers = aifilm("render", str(spec), env={"AIFILM_WORKERS": "abc"})
    assert workers.returncode == EXIT_USER and "Traceback" not in workers.stderr
    assert "AIFILM_WORKERS='abc'" in workers.stderr and "integer" in workers.stderr

    down = f"http://{UNUSED_PORT_HOST}:{_closed_port()}"
    jobs = aifilm("jobs", "--remote", down, "--json", env={"AIFILM_API_KEY": "afk_x"})
    error = json.loads(jobs.stdout)
    assert jobs.returncode == EXIT_UNREACHABLE and error["exit_code"] == EXIT_UNREACHABLE
    assert error["error"] == "ServerUnreachableError" and down in error["message"]


def _documented_codes(page: str) -> dict[int, str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {
        int(m.group(1)): m.group(2).strip()
        for m in re.finditer(r"^\| (\d+) \| (.+) \|$", section, re.MULTILINE)
    }


def test_one_exit_code_table_documents_every_code() -> None:
    documented = _documented_codes("cli.md")
    assert set(documented) == set(EXIT_CODES)
    for code, meaning in EXIT_CODES.items():
        assert documented[code] == meaning
    publishing = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    assert "cli.md#exit-codes" in publishing
    assert not re.search(r"^\| 4 \|", publishing, re.MULTILINE), "one table, in cli.md"


def test_a_prompt_without_input_says_why_it_stopped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # CI: nothing to answer the prompt
    code = run(["login", f"http://{UNUSED_PORT_HOST}:{_closed_port()}"])
    shown = capsys.readouterr()
    assert code == EXIT_INTERRUPTED and "Traceback" not in shown.out + shown.err
    assert "a question got no answer (give it as an option)" in shown.err
