"""Photos from Pexels (https://www.pexels.com/api/): search by the director's terms.

`GET /v1/search?query=...&orientation=landscape|portrait|square&per_page=N` with the key in
the `Authorization` header; each photo has `src.large2x` and its photographer. The Pexels
License allows free commercial use and modification without attribution; aifilm credits
the photographer anyway (the report's `stock` list), as Pexels asks.
"""

from __future__ import annotations

from typing import ClassVar

from aifilm.pipeline.visuals.directed import StockError, StockPhoto, StockPhotos


class PexelsAccount:
    """What Pexels' photo and video backends share: the key, the address, the licence."""

    api_key_env: ClassVar[str | None] = "PEXELS_API_KEY"
    provider: ClassVar[str] = "Pexels"
    content_license: ClassVar[str] = "Pexels License (https://www.pexels.com/license/)"
    terms: ClassVar[str | None] = content_license
    url_env: ClassVar[str] = "PEXELS_API_URL"
    default_url: ClassVar[str] = "https://api.pexels.com"
    license: ClassVar[str] = "MIT"
    weights_license: ClassVar[str | None] = (
        "Pexels License: free to use commercially, attribution appreciated"
    )


class PexelsPhotos(PexelsAccount, StockPhotos):
    """Stock photos from Pexels."""

    name = "pexels"
    description = "Pexels stock photos, searched by the director's terms"

    def search(self, terms: str, orientation: str) -> list[StockPhoto]:
        """The photos Pexels finds for the terms."""
        data = self.get(
            f"{self.url}/v1/search",
            {"query": terms, "orientation": orientation, "per_page": self.options.results},
            {"Authorization": self.key()},
        )
        try:
            return [
                StockPhoto(
                    id=f"pexels:{p['id']}",
                    image_url=p["src"].get("large2x") or p["src"]["original"],
                    page_url=p["url"],
                    width=int(p["width"]),
                    height=int(p["height"]),
                    author=p["photographer"],
                    author_url=p.get("photographer_url"),
                )
                for p in data.get("photos", [])
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise StockError("the search answer was not Pexels' format") from None
