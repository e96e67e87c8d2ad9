"""The face renderer's building blocks (facevid2vid's, as SadTalker ships them).

Ported from OpenTalker/SadTalker (Apache-2.0), ``src/facerender/modules/util.py``;
SadTalker's synchronised batch norms are plain batch norms here (same weights, one
device). Names match the original so the published weights load unchanged.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm


def make_coordinate_grid(
    spatial: tuple[int, int, int] | torch.Size, like: torch.Tensor
) -> torch.Tensor:
    """A (d, h, w, 3) grid of x, y, z in [-1, 1], of `like`'s dtype and device."""
    d, h, w = (int(n) for n in spatial)

    def axis(n: int) -> torch.Tensor:
        return 2 * (torch.arange(n, dtype=like.dtype, device=like.device) / max(n - 1, 1)) - 1

    z, y, x = torch.meshgrid(axis(d), axis(h), axis(w), indexing="ij")
    return torch.stack([x, y, z], dim=-1)


def kp2gaussian(kp: torch.Tensor, spatial: torch.Size, variance: float) -> torch.Tensor:
    """Keypoints (N, K, 3) as Gaussians on the grid: (N, K, d, h, w)."""
    grid = make_coordinate_grid(spatial, kp)
    diff = grid[None, None] - kp[:, :, None, None, None, :]
    return torch.exp(-0.5 * (diff**2).sum(-1) / variance)


class ResBlock2d(nn.Module):  # type: ignore[misc]
    """Pre-activation residual block keeping the resolution."""

    def __init__(self, features: int, kernel_size: int, padding: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, kernel_size, padding=padding)
        self.conv2 = nn.Conv2d(features, features, kernel_size, padding=padding)
        self.norm1 = nn.BatchNorm2d(features, affine=True)
        self.norm2 = nn.BatchNorm2d(features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.relu(self.norm1(x)))
        return self.conv2(F.relu(self.norm2(out))) + x


