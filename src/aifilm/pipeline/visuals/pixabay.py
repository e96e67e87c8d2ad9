"""Photos from Pixabay (https://pixabay.com/api/docs/): search by the director's terms.

`GET /api/?key=...&q=...&image_type=photo&orientation=horizontal|vertical&per_page=N`
(with `safesearch=true`);
each hit has `largeImageURL`, `pageURL` and its `user`. The Pixabay Content License allows
commercial use without attribution; aifilm credits the author in the report anyway.
"""

from __future__ import annotations

from aifilm.pipeline.visuals.directed import StockError, StockPhoto, StockPhotos

_ORIENTATION = {"landscape": "horizontal", "portrait": "vertical", "square": "all"}


class PixabayPhotos(StockPhotos):
    """Stock photos from Pixabay."""

    name = "pixabay"
    description = "Pixabay stock photos, searched by the director's terms"
    api_key_env = "PIXABAY_API_KEY"
    provider = "Pixabay"
    content_license = "Pixabay Content License (https://pixabay.com/service/license-summary/)"
    terms = content_license
    url_env = "PIXABAY_API_URL"
    default_url = "https://pixabay.com"
    license = "MIT"
    weights_license = "Pixabay Content License: free to use commercially, no attribution needed"

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
                    author_url=f"https://pixabay.com/users/{h['user']}-{h['user_id']}/",
                )
                for h in data.get("hits", [])
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise StockError("the search answer was not Pixabay's format") from None
