"""The music stage."""
