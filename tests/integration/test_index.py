"""The persistent index as a user runs it: crash safety under SIGKILL, readers during a write, check."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from newstrace.store import StoryQuery, open_store

CLI = [sys.executable, "-m", "newstrace.cli"]


def _corpus(path: Path, textgen: Any, n: int) -> list[str]:
    """``n`` articles: unrelated stories plus a lightly edited copy of every fifth one."""
    gen = textgen(11)
    ids = []
    with path.open("w", encoding="utf-8") as out:
        originals: list[list[str]] = []
        for i in range(n):
            if i % 5 == 4 and originals:
                sentences = list(originals[-1])
                sentences[1] = gen.sentence()
            else:
                sentences = gen.sentences(12)
                originals.append(sentences)
            ids.append(f"a{i:04d}")
            out.write(json.dumps({"id": ids[-1], "text": gen.article(sentences)}) + "\n")
    return ids


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def _consistent(db: Path) -> dict[str, int]:
    """Invariants of a store no crash may break; returns row counts."""
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        signatures = conn.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
        assert articles == signatures, "every article has exactly one signature"
        orphans = conn.execute(
            "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM band_keys k WHERE k.article_id = a.id)"
        ).fetchone()[0]
        assert orphans == 0, "every article has its band keys"
        dangling = conn.execute(
            "SELECT COUNT(*) FROM relations r WHERE r.a NOT IN (SELECT id FROM articles) "
            "OR r.b NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        assert dangling == 0, "relations only between stored articles"
        df_total = conn.execute("SELECT COALESCE(SUM(n), 0) FROM df").fetchone()[0]
        terms_total = sum(
            len([t for t in terms.split("\n") if t])
            for (terms,) in conn.execute("SELECT terms FROM signatures")
        )
        assert df_total == terms_total, "document frequencies match the stored articles"
        members = conn.execute("SELECT COUNT(*) FROM story_members").fetchone()[0]
        assert members == articles, "every article belongs to one story"
        return {
            "articles": articles,
            "relations": conn.execute("SELECT COUNT(*) FROM relations").fetchone()[0],
        }


@pytest.mark.slow
def test_sigkill_during_index_add_loses_nothing(tmp_path: Path, textgen: Any) -> None:
    corpus = tmp_path / "corpus.jsonl"
    ids = _corpus(corpus, textgen, 600)
    db = tmp_path / "index.db"
    command = [
        *CLI,
        "index",
        "add",
        str(corpus),
        "--store",
        str(db),
        "--no-embeddings",
        "--quiet",
        "--batch-size",
        "20",
    ]
    kills = 0
    for _ in range(4):
        before = _stored(db)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill as soon as the run has committed something new: that is mid-run, between or inside batches.
        deadline = time.monotonic() + 120
        while process.poll() is None and _stored(db) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        _consistent(db)
    assert kills >= 2, "the run must really be interrupted for this test to mean anything"
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    counts = _consistent(db)
    assert counts["articles"] == len(ids)
    with sqlite3.connect(db) as conn:
        stored = sorted(row[0] for row in conn.execute("SELECT id FROM articles"))
    assert stored == ids
    # The same relations as an uninterrupted run.
    clean_db = tmp_path / "clean.db"
    subprocess.run([*CLI, "index", "add", str(corpus), "--store", str(clean_db), "--no-embeddings", "--quiet",
                    "--batch-size", "20"], check=True, timeout=600)  # fmt: skip
    assert _consistent(clean_db) == counts


@pytest.mark.slow
def test_readers_keep_working_while_a_writer_adds(tmp_path: Path, textgen: Any) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus, textgen, 300)
    db = tmp_path / "index.db"
    open_store(db).close()  # create the schema first so readers can open it
    writer = subprocess.Popen(
        [
            *CLI,
            "index",
            "add",
            str(corpus),
            "--store",
            str(db),
            "--no-embeddings",
            "--quiet",
            "--batch-size",
            "25",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    reader = open_store(db, readonly=True)
    seen = []
    try:
        while writer.poll() is None:
            seen.append(reader.count())
            page = reader.stories(StoryQuery(limit=5))
            assert page.total >= len(page.stories)
            time.sleep(0.05)
    finally:
        reader.close()
    _, errors = writer.communicate()
    assert writer.returncode == 0, errors
    assert seen == sorted(seen), "readers see the index grow, never shrink or break"
    assert len(set(seen)) >= 3, "reads happened while the writer was adding"


def test_index_then_check_names_the_source(tmp_path: Path, seeds_dir: Path) -> None:
    db = tmp_path / "index.db"
    subprocess.run(
        [*CLI, "index", "add", str(seeds_dir), "--manifest", str(seeds_dir / "manifest.jsonl"), "--store", str(db),
         "--no-embeddings", "--quiet"],
        check=True, timeout=300,
    )  # fmt: skip
    out = subprocess.run(
        [*CLI, "check", str(seeds_dir / "004_942773ed6d88f848.txt"), "--store", str(db), "--no-embeddings",
         "--json", "-"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert result["sources"][0] == "003"
    rewrite = next(r for r in result["relations"] if "003" in (r["a"], r["b"]))
    assert rewrite["origin"] == "003" and len(rewrite["aligned"]) >= 10
    table = subprocess.run(
        [*CLI, "check", str(seeds_dir / "004_942773ed6d88f848.txt"), "--store", str(db), "--no-embeddings"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert "Bloomberg" in table.stdout and "rewrite" in table.stdout


def test_check_without_an_index_says_how_to_make_one(tmp_path: Path, seeds_dir: Path) -> None:
    out = subprocess.run(
        [*CLI, "check", str(seeds_dir / "004_942773ed6d88f848.txt"), "--store", str(tmp_path / "none.db")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2 and "index add" in out.stderr
