"""Media tools: the FFmpeg program, probing files, WAV helpers."""