class ResBlock3d(nn.Module):  # type: ignore[misc]
    """Pre-activation 3-D residual block keeping the resolution."""

    def __init__(self, features: int, kernel_size: int, padding: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv3d(features, features, kernel_size, padding=padding)
        self.conv2 = nn.Conv3d(features, features, kernel_size, padding=padding)
        self.norm1 = nn.BatchNorm3d(features, affine=True)
        self.norm2 = nn.BatchNorm3d(features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.relu(self.norm1(x)))
        return self.conv2(F.relu(self.norm2(out))) + x


class UpBlock3d(nn.Module):  # type: ignore[misc]
    """Nearest upsampling of height and width, convolution, norm, ReLU."""

    def __init__(self, cin: int, cout: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, kernel_size, padding=padding)
        self.norm = nn.BatchNorm3d(cout, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.interpolate(x, scale_factor=(1, 2, 2))
        return F.relu(self.norm(self.conv(out)))


class DownBlock2d(nn.Module):  # type: ignore[misc]
    """Convolution, norm, ReLU, 2x2 average pooling."""

    def __init__(self, cin: int, cout: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(cout, affine=True)
        self.pool = nn.AvgPool2d(kernel_size=(2, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(F.relu(self.norm(self.conv(x))))


class DownBlock3d(nn.Module):  # type: ignore[misc]
    """3-D convolution, norm, ReLU, average pooling of height and width."""

    def __init__(self, cin: int, cout: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, kernel_size, padding=padding)
        self.norm = nn.BatchNorm3d(cout, affine=True)
        self.pool = nn.AvgPool3d(kernel_size=(1, 2, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(F.relu(self.norm(self.conv(x))))


class SameBlock2d(nn.Module):  # type: ignore[misc]
    """Convolution, norm, (leaky) ReLU keeping the resolution."""

    def __init__(
        self, cin: int, cout: int, kernel_size: int = 3, padding: int = 1, lrelu: bool = False
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(cout, affine=True)
        self.ac: nn.Module = nn.LeakyReLU() if lrelu else nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ac(self.norm(self.conv(x)))


def _widths(expansion: int, cap: int, i: int) -> int:
    return min(cap, expansion << i)


class Encoder(nn.Module):  # type: ignore[misc]
    """The hourglass's encoder: every level's output, the input first."""

    def __init__(self, expansion: int, in_features: int, blocks: int, cap: int) -> None:
        super().__init__()
        self.down_blocks = nn.ModuleList(
            DownBlock3d(in_features if i == 0 else _widths(expansion, cap, i),
                        _widths(expansion, cap, i + 1))
            for i in range(blocks)
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = [x]
        for block in self.down_blocks:
            outs.append(block(outs[-1]))
        return outs


class Decoder(nn.Module):  # type: ignore[misc]
    """The hourglass's decoder, joining each level's skip."""

    def __init__(self, expansion: int, in_features: int, blocks: int, cap: int) -> None:
        super().__init__()
        self.up_blocks = nn.ModuleList(
            UpBlock3d((1 if i == blocks - 1 else 2) * _widths(expansion, cap, i + 1),
                      _widths(expansion, cap, i))
            for i in reversed(range(blocks))
        )  # fmt: skip
        self.out_filters = expansion + in_features
        self.conv = nn.Conv3d(self.out_filters, self.out_filters, kernel_size=3, padding=1)
        self.norm = nn.BatchNorm3d(self.out_filters, affine=True)

    def forward(self, skips: list[torch.Tensor]) -> torch.Tensor:
        out = skips.pop()
        for block in self.up_blocks:
            out = torch.cat([block(out), skips.pop()], dim=1)
        return F.relu(self.norm(self.conv(out)))


class Hourglass(nn.Module):  # type: ignore[misc]
    """A 3-D U-Net."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int, max_features: int):
        super().__init__()
        self.encoder = Encoder(block_expansion, in_features, num_blocks, max_features)
        self.decoder = Decoder(block_expansion, in_features, num_blocks, max_features)
        self.out_filters = self.decoder.out_filters

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class KPHourglass(nn.Module):  # type: ignore[misc]
    """2-D encoder, reshaped to 3-D, 3-D decoder (the keypoint detector's body)."""

    def __init__(
        self,
        block_expansion: int,
        in_features: int,
        reshape_features: int,
        reshape_depth: int,
        num_blocks: int,
        max_features: int,
    ) -> None:
        super().__init__()
        self.down_blocks = nn.Sequential()
        for i in range(num_blocks):
            cin = in_features if i == 0 else _widths(block_expansion, max_features, i)
            self.down_blocks.add_module(
                f"down{i}", DownBlock2d(cin, _widths(block_expansion, max_features, i + 1))
            )
        cin = _widths(block_expansion, max_features, num_blocks)
        self.conv = nn.Conv2d(cin, reshape_features, kernel_size=1)
        self.up_blocks = nn.Sequential()
        out = cin
        for i in range(num_blocks):
            cin = _widths(block_expansion, max_features, num_blocks - i)
            out = _widths(block_expansion, max_features, num_blocks - i - 1)
            self.up_blocks.add_module(f"up{i}", UpBlock3d(cin, out))
        self.reshape_depth = reshape_depth
        self.out_filters = out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(self.down_blocks(x))
        n, c, h, w = out.shape
        out = out.view(n, c // self.reshape_depth, self.reshape_depth, h, w)
        return self.up_blocks(out)


class AntiAliasInterpolation2d(nn.Module):  # type: ignore[misc]
    """Gaussian blur then subsampling by 1/`scale`; the kernel is a saved buffer."""

    def __init__(self, channels: int, scale: float) -> None:
        super().__init__()
        sigma = (1 / scale - 1) / 2
        size = 2 * round(sigma * 4) + 1
        self.ka = size // 2
        self.kb = self.ka - 1 if size % 2 == 0 else self.ka
        mean = (size - 1) / 2
        ramp = torch.arange(size, dtype=torch.float32)
        g = torch.exp(-((ramp - mean) ** 2) / (2 * sigma**2))
        kernel = g[:, None] * g[None, :]
        kernel = kernel / kernel.sum()
        self.register_buffer("weight", kernel.view(1, 1, size, size).repeat(channels, 1, 1, 1))
        self.groups = channels
        self.scale = scale
        self.int_inv_scale = int(1 / scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.scale == 1.0:
            return x
        out = F.pad(x, (self.ka, self.kb, self.ka, self.kb))
        out = F.conv2d(out, weight=self.weight, groups=self.groups)
        return out[:, :, :: self.int_inv_scale, :: self.int_inv_scale]


class SPADE(nn.Module):  # type: ignore[misc]
    """Instance norm modulated by a feature map."""

    def __init__(self, norm_nc: int, label_nc: int, hidden: int = 128) -> None:
        super().__init__()
        self.param_free_norm = nn.InstanceNorm2d(norm_nc, affine=False)
        self.mlp_shared = nn.Sequential(nn.Conv2d(label_nc, hidden, 3, padding=1), nn.ReLU())
        self.mlp_gamma = nn.Conv2d(hidden, norm_nc, kernel_size=3, padding=1)
        self.mlp_beta = nn.Conv2d(hidden, norm_nc, kernel_size=3, padding=1)

    def forward(self, x: torch.Tensor, segmap: torch.Tensor) -> torch.Tensor:
        normalized = self.param_free_norm(x)
        segmap = F.interpolate(segmap, size=x.shape[2:], mode="nearest")
        actv = self.mlp_shared(segmap)
        return normalized * (1 + self.mlp_gamma(actv)) + self.mlp_beta(actv)


class SPADEResnetBlock(nn.Module):  # type: ignore[misc]
    """Residual block of spectrally normalised convolutions with SPADE norms."""

    def __init__(self, fin: int, fout: int, label_nc: int, hidden: int = 128) -> None:
        super().__init__()
        self.learned_shortcut = fin != fout
        middle = min(fin, fout)
        self.conv_0 = spectral_norm(nn.Conv2d(fin, middle, kernel_size=3, padding=1))
        self.conv_1 = spectral_norm(nn.Conv2d(middle, fout, kernel_size=3, padding=1))
        if self.learned_shortcut:
            self.conv_s = spectral_norm(nn.Conv2d(fin, fout, kernel_size=1, bias=False))
            self.norm_s = SPADE(fin, label_nc, hidden)
        self.norm_0 = SPADE(fin, label_nc, hidden)
        self.norm_1 = SPADE(middle, label_nc, hidden)

    def forward(self, x: torch.Tensor, seg: torch.Tensor) -> torch.Tensor:
        x_s = self.conv_s(self.norm_s(x, seg)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), 2e-1))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), 2e-1))
        return x_s + dx
