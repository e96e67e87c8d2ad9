"""Video clips from Pixabay (https://pixabay.com/api/docs/#api_search_videos).

`GET /api/videos/?key=...&q=...&video_type=film&per_page=N&safesearch=true`; each hit has
its `duration`, `user` and `videos` in four renditions (`large`, `medium`, `small`,
`tiny`: `url`, `width`, `height`; `large` is empty when the clip has none that big).
Pixabay's video search takes no orientation, so the shape is chosen among the results.
Clips are under the Pixabay Content License; aifilm credits the author anyway.
"""

from __future__ import annotations

from aifilm.pipeline.visuals.directed import StockError
from aifilm.pipeline.visuals.pixabay import PixabayAccount, author_page
from aifilm.pipeline.visuals.stock_video import Rendition, StockVideo, StockVideos

_RENDITIONS = ("large", "medium", "small", "tiny")


class PixabayVideos(PixabayAccount, StockVideos):
    """Stock video clips from Pixabay."""

    name = "pixabay-video"
    description = "Pixabay stock video clips, searched by the director's terms"

    def search_videos(self, terms: str, orientation: str) -> list[StockVideo]:
        """The clips Pixabay finds for the terms."""
        data = self.get(
            f"{self.url}/api/videos/",
            {
                "key": self.key(),
                "q": terms[:100],
                "video_type": "film",
                "per_page": self.options.results,
                "safesearch": "true",
            },
            {},
        )
        try:
            videos = []
            for h in data.get("hits", []):
                files = tuple(
                    Rendition(f["url"], int(f["width"] or 0), int(f["height"] or 0))
                    for name in _RENDITIONS
                    if (f := h["videos"].get(name)) and f.get("url")
                )
                biggest = max(files, key=lambda r: r.width * r.height, default=None)
                videos.append(
                    StockVideo(
                        id=f"pixabay-video:{h['id']}",
                        page_url=h["pageURL"],
                        width=biggest.width if biggest else 0,
                        height=biggest.height if biggest else 0,
                        duration=float(h["duration"]),
                        author=h["user"],
                        author_url=author_page(h),
                        renditions=files,
                    )
                )
            return videos
        except (KeyError, TypeError, ValueError, AttributeError):
            raise StockError("the video search answer was not Pixabay's format") from None
