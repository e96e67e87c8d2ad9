"""`aifilm publish`: put a rendered film on YouTube (progress bar, or JSON lines for CI)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from aifilm.cli.console import console, emit_json, escape, out
from aifilm.pipeline.context import ProgressEvent


class _UploadBar:
    """A byte bar for the upload, a line for each other step, warnings as they come."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description:<9}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[note]}"),
            console=console,
        )
        self.task: TaskID | None = None

    def __call__(self, event: ProgressEvent) -> None:
        if event.event == "warning":
            self.progress.console.print(f"[yellow]warning[/]: {escape(event.message)}")
        elif event.stage == "upload":
            if self.task is None:
                self.task = self.progress.add_task("upload", total=event.total, note="")
            self.progress.update(self.task, completed=event.done, note=escape(event.message[:50]))
        elif event.event == "finish":
            note = f"  [dim]{escape(event.message)}[/]" if event.message else ""
            self.progress.console.print(f"[green]✓[/] {escape(event.stage)}{note}")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("publish")
    def publish_command(
        film: Path = typer.Argument(
            ..., help="The film (.mp4), its render folder, or its render-report.json."
        ),
        title: str | None = typer.Option(
            None, "--title", help="Title (at most 100 characters; default: the report's)."
        ),
        description: str = typer.Option("", "--description", help="Description."),
        description_file: Path | None = typer.Option(
            None, "--description-file", help="Read the description from this file."
        ),
        tags: str = typer.Option("", "--tags", help="Comma-separated tags."),
        category: str = typer.Option(
            "1", "--category", help="YouTube category ID (1: Film & Animation)."
        ),
        language: str | None = typer.Option(
            None, "--language", help="Language of title and description (default: the film's)."
        ),
        audio_language: str | None = typer.Option(
            None, "--audio-language", help="Spoken language (default: the film's)."
        ),
        privacy: str = typer.Option("private", "--privacy", help="public, unlisted or private."),
        publish_at: str | None = typer.Option(
            None, "--publish-at", help="Go public at this ISO 8601 time (needs --privacy private)."
        ),
        made_for_kids: bool = typer.Option(
            False, "--made-for-kids", help="Declare the video made for children."
        ),
        thumbnail: Path | None = typer.Option(
            None, "--thumbnail", help="Thumbnail image (default: the render's PNG)."
        ),
        no_thumbnail: bool = typer.Option(False, "--no-thumbnail", help="Send no thumbnail."),
        captions: list[Path] = typer.Option(
            [], "--captions", help="Caption file or folder (repeatable; default: the render's)."
        ),
        caption_language: str | None = typer.Option(
            None, "--caption-language", help="Language of caption files without <lang> in name."
        ),
        no_captions: bool = typer.Option(False, "--no-captions", help="Send no captions."),
        playlist: str | None = typer.Option(
            None, "--playlist", help="Add to this playlist (title or ID)."
        ),
        create_playlist: bool = typer.Option(
            False, "--create-playlist", help="Create the playlist if the channel has none."
        ),
        no_notify: bool = typer.Option(False, "--no-notify", help="Do not notify subscribers."),
        force: bool = typer.Option(
            False, "--force", help="Upload even if this exact file is already on the channel."
        ),
        as_json: bool = typer.Option(False, "--json", help="Progress and result as JSON lines."),
    ) -> None:
        """Publish a film to YouTube: video, metadata, thumbnail, captions, playlist; once."""
        from aifilm.publish.film import find_film
        from aifilm.publish.youtube import PublishResult, VideoMetadata, parse_publish_at, publish

        found = find_film(film)
        if description_file is not None:
            description = description_file.read_text(encoding="utf-8")
        metadata = VideoMetadata(
            title=title if title is not None else (found.title or ""),
            description=description,
            tags=[t.strip() for t in tags.split(",") if t.strip()],
            category_id=category,
            default_language=language,
            default_audio_language=audio_language,
            privacy=privacy,
            publish_at=parse_publish_at(publish_at) if publish_at else None,
            made_for_kids=made_for_kids,
            notify_subscribers=not no_notify,
        )

        def run(progress: Callable[[ProgressEvent], None]) -> PublishResult:
            return publish(
                found,
                metadata,
                thumbnail=False if no_thumbnail else (thumbnail or True),
                captions=False if no_captions else (list(captions) or True),
                caption_language=caption_language,
                playlist=playlist,
                create_playlist=create_playlist,
                force=force,
                progress=progress,
            )

        if as_json:
            emit_json(run(lambda e: emit_json(e.to_dict())).to_dict())
            return
        console.print(f"[bold]{escape(metadata.title)}[/] ← {escape(str(found.video))}")
        bar = _UploadBar()
        with bar.progress:
            result = run(bar)
        if result.status == "already-published":
            out.print(f"[green]✓[/] already published: {escape(result.url)}  [dim](same file)[/]")
        else:
            out.print(f"[green]✓[/] {escape(result.url)}  [dim]{escape(result.privacy)}[/]")
        if result.publish_at:
            out.print(f"  goes public at {escape(str(result.publish_at))}")
        if result.captions:
            out.print(f"  captions: {escape(', '.join(result.captions))}")
        if result.playlist_id:
            out.print(f"  playlist: {escape(result.playlist_id)}")
        used = ", ".join(f"{v} {k}" for k, v in result.quota_used.items())
        if used:
            out.print(f"  quota spent: {escape(used)}")
