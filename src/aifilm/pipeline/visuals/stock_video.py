"""Stock video clips from a library's video search, one per shot, never twice in a film.

`StockVideos` searches by the director's terms (the first two together, then each alone)
and picks, among the unused results of the shot's shape, a clip long enough to fill the
shot without looping, and of its renditions the smallest that still covers the frame
(less to download; the largest when none does). The clip is fitted to the shot
(`clips.fit_clip`) and credited (provider, author, page, licence) in the render report and
the YouTube description ("Videos from Pexels: ..."). A shot the library cannot serve gets
the offline still with a note.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from aifilm.pipeline.direct.base import Direction
from aifilm.pipeline.visuals.base import Visual, VisualRequest
from aifilm.pipeline.visuals.directed import StockError, StockLibrary


@dataclass(frozen=True)
class Rendition:
    """One file of a stock clip: its size and where to fetch it."""

    url: str
    width: int
    height: int


@dataclass(frozen=True)
class StockVideo:
    """One search result: its renditions, length and whom to credit."""

    id: str
    page_url: str
    width: int
    height: int
    duration: float
    author: str
    author_url: str | None
    renditions: tuple[Rendition, ...]


def best_rendition(video: StockVideo, width: int, height: int) -> Rendition | None:
    """The smallest rendition covering `width` x `height` (by its short and long side, so
    a portrait frame from a landscape file's numbers still counts), else the largest."""
    files = [r for r in video.renditions if r.url and r.width > 0 and r.height > 0]
    if not files:
        return None
    need = (max(width, height), min(width, height))
    covering = [
        r for r in files if max(r.width, r.height) >= need[0] and min(r.width, r.height) >= need[1]
    ]
    if covering:
        return min(covering, key=lambda r: r.width * r.height)
    return max(files, key=lambda r: r.width * r.height)


def rank(videos: list[StockVideo], request: VisualRequest) -> list[StockVideo]:
    """Results of the frame's shape first, then those filling the shot's length, then the
    sharpest; the library's own order breaks ties."""
    wide = request.width > request.height
    square = request.width == request.height

    def key(item: tuple[int, StockVideo]) -> tuple[bool, bool, bool, int]:
        n, v = item
        shaped = square or (v.width > v.height) == wide
        covers = v.width * v.height >= request.width * request.height
        return (not shaped, v.duration + 0.05 < request.duration, not covers, n)

    return [v for _, v in sorted(enumerate(videos), key=key)]


class StockVideos(StockLibrary):
    """Clips from a stock library's video search, credited in the render report."""

    timed: ClassVar[bool] = True  # which clip fills a shot depends on its length

    @abstractmethod
    def search_videos(self, terms: str, orientation: str) -> list[StockVideo]:
        """Clips for the terms, best first (raise `StockError` when the library cannot)."""

    def fetch_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any]]:
        """A library clip for the shot, fitted to its length and frame, and its credit."""
        from aifilm.errors import ToolError
        from aifilm.pipeline.visuals.clips import fit_clip

        video, rendition = self._pick(direction, request)
        data = self.get(rendition.url, {}, {}, raw=True)
        assert isinstance(data, bytes)
        try:
            path = fit_clip(data, request, out_dir, f"FFmpeg (fitting {self.provider} clip)")
        except ToolError:
            raise StockError(f"clip {video.id} is not a playable video") from None
        fields = asdict(video)
        fields.pop("renditions")
        found = {
            "media": "video",
            "file_url": rendition.url,
            "looped": video.duration + 0.05 < request.duration,
            **fields,
        }
        return Visual(path, "video", request.width, request.height), found

    def _pick(self, direction: Direction, request: VisualRequest) -> tuple[StockVideo, Rendition]:
        tried: list[str] = []
        for terms in self.queries(direction):
            tried.append(terms)
            for video in rank(self.search_videos(terms, direction.orientation), request):
                rendition = best_rendition(video, request.width, request.height)
                if rendition is not None and self.take(video.id):
                    return video, rendition
        raise StockError(f"no unused clip for {' / '.join(repr(t) for t in tried) or 'the shot'}")
