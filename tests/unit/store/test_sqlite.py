"""The SQLite store: round trips, idempotent adds, replacement, migrations, candidate lookups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from newstrace import Engine
from newstrace.errors import StoreError
from newstrace.ingest import read_inputs
from newstrace.store import SCHEMA_VERSION, StoryQuery, open_store


@pytest.fixture
def seeds(seeds_dir: Path) -> dict[str, object]:
    read = read_inputs([seeds_dir], manifest=seeds_dir / "manifest.jsonl")
    return {a.id: a for a in read.articles}


def test_index_is_incremental_and_idempotent(tmp_path: Path, seeds: dict, lexical_engine: Engine) -> None:
    store = open_store(tmp_path / "i.db")
    first = lexical_engine.index([seeds["000"], seeds["002"], seeds["003"]], store)
    assert first.added == ("000", "002", "003") and first.relations == 0
    second = lexical_engine.index(list(seeds.values()), store)
    assert set(second.added) == {"001", "004"} and set(second.unchanged) == {"000", "002", "003"}
    assert second.relations == 2
    third = lexical_engine.index(list(seeds.values()), store)
    assert third.added == () and store.count() == 5
    pairs = {(r.a, r.b, r.origin) for aid in seeds for r in store.relations_of(aid) if r.kind.derived}
    assert pairs == {("000", "001", "000"), ("003", "004", "003")}
    stories = {s.articles: s.origin for s in store.stories(StoryQuery()).stories}
    assert stories == {("000", "001"): "000", ("002",): "002", ("003", "004"): "003"}


def test_articles_and_signatures_round_trip(tmp_path: Path, seeds: dict, lexical_engine: Engine) -> None:
    store = open_store(tmp_path / "i.db")
    lexical_engine.index(list(seeds.values()), store)
    stored = store.article("004")
    assert stored is not None
    cleaned = lexical_engine.clean([seeds["004"]])[0]
    assert stored.text == cleaned.text and stored.sentences == cleaned.sentences
    assert stored.credits == cleaned.credits and stored.removed == cleaned.removed
    assert stored.published == cleaned.published and stored.outlet == "Caliber.Az"
    signature = store.signatures(["004"])["004"]
    assert (
        signature.minhash.dtype == np.uint32
        and signature.minhash.size == lexical_engine.settings.fingerprint.num_perm
    )
    assert signature.sentence_keys is not None and np.all(
        np.diff(signature.sentence_keys.astype(np.float64)) > 0
    )


def test_changed_content_replaces_the_stored_article(tmp_path: Path, lexical_engine: Engine) -> None:
    from newstrace.records import Article

    store = open_store(tmp_path / "i.db")
    text = "Alpha Corp said on Monday it would buy Beta Ltd for 2 billion dollars. The deal closes in May."
    lexical_engine.index([Article(id="x", raw=text)], store)
    report = lexical_engine.index([Article(id="x", raw=text.replace("May", "June"))], store)
    assert report.added == ("x",) and store.count() == 1
    stored = store.article("x")
    assert stored is not None and "June" in stored.text
    # Document frequencies stay consistent: the old version's terms were withdrawn.
    stats = store.term_stats(["may", "june"])
    assert stats.df.get("may", 0) == 0 and stats.df["june"] == 1


def test_check_names_the_source_without_storing(tmp_path: Path, seeds: dict, lexical_engine: Engine) -> None:
    store = open_store(tmp_path / "i.db")
    lexical_engine.index([seeds[i] for i in ("000", "002", "003")], store)
    result = lexical_engine.check(seeds["004"], store)
    assert result.sources[0] == "003"
    relation = result.relations[0]
    assert relation.kind.derived and relation.origin == "003" and len(relation.alignment.links) >= 10
    assert store.count() == 3


def test_schema_is_versioned_and_newer_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    store = open_store(path)
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="newer newstrace"):
        open_store(path)


def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a newstrace index"):
        open_store(path)


def test_readonly_store_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="index add"):
        open_store(tmp_path / "missing.db", readonly=True)


def test_story_listing_filters_and_paginates(tmp_path: Path, seeds: dict, lexical_engine: Engine) -> None:
    import datetime as dt

    store = open_store(tmp_path / "i.db")
    lexical_engine.index(list(seeds.values()), store)
    page = store.stories(StoryQuery(limit=2))
    assert page.total == 3 and len(page.stories) == 2
    rest = store.stories(StoryQuery(limit=2, offset=2))
    assert len(rest.stories) == 1 and rest.stories[0].id not in {s.id for s in page.stories}
    november = store.stories(StoryQuery(since=dt.date(2024, 11, 1)))
    assert [s.articles for s in november.stories] == [("003", "004")]
    bloomberg = store.stories(StoryQuery(outlet="Bloomberg"))
    assert [s.id for s in bloomberg.stories] == ["s-003"]


def test_an_index_refuses_results_of_other_settings(
    tmp_path: Path, seeds: dict, lexical_engine: Engine
) -> None:
    from newstrace import Settings

    store = open_store(tmp_path / "i.db")
    lexical_engine.index([seeds["000"]], store)
    other = Engine(Settings.load(relate={"rewrite_min_coverage": 0.6}), embeddings=False)
    with pytest.raises(StoreError, match="other settings"):
        other.index([seeds["001"]], store)
    with pytest.raises(StoreError, match="other settings"):
        other.check(seeds["001"], store)
    assert store.count() == 1
    lexical_engine.index([seeds["001"]], store)  # the same settings keep working
    assert store.count() == 2
