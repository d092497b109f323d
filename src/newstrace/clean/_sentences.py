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

# A candidate end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_END_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_NEXT_START_RE = re.compile(r"\s+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF]")


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split ``text`` into sentences; every sentence satisfies ``text[start:end] == sentence.text``.

    Paragraph breaks (newlines) always end a sentence. Within a paragraph a sentence ends at ``.``, ``!``,
    ``?`` (plus closing quotes) followed by a capitalised word, except after known abbreviations and
    single-letter initials ("U.S.", "Kim J. Un").
    """
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        chunk = para.group()
        cursor = 0
        for end_match in _END_RE.finditer(chunk):
            end = end_match.end()
            if not _NEXT_START_RE.match(chunk, end):
                continue
            if _is_abbreviation(chunk, end_match.start()):
                continue
            spans.append((start + cursor, start + end))
            cursor = end
        spans.append((start + cursor, para.end()))
    sentences: list[Sentence] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 2 and any(ch.isalnum() for ch in text[s:e]):
            sentences.append(Sentence(index=len(sentences), start=s, end=e, text=text[s:e]))
    return tuple(sentences)


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
