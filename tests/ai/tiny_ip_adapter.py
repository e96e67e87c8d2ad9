"""A toy IP-Adapter for the toy Stable Diffusion model, saved in the published layout
(``models/ip-adapter_tiny.safetensors`` with ``image_proj.*`` and ``ip_adapter.*`` keys, and
a CLIP image encoder in ``models/image_encoder``), so diffusers' ``load_ip_adapter`` loads it
exactly as it loads h94/IP-Adapter."""

from __future__ import annotations

from pathlib import Path

WEIGHTS = "ip-adapter_tiny.safetensors"
TOKENS = 4  # image tokens of a plain IP-Adapter


def tiny_ip_adapter(folder: Path, sd_model: Path) -> Path:
    """Write an adapter matching the UNet of `sd_model` into `folder`."""
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(sd_model / "unet")
    cross = int(unet.config.cross_attention_dim)
    channels = list(unet.config.block_out_channels)
    embed_dim = 8
    encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=16,
            projection_dim=embed_dim,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=16,
            image_size=32,
            patch_size=16,
        )
    )
    models = folder / "models"
    encoder.save_pretrained(models / "image_encoder")
    tensors = {
        "image_proj.proj.weight": torch.randn(cross * TOKENS, embed_dim),
        "image_proj.proj.bias": torch.zeros(cross * TOKENS),
        "image_proj.norm.weight": torch.ones(cross),
        "image_proj.norm.bias": torch.zeros(cross),
    }
    key_id = 1  # the original layout numbers every attention layer; cross-attention is odd
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = channels[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(channels))[int(name[len("up_blocks.")])]
        else:
            hidden = channels[int(name[len("down_blocks.")])]
        tensors[f"ip_adapter.{key_id}.to_k_ip.weight"] = torch.randn(hidden, cross)
        tensors[f"ip_adapter.{key_id}.to_v_ip.weight"] = torch.randn(hidden, cross)
        key_id += 2
    save_file(tensors, str(models / WEIGHTS))
    return folder
