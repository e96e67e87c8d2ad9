"""The film as one FFmpeg filter graph: pure functions building strings, no FFmpeg run.

Shape for n shots (stills decoded once, converted once, repeated by `loop`)::

    [0:v] scale,format,loop,settb,setpts                              [c0]  (static)
    [0:v] scale,format,loop,settb,setpts,perspective|crop,framerate,..  [c0]  (moving)
    [1:v] ...                                              [c1]
    [c0][c1] xfade=...:offset=... [j1]      (a cut: concat=n=2)
    [j1][c2] xfade ...            [j2]
    ...
    [jn-1] ass=...[,drawtext=...],setparams=... [vout]

A video clip instead goes through fps, scale/crop to the frame and trim (its input is
opened with `-stream_loop -1`, so a short clip repeats to fill its shot).

A still with overlays (a talking mouth) is looped at the full frame rate, the overlays
(inputs after all the shots') are laid on it in the still's pixels, and only then does
the camera move, so they follow the zoom or pan; that motion is rendered per frame
(`perspective`), as the picture changes under it::

    [0:v] scale,format,loop,settb,setpts [b0]; [5:v] fps,scale,format,setpts [o0_0];
    [b0][o0_0] overlay=x:y [b0_1]; [b0_1] perspective,crop [c0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.compose.motion import (
    MOVING,
    layer_place,
    motion_filter,
    motion_split,
    pixel_format,
    source_size,
    window,
)
from aifilm.pipeline.compose.transitions import ClipSpan
from aifilm.pipeline.visuals.base import Layer

COLOUR = "out_color_matrix=bt709:out_range=tv"
# the tags `COLOUR` gives frames, which a kept tail's container drops: frames read back
# without them would be converted to match the next shot's in a transition
TAGS = "setparams=colorspace=bt709:range=tv"
TAIL_LEAD = 1  # frames before a kept tail in its file (`build_graph(keep_tail=True)`)


def escape_value(value: str) -> str:
    """Escape a filter option value for a filter graph (both levels FFmpeg parses).

    The option parser treats `\\ ' :` as special, the graph parser `\\ ' [ ] , ;`;
    the value is escaped for the first, then the result for the second.
    """

    def esc(text: str, special: str) -> str:
        return "".join("\\" + c if c in special else c for c in text)

    return esc(esc(value, "\\':"), "\\'[],;")


def ass_filter(path: Path, fonts_dir: Path | None = None) -> str:
    """`ass=` burning an ASS file with complex (HarfBuzz) shaping."""
    text = f"ass=filename={escape_value(str(path))}"
    if fonts_dir is not None:
        text += f":fontsdir={escape_value(str(fonts_dir))}"
    return text + ":shaping=complex"


def watermark_filter(textfile: Path, fontfile: Path, height: int) -> str:
    """Small, half-transparent text in the top-right corner (text read from a file)."""
    size = max(10, round(height / 40))
    margin = max(4, round(height / 45))
    return (
        f"drawtext=fontfile={escape_value(str(fontfile))}"
        f":textfile={escape_value(str(textfile))}:expansion=none"
        f":fontsize={size}:fontcolor=white@0.55:shadowcolor=black@0.5:shadowx=1:shadowy=1"
        f":x=w-tw-{margin}:y={margin}"
    )


@dataclass(frozen=True)
class ClipSource:
    """One shot's picture as the graph sees it."""

    path: Path
    kind: str  # "still" | "video"
    width: int
    height: int
    camera: str
    overlays: tuple[Overlay, ...] = ()  # laid on the still before the camera moves
    layers: tuple[Layer, ...] = ()  # the still in planes (background first), for parallax

    def layered(self, out_w: int, out_h: int) -> bool:
        """Whether its layers can be used: there are some, in the still's own pixels."""
        src = source_size(out_w, out_h, self.camera)
        return len(self.layers) >= 2 and (self.width, self.height) == src


