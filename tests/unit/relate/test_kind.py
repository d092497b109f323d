"""Relation kind: copies are duplicates, spun copies rewrites, reused blocks partial; shared quotations
alone are quoting, not copying; same-story needs similar documents from the same period."""

from __future__ import annotations

from typing import Any

from newstrace import Alignment, Article, Engine, Link, LinkType, Relation, RelationKind, Settings
from newstrace.relate import decide_kind

RELATE = Settings().relate


def _compare(engine: Engine, a_text: str, b_text: str) -> Relation:
    relation, _, _ = engine.compare(Article(id="a", raw=a_text), Article(id="b", raw=b_text))
    return relation


def test_a_verbatim_copy_with_page_chrome_is_a_duplicate(textgen: Any, lexical_engine: Engine) -> None:
    gen = textgen(51)
    sentences = gen.sentences(10)
    copy = "Advertisement\nSubscribe\n" + gen.article(sentences, per_paragraph=2) + "Share this article\n"
    relation = _compare(lexical_engine, gen.article(sentences), copy)
    assert relation.kind is RelationKind.DUPLICATE
    assert relation.kind.derived
    assert relation.alignment.coverage_a == relation.alignment.coverage_b == 1.0
    assert any("near-verbatim" in r for r in relation.reasons)


def test_a_synonym_spun_copy_is_a_rewrite(textgen: Any, lexical_engine: Engine) -> None:
    gen = textgen(52)
    sentences = gen.sentences(10)
    relation = _compare(
        lexical_engine, gen.article(sentences), gen.article(gen.synonyms(sentences, rate=0.3))
    )
    assert relation.kind is RelationKind.REWRITE
    assert [(lk.a, lk.b) for lk in relation.alignment.links] == [(i, i) for i in range(10)]


def test_a_reused_block_inside_an_independent_article_is_partial(
    textgen: Any, lexical_engine: Engine
) -> None:
    gen = textgen(53)
    source = gen.sentences(16)
    own = gen.sentences(12)
    reuse = own[:6] + source[5:9] + own[6:]
    relation = _compare(lexical_engine, gen.article(source), gen.article(reuse))
    assert relation.kind is RelationKind.PARTIAL
    assert relation.kind.derived
    assert [(lk.a, lk.b) for lk in relation.alignment.links] == [(5, 6), (6, 7), (7, 8), (8, 9)]


def test_independent_texts_sharing_one_quotation_are_not_derived(
    textgen: Any, lexical_engine: Engine
) -> None:
    gen = textgen(54)
    quote = gen.quote("Qakolu")
    a = gen.article([*gen.sentences(5), quote, *gen.sentences(5)])
    b = gen.article([*gen.sentences(2), quote, *gen.sentences(7)])
    relation = _compare(lexical_engine, a, b)
    assert not relation.kind.derived
    assert relation.origin is None
    assert [lk.quote_only for lk in relation.alignment.links] == [True]
    assert any("quoting, not copying" in r for r in relation.reasons)


def test_independent_texts_sharing_two_quotations_are_not_derived(
    textgen: Any, lexical_engine: Engine
) -> None:
    gen = textgen(55)
    first, second = gen.quote("Qakolu"), gen.quote("Qakolu", n_words=22)
    a = gen.article([*gen.sentences(4), first, *gen.sentences(3), second, *gen.sentences(3)])
    b = gen.article([first, *gen.sentences(6), second, *gen.sentences(2)])
    relation = _compare(lexical_engine, a, b)
    assert len(relation.alignment.links) == 2
    assert not relation.kind.derived


def test_unrelated_texts_are_unrelated(textgen: Any, lexical_engine: Engine) -> None:
    gen = textgen(56)
    relation = _compare(lexical_engine, gen.article(gen.sentences(8)), gen.article(gen.sentences(8)))
    assert relation.kind is RelationKind.UNRELATED
    assert relation.origin is None


def _alignment(links: list[Link], coverage: float, quote_coverage: float = 0.0) -> Alignment:
    return Alignment(
        "a", "b", tuple(links), coverage, coverage, quote_coverage, quote_coverage, len(links), 1.0
    )


def _link(i: int, *, quote_only: bool = False, kind: LinkType = LinkType.VERBATIM) -> Link:
    return Link(i, i, (i * 10, i * 10 + 9), (i * 10, i * 10 + 9), 1.0, kind, quote_only)


def test_quote_only_coverage_does_not_count_without_other_shared_sentences() -> None:
    # Everything aligned is one long shared quotation.
    quoted = _alignment([_link(0, quote_only=True)], coverage=0.9, quote_coverage=0.9)
    kind, _, reasons = decide_kind(quoted, doc_similarity=0.05, settings=RELATE, same_period=True)
    assert kind is RelationKind.UNRELATED
    assert any("quoting, not copying" in r for r in reasons)
    # The same coverage outside quotations is a copy.
    copied = _alignment([_link(0), _link(1), _link(2)], coverage=0.9)
    assert (
        decide_kind(copied, doc_similarity=0.05, settings=RELATE, same_period=True)[0]
        is RelationKind.DUPLICATE
    )


def test_same_story_needs_similar_documents_from_the_same_period() -> None:
    none = _alignment([], coverage=0.0)
    similar = 0.9
    assert (
        decide_kind(none, doc_similarity=similar, settings=RELATE, same_period=True)[0]
        is RelationKind.SAME_STORY
    )
    assert (
        decide_kind(none, doc_similarity=similar, settings=RELATE, same_period=None)[0]
        is RelationKind.SAME_STORY
    )
    assert (
        decide_kind(none, doc_similarity=similar, settings=RELATE, same_period=False)[0]
        is RelationKind.UNRELATED
    )
    assert (
        decide_kind(none, doc_similarity=0.01, settings=RELATE, same_period=True)[0] is RelationKind.UNRELATED
    )


def test_confidence_is_in_range_and_reasons_are_sentences() -> None:
    for alignment, similarity in (
        (_alignment([_link(0), _link(1), _link(2)], coverage=1.0), 0.9),
        (
            _alignment(
                [_link(0, kind=LinkType.PARAPHRASE), _link(1, kind=LinkType.PARAPHRASE), _link(2)], 0.6
            ),
            0.5,
        ),
        (_alignment([], coverage=0.0), 0.0),
    ):
        kind, confidence, reasons = decide_kind(
            alignment, doc_similarity=similarity, settings=RELATE, same_period=True
        )
        assert 0.0 <= confidence <= 1.0
        assert all(isinstance(r, str) and r for r in reasons)
        if kind is not RelationKind.UNRELATED:
            assert reasons


def test_derived_kinds() -> None:
    assert {k for k in RelationKind if k.derived} == {
        RelationKind.DUPLICATE,
        RelationKind.REWRITE,
        RelationKind.PARTIAL,
    }
