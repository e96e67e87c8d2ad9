"""The film in segments: each shot's body and each transition, encoded on its own, cached.

Two goals decide where segments start:

- *Smart re-render*: every `graph.Piece` is a segment: a shot's body, or a transition
  (which shows the previous shot's last frames and the next one's first). Editing shot
  k re-encodes its body and the transitions touching it, never a neighbour's body. A
  body followed by a transition also keeps its clip's tail losslessly (Ut Video) in its
  cache entry, and the transition reads that file, so it never runs the previous
  shot's whole camera motion for its last frames (`build_graph(keep_tail=, tails=)`).
  Every segment is a closed GOP encoded with the same settings and timebase, cached
  under a key made from everything that decides its picture (`job.SegmentJob`), and
  the segments are joined by stream copy.
- *Flat memory*: FFmpeg decodes every input of a filter graph when it starts, so one
  graph for a whole film held every shot's picture (a 5-minute 1080p film of 30 photos
  peaked at 1.8 GB). A segment opens at most one picture (a transition: the next
  shot's, beside the kept tail's frames).

Segments are encoded concurrently, as many at once as there are cores and as fit in
`MEMORY_BUDGET` together (`concurrency`), the longest first, a transition as soon as
the body whose tail it reads is done.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

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
# a body keeping its tail: the lossless encoder, its muxer and the split, measured 39 MB at 720p
TAIL_BYTES_PER_PIXEL = 42
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


def split_segments(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """`pieces` as segments: each body and each transition its own.

    A single piece is the least a segment can hold; `concurrency` keeps the encodes of
    several together within the memory budget.
    """
    return [[piece] for piece in pieces]


def segment_cost(
    pieces: Sequence[Piece],
    clips: Sequence[ClipSource],
    width: int,
    height: int,
    tails: Collection[int] = (),
    keeps_tail: bool = False,
) -> int:
    """Estimated bytes the pictures of one segment hold while it is encoded.

    A clip in `tails` is read from its kept tail: a few decoded frames, not its picture.
    A body that `keeps_tail` also runs the tail's lossless encoder.
    """
    opened = {clip for piece in pieces for clip, _ in piece.parts()}
    frame = width * height * 3 // 2
    kept = width * height * TAIL_BYTES_PER_PIXEL if keeps_tail else 0
    return kept + sum(
        frame * VIDEO_QUEUE_FRAMES if c in tails else clip_cost(clips[c], width, height)
        for c in opened
    )


def concurrency(
    costs: Sequence[int],
    width: int,
    height: int,
    cores: int,
    budget: int = MEMORY_BUDGET,
    frames: Sequence[int] | None = None,
) -> tuple[int, int]:
    """(encodes at once, threads each) for segments whose pictures cost `costs` bytes.

    As many cores busy as fit in `budget` together. Given each segment's `frames`, the
    choice that should finish first (`makespan`): an edit's one long body beside two short
    transitions gets one encode with every core, rather than the body alone on one core
    once the transitions are done; a cold film gets one encode per core. Without
    `frames`, more encodes with fewer threads (a 1080p film on two cores: one encode with
    two threads, as the budget allows no more).
    """
    if not costs:
        return 1, cores
    biggest = max(costs)
    options: list[tuple[int, int]] = []
    for jobs in range(1, min(cores, len(costs)) + 1):
        threads = cores // jobs
        while threads > 1 and jobs * (encoder_cost(width, height, threads) + biggest) > budget:
            threads -= 1
        if jobs * (encoder_cost(width, height, threads) + biggest) <= budget:
            options.append((jobs, threads))
    if not options:
        return 1, 1
    busiest = max(jobs * threads for jobs, threads in options)
    if frames is None:
        return max(o for o in options if o[0] * o[1] == busiest)
    return min(options, key=lambda o: (makespan(frames, *o), -o[0]))


# what a second x264 thread adds to one: the bare encode of the 60 s film used 1.6 cores
THREAD_GAIN = 0.6


def makespan(frames: Sequence[int], jobs: int, threads: int) -> float:
    """Estimated frame-times until `frames` (segments, longest first) are encoded by `jobs`
    encodes at once with `threads` threads each."""
    speed = 1 + THREAD_GAIN * (threads - 1)
    ends = [0.0] * jobs
    for n in sorted(frames, reverse=True):
        ends[ends.index(min(ends))] += n / speed
    return max(ends)
