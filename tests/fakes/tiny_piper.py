"""A tiny Piper-compatible voice, built with onnx.helper: no weights to download.

The graph has Piper's interface (``input`` int64 [1, N] phoneme ids,
``input_lengths`` int64 [1], ``scales`` float [3] = noise, length, noise_w, and
``sid`` int64 [1] for multi-speaker voices; ``output`` float [1, 1, 1, samples]).
Each phoneme id lasts ``ceil(FRAMES * length_scale)`` frames of ``HOP`` samples,
computed by the graph's one ``Ceil`` (the tensor piper's alignment patch exposes),
so alignments work exactly as with a real VITS voice. Ids of sounds (14 and up in
Piper's default map) are a sine tone, the rest (pad, space, punctuation) silence;
speaker k sounds at (k + 1) times the base frequency.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RATE = 16000
HOP = 256
FRAMES = 2.0  # frames per phoneme id at length_scale 1
TONE_HZ = 220.0


def build_model(speakers: int = 1) -> Any:
    """The ONNX model (an onnx.ModelProto)."""
    import onnx
    from onnx import TensorProto, helper

    def const(name: str, value: Any, dtype: int = TensorProto.FLOAT) -> Any:
        dims = [len(value)] if isinstance(value, list) else []
        vals = value if isinstance(value, list) else [value]
        return helper.make_node(
            "Constant", [], [name], value=helper.make_tensor(name + "_t", dtype, dims, vals)
        )

    n = helper.make_node
    nodes = [
        const("frames", FRAMES),
        const("hop", float(HOP)),
        const("one_idx", 1, TensorProto.INT64),
        const("zero", 0.0),
        const("step", 1.0),
        const("first_sound", 14, TensorProto.INT64),
        const("flat", [-1], TensorProto.INT64),
        const("out_shape", [1, 1, 1, -1], TensorProto.INT64),
        const("axis1", [1], TensorProto.INT64),
        const("axis1_scalar", 1, TensorProto.INT64),
        const("omega", 2 * 3.141592653589793 * TONE_HZ / RATE),
        const("amp", 0.5),
        n("Shape", ["input"], ["ids_shape"]),
        n(
            "ConstantOfShape",
            ["ids_shape"],
            ["ones"],
            value=helper.make_tensor("one_t", TensorProto.FLOAT, [1], [1.0]),
        ),
        n("Gather", ["scales", "one_idx"], ["length_scale"]),
        n("Mul", ["ones", "frames"], ["base"]),
        n("Mul", ["base", "length_scale"], ["w"]),
        n("Ceil", ["w"], ["w_ceil"]),
        n("Mul", ["w_ceil", "hop"], ["per_id"]),
        n("CumSum", ["per_id", "axis1_scalar"], ["ends"]),
        n("ReduceSum", ["per_id"], ["total"], keepdims=0),
        n("Range", ["zero", "total", "step"], ["t"]),
        n("Unsqueeze", ["t", "axis1"], ["t_col"]),
        n("GreaterOrEqual", ["t_col", "ends"], ["passed"]),
        n("Cast", ["passed"], ["passed_f"], to=TensorProto.FLOAT),
        n("ReduceSum", ["passed_f", "axis1"], ["index_f"], keepdims=0),
        n("Cast", ["index_f"], ["index"], to=TensorProto.INT64),
        n("Reshape", ["input", "flat"], ["ids"]),
        n("GreaterOrEqual", ["ids", "first_sound"], ["sounding"]),
        n("Cast", ["sounding"], ["sounding_f"], to=TensorProto.FLOAT),
        n("Gather", ["sounding_f", "index"], ["envelope"]),
        n("Mul", ["t", "omega"], ["phase0"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "n"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
        nodes += [
            n("Cast", ["sid"], ["sid_f"], to=TensorProto.FLOAT),
            n("Add", ["sid_f", "step"], ["sid_mult"]),
            n("Mul", ["phase0", "sid_mult"], ["phase"]),
        ]
    else:
        nodes.append(n("Identity", ["phase0"], ["phase"]))
    nodes += [
        n("Sin", ["phase"], ["tone"]),
        n("Mul", ["tone", "envelope"], ["shaped"]),
        n("Mul", ["shaped", "amp"], ["audio"]),
        n("Reshape", ["audio", "out_shape"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_piper",
        inputs,
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "samples"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_voice(
    directory: Path,
    name: str = "en_US-tiny-low",
    *,
    speakers: int = 1,
    language: str = "en",
    license: str | None = None,
) -> Path:
    """Write NAME.onnx and NAME.onnx.json into `directory`; returns the .onnx path."""
    import onnx
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    directory.mkdir(parents=True, exist_ok=True)
    model = directory / f"{name}.onnx"
    onnx.save(build_model(speakers), str(model))
    config: dict[str, Any] = {
        "dataset": "tiny",
        "audio": {"sample_rate": RATE, "quality": "x_low"},
        "espeak": {"voice": "en-us" if language == "en" else language},
        "language": {"code": "en_US" if language == "en" else language, "family": language},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": 256,
        "num_speakers": speakers,
        "speaker_id_map": {f"speaker{i}": i for i in range(speakers)} if speakers > 1 else {},
        "hop_length": HOP,
        "piper_version": "1.0.0",
    }
    if license:
        config["license"] = license
    Path(f"{model}.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return model
