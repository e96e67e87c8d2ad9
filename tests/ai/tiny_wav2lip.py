"""A Wav2Lip checkpoint with random weights, saved exactly as the published ones are.

The real architecture (about 36 M parameters, 145 MB) runs on a CPU in a fraction of a
second per frame: no toy version is needed. The file is what ``wav2lip_gan.pth`` holds:
``{"state_dict": {"module.<name>": tensor}, "optimizer": ..., "global_step": ...,
"global_epoch": ...}`` (trained under ``DataParallel``, hence the prefix).
"""

from __future__ import annotations

from pathlib import Path


def save_wav2lip_checkpoint(folder: Path, name: str = "wav2lip_gan.pth") -> Path:
    """Write a random-weight Wav2Lip checkpoint as ``folder/checkpoints/<name>``."""
    import torch

    from aifilm.pipeline.lipsync.wav2lip_net import build

    torch.manual_seed(0)
    model = build()
    with torch.no_grad():  # batch-norm statistics like a trained net's, not the init's 0/1
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    path = folder / "checkpoints" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {f"module.{k}": v for k, v in model.state_dict().items()}
    torch.save(
        {"state_dict": state, "optimizer": {"state": {}}, "global_step": 0, "global_epoch": 0},
        path,
    )
    return path
