"""Hand-built articles and relations for the report tests (sentence offsets computed from the text)."""

from __future__ import annotations

import datetime as dt

import pytest

from newstrace.analysis import Analysis
from newstrace.errors import InputError
from newstrace.records import (
    Alignment,
    Article,
    Change,
    ChangeType,
    Credit,
    Link,
    LinkType,
    Relation,
    RelationKind,
    RemovedLine,
    Sentence,
    Story,
    Thread,
)

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


def make_article(
    article_id: str,
    sentences: list[str],
    *,
    title: str | None = None,
    outlet: str | None = None,
    published: dt.date | None = None,
    credits: tuple[Credit, ...] = (),
    removed: tuple[RemovedLine, ...] = (),
) -> Article:
    """An article whose text is the sentences joined by spaces, with exact offsets."""
    text = ""
    records: list[Sentence] = []
    for i, sentence in enumerate(sentences):
        if text:
            text += " "
        start = len(text)
        text += sentence
        records.append(Sentence(index=i, start=start, end=len(text), text=sentence))
    article = Article(
        id=article_id,
        raw=text,
        text=text,
        sentences=tuple(records),
        title=title,
        outlet=outlet,
        published=published,
        credits=credits,
        removed=removed,
    )
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
    return article


def span(article: Article, index: int) -> tuple[int, int]:
    sentence = article.sentences[index]
    return sentence.start, sentence.end


def find(article: Article, needle: str) -> tuple[int, int]:
    start = article.text.index(needle)
    return start, start + len(needle)


@pytest.fixture
def original() -> Article:
    return make_article(
        "wire-1",
        [
            "The minister said 12 people were hurt in the blast.",
            "Police closed the main road on Tuesday.",
            "Residents described a loud bang.",
        ],
        title="Blast injures 12",
        outlet="Wire Agency",
        published=dt.date(2024, 3, 1),
        credits=(Credit(name="Police", phrase="Police said", start=-1, end=-1),),
        removed=(RemovedLine(text="Subscribe to our newsletter", line=7, reason="boilerplate"),),
    )


@pytest.fixture
def copy() -> Article:
    return make_article(
        "zz-copy",
        [
            "Breaking news from our desk.",
            "The minister said 15 people were injured in the blast.",
            "Police closed the main road on Tuesday.",
        ],
        title=f"Copy {XSS_SCRIPT}",
        outlet=f"Evil {XSS_IMG} Outlet",
        published=dt.date(2024, 3, 2),
    )


@pytest.fixture
def relation(original: Article, copy: Article) -> Relation:
    links = (
        Link(a=0, b=1, a_span=span(original, 0), b_span=span(copy, 1), score=0.81, type=LinkType.EDITED),
        Link(a=1, b=2, a_span=span(original, 1), b_span=span(copy, 2), score=1.0, type=LinkType.VERBATIM),
    )
    alignment = Alignment(
        a=original.id,
        b=copy.id,
        links=links,
        coverage_a=0.7,
        coverage_b=0.75,
        quote_coverage_a=0.0,
        quote_coverage_b=0.0,
        longest_run=2,
        in_order=1.0,
    )
    change = Change(
        type=ChangeType.NUMBER,
        original="12 people were hurt",
        copy="15 people were injured",
        original_span=find(original, "12 people were hurt"),
        copy_span=find(copy, "15 people were injured"),
        severity=0.8,
        detail="casualty count changed",
    )
    return Relation(
        a=original.id,
        b=copy.id,
        kind=RelationKind.REWRITE,
        origin=original.id,
        confidence=0.87,
        reasons=("wire-1 was published a day earlier", f"reason with {XSS_IMG}"),
        alignment=alignment,
        algorithm="relate-v1",
        changes=(change,),
    )


@pytest.fixture
def analysis(original: Article, copy: Article, relation: Relation) -> Analysis:
    return Analysis(
        articles=(original, copy),
        relations=(relation,),
        stories=(Story(id="s1", articles=(original.id, copy.id), origin=original.id),),
        threads=(Thread(id="t1", stories=("s1",), articles=(original.id, copy.id)),),
        settings={"relate": "relate-v1"},
        skipped=(InputError("not valid JSON", source="feed.jsonl", line=3),),
    )
