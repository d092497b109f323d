"""Title, byline and date from the first lines of a plain-text page."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["BYLINE_RE", "find_date", "is_byline", "looks_like_title"]

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(rf"\b(?P<month>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_RE})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
)

BYLINE_RE = re.compile(
    r"^(?i:by|written by|reporting by|words by)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\b"
)


def find_date(line: str) -> dt.date | None:
    """The first calendar date written in ``line`` ("June 20, 2024", "20 June 2024", "2024-06-20")."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(line)
        if not match:
            continue
        month_raw = match.group("month").lower()
        month = int(month_raw) if month_raw.isdigit() else _MONTHS[month_raw]
        try:
            return dt.date(int(match.group("year")), month, int(match.group("day")))
        except ValueError:
            continue
    return None


def is_byline(line: str) -> bool:
    """``By Jane Doe`` (optionally followed by a date and a reading time) on a short line."""
    return bool(BYLINE_RE.match(line.strip())) and len(line.split(maxsplit=17)) <= 16


def looks_like_title(line: str) -> bool:
    """A headline: 3–30 words, no sentence-final period."""
    stripped = line.strip()
    words = len(stripped.split())
    ends_sentence = stripped.endswith((".", ":", ";", ",")) or re.search(r"[.!?,][\"'”’]$", stripped)
    return 3 <= words <= 30 and not ends_sentence
