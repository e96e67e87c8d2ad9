"""Time the AI backends on a CUDA GPU: one generated 5 s shot per visual backend, then the
whole 60 s example film with AI visuals.

    python benchmarks/bench_ai_gpu.py                 # catalog models (aifilm models pull ...)
    python benchmarks/bench_ai_gpu.py --synthetic     # real-size SD 1.5 / SVD architectures with
                                                      # random weights: same compute, no download
    python benchmarks/bench_ai_gpu.py --tiny --cpu    # toy models on the CPU: checks the script

Without a CUDA GPU (and without --cpu) it says so and exits with status 2. Results go to
benchmarks/results/ai_gpu.json and stdout.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "thirsty-crow" / "project.yaml"


def _synthetic_sd15(folder: Path) -> Path:
    """Stable Diffusion 1.5's architecture (UNet 860M, VAE, CLIP ViT-L text) with random weights."""
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    unet = UNet2DConditionModel(
        sample_size=64,
        cross_attention_dim=768,
        attention_head_dim=8,
        block_out_channels=(320, 640, 1280, 1280),
    )
    vae = AutoencoderKL(
        block_out_channels=(128, 256, 512, 512),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=2,
        sample_size=512,
    )
    text = CLIPTextModel(
        CLIPTextConfig(
            hidden_size=768, intermediate_size=3072, num_attention_heads=12,
            num_hidden_layers=12, vocab_size=49408, max_position_embeddings=77,
            bos_token_id=0, eos_token_id=2, pad_token_id=1,
        )
    )  # fmt: skip
    vocab = {"<|startoftext|>": 0, "!": 1, "<|endoftext|>": 2}
    for c in "abcdefghijklmnopqrstuvwxyz,. ":
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77, pad_token="!")
    scheduler = DDIMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
        clip_sample=False, set_alpha_to_one=False, steps_offset=1,
    )  # fmt: skip
    StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=text, tokenizer=tokenizer, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    ).save_pretrained(folder)  # fmt: skip
    return folder


def _synthetic_svd(folder: Path) -> Path:
    """Stable Video Diffusion XT's architecture (UNet 1.5B, temporal VAE, CLIP ViT-H vision)."""
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    unet = UNetSpatioTemporalConditionModel(
        sample_size=96,
        in_channels=8,
        out_channels=4,
        block_out_channels=(320, 640, 1280, 1280),
        cross_attention_dim=1024,
        num_attention_heads=(5, 10, 20, 20),
        projection_class_embeddings_input_dim=768,
        addition_time_embed_dim=256,
        layers_per_block=2,
        num_frames=25,
    )
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=[128, 256, 512, 512],
        down_block_types=["DownEncoderBlock2D"] * 4,
        latent_channels=4,
        layers_per_block=2,
    )
    encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=1280, intermediate_size=5120, num_attention_heads=16,
            num_hidden_layers=32, patch_size=14, image_size=224, projection_dim=1024,
        )
    )  # fmt: skip
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
        interpolation_type="linear", prediction_type="v_prediction", sigma_max=700.0,
        sigma_min=0.002, steps_offset=1, timestep_spacing="leading",
        timestep_type="continuous", use_karras_sigmas=True,
    )  # fmt: skip
    StableVideoDiffusionPipeline(
        unet=unet, image_encoder=encoder, scheduler=scheduler, vae=vae,
        feature_extractor=CLIPImageProcessor(crop_size=224, size=224),
    ).save_pretrained(folder)  # fmt: skip
    return folder


def _synthetic_sadtalker(folder: Path) -> Path:
    """SadTalker v0.0.2's six networks at their published sizes, random weights, saved as the
    release's two files."""
    import torch
    from safetensors.torch import save_file

    from aifilm.pipeline.lipsync.sadtalker_nets import SadTalkerSizes, build_networks

    nets = build_networks(SadTalkerSizes())
    folder.mkdir(parents=True, exist_ok=True)
    flat = {
        f"{name}.{key}": value.contiguous()
        for name, net in nets.items()
        if name != "mapping"
        for key, value in net.state_dict().items()
    }
    save_file(flat, str(folder / "SadTalker_V0.0.2_256.safetensors"))
    torch.save({"mapping": nets["mapping"].state_dict()}, folder / "mapping_00229-model.pth.tar")
    return folder


