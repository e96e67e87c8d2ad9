"""The render pipeline: stages in order, their backends, the cache."""
