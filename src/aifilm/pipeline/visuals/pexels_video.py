"""Video clips from Pexels (https://www.pexels.com/api/documentation/#videos-search).

`GET /videos/search?query=...&orientation=landscape|portrait|square&per_page=N` with the
key in the `Authorization` header; each video has its `duration`, `user` and
`video_files` (renditions with `width`, `height` and `link`). Clips are under the Pexels
License (free commercial use, no attribution required); aifilm credits the author anyway.
"""

from __future__ import annotations

from aifilm.pipeline.visuals.directed import StockError
from aifilm.pipeline.visuals.pexels import PexelsAccount
from aifilm.pipeline.visuals.stock_video import Rendition, StockVideo, StockVideos


class PexelsVideos(PexelsAccount, StockVideos):
    """Stock video clips from Pexels."""

    name = "pexels-video"
    description = "Pexels stock video clips, searched by the director's terms"

    def search_videos(self, terms: str, orientation: str) -> list[StockVideo]:
        """The clips Pexels finds for the terms."""
        data = self.get(
            f"{self.url}/videos/search",
            {"query": terms, "orientation": orientation, "per_page": self.options.results},
            {"Authorization": self.key()},
        )
        try:
            return [
                StockVideo(
                    id=f"pexels-video:{v['id']}",
                    page_url=v["url"],
                    width=int(v["width"]),
                    height=int(v["height"]),
                    duration=float(v["duration"]),
                    author=v["user"]["name"],
                    author_url=v["user"].get("url"),
                    renditions=tuple(
                        Rendition(f["link"], int(f["width"] or 0), int(f["height"] or 0))
                        for f in v["video_files"]
                        if f.get("file_type", "video/mp4") == "video/mp4"
                    ),
                )
                for v in data.get("videos", [])
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise StockError("the video search answer was not Pexels' format") from None
