"""`aifilm write`: a topic (or notes, an article, a paper) to a project folder, by an LLM."""

from __future__ import annotations

from pathlib import Path

import typer

from aifilm.cli.console import console, emit_json, out


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("write")
    def write_command(
        topic: str = typer.Argument("", help="What the film is about (or use --from)."),
        minutes: float = typer.Option(2.0, "--minutes", "-m", help="Length of the film."),
        style: str = typer.Option(
            "explainer", "--style", "-s", help="story, explainer, podcast, devotional or short."
        ),
        language: str = typer.Option("en", "--language", "-l", help="Language of the film."),
        characters: int | None = typer.Option(
            None, "--characters", "-c", help="How many characters (podcast: hosts, 2-4)."
        ),
        source: Path | None = typer.Option(
            None, "--from", help="Notes, an article or a paper (.md, .txt, .pdf) to build on."
        ),
        out_dir: Path | None = typer.Option(
            None, "--out", "-o", help="Project folder to create (default: from the topic)."
        ),
        do_render: bool = typer.Option(False, "--render", help="Render the film straight away."),
        llm: str | None = typer.Option(
            None, "--llm", help="Language model backend: openai, anthropic or gemini."
        ),
        model: str | None = typer.Option(None, "--model", help="The backend's model name."),
        prompts: bool = typer.Option(
            False,
            "--prompts",
            help="Write each shot's picture as its prompt: (for AI picture backends).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Write a film from a topic with a language model: a project.yaml to edit or render."""
        from aifilm.errors import UserError
        from aifilm.pipeline.choice import language_model
        from aifilm.pipeline.llm.base import LLMBackend
        from aifilm.pipeline.registry import registry
        from aifilm.pipeline.render import slugify
        from aifilm.settings import Settings
        from aifilm.spec.vocabulary import LANGUAGE_CODES, choice_error
        from aifilm.write.writer import describe, write_film

        if language not in LANGUAGE_CODES:
            raise UserError(choice_error("language", language, LANGUAGE_CODES))
        settings = Settings()
        backend = language_model(registry, settings, argument=llm, model=model)
        assert isinstance(backend, LLMBackend)
        folder = out_dir or Path(slugify(topic or (source.stem if source else "film")))
        if not as_json:
            console.print(f"writing with {backend.name} ({backend.model}) into {folder}/ ...")
        result = write_film(
            topic,
            backend=backend,
            out=folder,
            minutes=minutes,
            style=style,
            language=language,
            characters=characters,
            source=source,
            prompts=prompts,
        )
        facts = describe(result)
        if as_json:
            emit_json({"event": "written", **facts})
        else:
            out.print(
                f"[green]wrote[/] {result.project_path}: {facts['scenes']} scenes, "
                f"{facts['shots']} shots, about {facts['estimated_seconds']:.0f} s "
                f"(target {facts['target_seconds']:.0f} s)\n"
                f"model: {facts['requests']} requests, {facts['input_tokens']} input and "
                f"{facts['output_tokens']} output tokens"
            )
        if do_render:
            from aifilm.pipeline.render import render

            rendered = render(result.project_path, settings=settings, choices={"llm": backend})
            if as_json:
                emit_json({"event": "done", "video": str(rendered.video)})
            else:
                out.print(f"[green]film[/] {rendered.video} ({rendered.duration:.1f} s)")
