"""The film in segments: one per shot, each encoded on its own and cached by its content.

Two goals decide where segments start:

- *Smart re-render*: a segment is a shot's body followed by its outgoing transition
  (`graph.Piece`s), so editing a shot changes only its own segment and, when a
  transition leads into it, the segment before (that transition shows the shot's first
  frames). Every segment is a closed GOP encoded with the same settings and timebase,
  cached under a key made from everything that decides its picture (`job.SegmentJob`),
  and the segments are joined by stream copy.
- *Flat memory*: FFmpeg decodes every input of a filter graph when it starts, so one
  graph for a whole film held every shot's picture (a 5-minute 1080p film of 30 photos
  peaked at 1.8 GB). A shot's segment opens at most two pictures (its own and the next
  shot's head); a segment that would still pass `MEMORY_BUDGET` is cut between pieces.

Segments are encoded concurrently, as many at once as there are cores and as fit in
`MEMORY_BUDGET` together (`concurrency`).
"""

from __future__ import annotations

from collections.abc import Sequence

from aifilm.pipeline.compose.graph import ClipSource, Piece
from aifilm.pipeline.compose.motion import MOVING, source_size

# what the FFmpeg runs of one composition may hold in all: encoders' buffers and pictures
MEMORY_BUDGET = 450 * 2**20
# x264 (veryfast: lookahead, reference and thread frames) per pixel of the frame, for
# one encoder thread and for each further one: measured 235 MB at 1080p with 1 thread,
# 280 MB with 2 (126 and 145 MB at 720p), FFmpeg itself included
ENCODER_BYTES_PER_PIXEL = 112
ENCODER_BYTES_PER_PIXEL_PER_THREAD = 22

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


def encoder_cost(width: int, height: int, threads: int) -> int:
    """Estimated bytes x264 holds while encoding `width` x `height` with `threads` threads."""
    per_pixel = ENCODER_BYTES_PER_PIXEL + ENCODER_BYTES_PER_PIXEL_PER_THREAD * (threads - 1)
    return width * height * per_pixel


def picture_budget(total: int, width: int, height: int, threads: int = 2) -> int:
    """What is left of `total` bytes for a run's pictures once its encoder has its share."""
    return max(0, total - encoder_cost(width, height, threads))


def split_segments(
    pieces: Sequence[Piece],
    clips: Sequence[ClipSource],
    width: int,
    height: int,
    budget: int = MEMORY_BUDGET,
) -> list[list[Piece]]:
    """`pieces` cut into segments: one per shot body (with the transitions after it).

    A segment is also cut between pieces when the clips it opens would pass `budget`
    bytes (a transition opens two; every segment holds at least one piece).
    """
    costs = [clip_cost(clip, width, height) for clip in clips]
    segments: list[list[Piece]] = []
    current: list[Piece] = []
    opened: set[int] = set()
    for piece in pieces:
        clips_read = {clip for clip, _ in piece.parts()}
        grown = opened | clips_read
        new_shot = piece.transition is None  # a body starts its shot's segment
        if current and (new_shot or sum(costs[c] for c in grown) > budget):
            segments.append(current)
            current, grown = [], clips_read
        current.append(piece)
        opened = grown
    if current:
        segments.append(current)
    return segments


def segment_cost(
    pieces: Sequence[Piece], clips: Sequence[ClipSource], width: int, height: int
) -> int:
    """Estimated bytes the pictures of one segment hold while it is encoded."""
    opened = {clip for piece in pieces for clip, _ in piece.parts()}
    return sum(clip_cost(clips[c], width, height) for c in opened)


def concurrency(
    costs: Sequence[int], width: int, height: int, cores: int, budget: int = MEMORY_BUDGET
) -> tuple[int, int]:
    """(encodes at once, threads each) for segments whose pictures cost `costs` bytes.

    As many cores busy as fit in `budget` together, preferring more encodes with fewer
    threads (x264 and the filter graph then keep every core busy without threading
    overhead); a 1080p film on two cores gets one encode with two threads.
    """
    if not costs:
        return 1, cores
    biggest = max(costs)
    best = (1, 1)
    for jobs in range(1, min(cores, len(costs)) + 1):
        threads = cores // jobs
        while threads > 1 and jobs * (encoder_cost(width, height, threads) + biggest) > budget:
            threads -= 1
        fits = jobs * (encoder_cost(width, height, threads) + biggest) <= budget
        if fits and jobs * threads >= best[0] * best[1]:
            best = (jobs, threads)
    return best
