"""Write a film from a topic (and optionally a source document) with a language model.

    topic [+ source, summarised part by part] -> the model answers a Draft (JSON Schema)
    -> the spec's layout -> YAML -> the spec's own loader + the length estimate
    -> problems go back to the model (at most `MAX_TRIES` answers) -> project.yaml

The result is valid by construction: it is what the spec loader accepted.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aifilm.errors import SpecError, UserError
from aifilm.pipeline.llm.base import ChatRequest, LLMBackend, schema_of
from aifilm.pipeline.plan.estimate import estimate_speech_seconds
from aifilm.pipeline.plan.timing import plan_timeline
from aifilm.prompts import load_prompt
from aifilm.spec.loader import load_project_yaml
from aifilm.spec.models import MAX_DURATION_S, MIN_DURATION_S, Project
from aifilm.spec.vocabulary import LANGUAGES
from aifilm.write.draft import Draft, draft_schema, to_spec
from aifilm.write.sources import chunks, read_source
from aifilm.write.yamlout import project_yaml

STYLES = ("story", "explainer", "podcast", "devotional", "short")
MAX_TRIES = 4  # answers per film: the first and three repairs
CHUNK_WORDS = 3000  # a source longer than this is summarised part by part
SUMMARY_WORDS = 350
# Spoken words per minute of film: the estimate's 150 (pipeline/plan/estimate.py) less the
# pauses at full stops and the breath the plan leaves around each shot (about 2.5 s for a
# shot of one or two sentences), measured with estimated_seconds on written films.
SPOKEN_WPM = 100.0
SPOKEN_CPM = {"zh": 170.0, "ja": 220.0}
SHOT_SECONDS = 8.0  # a shot of one or two sentences, as the plan times it
TOO_SHORT, TOO_LONG = 0.8, 1.15  # of the target, by the estimate


@dataclass
class WriteResult:
    """What `write_film` made: the folder, the project, and what it cost."""

    folder: Path
    project_path: Path
    project: Project
    target_seconds: float
    estimated_seconds: float
    answers: int  # the model's answers to the film request (1 + repairs)
    usage: dict[str, int] = field(default_factory=dict)  # requests and tokens, summaries included


def word_budget(seconds: float, language: str) -> tuple[int, str]:
    """How many words (or characters, for scripts without spaces) fill `seconds`."""
    if language in SPOKEN_CPM:
        return int(seconds / 60 * SPOKEN_CPM[language]), "characters"
    return int(seconds / 60 * SPOKEN_WPM), "words"


def estimated_seconds(project: Project) -> float:
    """The film's natural length by the duration estimate, before fitting to a target."""
    from aifilm.pipeline.stages import speech_requests

    requests = speech_requests(project)
    natural = project.model_copy(update={"duration": None})
    timeline = plan_timeline(
        natural,
        lambda key: estimate_speech_seconds(
            requests[key].text, requests[key].language, requests[key].rate, requests[key].preset
        ),
    )
    return timeline.duration


def _brief(
    topic: str,
    style: str,
    language: str,
    seconds: float,
    characters: int | None,
    source: tuple[str, str] | None,
) -> str:
    name = next((lang.name for lang in LANGUAGES if lang.code == language), language)
    budget, unit = word_budget(seconds, language)
    if characters is None:
        cast = {
            "podcast": "2 hosts",
            "explainer": "none (narration only) unless the topic needs voices",
        }.get(style, "as many as the film needs (at most 4)")
    else:
        cast = f"exactly {characters}" if characters else "none: narration only"
    parts = [
        f"Topic: {topic}",
        f"Style: {style}",
        f"Language: {name} ({language}): every spoken word in {name}.",
        f"Length: {seconds / 60:g} minutes: about {budget} spoken {unit} in all "
        f"(narration and lines together), in about {max(2, round(seconds / SHOT_SECONDS))} "
        "shots.",
        f"Characters: {cast}.",
    ]
    if source is not None:
        label, text = source
        parts.append(f"Source ({label}): build the film from it, faithfully:\n\n{text}")
    return "\n".join(parts)


@dataclass
class _Checked:
    """An answer checked: its problems, or the project, its spec and its natural length."""

    problems: list[str]
    project: Project | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _check(
    text: str,
    language: str,
    seconds: float,
    podcast: bool,
    prompts: bool,
    target: Path,
    header: str = "",
) -> _Checked:
    """What is wrong with an answer, by the schema, the spec's loader and the length."""
    try:
        data = schema_of(text)
    except ValueError as exc:
        return _Checked([f"the answer is not valid JSON ({exc}); answer with one JSON object"])
    try:
        draft = Draft.model_validate(data)
    except ValidationError as exc:
        return _Checked(
            [
                f"{'.'.join(str(p) for p in e['loc']) or 'the answer'}: {e['msg']}"
                for e in exc.errors()[:20]
            ]
        )
    spec = to_spec(draft, language=language, seconds=seconds, podcast=podcast, prompts=prompts)
    try:
        # Loaded as it will be written (header included), so the project's line numbers
        # are the file's and it need not be loaded again.
        project = load_project_yaml(
            project_yaml(spec, header), filename=str(target), base_dir=target.parent
        )
    except SpecError as exc:
        # The loader speaks of the project as written: its `dialogue` holds the draft's `lines`.
        return _Checked([str(issue) for issue in exc.issues[:20]])
    natural = estimated_seconds(project)
    budget, unit = word_budget(abs(seconds - natural), language)
    if not seconds * TOO_SHORT <= natural <= seconds * TOO_LONG:
        verb = "cut" if natural > seconds else "add"
        return _Checked(
            [
                f"the film runs about {natural:.0f} s but must run {seconds:.0f} s: "
                f"{verb} about {budget} spoken {unit}"
            ],
            seconds=natural,
        )
    return _Checked([], project, spec, natural)


