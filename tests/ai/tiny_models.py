"""Toy-size, randomly initialised models saved in the real checkpoint formats.

Each builder writes a folder exactly as ``save_pretrained`` lays out a hub checkpoint, so
the backends load it through the same path users' models take
(``from_pretrained(folder, local_files_only=True)``). Sizes are tiny: a few hundred kB,
two denoising steps at 64x64 in well under a second on a CPU.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Literal


def _clip_tokenizer():  # type: ignore[no-untyped-def]
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "!": 1, "<|endoftext|>": 2}
    for c in string.ascii_lowercase + string.digits + ",.'":
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77, pad_token="!")


def _clip_text(
    hidden: int = 32,
    *,
    projection: bool = False,
    intermediate: int = 37,
    layers: int = 1,
    heads: int = 4,
):  # type: ignore[no-untyped-def]
    """A CLIP text encoder (with its pooled projection: SDXL's second, SD3's two)."""
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    config = CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=2,
        pad_token_id=1,
        hidden_size=hidden,
        intermediate_size=intermediate,
        num_attention_heads=heads,
        num_hidden_layers=layers,
        vocab_size=100,
        max_position_embeddings=77,
        projection_dim=hidden,
    )
    return CLIPTextModelWithProjection(config) if projection else CLIPTextModel(config)


def _sd_vae(blocks: int = 2, **config: object):  # type: ignore[no-untyped-def]
    """A KL image VAE of 8-channel blocks: `blocks` of them compress 2**(blocks-1)x."""
    from diffusers import AutoencoderKL

    settings: dict[str, object] = {
        "block_out_channels": (8,) * blocks if blocks > 2 else (8, 16),
        "in_channels": 3,
        "out_channels": 3,
        "down_block_types": ("DownEncoderBlock2D",) * blocks,
        "up_block_types": ("UpDecoderBlock2D",) * blocks,
        "latent_channels": 4,
        "layers_per_block": 1,
        "norm_num_groups": 4,
        "sample_size": 32,
        **config,
    }
    return AutoencoderKL(**settings)


def _flow_vae():  # type: ignore[no-untyped-def]
    """FLUX's and SD3's VAE layout: 8x, no quant convs, shifted and scaled latents."""
    return _sd_vae(
        4,
        use_quant_conv=False,
        use_post_quant_conv=False,
        shift_factor=0.0609,
        scaling_factor=1.5035,
    )


def _ddim():  # type: ignore[no-untyped-def]
    from diffusers import DDIMScheduler

    return DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )


def tiny_stable_diffusion(folder: Path) -> Path:
    """A Stable Diffusion pipeline (UNet, VAE, CLIP text encoder, tokenizer, DDIM)."""
    import torch
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=16,
        norm_num_groups=4,
        attention_head_dim=2,
    )
    vae = _sd_vae()
    text_encoder = _clip_text(16, intermediate=32, layers=2, heads=2)
    scheduler = _ddim()
    pipe = StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=_clip_tokenizer(),
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)
    return folder


def tiny_stable_video_diffusion(folder: Path) -> Path:
    """A Stable Video Diffusion pipeline (spatio-temporal UNet, temporal VAE, CLIP vision)."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    # Its ResNet blocks use 32 norm groups: 32 channels is the least it takes.
    unet = UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 32),
        layers_per_block=1,
        sample_size=8,
        in_channels=8,
        out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=16,
        num_attention_heads=2,
        projection_class_embeddings_input_dim=24,
        addition_time_embed_dim=8,
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        interpolation_type="linear",
        num_train_timesteps=1000,
        prediction_type="v_prediction",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        use_karras_sigmas=True,
    )
    # Four blocks: 8x smaller latents, as in the real model, keep the UNet's work tiny.
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=[32, 32, 32, 32],
        layers_per_block=1,
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 4,
        latent_channels=4,
    )
    # The pipeline resizes the conditioning frame to 224x224 itself; 32 px patches keep it small.
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=16,
            projection_dim=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=224,
            intermediate_size=16,
            patch_size=32,
        )
    )
    pipe = StableVideoDiffusionPipeline(
        unet=unet,
        image_encoder=image_encoder,
        scheduler=scheduler,
        vae=vae,
        feature_extractor=CLIPImageProcessor(crop_size=224, size=224),
    )
    pipe.save_pretrained(folder)
    return folder


