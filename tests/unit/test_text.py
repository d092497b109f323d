"""Text primitives: normalization, tokens with offsets, numbers, stems, quotations and stable hashing."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace._text import STOPWORDS, content_terms, normalize, quote_spans, stable_hash64, stem, word_tokens


def test_normalize_straightens_quotes_dashes_and_spaces() -> None:
    assert normalize("\u201cHi\u201d \u2014 it\u2019s\u00a0ok \u00abnon\u00bb") == '"Hi" - it\'s ok "non"'
    assert normalize("\ufb01ne") == "fine"  # NFKC folds the ligature


def test_word_tokens_offsets_point_at_the_word() -> None:
    text = "The U.S. sent troops to Kim\u2019s border; \u00c9lys\u00e9e replied."
    tokens = list(word_tokens(text))
    assert [t for t, _, _ in tokens] == [
        "the",
        "u.s",
        "sent",
        "troops",
        "to",
        "kim's",
        "border",
        "élysée",
        "replied",
    ]
    for token, start, end in tokens:
        assert text[start:end].lower().replace("\u2019", "'") == token


def test_numbers_are_normalized() -> None:
    tokens = [t for t, _, _ in word_tokens("10,000 troops, 1,250,000 dollars, 2.5 percent, 2,6 grams")]
    assert "10000" in tokens
    assert "1250000" in tokens
    assert "2.5" in tokens
    assert "2.6" in tokens  # a decimal comma


@settings(max_examples=60, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from("ab Zé'’.,-1\u201c\u201d\"\n"), max_size=60))
def test_word_token_spans_are_in_order_and_inside_the_text(text: str) -> None:
    previous_end = 0
    for token, start, end in word_tokens(text):
        assert 0 <= previous_end <= start < end <= len(text)
        assert token
        previous_end = end


def test_stem_strips_common_suffixes_deterministically() -> None:
    assert stem("troops") == stem("troop") == "troop"
    assert stem("parties") == "party"
    assert stem("reported") == stem("reports") == "report"
    assert stem("bus") == "bus"  # short words are kept
    assert stem("2024s") == "2024s"  # numbers are kept


def test_content_terms_drop_stopwords_and_keep_numbers() -> None:
    terms = content_terms("The troops said they would leave by 2025, according to officials.")
    assert terms == ["troop", "leave", "2025", "official"]
    assert not set(terms) & STOPWORDS


def test_quote_spans_find_straight_and_curly_quotations() -> None:
    text = 'He said "we will win" and \u201cnever give up\u201d.'
    assert [text[s:e] for s, e in quote_spans(text)] == ["we will win", "never give up"]


def test_quote_continued_from_an_earlier_sentence_and_unclosed_quote() -> None:
    text = 'end of the statement,\u201d he said. "And more'
    assert [text[s:e] for s, e in quote_spans(text)] == ["end of the statement,", "And more"]
    assert quote_spans("no quotation here") == []


def test_stable_hash_is_the_same_in_another_process_with_another_hash_seed() -> None:
    words = ["kuleba", "", "\u00e9lys\u00e9e", "10000"]
    code = f"from newstrace._text import stable_hash64\nprint([stable_hash64(w) for w in {words!r}])"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip() == str([stable_hash64(w) for w in words])
    assert len({stable_hash64(w) for w in words}) == len(words)
    assert all(0 <= stable_hash64(w) < 2**64 for w in words)
