"""Sentence splitting with character offsets (rule-based, language-light, deterministic)."""

from __future__ import annotations

import re

from newstrace.records import Sentence, new_sentence

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
# line (a newline ends a sentence anyway). The run is spelled ``[.!?…][.!?…]*``, not ``[.!?…]+``: the same
# language, but a pattern that starts with a character set lets ``re`` skip to candidate characters in C
# instead of trying a match at every position (half the cost of the scan).
_BREAK_RE = re.compile(r"[.!?…][.!?…]*[\"'”’)\]]*(?=[^\S\n]+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF])")
_PARAGRAPH_RE = re.compile(r"[^\n]+")
_WORD_CHAR_RE = re.compile(r"[^\W_]")


# A window this long before a dot holds any abbreviation in full plus the character before it: a run of
# letters filling the whole window is no abbreviation (see ``_is_abbreviation``).
_WINDOW = max(map(len, _ABBREVIATIONS)) + 1
# The ASCII characters of an abbreviation's word: letters (``str.isalpha``) and dots.
_ASCII_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."

_span = re.Match.span


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split ``text`` into sentences; every sentence satisfies ``text[start:end] == sentence.text``.

    Paragraph breaks (newlines) always end a sentence. Within a paragraph a sentence ends at ``.``, ``!``,
    ``?`` (plus closing quotes) followed by a capitalised word, except after known abbreviations and
    single-letter initials ("U.S.", "Kim J. Un"). A span without a letter or digit is no sentence, nor is
    one shorter than two characters once stripped of surrounding whitespace.
    """
    # Sentence ends over the whole text at once, each within its line: a newline is no letter, so an
    # abbreviation's word never reaches into the previous paragraph either.
    cuts = [
        end
        for start, end in map(_span, _BREAK_RE.finditer(text))
        if text[start] != "." or not _is_abbreviation(text, start)
    ]
    # A sentinel past every paragraph end spares a bounds test per sentence.
    cuts.append(len(text) + 1)
    sentences: list[Sentence] = []
    append = sentences.append
    index = k = 0
    for para in _PARAGRAPH_RE.finditer(text):
        # Every end lies inside its line, before the line's last character: the ends of one paragraph
        # are the next ones in order, and the paragraph's own end closes its last sentence.
        cursor, end = para.span()
        while True:
            stop = cuts[k]
            if stop < end:
                k += 1
            else:
                stop = end
            # The span ``text[cursor:stop]`` without its surrounding whitespace, kept when it holds at
            # least two characters and a letter or digit; ``[^\W_]`` is ``str.isalnum``, and a sentence
            # nearly always starts with one, sparing the search.
            body = text[cursor:stop].lstrip()
            stripped = body.rstrip()
            if len(stripped) >= 2 and (stripped[0].isalnum() or _WORD_CHAR_RE.search(stripped) is not None):
                first = stop - len(body)
                append(new_sentence(index, first, first + len(stripped), stripped))
                index += 1
            if stop == end:
                break
            cursor = stop
    return tuple(sentences)


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
