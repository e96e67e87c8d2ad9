"""Photos from Pixabay (https://pixabay.com/api/docs/): search by the director's terms.

`GET /api/?key=...&q=...&image_type=photo&orientation=horizontal|vertical&per_page=N`
(with `safesearch=true`);
each hit has `largeImageURL`, `pageURL` and its `user`. The Pixabay Content License allows
commercial use without attribution; aifilm credits the author in the report anyway.
"""

from __future__ import annotations

from typing import ClassVar

from aifilm.pipeline.visuals.directed import StockError, StockPhoto, StockPhotos

_ORIENTATION = {"landscape": "horizontal", "portrait": "vertical", "square": "all"}


def author_page(hit: dict[str, object]) -> str:
    """A Pixabay author's page, from a search hit's `user` and `user_id`."""
    return f"https://pixabay.com/users/{hit['user']}-{hit['user_id']}/"


class PixabayAccount:
    """What Pixabay's photo and video backends share: the key, the address, the licence."""

    api_key_env: ClassVar[str | None] = "PIXABAY_API_KEY"
    provider: ClassVar[str] = "Pixabay"
    content_license: ClassVar[str] = (
        "Pixabay Content License (https://pixabay.com/service/license-summary/)"
    )
    terms: ClassVar[str | None] = content_license
    url_env: ClassVar[str] = "PIXABAY_API_URL"
    default_url: ClassVar[str] = "https://pixabay.com"
    license: ClassVar[str] = "MIT"
    weights_license: ClassVar[str | None] = (
        "Pixabay Content License: free to use commercially, no attribution needed"
    )


class PixabayPhotos(PixabayAccount, StockPhotos):
    """Stock photos from Pixabay."""

    name = "pixabay"
    description = "Pixabay stock photos, searched by the director's terms"

    def search(self, terms: str, orientation: str) -> list[StockPhoto]:
        """The photos Pixabay finds for the terms."""
        data = self.get(
            f"{self.url}/api/",
            {
                "key": self.key(),
                "q": terms[:100],
                "image_type": "photo",
                "orientation": _ORIENTATION.get(orientation, "all"),
                "per_page": self.options.results,
                "safesearch": "true",
            },
            {},
        )
        try:
            return [
                StockPhoto(
                    id=f"pixabay:{h['id']}",
                    image_url=h["largeImageURL"],
                    page_url=h["pageURL"],
                    width=int(h["imageWidth"]),
                    height=int(h["imageHeight"]),
                    author=h["user"],
                    author_url=author_page(h),
                )
                for h in data.get("hits", [])
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise StockError("the search answer was not Pixabay's format") from None