def _synthetic_wav2lip(folder: Path) -> Path:
    """Wav2Lip's generator (the published architecture), random weights, saved as
    ``checkpoints/wav2lip_gan.pth`` is."""
    import torch

    from aifilm.pipeline.lipsync.wav2lip_net import build

    path = folder / "checkpoints" / "wav2lip_gan.pth"
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {f"module.{k}": v for k, v in build().state_dict().items()}
    torch.save({"state_dict": state}, path)
    return folder


def _models(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if args.tiny:
        sys.path.insert(0, str(ROOT / "tests"))
        from ai.tiny_models import tiny_stable_diffusion, tiny_stable_video_diffusion

        return {
            "image": tiny_stable_diffusion(work / "sd"),
            "video": tiny_stable_video_diffusion(work / "svd"),
            "image_options": {"steps": 2, "base_size": 64},
            "video_options": {"steps": 2, "base_size": 64, "frames": 4, "model_fps": 4},
        }
    if args.synthetic:
        return {
            "image": _synthetic_sd15(work / "sd15"),
            "video": _synthetic_svd(work / "svd"),
            "image_options": {"base_size": 512, "steps": 30},
            "video_options": {"base_size": 768, "steps": 25, "frames": 25, "model_fps": 7},
        }
    return {
        "image": args.image_model,
        "video": args.video_model,
        "image_options": {},
        "video_options": {},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", action="store_true", help="real-size random weights")
    parser.add_argument("--tiny", action="store_true", help="toy models (checks the script)")
    parser.add_argument("--cpu", action="store_true", help="allow running without CUDA")
    parser.add_argument("--image-model", default="stabilityai/stable-diffusion-xl-base-1.0")
    parser.add_argument("--video-model", default="stabilityai/stable-video-diffusion-img2vid-xt")
    parser.add_argument("--skip-film", action="store_true", help="only the single shots")
    parser.add_argument(
        "--films",
        default="diffusion-image,diffusion-video",
        help="the backends to render the 60 s film with (comma-separated)",
    )
    parser.add_argument("--skip-shots", action="store_true", help="only the film(s)")
    parser.add_argument(
        "--talking-heads",
        action="store_true",
        help="also render the 60 s film with SadTalker and with Wav2Lip for its talking "
        "characters (real-size networks, random weights; with --synthetic)",
    )
    parser.add_argument(
        "--variants",
        nargs="?",
        const="float32,offload model,attention slicing",
        default="",
        help="also time the video shot in float32, with model CPU offload and with attention "
        "slicing, or the comma-separated ones named (each loaded afresh, timed on its "
        "second shot)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ai_gpu.json")
    args = parser.parse_args()

    try:
        import torch
    except ImportError:
        print("torch is not installed: pip install 'aifilm[ai]' (see docs/ai-backends.md)")
        return 2
    if not torch.cuda.is_available() and not args.cpu:
        print(
            "no CUDA GPU found: this benchmark times the AI backends on a GPU. "
            "Run it on a CUDA machine, or pass --cpu (with --tiny) to check the script."
        )
        return 2
    device = "cuda" if torch.cuda.is_available() else "cpu"

    import aifilm
    from aifilm.media.probe import probe
    from aifilm.models import loader
    from aifilm.pipeline.timeline import VisualSpec
    from aifilm.pipeline.visuals.base import VisualRequest
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage
    from aifilm.pipeline.visuals.diffusion_video import DiffusionVideo

    results: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor(),
        "torch": torch.__version__,
        "mode": "tiny" if args.tiny else "synthetic" if args.synthetic else "catalog",
    }
    work = Path(tempfile.mkdtemp(prefix="aifilm-bench-ai-"))
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:  # after every figure: a run cut short keeps what it measured
        args.out.write_text(json.dumps(results, indent=2) + "\n")

    try:
        models = _models(args, work)
        shot = VisualRequest(
            VisualSpec("prompt", prompt="a thirsty crow beside a clay pot", text="A hot day"),
            width=1408, height=792, duration=5.0, fps=30, title="The Thirsty Crow",
        )  # fmt: skip
        backends = {
            "diffusion-image": DiffusionImage(
                model=models["image"], device=device, **models["image_options"]
            ),
            "diffusion-video": DiffusionVideo(
                model=models["video"], image_model=str(models["image"]), device=device,
                **models["video_options"],
            ),
        }  # fmt: skip
        for name, backend in backends.items():
            if args.skip_shots:
                break
            for attempt in ("cold", "warm"):  # cold includes loading the model
                if device == "cuda":
                    torch.cuda.synchronize()
                    torch.cuda.reset_peak_memory_stats()
                start = time.perf_counter()
                visual = backend.render(shot, work / f"{name}-{attempt}")
                if device == "cuda":
                    torch.cuda.synchronize()
                seconds = time.perf_counter() - start
                entry: dict[str, Any] = {"seconds": round(seconds, 2), "kind": visual.kind}
                if visual.kind == "video":
                    entry["frames"] = probe(visual.path).first("video").frames  # type: ignore[union-attr]
                if device == "cuda":
                    entry["peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
                results[f"{name} 5 s shot ({attempt})"] = entry
                print(f"{name:16s} {attempt}: {entry}", flush=True)
                save()
        variants: dict[str, dict[str, Any]] = {
            "float32": {"dtype": "float32"},
            "offload model": {"offload": "model"},
            "attention slicing": {"attention_slicing": True},
        }
        for label in filter(None, args.variants.split(",")):
            extra = variants[label]
            loader.clear_loaded()
            variant = DiffusionVideo(
                model=models["video"], image_model=str(models["image"]), device=device,
                **models["video_options"], **extra,
            )  # fmt: skip
            variant.render(shot, work / f"variant-{label}-load")
            if device == "cuda":
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            start = time.perf_counter()
            variant.render(shot, work / f"variant-{label}")
            if device == "cuda":
                torch.cuda.synchronize()
            entry = {"seconds": round(time.perf_counter() - start, 2)}
            if device == "cuda":
                entry["peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
            results[f"diffusion-video 5 s shot, {label} (warm)"] = entry
            print(f"diffusion-video {label}: {entry}", flush=True)
            save()
        if args.talking_heads:
            from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync
            from aifilm.pipeline.lipsync.wav2lip import Wav2LipLipSync

            heads = {
                "sadtalker": lambda: SadTalkerLipSync(
                    model=_synthetic_sadtalker(work / "sadtalker"), device=device
                ),
                "wav2lip": lambda: Wav2LipLipSync(
                    model=_synthetic_wav2lip(work / "wav2lip"), device=device
                ),
            }
            for name, make in heads.items():
                project = aifilm.Project.load(EXAMPLE)
                start = time.perf_counter()
                result = aifilm.render(project, work / f"film-{name}", lipsync=make(), cache=False)
                seconds = time.perf_counter() - start
                stages = {s["name"]: s.get("seconds") for s in result.report["stages"]}
                results[f"60 s film with {name} talking heads"] = {
                    "seconds": round(seconds, 1),
                    "duration": round(result.duration, 2),
                    "stages": stages,
                }
                print(f"60 s film with {name}: {seconds:.1f} s, {stages}", flush=True)
                save()
        if not args.skip_film:
            for name, backend in backends.items():
                if name not in args.films.split(","):
                    continue
                project = aifilm.Project.load(EXAMPLE)
                start = time.perf_counter()
                result = aifilm.render(project, work / f"film-{name}", visuals=backend, cache=False)
                seconds = time.perf_counter() - start
                results[f"60 s film with {name}"] = {
                    "seconds": round(seconds, 1),
                    "duration": round(result.duration, 2),
                    "stages": {s["name"]: s.get("seconds") for s in result.report["stages"]},
                }
                print(f"60 s film with {name}: {seconds:.1f} s", flush=True)
                save()
        loader.clear_loaded()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    save()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
