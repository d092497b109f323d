"""Explicit credits ("Bloomberg had reported", "according to Reuters", ...) and outlet-name matching."""

from __future__ import annotations

import re

import pytest

from newstrace import Article, Settings
from newstrace.clean import Cleaner, names_match
from newstrace.clean._credits import (
    _CUE_GATES,
    _CUE_WORDS,
    _CUES,
    _LOWERCASE_CUE_PATTERNS,
    _at_word_start,
    _holds_any,
    find_credits,
)


@pytest.mark.parametrize(
    ("text", "name", "phrase"),
    [
        ("Bloomberg had reported the plan on Monday.", "Bloomberg", "reported"),
        ("The ministry denied the claim, according to Reuters.", "Reuters", "according to"),
        ("Kuleba told This Week In Asia that the pact was dangerous.", "This Week In Asia", "told"),
        ("Source: caliber.az", "caliber.az", "source"),
        ("The New York Times reported that talks had stalled.", "New York Times", "reported"),
        ("According to the Associated Press, the convoy left at dawn.", "Associated Press", "according to"),
        ("The minister spoke to reporters, citing Yonhap news agency.", "Yonhap", "citing"),
        ("He was responding to Bloomberg's article on the summit.", "Bloomberg", "reported by"),
        ("This story first appeared in The Straits Times.", "Straits Times", "first published"),
        ("This article was first published by Nikkei Asia.", "Nikkei Asia", "first published"),
        ("Parts of this report were first published by Reuters.", "Reuters", "first published"),
        ("It was originally published on caliber.az on Monday.", "caliber.az", "first published"),
        ("Republished with permission from The Conversation.", "Conversation", "republished"),
        ("First published by Nikkei Asia.", "Nikkei Asia", "source"),
    ],
)
def test_credit_phrases_name_the_source(text: str, name: str, phrase: str) -> None:
    credits = find_credits(text)
    assert [(c.name, c.phrase) for c in credits] == [(name, phrase)]
    credit = credits[0]
    assert name in text[credit.start : credit.end]


@pytest.mark.parametrize(
    "text",
    [
        "The convoy left at dawn, according to officials.",
        "He told reporters on Monday that the talks had stalled.",
        "They said the plan had been reported to the police.",
        "China has said it is neutral in the war between Ukraine and Russia.",
        "The law was first published in 2019.",
        "He first appeared on television in May.",
        "The plan, first published in March, was dropped.",
    ],
)
def test_no_credit_without_a_named_source(text: str) -> None:
    assert find_credits(text) == ()


def test_credits_are_in_text_order() -> None:
    text = "Reuters reported the move first. Later, according to Bloomberg, the talks ended."
    assert [c.name for c in find_credits(text)] == ["Reuters", "Bloomberg"]


def test_source_trailer_is_removed_but_its_credit_kept() -> None:
    raw = (
        "By Tamilla Hasanova\n"
        "China remains steadfast in its stance, a spokesman for the ministry said on Thursday.\n"
        "Source: caliber.az\n"
    )
    article = Cleaner(Settings().clean).clean(Article(id="x", raw=raw))
    assert "caliber.az" not in article.text
    assert {(r.text, r.reason) for r in article.removed} == {
        ("By Tamilla Hasanova", "byline"),
        ("Source: caliber.az", "source_line"),
    }
    assert [(c.name, c.start, c.end) for c in article.credits] == [("caliber.az", -1, -1)]
    assert article.byline == "By Tamilla Hasanova"


def test_credit_spans_in_cleaned_text_locate_the_phrase() -> None:
    raw = "Officials confirmed the withdrawal on Friday.\nThe talks had stalled, according to Reuters.\n"
    article = Cleaner(Settings().clean).clean(Article(id="x", raw=raw))
    (credit,) = article.credits
    assert article.text[credit.start : credit.end] == "according to Reuters"


@pytest.mark.parametrize(
    ("credit", "outlet", "expected"),
    [
        ("Bloomberg", "Bloomberg News", True),
        ("Bloomberg", "Bloomberg", True),
        ("This Week In Asia", "South China Morning Post (This Week In Asia)", True),
        ("caliber.az", "Caliber.Az", True),
        ("Reuters", "Bloomberg", False),
        ("News", "Fox News", False),
        ("Kyiv Independent", "The Kyiv Independent", True),
        ("Kyiv Post", "The Kyiv Independent", False),
    ],
)
def test_names_match(credit: str, outlet: str, expected: bool) -> None:
    assert names_match(credit, outlet) is expected


@pytest.mark.parametrize(
    "text", ["As Reuters reported earlier, the talks ended.", "When Bloomberg reported it, the talks ended."]
)
def test_sentence_start_word_is_not_part_of_the_credited_name(text: str) -> None:
    names = [c.name for c in find_credits(text)]
    assert names in (["Reuters"], ["Bloomberg"])


# Cue and credit patterns spell ``\b(?:words)`` with a look-behind after each word's first character.
WORD_START_TEXTS = [
    "told the BBC",
    "He told Reuters. Untold told_ 1told étold told",
    "citing Bloomberg, cited by AP, quoted by AFP, via X, reported by CNN; excited by, evia",
    "According to Reuters and according to AP; xaccording to, _According to, ÉAccording to",
    "reported reports wrote writes revealed published unreported rewrote reportedly",
]


@pytest.mark.parametrize("text", WORD_START_TEXTS)
def test_word_start_alternation_matches_as_a_leading_word_boundary(text: str) -> None:
    for words in [
        ("told",),
        ("citing", "cited by", "quoted by", "via", "reported by"),
        ("According to", "according to"),
        ("reported", "reports", "wrote", "writes", "revealed", "published"),
    ]:
        plain = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + ")")
        spelled = re.compile(_at_word_start(*words))
        assert [m.span() for m in spelled.finditer(text)] == [m.span() for m in plain.finditer(text)]
        for start in range(len(text)):  # searches that start mid-text still see the character before
            found, expected = spelled.search(text, start), plain.search(text, start)
            assert (found and found.span()) == (expected and expected.span())


CASELESS_CUE_TEXTS = [
    "This story FIRST APPEARED IN The Times.",
    "It was Originally\tran in the Post; previously POSTED at X.",
    "Source: caliber.az",
    "  SOURCES: Reuters\nREAD MORE at example.com",
    "Republished from The Conversation. Reprinted with permission from AP. ADAPTED from a book.",
    "Syndicated from Bloomberg; unrepublished; firstly appeared; first-appeared",
    "nothing to see here",
]


@pytest.mark.parametrize("text", CASELESS_CUE_TEXTS)
def test_ascii_texts_match_caseless_cues_on_their_lowercase(text: str) -> None:
    assert text.isascii()
    for phrase, lowercase_pattern in _LOWERCASE_CUE_PATTERNS.items():
        expected = _CUES[phrase].search(text) is not None
        assert (lowercase_pattern.search(text.lower()) is not None) == expected, phrase


@pytest.mark.parametrize(
    "haystack",
    [
        "",
        "He told Reuters",
        "he toldReuters",
        "it's article",
        "report via X",
        "vi a",
        "the reprint ran ",
        " ran",
        "published first published",
        *WORD_START_TEXTS,
        *CASELESS_CUE_TEXTS,
    ],
)
def test_cue_word_gates_answer_as_plain_substring_tests(haystack: str) -> None:
    for phrase, words in _CUE_WORDS.items():
        for text in (haystack, haystack.lower()):
            assert _holds_any(text, _CUE_GATES[phrase]) == any(word in text for word in words), phrase
