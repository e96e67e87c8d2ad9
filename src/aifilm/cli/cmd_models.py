"""`aifilm models`: the AI backends' models, whether they are here, their licences; fetch one."""

from __future__ import annotations

import typer
from rich.table import Table

from aifilm.cli.console import emit_json, escape, out


def register(app: typer.Typer) -> None:
    """Add the command group to the app."""
    models = typer.Typer(
        name="models",
        help="Models of the AI backends: list them with their licences, pull one.",
        no_args_is_help=True,
    )

    @models.command("list")
    def list_command(
        backend: str | None = typer.Option(
            None,
            "--backend",
            "-b",
            help="diffusion-image, diffusion-video, musicgen, wav2lip or sadtalker.",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON lines."),
    ) -> None:
        """Known model ids per AI backend: present in the HF cache?, size, licence."""
        from aifilm.models.status import model_statuses

        statuses = model_statuses(backend)
        if as_json:
            for s in statuses:
                emit_json(s.to_dict())
            return
        for name in dict.fromkeys(s.info.backend for s in statuses):
            table = Table(title=f"{name} models", title_justify="left")
            table.add_column("model", no_wrap=True)
            table.add_column("here")
            table.add_column("size", no_wrap=True)
            table.add_column("weights licence")
            table.add_column("commercial")
            for s in (s for s in statuses if s.info.backend == name):
                size = (
                    f"{s.size_bytes / 2**30:.1f} GiB"
                    if s.size_bytes is not None
                    else f"~{s.info.size_gb:g} GB"
                )
                here = "[green]yes[/]" if s.present else ("[yellow]partial[/]" if s.path else "no")
                table.add_row(
                    escape(s.info.id) + (" [dim](gated)[/]" if s.info.gated else ""),
                    here,
                    size,
                    escape(s.info.short_license),
                    "[green]yes[/]" if s.info.commercial_use else "[red]no[/]",
                )
            out.print(table)
        out.print(
            "Any diffusers or transformers checkpoint of the right kind works too "
            "(Wav2Lip: any wav2lip.pth / wav2lip_gan.pth file)."
        )
        out.print(
            "fetch one with [bold]aifilm models pull ID[/]; choose it per project with "
            "backends: {visuals: {name: diffusion-image, options: {model: ID}}}"
        )

    @models.command("pull")
    def pull_command(
        name: str = typer.Argument(
            ...,
            help="Hub id, e.g. stabilityai/stable-diffusion-xl-base-1.0, or a Coqui voice "
            "model, e.g. tts_models/en/vctk/vits",
        ),
        revision: str | None = typer.Option(None, "--revision", help="Branch, tag or commit."),
    ) -> None:
        """Download a model into the Hugging Face cache (only the files loading needs);
        a Coqui voice model (tts_models/...) into Coqui's model folder."""
        from aifilm.models.hub import folder_size, pull_model

        out.print(f"downloading {escape(name)} ...")
        if name.startswith("tts_models/"):
            from aifilm.pipeline.voice.coqui_models import pull_coqui

            folder = pull_coqui(name)
        else:
            folder = pull_model(name, revision=revision)
        out.print(
            f"[green]✓[/] {escape(name)}: {escape(str(folder))} "
            f"({folder_size(folder) / 2**30:.1f} GiB)"
        )

    app.add_typer(models)
