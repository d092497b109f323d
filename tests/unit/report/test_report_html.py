from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from htmlcheck import Collector, parse_html
from htmlcheck import assert_inert as assert_inert_page

from newstrace.analysis import Analysis
from newstrace.records import Article, Relation
from newstrace.report import relation_html, render_html, write_html


def assert_inert(page: str) -> Collector:
    """Inert (see htmlcheck.assert_inert), and no off-page link may come out of untrusted text."""
    parsed = assert_inert_page(page)
    for name, value in parsed.attrs:
        if name in ("href", "src"):
            assert value is not None and (value.startswith("#") or value.startswith("https://")), value
    return parsed


def test_page_escapes_untrusted_text(analysis: Analysis) -> None:
    page = render_html(analysis)
    parsed = assert_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # ...and the browser shows the text as written.
    text = "".join(parsed.text)
    assert "Copy <script>alert(1)</script>" in text
    assert "Evil <img src=x onerror=alert(1)> Outlet" in text
    assert "reason with <img src=x onerror=alert(1)>" in text


def test_hostile_ids_and_sentences_are_escaped(original: Article, copy: Article, relation: Relation) -> None:
    hostile_id = '"><script>alert(1)</script>'
    bad_sentence = "<img src=x onerror=alert(1)> said the minister."
    evil = dataclasses.replace(
        copy,
        id=hostile_id,
        text=copy.text + " " + bad_sentence,
        sentences=(
            *copy.sentences,
            dataclasses.replace(
                copy.sentences[0],
                index=3,
                start=len(copy.text) + 1,
                end=len(copy.text) + 1 + len(bad_sentence),
                text=bad_sentence,
            ),
        ),
        url="javascript:alert(1)",
    )
    rel = dataclasses.replace(
        relation,
        b=hostile_id,
        alignment=dataclasses.replace(relation.alignment, b=hostile_id),
        reasons=("<b>bold</b> & 'quoted'",),
    )
    analysis = Analysis(
        articles=(original, evil),
        relations=(rel,),
        stories=(),
        threads=(),
        settings={"x<y": "<v>"},
    )
    page = render_html(analysis)
    parsed = assert_inert(page)
    assert "&lt;img src=x onerror=alert(1)&gt; said the minister." in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;quoted&#x27;" in page
    assert "b" not in parsed.tags
    assert "javascript:alert(1)" in "".join(parsed.text)  # shown as text, never as a link


def test_head_is_self_contained(analysis: Analysis) -> None:
    page = render_html(analysis)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "style-src 'unsafe-inline'" in csp.group(1)
    assert "script-src" not in csp.group(1)
    assert "<style>" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "<link" not in page


def test_changed_words_highlighted_on_both_sides(
    original: Article, copy: Article, relation: Relation
) -> None:
    fragment = relation_html(relation, original, copy)
    parse_html(fragment)
    # Original (A) side: removed words; copy (B) side: inserted words.
    assert re.search(r'<del class="chg">12</del>', fragment)
    assert re.search(r'<del class="chg">hurt</del>', fragment)
    assert re.search(r'<ins class="chg">15</ins>', fragment)
    assert re.search(r'<ins class="chg">injured</ins>', fragment)
    # Unchanged words are not highlighted.
    assert not re.search(r'class="chg">[^<]*minister', fragment)
    # Both sides sit in the same row of the side-by-side table.
    row = re.search(r'<tr class="linked edited">(.*?)</tr>', fragment, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert len(cells) == 3
    assert '<del class="chg">12</del>' in cells[0] and '<ins class="chg">15</ins>' in cells[2]
    assert "0.81" in cells[1] and "edited" in cells[1]
    # The change span is marked with its type and severity.
    assert 'class="change sev-high"' in cells[0] and 'class="change sev-high"' in cells[2]


def test_relation_fragment_provenance_and_changes(
    original: Article, copy: Article, relation: Relation
) -> None:
    fragment = relation_html(relation, original, copy)
    text = re.sub(r"\s+", " ", "".join(parse_html(fragment).text))
    assert "wire-1 → zz-copy" in text
    assert "rewrite" in text
    assert "confidence0.87" in text
    assert "A 70% · B 75%" in text
    assert "wire-1 was published a day earlier" in text
    assert "Breaking news from our desk." in text
    assert "Residents described a loud bang." in text
    assert "Police closed the main road on Tuesday." in text
    assert re.search(r'<tr class="unaligned">.*Breaking news from our desk\.', fragment)
    changes = re.search(r'<table class="changes">(.*?)</table>', fragment, re.S)
    assert changes is not None
    assert "<code>number</code>" in changes.group(1)
    assert "0.80" in changes.group(1)
    assert '<del class="chg">12</del> people were <del class="chg">hurt</del>' in changes.group(1)
    assert '<ins class="chg">15</ins> people were <ins class="chg">injured</ins>' in changes.group(1)
    assert "casualty count changed" in changes.group(1)


def test_unknown_origin_uses_neutral_marks(original: Article, copy: Article, relation: Relation) -> None:
    fragment = relation_html(dataclasses.replace(relation, origin=None), copy, original)  # swapped is fine
    assert '<mark class="chg">12</mark>' in fragment
    assert '<mark class="chg">15</mark>' in fragment
    assert "<del" not in fragment and "<ins" not in fragment
    assert "unknown" in fragment


def test_relation_fragment_rejects_other_articles(original: Article, relation: Relation) -> None:
    with pytest.raises(ValueError, match="do not match"):
        relation_html(relation, original, Article(id="stranger"))


def test_page_sections(analysis: Analysis) -> None:
    page = render_html(analysis)
    text = "".join(parse_html(page).text)
    for expected in ("Articles", "Stories", "Threads", "Relations", "Skipped inputs (1)", "feed.jsonl:3"):
        assert expected in text, expected
    assert "2 articles · 1 relations (1 derived) · 1 stories · 1 threads" in text
    # Removed page chrome is listed in a collapsed <details> on the article row.
    details = re.search(r"<details><summary>1</summary><ol>(.*?)</ol></details>", page, re.S)
    assert details is not None
    assert "Subscribe to our newsletter" in details.group(1)
    assert "boilerplate" in details.group(1)
    # Article links point at article rows that exist.
    ids = {value for name, value in parse_html(page).attrs if name == "id"}
    hrefs = {
        value[1:] for name, value in parse_html(page).attrs if name == "href" and value and value[0] == "#"
    }
    assert hrefs <= ids


def test_missing_article_is_reported_not_raised(analysis: Analysis) -> None:
    page = render_html(dataclasses.replace(analysis, articles=analysis.articles[:1]))
    assert "is missing from this analysis" in page


def test_write_html(analysis: Analysis, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_html(analysis, target)
    assert target.read_text(encoding="utf-8") == render_html(analysis)
