"""Load a `project.yaml` or a bare script file into a checked, resolved `Project`.

YAML is composed into nodes first so every value keeps its line and column;
pydantic's errors are then mapped back to `file:line:col`. All problems of a
file are reported at once. After validation the script (inline or in a file) is
parsed into scenes, speakers found in it become characters, and every path is
checked against the project folder.
"""

from __future__ import annotations

import typing
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from aifilm.cast.casting import apply_casting
from aifilm.errors import SpecError, SpecIssue
from aifilm.script import (
    ScriptDocument,
    ScriptFormat,
    detect_format,
    detect_language,
    parse_script,
)
from aifilm.spec.models import Character, Project, Scene, Shot
from aifilm.spec.vocabulary import (
    BACKEND_STAGES,
    LANGUAGES,
    VOICED_SCRIPTS,
    choice_error,
    suggest,
)

Loc = tuple[str | int, ...]
Mark = tuple[int, int]  # 1-based line, column

YAML_SUFFIXES = (".yaml", ".yml")
MAX_SPEC_BYTES = 5_000_000


def load_project(
    path: str | Path, *, language: str | None = None, mode: str | None = None
) -> Project:
    """Load a project file (.yaml) or a bare script (.fountain, .txt) into a `Project`.

    `mode` ("film" or "podcast", e.g. from `--mode`) overrides the file's.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(
                [SpecIssue(str(path), None, None, "", "file is over 5 MB; is it a script?")]
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecError(
            [SpecIssue(str(path), None, None, "", "file not found")],
            hint="check the path, or create a project with 'aifilm init NAME'",
        ) from None
    except UnicodeDecodeError as exc:
        raise SpecError(
            [
                SpecIssue(
                    str(path), None, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})"
                )
            ],
            hint="save the file as UTF-8",
        ) from None
    except IsADirectoryError:
        candidate = path / "project.yaml"
        if candidate.exists():
            return load_project(candidate, language=language, mode=mode)
        raise SpecError(
            [SpecIssue(str(path), None, None, "", "is a folder with no project.yaml")]
        ) from None
    if path.suffix.lower() in YAML_SUFFIXES:
        return load_project_yaml(text, filename=str(path), base_dir=path.parent, mode=mode)
    return project_from_script(
        text, filename=str(path), base_dir=path.parent, language=language, mode=mode
    )


def load_project_yaml(
    text: str,
    *,
    filename: str = "project.yaml",
    base_dir: Path | None = None,
    mode: str | None = None,
) -> Project:
    """Validate YAML text into a `Project`; raise `SpecError` listing every problem."""
    base_dir = base_dir or Path.cwd()
    data, marks = _compose(text, filename)
    if not isinstance(data, dict):
        raise SpecError(
            [
                SpecIssue(
                    filename,
                    1,
                    1,
                    "",
                    "a project file is a mapping of keys (title: ..., scenes: ...)",
                )
            ]
        )
    if mode is not None:
        data["mode"] = mode
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        issues = [_issue_from_error(err, filename, marks) for err in exc.errors()]
        raise SpecError(sorted(issues, key=lambda i: (i.line or 0, i.column or 0))) from None
    issues = _check_semantics(project, filename, marks, base_dir)
    if issues:
        raise SpecError(issues)
    for s, scene in enumerate(project.scenes):
        for t, shot in enumerate(scene.shots):
            line, _col = _mark_for(("scenes", s, "shots", t), marks) or (1, 1)
            project._sources[(s, t)] = f"{filename}:{line}"
            spoken: list[Loc] = [("narration",)] if shot.narration else []
            spoken += [("dialogue", d) for d in range(len(shot.dialogue or []))]
            for k, where in enumerate(spoken):
                line, _col = _mark_for(("scenes", s, "shots", t, *where), marks) or (line, 1)
                project._line_sources[(s, t, k)] = f"{filename}:{line}"
    _resolve_script(project, filename, base_dir, marks)
    _check_podcast(project, filename, marks.get(("mode",)) if mode is None else None)
    _attach(project, filename, base_dir)
    apply_casting(project)
    return project


def project_from_script(
    text: str,
    *,
    filename: str,
    base_dir: Path,
    language: str | None = None,
    mode: str | None = None,
) -> Project:
    """A `Project` with sensible defaults around a bare script file."""
    fmt = detect_format(Path(filename), text)
    doc = parse_script(text, fmt)
    title = (
        doc.title
        or Path(filename).stem.replace("-", " ").replace("_", " ").strip().title()
        or "Untitled"
    )
    try:
        project = Project(title=title[:100], mode=mode or "film")
        if language is not None:
            project.language = language
    except ValidationError as exc:
        raise SpecError(
            [
                SpecIssue(
                    filename,
                    None,
                    None,
                    ".".join(str(p) for p in e["loc"]),
                    e["msg"].removeprefix("Value error, "),
                )
                for e in exc.errors()
            ]
        ) from None
    _add_script(project, doc, filename, fmt)
    _check_podcast(project, filename, None)
    _attach(project, filename, base_dir)
    apply_casting(project)
    return project


# --- YAML with positions -------------------------------------------------------


def _compose(text: str, filename: str) -> tuple[Any, dict[Loc, Mark]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or "invalid YAML"
        raise SpecError(
            [SpecIssue(filename, line, col, "", f"YAML syntax: {problem}")],
            hint="text with ':' '#' or quotes is safest in double quotes, or as a block after '|'",
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError([SpecIssue(filename, None, None, "", f"YAML syntax: {exc}")]) from None
    marks: dict[Loc, Mark] = {}
    if node is not None:
        _walk(node, (), marks)
    return data, marks


def _walk(node: yaml.Node, loc: Loc, marks: dict[Loc, Mark]) -> None:
    marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*loc, str(key_node.value))
            marks[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, key, marks)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), marks)


def _mark_for(loc: Loc, marks: dict[Loc, Mark]) -> Mark | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return None


def _field_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _issue_from_error(err: Any, filename: str, marks: dict[Loc, Mark]) -> SpecIssue:
    # Drop union-branch tags pydantic adds to locations (e.g. 'str', 'dict[str,any]').
    loc: Loc = tuple(
        p for p in err["loc"] if isinstance(p, int) or ("[" not in p and p not in ("str",))
    )
    # A validator of a mapping names the key at fault in ctx["key"], to point at its line.
    key_at_fault = (err.get("ctx") or {}).get("key")
    if isinstance(key_at_fault, str) and (*loc, key_at_fault) in marks:
        loc = (*loc, key_at_fault)
    mark = _mark_for(loc, marks)
    line, col = mark if mark else (None, None)
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = sorted(_model_fields(loc[:-1]))
        close = suggest(key, allowed)
        msg = f"unknown key '{key}'" + (f"; did you mean '{close}'?" if close else "")
        msg += f" valid keys here: {', '.join(allowed)}" if allowed else ""
        return SpecIssue(filename, line, col, _field_path(loc[:-1]), msg)
    if kind == "missing":
        msg = f"'{loc[-1]}' is required"
        return SpecIssue(filename, line, col, _field_path(loc[:-1]), msg)
    if (
        kind not in ("value_error", "assertion_error")
        and "input" in err
        and not isinstance(err["input"], dict | list)
    ):
        msg = f"{msg} (got {err['input']!r})"
    return SpecIssue(filename, line, col, _field_path(loc), msg)


def _model_fields(loc: Loc) -> list[str]:
    """Field names of the model found at a location of the Project tree."""
    annotation: Any = Project
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else Any
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else Any
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X, so nested models can be found."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if (
        typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType)
        and len(args) == 1
    ):
        return args[0]
    return annotation


# --- checks that need the whole project ------------------------------------


def _check_semantics(
    project: Project, filename: str, marks: dict[Loc, Mark], base_dir: Path
) -> list[SpecIssue]:
    issues: list[SpecIssue] = []

    def add(loc: Loc, message: str) -> None:
        line, col = _mark_for(loc, marks) or (None, None)
        issues.append(SpecIssue(filename, line, col, _field_path(loc), message))

    def check_file(loc: Loc, value: Path | None, kind: str) -> None:
        if value is None:
            return
        full = (base_dir / value).expanduser()
        if not full.exists():
            add(loc, f"{kind} not found: '{value}' (looked for {full})")
        elif not full.is_file():
            add(loc, f"{kind} '{value}' is not a file")

    for i, char in enumerate(project.characters):
        check_file(("characters", i, "image"), char.image, "image")
    if project.music is not None:
        check_file(("music", "file"), project.music.file, "music file")
    check_file(("script_file",), project.script_file, "script file")
    names = [c.name for c in project.characters]
    for s, scene in enumerate(project.scenes):
        check_file(("scenes", s, "background"), scene.background, "image")
        for t, shot in enumerate(scene.shots):
            check_file(("scenes", s, "shots", t, "image"), shot.image, "image")
            for d, line in enumerate(shot.lines[1 if shot.narration else 0 :]):
                if line.speaker and project.character(line.speaker) is None:
                    add(
                        ("scenes", s, "shots", t, "dialogue", d),
                        _unknown_character(line.speaker, names),
                    )
            if shot.show and project.character(shot.show) is None:
                add(("scenes", s, "shots", t, "show"), _unknown_character(shot.show, names))
            for line in shot.lines:
                problem = unsupported_script(line.text)
                if problem:
                    add(("scenes", s, "shots", t), problem)
    for stage in project.backends:
        if stage not in BACKEND_STAGES:
            add(("backends", stage), choice_error("stage", stage, BACKEND_STAGES))
    if not project.scenes and not project.script and not project.script_file:
        add((), "the project has no script: add 'scenes', an inline 'script', or a 'script_file'")
    if project.script and project.script_file:
        add(("script",), "give either 'script' or 'script_file', not both")
    return issues


def _unknown_character(name: str, names: list[str]) -> str:
    if not names:
        return f"unknown character '{name}': add it under 'characters:' (name, voice, image)"
    return choice_error("character", name, names) + "; or add it under 'characters:'"


def unsupported_script(text: str) -> str | None:
    """A message if the text is mostly in a writing system no voice speaks, else None."""
    counts: dict[str, int] = {}
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        name = unicodedata.name(char, "UNKNOWN").split(" ")[0]
        if name not in VOICED_SCRIPTS:
            counts[name] = counts.get(name, 0) + 1
    if not counts or letters == 0:
        return None
    script, count = max(counts.items(), key=lambda kv: kv[1])
    if count / letters < 0.3:
        return None
    supported = ", ".join(f"{lang.name} ({lang.code})" for lang in LANGUAGES)
    return (
        f"this line is written in {script.title()} script, which no voice speaks yet; "
        f"supported languages: {supported}"
    )


# --- script resolution -------------------------------------------------------


def _resolve_script(
    project: Project, filename: str, base_dir: Path, marks: dict[Loc, Mark]
) -> None:
    if project.script:
        line, _ = _mark_for(("script",), marks) or (1, 1)
        fmt = detect_format(None, project.script)
        doc = parse_script(project.script, fmt)
        # An inline block starts on the line after 'script: |'.
        for scene in doc.scenes:
            scene.line += line
            for spoken in scene.lines:
                spoken.line += line
        _add_script(project, doc, filename, fmt)
    elif project.script_file:
        path = base_dir / project.script_file
        text = path.read_text(encoding="utf-8-sig")
        fmt = detect_format(path, text)
        _add_script(project, parse_script(text, fmt), str(path), fmt)


_EMPTY_HINTS = {
    "plain": "write narration paragraphs and 'Name: line' dialogue; '[Scene: title]' headings",
    "fountain": "write a Fountain screenplay: scene headings (INT. HOUSE - DAY), action "
    "paragraphs, and a character's name in CAPITALS on its own line with the dialogue on the "
    "lines below it; a title page (Title: ...) ends at the first blank line",
}


def _add_script(
    project: Project, doc: ScriptDocument, filename: str, fmt: ScriptFormat = "plain"
) -> None:
    """Append a parsed script's scenes to the project; new speakers become characters."""
    total = sum(len(s.lines) for s in doc.scenes)
    if total == 0:
        raise SpecError(
            [
                SpecIssue(
                    filename,
                    None,
                    None,
                    "script",
                    f"the script is empty: it has no narration or dialogue (read as {fmt})",
                )
            ],
            hint=_EMPTY_HINTS[fmt],
        )
    _check_language(project, doc, filename)
    issues = [
        SpecIssue(filename, spoken.line, 1, "script", problem)
        for scene in doc.scenes
        for spoken in scene.lines
        if (problem := unsupported_script(spoken.text))
    ]
    if issues:
        raise SpecError(issues)
    for speaker in doc.speakers:
        if project.character(speaker) is None:
            # No voice yet: casting (aifilm.cast.casting) chooses it once the script is in.
            project.characters.append(Character(name=speaker))
    for scene in doc.scenes:
        if not scene.lines:
            continue
        shots = []
        for number, spoken in enumerate(scene.lines):
            char = project.character(spoken.speaker) if spoken.speaker else None
            shot = (
                Shot(narration=spoken.text, interrupt=spoken.interrupt)
                if char is None
                else Shot(dialogue=[{char.name: spoken.text}], interrupt=spoken.interrupt)
            )
            shots.append(shot)
            project._sources[(len(project.scenes), number)] = f"{filename}:{spoken.line}"
        if scene.section:
            project._sections[len(project.scenes)] = scene.section
        project.scenes.append(Scene(title=scene.title, shots=shots))


