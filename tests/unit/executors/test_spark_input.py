"""Spark input: which reader takes which input, and JSONL read in Spark gives the local reader's
articles and problems (same sources, lines and messages); Parquet input gives the same articles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from newstrace import Engine
from newstrace.executors._spark_input import classify


def test_inputs_are_classified_by_suffix_scheme_and_content(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "part-0.parquet").write_bytes(b"")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("text")
    assert classify(str(tmp_path / "x.jsonl")) == "jsonl"
    assert classify(str(tmp_path / "x.NDJSON")) == "jsonl"
    assert classify(str(tmp_path / "*.jsonl")) == "jsonl"
    assert classify("hdfs://namenode/news/2024-07-23/") == "jsonl"
    assert classify("s3a://bucket/news.parquet") == "parquet"
    assert classify(str(tmp_path / "parts")) == "parquet"
    assert classify(str(tmp_path / "texts")) == "driver"
    assert classify(str(tmp_path / "texts" / "a.txt")) == "driver"
    assert classify("-") == "driver"


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode() + b"\n"


def _text(gen: Any) -> str:
    return gen.article(gen.sentences(8))


def test_jsonl_problems_and_articles_equal_the_local_reader(
    spark_executor: Any, textgen: Any, tmp_path: Path
) -> None:
    gen = textgen(41)
    shared = _text(gen)
    good = tmp_path / "good.jsonl"
    good.write_bytes(
        b"\xef\xbb\xbf"
        + _line({"id": "a1", "text": shared})
        + b"\n"
        + b'{"id": "a2", "text": \n'
        + _line({"text": "no id"})
        + b'{"id": "a3", "text": "caf\xe9"}\n'
        + _line({"id": 7, "text": _text(gen), "published": "2024-07-23"}).replace(b"\n", b"\r\n")
        + _line({"id": "a1", "text": "a repeated id"})
        + _line({"id": "a4", "text": shared, "outlet": "Own outlet"})
        + _line({"id": "a5", "html": "<html><body><p>" + _text(gen) + "</p></body></html>"})
        + _line({"id": "a6", "text": "", "title": "empty"})
    )
    other = tmp_path / "other.ndjson"
    other.write_bytes(
        _line({"id": "7", "text": "same id as line 6 of good"}) + _line({"id": "b1", "text": shared})
    )
    (tmp_path / "binary.jsonl").write_bytes(b'{"id": "z"}\x00\n')
    (tmp_path / "empty.jsonl").write_bytes(b"\n  \n")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "t1.txt").write_text(shared, encoding="utf-8")
    (texts / "t2.txt").write_text("", encoding="utf-8")
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        json.dumps({"id": "a4", "outlet": "Manifest outlet", "published": "2024-07-20"})
        + "\n"
        + json.dumps({"id": "b1", "outlet": "Wire"})
        + "\n"
        + json.dumps({"file": "t1.txt", "published": "2024-07-19"})
        + "\n"
        + json.dumps({"id": "nobody", "outlet": "x"})
        + "\n{bad\n",
        encoding="utf-8",
    )
    paths = [
        str(good),
        str(tmp_path / "missing.jsonl"),
        str(other),
        str(tmp_path / "binary.jsonl"),
        str(tmp_path / "empty.jsonl"),
        str(texts),
    ]
    engine = Engine(embeddings=False)
    read = engine.read(paths, manifest=manifest)
    local = engine.analyze(read.articles, skipped=read.skipped).to_json()
    assert len(local["skipped"]) >= 9
    assert [a["id"] for a in local["articles"]] == ["a1", "7", "a4", "a5", "b1", "t1"]
    found = spark_executor.run(engine, paths, manifest=manifest, collect=True)
    assert found.analysis is not None
    assert [str(e) for e in found.skipped] == [str(e) for e in read.skipped]
    assert found.analysis.to_json() == local


def test_parquet_input_gives_the_articles_of_the_same_jsonl(
    spark_executor: Any, textgen: Any, tmp_path: Path
) -> None:
    from pyspark.sql.types import DateType, LongType, StringType, StructField, StructType

    gen = textgen(42)
    texts = [_text(gen) for _ in range(6)]
    texts += [texts[0], texts[1]]
    rows = [
        (i, t, f"Outlet {i % 3}", dt.date(2024, 7, 1 + i) if i % 2 else None) for i, t in enumerate(texts)
    ]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"id": i, "text": t, "outlet": o, "published": d.isoformat() if d else None}) + "\n"
            for i, t, o, d in rows
        ),
        encoding="utf-8",
    )
    schema = StructType(
        [
            StructField("id", LongType()),
            StructField("text", StringType()),
            StructField("outlet", StringType()),
            StructField("published", DateType()),
        ]
    )
    target = tmp_path / "in.parquet"
    spark_executor.spark.createDataFrame(rows, schema).coalesce(1).write.parquet(str(target))
    engine = Engine(embeddings=False)
    expected = engine.analyze(engine.read([jsonl]).articles).to_json()
    found = spark_executor.run(engine, [str(target)], collect=True)
    assert found.skipped == ()
    assert found.analysis is not None
    data = found.analysis.to_json()
    for article in [*data["articles"], *expected["articles"]]:
        assert article.pop("source").endswith((":1", ":2", ":3", ":4", ":5", ":6", ":7", ":8"))
    assert data == expected
    assert len(data["relations"]) == 2
