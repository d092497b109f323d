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
# the next sentence (an optional opening quote or bracket, then a capital letter or a digit) on the same
# line (a newline ends a sentence anyway).
_BREAK_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=[^\S\n]+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF])")
_PARAGRAPH_RE = re.compile(r"[^\n]+")
_WORD_CHAR_RE = re.compile(r"[^\W_]")


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split ``text`` into sentences; every sentence satisfies ``text[start:end] == sentence.text``.

    Paragraph breaks (newlines) always end a sentence. Within a paragraph a sentence ends at ``.``, ``!``,
    ``?`` (plus closing quotes) followed by a capitalised word, except after known abbreviations and
    single-letter initials ("U.S.", "Kim J. Un"). A span without a letter or digit is no sentence.
    """
    # Sentence ends over the whole text at once, each within its line: a newline is no letter, so an
    # abbreviation's word never reaches into the previous paragraph either.
    cuts = [
        match.end()
        for match in _BREAK_RE.finditer(text)
        if text[match.start()] != "." or not _is_abbreviation(text, match.start())
    ]
    sentences: list[Sentence] = []
    k, count = 0, len(cuts)
    for para in _PARAGRAPH_RE.finditer(text):
        # Every end lies inside its line, before the line's last character: the ends of one paragraph
        # are the next ones in order.
        cursor, end = para.span()
        while k < count and cuts[k] < end:
            _add_sentence(sentences, text, cursor, cuts[k])
            cursor = cuts[k]
            k += 1
        _add_sentence(sentences, text, cursor, end)
    return tuple(sentences)


def _add_sentence(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    """Append ``text[start:end]`` without its surrounding whitespace when it holds at least two characters
    and a letter or digit."""
    span = text[start:end]
    stripped = span.strip()
    # ``[^\W_]`` is ``str.isalnum``: a sentence nearly always starts with one, sparing the search.
    if len(stripped) < 2 or (not stripped[0].isalnum() and _WORD_CHAR_RE.search(stripped) is None):
        return
    s = start + (len(span) - len(span.lstrip()))
    sentences.append(Sentence(len(sentences), s, s + len(stripped), stripped))


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
