"""SadTalker's mapping network and keypoint transformation: coefficients to keypoints.

Ported from OpenTalker/SadTalker (Apache-2.0), ``src/facerender/modules/mapping.py`` and
``make_animation.py``. `MappingNet` reads a window of 27 frames of the 70 renderer
coefficients (expression 64, angles 3, translation 3) and gives head pose as 66-bin
distributions of yaw, pitch and roll, a translation and per-keypoint expression
offsets; `transform_keypoints` rotates, moves and deforms the canonical keypoints by
them, exactly as SadTalker does (including its 3.14 for pi and its dropped x and z
translation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

SEMANTIC_RADIUS = 13  # the window is 2 * 13 + 1 frames
COEFFS = 70


@dataclass(frozen=True)
class MappingSizes:
    """``mapping_params`` of ``facerender.yaml`` by default."""

    coeff_nc: int = COEFFS
    descriptor_nc: int = 1024
    layer: int = 3
    num_kp: int = 15
    num_bins: int = 66

    @classmethod
    def of(cls, state: dict[str, Any]) -> MappingSizes:
        """The sizes a state dict was saved with."""
        first = state["first.0.weight"]
        layers = len({k.split(".")[0] for k in state if k.startswith("encoder")})
        return cls(
            int(first.shape[1]),
            int(first.shape[0]),
            layers,
            int(state["fc_exp.weight"].shape[0]) // 3,
            int(state["fc_yaw.weight"].shape[0]),
        )


class MappingNet(nn.Module):  # type: ignore[misc]
    """(N, 70, 27) coefficient windows to pose bins, translation and expression offsets."""

    def __init__(self, sizes: MappingSizes | None = None) -> None:
        super().__init__()
        s = sizes or MappingSizes()
        self.layer = s.layer
        self.first = nn.Sequential(nn.Conv1d(s.coeff_nc, s.descriptor_nc, kernel_size=7, bias=True))
        for i in range(s.layer):
            net = nn.Sequential(
                nn.LeakyReLU(0.1), nn.Conv1d(s.descriptor_nc, s.descriptor_nc, 3, dilation=3)
            )
            setattr(self, f"encoder{i}", net)
        self.pooling = nn.AdaptiveAvgPool1d(1)
        self.fc_roll = nn.Linear(s.descriptor_nc, s.num_bins)
        self.fc_pitch = nn.Linear(s.descriptor_nc, s.num_bins)
        self.fc_yaw = nn.Linear(s.descriptor_nc, s.num_bins)
        self.fc_t = nn.Linear(s.descriptor_nc, 3)
        self.fc_exp = nn.Linear(s.descriptor_nc, 3 * s.num_kp)

    def forward(self, coeffs: torch.Tensor) -> dict[str, torch.Tensor]:
        out = self.first(coeffs)
        for i in range(self.layer):
            out = getattr(self, f"encoder{i}")(out) + out[:, :, 3:-3]
        out = self.pooling(out).flatten(1)
        return {
            "yaw": self.fc_yaw(out),
            "pitch": self.fc_pitch(out),
            "roll": self.fc_roll(out),
            "t": self.fc_t(out),
            "exp": self.fc_exp(out),
        }


def _degrees(bins: torch.Tensor) -> torch.Tensor:
    """A 66-bin distribution to degrees: 3-degree bins from -99."""
    index = torch.arange(bins.shape[1], dtype=bins.dtype, device=bins.device)
    return (F.softmax(bins, dim=1) * index).sum(1) * 3 - 99


def rotation_matrix(yaw: torch.Tensor, pitch: torch.Tensor, roll: torch.Tensor) -> torch.Tensor:
    """(N, 3, 3) rotations from angles in degrees, composed as SadTalker does."""
    yaw, pitch, roll = (a[:, None] / 180 * 3.14 for a in (yaw, pitch, roll))
    one, zero = torch.ones_like(pitch), torch.zeros_like(pitch)
    pitch_mat = torch.cat(
        [one, zero, zero, zero, torch.cos(pitch), -torch.sin(pitch),
         zero, torch.sin(pitch), torch.cos(pitch)], dim=1,
    ).view(-1, 3, 3)  # fmt: skip
    yaw_mat = torch.cat(
        [torch.cos(yaw), zero, torch.sin(yaw), zero, one, zero,
         -torch.sin(yaw), zero, torch.cos(yaw)], dim=1,
    ).view(-1, 3, 3)  # fmt: skip
    roll_mat = torch.cat(
        [torch.cos(roll), -torch.sin(roll), zero, torch.sin(roll), torch.cos(roll), zero,
         zero, zero, one], dim=1,
    ).view(-1, 3, 3)  # fmt: skip
    return torch.einsum("bij,bjk,bkm->bim", pitch_mat, yaw_mat, roll_mat)


def transform_keypoints(canonical: torch.Tensor, he: dict[str, torch.Tensor]) -> torch.Tensor:
    """Canonical keypoints (N, K, 3) rotated, moved (y only) and deformed by `he`."""
    rot = rotation_matrix(_degrees(he["yaw"]), _degrees(he["pitch"]), _degrees(he["roll"]))
    rotated = torch.einsum("bmp,bkp->bkm", rot, canonical)
    t = he["t"] * torch.tensor([0.0, 1.0, 0.0], dtype=he["t"].dtype, device=he["t"].device)
    return rotated + t[:, None, :] + he["exp"].view(he["exp"].shape[0], -1, 3)
