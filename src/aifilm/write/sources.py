"""Reading a writer's source (notes, an article, a paper) and cutting a long one into parts.

Text and Markdown are read as UTF-8; a PDF's text comes from pypdf (the llm extra).
A source longer than one part is summarised part by part before the film is written,
so a 40-page paper costs a few requests, not one over-long prompt.
"""

from __future__ import annotations

import re
from pathlib import Path

from aifilm.errors import AssetError, MissingDependencyError

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".rst", ".fountain")
MAX_SOURCE_BYTES = 50 * 1024 * 1024


def read_source(path: Path) -> str:
    """The source's text, or an `AssetError` saying why it cannot be read."""
    if not path.is_file():
        raise AssetError("source file not found", path=path, hint="check the --from path")
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise AssetError("source file is over 50 MB", path=path, hint="pass a shorter excerpt")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(path)
    elif suffix in TEXT_SUFFIXES or not suffix:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AssetError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                path=path,
                hint="save it as UTF-8",
            ) from None
    else:
        raise AssetError(
            f"cannot read '{suffix}' files",
            path=path,
            hint="give a .md, .txt or .pdf file (or paste the text into a .txt)",
        )
    text = re.sub(r"[ \t]+\n", "\n", text).strip()
    if not text:
        raise AssetError("source has no text", path=path, hint="a scanned PDF needs OCR first")
    return text


def _pdf_text(path: Path) -> str:
    try:
        import pypdf
    except ImportError:
        raise MissingDependencyError(
            "reading a PDF needs the pypdf package", hint="pip install 'aifilm[llm]'"
        ) from None
    try:
        reader = pypdf.PdfReader(str(path))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise AssetError(f"cannot read the PDF: {exc}", path=path) from None


def chunks(text: str, max_words: int) -> list[str]:
    """The text in parts of at most `max_words` words, cut between paragraphs where possible."""
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for paragraph in re.split(r"\n\s*\n", text):
        words = paragraph.split()
        while len(words) > max_words:  # one huge paragraph: cut it by words
            if current:
                parts.append("\n\n".join(current))
                current, count = [], 0
            parts.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if not words:
            continue
        if count + len(words) > max_words and current:
            parts.append("\n\n".join(current))
            current, count = [], 0
        current.append(" ".join(words))
        count += len(words)
    if current:
        parts.append("\n\n".join(current))
    return parts
