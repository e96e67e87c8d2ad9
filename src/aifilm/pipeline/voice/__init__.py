"""The voice stage."""