def summarise(backend: LLMBackend, text: str, label: str) -> str:
    """The source itself when short, else its parts' summaries joined in order."""
    parts = chunks(text, CHUNK_WORDS)
    if len(parts) <= 1:
        return text
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}},
        "required": ["summary"],
    }
    summaries = []
    for n, part in enumerate(parts, start=1):
        answer = backend.chat(
            ChatRequest(
                system=load_prompt("summarise"),
                messages=(
                    (
                        "user",
                        f"Part {n} of {len(parts)} of {label}. At most {SUMMARY_WORDS} words."
                        f"\n\n{part}",
                    ),
                ),
                schema=schema,
                schema_name="summary",
                max_tokens=2048,
            )
        )
        try:
            summaries.append(str(schema_of(answer.text)["summary"]).strip())
        except (ValueError, KeyError, TypeError):
            summaries.append(answer.text.strip())  # prose is still a summary
    return "\n\n".join(summaries)


def write_film(
    topic: str,
    *,
    backend: LLMBackend,
    out: Path,
    minutes: float = 2.0,
    style: str = "explainer",
    language: str = "en",
    characters: int | None = None,
    source: Path | None = None,
    prompts: bool = False,
) -> WriteResult:
    """Write `out/project.yaml` for a film about `topic` (from `source` when given).

    `prompts` writes each shot's picture as its `prompt:` (for AI picture backends);
    otherwise it is a comment above the shot and the director decides at render time.
    """
    if style not in STYLES:
        raise UserError(f"unknown style '{style}'", hint=f"use one of: {', '.join(STYLES)}")
    seconds = round(minutes * 60, 1)
    if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
        raise UserError(
            f"{minutes:g} minutes is outside what a film may run",
            hint=f"give --minutes between {MIN_DURATION_S / 60:.2f} and {MAX_DURATION_S / 60:g}",
        )
    if characters is not None and not 0 <= characters <= 8:
        raise UserError(f"--characters {characters}: give 0 to 8")
    if style == "podcast" and characters is not None and not 2 <= characters <= 4:
        raise UserError("a podcast has 2 to 4 hosts", hint="give --characters 2, 3 or 4")
    target = out / "project.yaml"
    if target.exists():
        raise UserError(
            f"{target} already exists", hint="choose another --out folder, or move the file"
        )
    if not topic.strip() and source is None:
        raise UserError("give a topic, or a source with --from")
    material = None
    if source is not None:
        material = (source.name, summarise(backend, read_source(source), source.name))
    podcast = style == "podcast"
    request_text = _brief(topic.strip(), style, language, seconds, characters, material)
    messages: list[tuple[str, str]] = [("user", request_text)]
    system = load_prompt("write")
    out.mkdir(parents=True, exist_ok=True)
    about = topic.strip() or f"(from {source.name if source else 'a source'})"
    header = (
        f"Written by 'aifilm write' ({style}, {minutes:g} min, {language}) with "
        f"{backend.name} {backend.model}.\nTopic: {about}\n"
        "Edit freely: 'aifilm plan' shows the shots and their picture prompts,\n"
        "'aifilm render' makes the film."
    )
    problems: list[str] = []
    for attempt in range(1, MAX_TRIES + 1):
        answer = backend.chat(
            ChatRequest(
                system=system,
                messages=tuple(messages),
                schema=draft_schema(),
                schema_name="project",
                max_tokens=16_384,
            )
        )
        checked = _check(answer.text, language, seconds, podcast, prompts, target, header)
        problems = checked.problems
        if not problems and checked.project is not None:
            _write_atomically(target, project_yaml(checked.spec, header))
            return WriteResult(
                out,
                target,
                checked.project,
                seconds,
                checked.seconds,
                attempt,
                backend.usage.to_dict(),
            )
        messages += [
            ("assistant", answer.text),
            (
                "user",
                "That answer has problems (positions are in the project file made from it, "
                "where `dialogue` holds your `lines`):\n"
                + "\n".join(f"- {p}" for p in problems)
                + "\nAnswer again with the whole corrected project as one JSON object.",
            ),
        ]
    listed = "\n".join(f"  - {p}" for p in problems)
    raise UserError(
        f"the model {backend.model} ({backend.name}) gave no valid project in {MAX_TRIES} "
        f"answers; the last one's problems:\n{listed}",
        hint="run it again, use a stronger model, or start from 'aifilm init' and edit by hand",
    )


def _write_atomically(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(prefix=".project-", suffix=".yaml", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temp, path)


def describe(result: WriteResult) -> dict[str, Any]:
    """JSON-able facts of a write, for `--json` and the benchmark."""
    return {
        "project": str(result.project_path),
        "title": result.project.title,
        "scenes": len(result.project.scenes),
        "shots": sum(len(s.shots) for s in result.project.scenes),
        "target_seconds": result.target_seconds,
        "estimated_seconds": round(result.estimated_seconds, 1),
        "answers": result.answers,
        **result.usage,
    }
