"""Finding and loading Coqui TTS models: a Coqui model name or a local checkpoint, loaded
once per process through Coqui's own ``TTS.api.TTS``; nothing downloads unless allowed.

A local checkpoint is a folder with ``config.json`` and the model file (``model.pth``,
``model_file.pth``, ``checkpoint.pth``; XTTS: ``model.pth`` + ``vocab.json`` +
``speakers_xtts.pth``), or the model file itself with ``config.json`` beside it. A named
model (``tts_models/en/vctk/vits``) must already be in Coqui's model folder (or, for
models Coqui keeps on the Hugging Face hub, in its cache) unless ``AIFILM_ALLOW_DOWNLOADS=1``.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import shutil
import threading
import warnings
from pathlib import Path
from typing import Any

from aifilm.errors import MissingDependencyError, UserError
from aifilm.models.hub import ModelNotFoundError, cached_snapshot, downloads_allowed

DEFAULT_MODEL = "tts_models/en/vctk/vits"
INSTALL_HINT = "pip install 'aifilm[coqui]' (torch and torchaudio first: see docs/voices.md)"
MODEL_FILES = ("model.pth", "model_file.pth", "model_file.pth.tar", "checkpoint.pth")
SPEAKER_FILES = ("speakers.pth", "speakers.json", "speaker_ids.json")

_loaded: dict[tuple[str, str], Any] = {}
_load_lock = threading.Lock()
_patch_lock = threading.Lock()


def _tts_module() -> Any:
    """``TTS.api``, or `MissingDependencyError` with the install command."""
    if importlib.util.find_spec("TTS") is None or importlib.util.find_spec("torch") is None:
        raise MissingDependencyError(
            "the voice backend 'coqui' needs the Python packages coqui-tts and torch",
            hint=INSTALL_HINT,
        )
    try:
        import TTS.api
    except ImportError as exc:  # TTS refuses to import without torchaudio/torchcodec
        raise MissingDependencyError(
            f"coqui-tts is installed but cannot be imported: {str(exc).strip()}",
            hint=INSTALL_HINT,
        ) from None
    return TTS.api


class ModelFiles:
    """Where a Coqui model's files are, and what its config says."""

    def __init__(
        self,
        name: str,
        model_path: Path | None,
        config_path: Path | None,
        licence: str | None,
        speakers_file: Path | None = None,
    ) -> None:
        self.name = name
        self.model_path = model_path  # None: load by name through Coqui's model manager
        self.config_path = config_path
        self.licence = licence
        self.speakers_file = speakers_file

    def config(self) -> dict[str, Any]:
        """The model's config.json (empty for a named model not yet loaded)."""
        if self.config_path is None:
            return {}
        try:
            data = json.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


def model_family(model: str) -> str | None:
    """The `VOICE_TABLES` key a model belongs to: by its name, else its config's model type."""
    lowered = model.lower()
    if "xtts" in lowered:
        return "xtts"
    if "vctk" in lowered:
        return "vctk"
    path = Path(model).expanduser()
    config = (path if path.is_dir() else path.parent) / "config.json"
    try:
        kind = str(json.loads(config.read_text(encoding="utf-8")).get("model", ""))
    except (OSError, ValueError, AttributeError):
        return None
    return "xtts" if "xtts" in kind.lower() else None


def is_named(model: str) -> bool:
    """Whether `model` is a Coqui model name rather than a local path."""
    return model.startswith("tts_models/") and not Path(model).expanduser().exists()


def model_files(model: str) -> ModelFiles:
    """Find a model: a local checkpoint folder or file, else a Coqui model name."""
    return _named_files(model) if is_named(model) else _local_files(Path(model).expanduser())


def catalog_entry(name: str) -> dict[str, Any]:
    """Coqui's own catalog entry (.models.json) for a model name, read without importing
    TTS (which loads torch); empty if unknown or coqui-tts is missing."""
    spec = importlib.util.find_spec("TTS")
    if spec is None or not spec.submodule_search_locations:
        return {}
    catalog = Path(next(iter(spec.submodule_search_locations))) / ".models.json"
    try:
        data = json.loads(catalog.read_text(encoding="utf-8"))
        kind, lang, dataset, model = name.split("/")
        entry = data[kind][lang][dataset][model]
    except (OSError, ValueError, KeyError):
        return {}
    return entry if isinstance(entry, dict) else {}