def _check_language(project: Project, doc: ScriptDocument, filename: str) -> None:
    """Take the script's language when the project sets none; warn when they disagree."""
    text = "\n".join(line.text for scene in doc.scenes for line in scene.lines)
    found = detect_language(text)
    if found is None or found == project.language:
        return
    subtitles = project.output.subtitles
    # Subtitle languages written for the default language pin it: keep it, and say so.
    pinned = subtitles.languages is not None or subtitles.burn_language is not None
    if "language" not in project.model_fields_set and not pinned:
        project.language = found
        return
    names = {lang.code: lang.name for lang in LANGUAGES}
    project._load_warnings.append(
        f"{filename}: the script reads as {names.get(found, found)} ({found}) but the "
        f"project's language is {names.get(project.language, project.language)} "
        f"({project.language}); its voices would read it as {project.language}. Set "
        f"'language: {found}' (or --language {found}) if the script is {names.get(found, found)}"
    )


def _check_podcast(project: Project, filename: str, mode_mark: Mark | None) -> None:
    """Podcast mode needs 2-4 hosts: point at the first extra one, or at `mode:`."""
    from aifilm.spec.podcast import podcast_problem

    found = podcast_problem(project)
    if found is None:
        return
    message, shot = found
    where, line, col = filename, None, None
    if shot is not None and (source := project.shot_source(*shot)):
        where, _, number = source.rpartition(":")
        line, col = (int(number), 1) if number.isdigit() else (None, None)
    elif mode_mark is not None:
        line, col = mode_mark
    raise SpecError(
        [SpecIssue(where or filename, line, col, "mode", message)],
        hint="podcast mode puts 2 to 4 hosts side by side; 'mode: film' has no limit",
    )


def _attach(project: Project, filename: str, base_dir: Path) -> None:
    project._base_dir = base_dir.resolve()
    project._source = Path(filename)
