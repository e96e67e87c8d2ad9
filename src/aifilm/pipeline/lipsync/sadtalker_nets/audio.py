"""SadTalker's speech-to-expression network (``audio2exp``), and the audio encoder it shares.

Ported from OpenTalker/SadTalker (Apache-2.0, Copyright the SadTalker authors),
``src/audio2exp_models/networks.py`` and ``src/audio2pose_models/audio_encoder.py``: the
module and parameter names are theirs, so the published weights load unchanged. The
encoder is Wav2Lip's: 13 convolution blocks turning an 80x16 mel window into one vector.
`SimpleWrapperV2` maps that vector, the picture's own 64 expression coefficients and a
blink ratio to the frame's 64 expression coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from aifilm.pipeline.lipsync.wav2lip_net import Conv2d as AudioConv  # the same block

AUDIO_CHANNELS = (32, 64, 128, 256, 512)
EXP = 64  # 3DMM expression coefficients


def audio_encoder(channels: tuple[int, ...] = AUDIO_CHANNELS) -> nn.Sequential:
    """Wav2Lip's audio encoder: (N, 1, 80, 16) mel windows to (N, channels[-1], 1, 1)."""
    c0, c1, c2, c3, c4 = channels
    return nn.Sequential(
        AudioConv(1, c0, 3, 1, 1),
        AudioConv(c0, c0, 3, 1, 1, residual=True),
        AudioConv(c0, c0, 3, 1, 1, residual=True),
        AudioConv(c0, c1, 3, (3, 1), 1),
        AudioConv(c1, c1, 3, 1, 1, residual=True),
        AudioConv(c1, c1, 3, 1, 1, residual=True),
        AudioConv(c1, c2, 3, 3, 1),
        AudioConv(c2, c2, 3, 1, 1, residual=True),
        AudioConv(c2, c2, 3, 1, 1, residual=True),
        AudioConv(c2, c3, 3, (3, 2), 1),
        AudioConv(c3, c3, 3, 1, 1, residual=True),
        AudioConv(c3, c4, 3, 1, 0),
        AudioConv(c4, c4, 1, 1, 0),
    )


def encoder_channels(state: dict[str, Any], prefix: str) -> tuple[int, ...]:
    """The encoder's widths, read from its weights' shapes under `prefix`."""
    return tuple(int(state[f"{prefix}{i}.conv_block.0.weight"].shape[0]) for i in (0, 3, 6, 9, 11))


@dataclass(frozen=True)
class ExpSizes:
    """The sizes of `SimpleWrapperV2` (the published ones by default)."""

    channels: tuple[int, ...] = AUDIO_CHANNELS

    @classmethod
    def of(cls, state: dict[str, Any]) -> ExpSizes:
        """The sizes a state dict was saved with."""
        return cls(encoder_channels(state, "audio_encoder."))


class SimpleWrapperV2(nn.Module):  # type: ignore[misc]
    """Speech to expression: one mel window, the reference expression, a blink ratio."""

    def __init__(self, sizes: ExpSizes | None = None) -> None:
        super().__init__()
        sizes = sizes or ExpSizes()
        self.audio_encoder = audio_encoder(sizes.channels)
        self.mapping1 = nn.Linear(sizes.channels[-1] + EXP + 1, EXP)

    def forward(self, mel: torch.Tensor, ref: torch.Tensor, ratio: torch.Tensor) -> torch.Tensor:
        """(N, 1, 80, 16) mels, (N, 64) reference, (N, 1) blink ratio: (N, 64) expressions."""
        x = self.audio_encoder(mel).view(mel.size(0), -1)
        return self.mapping1(torch.cat([x, ref, ratio], dim=1))