def tiny_musicgen(folder: Path) -> Path:
    """A MusicGen model (T5 text encoder, Encodec, decoder) with its processor.

    Encodec at 6.4 kHz with hop 640 runs at 10 frames/s (few decoding steps per second of
    music); 6-bit codebooks at 0.12 kbps give exactly 2 quantizers, matching the decoder's
    2 codebooks.
    """
    import torch
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
        T5Tokenizer,
    )

    torch.manual_seed(0)
    encodec = EncodecConfig(
        sampling_rate=6400,
        upsampling_ratios=[8, 8, 10],
        target_bandwidths=[0.12],
        codebook_size=64,
        codebook_dim=16,
        hidden_size=16,
        num_filters=4,
        num_lstm_layers=1,
    )
    assert encodec.frame_rate == 10 and encodec.num_quantizers == 2
    text = T5Config(
        vocab_size=64, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2,
        decoder_start_token_id=0,
    )  # fmt: skip
    decoder = MusicgenDecoderConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        num_codebooks=2,
        pad_token_id=64,
        bos_token_id=64,
        max_position_embeddings=2048,
    )
    model = MusicgenForConditionalGeneration(
        MusicgenConfig(text_encoder=text, audio_encoder=encodec, decoder=decoder)
    )
    model.generation_config.max_length = 2048
    words = ["music", "calm", "folk", "flute", "drum", "piano", "strings", "slow", "bright"]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(c, -2.0) for c in string.ascii_lowercase + "▁,:-/0123456789"]
    vocab += [("▁" + w, -1.0) for w in words]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    processor = MusicgenProcessor(
        feature_extractor=EncodecFeatureExtractor(feature_size=1, sampling_rate=6400),
        tokenizer=tokenizer,
    )
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _t5_tokenizer():  # type: ignore[no-untyped-def]
    """A T5 (unigram) tokenizer built from a small vocabulary: letters, digits, a few words."""
    from transformers import T5Tokenizer

    words = ["a", "the", "crow", "water", "camera", "move", "gentle", "flying", "blurry"]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(c, -2.0) for c in string.ascii_lowercase + "▁,:-/.'0123456789"]
    vocab += [("▁" + w, -1.0) for w in words]
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def _t5_encoder(d_model: int):  # type: ignore[no-untyped-def]
    from transformers import T5Config, T5EncoderModel

    return T5EncoderModel(
        T5Config(vocab_size=64, d_model=d_model, d_kv=8, d_ff=37, num_layers=1, num_heads=4)
    )


def tiny_ltx(folder: Path, *, image_to_video: bool = True) -> Path:
    """An LTX-Video pipeline (video transformer, causal video VAE, T5): image-to-video
    (``LTXImageToVideoPipeline``) or text-to-video (``LTXPipeline``) over the same weights.

    The VAE compresses 8x in time and space and decodes at a timestep, like the real
    LTX-Video 0.9.1+ one, so the pipeline makes 8k+1 frames; the components follow diffusers'
    own fast tests of the pipeline.
    """
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, False),
        decoder_spatio_temporal_scaling=(True, True, True, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=True,  # as LTX-Video 0.9.1 and later
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    assert vae.temporal_compression_ratio == 8 and vae.spatial_compression_ratio == 8
    pipeline = LTXImageToVideoPipeline if image_to_video else LTXPipeline
    pipe = pipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=_t5_encoder(32),
        tokenizer=_t5_tokenizer(),
    )
    pipe.save_pretrained(folder)
    return folder


