"""Sentence splitting with character offsets (rule-based, language-light, deterministic)."""

from __future__ import annotations

import re
from operator import add

from newstrace.records import Sentence, new_sentences

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

# A sentence end: a run of terminal punctuation, optional closing quotes/brackets, then whitespace and the
# start of the next sentence (an optional opening quote or bracket, then a capital letter or a digit) on
# the same line. A run matches from its first character or not at all (what follows the run decides), so
# the ends are found with one pattern per first character, each matching only where no terminal character
# precedes: every run is matched once, by the pattern of its first character, with the same span as by
# ``[.!?…]+`` and the same answer. A pattern led by a literal lets ``re`` skip to it in C about seven times
# faster than to any of a character set; the rare ``!``, ``?`` and ``…`` patterns only run on texts that
# hold their character.
_RUN_REST = r"(?<![.!?…].)[.!?…]*[\"'”’)\]]*(?=[^\S\n]+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF])"
_DOT_BREAK_RE = re.compile(r"\." + _RUN_REST)
_OTHER_BREAKS = tuple((char, re.compile(re.escape(char) + _RUN_REST)) for char in "!?…")
_NEWLINE_RE = re.compile(r"\n")
_WORD_CHAR_RE = re.compile(r"[^\W_]")


# A window this long before a dot holds any abbreviation in full plus the character before it: a run of
# letters filling the whole window is no abbreviation (see ``_is_abbreviation``).
_WINDOW = max(map(len, _ABBREVIATIONS)) + 1
# The ASCII characters of an abbreviation's word: letters (``str.isalpha``) and dots.
_ASCII_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."

_span = re.Match.span
_end = re.Match.end

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ABBREVIATION_ENDS = frozenset(word[-2:] for word in _ABBREVIATIONS)
# Two ASCII characters before a dot that settle it ends no abbreviation (``_is_abbreviation`` is False):
# a last character that is neither a letter nor a dot (the word is empty); a lowercase letter after one
# that is neither (a one-letter word, not capital: no initial, and no abbreviation has one letter); or two
# letters (a word of two letters or more, no initial) that no abbreviation ends with, ``str.lower`` being
# per character there. Most sentence-ending dots are settled by this lookup alone.
_PLAIN_ENDS = frozenset(
    first + last
    for first in map(chr, range(128))
    for last in map(chr, range(128))
    if (last not in _LETTERS and last != ".")
    or (first not in _LETTERS and first != "." and last.islower())
    or (first in _LETTERS and last in _LETTERS and (first + last).lower() not in _ABBREVIATION_ENDS)
)


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split ``text`` into sentences; every sentence satisfies ``text[start:end] == sentence.text``.

    Paragraph breaks (newlines) always end a sentence. Within a paragraph a sentence ends at ``.``, ``!``,
    ``?`` (plus closing quotes) followed by a capitalised word, except after known abbreviations and
    single-letter initials ("U.S.", "Kim J. Un"). A span without a letter or digit is no sentence, nor is
    one shorter than two characters once stripped of surrounding whitespace.
    """
    # Sentence ends over the whole text at once, each within its line: a newline is no letter, so an
    # abbreviation's word never reaches into the previous paragraph either. ``text[start - 2 : start]`` is
    # shorter than two characters only for a dot at 0 or 1, which ``_PLAIN_ENDS`` never holds.
    ends = [
        end
        for start, end in map(_span, _DOT_BREAK_RE.finditer(text))
        if text[start - 2 : start] in _PLAIN_ENDS or not _is_abbreviation(text, start)
    ]
    for char, pattern in _OTHER_BREAKS:
        if char in text:
            ends += map(_end, pattern.finditer(text))
    # A newline ends a span too: the span before it ends with it, the span after it starts after it.
    ends += map(_end, _NEWLINE_RE.finditer(text))
    ends.sort()
    ends.append(len(text))
    # Each sentence's start and text; its end is its start plus its text's length.
    starts: list[int] = []
    texts: list[str] = []
    cursor = 0
    for stop in ends:
        # The span ``text[cursor:stop]`` without its surrounding whitespace, kept when it holds at least
        # two characters and a letter or digit; ``[^\W_]`` is ``str.isalnum``, and a sentence nearly
        # always starts with one, sparing the search.
        body = text[cursor:stop].lstrip()
        stripped = body.rstrip()
        if len(stripped) >= 2 and (stripped[0].isalnum() or _WORD_CHAR_RE.search(stripped) is not None):
            starts.append(stop - len(body))
            texts.append(stripped)
        cursor = stop
    return new_sentences(starts, list(map(add, starts, map(len, texts))), texts)


def _is_abbreviation(chunk: str, dot_at: int) -> bool:
    """Whether the dot at ``dot_at`` ends an abbreviation or an initial rather than a sentence.

    The word is the run of letters (``str.isalpha``) and dots just before the dot; the answer is always
    the one of the character-by-character walk in ``_word_start_scan``.
    """
    if chunk[dot_at] != ".":
        return False
    # Fast path: strip ASCII letters and dots off a window before the dot. An ASCII character that stops
    # the strip is no letter: the word starts after it. A fully stripped window that does not start the
    # text means a word too long to be an abbreviation. A non-ASCII character may be a letter: the walk
    # decides.
    lo = dot_at - _WINDOW if dot_at > _WINDOW else 0
    head = chunk[lo:dot_at].rstrip(_ASCII_WORD_CHARS)
    if not head:
        if lo:
            return False
        word_start = 0
    elif head[-1].isascii():
        word_start = lo + len(head)
    else:
        word_start = _word_start_scan(chunk, dot_at)
    word = chunk[word_start:dot_at].lower()
    if not word:
        return False
    if len(word) == 1 and chunk[word_start].isupper():
        return True  # an initial: "J." in "Kim J. Un", the last letter of "U.S."
    return word in _ABBREVIATIONS


def _word_start_scan(chunk: str, dot_at: int) -> int:
    """Where the run of letters and dots that ends at ``dot_at`` starts."""
    word_start = dot_at
    while word_start > 0 and (chunk[word_start - 1].isalpha() or chunk[word_start - 1] == "."):
        word_start -= 1
    return word_start
