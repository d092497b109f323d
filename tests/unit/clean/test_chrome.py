"""Page-chrome rules: site furniture goes, real sentences stay; corpus-repeated short lines."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace import Article, Engine, Settings
from newstrace.clean import Cleaner, chrome_keys, corpus_chrome, frequent_keys
from newstrace.clean._chrome import (
    _CAPTION_RE,
    _DIGITS_TO_ZERO,
    _LINE_RULES,
    _LINE_RULES_RE,
    chrome_reason,
    line_key,
    short_line_keys,
)

SHORT = Settings().clean.short_line_words

CHROME = [
    ("Advertisement", "advertisement"),
    ("ADVERTISEMENT", "advertisement"),
    ("Subscribe", "newsletter"),
    ("Subscribe to our newsletter", "newsletter"),
    ("Enter your email to subscribe", "newsletter"),
    ("* indicates required", "newsletter"),
    ("Reading Time:3 minutes", "reading_time"),
    ("5 min read", "reading_time"),
    ("Why you can trust SCMP", "trust_box"),
    ("Skip to content", "navigation"),
    ("Edit post", "navigation"),
    ("close", "navigation"),
    ("Share this article", "navigation"),
    ("This audio is created with AI assistance", "ai_disclosure"),
    ("Follow us on Telegram", "social"),
    ("\u00a9 2024 The Daily Planet. All rights reserved.", "copyright"),
    ("09:43", "timestamp"),
    ("26", "counter"),
    ("Ukrainian Foreign Minister Dmytro Kuleba in Kyiv in June. Photo: Reuters", "caption"),
]

CONTENT = [
    "The minister said he would subscribe to the plan if parliament agreed.",
    "Advertisement revenue fell 5 per cent in the quarter, the company said.",
    "Reading time for the full report is about three hours, officials said.",
    "He closed the meeting early.",
    "Share prices rose sharply on Tuesday after the announcement.",
    "Kuleba is in China on Tuesday for a four-day visit following an invitation by Wang Yi.",
    "China has said it is neutral in the war between Ukraine and Russia.",
]


@pytest.mark.parametrize(("line", "reason"), CHROME)
def test_chrome_lines_are_recognised_with_their_reason(line: str, reason: str) -> None:
    assert chrome_reason(line, short_line_words=SHORT) == reason


@pytest.mark.parametrize("line", CONTENT)
def test_real_sentences_are_not_chrome(line: str) -> None:
    assert chrome_reason(line, short_line_words=SHORT) is None


def test_whole_line_rules_do_not_apply_to_long_lines() -> None:
    long_line = "Subscribe " + " ".join(["word"] * SHORT)
    assert chrome_reason(long_line, short_line_words=SHORT) is None


def test_cleaner_removes_chrome_lines_and_keeps_the_article() -> None:
    raw = (
        "Advertisement\n"
        "Reading Time:3 minutes\n"
        "Officials in the capital confirmed the withdrawal of all troops from the border on Friday.\n"
        "\n"
        "Subscribe\n"
        "The defence minister said the last units would be home before the end of the month.\n"
        "Advertisement\n"
        "Residents said they had heard convoys moving through the night.\n"
    )
    article = Cleaner(Settings().clean).clean(Article(id="x", raw=raw))
    assert article.text.splitlines() == [
        "Officials in the capital confirmed the withdrawal of all troops from the border on Friday.",
        "The defence minister said the last units would be home before the end of the month.",
        "Residents said they had heard convoys moving through the night.",
    ]
    removed = {(r.text, r.reason) for r in article.removed}
    assert removed == {
        ("Advertisement", "advertisement"),
        ("Reading Time:3 minutes", "reading_time"),
        ("Subscribe", "newsletter"),
    }
    raw_lines = raw.split("\n")
    for line in article.removed:
        assert raw_lines[line.line - 1].strip() == line.text  # 1-based line numbers in the raw text
    assert [r.line for r in article.removed] == [1, 2, 5, 7]


def test_a_section_end_heading_past_the_middle_cuts_the_teasers() -> None:
    body = [
        f"Paragraph {w} of the article reports what the officials said about the talks." for w in "ABCDEF"
    ]
    raw = "\n".join(
        [*body, "Related articles", "Another story about something else entirely", "And one more"]
    )
    article = Cleaner(Settings().clean).clean(Article(id="x", raw=raw))
    assert article.text.splitlines() == body
    assert [r.reason for r in article.removed] == ["section_end", "after_section_end", "after_section_end"]


def test_line_key_folds_case_spaces_and_digits() -> None:
    assert line_key("  Updated   12:30 ") == line_key("updated 09:41") == "updated 00:00"


def _general_line_key(line: str) -> str:
    """``line_key``'s definition, the path non-ASCII lines take."""
    return " ".join(line.lower().translate(_DIGITS_TO_ZERO).split())