@dataclass
class Graph:
    """A built graph: input arguments, the filter text and what it contains."""

    inputs: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # one chain per entry, joined by ';'
    output: str = "vout"
    transitions: int = 0
    overlays: int = 0
    layers: int = 0  # layers in front of a background, moved at their own depth
    tail_output: str | None = None  # label of the clip's tail kept beside a body (`keep_tail`)
    tail_frames: int = 0

    @property
    def input_count(self) -> int:
        """How many inputs `inputs` opens (the next input's index)."""
        return self.inputs.count("-i")

    @property
    def text(self) -> str:
        """The `-filter_complex` text."""
        return ";\n".join(self.filters)

    @property
    def filter_count(self) -> int:
        """How many filter instances the graph has (commas outside quotes and escapes)."""
        count = 0
        for chain in self.filters:
            count += 1
            quoted = escaped = False
            for ch in chain:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == "'":
                    quoted = not quoted
                elif ch == "," and not quoted:
                    count += 1
        return count


def still_chain(index: int, clip: ClipSource, frames: int, fps: int, out_w: int, out_h: int) -> str:
    """Filters for a still: one decode, one conversion, `loop`, exact timestamps, motion."""
    moving = clip.camera in MOVING
    src_w, src_h = source_size(out_w, out_h, clip.camera) if moving else (out_w, out_h)
    parts = []
    if (clip.width, clip.height) != (src_w, src_h):
        parts.append(
            f"scale={src_w}:{src_h}:force_original_aspect_ratio=increase:{COLOUR}",
        )
        parts.append(f"crop={src_w}:{src_h}")
    else:
        parts.append(f"scale={COLOUR}")
    parts += ["setsar=1", f"format={pixel_format(clip.camera)}"]
    # the motion chain repeats the still itself, as often as it has keyframes
    motion = motion_filter(clip.camera, frames, src_w, src_h, out_w, out_h, fps)
    if motion:
        parts.append(motion)
    else:
        parts += [
            f"loop=loop={frames - 1}:size=1",
            # PNG/JPEG inputs come with their own timebase: count frames instead
            f"settb=1/{fps}",
            "setpts=N",
        ]
    return f"[{index}:v]" + ",".join(parts) + f"[c{index}]"


