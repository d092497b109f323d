"""The Cleaner as a whole: metadata from the first lines, HTML, offsets, and the seed pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace import Article, Settings
from newstrace.clean import _LINE_START_RE, _TRAILER_RE, Cleaner, chrome_keys, corpus_chrome
from newstrace.clean._chrome import BULLETS, SECTION_END_RE, bare_chrome_reason, chrome_reason, line_key
from newstrace.clean._metadata import BYLINE_RE, find_date, is_byline, looks_like_title
from newstrace.ingest import read_inputs


def _clean(raw: str, **fields: Any) -> Article:
    return Cleaner(Settings().clean).clean(Article(id="x", raw=raw, **fields))


def _assert_offsets(article: Article) -> None:
    previous_end = 0
    for i, sentence in enumerate(article.sentences):
        assert sentence.index == i
        assert article.text[sentence.start : sentence.end] == sentence.text
        assert previous_end <= sentence.start
        previous_end = sentence.end


def test_headline_byline_and_date_are_taken_from_the_first_lines() -> None:
    raw = (
        "Troops leave the border region after weeks of talks\n"
        "By Jane Doe June 20, 2024 3 min read\n"
        "Officials in the capital confirmed the withdrawal on Friday. They said more would follow.\n"
    )
    article = _clean(raw)
    assert article.title == "Troops leave the border region after weeks of talks"
    assert article.byline == "By Jane Doe June 20, 2024 3 min read"
    assert article.published == dt.date(2024, 6, 20)
    assert (
        article.text
        == "Officials in the capital confirmed the withdrawal on Friday. They said more would follow."
    )
    assert [s.text for s in article.sentences] == [
        "Officials in the capital confirmed the withdrawal on Friday.",
        "They said more would follow.",
    ]


def test_given_metadata_is_kept_and_a_repeated_title_line_is_removed() -> None:
    raw = "Troops leave the border\nOfficials confirmed the withdrawal on Friday.\n"
    article = _clean(raw, title="Troops leave the border", published=dt.date(2024, 1, 2), outlet="Planet")
    assert (article.title, article.published, article.outlet) == (
        "Troops leave the border",
        dt.date(2024, 1, 2),
        "Planet",
    )
    assert [(r.text, r.reason) for r in article.removed] == [("Troops leave the border", "title")]
    assert article.text == "Officials confirmed the withdrawal on Friday."


def test_bullets_are_stripped_and_offsets_hold() -> None:
    raw = "  \u2022 Ukraine's minister warns the pact threatens regional security.\n- A second point follows here.\n"
    article = _clean(raw)
    assert article.text.splitlines() == [
        "Ukraine's minister warns the pact threatens regional security.",
        "A second point follows here.",
    ]
    _assert_offsets(article)


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Published June 20, 2024 10:29 PM", dt.date(2024, 6, 20)),
        ("20 June 2024", dt.date(2024, 6, 20)),
        ("Sept. 3, 2023", dt.date(2023, 9, 3)),
        ("posted 2024-11-15 by staff", dt.date(2024, 11, 15)),
        ("February 30, 2024", None),
        ("no date in this line", None),
    ],
)
def test_find_date(line: str, date: dt.date | None) -> None:
    assert find_date(line) == date


def test_byline_and_title_shapes() -> None:
    assert is_byline("By Martin Fornusek June 20, 2024 10:29 PM 3 min read")
    assert is_byline("Written by Jane Doe")
    assert not is_byline(
        "Officials confirmed the withdrawal of all the troops from the border region on Friday, " * 2
    )
    assert looks_like_title("Ukraine urges China to play a constructive role")
    assert not looks_like_title("Officials confirmed the withdrawal on Friday.")
    assert not looks_like_title("Too short")


def test_html_is_extracted_with_its_metadata() -> None:
    html = """<html><head><title>Troops leave the border - The Daily Planet</title>