# Keys are made with bytes translations: for ASCII lines every ASCII whitespace ``str.split`` knows
# (\x1c-\x1f included, which ``bytes.split`` ignores), case and digits; for the others digits in UTF-8,
# lone surrogates included.
TRICKY_KEYS = [
    "",
    " ",
    "Updated 12:30",
    "  Two  spaces\tand tab ",
    "A\x1cB\x1dC\x1eD\x1fE",
    "\x0b\x0cform\rfeed\n",
    "ABC xyz 0123456789 !?@[`{~\x7f",
    "\x1c lead and trail \x1f",
    "Émile 12 ÉCOLE",
    "İstanbul 9",
    "Straße ẞ",
    "ΣΟΦΙΑ Σ",
    "non\u00a0breaking\u2028line\x85next",
    "\u212a Kelvin and \u017f long s",
    "Émile 1\ud800 lone surrogate 9\udfff",
    "digits ١٢٣ and 123 and ¹²³",
]


@pytest.mark.parametrize("line", TRICKY_KEYS)
def test_line_key_fast_path_equals_the_general_path(line: str) -> None:
    assert line_key(line) == _general_line_key(line)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x7F))
    | st.text()
    | st.text(alphabet=st.sampled_from("aZ 19\t\x1c\u00a0éİẞ\ud800\udfff"))
)
def test_line_key_equals_the_general_path_on_any_text(line: str) -> None:
    assert line_key(line) == _general_line_key(line)


def repeated_lines(texts: list[str], *, short_line_words: int, min_docs: int) -> frozenset[str]:
    keys = (short_line_keys(text, short_line_words=short_line_words) for text in texts)
    return frequent_keys(keys, min_docs=min_docs)


def test_repeated_short_lines_are_corpus_chrome_but_repeated_sentences_are_not() -> None:
    long_sentence = (
        "The ministry said in a statement on Friday that all troops would leave the border region soon."
    )
    texts = [f"Site Menu Today\nStory number {i} text here.\n{long_sentence}" for i in range(3)]
    keys = repeated_lines(texts, short_line_words=SHORT, min_docs=3)
    assert line_key("Site Menu Today") in keys
    assert line_key(long_sentence) not in keys  # long lines shared across articles are evidence, not chrome
    assert line_key("Story number 1 text here.") in keys  # digits fold: a templated line is chrome
    assert repeated_lines(texts[:2], short_line_words=SHORT, min_docs=3) == frozenset()


def test_corpus_chrome_is_the_reduce_of_each_articles_keys() -> None:
    settings = Settings().clean
    articles = [
        Article(id=str(i), raw=f"Menu\nShare this\nA sentence long enough to be content here {i}.\nMenu")
        for i in range(settings.corpus_repeat_min_docs + 1)
    ]
    articles.append(Article(id="h", html="<html><body><p>Menu</p><p>Only this page.</p></body></html>"))
    keys = [chrome_keys(a, settings=settings) for a in articles]
    assert line_key("Menu") in keys[0] and len(keys[0]) == 3  # "Menu" twice, counted once
    found = frequent_keys(keys, min_docs=settings.corpus_repeat_min_docs)
    assert found == corpus_chrome(articles, settings=settings)
    assert {line_key("Menu"), line_key("Share this")} <= found
    engine = Engine(embeddings=False)
    assert engine._corpus_chrome(articles) == found


