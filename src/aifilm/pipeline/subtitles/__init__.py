"""The subtitles stage."""
