"""Speed and peak memory of ``Engine.analyze``, and candidate generation against datasketch.

    python bench/bench_analyze.py                                # 1k and 10k, lexical + default mode
    python bench/bench_analyze.py --sizes 100000 --modes lexical  # one size, one mode
    python bench/bench_analyze.py --no-analyze --sizes 10000      # candidate generation only
    python bench/bench_analyze.py --sizes 10000 --modes lexical --no-candidates --repeat 5 \
        --baseline-src ../base/src                                # alternating with older code, medians

Corpora come from ``bench/corpus.py`` (cached in ``--data-dir``). Every process imports newstrace before
numpy, as the command line does (newstrace then loads numpy with one BLAS thread). Every measurement runs
in a fresh process: a small "measure" process starts the worker and, when it exits, reads the worker's peak RSS from
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``. Timings exclude reading the JSONL (reported apart) and,
in default mode, loading the embedding model (reported apart).

Candidate generation, same input on both sides (each article's raw text, read time excluded): the
engine's MinHash channel (``Fingerprinter.document_minhashes`` over chunks of 64 texts — byte-level token
hashes, word 5-gram shingles, one-permutation MinHash — on the local executor's worker processes, then LSH banding with
``minhash_matrix_pairs``) against datasketch (``MinHash(num_perm=128)`` updated with the word 5-gram
shingles of each article, ``MinHashLSH(threshold=0.5, num_perm=128)`` insert + query, one process). The
engine's whole candidate stage of ``analyze`` with this channel (clean + full fingerprint + LSH) is
timed and reported apart.

Floors are checked and reported, never asserted in tests: candidates >= 20x faster than datasketch;
lexical-only >= 1,000 articles/s; default >= 50 articles/s; time(100k) / time(10k) <= 11.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Before numpy, as the command line does: newstrace then loads numpy's OpenBLAS with one thread
# (newstrace._blas), which is what a user of `newstrace analyze` gets.
importlib.import_module("newstrace")

import numpy as np  # noqa: E402 - after newstrace (above)

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import cached_corpus  # noqa: E402 - bench/ is on the path only from here

__all__ = ["main"]

FLOORS = {
    "candidates_speedup_min": 20.0,
    "lexical_articles_per_s_min": 1000.0,
    "default_articles_per_s_min": 50.0,
    "scaling_100k_over_10k_max": 11.0,
}
_SHINGLE_WORDS = 5
_TOKEN_RE = re.compile(r"\w+")


# ------------------------------------------------------------------------------------------ workers


def _read_articles(engine: Any, path: str) -> tuple[Any, float]:
    started = time.perf_counter()
    read = engine.read([path])
    return read.articles, time.perf_counter() - started


def worker_analyze(path: str, mode: str) -> dict[str, Any]:
    """Read ``path`` and time ``analyze`` in lexical-only or default mode."""
    import newstrace
    from newstrace import Engine, Settings

    engine = Engine(settings=Settings.load(), embeddings=mode == "default")
    articles, read_seconds = _read_articles(engine, path)
    model_seconds = 0.0
    if mode == "default":
        started = time.perf_counter()
        # Load both models before timing analyze: the encoder reads its weights on first use, the NER
        # model loads with the change detector.
        engine.embedder.encode(["warm up"])
        _ = engine.change_detector
        model_seconds = time.perf_counter() - started
    started = time.perf_counter()
    analysis = engine.analyze(articles)
    seconds = time.perf_counter() - started
    return {
        "articles": len(articles),
        "seconds": seconds,
        "read_seconds": read_seconds,
        "model_seconds": model_seconds,
        "relations": len(analysis.relations),
        "stories": len(analysis.stories),
        "source": str(Path(newstrace.__file__).parent),
    }


def worker_engine_candidates(path: str) -> dict[str, Any]:
    """Time the engine's MinHash channel on the raw texts datasketch gets (token hashes, word 5-gram
    shingles, one-permutation MinHash on the local executor's workers, LSH banding), and, reported
    apart, the whole candidate stage of ``analyze`` (clean + fingerprint + LSH)."""
    from newstrace import Engine, Settings
    from newstrace.candidates import minhash_matrix_pairs
    from newstrace.executors import LocalExecutor

    engine = Engine(settings=Settings.load(), embeddings=False)
    articles, read_seconds = _read_articles(engine, path)
    texts = [a.raw for a in articles]
    fingerprinter = engine.fingerprinter()
    started = time.perf_counter()
    chunks = [texts[i : i + 64] for i in range(0, len(texts), 64)]
    # One task per chunk, spread over the usable cores.
    rows = LocalExecutor(chunk=1, min_parallel=2).map("minhash", fingerprinter.document_minhashes, chunks)
    found = minhash_matrix_pairs(np.concatenate(rows), bands=engine.settings.fingerprint.lsh_bands)
    seconds = time.perf_counter() - started
    ids = [a.id for a in articles]
    pair_list = sorted((min(ids[i], ids[j]), max(ids[i], ids[j])) for i, j in found)
    started = time.perf_counter()
    stage_pairs = engine.candidate_pairs(articles, channels=("minhash",))
    stage_seconds = time.perf_counter() - started
    return {
        "articles": len(articles),
        "seconds": seconds,
        "stage_seconds": stage_seconds,
        "stage_pairs": len(stage_pairs),
        "read_seconds": read_seconds,
        "pairs": len(pair_list),
        "pair_list": pair_list,
    }


def worker_datasketch(path: str) -> dict[str, Any]:
    """Time datasketch MinHash + MinHashLSH(threshold=0.5) insert and query on word 5-gram shingles."""
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes: list[tuple[str, Any]] = []
    for record in records:
        tokens = _TOKEN_RE.findall(record["text"].lower())
        shingles = {" ".join(tokens[i : i + _SHINGLE_WORDS]) for i in range(len(tokens) - _SHINGLE_WORDS + 1)}
        signature = MinHash(num_perm=128)
        signature.update_batch([s.encode("utf-8") for s in shingles])
        lsh.insert(str(record["id"]), signature)
        hashes.append((str(record["id"]), signature))
    pairs: set[tuple[str, str]] = set()
    for key, signature in hashes:
        for other in lsh.query(signature):
            if other != key:
                pairs.add((min(key, other), max(key, other)))
    seconds = time.perf_counter() - started
    return {
        "articles": len(records),
        "seconds": seconds,
        "read_seconds": read_seconds,
        "pairs": len(pairs),
        "pair_list": sorted(pairs),
    }


WORKERS = {
    "analyze": lambda a: worker_analyze(a.corpus, a.mode),
    "engine_candidates": lambda a: worker_engine_candidates(a.corpus),
    "datasketch": lambda a: worker_datasketch(a.corpus),
}


# ----------------------------------------------------------------------------------- process levels


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run one worker as a child process and add its peak RSS (this process has no other children)."""
    command = [
        sys.executable,
        __file__,
        "--_worker",
        args._measure,
        "--corpus",
        args.corpus,
        "--mode",
        args.mode,
    ]
    # The worker leads its own process group, so a timeout also stops its forked stage workers.
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as worker:
        try:
            stdout, stderr = worker.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.communicate()
            return {"error": f"timeout after {args.timeout:.0f} s"}
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if worker.returncode != 0:
        return {"error": stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {worker.returncode}"}
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = peak_kb / 1024
    return result


def run_measure(
    kind: str, corpus: Path, mode: str, timeout: float, *, source: str | None = None
) -> dict[str, Any]:
    """A fresh ``--_measure`` process per measurement, so RUSAGE_CHILDREN covers exactly one worker;
    ``source``: a ``src`` folder whose ``newstrace`` is measured instead of the installed one."""
    command = [
        sys.executable,
        __file__,
        "--_measure",
        kind,
        "--corpus",
        str(corpus),
        "--mode",
        mode,
        "--timeout",
        str(timeout),
    ]
    env = None if source is None else {**os.environ, "PYTHONPATH": source}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": done.stderr.strip()[-300:] or f"exit {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -------------------------------------------------------------------------------------------- driver


def _fmt(value: Any, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def machine() -> dict[str, Any]:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gb": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def run(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = [m for m in args.modes.split(",") if m]
    data_dir = Path(args.data_dir)
    results: dict[str, Any] = {"machine": machine(), "analyze": [], "candidates": [], "floors": FLOORS}
    for n in sizes:
        path = cached_corpus(n, args.seed, data_dir)
        if args.candidates:
            engine = run_measure("engine_candidates", path, "lexical", args.timeout)
            sketch = (
                run_measure("datasketch", path, "lexical", args.timeout)
                if n <= args.datasketch_max
                else {"error": f"skipped (> --datasketch-max {args.datasketch_max})"}
            )
            row: dict[str, Any] = {"size": n, "engine": engine, "datasketch": sketch}
            engine_pairs = {tuple(p) for p in engine.pop("pair_list", [])}
            sketch_pairs = {tuple(p) for p in sketch.pop("pair_list", [])}
            if "seconds" in engine and "seconds" in sketch:
                row["speedup"] = sketch["seconds"] / engine["seconds"]
                row["datasketch_pairs_found_by_engine"] = (
                    len(engine_pairs & sketch_pairs) / len(sketch_pairs) if sketch_pairs else None
                )
            results["candidates"].append(row)
            print(f"candidates n={n}: {json.dumps(row)}", file=sys.stderr)
        if args.analyze:
            for mode in modes:
                if mode == "default" and n > args.default_max:
                    continue
                # With a baseline, its run and this code's alternate: machine noise falls on both alike.
                codes = [("baseline", args.baseline_src)] if args.baseline_src else []
                for _ in range(args.repeat):
                    for code, source in [*codes, ("current", None)]:
                        result = run_measure("analyze", path, mode, args.timeout, source=source)
                        result.update({"size": n, "mode": mode, "code": code})
                        if "seconds" in result:
                            result["articles_per_s"] = result["articles"] / result["seconds"]
                        results["analyze"].append(result)
                        print(f"analyze n={n} {mode} {code}: {json.dumps(result)}", file=sys.stderr)
    results["medians"] = medians(results["analyze"])
    results["checks"] = floor_checks(results)
    print(markdown(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


def medians(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median analyze time per (size, mode, code), and the baseline's median over this code's."""
    times: dict[tuple[int, str, str], list[float]] = {}
    for row in rows:
        if "seconds" in row:
            times.setdefault((row["size"], row["mode"], row["code"]), []).append(row["seconds"])
    out = []
    for (size, mode, code), values in times.items():
        if code != "current":
            continue
        entry: dict[str, Any] = {"size": size, "mode": mode, "runs": len(values)}
        entry["seconds"] = float(np.median(values))
        entry["articles_per_s"] = size / entry["seconds"]
        baseline = times.get((size, mode, "baseline"))
        if baseline:
            entry["baseline_seconds"] = float(np.median(baseline))
            entry["speedup"] = entry["baseline_seconds"] / entry["seconds"]
        out.append(entry)
    return out


def floor_checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every floor that could be measured: name, measured value, floor and whether it is met."""
    checks = []
    for row in results["candidates"]:
        if "speedup" in row:
            value = row["speedup"]
            checks.append(_check(f"candidates speedup vs datasketch @{row['size']}", value, ">=", 20.0))
    by_mode: dict[str, dict[int, float]] = {}
    for row in results["analyze"]:
        if "seconds" not in row or row.get("code", "current") != "current":
            continue
        by_mode.setdefault(row["mode"], {})[row["size"]] = row["seconds"]
        floor = FLOORS[
            "lexical_articles_per_s_min" if row["mode"] == "lexical" else "default_articles_per_s_min"
        ]
        checks.append(_check(f"{row['mode']} articles/s @{row['size']}", row["articles_per_s"], ">=", floor))
    for entry in results.get("medians", []):
        if entry["runs"] > 1:
            name = f"{entry['mode']} articles/s @{entry['size']}, median of {entry['runs']}"
            floor = FLOORS[
                "lexical_articles_per_s_min" if entry["mode"] == "lexical" else "default_articles_per_s_min"
            ]
            checks.append(_check(name, entry["articles_per_s"], ">=", floor))
            by_mode.setdefault(entry["mode"], {})[entry["size"]] = entry["seconds"]
    for mode, times in by_mode.items():
        if 100_000 in times and 10_000 in times:
            ratio = times[100_000] / times[10_000]
            checks.append(
                _check(f"{mode} time(100k)/time(10k)", ratio, "<=", FLOORS["scaling_100k_over_10k_max"])
            )
    return checks


def _check(name: str, value: float, op: str, floor: float) -> dict[str, Any]:
    met = value >= floor if op == ">=" else value <= floor
    return {"name": name, "value": value, "op": op, "floor": floor, "met": met}


def markdown(results: dict[str, Any]) -> str:
    lines = []
    m = results["machine"]
    lines.append(f"Machine: {m['cpus']} CPUs, {m['memory_gb']} GB RAM, Python {m['python']}, {m['system']}")
    if results["analyze"]:
        lines += [
            "",
            "| articles | mode | code | analyze (s) | articles/s | peak RSS (MB) | read (s) | model load (s) | relations |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results["analyze"]:
            code = r.get("code", "current")
            if "error" in r:
                lines.append(f"| {r['size']:,} | {r['mode']} | {code} | {r['error']} | | | | | |")
                continue
            lines.append(
                f"| {r['articles']:,} | {r['mode']} | {code} | {r['seconds']:.2f} | {r['articles_per_s']:.0f} | "
                f"{r['peak_rss_mb']:.0f} | {r['read_seconds']:.1f} | {r['model_seconds']:.1f} | {r['relations']:,} |"
            )
    if any(m["runs"] > 1 or "speedup" in m for m in results.get("medians", [])):
        lines += [
            "",
            "| articles | mode | runs | median (s) | articles/s | baseline median (s) | baseline / current |",
            "|---:|---|---:|---:|---:|---:|---:|",
        ]
        for m in results["medians"]:
            lines.append(
                f"| {m['size']:,} | {m['mode']} | {m['runs']} | {m['seconds']:.2f} | {m['articles_per_s']:.0f} | "
                f"{_fmt(m.get('baseline_seconds'), '.2f')} | {_fmt(m.get('speedup'), '.2f')}{'×' if 'speedup' in m else ''} |"
            )
    if results["candidates"]:
        lines += [
            "",
            "| articles | engine MinHash channel (s) | engine pairs | datasketch (s) | datasketch pairs | speedup | "
            "datasketch pairs also found | engine clean + fingerprint + LSH (s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results["candidates"]:
            e, d = r["engine"], r["datasketch"]
            lines.append(
                f"| {r['size']:,} | {_fmt(e.get('seconds'), '.2f')} | {_fmt(e.get('pairs'), ',')} | "
                f"{_fmt(d.get('seconds'), '.2f') if 'seconds' in d else d.get('error', '—')} | "
                f"{_fmt(d.get('pairs'), ',')} | {_fmt(r.get('speedup'), '.1f')}× | "
                f"{_fmt(r.get('datasketch_pairs_found_by_engine'), '.1%')} | {_fmt(e.get('stage_seconds'), '.2f')} |"
            )
    if results["checks"]:
        lines += ["", "| floor | measured | required | met |", "|---|---:|---:|---|"]
        for c in results["checks"]:
            lines.append(
                f"| {c['name']} | {c['value']:.2f} | {c['op']} {c['floor']:g} | {'yes' if c['met'] else 'NO'} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--modes", default="lexical,default", help="lexical and/or default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default=str(BENCH / "data"))
    parser.add_argument("--no-analyze", dest="analyze", action="store_false", help="skip analyze timings")
    parser.add_argument("--no-candidates", dest="candidates", action="store_false", help="skip candidates")
    parser.add_argument(
        "--datasketch-max", type=int, default=100_000, help="largest size to run datasketch on"
    )
    parser.add_argument("--default-max", type=int, default=10_000, help="largest size for default mode")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per measurement")
    parser.add_argument("--repeat", type=int, default=1, help="analyze measurements per size and mode")
    parser.add_argument(
        "--baseline-src",
        help="a src folder (e.g. of a git worktree of an older commit): its analyze runs alternate with "
        "this code's, and the medians are compared",
    )
    parser.add_argument("--json", help="write all results to this file")
    parser.add_argument("--_worker", help=argparse.SUPPRESS)
    parser.add_argument("--_measure", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="lexical", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._worker:
        print(json.dumps(WORKERS[args._worker](args)))
        return 0
    if args._measure:
        print(json.dumps(measure(args)))
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
