"""Small text helpers shared by the benchmark generators and their tests (no newstrace imports).

Everything here is deterministic and independent of the engine: the generators must not reuse the code
they are meant to test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = [
    "NUMBER_RE",
    "STOPWORDS",
    "WORD_RE",
    "content_words",
    "quote_spans",
    "replace_words",
    "shingles",
    "split_sentences",
    "words",
]

# Words that carry little content; a "content word" is a lower-case alphabetic word of 3+ letters not here.
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "they",
        "them",
        "their",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "not",
        "no",
        "nor",
        "so",
        "than",
        "too",
        "very",
        "also",
        "just",
        "only",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "after",
        "before",
        "between",
        "through",
        "during",
        "while",
        "since",
        "until",
        "up",
        "down",
        "out",
        "off",
        "per",
        "via",
        "than",
        "then",
        "such",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "any",
        "all",
        "own",
        "same",
        "our",
        "we",
        "us",
        "you",
        "your",
        "he",
        "she",
        "his",
        "her",
        "i",
        "me",
        "my",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
    ]
)

WORD_RE = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]|[A-Za-z]")
NUMBER_RE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "st",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "gov",
        "dept",
        "est",
        "fig",
        "mt",
        "ft",
        "plc",
        "bhd",
        "pty",
    ]
)
_BOUNDARY_RE = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_LAST_TOKEN_RE = re.compile(r"(\S+)\.[\"”’)]*$")


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences (abbreviation- and initial-aware; good enough for news prose)."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        before = text[start : match.start() + 1]
        last = _LAST_TOKEN_RE.search(before)
        if last is not None:
            token = last.group(1).lower().lstrip("(“\"'")
            if (
                token in _ABBREVIATIONS
                or re.fullmatch(r"[a-z]", token)
                or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)
            ):
                continue
        piece = text[start : match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` (letters, inner hyphens/apostrophes)."""
    return [w.lower() for w in WORD_RE.findall(text)]


def content_words(text: str) -> list[str]:
    """Lower-case content words: 3+ letters, not a stop word."""
    return [w for w in words(text) if len(w) >= 3 and w not in STOPWORDS]


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Word n-grams of lower-cased alphanumeric tokens."""
    toks = re.findall(r"\w+", text.lower())
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


_QUOTE_RE = re.compile(r"“([^“”]+)”|\"([^\"]+)\"")


def quote_spans(sentence: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the insides of direct quotations closed within ``sentence``."""
    spans = []
    for match in _QUOTE_RE.finditer(sentence):
        group = 1 if match.group(1) is not None else 2
        spans.append((match.start(group), match.end(group)))
    # An unbalanced opening quote (quotation running into the next sentence) covers the rest.
    opens = sentence.count("“") - sentence.count("”")
    if opens > 0:
        spans.append((sentence.rfind("“") + 1, len(sentence)))
    closes = sentence.count("”") - sentence.count("“")
    if closes > 0:
        spans.append((0, sentence.find("”")))
    return spans


def _inside(pos: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in spans)


def replace_words(
    sentence: str, choose: Callable[[str, int], str | None], *, skip_quotes: bool = False
) -> tuple[str, int]:
    """Rebuild ``sentence`` asking ``choose(word, index)`` for a replacement of each word.

    ``choose`` gets the word as written and its index among the sentence's words and returns the
    replacement or ``None`` to keep it. Returns the new sentence and how many words were replaced.
    """
    spans = quote_spans(sentence) if skip_quotes else []
    pieces: list[str] = []
    last = 0
    changed = 0
    for index, match in enumerate(WORD_RE.finditer(sentence)):
        if skip_quotes and _inside(match.start(), spans):
            continue
        new = choose(match.group(0), index)
        if new is None or new == match.group(0):
            continue
        pieces.append(sentence[last : match.start()])
        pieces.append(new)
        last = match.end()
        changed += 1
    pieces.append(sentence[last:])
    return "".join(pieces), changed


def match_case(template: str, word: str) -> str:
    """``word`` with the capitalisation of ``template`` (capitalised or lower-case)."""
    if template[:1].isupper() and not template.isupper():
        return word[:1].upper() + word[1:]
    return word
