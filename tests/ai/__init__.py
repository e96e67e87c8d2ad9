"""Tests of the AI backends on toy-size models (marker: ai)."""
