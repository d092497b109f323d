"""Text primitives shared by the stages: normalization, tokens with offsets, stems, quotes, hashing.

All hashing here is stable across processes and machines (no use of Python's salted ``hash``), so
fingerprints made on a Spark executor equal those made locally.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

__all__ = [
    "CAPITALISED_FUNCTION_WORDS",
    "STOPWORDS",
    "content_terms",
    "normalize",
    "quote_spans",
    "stable_hash64",
    "stem",
    "word_tokens",
    "words",
]

_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)


def normalize(text: str) -> str:
    """NFKC, straight quotes and dashes, non-breaking spaces as spaces. Length may change."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP)


# A word: letters/digits, with inner apostrophes, dots or commas between digits ("10,000", "2.6", "U.S").
_WORD_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*(?:\.[^\W\d_](?=\.))*", re.UNICODE)


def word_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(lowercased token, start, end)``; numbers lose thousands separators ("10,000" → "10000")."""
    for match in _WORD_RE.finditer(text):
        token = match.group().lower().replace("’", "'")
        if token[0].isdigit():
            token = _normalize_number(token)
        yield token, match.start(), match.end()


_HAS_DIGIT = re.compile(r"\d")


def words(text: str) -> list[str]:
    """The lowercased tokens of ``text`` (as :func:`word_tokens`, without offsets; several times faster)."""
    tokens: list[str] = _WORD_RE.findall(text.lower().replace("’", "'"))
    if _HAS_DIGIT.search(text):
        tokens = [_normalize_number(t) if t[0].isdigit() else t for t in tokens]
    return tokens


def _normalize_number(token: str) -> str:
    # "10,000" and "10,000.5" are thousands separators; "2,6" (decimal comma) is kept as "2.6".
    if "," in token:
        parts = token.split(",")
        if all(len(p) == 3 for p in parts[1:]) or "." in token:
            return token.replace(",", "")
        return token.replace(",", ".")
    return token


STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "told",
        "according",
        "would",
        "also",
        "one",
        "two",
        "new",
        "last",
        "year",
        "years",
        "week",
        "month",
        "time",
        "mr",
        "mrs",
        "ms",
        "s",
        "t",
    ]
)

# Capitalised words that start sentences but name nobody: never a source, speaker or entity on their own.
CAPITALISED_FUNCTION_WORDS = frozenset(
    [
        "The",
        "A",
        "An",
        "He",
        "She",
        "They",
        "It",
        "We",
        "I",
        "His",
        "Her",
        "Their",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "In",
        "On",
        "At",
        "As",
        "But",
        "And",
        "Or",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "However",
        "Meanwhile",
        "Also",
        "Yet",
        "Still",
        "Despite",
        "Even",
        "According",
        "Furthermore",
        "Moreover",
        "Earlier",
        "Later",
        "Officials",
        "Sources",
        "People",
        "Police",
        "Media",
        "Reports",
        "Analysts",
        "Experts",
        "Data",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
)

_SUFFIXES = ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """A light, deterministic suffix stripper (not a linguistic stemmer): "troops" → "troop"."""
    if len(token) <= 4 or token[0].isdigit() or not token.endswith(_SUFFIXES):
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            base = token[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            return base
    return token


def content_terms(text: str) -> list[str]:
    """Stemmed tokens of ``text`` that are not stopwords (numbers kept), in text order."""
    return [stem(tok) for tok in words(text) if tok not in STOPWORDS and len(tok) > 1]


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of direct quotations (inside the quote marks) in ``text``.

    Straight and curly double quotes are paired in order; an unclosed quote runs to the end of the text
    (quotations that continue into the next paragraph are opened again there by convention).
    """
    spans: list[tuple[int, int]] = []
    open_at = -1
    for match in re.finditer(r"[\"“”„«»]", text):
        mark = match.group()
        if open_at < 0:
            if mark in "”»" and spans == [] and match.start() > 0:
                # A closing mark first: the quotation started in an earlier sentence.
                spans.append((0, match.start()))
                continue
            open_at = match.end()
        else:
            if mark in "“„«" and text[open_at - 1] in "“„«":
                open_at = match.end()
                continue
            spans.append((open_at, match.start()))
            open_at = -1
    if open_at >= 0 and len(text) - open_at > 0:
        spans.append((open_at, len(text)))
    return [(s, e) for s, e in spans if e > s]


def stable_hash64(data: str) -> int:
    """A 64-bit hash of ``data`` that is the same in every process (blake2b, first 8 bytes, little end)."""
    return int.from_bytes(hashlib.blake2b(data.encode("utf-8"), digest_size=8).digest(), "little")
