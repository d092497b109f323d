"""Local executor against Spark ``local[N]``: articles/s, peak memory, and (``--check-equal``) equal output.

    python bench/bench_spark.py                          # 1,000 articles, lexical mode
    python bench/bench_spark.py --sizes 10000,100000     # the record in docs/benchmarks.md
    python bench/bench_spark.py --sizes 1000 --check-equal

Corpora come from ``bench/corpus.py --n N --seed 1`` (cached in ``--data-dir``, gitignored). Every
measurement runs in a fresh process: a "measure" process starts the worker in its own session and samples
the resident memory of the worker's whole process tree (the JVM and Spark's Python workers included; the
local executor's forked workers too) every ``--sample`` seconds from ``/proc``; the peak of that sum is
reported with the time.

* ``local``: ``engine.read`` + ``engine.analyze`` (the local executor forks one worker per core).
* ``spark``: ``SparkExecutor(master).run(engine, [corpus.jsonl])``: reading the JSONL happens inside Spark;
  starting the session (JVM) is timed apart. Per-stage times come from the executor's log.

Both run in lexical mode (``Engine(embeddings=False)``) unless ``--mode default``. ``--check-equal``
makes both write their JSON contract and compares them (the check is reported, never asserted).
Articles/s per core divides by the cores each run may use (``--cores``, default 2 for both).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import cached_corpus  # noqa: E402 - bench/ is on the path only from here

__all__ = ["main"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------------ workers


def worker_local(path: str, mode: str, out: str | None) -> dict[str, Any]:
    from newstrace import Engine

    engine = Engine(embeddings=mode == "default")
    started = time.perf_counter()
    read = engine.read([path])
    read_seconds = time.perf_counter() - started
    analysis = engine.analyze(read.articles, skipped=read.skipped)
    seconds = time.perf_counter() - started
    if out:
        Path(out).write_text(json.dumps(analysis.to_json(), sort_keys=True), "utf-8")
    return {
        "articles": len(analysis.articles),
        "seconds": seconds,
        "read_seconds": read_seconds,
        "relations": len(analysis.relations),
        "stories": len(analysis.stories),
        "threads": len(analysis.threads),
    }


class _StageLog(logging.Handler):
    """Keeps the Spark executor's stage lines (``<stage>: <count>, <t> s since cleaning started``)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def worker_spark(
    path: str, mode: str, out: str | None, master: str, partitions: int | None
) -> dict[str, Any]:
    from newstrace import Engine
    from newstrace.executors import SparkExecutor

    stages = _StageLog()
    spark_log = logging.getLogger("newstrace.executors._spark")
    spark_log.setLevel(logging.INFO)
    spark_log.addHandler(stages)
    engine = Engine(embeddings=mode == "default")
    started = time.perf_counter()
    with SparkExecutor(master, partitions=partitions, log_level="ERROR") as executor:
        _ = executor.spark
        startup = time.perf_counter() - started
        started = time.perf_counter()
        run = executor.run(engine, [path], collect=out is not None)
        seconds = time.perf_counter() - started
        partitions_used = executor.spark.sparkContext.defaultParallelism
    if out and run.analysis is not None:
        Path(out).write_text(json.dumps(run.analysis.to_json(), sort_keys=True), "utf-8")
    return {
        "articles": run.articles,
        "seconds": seconds,
        "startup_seconds": startup,
        "relations": run.relations,
        "stories": run.stories,
        "threads": run.threads,
        "default_parallelism": partitions_used,
        "stages": [line for line in stages.lines if "since cleaning started" in line],
        "collected": out is not None,
    }


# ----------------------------------------------------------------------------------- process levels


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc; 0 for vanished processes)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run one worker in its own session; sample its process tree's RSS until it exits."""
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
    command += ["--master", args.master]
    if args.partitions:
        command += ["--partitions", str(args.partitions)]
    if args._out:
        command += ["--_out", args._out]
    peak = 0
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as worker:
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(worker.pid))
                done.wait(args.sample)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            stdout, stderr = worker.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.communicate()
            return {"error": f"timeout after {args.timeout:.0f} s"}
        finally:
            done.set()
            sampler.join()
    if worker.returncode != 0:
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit {worker.returncode}"}
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["peak_tree_rss_mb"] = peak / 2**20
    return result


