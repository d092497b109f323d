"""Word-level diff of two short texts, shared by the terminal and HTML renderers.

The texts are split into words, numbers, punctuation and whitespace; :class:`difflib.SequenceMatcher`
compares the tokens (whitespace runs compare equal to each other). The result covers each text
completely, as alternating unchanged and changed :class:`Segment` s, so a renderer only has to style
the changed ones. Whitespace at the edge of a changed run is handed back to the unchanged text, so
highlights hug the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace._difflib import opcodes

__all__ = ["Segment", "WordDiff", "word_diff"]

# Numbers keep their separators ("1,200", "3.5"), words keep inner apostrophes ("don't").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Segment:
    """``text[start:end]`` of one side; ``changed`` when the other side does not have these words."""

    start: int
    end: int
    text: str
    changed: bool


@dataclass(frozen=True, slots=True)
class WordDiff:
    """Segments of ``a`` and of ``b``; each side's segments concatenate back to its whole text."""

    a: tuple[Segment, ...]
    b: tuple[Segment, ...]

    @property
    def identical(self) -> bool:
        return not any(s.changed for s in self.a) and not any(s.changed for s in self.b)


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _key(text: str, span: tuple[int, int]) -> str:
    token = text[span[0] : span[1]]
    return " " if token.isspace() else token


def word_diff(a: str, b: str) -> WordDiff:
    """Diff ``a`` against ``b`` word by word."""
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    keys_a = [_key(a, t) for t in tokens_a]
    keys_b = [_key(b, t) for t in tokens_b]
    flags_a: list[tuple[int, int, bool]] = []
    flags_b: list[tuple[int, int, bool]] = []
    # The opcodes difflib gives, faster on the near-copies a report mostly shows.
    for tag, i1, i2, j1, j2 in opcodes(tuple(keys_a), tuple(keys_b)):
        changed = tag != "equal"
        if i2 > i1:
            flags_a.append((tokens_a[i1][0], tokens_a[i2 - 1][1], changed))
        if j2 > j1:
            flags_b.append((tokens_b[j1][0], tokens_b[j2 - 1][1], changed))
    return WordDiff(a=_segments(a, flags_a), b=_segments(b, flags_b))


def _segments(text: str, flags: list[tuple[int, int, bool]]) -> tuple[Segment, ...]:
    # Trim whitespace off changed runs, then merge neighbours with the same flag.
    pieces: list[tuple[int, int, bool]] = []
    for start, end, changed in flags:
        if not changed:
            pieces.append((start, end, False))
            continue
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if lead == len(chunk):  # whitespace only
            pieces.append((start, end, False))
            continue
        if lead:
            pieces.append((start, start + lead, False))
        pieces.append((start + lead, end - trail, True))
        if trail:
            pieces.append((end - trail, end, False))
    merged: list[tuple[int, int, bool]] = []
    for start, end, changed in pieces:
        if merged and merged[-1][2] == changed and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end, changed)
        else:
            merged.append((start, end, changed))
    return tuple(Segment(start, end, text[start:end], changed) for start, end, changed in merged)
