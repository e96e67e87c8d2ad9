"""Publishing rendered films: YouTube (`aifilm.publish.youtube`).

from aifilm.publish.youtube import VideoMetadata, publish
result = publish("renders/", VideoMetadata(title="The Thirsty Crow", privacy="unlisted"))
print(result.status, result.url)
"""

from __future__ import annotations

from aifilm.publish.film import Film, find_film

__all__ = ["Film", "find_film"]