def tiny_cogvideox(
    folder: Path, *, image_to_video: bool = True, version: Literal["1.0", "1.5"] = "1.0"
) -> Path:
    """A CogVideoX pipeline (expert transformer, 3D VAE, T5), 4k+1 frames.

    - image-to-video 1.0 (``CogVideoXImageToVideoPipeline``): like THUDM/CogVideoX-5b-I2V, the
      transformer has learned positional embeddings, so it only generates at the size it was
      made for: here 64x32 (an 8x4 latent).
    - text-to-video 1.0 (``CogVideoXPipeline``): like THUDM/CogVideoX-2b, fixed sin-cos
      positional embeddings, recomputed for any size.
    - 1.5 (either pipeline): like THUDM/CogVideoX1.5-5B, latent frames go in pairs
      (``patch_size_t=2``) and rotary embeddings are sliced from a grid of the transformer's
      sample size, which caps each side: here at most 96x48 (a 12x6 latent).
    """
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXPipeline,
        CogVideoXTransformer3DModel,
    )

    layout: dict[str, object] = {
        "sample_width": 8,
        "sample_height": 4,
        "use_rotary_positional_embeddings": image_to_video,
        "use_learned_positional_embeddings": image_to_video,
    }
    if version == "1.5":
        layout = {
            "sample_width": 12,
            "sample_height": 6,
            "patch_size_t": 2,
            "patch_bias": False,
            "use_rotary_positional_embeddings": True,
            "use_learned_positional_embeddings": False,
        }
    torch.manual_seed(0)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2,
        attention_head_dim=16,
        in_channels=8 if image_to_video else 4,  # image-to-video: the still's latents too
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=32,
        num_layers=1,
        sample_frames=9,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=16,
        **layout,  # type: ignore[arg-type]
    )
    vae = AutoencoderKLCogVideoX(
        in_channels=3,
        out_channels=3,
        down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    scheduler = CogVideoXDDIMScheduler(
        beta_schedule="scaled_linear",
        clip_sample=False,
        prediction_type="v_prediction",
        rescale_betas_zero_snr=True,
        set_alpha_to_one=True,
        timestep_spacing="trailing",
    )
    pipeline = CogVideoXImageToVideoPipeline if image_to_video else CogVideoXPipeline
    pipe = pipeline(
        transformer=transformer,
        vae=vae,
        scheduler=scheduler,
        text_encoder=_t5_encoder(32),
        tokenizer=_t5_tokenizer(),
    )
    pipe.save_pretrained(folder)
    return folder


def tiny_stable_diffusion_xl(folder: Path) -> Path:
    """A Stable Diffusion XL pipeline: a UNet conditioned on two CLIP text encoders' hidden
    states side by side (16 + 16) and, through its "text_time" embedding, on the second
    encoder's pooled projection plus the six size numbers (``add_time_ids``: original size,
    crop corner, target size) embedded 8 wide: 6 x 8 + 16 inputs."""
    import torch
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=6 * 8 + 16,
        cross_attention_dim=32,
        norm_num_groups=4,
    )
    vae = _sd_vae()
    pipe = StableDiffusionXLPipeline(
        unet=unet,
        vae=vae,
        text_encoder=_clip_text(16, intermediate=32, heads=2),
        tokenizer=_clip_tokenizer(),
        text_encoder_2=_clip_text(16, projection=True, intermediate=32, heads=2),
        tokenizer_2=_clip_tokenizer(),
        scheduler=_ddim(),
        force_zeros_for_empty_prompt=True,
    )
    pipe.save_pretrained(folder)
    return folder


def tiny_flux(folder: Path) -> Path:
    """A FLUX text-to-image pipeline (MM-DiT transformer, 8x VAE, CLIP and T5 encoders).

    As in FLUX.1, latents are packed in 2x2 patches, so sides come in steps of 16.
    """
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel

    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(
        patch_size=1,
        in_channels=16,
        num_layers=1,
        num_single_layers=1,
        attention_head_dim=16,
        num_attention_heads=2,
        joint_attention_dim=32,
        pooled_projection_dim=32,
        axes_dims_rope=[4, 4, 8],
    )
    vae = _flow_vae()
    text_encoder = _clip_text(32)
    pipe = FluxPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=_clip_tokenizer(),
        text_encoder_2=_t5_encoder(32),
        tokenizer_2=_t5_tokenizer(),
    )
    pipe.save_pretrained(folder)
    return folder


def tiny_stable_diffusion_3(folder: Path) -> Path:
    """A Stable Diffusion 3 pipeline (MM-DiT transformer, 8x VAE, two CLIP encoders and T5)."""
    import torch
    from diffusers import (
        FlowMatchEulerDiscreteScheduler,
        SD3Transformer2DModel,
        StableDiffusion3Pipeline,
    )

    torch.manual_seed(0)
    transformer = SD3Transformer2DModel(
        sample_size=32,
        patch_size=1,
        in_channels=4,
        num_layers=1,
        attention_head_dim=8,
        num_attention_heads=4,
        caption_projection_dim=32,
        joint_attention_dim=32,
        pooled_projection_dim=64,  # the two CLIP encoders' pooled outputs side by side
        out_channels=4,
    )
    vae = _flow_vae()

    pipe = StableDiffusion3Pipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=_clip_text(32, projection=True),
        tokenizer=_clip_tokenizer(),
        text_encoder_2=_clip_text(32, projection=True),
        tokenizer_2=_clip_tokenizer(),
        text_encoder_3=_t5_encoder(32),
        tokenizer_3=_t5_tokenizer(),
    )
    pipe.save_pretrained(folder)
    return folder
