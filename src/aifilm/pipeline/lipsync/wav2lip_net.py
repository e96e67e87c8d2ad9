"""The Wav2Lip generator network (Prajwal et al., 2020), in torch, layer for layer.

The modules and their attribute names follow Rudrabha/Wav2Lip's ``models/wav2lip.py`` and
``models/conv.py`` exactly, so the published checkpoints (``wav2lip.pth``,
``wav2lip_gan.pth``) load into it with ``load_state_dict`` unchanged: a face encoder of
seven blocks over a 96x96 face (6 channels: the face with its lower half masked, and the
reference face), an audio encoder over an (80 x 16) mel window, and a face decoder that
joins each upsampled audio feature with the face feature of the same size (U-Net skips).

Importing this module imports torch: only the backend imports it, when it loads a model.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

FACE_SIZE = 96


class Conv2d(nn.Module):  # type: ignore[misc]
    """Convolution, batch norm, ReLU; optionally with the input added back (residual)."""

    def __init__(
        self,
        cin: int,
        cout: int,
        kernel_size: int,
        stride: int | tuple[int, int],
        padding: int,
        residual: bool = False,
    ) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.Conv2d(cin, cout, kernel_size, stride, padding), nn.BatchNorm2d(cout)
        )
        self.act = nn.ReLU()
        self.residual = residual

    def forward(self, x: Any) -> Any:
        out = self.conv_block(x)
        if self.residual:
            out = out + x
        return self.act(out)


class Conv2dTranspose(nn.Module):  # type: ignore[misc]
    """Transposed convolution, batch norm, ReLU: one upsampling step of the decoder."""

    def __init__(
        self,
        cin: int,
        cout: int,
        kernel_size: int,
        stride: int,
        padding: int,
        output_padding: int = 0,
    ) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ConvTranspose2d(cin, cout, kernel_size, stride, padding, output_padding),
            nn.BatchNorm2d(cout),
        )
        self.act = nn.ReLU()

    def forward(self, x: Any) -> Any:
        return self.act(self.conv_block(x))


def _res(channels: int) -> Conv2d:
    return Conv2d(channels, channels, kernel_size=3, stride=1, padding=1, residual=True)


def _up(cin: int, cout: int, residuals: int) -> nn.Sequential:
    return nn.Sequential(
        Conv2dTranspose(cin, cout, kernel_size=3, stride=2, padding=1, output_padding=1),
        *(_res(cout) for _ in range(residuals)),
    )


class Wav2Lip(nn.Module):  # type: ignore[misc]
    """Wav2Lip's generator: (mel windows, masked + reference faces) -> faces in [0, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.face_encoder_blocks = nn.ModuleList(
            [
                nn.Sequential(Conv2d(6, 16, kernel_size=7, stride=1, padding=3)),  # 96
                nn.Sequential(Conv2d(16, 32, 3, 2, 1), _res(32), _res(32)),  # 48
                nn.Sequential(Conv2d(32, 64, 3, 2, 1), _res(64), _res(64), _res(64)),  # 24
                nn.Sequential(Conv2d(64, 128, 3, 2, 1), _res(128), _res(128)),  # 12
                nn.Sequential(Conv2d(128, 256, 3, 2, 1), _res(256), _res(256)),  # 6
                nn.Sequential(Conv2d(256, 512, 3, 2, 1), _res(512)),  # 3
                nn.Sequential(Conv2d(512, 512, 3, 1, 0), Conv2d(512, 512, 1, 1, 0)),  # 1
            ]
        )
        self.audio_encoder = nn.Sequential(
            Conv2d(1, 32, kernel_size=3, stride=1, padding=1),
            _res(32),
            _res(32),
            Conv2d(32, 64, kernel_size=3, stride=(3, 1), padding=1),
            _res(64),
            _res(64),
            Conv2d(64, 128, kernel_size=3, stride=3, padding=1),
            _res(128),
            _res(128),
            Conv2d(128, 256, kernel_size=3, stride=(3, 2), padding=1),
            _res(256),
            Conv2d(256, 512, kernel_size=3, stride=1, padding=0),
            Conv2d(512, 512, kernel_size=1, stride=1, padding=0),
        )
        self.face_decoder_blocks = nn.ModuleList(
            [
                nn.Sequential(Conv2d(512, 512, kernel_size=1, stride=1, padding=0)),
                nn.Sequential(
                    Conv2dTranspose(1024, 512, kernel_size=3, stride=1, padding=0), _res(512)
                ),  # 3
                _up(1024, 512, 2),  # 6
                _up(768, 384, 2),  # 12
                _up(512, 256, 2),  # 24
                _up(320, 128, 2),  # 48
                _up(160, 64, 2),  # 96
            ]
        )
        self.output_block = nn.Sequential(
            Conv2d(80, 32, kernel_size=3, stride=1, padding=1),
            nn.Conv2d(32, 3, kernel_size=1, stride=1, padding=0),
            nn.Sigmoid(),
        )

    def forward(self, audio: Any, faces: Any) -> Any:
        """(B, 1, 80, 16) mel windows and (B, 6, 96, 96) faces in [0, 1] -> (B, 3, 96, 96)."""
        x = self.audio_encoder(audio)  # (B, 512, 1, 1)
        features = []
        y = faces
        for block in self.face_encoder_blocks:
            y = block(y)
            features.append(y)
        for block in self.face_decoder_blocks:
            x = torch.cat((block(x), features.pop()), dim=1)
        return self.output_block(x)


def build() -> Wav2Lip:
    """A Wav2Lip generator with random weights (load a checkpoint into it)."""
    return Wav2Lip()
