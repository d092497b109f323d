"""The Spark executor's candidate generation equals ``newstrace.candidates`` (pairs, channels, thread
pairs), in-memory analysis equals ``Engine.analyze``, and a missing pyspark is named."""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest

from newstrace import Article, Engine
from newstrace.candidates import anchor_pairs, candidate_pairs
from newstrace.errors import ExtraNotInstalledError
from newstrace.fingerprint import TermStats


def _corpus(textgen: Any) -> list[Article]:
    """Unrelated texts, 70 identical copies (an LSH bucket over ``max_bucket``), near copies, partial
    reuse and articles sharing only rare names, under ids whose order is not the order of creation."""
    gen = textgen(31, vocab_size=3000)
    texts: list[str] = []
    base = [gen.article(gen.sentences(10)) for _ in range(40)]
    texts += base
    texts += [base[0]] * 70
    for i in range(1, 8):
        words = base[i].split(" ")
        for k in range(5, len(words), 15):
            words[k] = gen.word()
        texts.append(" ".join(words))
    for i in range(8, 14):
        sentences = base[i].replace("\n\n", " ").split(". ")
        texts.append(gen.article([*gen.sentences(6), ". ".join(sentences[2:6]) + "."]))
    names = [gen.name() for _ in range(8)]
    texts += [gen.article(gen.sentences(10, extra=names)) for _ in range(4)]
    rng = random.Random(5)
    ids = [f"x{rng.randrange(10**8):08d}" for _ in texts]
    return [Article(id=i, raw=t) for i, t in zip(ids, texts, strict=True)]


def test_candidate_and_thread_pairs_equal_the_local_ones(spark_executor: Any, textgen: Any) -> None:
    from newstrace.executors._spark import _channel_names, _Job

    engine = Engine(embeddings=False)
    articles = engine.clean(_corpus(textgen))
    fingerprinter = engine.fingerprinter()
    signatures = sorted((fingerprinter.signature(a) for a in articles), key=lambda s: s.article_id)
    stats = TermStats.from_signatures(signatures)
    fp = engine.settings.fingerprint
    shared = anchor_pairs(signatures, stats, settings=fp)
    local = candidate_pairs(signatures, stats, settings=fp, shared_anchors=shared)
    ids = [s.article_id for s in signatures]
    local_threads = {
        (ids[i], ids[j]): stats.cosine(signatures[i].terms, signatures[j].terms) for i, j in shared
    }
    assert any("minhash" in p.channels for p in local)
    assert any("sentences" in p.channels for p in local)
    assert any("anchors" in p.channels for p in local)
    assert len(local_threads) > 20
    assert len(local) < 110 * 109 // 2  # the big bucket gives a band of pairs, not all of them

    spark = spark_executor.spark
    sc = spark.sparkContext
    job = _Job(spark, engine, partitions=4)
    sigs = sc.parallelize([(s.article_id, s) for s in signatures], 4)
    shared_stats = sc.broadcast(stats)
    info = job._candidate_info(sigs, shared_stats)
    scored = job._score(info, sigs.mapValues(lambda s: s.terms), shared_stats).collect()
    channels = {pair: _channel_names(mask) for pair, (mask, _) in info.collect()}
    candidates = sorted((r[1][0], r[1][1]) for r in scored if r[0] == "c")
    threads = {(r[1][0], r[1][1]): r[1][2] for r in scored if r[0] == "t"}

    assert candidates == [(p.a, p.b) for p in local]
    assert {pair: channels[pair] for pair in candidates} == {(p.a, p.b): p.channels for p in local}
    assert threads == local_threads


def test_in_memory_analysis_equals_the_local_one(spark_executor: Any, textgen: Any) -> None:
    articles = _corpus(textgen)[100:]
    engine = Engine(embeddings=False)
    local = engine.analyze(articles)
    assert local.relations
    found = spark_executor.analyze(engine, articles)
    assert found.to_json() == local.to_json()


def test_map_runs_in_this_process(spark_executor: Any) -> None:
    assert spark_executor.map("stage", lambda x: x * 2, [1, 2, 3]) == [2, 4, 6]


def test_a_missing_pyspark_is_named_with_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.executors import SparkExecutor

    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(ExtraNotInstalledError) as caught:
        SparkExecutor()
    assert caught.value.extra == "spark"
    assert "pip install 'newstrace[spark]'" in str(caught.value)
