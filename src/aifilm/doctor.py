"""Health checks behind `aifilm doctor`: what is there, what is missing, how to get it."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from aifilm.errors import AifilmError, SettingsError
from aifilm.pipeline.backend import HealthCheck
from aifilm.pipeline.registry import DEFAULT_BACKENDS, registry
from aifilm.settings import Settings, user_config_file

REQUIRED_FILTERS = (
    "ass",
    "xfade",
    "sidechaincompress",
    "loudnorm",
    "amix",
    "overlay",
    "scale",
    "loop",
)
REQUIRED_ENCODERS = ("libx264", "aac")


def check_ffmpeg() -> list[HealthCheck]:
    """FFmpeg present, with the filters and encoders the composer uses."""
    from aifilm.media.ffmpeg import ffmpeg_encoders, ffmpeg_exe, ffmpeg_filters, ffmpeg_version

    try:
        exe = ffmpeg_exe()
    except AifilmError as exc:
        return [HealthCheck("FFmpeg", False, exc.message, exc.hint)]
    checks = [HealthCheck("FFmpeg", True, f"{ffmpeg_version()} at {exe}")]
    filters, encoders = ffmpeg_filters(), ffmpeg_encoders()
    missing_f = [f for f in REQUIRED_FILTERS if f not in filters]
    missing_e = [e for e in REQUIRED_ENCODERS if e not in encoders]
    fix = "pip install --force-reinstall imageio-ffmpeg (a full static build), or set AIFILM_FFMPEG"
    checks.append(
        HealthCheck(
            "FFmpeg filters",
            not missing_f,
            "all present" if not missing_f else "missing: " + ", ".join(missing_f),
            None if not missing_f else fix,
        )
    )
    checks.append(
        HealthCheck(
            "FFmpeg encoders",
            not missing_e,
            "libx264, aac" if not missing_e else "missing: " + ", ".join(missing_e),
            None if not missing_e else fix,
        )
    )
    return checks


def check_fonts() -> list[HealthCheck]:
    """A font for each supported language's script."""
    from aifilm.spec.vocabulary import LANGUAGES

    checks = []
    try:
        from aifilm.media.fonts import font_file
    except ImportError as exc:
        return [HealthCheck("fonts", False, str(exc), "pip install aifilm")]
    missing = []
    for lang in LANGUAGES:
        try:
            font_file(lang.code)
        except AifilmError:
            missing.append(lang.code)
    checks.append(
        HealthCheck(
            "subtitle fonts",
            not missing,
            "every language has a font" if not missing else "no font for: " + ", ".join(missing),
            None if not missing else "pip install the matching fontpkg-noto-sans-* package",
        )
    )
    return checks


def check_art() -> list[HealthCheck]:
    """The shipped pictures (illustrated shots): readable, drawable, and their licence."""
    try:
        from aifilm.draw import assets

        art = assets.licence()
        count = len(assets.names())
        assets.raster("blackbird", 32)
    except (ImportError, AifilmError, OSError, ValueError) as exc:
        return [
            HealthCheck(
                "pictures", False, f"cannot draw the shipped pictures: {exc}", "pip install aifilm"
            )
        ]
    detail = f"{count} pictures: {art.source}; {art.license} (credit: {art.attribution})"
    return [HealthCheck("pictures", True, detail, None)]


def check_backends(settings: Settings | None = None) -> list[HealthCheck]:
    """Each registered backend's own checks, with its licence."""
    checks = []
    settings = settings or Settings()
    chosen = {**DEFAULT_BACKENDS, **settings.backend_defaults(), **settings.backend_overrides()}
    for stage in registry.stages():
        for name, backend in registry.backends(stage).items():
            own = backend.health()
            ok = all(c.ok for c in own if not c.name.startswith("API key"))
            default = " (default)" if DEFAULT_BACKENDS.get(stage) == name else ""
            licence = f"code: {backend.license}; weights: {backend.weights_license or 'none'}"
            licence += "" if backend.commercial_use else "; NON-COMMERCIAL"
            licence += f"; terms: {backend.terms}" if backend.terms else ""
            # A backend behind an optional extra (the AI ones) that nobody chose is information,
            # not a problem; its device and model checks are shown even when they pass.
            optional = backend.extra is not None and chosen.get(stage) != name
            shown = [c for c in own if not c.ok or (backend.extra and c.name[:6] != "python")]
            detail = f"{licence}" + "".join(f"; {c.name}: {c.detail}" for c in shown)
            fix = next((c.fix for c in own if not c.ok and c.fix), None)
            checks.append(
                HealthCheck(f"{stage} backend '{name}'{default}", ok or optional, detail, fix)
            )
    return checks