<meta property="og:site_name" content="The Daily Planet"><meta name="author" content="Jane Doe"></head>
<body><nav><a href="/">Home</a> <a href="/s">Subscribe</a></nav><article><h1>Troops leave the border</h1>
<p>Officials in the capital confirmed the withdrawal of all troops from the border region on Friday.</p>
<p>Advertisement</p>
<p>The defence minister said the last units would be home before the end of the month, according to Reuters.</p>
<p>Local residents said they had heard convoys moving through the night and the roads were quiet again.</p>
</article><footer>Copyright 2024 The Daily Planet. All rights reserved.</footer></body></html>"""
    article = Cleaner(Settings().clean).clean(Article(id="h", html=html))
    assert article.text.splitlines() == [
        "Officials in the capital confirmed the withdrawal of all troops from the border region on Friday.",
        "The defence minister said the last units would be home before the end of the month, according to Reuters.",
        "Local residents said they had heard convoys moving through the night and the roads were quiet again.",
    ]
    assert article.outlet == "The Daily Planet"
    assert article.byline == "Jane Doe"
    assert "Advertisement" in [r.text for r in article.removed]
    assert [c.name for c in article.credits] == ["Reuters"]
    _assert_offsets(article)


def test_seed_pages_lose_their_chrome_and_keep_offsets(seeds_dir: Path, truth: dict[str, Any]) -> None:
    read = read_inputs([seeds_dir], manifest=seeds_dir / "manifest.jsonl")
    assert read.skipped == ()
    settings = Settings().clean
    cleaner = Cleaner(settings, corpus_lines=corpus_chrome(read.articles, settings=settings))
    cleaned = {a.id: cleaner.clean(a) for a in read.articles}
    for article_id, examples in truth["boilerplate_examples"].items():
        article = cleaned[article_id]
        removed = {r.text for r in article.removed}
        for example in examples:
            assert example in removed, f"{article_id}: {example!r} not removed"
            assert example not in article.text.splitlines()
    for original in read.articles:
        article = cleaned[original.id]
        _assert_offsets(article)
        # Every non-empty raw line is accounted for: kept, removed (with its line number) or the headline.
        removed_lines = {r.line for r in article.removed}
        kept = set(article.text.split("\n"))
        for number, line in enumerate(original.raw.split("\n"), start=1):
            stripped = line.strip()
            if stripped and number not in removed_lines:
                assert stripped.lstrip("\u2022 ") in kept or stripped == article.title, (original.id, number)
    # A real sentence of the SCMP page survives; the Kuleba credit to the SCMP imprint is found.
    assert "China has said it is neutral in the war between Ukraine and Russia." in cleaned["000"].text
    assert ("This Week In Asia", "told") in {(c.name, c.phrase) for c in cleaned["000"].credits}
    assert "Bloomberg" in {c.name for c in cleaned["004"].credits}
    assert "caliber.az" in {c.name for c in cleaned["004"].credits}


def test_an_opening_sentence_starting_with_by_is_not_a_byline() -> None:
    sentence = "By the end of the week, the troops had left the border region entirely."
    article = _clean(f"Troops leave the border region\n\n{sentence}\nOfficials confirmed it on Friday.\n")
    assert sentence in article.text
    assert article.byline is None


def test_an_opening_sentence_ending_in_a_quotation_is_kept() -> None:
    sentence = "Kuleba said the pact \u201cdisrupts the security balance in the region.\u201d"
    article = _clean(f"{sentence}\nHe spoke to reporters in Kyiv on Tuesday. The talks will go on.\n")
    assert sentence in article.text


# The cleaner tries the section-end, byline and trailer patterns only on lines their union matches.
LINE_STARTS = [
    "Related articles",
    "related:",
    "More from The Times",
    "News feed",
    "By Jane Doe",
    "by jane doe",
    "BY JANE DOE June 20, 2024",
    "Written by \u212aim Lee",
    "Source: caliber.az",
    "SOURCES : Reuters",
    "Originally published by The Guardian",
    "read more at: example.com",
    "Bylines are hard",
    "Sourced from nowhere",
    "The minister said the talks would resume on Friday.",
    "ſource: caliber.az",
    "İstanbul, by the sea",
    "",
]


@pytest.mark.parametrize("line", LINE_STARTS)
def test_line_start_gate_matches_exactly_the_union_of_its_patterns(line: str) -> None:
    expected = any(p.match(line) for p in (SECTION_END_RE, BYLINE_RE, _TRAILER_RE))
    assert (_LINE_START_RE.match(line) is not None) == expected


# Lines of every kind the cleaner tells apart, with bullets, digits and case, short and long.
PROBE_LINES = [
    *LINE_STARTS,
    "Advertisement",
    "- Share",
    "• Menu •",
    "| Print |",
    "Share -",
    "one two three four five six seven eight nine ten eleven twelve —",
    "—",
    "Photo: Jane Doe/Reuters",
    "Copyright 2024 The Times",
    "Subscribe now!",
    "Officials confirmed the withdrawal on Friday.",
    "OFFICIALS confirmed the withdrawal on Friday 12.",
    "Officials  confirmed the withdrawal   on Friday 34.",
    "one two three four five six seven eight nine ten eleven twelve",
    "one two three four five six seven eight nine ten eleven twelve thirteen",
    "- one two three four five six seven eight nine ten eleven twelve",
    "Troops leave the border region after weeks of talks",
]
# Separators between lines: newlines, and the other line boundaries of ``str.splitlines``.
PROBE_SEPARATORS = ["\n", "\n\n", "\n  \n", "\r\n", "\r", "\x0c", "\x1c", "\x85", "\u2028", " \t"]


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.sampled_from(PROBE_LINES), st.sampled_from(PROBE_SEPARATORS)), max_size=14),
    st.sets(st.sampled_from(PROBE_LINES), max_size=4),
)
def test_clean_and_probe_is_clean_plus_chrome_keys(
    parts: list[tuple[str, str]], corpus_lines: set[str]
) -> None:
    """The probe's article is the cleaned one, its chrome keys are :func:`chrome_keys`, whichever line
    boundaries the text holds; its looked-up keys are the short ones among those of kept lines."""
    clean_settings = Settings().clean
    cleaner = Cleaner(clean_settings, corpus_lines=frozenset(map(line_key, corpus_lines)))
    article = Article(id="x", raw="".join(line + sep for line, sep in parts))
    cleaned, keys, asked = cleaner.clean_and_probe(article)
    assert cleaned == cleaner.clean(article)
    assert keys == chrome_keys(article, settings=clean_settings)
    assert all(key.count(" ") < clean_settings.short_line_words for key in asked)
    # Corpus chrome (keys of short lines only) that holds no asked key cleans the article alike; a new
    # asked key changes it.
    short = {k for k in map(line_key, PROBE_LINES) if k.count(" ") < clean_settings.short_line_words}
    others = frozenset(short - asked)
    assert Cleaner(clean_settings, corpus_lines=cleaner.corpus_lines | others).clean(article) == cleaned
    for key in sorted(asked - cleaner.corpus_lines)[:2]:
        assert Cleaner(clean_settings, corpus_lines=cleaner.corpus_lines | {key}).clean(article) != cleaned


@pytest.mark.parametrize("line", PROBE_LINES)
def test_chrome_reason_of_a_bare_line_with_its_count(line: str) -> None:
    """``bare_chrome_reason`` given the word count is ``chrome_reason`` on lines with no bullet at either
    end."""
    stripped = line.strip()
    for limit in (1, 3, 12, 60, 80):
        if stripped and stripped[0] not in BULLETS and stripped[-1] not in BULLETS:
            pieces = len(stripped.split(maxsplit=limit))
            assert bare_chrome_reason(stripped, pieces, limit) == chrome_reason(
                stripped, short_line_words=limit
            )


@pytest.mark.parametrize("line", PROBE_LINES)
def test_a_line_is_removed_for_its_chrome_reason(line: str) -> None:
    """After a first content line, a line the section-end, byline and trailer patterns leave alone is
    removed for its ``chrome_reason`` exactly when it has one, bullets at its ends or not."""
    stripped = line.strip()
    if not stripped or _LINE_START_RE.match(stripped):
        return
    first = "Officials in the capital confirmed the withdrawal of the troops on Friday."
    article = _clean(f"{first}\n{line}\n")
    reason = chrome_reason(stripped, short_line_words=Settings().clean.short_line_words)
    removed = [r.reason for r in article.removed if r.line == 2]
    if reason is not None:
        assert removed == [reason]
    else:
        assert set(removed) <= {"duplicate_line", "title", "corpus_repeated"}
