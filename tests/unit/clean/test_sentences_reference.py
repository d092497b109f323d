"""``split_sentences`` gives exactly the sentences of the reference splitter it replaced, on any text.

The reference below is the splitter as it was before the ends were found with one literal-led pattern
per terminal character and most dots settled by the two characters before them: one character-set
pattern over the text, the full abbreviation test at every dot, a loop over paragraphs.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.clean import split_sentences
from newstrace.clean._sentences import _PLAIN_ENDS, _is_abbreviation
from newstrace.records import Sentence

_REFERENCE_BREAK_RE = re.compile(
    r"[.!?…][.!?…]*[\"'”’)\]]*(?=[^\S\n]+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF])"
)
_REFERENCE_PARAGRAPH_RE = re.compile(r"[^\n]+")
_REFERENCE_WORD_CHAR_RE = re.compile(r"[^\W_]")


def _reference_split(text: str) -> tuple[Sentence, ...]:
    cuts = [
        end
        for start, end in map(re.Match.span, _REFERENCE_BREAK_RE.finditer(text))
        if text[start] != "." or not _is_abbreviation(text, start)
    ]
    cuts.append(len(text) + 1)
    sentences: list[Sentence] = []
    index = k = 0
    for para in _REFERENCE_PARAGRAPH_RE.finditer(text):
        cursor, end = para.span()
        while True:
            stop = cuts[k]
            if stop < end:
                k += 1
            else:
                stop = end
            body = text[cursor:stop].lstrip()
            stripped = body.rstrip()
            if len(stripped) >= 2 and (
                stripped[0].isalnum() or _REFERENCE_WORD_CHAR_RE.search(stripped) is not None
            ):
                first = stop - len(body)
                sentences.append(Sentence(index, first, first + len(stripped), stripped))
                index += 1
            if stop == end:
                break
            cursor = stop
    return tuple(sentences)


# Single characters: ASCII and other letters (capital, lowercase, ones whose case mapping is special),
# digits, every terminal character, closing and opening quotes and brackets, whitespace of several kinds
# (a newline, and others that are no paragraph break), characters inside the next-sentence range that are
# no letter (× ÷ ҃), and other punctuation.
_CHARS = list("aZmrstonUSJ.!?…\"'”’)]“‘([ \t\n\r\u00a0\u2028éÉİßΣжЖ×÷\u0483_%-,;:15")
# Words the splitter treats specially, and text that ends with a dot after them.
_TOKENS = [
    "Mr",
    "Mrs.",
    "U.S.",
    "U.S.A.",
    "u.s",
    "e.g.",
    "i.e.",
    "Kim J. Un",
    "approx.",
    "xapprox.",
    "No.",
    "St.",
    "Jan.",
    "Sept.",
    "Dr. Who",
    "D.C.",
    "p.m.",
    "A.",
    "b.",
    "Straße.",
    "İmr.",
    "Σ.",
    "2.5",
    "end. Next",
    'end." Next',
    "end?) Next",
    "end!” “Next",
    "end… Next",
    "end.. Next",
    "end?! Next",
    "end.?. Next",
    "Mr.! Next",
    "Mr.? Next",
    "Mr.… Next",
    "no.” 5",
    "x.\n Y",
    " \n \n",
]

_TEXTS = st.lists(st.one_of(st.sampled_from(_CHARS), st.sampled_from(_TOKENS)), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None, database=None)
@given(_TEXTS)
def test_split_sentences_equals_the_reference(text: str) -> None:
    assert split_sentences(text) == _reference_split(text)


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(max_size=60))
def test_split_sentences_equals_the_reference_on_any_unicode(text: str) -> None:
    assert split_sentences(text) == _reference_split(text)


def test_split_sentences_equals_the_reference_on_examples() -> None:
    texts = [
        "",
        ".",
        "A.",
        ". A",
        "a. B",
        "Mr. Smith met U.S. officials on Jan. 5 in Washington. Kim J. Un replied. Dr. No was absent.",
        'He left.\nThen Mr.\nSmith came. "Yes."\nU.S.\nNo. 5 went. Dr.  Who\n\n  Indented line. Last',
        "Mr.! Smith. Mr.? Smith. Mr.… Smith. Mr.. Smith. Mr!. Smith.",
        "Wait?! Yes.\u201d Then (it). [Ok]! \u201cNo.\u201d \u2018Yes.\u2019 Done…  Fine",
        "  \n\t\n  x  \n  yy  \n\u2028Zz. Aa\u00a0Bb. Cc\rDd. Ee",
        "É. Dupont met İ. Kaya and Σ. Papas. Straße. Müller. café. Жук. Ёж. × sign. \u0483 mark",
    ]
    for text in texts:
        for cut in range(len(text) + 1):
            assert split_sentences(text[cut:]) == _reference_split(text[cut:]), text[cut:]


def test_plain_ends_are_never_abbreviations() -> None:
    """Every pair ``_PLAIN_ENDS`` holds, before a dot and after any character (or none), ends no
    abbreviation."""
    prefixes = ["", " ", "a", "Z", ".", "é", "İ", "Σ", "approx", "u.s", "1"]
    for pair in _PLAIN_ENDS:
        for prefix in prefixes:
            text = prefix + pair + ". Next"
            assert not _is_abbreviation(text, len(prefix) + 2), text
