"""SadTalker's face renderer: canonical keypoints (``kp_extractor``) and the generator.

Ported from OpenTalker/SadTalker (Apache-2.0), ``src/facerender/modules/``
(``keypoint_detector.py``, ``dense_motion.py``, ``generator.py``), which adapts
face-vid2vid with a SPADE decoder. `KPDetector` finds 15 implicit 3-D keypoints in the
256x256 face; `OcclusionAwareSPADEGenerator` lifts the face to a 3-D feature volume,
warps it by the motion from the source keypoints to the driving ones
(`DenseMotionNetwork`) and decodes the new face. Hyper-parameters are
``facerender.yaml``'s; names match the original so the published weights load unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from aifilm.pipeline.lipsync.sadtalker_nets.blocks import (
    AntiAliasInterpolation2d,
    DownBlock2d,
    Hourglass,
    KPHourglass,
    ResBlock3d,
    SameBlock2d,
    SPADEResnetBlock,
    kp2gaussian,
    make_coordinate_grid,
)

_SCALES = (1.0, 0.5, 0.25, 0.125)


def _count(state: dict[str, Any], prefix: str) -> int:
    return len({k[len(prefix) :].split(".")[0] for k in state if k.startswith(prefix)})


@dataclass(frozen=True)
class KPSizes:
    """``kp_detector_params`` and ``num_kp`` of ``facerender.yaml`` by default."""

    num_kp: int = 15
    block_expansion: int = 32
    max_features: int = 1024
    num_blocks: int = 5
    reshape_channel: int = 16384
    reshape_depth: int = 16
    scale_factor: float = 0.25
    temperature: float = 0.1  # not in the weights: the config's

    @classmethod
    def of(cls, state: dict[str, Any]) -> KPSizes:
        """The sizes a state dict was saved with."""
        p = "predictor."
        blocks = _count(state, f"{p}down_blocks.")
        outs = [int(state[f"{p}down_blocks.down{i}.conv.weight"].shape[0]) for i in range(blocks)]
        reshape = int(state[f"{p}conv.weight"].shape[0])
        depth = reshape // int(state[f"{p}up_blocks.up0.conv.weight"].shape[1])
        scale = 1.0
        if "down.weight" in state:
            size = int(state["down.weight"].shape[-1])
            scale = next(s for s in _SCALES if 2 * round((1 / s - 1) / 2 * 4) + 1 == size)
        return cls(
            int(state["kp.weight"].shape[0]), outs[0] // 2, max(outs), blocks, reshape, depth, scale
        )


class KPDetector(nn.Module):  # type: ignore[misc]
    """Canonical 3-D keypoints of a face: (N, 3, H, W) in [0, 1] to (N, num_kp, 3)."""

    def __init__(self, sizes: KPSizes | None = None, image_channel: int = 3) -> None:
        super().__init__()
        s = sizes or KPSizes()
        self.predictor = KPHourglass(
            s.block_expansion,
            in_features=image_channel,
            reshape_features=s.reshape_channel,
            reshape_depth=s.reshape_depth,
            num_blocks=s.num_blocks,
            max_features=s.max_features,
        )
        self.kp = nn.Conv3d(self.predictor.out_filters, s.num_kp, kernel_size=3, padding=1)
        self.temperature = s.temperature
        self.scale_factor = s.scale_factor
        if s.scale_factor != 1:
            self.down = AntiAliasInterpolation2d(image_channel, s.scale_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.scale_factor != 1:
            x = self.down(x)
        prediction = self.kp(self.predictor(x))
        shape = prediction.shape
        heatmap = F.softmax(prediction.view(shape[0], shape[1], -1) / self.temperature, dim=2)
        heatmap = heatmap.view(*shape).unsqueeze(-1)
        grid = make_coordinate_grid(shape[2:], heatmap)[None, None]
        return (heatmap * grid).sum(dim=(2, 3, 4))


@dataclass(frozen=True)
class MotionSizes:
    """``dense_motion_params`` of ``facerender.yaml`` by default."""

    block_expansion: int = 32
    max_features: int = 1024
    num_blocks: int = 5
    compress: int = 4
    occlusion: bool = True


@dataclass(frozen=True)
class GeneratorSizes:
    """``generator_params`` (and the SPADE decoder's fixed widths) by default."""

    num_kp: int = 15
    feature_channel: int = 32
    block_expansion: int = 64
    max_features: int = 512
    num_down_blocks: int = 2
    reshape_channel: int = 32
    reshape_depth: int = 16
    num_resblocks: int = 6
    motion: MotionSizes = field(default_factory=MotionSizes)
    decoder_out: int = 64
    spade_hidden: int = 128
    middle_blocks: int = 6

    @classmethod
    def of(cls, state: dict[str, Any]) -> GeneratorSizes:
        """The sizes a state dict was saved with."""
        dm = "dense_motion_network."
        hg = f"{dm}hourglass.encoder.down_blocks."
        dm_blocks = _count(state, hg)
        dm_outs = [int(state[f"{hg}{i}.conv.weight"].shape[0]) for i in range(dm_blocks)]
        motion = MotionSizes(
            dm_outs[0] // 2,
            max(dm_outs),
            dm_blocks,
            int(state[f"{dm}compress.weight"].shape[0]),
            f"{dm}occlusion.weight" in state,
        )
        max_features = int(state["second.weight"].shape[0])
        reshape = int(state["resblocks_3d.3dr0.conv1.weight"].shape[0])
        num_kp = int(state[f"{dm}mask.weight"].shape[0]) - 1
        return cls(
            num_kp,
            int(state[f"{dm}compress.weight"].shape[1]),
            int(state["first.conv.weight"].shape[0]),
            max_features,
            _count(state, "down_blocks."),
            reshape,
            max_features // reshape,
            _count(state, "resblocks_3d."),
            motion,
            int(state["decoder.conv_img.weight"].shape[1]),
            int(state["decoder.G_middle_0.norm_0.mlp_shared.0.weight"].shape[0]),
            len({k.split(".")[1] for k in state if k.startswith("decoder.G_middle_")}),
        )


class DenseMotionNetwork(nn.Module):  # type: ignore[misc]
    """Dense 3-D motion (and occlusion) from sparse keypoint motion."""

    def __init__(self, s: GeneratorSizes) -> None:
        super().__init__()
        m = s.motion
        self.hourglass = Hourglass(
            m.block_expansion, (s.num_kp + 1) * (m.compress + 1), m.num_blocks, m.max_features
        )
        self.mask = nn.Conv3d(self.hourglass.out_filters, s.num_kp + 1, kernel_size=7, padding=3)
        self.compress = nn.Conv3d(s.feature_channel, m.compress, kernel_size=1)
        self.norm = nn.BatchNorm3d(m.compress, affine=True)
        self.occlusion: nn.Conv2d | None = None
        if m.occlusion:
            self.occlusion = nn.Conv2d(
                self.hourglass.out_filters * s.reshape_depth, 1, kernel_size=7, padding=3
            )
        self.num_kp = s.num_kp

    def forward(
        self, feature: torch.Tensor, kp_driving: torch.Tensor, kp_source: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The deformation (N, d, h, w, 3) and the occlusion map (N, 1, h, w) or None."""
        n, _, d, h, w = feature.shape
        k = self.num_kp
        feature = F.relu(self.norm(self.compress(feature)))
        identity = make_coordinate_grid((d, h, w), feature).view(1, 1, d, h, w, 3)
        to_source = identity - kp_driving.view(n, k, 1, 1, 1, 3) + kp_source.view(n, k, 1, 1, 1, 3)
        sparse = torch.cat([identity.expand(n, 1, d, h, w, 3), to_source], dim=1)
        repeated = feature.unsqueeze(1).expand(n, k + 1, *feature.shape[1:])
        deformed = F.grid_sample(
            repeated.reshape(n * (k + 1), -1, d, h, w),
            sparse.reshape(n * (k + 1), d, h, w, 3),
            align_corners=False,
        ).view(n, k + 1, -1, d, h, w)
        heat = kp2gaussian(kp_driving, deformed.shape[3:], 0.01) - kp2gaussian(
            kp_source, deformed.shape[3:], 0.01
        )
        heat = torch.cat([torch.zeros_like(heat[:, :1]), heat], dim=1).unsqueeze(2)
        prediction = self.hourglass(torch.cat([heat, deformed], dim=2).view(n, -1, d, h, w))
        mask = F.softmax(self.mask(prediction), dim=1).unsqueeze(2)
        mask = torch.where(mask < 1e-3, torch.zeros_like(mask), mask)
        deformation = (sparse.permute(0, 1, 5, 2, 3, 4) * mask).sum(dim=1).permute(0, 2, 3, 4, 1)
        occlusion = None
        if self.occlusion is not None:
            flat = prediction.reshape(n, -1, h, w)
            occlusion = torch.sigmoid(self.occlusion(flat))
        return deformation, occlusion


class SPADEDecoder(nn.Module):  # type: ignore[misc]
    """Features to a face: six SPADE blocks, two upsamplings, RGB in [0, 1]."""

    def __init__(self, s: GeneratorSizes) -> None:
        super().__init__()
        ic = s.block_expansion * 2**s.num_down_blocks
        oc, hidden = s.decoder_out, s.spade_hidden
        self.fc = nn.Conv2d(ic, 2 * ic, 3, padding=1)
        self.middle = s.middle_blocks
        for i in range(s.middle_blocks):
            setattr(self, f"G_middle_{i}", SPADEResnetBlock(2 * ic, 2 * ic, ic, hidden))
        self.up_0 = SPADEResnetBlock(2 * ic, ic, ic, hidden)
        self.up_1 = SPADEResnetBlock(ic, oc, ic, hidden)
        self.conv_img = nn.Conv2d(oc, 3, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2)

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        x = self.fc(feature)
        for i in range(self.middle):
            x = getattr(self, f"G_middle_{i}")(x, feature)
        x = self.up_0(self.up(x), feature)
        x = self.up_1(self.up(x), feature)
        return torch.sigmoid(self.conv_img(F.leaky_relu(x, 2e-1)))


class OcclusionAwareSPADEGenerator(nn.Module):  # type: ignore[misc]
    """The source face re-posed from `kp_source` to `kp_driving`: (N, 3, H, W) in [0, 1]."""

    def __init__(self, sizes: GeneratorSizes | None = None, image_channel: int = 3) -> None:
        super().__init__()
        s = sizes or GeneratorSizes()
        self.dense_motion_network = DenseMotionNetwork(s)
        self.first = SameBlock2d(image_channel, s.block_expansion, kernel_size=3, padding=1)
        outs = [min(s.max_features, s.block_expansion * 2**i) for i in range(s.num_down_blocks + 1)]
        self.down_blocks = nn.ModuleList(
            DownBlock2d(outs[i], outs[i + 1]) for i in range(s.num_down_blocks)
        )
        self.second = nn.Conv2d(outs[-1], s.max_features, kernel_size=1, stride=1)
        self.reshape_channel = s.reshape_channel
        self.reshape_depth = s.reshape_depth
        self.resblocks_3d = nn.Sequential()
        for i in range(s.num_resblocks):
            self.resblocks_3d.add_module(f"3dr{i}", ResBlock3d(s.reshape_channel, 3, 1))
        out = s.block_expansion * 2**s.num_down_blocks
        self.third = SameBlock2d(s.max_features, out, kernel_size=3, padding=1, lrelu=True)
        self.fourth = nn.Conv2d(out, out, kernel_size=1, stride=1)
        self.decoder = SPADEDecoder(s)

    def source_features(self, source: torch.Tensor) -> torch.Tensor:
        """The source face's 3-D feature volume (the same for every frame: made once)."""
        out = self.first(source)
        for block in self.down_blocks:
            out = block(out)
        out = self.second(out)
        n, _, h, w = out.shape
        volume = out.view(n, self.reshape_channel, self.reshape_depth, h, w)
        return self.resblocks_3d(volume)

    def render(
        self, volume: torch.Tensor, kp_driving: torch.Tensor, kp_source: torch.Tensor
    ) -> torch.Tensor:
        """Frames from the source's feature volume (expanded to the batch) and keypoints."""
        deformation, occlusion = self.dense_motion_network(volume, kp_driving, kp_source)
        out = F.grid_sample(volume, deformation, align_corners=False)
        n, c, d, h, w = out.shape
        out = self.fourth(self.third(out.view(n, c * d, h, w)))
        if occlusion is not None:
            if out.shape[2:] != occlusion.shape[2:]:
                occlusion = F.interpolate(occlusion, size=out.shape[2:], mode="bilinear")
            out = out * occlusion
        return self.decoder(out)

    def forward(
        self, source: torch.Tensor, kp_driving: torch.Tensor, kp_source: torch.Tensor
    ) -> torch.Tensor:
        return self.render(self.source_features(source), kp_driving, kp_source)
