"""SadTalker's speech-to-head-pose network (``audio2pose``), a conditional VAE.

Ported from OpenTalker/SadTalker (Apache-2.0, Copyright the SadTalker authors),
``src/audio2pose_models/`` (``audio2pose.py``, ``cvae.py``, ``res_unet.py``,
``networks.py``, ``discriminator.py``, ``audio_encoder.py``), with its module names so the
published weights load unchanged. At inference only the decoder runs: for every 32
frames of speech it turns a random latent (plus a style's bias: 46 styles), the
picture's pose and the speech into head motion (3 angles, 3 translations). The encoder
and the motion discriminator are only there because the checkpoint holds their weights.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from aifilm.pipeline.lipsync.sadtalker_nets.audio import (
    AUDIO_CHANNELS,
    audio_encoder,
    encoder_channels,
)

POSE = 6  # 3 angles, 3 translations


@dataclass(frozen=True)
class PoseSizes:
    """The sizes of `Audio2Pose` (``auido2pose.yaml``'s by default)."""

    audio: tuple[int, ...] = AUDIO_CHANNELS
    filters: tuple[int, int, int, int] = (32, 64, 128, 256)  # the ResUnet's
    seq_len: int = 32
    latent: int = 64
    audio_out: int = 6
    classes: int = 46
    encoder_layers: tuple[int, ...] = (192, 128)
    decoder_layers: tuple[int, ...] = (128, 192)
    discriminator: tuple[int, int, int] = (256, 512, 1024)

    @classmethod
    def of(cls, state: dict[str, Any]) -> PoseSizes:
        """The sizes a state dict was saved with."""
        dec = "netG.decoder."
        unet = f"{dec}resunet."
        filters = tuple(
            int(state[k].shape[0])
            for k in (
                f"{unet}input_layer.0.weight",
                f"{unet}residual_conv_1.conv_block.2.weight",
                f"{unet}residual_conv_2.conv_block.2.weight",
                f"{unet}bridge.conv_block.2.weight",
            )
        )
        classes, latent = (int(n) for n in state[f"{dec}classbias"].shape)
        audio_out = int(state[f"{dec}linear_audio.weight"].shape[0])
        decoder = _linear_outs(state, f"{dec}MLP.")
        seq_len = decoder[-1] // POSE
        encoder = list(_linear_outs(state, "netG.encoder.MLP."))
        first_in = int(state["netG.encoder.MLP.L0.weight"].shape[1])
        encoder = [first_in - latent - seq_len * audio_out - POSE, *encoder]
        disc = tuple(int(state[f"netD_motion.seq.{i}.conv.weight"].shape[0]) for i in range(3))
        return cls(
            encoder_channels(state, "audio_encoder.audio_encoder."),
            filters,  # type: ignore[arg-type]
            seq_len,
            latent,
            audio_out,
            classes,
            tuple(encoder),
            decoder,
            disc,  # type: ignore[arg-type]
        )


def _linear_outs(state: dict[str, Any], prefix: str) -> tuple[int, ...]:
    outs: list[int] = []
    while f"{prefix}L{len(outs)}.weight" in state:
        outs.append(int(state[f"{prefix}L{len(outs)}.weight"].shape[0]))
    return tuple(outs)


class ResidualConv(nn.Module):  # type: ignore[misc]
    """Pre-activation residual block of the ResUnet."""

    def __init__(
        self, input_dim: int, output_dim: int, stride: int | tuple[int, int], padding: int
    ) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.BatchNorm2d(input_dim),
            nn.ReLU(),
            nn.Conv2d(input_dim, output_dim, kernel_size=3, stride=stride, padding=padding),
            nn.BatchNorm2d(output_dim),
            nn.ReLU(),
            nn.Conv2d(output_dim, output_dim, kernel_size=3, padding=1),
        )
        self.conv_skip = nn.Sequential(
            nn.Conv2d(input_dim, output_dim, kernel_size=3, stride=stride, padding=1),
            nn.BatchNorm2d(output_dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_block(x) + self.conv_skip(x)


class Upsample(nn.Module):  # type: ignore[misc]
    """A transposed convolution doubling the time axis."""

    def __init__(self, input_dim: int, output_dim: int) -> None:
        super().__init__()
        self.upsample = nn.ConvTranspose2d(input_dim, output_dim, kernel_size=(2, 1), stride=(2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.upsample(x)


class ResUnet(nn.Module):  # type: ignore[misc]
    """A U-Net over (time, pose) planes: (N, 1, seq_len, 6) in and out."""

    def __init__(self, filters: tuple[int, int, int, int] = (32, 64, 128, 256)) -> None:
        super().__init__()
        f0, f1, f2, f3 = filters
        self.input_layer = nn.Sequential(
            nn.Conv2d(1, f0, kernel_size=3, padding=1),
            nn.BatchNorm2d(f0),
            nn.ReLU(),
            nn.Conv2d(f0, f0, kernel_size=3, padding=1),
        )
        self.input_skip = nn.Sequential(nn.Conv2d(1, f0, kernel_size=3, padding=1))
        self.residual_conv_1 = ResidualConv(f0, f1, (2, 1), 1)
        self.residual_conv_2 = ResidualConv(f1, f2, (2, 1), 1)
        self.bridge = ResidualConv(f2, f3, (2, 1), 1)
        self.upsample_1 = Upsample(f3, f3)
        self.up_residual_conv1 = ResidualConv(f3 + f2, f2, 1, 1)
        self.upsample_2 = Upsample(f2, f2)
        self.up_residual_conv2 = ResidualConv(f2 + f1, f1, 1, 1)
        self.upsample_3 = Upsample(f1, f1)
        self.up_residual_conv3 = ResidualConv(f1 + f0, f0, 1, 1)
        self.output_layer = nn.Sequential(nn.Conv2d(f0, 1, 1, 1), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = self.input_layer(x) + self.input_skip(x)
        x2 = self.residual_conv_1(x1)
        x3 = self.residual_conv_2(x2)
        x4 = self.upsample_1(self.bridge(x3))
        x6 = self.upsample_2(self.up_residual_conv1(torch.cat([x4, x3], dim=1)))
        x8 = self.upsample_3(self.up_residual_conv2(torch.cat([x6, x2], dim=1)))
        x10 = self.up_residual_conv3(torch.cat([x8, x1], dim=1))
        return self.output_layer(x10)


def _mlp(sizes: list[int], last: nn.Module) -> nn.Sequential:
    mlp = nn.Sequential()
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        mlp.add_module(f"L{i}", nn.Linear(n_in, n_out))
        if i + 2 < len(sizes):
            mlp.add_module(f"A{i}", nn.ReLU())
        elif not isinstance(last, nn.Identity):
            mlp.add_module("sigmoid", last)
        else:
            mlp.add_module(f"A{i}", nn.ReLU())
    return mlp


class Encoder(nn.Module):  # type: ignore[misc]
    """The CVAE's encoder (training only; here for its weights)."""

    def __init__(self, sizes: PoseSizes) -> None:
        super().__init__()
        self.resunet = ResUnet(sizes.filters)
        first = sizes.encoder_layers[0] + sizes.latent + sizes.seq_len * sizes.audio_out + POSE
        self.MLP = _mlp([first, *sizes.encoder_layers[1:]], nn.Identity())
        self.linear_means = nn.Linear(sizes.encoder_layers[-1], sizes.latent)
        self.linear_logvar = nn.Linear(sizes.encoder_layers[-1], sizes.latent)
        self.linear_audio = nn.Linear(sizes.audio[-1], sizes.audio_out)
        self.classbias = nn.Parameter(torch.randn(sizes.classes, sizes.latent))


class Decoder(nn.Module):  # type: ignore[misc]
    """The CVAE's decoder: latent, style, reference pose and speech to 32 frames of motion."""

    def __init__(self, sizes: PoseSizes) -> None:
        super().__init__()
        self.seq_len = sizes.seq_len
        self.resunet = ResUnet(sizes.filters)
        first = sizes.latent + sizes.seq_len * sizes.audio_out + POSE
        self.MLP = _mlp([first, *sizes.decoder_layers], nn.Sigmoid())
        self.pose_linear = nn.Linear(POSE, POSE)
        self.linear_audio = nn.Linear(sizes.audio[-1], sizes.audio_out)
        self.classbias = nn.Parameter(torch.randn(sizes.classes, sizes.latent))

    def forward(
        self, z: torch.Tensor, style: torch.Tensor, ref: torch.Tensor, audio: torch.Tensor
    ) -> torch.Tensor:
        """(N, latent), (N,) style ids, (N, 6), (N, seq_len, 512): (N, seq_len, 6) motion."""
        n = z.shape[0]
        audio_out = self.linear_audio(audio).reshape(n, -1)
        x = self.MLP(torch.cat([ref, z + self.classbias[style], audio_out], dim=-1))
        pose = self.resunet(x.reshape(n, 1, self.seq_len, -1))
        return self.pose_linear(pose.squeeze(1))


class CVAE(nn.Module):  # type: ignore[misc]
    """Encoder and decoder, as the checkpoint holds them."""

    def __init__(self, sizes: PoseSizes) -> None:
        super().__init__()
        self.encoder = Encoder(sizes)
        self.decoder = Decoder(sizes)


class ConvNormRelu(nn.Module):  # type: ignore[misc]
    """1-D convolution, batch norm, ReLU (the motion discriminator's block)."""

    def __init__(self, cin: int, cout: int, kernel_size: int, stride: int, padding: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, kernel_size, stride, padding, bias=False)
        self.norm = nn.BatchNorm1d(cout)
        self.act = nn.ReLU()


class PoseSequenceDiscriminator(nn.Module):  # type: ignore[misc]
    """The motion discriminator (training only; here for its weights)."""

    def __init__(self, channels: tuple[int, int, int]) -> None:
        super().__init__()
        c0, c1, c2 = channels
        self.seq = nn.Sequential(
            ConvNormRelu(POSE, c0, 4, 2, 1),
            ConvNormRelu(c0, c1, 4, 2, 1),
            ConvNormRelu(c1, c2, 3, 1, 1),
            nn.Conv1d(c2, 1, kernel_size=3, stride=1, padding=1, bias=True),
        )


class AudioEncoder(nn.Module):  # type: ignore[misc]
    """The audio encoder over a sequence: (N, T, 1, 80, 16) to (N, T, 512)."""

    def __init__(self, channels: tuple[int, ...]) -> None:
        super().__init__()
        self.audio_encoder = audio_encoder(channels)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        n, t = mels.shape[:2]
        out = self.audio_encoder(mels.reshape(n * t, *mels.shape[2:]))
        return out.reshape(n, t, -1)


class Audio2Pose(nn.Module):  # type: ignore[misc]
    """Speech to head pose, as ``audio2pose`` in the checkpoint."""

    def __init__(self, sizes: PoseSizes | None = None) -> None:
        super().__init__()
        sizes = sizes or PoseSizes()
        self.sizes = sizes
        self.audio_encoder = AudioEncoder(sizes.audio)
        self.netG = CVAE(sizes)
        self.netD_motion = PoseSequenceDiscriminator(sizes.discriminator)

    def motion(
        self, mels: torch.Tensor, ref: torch.Tensor, style: int, generator: torch.Generator
    ) -> torch.Tensor:
        """Head pose for every mel window: (1, T, 1, 80, 16) and (1, 6) in, (T, 6) out.

        As SadTalker's ``Audio2Pose.test``: the first frame is the reference pose; the
        rest come 32 frames at a time, each with its own latent drawn from `generator`
        (on the CPU, so a seed gives the same motion on every device).
        """
        seq = self.sizes.seq_len
        frames = mels.shape[1] - 1
        use = mels[:, 1:]
        if 0 < use.shape[1] < seq:  # shorter than one window: hold the first mel before it
            use = torch.cat([use[:, :1].expand(-1, seq - use.shape[1], -1, -1, -1), use], 1)
        style_ids = torch.tensor([style], device=mels.device)
        parts = [torch.zeros(1, POSE, device=mels.device, dtype=mels.dtype)]

        def window(chunk: torch.Tensor) -> torch.Tensor:
            z = torch.randn(1, self.sizes.latent, generator=generator)
            z = z.to(device=mels.device, dtype=mels.dtype)
            return self.netG.decoder(z, style_ids, ref, self.audio_encoder(chunk))[0]

        for i in range(frames // seq):
            parts.append(window(use[:, i * seq : (i + 1) * seq]))
        rest = frames % seq
        if rest:
            parts.append(window(use[:, -seq:])[-rest:])
        return ref + torch.cat(parts, dim=0)
