from __future__ import annotations

import dataclasses

from rich.console import Console

from newstrace.analysis import Analysis
from newstrace.records import Article, Relation
from newstrace.report import print_analysis, print_relation


def record() -> Console:
    return Console(record=True, width=160, color_system=None)


def test_print_relation_shows_provenance_and_aligned_sentences(
    original: Article, copy: Article, relation: Relation
) -> None:
    console = record()
    print_relation(relation, original, copy, console=console)
    out = console.export_text()
    assert "rewrite" in out
    assert "wire-1 → zz-copy" in out
    assert "0.87" in out
    assert "70% · B 75%" in out
    assert "wire-1 was published a day earlier" in out
    assert "The minister said 12 people were hurt in the blast." in out
    assert "The minister said 15 people were injured in the blast." in out
    assert "Police closed the main road on Tuesday." in out
    # Unaligned sentences of both sides are shown too.
    assert "Breaking news from our desk." in out
    assert "Residents described a loud bang." in out
    # The change list.
    assert "number" in out
    assert "casualty count changed" in out
    # Untrusted text is printed literally, not as markup.
    assert "<script>alert(1)</script>" in out


def test_print_relation_styles_changed_words_on_both_sides(
    original: Article, copy: Article, relation: Relation
) -> None:
    console = Console(record=True, width=160, force_terminal=True, color_system="standard")
    print_relation(relation, original, copy, console=console)
    ansi = console.export_text(styles=True)
    bold_red, bold_green = "\x1b[1;31m", "\x1b[1;32m"
    # Changed words inside the change span are also underlined.
    assert "\x1b[1;4;31m12\x1b[0m" in ansi
    assert "\x1b[1;4;31mhurt\x1b[0m" in ansi
    assert "\x1b[1;4;32m15\x1b[0m" in ansi
    assert "\x1b[1;4;32minjured\x1b[0m" in ansi
    # In the change list the differing words are highlighted too (no underline there).
    assert f"{bold_red}12\x1b[0m" in ansi
    assert f"{bold_green}injured\x1b[0m" in ansi
    assert f"{bold_red}minister" not in ansi


def test_print_relation_unknown_origin(original: Article, copy: Article, relation: Relation) -> None:
    console = record()
    print_relation(dataclasses.replace(relation, origin=None), copy, original, console=console)
    out = console.export_text()
    assert "unknown" in out
    assert "The minister said 15 people were injured in the blast." in out


def test_print_analysis_tables(analysis: Analysis) -> None:
    console = record()
    print_analysis(analysis, console=console)
    out = console.export_text()
    for expected in (
        "Articles",
        "Relations",
        "Stories",
        "Threads",
        "wire-1",
        "Wire Agency",
        "2024-03-01",
        "Blast injures 12",
        "wire-1 ↔ zz-copy",
        "rewrite",
        "wire-1 → zz-copy",
        "70% / 75%",
        "0.87",
        "• wire-1 was published a day earlier",
        "s1",
        "t1",
        "feed.jsonl:3",
        "not valid JSON",
        "Copy <script>alert(1)</script>",
    ):
        assert expected in out, expected
    assert "Subscribe to our newsletter" not in out


def test_print_analysis_show_removed(analysis: Analysis) -> None:
    console = record()
    print_analysis(analysis, console=console, show_removed=True)
    out = console.export_text()
    assert "Subscribe to our newsletter" in out
    assert "boilerplate" in out


def test_print_analysis_empty() -> None:
    console = record()
    print_analysis(Analysis(articles=(), relations=(), stories=(), threads=(), settings={}), console=console)
    out = console.export_text()
    assert "No relations." in out
    assert "Skipped" not in out


def test_print_analysis_caps_each_table_and_says_how_many_more(analysis: Analysis) -> None:
    assert len(analysis.articles) >= 2  # the cap below must cut the articles table
    console = record()
    print_analysis(analysis, console=console, max_rows=1)
    out = console.export_text()
    first, second = analysis.articles[0].id, analysis.articles[1].id
    assert first in out.split("Relations")[0] and second not in out.split("Relations")[0]
    assert f"… {len(analysis.articles) - 1:,} more articles not shown" in out
    assert "more relations" not in out  # one relation: all shown
    # Without a cap (the default) every row is there and nothing is said about more.
    console = record()
    print_analysis(analysis, console=console)
    out = console.export_text()
    assert second in out.split("Relations")[0] and "not shown" not in out