def _local_files(path: Path) -> ModelFiles:
    folder = path if path.is_dir() else path.parent
    config = folder / "config.json"
    hint = (
        "a Coqui checkpoint is a folder with config.json and model.pth (XTTS: also vocab.json "
        "and speakers_xtts.pth), or a Coqui model name such as " + DEFAULT_MODEL
    )
    if not path.exists():
        raise ModelNotFoundError(f"Coqui model not found: {path}", hint=hint)
    if not config.is_file():
        raise ModelNotFoundError(f"Coqui model {path} has no config.json: {config}", hint=hint)
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"Coqui model config {config} is not JSON ({exc})", hint=hint) from None
    xtts = "xtts" in str(data.get("model", "")).lower()
    if path.is_file():
        model_path: Path = path
    elif xtts:
        model_path = folder  # XTTS loads from its folder
        if not (folder / "model.pth").is_file():
            raise ModelNotFoundError(f"XTTS model {folder} lacks model.pth", hint=hint)
    else:
        found = next((folder / n for n in MODEL_FILES if (folder / n).is_file()), None)
        found = found or next(iter(sorted(folder.glob("*.pth"))), None)
        if found is None:
            raise ModelNotFoundError(
                f"Coqui model {folder} has no model file ({', '.join(MODEL_FILES)})", hint=hint
            )
        model_path = found
    speakers = next((folder / n for n in SPEAKER_FILES if (folder / n).is_file()), None)
    licence = data.get("license") or data.get("licence")
    return ModelFiles(str(path), model_path, config, str(licence) if licence else None, speakers)


def _catalog_item(manager: Any, name: str) -> tuple[dict[str, Any], str]:
    """Coqui's catalog entry of a model name and its folder name; `UserError` if unknown."""
    try:
        item, full_name, _ = manager._set_model_item(name)
    except (KeyError, ValueError):
        raise UserError(
            f"unknown Coqui model '{name}'",
            hint="a Coqui name (`tts --list_models`, e.g. " + DEFAULT_MODEL + ") or a local "
            "folder with config.json and model.pth",
        ) from None
    return dict(item), str(full_name)


def _check_tos(manager: Any, name: str, item: dict[str, Any], full_name: str) -> None:
    """Coqui asks for its licence to be accepted before some downloads (XTTS); never by a
    prompt here, where a render or a server has no terminal."""
    if item.get("tos_required") and not _tos_agreed(manager, full_name):
        raise UserError(
            f"Coqui model {name} is under the {item.get('license') or 'Coqui'} licence "
            "(Coqui Public Model License: non-commercial); Coqui asks you to accept it "
            "before the download",
            hint="read https://coqui.ai/cpml, then set COQUI_TOS_AGREED=1",
        )


def _named_files(name: str) -> ModelFiles:
    module = _tts_module()
    manager = module.ModelManager(progress_bar=False)
    item, full_name = _catalog_item(manager, name)
    needed = [(name, item, full_name)]
    vocoder = item.get("default_vocoder")
    if vocoder:
        needed.append((vocoder, *_catalog_item(manager, vocoder)))
    for what, entry, full in needed:
        repo = entry.get("repo_id")
        here = (
            cached_snapshot(str(repo)) is not None
            if repo
            else (Path(manager.output_prefix) / full).is_dir()
        )
        if here or downloads_allowed():
            continue
        where = (
            f"the Hugging Face cache ({repo})" if repo else str(Path(manager.output_prefix) / full)
        )
        raise ModelNotFoundError(
            f"Coqui model {what} is not downloaded: nothing in {where}",
            hint=f"run: aifilm models pull {name}, or set AIFILM_ALLOW_DOWNLOADS=1 to let "
            "renders fetch models",
        )
    if downloads_allowed():
        _check_tos(manager, name, item, full_name)
    licence = item.get("license")
    return ModelFiles(name, None, None, str(licence) if licence else None)


def pull_coqui(name: str) -> Path:
    """Download a named Coqui model (and its default vocoder) with Coqui's own model
    manager, into its model folder (or the Hugging Face cache); the model's folder."""
    manager = _tts_module().ModelManager(progress_bar=True)
    item, full_name = _catalog_item(manager, name)
    _check_tos(manager, name, item, full_name)
    try:
        model_path, _config, _item = manager.download_model(name)
        if item.get("default_vocoder"):
            manager.download_model(item["default_vocoder"])
    except Exception as exc:  # offline, moved files: Coqui raises many kinds
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"could not download Coqui model {name}: {reason}",
            hint="check the name (`tts --list_models`) and the network",
        ) from None
    path = Path(model_path)
    return path.parent if path.is_file() else path


def _tos_agreed(manager: Any, full_name: str) -> bool:
    folder = Path(manager.output_prefix) / full_name
    return (folder / "tos_agreed.txt").exists() or os.environ.get("COQUI_TOS_AGREED") == "1"