def test_corpus_repeated_line_is_removed_from_every_article(textgen: Any) -> None:
    gen = textgen(3)
    settings = Settings().clean
    articles = [
        Article(id=f"a{i}", raw=f"{gen.sentence()}\nTop picks from our partners\n{gen.sentence()}\n")
        for i in range(3)
    ]
    cleaner = Cleaner(settings, corpus_lines=corpus_chrome(articles, settings=settings))
    for article in map(cleaner.clean, articles):
        assert "Top picks from our partners" not in article.text
        assert ("Top picks from our partners", "corpus_repeated") in {
            (r.text, r.reason) for r in article.removed
        }
        assert len(article.sentences) == 2


def test_duplicate_line_within_a_page_is_removed_once() -> None:
    line = "The ministry confirmed the withdrawal of troops on Friday."
    raw = f"{line}\nResidents heard convoys moving through the night.\n{line}\n"
    article = Cleaner(Settings().clean).clean(Article(id="x", raw=raw))
    assert article.text.count(line) == 1
    assert [(r.reason, r.line) for r in article.removed] == [("duplicate_line", 3)]


def test_a_sentence_starting_with_copyright_is_kept() -> None:
    sentence = "Copyright claims against AI firms have multiplied this year."
    assert chrome_reason(sentence, short_line_words=SHORT) is None


def _reason_by_full_count(line: str, short_line_words: int) -> str | None:
    """``chrome_reason`` as first written: words counted up to 61 before any rule."""
    stripped = line.strip().strip("•·|–—-").strip()
    if not stripped:
        return None
    words = len(stripped.split(maxsplit=max(60, short_line_words) + 1))
    if words <= short_line_words:
        for reason, pattern in _LINE_RULES:
            if pattern.match(stripped):
                return reason
    if words <= 60 and (":" in stripped or ")" in stripped) and _CAPTION_RE.search(stripped):
        return "caption"
    return None


@pytest.mark.parametrize("short_line_words", [-1, 0, 3, SHORT, 59, 60, 61, 70])
def test_word_limits_hold_at_their_edges(short_line_words: int) -> None:
    # The rules count words only up to short_line_words, captions up to 60: lines of every length around
    # both limits, with spaces, tabs and \x1c (whitespace to str.split) between the words.
    for words in [*range(15), *range(55, 66)]:
        for sep in (" ", "  ", "\t", " \x1c "):
            for head in ("Photo: Reuters", "Advertisement", "(Getty Images)", "All rights reserved"):
                for line in (sep.join([head, *["w"] * words]), sep.join(["w"] * words + [head])):
                    expected = _reason_by_full_count(line, short_line_words)
                    assert chrome_reason(line, short_line_words=short_line_words) == expected, line


def _chrome_corpus(textgen: Any, count: int) -> list[Article]:
    """Articles with corpus chrome of every kind: a repeated short line kept by the line rules (removed
    only as corpus chrome), one the rules remove anyway, a repeated short line ending a sentence (kept),
    a templated line (digits fold), a repeated line non-breaking-spaced, and articles without any."""
    gen = textgen(11)
    articles = []
    for i in range(count):
        lines = [gen.sentence(), gen.sentence()]
        if i % 3 != 2:
            lines.insert(1, "Top picks from our partners")
        if i % 2:
            lines.append("Advertisement")
        if i % 4 == 0:
            lines.append("Prices rose again.")
        if i % 5 < 3:
            lines.insert(0, f"Edition {i % 7} of the day")
        if i % 6 == 1:
            lines.append("Top\u00a0picks from our\u2028partners")
        articles.append(Article(id=f"a{i:02d}", raw="\n".join(lines)))
    articles.append(
        Article(
            id="html",
            html="<html><body><p>Top picks from our partners</p><p>Only this page here today.</p></body></html>",
        )
    )
    return articles


