"""Sentence splitting: offsets into the text, abbreviations, initials, paragraphs."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.clean import split_sentences
from newstrace.clean._sentences import _ABBREVIATIONS, _is_abbreviation, _word_start_scan


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_splits_on_terminal_punctuation_before_a_capital() -> None:
    text = 'Troops left on Friday. "We are done," he said! Will they return? Nobody knows.'
    assert _texts(text) == [
        "Troops left on Friday.",
        '"We are done," he said!',
        "Will they return?",
        "Nobody knows.",
    ]


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    text = "Mr. Smith met U.S. officials on Jan. 5 in Washington. Kim J. Un replied. Dr. No was absent."
    assert _texts(text) == [
        "Mr. Smith met U.S. officials on Jan. 5 in Washington.",
        "Kim J. Un replied.",
        "Dr. No was absent.",
    ]


def test_a_closing_quote_stays_with_its_sentence() -> None:
    text = "He said it was \u201cgood.\u201d Then he left."
    assert _texts(text) == ["He said it was \u201cgood.\u201d", "Then he left."]


def test_lowercase_after_a_period_does_not_split() -> None:
    assert _texts("The rate was 2.5 per cent. it rose again") == ["The rate was 2.5 per cent. it rose again"]


def test_newlines_always_end_a_sentence() -> None:
    assert _texts("A first paragraph without a stop\nand a second one") == [
        "A first paragraph without a stop",
        "and a second one",
    ]


def test_offsets_indices_and_order() -> None:
    text = "  First one here.   Second one here!\n\nThird, on a new line.  "
    sentences = split_sentences(text)
    assert [s.index for s in sentences] == [0, 1, 2]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
    assert all(a.end <= b.start for a, b in itertools.pairwise(sentences))


def test_empty_and_punctuation_only_text_has_no_sentences() -> None:
    assert split_sentences("") == ()
    assert split_sentences(" \n ... \n -- ") == ()


@settings(max_examples=150, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from("aZ .!?\n\"\u201d\u201c'(1U.S"), max_size=80))
def test_offsets_always_match_the_text(text: str) -> None:
    sentences = split_sentences(text)
    previous_end = 0
    for i, sentence in enumerate(sentences):
        assert sentence.index == i
        assert text[sentence.start : sentence.end] == sentence.text
        assert previous_end <= sentence.start < sentence.end
        assert "\n" not in sentence.text
        previous_end = sentence.end


def test_a_sentence_end_before_a_newline_and_abbreviations_at_a_paragraph_end() -> None:
    """Ends are found over the whole text at once; a paragraph break still ends every sentence, an
    abbreviation ending a paragraph included, and an abbreviation never reaches into the line before."""
    text = 'He left.\nThen Mr.\nSmith came. "Yes."\nU.S.\nNo. 5 went. Dr.  Who\n\n  Indented line. Last'
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "He left.",
        "Then Mr.",
        "Smith came.",
        '"Yes."',
        "U.S.",
        "No. 5 went.",
        "Dr.  Who",
        "Indented line.",
        "Last",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.index for s in sentences] == list(range(len(sentences)))


# The fast path strips ASCII letters off a window before the dot; the scan walks back with ``str.isalpha``.
# Words longer than the window, non-ASCII letters at or past its edge, the text's start: same answers.
ABBREVIATION_TEXTS = [
    "Mr. Smith. U.S. troops. Kim J. Un. approx. 5. Approx. 6. xapprox. e.g. this. D.C. Area.",
    "É. Dupont met İ. Kaya and Σ. Papas. Straße. Müller. café. a.b.c.d.e.f.g.h. Done.",
    "Word.",
    ".",
    "..",
    "U.S.A. Now. u.s.a. then. abcdefghijk. x.",
    "éapprox. zapprox. 1approx. _mr. -mr. (mr. “mr. ßmr. İmr. ẞ.",
]


def _is_abbreviation_by_scan(text: str, dot_at: int) -> bool:
    """The general path: walk back over letters with ``str.isalpha``, then the same word test."""
    word_start = _word_start_scan(text, dot_at)
    word = text[word_start:dot_at].lower()
    if not word:
        return False
    if len(word) == 1 and text[word_start].isupper():
        return True
    return word in _ABBREVIATIONS


def _agree_at_every_dot(text: str) -> None:
    for at, char in enumerate(text):
        if char == ".":
            assert _is_abbreviation(text, at) == _is_abbreviation_by_scan(text, at), (text, at)


def test_abbreviation_fast_path_equals_the_scan() -> None:
    for text in ABBREVIATION_TEXTS:
        _agree_at_every_dot(text)
        for cut in range(len(text)):
            _agree_at_every_dot(text[cut:])


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from("aZmrU.S éÉİßΣ1_ -"), max_size=30))
def test_abbreviation_fast_path_equals_the_scan_on_any_text(text: str) -> None:
    _agree_at_every_dot(text)
