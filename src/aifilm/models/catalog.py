"""The models each AI backend knows by name, with their licence terms and sensible defaults.

Any diffusers or transformers checkpoint of the right pipeline class works (a hub id or a
local folder); the catalog only adds what aifilm cannot read from the files: the weights'
licence and whether a business may use them, the resolution and step count they were made
for, and roughly how much memory they need (to decide on CPU offload).

Licence notes are a summary to act on, not legal advice: read the model card before
offering a model to paying users. ``commercial_use`` is True only where the weights'
licence allows commercial use without conditions beyond use-based restrictions (the
OpenRAIL family); revenue-capped "community" licences count as False.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    """What aifilm knows about one model id."""

    id: str
    backend: str  # "diffusion-image" | "diffusion-video" | "musicgen" | "wav2lip" | "sadtalker"
    family: str  # "sd15" | "sdxl" | "sd3" | "flux" | "svd" | "ltx" | "cogvideox" | "musicgen" ...
    weights_license: str
    commercial_use: bool
    size_gb: float  # download size of what `aifilm models pull` fetches, approximately
    vram_gb: float  # peak GPU memory without offload at the native size, approximately
    native: tuple[int, int] = (512, 512)  # the size it was trained for (width, height)
    steps: int = 30
    guidance: float = 7.5
    dtype: str = "float16"  # the half precision it is published in
    variant: str | None = None  # weights variant to fetch and load ("fp16"), if the repo has one
    frames: int = 0  # video: frames per generation
    fps: int = 0  # video: the frame rate it was trained for
    gated: bool = False  # the hub asks you to accept its terms (and log in) before downloading
    note: str = ""
    files: tuple[str, ...] = ()  # loose checkpoint files (not a pipeline folder): all it needs

    @property
    def short_license(self) -> str:
        """The licence's name without its terms ('Stability AI Community License')."""
        return self.weights_license.split(":")[0].split(" (")[0]

    @property
    def licence_line(self) -> str:
        """Licence and commercial-use flag in one line, for tables and reports."""
        flag = "commercial use OK" if self.commercial_use else "NOT for commercial use as is"
        return f"{self.weights_license} ({flag})"


_STABILITY_COMMUNITY = (
    "Stability AI Community License: free for research, non-commercial use and businesses "
    "under USD 1M annual revenue; above that an Enterprise licence"
)

_WAV2LIP = (
    "Wav2Lip licence: personal, research and non-commercial use only "
    "(commercial use needs a licence from Sync Labs)"
)