def run_measure(kind: str, corpus: Path, args: argparse.Namespace, out: Path | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--_measure", kind, "--corpus", str(corpus), "--mode", args.mode]
    command += ["--master", args.master, "--timeout", str(args.timeout), "--sample", str(args.sample)]
    if args.partitions:
        command += ["--partitions", str(args.partitions)]
    if out is not None:
        command += ["--_out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": done.stderr.strip()[-300:] or f"exit {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -------------------------------------------------------------------------------------------- driver


def _differences(local: dict[str, Any], spark: dict[str, Any]) -> list[str]:
    """Which parts of the JSON contract differ (empty: identical)."""
    out = []
    for key in sorted(set(local) | set(spark)):
        if local.get(key) != spark.get(key):
            a, b = local.get(key), spark.get(key)
            size = f" ({len(a)} vs {len(b)})" if isinstance(a, list) and isinstance(b, list) else ""
            out.append(f"{key}{size}")
    return out


def run(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    data_dir = Path(args.data_dir)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "master": args.master,
        "mode": args.mode,
        "cores": args.cores,
        "rows": [],
    }
    with tempfile.TemporaryDirectory(prefix="newstrace-bench-spark-") as tmp:
        for n in sizes:
            path = cached_corpus(n, args.seed, data_dir)
            outs = {k: Path(tmp) / f"{k}-{n}.json" for k in ("local", "spark")} if args.check_equal else {}
            row: dict[str, Any] = {"size": n}
            for kind in ("local", "spark"):
                result = run_measure(kind, path, args, outs.get(kind))
                if "seconds" in result:
                    result["articles_per_s"] = result["articles"] / result["seconds"]
                    result["articles_per_s_per_core"] = result["articles_per_s"] / args.cores
                row[kind] = result
                print(f"n={n} {kind}: {json.dumps(result)}", file=sys.stderr)
            if args.check_equal and all(p.exists() for p in outs.values()):
                local = json.loads(outs["local"].read_text("utf-8"))
                spark = json.loads(outs["spark"].read_text("utf-8"))
                row["equal"] = local == spark
                row["differences"] = _differences(local, spark)
            results["rows"].append(row)
    print(markdown(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Machine: {m['cpus']} CPUs, Python {m['python']}, {m['system']}; mode {results['mode']}; "
        f"Spark master {results['master']}; per-core rates divide by {results['cores']} cores",
        "",
        "| articles | executor | time (s) | articles/s | articles/s/core | peak RSS, process tree (MB) | "
        "Spark start (s) | relations | stories | equal |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results["rows"]:
        equal = {True: "yes", False: "NO: " + ", ".join(row.get("differences", []))}.get(
            row.get("equal"), "—"
        )
        for kind in ("local", "spark"):
            r = row[kind]
            if "error" in r:
                lines.append(f"| {row['size']:,} | {kind} | {r['error']} | | | | | | | |")
                continue
            start = f"{r['startup_seconds']:.1f}" if "startup_seconds" in r else "—"
            lines.append(
                f"| {r['articles']:,} | {kind} | {r['seconds']:.1f} | {r['articles_per_s']:.1f} | "
                f"{r['articles_per_s_per_core']:.1f} | {r['peak_tree_rss_mb']:.0f} | {start} | "
                f"{r['relations']:,} | {r['stories']:,} | {equal if kind == 'spark' else ''} |"
            )
    for row in results["rows"]:
        stages = row["spark"].get("stages") or []
        if stages:
            lines += ["", f"Spark stages at {row['size']:,} articles (cumulative):", ""]
            lines += [f"- {line}" for line in stages]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", default="lexical", choices=("lexical", "default"))
    parser.add_argument("--master", default="local[2]", help="Spark master URL")
    parser.add_argument("--partitions", type=int, help="Spark partitions (default: the executor's rule)")
    parser.add_argument(
        "--cores", type=int, default=2, help="cores each executor may use (for per-core rates)"
    )
    parser.add_argument("--check-equal", action="store_true", help="compare the two JSON contracts")
    parser.add_argument("--data-dir", default=str(BENCH / "data"))
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds per measurement")
    parser.add_argument("--sample", type=float, default=0.25, help="seconds between memory samples")
    parser.add_argument("--json", help="write all results to this file")
    parser.add_argument("--_worker", help=argparse.SUPPRESS)
    parser.add_argument("--_measure", help=argparse.SUPPRESS)
    parser.add_argument("--_out", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._worker:
        if args._worker == "local":
            result = worker_local(args.corpus, args.mode, args._out)
        else:
            result = worker_spark(args.corpus, args.mode, args._out, args.master, args.partitions)
        print(json.dumps(result))
        return 0
    if args._measure:
        print(json.dumps(measure(args)))
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
