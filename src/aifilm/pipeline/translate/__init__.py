"""Translating spoken lines for subtitles in other languages."""