def test_probing_cleaner_gives_the_clean_article_its_keys_and_what_it_looked_up(textgen: Any) -> None:
    settings = Settings().clean
    articles = _chrome_corpus(textgen, 12)
    chrome = corpus_chrome(articles, settings=settings)
    assert line_key("Top picks from our partners") in chrome
    plain = Cleaner(settings)
    asked_chrome = changed = 0
    for article in articles:
        cleaned, keys, asked = plain.clean_and_probe(article)
        assert cleaned == plain.clean(article)
        assert keys == chrome_keys(article, settings=settings)
        # Looked-up keys are those of kept short lines: "Advertisement" goes by rule, never looked up.
        assert line_key("Advertisement") not in asked
        assert all(key.count(" ") < settings.short_line_words for key in asked)
        with_chrome = Cleaner(settings, corpus_lines=chrome).clean(article)
        # A key is asked only where the corpus chrome decides its line: an article is cleaned again
        # exactly when it changes (not, say, for a first line, which is never chrome).
        asked_chrome += not asked.isdisjoint(chrome)
        changed += with_chrome != cleaned
        assert asked.isdisjoint(chrome) == (with_chrome == cleaned)
    assert asked_chrome == changed >= 4


@pytest.mark.parametrize("workers", [1, 2])
def test_clean_and_fingerprint_equals_cleaning_with_the_corpus_chrome_first(
    textgen: Any, workers: int
) -> None:
    from newstrace.executors import LocalExecutor

    settings = Settings()
    articles = _chrome_corpus(textgen, 40)
    expected = Cleaner(settings.clean, corpus_lines=corpus_chrome(articles, settings=settings.clean))
    engine = Engine(
        settings,
        embeddings=False,
        executor=LocalExecutor(workers=workers, chunk=8, min_parallel=1, min_parallel_seconds=0),
    )
    cleaned, signatures = engine.clean_and_fingerprint(articles)
    assert cleaned == [expected.clean(a) for a in articles]
    assert [s.article_id for s in signatures] == [a.id for a in articles]
    single = engine.fingerprinter()
    assert [s.terms for s in signatures] == [single.signature(a).terms for a in cleaned]
    assert sum(any(r.reason == "corpus_repeated" for r in a.removed) for a in cleaned) >= 20


def _first_rule(line: str) -> str | None:
    for reason, pattern in _LINE_RULES:
        if pattern.match(line):
            return reason
    return None


def _union_rule(line: str) -> str | None:
    match = _LINE_RULES_RE.match(line)
    return None if match is None or match.lastindex is None else _LINE_RULES[match.lastindex - 1][0]


# Pieces of the rules' lines, to be put together in any order.
RULE_PIECES = [
    "advertisement", "Share", " this", " article", "Read more", ":", " ", "5", "12", ":30", " min read",
    "©", "(c)", "Copyright", " 2024", " All rights reserved", ".", "Updated", "(", ")", "pm", " GMT",
    "Subscribe", " to our newsletter", "Follow us", " on ", "Facebook", "Why you can trust", "This article",
    " was generated with", " AI", "Related", " stories", "news feed", "\n", "x", "İ", "ſ", "K",
]  # fmt: skip


@settings(max_examples=2000, deadline=None, database=None)
@given(st.lists(st.sampled_from(RULE_PIECES), max_size=8).map("".join))
def test_rules_union_names_the_first_rule_that_matches(line: str) -> None:
    assert _union_rule(line) == _first_rule(line)


@pytest.mark.parametrize("line", [line for line, _ in CHROME] + CONTENT)
def test_rules_union_names_the_first_rule_on_examples(line: str) -> None:
    for variant in (line, line.upper(), line.lower(), line + " x", "x " + line):
        assert _union_rule(variant) == _first_rule(variant)
