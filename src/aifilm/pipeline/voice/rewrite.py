"""Rewriting text for speech while remembering where each new character came from.

Word timings must name the words as written ("$5.50" keeps one timing for all the words
said for it), so every rewrite of `normalize` carries, for each character of the new
text, the index of the original character it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Index = list[int]
Replace = Callable[["re.Match[str]"], str]


def sub(text: str, index: Index, pattern: re.Pattern[str], replace: Replace) -> tuple[str, Index]:
    """re.sub that keeps, for every new character, the original index it stands for."""
    out: list[str] = []
    where: Index = []
    last = 0
    for match in pattern.finditer(text):
        out.append(text[last : match.start()])
        where.extend(index[last : match.start()])
        spoken = replace(match)
        out.append(spoken)
        same = 0  # a prefix kept as written ("in 19 90" for "in 1990") maps char by char
        while same < min(len(spoken), len(match.group(0))) and spoken[same] == match.group(0)[same]:
            same += 1
        where.extend(index[match.start() : match.start() + same])
        where.extend([index[min(match.start() + same, match.end() - 1)]] * (len(spoken) - same))
        last = match.end()
    out.append(text[last:])
    where.extend(index[last:])
    return "".join(out), where
