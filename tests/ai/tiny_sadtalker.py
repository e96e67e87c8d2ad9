"""SadTalker checkpoints with random weights, saved exactly as the published ones are.

The design is SadTalker v0.0.2's, only narrower and shallower (`TINY`), so a shot
renders on a CPU in seconds; the loader reads the sizes back from the tensors' shapes.
The files are what the release holds: ``SadTalker_V0.0.2_256.safetensors`` with the
prefixes ``audio2exp.``, ``audio2pose.``, ``face_3drecon.``, ``kp_extractor.``,
``generator.``, and ``mapping_00229-model.pth.tar`` holding ``{"mapping": state dict,
"epoch": ...}`` (plus the optimiser's state, as a training checkpoint does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aifilm.pipeline.lipsync.sadtalker_nets import SadTalkerSizes
from aifilm.pipeline.lipsync.sadtalker_nets.audio import ExpSizes
from aifilm.pipeline.lipsync.sadtalker_nets.face3d import ReconSizes
from aifilm.pipeline.lipsync.sadtalker_nets.mapping import MappingSizes
from aifilm.pipeline.lipsync.sadtalker_nets.pose import PoseSizes
from aifilm.pipeline.lipsync.sadtalker_nets.render import GeneratorSizes, KPSizes, MotionSizes

_AUDIO = (4, 8, 8, 16, 16)
TINY = SadTalkerSizes(
    audio2exp=ExpSizes(_AUDIO),
    audio2pose=PoseSizes(
        audio=_AUDIO, filters=(4, 4, 8, 8), encoder_layers=(16, 16), decoder_layers=(16, 192),
        discriminator=(8, 8, 8),
    ),
    face_3drecon=ReconSizes(width=4, layers=(1, 1, 1, 1)),
    kp_extractor=KPSizes(
        num_kp=4, block_expansion=4, max_features=16, num_blocks=2, reshape_channel=64,
        reshape_depth=4,
    ),
    generator=GeneratorSizes(
        num_kp=4, feature_channel=4, block_expansion=2, max_features=8, num_down_blocks=2,
        reshape_channel=4, reshape_depth=2, num_resblocks=1,
        motion=MotionSizes(block_expansion=2, max_features=4, num_blocks=2, compress=1),
        decoder_out=4, spade_hidden=4, middle_blocks=1,
    ),
    mapping=MappingSizes(descriptor_nc=16, num_kp=4),
)  # fmt: skip


def tiny_states(seed: int = 0) -> dict[str, dict[str, Any]]:
    """The six tiny networks' state dicts, random but with trained-looking norms."""
    import torch

    from aifilm.pipeline.lipsync.sadtalker_nets import build_networks

    torch.manual_seed(seed)
    nets = build_networks(TINY)
    with torch.no_grad():
        for net in nets.values():
            for module in net.modules():
                if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                    assert module.running_mean is not None and module.running_var is not None
                    module.running_mean.uniform_(-0.1, 0.1)
                    module.running_var.uniform_(0.5, 1.5)
        # a renderer that moves: keypoint offsets and pose bins far from uniform
        mapping = nets["mapping"]
        for name in ("fc_exp", "fc_yaw", "fc_pitch", "fc_roll"):
            getattr(mapping, name).weight.mul_(8.0)
    return {name: net.state_dict() for name, net in nets.items()}


def save_sadtalker_checkpoints(folder: Path, seed: int = 0) -> Path:
    """Write both release files into `folder` and return it."""
    import torch
    from safetensors.torch import save_file

    states = tiny_states(seed)
    folder.mkdir(parents=True, exist_ok=True)
    flat = {
        f"{name}.{key}": value.contiguous()
        for name, state in states.items()
        if name != "mapping"
        for key, value in state.items()
    }
    save_file(flat, str(folder / "SadTalker_V0.0.2_256.safetensors"))
    torch.save(
        {"mapping": states["mapping"], "epoch": 229, "optimizer_mapping": {"state": {}}},
        folder / "mapping_00229-model.pth.tar",
    )
    return folder
