"""SadTalker's 3D face fitting network (``face_3drecon``): a picture to 3DMM coefficients.

Ported from OpenTalker/SadTalker (Apache-2.0), ``src/face3d/models/networks.py``, itself
from Deep3DFaceRecon_pytorch (MIT, Microsoft) and torchvision's ResNet (BSD-3-Clause):
a ResNet-50 without its classifier, then seven 1x1 convolutions giving 257 coefficients
of the Basel Face Model (identity 80, expression 64, texture 80, angles 3, lighting 27,
translation 3). Written out here rather than taken from torchvision, with the same
module names (``backbone.layer1.0.conv1``...), so the published weights load unchanged.

Only the coefficients are used: no BFM basis is needed to animate (SadTalker's renderer
is driven by the expression, angle and translation coefficients alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

FC_DIMS = (80, 64, 80, 3, 27, 2, 1)  # id, exp, tex, angle, gamma, tx/ty, tz
INPUT = 224
RESCALE = 102.0  # Deep3DFaceRecon's align_img: the face spans this many of 224 px


@dataclass(frozen=True)
class ReconSizes:
    """ResNet width and depth (ResNet-50's by default)."""

    width: int = 64
    layers: tuple[int, int, int, int] = (3, 4, 6, 3)

    @classmethod
    def of(cls, state: dict[str, Any]) -> ReconSizes:
        """The sizes a state dict was saved with."""
        layers = []
        for n in range(1, 5):
            blocks = {k.split(".")[2] for k in state if k.startswith(f"backbone.layer{n}.")}
            layers.append(len(blocks))
        width = int(state["backbone.conv1.weight"].shape[0])
        return cls(width, tuple(layers))  # type: ignore[arg-type]


def _conv1x1(cin: int, cout: int, stride: int = 1, bias: bool = False) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=bias)


class Bottleneck(nn.Module):  # type: ignore[misc]
    """ResNet v1.5 bottleneck: the stride on the 3x3 convolution."""

    expansion = 4

    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None
    ) -> None:
        super().__init__()
        self.conv1 = _conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = _conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):  # type: ignore[misc]
    """A ResNet of bottlenecks ending in global average pooling (no classifier)."""

    def __init__(self, sizes: ReconSizes) -> None:
        super().__init__()
        w = sizes.width
        self.inplanes = w
        self.conv1 = nn.Conv2d(3, w, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(w, sizes.layers[0])
        self.layer2 = self._make_layer(w * 2, sizes.layers[1], stride=2)
        self.layer3 = self._make_layer(w * 4, sizes.layers[2], stride=2)
        self.layer4 = self._make_layer(w * 8, sizes.layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * Bottleneck.expansion:
            downsample = nn.Sequential(
                _conv1x1(self.inplanes, planes * Bottleneck.expansion, stride),
                nn.BatchNorm2d(planes * Bottleneck.expansion),
            )
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * Bottleneck.expansion
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.avgpool(x)


class ReconNetWrapper(nn.Module):  # type: ignore[misc]
    """ResNet-50 and the seven coefficient heads: (N, 3, 224, 224) in [0, 1] to (N, 257)."""

    def __init__(self, sizes: ReconSizes | None = None) -> None:
        super().__init__()
        sizes = sizes or ReconSizes()
        self.backbone = ResNet(sizes)
        last = sizes.width * 8 * Bottleneck.expansion
        self.final_layers = nn.ModuleList(_conv1x1(last, n, bias=True) for n in FC_DIMS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.backbone(x)
        return torch.flatten(torch.cat([layer(x) for layer in self.final_layers], dim=1), 1)


def split_coeffs(coeffs: torch.Tensor) -> dict[str, torch.Tensor]:
    """The 257 coefficients by meaning (SadTalker's ``split_coeff``)."""
    return {
        "id": coeffs[:, :80],
        "exp": coeffs[:, 80:144],
        "tex": coeffs[:, 144:224],
        "angle": coeffs[:, 224:227],
        "gamma": coeffs[:, 227:254],
        "trans": coeffs[:, 254:],
    }


def semantics(coeffs: torch.Tensor) -> torch.Tensor:
    """The 70 coefficients that drive the renderer: expression, angles, translation."""
    parts = split_coeffs(coeffs)
    return torch.cat([parts["exp"], parts["angle"], parts["trans"]], dim=1)