MODELS: tuple[ModelInfo, ...] = (
    # --- text to image (diffusion-image) ---------------------------------------------------
    ModelInfo(
        "stabilityai/stable-diffusion-xl-base-1.0",
        "diffusion-image",
        "sdxl",
        "CreativeML Open RAIL++-M",
        True,
        size_gb=7.0,
        vram_gb=10.0,
        native=(1024, 1024),
        steps=30,
        guidance=6.0,
        variant="fp16",
        note="default: good quality, commercial use allowed under the licence's use restrictions",
    ),
    ModelInfo(
        "stable-diffusion-v1-5/stable-diffusion-v1-5",
        "diffusion-image",
        "sd15",
        "CreativeML OpenRAIL-M",
        True,
        size_gb=2.8,
        vram_gb=4.0,
        native=(512, 512),
        steps=30,
        guidance=7.5,
        variant="fp16",
        note="small and fast; fits 4 GB GPUs",
    ),
    ModelInfo(
        "black-forest-labs/FLUX.1-schnell",
        "diffusion-image",
        "flux",
        "Apache-2.0",
        True,
        size_gb=34.0,
        vram_gb=33.0,
        native=(1024, 1024),
        steps=4,
        guidance=0.0,
        dtype="bfloat16",
        note="best quality with a permissive licence; offloads on GPUs under 40 GB",
    ),
    ModelInfo(
        "black-forest-labs/FLUX.1-dev",
        "diffusion-image",
        "flux",
        "FLUX.1 [dev] Non-Commercial License",
        False,
        size_gb=34.0,
        vram_gb=33.0,
        native=(1024, 1024),
        steps=28,
        guidance=3.5,
        dtype="bfloat16",
        gated=True,
        note="running the model for a business needs a commercial licence from BFL",
    ),
    ModelInfo(
        "stabilityai/stable-diffusion-3.5-medium",
        "diffusion-image",
        "sd3",
        _STABILITY_COMMUNITY,
        False,
        size_gb=20.0,
        vram_gb=20.0,
        native=(1024, 1024),
        steps=28,
        guidance=4.5,
        dtype="bfloat16",
        gated=True,
    ),
    # --- image to video (diffusion-video) --------------------------------------------------
    ModelInfo(
        "stabilityai/stable-video-diffusion-img2vid-xt",
        "diffusion-video",
        "svd",
        _STABILITY_COMMUNITY + " (first published under a non-commercial research licence)",
        False,
        size_gb=4.5,
        vram_gb=16.0,
        native=(1024, 576),
        steps=25,
        guidance=3.0,
        variant="fp16",
        frames=25,
        fps=7,
        note="default: animates the shot's still; no prompt",
    ),
    ModelInfo(
        "stabilityai/stable-video-diffusion-img2vid",
        "diffusion-video",
        "svd",
        _STABILITY_COMMUNITY + " (first published under a non-commercial research licence)",
        False,
        size_gb=4.3,
        vram_gb=12.0,
        native=(1024, 576),
        steps=25,
        guidance=3.0,
        variant="fp16",
        frames=14,
        fps=7,
    ),
    ModelInfo(
        "Lightricks/LTX-Video",
        "diffusion-video",
        "ltx",
        "LTX-Video licence (differs per release; later ones cap free commercial use by revenue)",
        False,
        size_gb=28.0,
        vram_gb=20.0,
        native=(768, 512),
        steps=40,
        guidance=3.0,
        dtype="bfloat16",
        frames=121,
        fps=24,
        note="image + prompt to video; check the model card of the release you use",
    ),
    ModelInfo(
        "THUDM/CogVideoX-5b-I2V",
        "diffusion-video",
        "cogvideox",
        "CogVideoX License (commercial use needs registration with the authors)",
        False,
        size_gb=22.0,
        vram_gb=26.0,
        native=(720, 480),
        steps=50,
        guidance=6.0,
        dtype="bfloat16",
        frames=49,
        fps=8,
    ),
    ModelInfo(
        "THUDM/CogVideoX-2b",
        "diffusion-video",
        "cogvideox",
        "Apache-2.0",
        True,
        size_gb=13.0,
        vram_gb=18.0,
        native=(720, 480),
        steps=50,
        guidance=6.0,
        frames=49,
        fps=8,
        note="text to video only (the shot's prompt; its still is not used)",
    ),
    ModelInfo(
        "THUDM/CogVideoX1.5-5B",
        "diffusion-video",
        "cogvideox",
        "CogVideoX License (commercial use needs registration with the authors)",
        False,
        size_gb=31.0,  # transformer 11 GB, T5 encoder 19 GB, VAE 1 GB
        vram_gb=30.0,  # about 10 GB offloaded with VAE tiling; about three times that without
        native=(1360, 768),
        steps=50,
        guidance=6.0,
        dtype="bfloat16",
        frames=81,
        fps=16,
        note="text to video only; sides at most 1360x768; 81 or 161 frames (16N+1) at 16 fps",
    ),
    ModelInfo(
        "THUDM/CogVideoX1.5-5B-I2V",
        "diffusion-video",
        "cogvideox",
        "CogVideoX License (commercial use needs registration with the authors)",
        False,
        size_gb=31.0,
        vram_gb=30.0,
        native=(1360, 768),
        steps=50,
        guidance=6.0,
        dtype="bfloat16",
        frames=81,
        fps=16,
        note="image + prompt to video; 81 or 161 frames (16N+1) at 16 fps",
    ),
    # --- music (musicgen) ------------------------------------------------------------------
    ModelInfo(
        "facebook/musicgen-small",
        "musicgen",
        "musicgen",
        "CC-BY-NC 4.0 (Meta's MusicGen weights)",
        False,
        size_gb=2.4,
        vram_gb=4.0,
        dtype="float16",
        note="default: 300M parameters, mono 32 kHz",
    ),
    ModelInfo(
        "facebook/musicgen-medium",
        "musicgen",
        "musicgen",
        "CC-BY-NC 4.0 (Meta's MusicGen weights)",
        False,
        size_gb=8.0,
        vram_gb=10.0,
    ),
    ModelInfo(
        "facebook/musicgen-large",
        "musicgen",
        "musicgen",
        "CC-BY-NC 4.0 (Meta's MusicGen weights)",
        False,
        size_gb=13.0,
        vram_gb=16.0,
    ),
    ModelInfo(
        "facebook/musicgen-stereo-small",
        "musicgen",
        "musicgen",
        "CC-BY-NC 4.0 (Meta's MusicGen weights)",
        False,
        size_gb=2.4,
        vram_gb=4.0,
        note="stereo output",
    ),
    # --- talking heads (lipsync) -----------------------------------------------------------
    ModelInfo(
        "camenduru/Wav2Lip",
        "wav2lip",
        "wav2lip",
        _WAV2LIP,
        False,
        size_gb=0.44,
        vram_gb=1.0,
        native=(96, 96),
        files=("checkpoints/wav2lip_gan.pth",),
        note="default: a mirror of Rudrabha/Wav2Lip's wav2lip_gan.pth (wav2lip.pth works too)",
    ),
    ModelInfo(
        "vinthony/SadTalker",
        "sadtalker",
        "sadtalker",
        "Apache-2.0 (OpenTalker/SadTalker code and checkpoints)",
        True,
        size_gb=0.9,
        vram_gb=4.0,
        native=(256, 256),
        files=("SadTalker_V0.0.2_256.safetensors", "mapping_00229-model.pth.tar"),
        note="default of the sadtalker backend (256 px faces, crop mode)",
    ),
)

_BY_ID = {m.id.casefold(): m for m in MODELS}


def model_info(name: str) -> ModelInfo | None:
    """The catalog entry for a hub id (case-insensitive), or None for other ids and folders."""
    return _BY_ID.get(str(name).casefold())


def known_models(backend: str | None = None) -> list[ModelInfo]:
    """Catalog entries, for one backend or all, in catalog order (defaults first)."""
    return [m for m in MODELS if backend is None or m.backend == backend]
