"""Sentence splitting with character offsets (rule-based, language-light, deterministic)."""

from __future__ import annotations

import re

from newstrace.records import Sentence

__all__ = ["split_sentences"]

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "sen",
        "rep",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "u.s.a",
        "no",
        "gov",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "cmdr",
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
        "mt",
        "ft",
        "approx",
        "dept",
        "est",
        "fig",
        "al",
        "d.c",
        "p.m",
        "a.m",
    ]
)

# A sentence end: terminal punctuation, optional closing quotes/brackets, then whitespace and the start of
# the next sentence (an optional opening quote or bracket, then a capital letter or a digit).
_BREAK_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF])")
_PARAGRAPH_RE = re.compile(r"[^\n]+")
_WORD_CHAR_RE = re.compile(r"[^\W_]")


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split ``text`` into sentences; every sentence satisfies ``text[start:end] == sentence.text``.

    Paragraph breaks (newlines) always end a sentence. Within a paragraph a sentence ends at ``.``, ``!``,
    ``?`` (plus closing quotes) followed by a capitalised word, except after known abbreviations and
    single-letter initials ("U.S.", "Kim J. Un"). A span without a letter or digit is no sentence.
    """
    sentences: list[Sentence] = []
    for para in _PARAGRAPH_RE.finditer(text):
        chunk = para.group()
        offset = para.start()
        cursor = 0
        for end_match in _BREAK_RE.finditer(chunk):
            if chunk[end_match.start()] == "." and _is_abbreviation(chunk, end_match.start()):
                continue
            _add_sentence(sentences, chunk, cursor, end_match.end(), offset)
            cursor = end_match.end()
        _add_sentence(sentences, chunk, cursor, len(chunk), offset)
    return tuple(sentences)


def _add_sentence(sentences: list[Sentence], chunk: str, start: int, end: int, offset: int) -> None:
    """Append ``chunk[start:end]`` without its surrounding whitespace (``offset``: the chunk's position in
    the text) when it holds at least two characters and a letter or digit."""
    span = chunk[start:end]
    stripped = span.strip()
    if len(stripped) < 2 or _WORD_CHAR_RE.search(stripped) is None:
        return
    s = offset + start + (len(span) - len(span.lstrip()))
    sentences.append(Sentence(index=len(sentences), start=s, end=s + len(stripped), text=stripped))


def _is_abbreviation(chunk: str, dot_at: int) -> bool:
    if chunk[dot_at] != ".":
        return False
    word_start = dot_at
    while word_start > 0 and (chunk[word_start - 1].isalpha() or chunk[word_start - 1] == "."):
        word_start -= 1
    word = chunk[word_start:dot_at].lower()
    if not word:
        return False
    if len(word) == 1 and chunk[word_start].isupper():
        return True  # an initial: "J." in "Kim J. Un", the last letter of "U.S."
    return word in _ABBREVIATIONS