def load_model(files: ModelFiles, device: str) -> Any:
    """The model loaded through ``TTS.api.TTS``, once per process and device."""
    module = _tts_module()
    key = (str(files.model_path or files.name), device)
    with _load_lock:
        tts = _loaded.get(key)
        if tts is None:
            _check_phonemizer(files)
            try:
                if files.model_path is None:
                    tts = module.TTS(files.name, progress_bar=False)
                else:
                    tts = module.TTS(
                        model_path=str(files.model_path),
                        config_path=str(files.config_path),
                        speakers_file_path=str(files.speakers_file)
                        if files.speakers_file
                        else None,
                        progress_bar=False,
                    )
            except (OSError, RuntimeError, KeyError, ValueError) as exc:
                raise UserError(
                    f"Coqui could not load the model {files.name}: {exc}",
                    hint="check that the folder holds a complete Coqui checkpoint "
                    "(config.json and its model file) for this coqui-tts version",
                ) from None
            tts = tts.to(device)
            if type(tts.synthesizer.tts_model).__name__ == "Xtts":
                patch_xtts_generation()
            _loaded[key] = tts
        return tts


_SHIM_MARK = "_aifilm_takes_cache"


def xtts_needs_cache_shim() -> bool:
    """Whether coqui-tts's XTTS GPT would lose its key-value cache in this transformers.

    transformers 5.24 renamed generation's ``past_key_values`` to ``cache``:
    ``GenerationMixin.prepare_inputs_for_generation`` now hands the cache to the model's
    ``forward`` as ``cache=``. coqui-tts (0.28 and earlier) has its own
    ``GPT2InferenceModel.forward`` that takes ``past_key_values`` and swallows other keywords,
    so from the second generated token on it sees no cache and fails
    (``'NoneType' object has no attribute 'get_seq_length'``). Read from the signatures, not
    version numbers: True only with a transformers that passes ``cache`` and a coqui-tts
    whose forward does not take it (nor was patched here already).
    """
    try:
        from transformers import GenerationMixin
        from TTS.tts.layers.xtts.gpt_inference import GPT2InferenceModel
    except ImportError:  # another coqui-tts layout: nothing known to fix
        return False
    forward = GPT2InferenceModel.forward
    prepare = GenerationMixin.prepare_inputs_for_generation
    passes_cache = "cache" in inspect.signature(prepare).parameters
    takes_cache = "cache" in inspect.signature(forward).parameters
    return passes_cache and not takes_cache and not getattr(forward, _SHIM_MARK, False)


def patch_xtts_generation() -> None:
    """Make coqui-tts's XTTS generate with transformers 5.24+ (see `xtts_needs_cache_shim`):
    its GPT's ``forward`` is wrapped to take the cache as ``cache=`` and pass it on as the
    ``past_key_values`` it reads. Nothing else changes: with the cache, greedy generation
    gives the same tokens as without it. Applied once, and only where needed."""
    with _patch_lock:
        if not xtts_needs_cache_shim():
            return
        from TTS.tts.layers.xtts.gpt_inference import GPT2InferenceModel

        forward = GPT2InferenceModel.forward

        def takes_cache(self: Any, *args: Any, cache: Any = None, **kwargs: Any) -> Any:
            if cache is not None and kwargs.get("past_key_values") is None:
                kwargs["past_key_values"] = cache
            return forward(self, *args, **kwargs)

        takes_cache.__doc__ = forward.__doc__
        setattr(takes_cache, _SHIM_MARK, True)
        GPT2InferenceModel.forward = takes_cache
        # The forward then hands GPT2Model the cache by its old name, which transformers
        # still accepts (until 5.40) but warns about on every render.
        warnings.filterwarnings(
            "ignore",
            message=r"`past_key_values` is deprecated .* for `GPT2Model\.forward`",
            category=FutureWarning,
        )


def _check_phonemizer(files: ModelFiles) -> None:
    """Models that read text as espeak phonemes need the espeak-ng program."""
    config = files.config()
    uses_espeak = (
        config.get("use_phonemes")
        and str(config.get("phonemizer") or "espeak").startswith("espeak")
    ) or (not config and "vits" in files.name and "xtts" not in files.name)
    if uses_espeak and not (shutil.which("espeak-ng") or shutil.which("espeak")):
        raise MissingDependencyError(
            f"the Coqui model {files.name} reads text as espeak phonemes: the espeak-ng program "
            "is not on PATH",
            hint="install espeak-ng (apt install espeak-ng, brew install espeak-ng)",
        )