def check_gpu() -> list[HealthCheck]:
    """Whether an accelerator is usable by the AI backends (optional)."""
    if importlib.util.find_spec("torch") is None:
        return [
            HealthCheck(
                "GPU (optional)",
                True,
                "torch not installed: AI backends off, CPU defaults used",
                "pip install 'aifilm[ai]' on a machine with a GPU",
            )
        ]
    import torch  # type: ignore[import-not-found, unused-ignore]

    if torch.cuda.is_available():
        return [HealthCheck("GPU (optional)", True, f"CUDA: {torch.cuda.get_device_name(0)}")]
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return [HealthCheck("GPU (optional)", True, "Apple MPS")]
    return [
        HealthCheck(
            "GPU (optional)",
            True,
            "torch installed, no GPU found: AI backends run on the CPU (slow)",
        )
    ]


def check_environment(settings: Settings | None = None) -> list[HealthCheck]:
    """Python, the cache folder and the config file."""
    settings = settings or Settings()
    checks = [
        HealthCheck(
            "Python",
            sys.version_info >= (3, 10),
            sys.version.split()[0],
            "use Python 3.10 or newer",
        )
    ]
    cache = settings.cache_dir
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache):
            pass
        checks.append(HealthCheck("cache folder", True, str(cache)))
        checks.append(check_cache_size(settings))
    except OSError as exc:
        checks.append(
            HealthCheck(
                "cache folder",
                False,
                f"{cache}: {exc.strerror}",
                "set AIFILM_CACHE_DIR to a writable folder",
            )
        )
    config = user_config_file()
    checks.append(
        HealthCheck(
            "config file",
            True,
            f"{config}" + ("" if config.exists() else " (none; defaults in use)"),
        )
    )
    if os.environ.get("AIFILM_FFMPEG"):
        checks.append(
            HealthCheck(
                "AIFILM_FFMPEG",
                Path(os.environ["AIFILM_FFMPEG"]).exists(),
                os.environ["AIFILM_FFMPEG"],
            )
        )
    return checks


def check_cache_size(settings: Settings) -> HealthCheck:
    """How much the render cache holds against its cap (pruned after each render)."""
    from pydantic import ByteSize

    from aifilm.pipeline.cache import Cache

    size = Cache(settings.cache_dir).size_bytes()
    cap = int(settings.cache_max_size)
    shown = ByteSize(size).human_readable(decimal=True)
    limit = ByteSize(cap).human_readable(decimal=True) if cap else "no cap"
    over = bool(cap) and size > cap
    return HealthCheck(
        "cache size",
        not over,
        f"{shown} of {limit} (AIFILM_CACHE_MAX_SIZE)",
        "aifilm cache prune" if over else None,
    )


def check_settings() -> tuple[Settings, list[HealthCheck]]:
    """The settings, or the defaults and a failed check saying which value is bad."""
    try:
        return Settings(), [HealthCheck("settings", True, "AIFILM_* variables and config file")]
    except SettingsError as exc:
        # The defaults stand in for the rest of the checks, but never the user's own cache
        # folder when AIFILM_CACHE_DIR names another (tests and CI set it).
        override = os.environ.get("AIFILM_CACHE_DIR")
        fallback = (
            Settings.model_construct(cache_dir=Path(override))
            if override
            else Settings.model_construct()
        )
        return fallback, [HealthCheck("settings", False, exc.message, exc.hint)]


def run_checks() -> dict[str, list[HealthCheck]]:
    """Every check, grouped for display."""
    settings, checked = check_settings()
    return {
        "environment": checked + check_environment(settings),
        "ffmpeg": check_ffmpeg(),
        "fonts": check_fonts(),
        "art": check_art(),
        "backends": check_backends(settings),
        "gpu": check_gpu(),
    }
