"""SadTalker's networks in PyTorch, named as its published checkpoints name them.

Ported from OpenTalker/SadTalker (https://github.com/OpenTalker/SadTalker, Apache-2.0,
Copyright the SadTalker authors); see each module for the files it follows. One module
per network family:

- `audio`: ``audio2exp`` (`SimpleWrapperV2`) and the Wav2Lip audio encoder it shares;
- `pose`: ``audio2pose`` (`Audio2Pose`, a conditional VAE);
- `face3d`: ``face_3drecon`` (`ReconNetWrapper`, a ResNet-50 to 3DMM coefficients);
- `render`: ``kp_extractor`` (`KPDetector`) and ``generator``
  (`OcclusionAwareSPADEGenerator`); `blocks` holds their parts;
- `mapping`: ``mapping`` (`MappingNet`) and the keypoint transformation.

`SadTalkerSizes` holds every network's hyper-parameters: the published ones by default,
or those a checkpoint was saved with (`SadTalkerSizes.of`), read from its tensors' shapes,
so smaller networks of the same design (the test suite's) load through the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aifilm.pipeline.lipsync.sadtalker_nets.audio import ExpSizes, SimpleWrapperV2
from aifilm.pipeline.lipsync.sadtalker_nets.face3d import ReconNetWrapper, ReconSizes
from aifilm.pipeline.lipsync.sadtalker_nets.mapping import MappingNet, MappingSizes
from aifilm.pipeline.lipsync.sadtalker_nets.pose import Audio2Pose, PoseSizes
from aifilm.pipeline.lipsync.sadtalker_nets.render import (
    GeneratorSizes,
    KPDetector,
    KPSizes,
    OcclusionAwareSPADEGenerator,
)


@dataclass(frozen=True)
class SadTalkerSizes:
    """Hyper-parameters of the six networks (SadTalker v0.0.2's by default)."""

    audio2exp: ExpSizes = field(default_factory=ExpSizes)
    audio2pose: PoseSizes = field(default_factory=PoseSizes)
    face_3drecon: ReconSizes = field(default_factory=ReconSizes)
    kp_extractor: KPSizes = field(default_factory=KPSizes)
    generator: GeneratorSizes = field(default_factory=GeneratorSizes)
    mapping: MappingSizes = field(default_factory=MappingSizes)

    @classmethod
    def of(cls, states: dict[str, dict[str, Any]]) -> SadTalkerSizes:
        """The sizes the six state dicts (`load_sadtalker`'s) were saved with.

        A network whose state dict lacks a tensor its sizes are read from gets the
        published sizes: loading it then reports how it differs from the published design.
        """
        kinds: dict[str, Any] = {
            "audio2exp": ExpSizes,
            "audio2pose": PoseSizes,
            "face_3drecon": ReconSizes,
            "kp_extractor": KPSizes,
            "generator": GeneratorSizes,
            "mapping": MappingSizes,
        }
        found = {}
        for name, kind in kinds.items():
            try:
                found[name] = kind.of(states[name])
            except (KeyError, StopIteration, IndexError, ValueError, ZeroDivisionError):
                found[name] = kind()
        return cls(**found)


def build_networks(sizes: SadTalkerSizes | None = None) -> dict[str, Any]:
    """The six networks, randomly initialised, keyed as the checkpoints' prefixes."""
    s = sizes or SadTalkerSizes()
    return {
        "audio2exp": SimpleWrapperV2(s.audio2exp),
        "audio2pose": Audio2Pose(s.audio2pose),
        "face_3drecon": ReconNetWrapper(s.face_3drecon),
        "kp_extractor": KPDetector(s.kp_extractor),
        "generator": OcclusionAwareSPADEGenerator(s.generator),
        "mapping": MappingNet(s.mapping),
    }


__all__ = ["SadTalkerSizes", "build_networks"]