def _num(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def per_frame_motion(
    camera: str, frames: int, src_w: int, src_h: int, out_w: int, out_h: int
) -> str:
    """Camera motion rendered on every frame of a changing `src_w` x `src_h` picture.

    The window follows `motion.window` (a geometric zoom about the centre, or a linear
    pan at 1:1); `perspective` gives its sub-pixel position, then the frame is cropped.
    """
    last = max(1, frames - 1)
    a = window(camera, 0.0, src_w, src_h, out_w, out_h)
    b = window(camera, 1.0, src_w, src_h, out_w, out_h)
    p = f"min(in-1,{last})/{last}"  # `in` counts from 1
    w = f"{_num(a.w)}*pow({_num(b.w / a.w)},{p})"
    h = f"{_num(a.h)}*pow({_num(b.h / a.h)},{p})"
    cx = f"({_num(a.x + a.w / 2)}+{_num(b.x + b.w / 2 - a.x - a.w / 2)}*{p})"
    cy = f"({_num(a.y + a.h / 2)}+{_num(b.y + b.h / 2 - a.y - a.h / 2)}*{p})"
    x, y = f"{cx}-{w}/2", f"{cy}-{h}/2"
    right = f"{x}+{w}*{_num(src_w / out_w)}"
    bottom = f"{y}+{h}*{_num(src_h / out_h)}"
    corners = {
        "x0": x, "y0": y,
        "x1": right, "y1": y,
        "x2": x, "y2": bottom,
        "x3": right, "y3": bottom,
    }  # fmt: skip
    args = ":".join(f"{k}='{v}'" for k, v in corners.items())
    return f"perspective={args}:interpolation=linear:eval=frame,crop={out_w}:{out_h}:0:0"


def overlay_chain(input_index: int, label: str, fps: int, start_frame: int) -> str:
    """Filters for an overlay input: the film's rate, BT.709 with alpha, placed in time."""
    return (
        f"[{input_index}:v]fps={fps},scale={COLOUR},format=yuva420p,"
        f"settb=1/{fps},setpts=N+{start_frame}[{label}]"
    )


def still_with_overlays(
    index: int,
    clip: ClipSource,
    frames: int,
    fps: int,
    out_w: int,
    out_h: int,
    first_input: int,
    first_frame: int,
) -> list[str]:
    """Chains for a still with overlays: loop, overlay in still pixels, then the motion.

    `first_input` is the input index of its first overlay, `first_frame` the film frame
    where the shot's clip starts (overlay times are film times).
    """
    moving = clip.camera in MOVING
    src_w, src_h = source_size(out_w, out_h, clip.camera) if moving else (out_w, out_h)
    parts = []
    if (clip.width, clip.height) != (src_w, src_h):
        parts.append(f"scale={src_w}:{src_h}:force_original_aspect_ratio=increase:{COLOUR}")
        parts.append(f"crop={src_w}:{src_h}")
    else:
        parts.append(f"scale={COLOUR}")
    parts += ["setsar=1", "format=yuv420p", f"loop=loop={frames - 1}:size=1"]
    parts += [f"settb=1/{fps}", "setpts=N"]
    chains = [f"[{index}:v]" + ",".join(parts) + f"[b{index}]"]
    base = f"b{index}"
    for k, overlay in enumerate(clip.overlays):
        label = f"o{index}_{k}"
        start = max(0, round(overlay.start * fps) - first_frame)
        chains.append(overlay_chain(first_input + k, label, fps, start))
        out = f"b{index}_{k + 1}"
        chains.append(
            f"[{base}][{label}]overlay=x={overlay.x}:y={overlay.y}"
            f":eof_action=pass:repeatlast=0:format=yuv420[{out}]"
        )
        base = out
    tail = [per_frame_motion(clip.camera, frames, src_w, src_h, out_w, out_h)] if moving else []
    tail.append(f"trim=end_frame={frames}")
    chains.append(f"[{base}]" + ",".join(tail) + f"[c{index}]")
    return chains


def layer_chain(
    input_index: int, label: str, frames: int = 0, fps: int = 30, chroma: str = "444"
) -> str:
    """Filters for a layer's RGBA picture: BT.709 with alpha; looped to `frames` if given."""
    parts = [f"scale={COLOUR}", f"format=yuva{chroma}p"]
    if frames:
        parts += [f"loop=loop={frames - 1}:size=1", f"settb=1/{fps}", "setpts=N"]
    return f"[{input_index}:v]" + ",".join(parts) + f"[{label}]"


def _lay(base: str, top: str, x: str, y: str, out: str, chroma: str = "444") -> str:
    return f"[{base}][{top}]overlay=x='{x}':y='{y}':format=yuv{chroma}:eval=frame[{out}]"


def layered_chains(
    index: int, clip: ClipSource, frames: int, fps: int, out_w: int, out_h: int, first_input: int
) -> list[str] | None:
    """Chains for a layered still under a moving camera: parallax at keyframe cost.

    The background (input `index`, the clip's first layer) is repeated once per motion
    keyframe as `motion_split` does; each layer in front (inputs from `first_input`) is
    laid on every keyframe where `layer_place` puts it, before the camera's crop or
    zoom and the blend, so the layers pass at their own speeds and move sub-pixel.
    None where the camera has no keyframes (nothing to pass).
    """
    src = source_size(out_w, out_h, clip.camera)
    split = motion_split(clip.camera, frames, *src, out_w, out_h, fps)
    if split is None or not split.progress:
        return None
    # A pan's keyframes are whole-pixel crops in 4:4:4 already; a zoom's go through
    # `perspective`, half again as dear in 4:4:4, so its layers step by 2 px in 4:2:0.
    chroma = "444" if split.head[0].startswith("format=yuv444p") else "420"
    parts = [f"scale={COLOUR}", "setsar=1"]
    if chroma == "420":
        parts.append("format=yuv420p")
    parts += split.head
    chains = [f"[{index}:v]" + ",".join(parts) + f"[s{index}]"]
    base = f"s{index}"
    for j, layer in enumerate(clip.layers[1:]):
        label = f"l{index}_{j}"
        chains.append(layer_chain(first_input + j, label, chroma=chroma))
        x, y = layer_place(clip.camera, split.progress, layer.box, layer.depth, src, (out_w, out_h))
        chains.append(_lay(base, label, x, y, f"s{index}_{j + 1}", chroma))
        base = f"s{index}_{j + 1}"
    tail = [*split.tail]
    if tail[-1] != "format=yuv420p":
        tail.append("format=yuv420p")
    chains.append(f"[{base}]" + ",".join(tail) + f"[c{index}]")
    return chains


def _layer_under(layers: Sequence[Layer], overlay: Overlay) -> int | None:
    """The frontmost unnamed layer (index into `layers`, not the background) under an
    overlay's top-left corner: the one it is laid on and moves with."""
    for n in range(len(layers) - 1, 0, -1):
        layer = layers[n]
        x0, y0, x1, y1 = layer.box
        if layer.name is None and x0 <= overlay.x + 2 < x1 and y0 <= overlay.y + 2 < y1:
            return n
    return None


def layered_with_overlays(
    index: int,
    clip: ClipSource,
    frames: int,
    fps: int,
    out_w: int,
    out_h: int,
    first_input: int,
    first_frame: int,
) -> list[str]:
    """Chains for a layered still with overlays (talking mouths, hopping animals).

    Every frame is built: the background repeated; each layer repeated, with the
    overlays that lie on it laid on in its own pixels, then laid on the background
    where `layer_place` puts it that frame; an overlay that `replaces` a named layer
    is laid there instead of it; then the camera moves (`per_frame_motion`). Inputs:
    the layers in front from `first_input`, then the overlays.
    """
    moving = clip.camera in MOVING
    src = source_size(out_w, out_h, clip.camera)
    last = max(1, frames - 1)
    progress = f"min(n,{last})/{last}" if moving else ""
    # 4:2:0 throughout: every frame goes through `perspective`, which costs half again
    # as much in 4:4:4; the layers then step by 2 px, smoothed by the perspective's blend
    parts = [f"scale={COLOUR}", "setsar=1", "format=yuv420p"]
    parts += [f"loop=loop={frames - 1}:size=1", f"settb=1/{fps}", "setpts=N"]
    chains = [f"[{index}:v]" + ",".join(parts) + f"[b{index}]"]
    layers = clip.layers
    overlay_input = first_input + len(layers) - 1
    on: dict[int | None, list[tuple[int, Overlay]]] = {}
    for k, overlay in enumerate(clip.overlays):
        if overlay.replaces is None:
            on.setdefault(_layer_under(layers, overlay), []).append((k, overlay))
    replaced = {o.replaces: k for k, o in enumerate(clip.overlays) if o.replaces is not None}

    def laid(base: str, label: str, k: int, overlay: Overlay, dx: int, dy: int) -> str:
        start = max(0, round(overlay.start * fps) - first_frame)
        chains.append(overlay_chain(overlay_input + k, f"o{index}_{k}", fps, start))
        chains.append(
            f"[{base}][o{index}_{k}]overlay=x={overlay.x - dx}:y={overlay.y - dy}"
            f":eof_action=pass:repeatlast=0:format=yuv420[{label}]"
        )
        return label

    base = f"b{index}"
    for k, overlay in on.get(None, []):
        base = laid(base, f"b{index}_o{k}", k, overlay, 0, 0)
    for n, layer in enumerate(layers[1:], start=1):
        box = layer.box
        if layer.name is not None and layer.name in replaced:
            k = replaced[layer.name]
            overlay = clip.overlays[k]
            start = max(0, round(overlay.start * fps) - first_frame)
            top = f"o{index}_{k}"
            chains.append(overlay_chain(overlay_input + k, top, fps, start))
            w, h = box[2] - box[0], box[3] - box[1]
            box = (overlay.x, overlay.y, overlay.x + w, overlay.y + h)
        else:
            top = f"l{index}_{n}"
            chains.append(layer_chain(first_input + n - 1, top, frames, fps, "420"))
            for k, overlay in on.get(n, []):
                top = laid(top, f"l{index}_{n}_o{k}", k, overlay, layer.x, layer.y)
        x, y = layer_place(clip.camera, progress, box, layer.depth, src, (out_w, out_h))
        chains.append(_lay(base, top, x, y, f"b{index}_{n}", "420"))
        base = f"b{index}_{n}"
    tail = [per_frame_motion(clip.camera, frames, *src, out_w, out_h)] if moving else []
    tail.append(f"trim=end_frame={frames}")
    chains.append(f"[{base}]" + ",".join(tail) + f"[c{index}]")
    return chains


def video_chain(index: int, frames: int, fps: int, out_w: int, out_h: int) -> str:
    """Filters for a video clip: frame rate, fill the frame, exactly `frames` frames."""
    parts = [
        f"fps={fps}",
        f"scale={out_w}:{out_h}:force_original_aspect_ratio=increase:{COLOUR}",
        f"crop={out_w}:{out_h}",
        "setsar=1",
        "format=yuv420p",
        f"trim=end_frame={frames}",
        f"settb=1/{fps}",
        "setpts=N",
    ]
    return f"[{index}:v]" + ",".join(parts) + f"[c{index}]"


def _seconds(frames: int, fps: int) -> str:
    return f"{frames / fps:.6f}"


@dataclass(frozen=True)
class Piece:
    """A run of film frames that `concat` joins: one clip's body, or a transition.

    A body shows clip `clip` alone; a transition (`transition` set, an xfade name)
    blends the tail of clip `clip - 1` into the head of clip `clip`.
    """

    first: int  # film frame where it starts
    frames: int
    clip: int
    transition: str | None = None

    def parts(self) -> list[tuple[int, str]]:
        """The (clip, part) pairs it reads: "b" body, "t" tail, "h" head."""
        if self.transition is None:
            return [(self.clip, "b")]
        return [(self.clip - 1, "t"), (self.clip, "h")]


def clip_parts(spans: Sequence[ClipSpan]) -> list[dict[str, tuple[int, int]]]:
    """Each clip's head, body and tail as (first frame in the clip, frames); empty ones left out.

    The head is inside the transition from the previous clip, the tail inside the one to
    the next; transitions are centred on shot boundaries (see `transitions.py`).
    """
    parts = []
    for i, span in enumerate(spans):
        head = spans[i - 1].overlap if i > 0 and spans[i - 1].into_next else 0
        tail = span.overlap if span.into_next else 0
        body = span.frames - head - tail
        cuts = {"h": (0, head), "b": (head, body), "t": (head + body, tail)}
        parts.append({name: cut for name, cut in cuts.items() if cut[1] > 0})
    return parts


def plan_pieces(spans: Sequence[ClipSpan]) -> list[Piece]:
    """The film as bodies and transitions, in order; their frames add up to the film's.

    Joining whole clips by chaining `xfade`s instead sends every frame of the film
    through every transition before it and lets later clips run ahead and buffer frames
    (measured: 2.5x the filtering CPU); `concat` reads only the piece it is on.
    """
    pieces: list[Piece] = []
    for i, (span, parts) in enumerate(zip(spans, clip_parts(spans), strict=True)):
        if "h" in parts:
            name = spans[i - 1].into_next
            pieces.append(Piece(span.first, parts["h"][1], i, name))
        if "b" in parts:
            first, frames = parts["b"]
            pieces.append(Piece(span.first + first, frames, i))
    return pieces


def build_graph(
    clips: Sequence[ClipSource],
    spans: Sequence[ClipSpan],
    *,
    fps: int,
    width: int,
    height: int,
    subtitles: str | None = None,
    watermark: str | None = None,
    pieces: Sequence[Piece] | None = None,
    film_times: bool = True,
    keep_tail: bool = False,
    tails: Mapping[int, str] | None = None,
) -> Graph:
    """The graph of the whole film, or of a run of its `pieces` (a segment).

    Only the clips the pieces read are opened, so a segment holds only its own
    pictures in memory. `subtitles`/`watermark` are ready filter strings; a segment's
    subtitles are timed from the film's first frame (`film_times`) or, when they were
    cut for it (`ass_cut.cut_ass`), from its own; its frames count from 0.

    Transitions as segments of their own: `keep_tail` (a segment that is one body)
    also outputs that clip's tail, untouched by subtitles, as `Graph.tail_output`, to
    be kept losslessly; `tails` maps a clip to such a kept file, which a transition
    then reads instead of running the clip's whole chain for its last frames.
    """
    if len(clips) != len(spans) or not clips:
        raise ValueError(f"{len(clips)} clips for {len(spans)} shots")
    pieces = list(pieces) if pieces is not None else plan_pieces(spans)
    if not pieces:
        raise ValueError("a graph needs at least one piece")
    needed: dict[int, set[str]] = {}
    for piece in pieces:
        for index, part in piece.parts():
            needed.setdefault(index, set()).add(part)
    parts = clip_parts(spans)
    kept: int | None = None
    if keep_tail:
        if len(pieces) != 1 or pieces[0].transition is not None or "t" not in parts[pieces[0].clip]:
            raise ValueError("keep_tail needs a segment of one body whose clip has a tail")
        kept = pieces[0].clip
        needed[kept] |= {"t", "f"}
        parts[kept] = {**parts[kept], "f": (0, 1)}  # the lead frame (see below)
    from_file = {i: str(path) for i, path in (tails or {}).items() if needed.get(i) == {"t"}}
    local = {index: k for k, index in enumerate(sorted(needed))}  # film clip -> input index
    graph = Graph()
    overlay_inputs: list[str] = []
    for i, k in local.items():
        clip, span = clips[i], spans[i]
        moving = clip.camera in MOVING
        if i in from_file:  # the tail its body's segment kept, losslessly
            graph.inputs += ["-i", from_file[i]]
            lead = f"trim=start_frame={TAIL_LEAD},"
            graph.filters.append(f"[{k}:v]{lead}{TAGS},settb=1/{fps},setpts=N[c{k}]")
        elif clip.kind == "video":
            graph.inputs += ["-stream_loop", "-1", "-i", str(clip.path)]
            graph.filters.append(video_chain(k, span.frames, fps, width, height))
        elif clip.layered(width, height) and (
            (clip.overlays and moving) or any(o.replaces for o in clip.overlays)
        ):
            graph.inputs += ["-framerate", str(fps), "-i", str(clip.layers[0].path)]
            first = len(local) + overlay_inputs.count("-i")
            graph.filters += layered_with_overlays(
                k, clip, span.frames, fps, width, height, first, span.first
            )
            overlay_inputs += _layer_inputs(clip.layers[1:], fps)
            overlay_inputs += _overlay_inputs(clip.overlays)
            graph.overlays += len(clip.overlays)
            graph.layers += len(clip.layers) - 1
        elif clip.overlays:
            graph.inputs += ["-framerate", str(fps), "-i", str(clip.path)]
            first = len(local) + overlay_inputs.count("-i")
            plain = tuple(o for o in clip.overlays if o.replaces is None)
            graph.filters += still_with_overlays(
                k,
                ClipSource(clip.path, clip.kind, clip.width, clip.height, clip.camera, plain),
                span.frames,
                fps,
                width,
                height,
                first,
                span.first,
            )
            overlay_inputs += _overlay_inputs(plain)
            graph.overlays += len(plain)
        elif (
            clip.layered(width, height)
            and moving
            and (
                parallax := layered_chains(
                    k,
                    clip,
                    span.frames,
                    fps,
                    width,
                    height,
                    len(local) + overlay_inputs.count("-i"),
                )
            )
        ):
            graph.inputs += ["-framerate", str(fps), "-i", str(clip.layers[0].path)]
            graph.filters += parallax
            overlay_inputs += _layer_inputs(clip.layers[1:], fps)
            graph.layers += len(clip.layers) - 1
        else:
            graph.inputs += ["-framerate", str(fps), "-i", str(clip.path)]
            graph.filters.append(still_chain(k, clip, span.frames, fps, width, height))
    graph.inputs += overlay_inputs
    computed = {i: k for i, k in local.items() if i not in from_file}
    labels = _split_parts(graph, parts, needed, computed)
    labels.update({(i, "t"): f"c{local[i]}" for i in from_file})
    if kept is not None:
        # FFmpeg asks a graph for the output that has had no frame yet: a tail that comes
        # only after the body would make it run the whole body ahead, holding every body
        # frame (612 MB at 720p). A lead frame, timed after the body, answers it at once.
        body = parts[kept]["b"][1]
        k = local[kept]
        graph.filters.append(
            f"[{labels[kept, 'f']}]setpts={body}[pl{k}];"
            f"[pl{k}][{labels[kept, 't']}]concat=n=2:v=1:a=0[kt{k}]"
        )
        graph.tail_output = f"kt{k}"
        graph.tail_frames = TAIL_LEAD + parts[kept]["t"][1]
    joined_pieces = []
    for piece in pieces:
        if piece.transition is None:
            joined_pieces.append(labels[piece.clip, "b"])
            continue
        label = f"x{local[piece.clip]}"
        graph.filters.append(
            f"[{labels[piece.clip - 1, 't']}][{labels[piece.clip, 'h']}]"
            f"xfade=transition={piece.transition}:duration={_seconds(piece.frames, fps)}"
            f":offset=0[{label}]"
        )
        graph.transitions += 1
        joined_pieces.append(label)
    if len(joined_pieces) == 1:
        joined = joined_pieces[0]
    else:
        joined = "joined"
        graph.filters.append(
            "".join(f"[{p}]" for p in joined_pieces)
            + f"concat=n={len(joined_pieces)}:v=1:a=0[{joined}]"
        )
    tail = []
    start = pieces[0].first
    if subtitles and start and film_times:
        # libass draws by the frame's time: give the segment's frames their film times
        tail += [f"settb=1/{fps}", f"setpts=N+{start}", subtitles, "setpts=N"]
    elif subtitles:
        tail.append(subtitles)
    if watermark:
        tail.append(watermark)
    tail.append("setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")
    tail.append("format=yuv420p")
    graph.filters.append(f"[{joined}]" + ",".join(tail) + f"[{graph.output}]")
    return graph


def _overlay_inputs(overlays: Sequence[Overlay]) -> list[str]:
    args: list[str] = []
    for overlay in overlays:
        if overlay.path.suffix == ".ffconcat":
            args += ["-f", "concat", "-safe", "0"]
        args += ["-i", str(overlay.path)]
    return args


def _layer_inputs(layers: Sequence[Layer], fps: int) -> list[str]:
    args: list[str] = []
    for layer in layers:
        args += ["-framerate", str(fps), "-i", str(layer.path)]
    return args


def _split_parts(
    graph: Graph,
    parts: Sequence[dict[str, tuple[int, int]]],
    needed: dict[int, set[str]],
    local: dict[int, int],
) -> dict[tuple[int, str], str]:
    """Split each opened clip into the parts the pieces read; their labels by (clip, part)."""
    labels: dict[tuple[int, str], str] = {}
    for i, k in local.items():
        wanted = [name for name in ("h", "b", "t", "f") if name in needed[i]]
        if len(parts[i]) == 1:  # the whole clip is that one part
            labels[i, wanted[0]] = f"c{k}"
            continue
        if len(wanted) == 1:
            sources = [f"c{k}"]
        else:
            sources = [f"p{name}{k}s" for name in wanted]
            graph.filters.append(f"[c{k}]split={len(wanted)}" + "".join(f"[{s}]" for s in sources))
        for name, source in zip(wanted, sources, strict=True):
            first, frames = parts[i][name]
            labels[i, name] = f"p{name}{k}"
            graph.filters.append(
                f"[{source}]trim=start_frame={first}:end_frame={first + frames},"
                f"setpts=PTS-STARTPTS[p{name}{k}]"
            )
    return labels
