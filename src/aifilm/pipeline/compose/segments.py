"""Long films are composed in segments so FFmpeg's memory stays flat as shots are added.

FFmpeg opens and decodes every input of a filter graph when it starts, so one graph for
the whole film holds every shot's decoded picture (and its converted copy) for the
whole encode: a 5-minute 1080p film of 30 photos peaked at 1.8 GB. A segment is a run
of the film's pieces (`graph.Piece`) whose pictures fit in `MEMORY_BUDGET` beside the
encoder's buffers; each is encoded on its own to MPEG-TS and the segments are joined
without re-encoding (`concat` demuxer, stream copy) while the audio is muxed in. A film
that fits in one segment (a typical 1-minute 720p film) is composed in one FFmpeg run.
"""

from __future__ import annotations

from collections.abc import Sequence

from aifilm.pipeline.compose.graph import ClipSource, Piece
from aifilm.pipeline.compose.motion import MOVING, source_size

# what one FFmpeg run may hold in all: the encoder's buffers and the pictures it opened
MEMORY_BUDGET = 450 * 2**20
# x264 (veryfast, 2 threads: lookahead, reference and thread frames) per pixel of the
# frame: measured 266 MB at 1080p
ENCODER_BYTES_PER_PIXEL = 128

# bytes held per pixel of (input picture + converted source): the decoded RGB input,
# its converted copy and frame pools; measured 58 MB for a 1920x1080 photo under a
# 1.15x-frame moving camera at 1080p (2.07 + 2.74 Mpx)
BYTES_PER_PIXEL = 12
# a video clip keeps a queue of decoded frames ahead of the filter graph
VIDEO_QUEUE_FRAMES = 8


def clip_cost(clip: ClipSource, width: int, height: int) -> int:
    """Estimated bytes FFmpeg holds for one clip while a graph that opens it runs."""
    if clip.kind == "video":
        return width * height * 3 // 2 * VIDEO_QUEUE_FRAMES + width * height * BYTES_PER_PIXEL
    src_w, src_h = source_size(width, height, clip.camera if clip.camera in MOVING else "static")
    cost = (clip.width * clip.height + src_w * src_h) * BYTES_PER_PIXEL
    if clip.overlays:  # looped at the full frame rate, overlays laid on a writable copy
        cost += src_w * src_h * 3
    return cost


def picture_budget(total: int, width: int, height: int) -> int:
    """What is left of `total` bytes for a run's pictures once the encoder has its share."""
    return max(0, total - width * height * ENCODER_BYTES_PER_PIXEL)


def split_segments(
    pieces: Sequence[Piece],
    clips: Sequence[ClipSource],
    width: int,
    height: int,
    budget: int = MEMORY_BUDGET,
) -> list[list[Piece]]:
    """Consecutive runs of `pieces` whose clips' costs fit in `budget` (at least one each)."""
    costs = [clip_cost(clip, width, height) for clip in clips]
    segments: list[list[Piece]] = []
    current: list[Piece] = []
    opened: set[int] = set()
    for piece in pieces:
        clips_read = {clip for clip, _ in piece.parts()}
        grown = opened | clips_read
        if current and sum(costs[c] for c in grown) > budget:
            segments.append(current)
            current, grown = [], clips_read
        current.append(piece)
        opened = grown
    if current:
        segments.append(current)
    return segments
