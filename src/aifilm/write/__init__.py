"""The writer: a topic, or notes, to a project folder whose `project.yaml` validates."""

from aifilm.write.writer import STYLES, WriteResult, write_film

__all__ = ["STYLES", "WriteResult", "write_film"]
