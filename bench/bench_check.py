"""Latency of ``Engine.check`` against a persistent index (in-process, no HTTP).

    python bench/bench_check.py --store bench/data/i100k.db --corpus bench/data/c100k.jsonl --n 200

Queries are made from the indexed corpus itself, so every kind of answer is exercised: lightly edited
copies of indexed articles (a source must be found), paraphrase-like word shuffles within sentences, and
texts stitched from unrelated sentences (usually no source). Each query is timed separately; the table
reports p50/p95/p99 and how many queries found a source. The index is opened read-only.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from newstrace import Article, Engine
from newstrace.executors import LocalExecutor
from newstrace.store import open_store


def _queries(corpus: Path, *, n: int, seed: int) -> list[tuple[str, Article]]:
    rng = random.Random(seed)
    lines = corpus.read_text(encoding="utf-8").splitlines()
    picked = [json.loads(line) for line in rng.sample(lines, min(len(lines), n))]
    out: list[tuple[str, Article]] = []
    for k, item in enumerate(picked):
        sentences = [s for s in item["text"].replace("\n", " ").split(". ") if s]
        kind = ("edited copy", "shuffled", "stitched")[k % 3]
        if kind == "edited copy":
            kept = sentences[: max(3, int(len(sentences) * 0.8))]
            text = ". ".join(kept)
        elif kind == "shuffled":
            text = ". ".join(" ".join(rng.sample(s.split(), len(s.split()))) for s in sentences)
        else:
            other = json.loads(rng.choice(lines))
            mix = sentences[:2] + [s for s in other["text"].split(". ")[2:6]]
            text = ". ".join(mix)
        out.append((kind, Article(id=f"query-{k}", raw=text)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="the JSONL the index was built from")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--embeddings", action="store_true")
    args = parser.parse_args(argv)
    store = open_store(args.store, readonly=True)
    engine = Engine(embeddings=args.embeddings, executor=LocalExecutor(workers=1))
    queries = _queries(args.corpus, n=args.n, seed=args.seed)
    engine.check(queries[0][1], store)  # warm caches and models once, outside the timing
    timings: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    for kind, article in queries:
        started = time.perf_counter()
        result = engine.check(article, store)
        timings.setdefault(kind, []).append(time.perf_counter() - started)
        found[kind] = found.get(kind, 0) + bool(result.sources)
    everything = sorted(t for ts in timings.values() for t in ts)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(
        f"index: {store.count()} articles ({args.store}); mode: {'default' if args.embeddings else 'lexical'}"
    )
    print("| queries | n | p50 (s) | p95 (s) | p99 (s) | with a source |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, ts in sorted(timings.items()):
        print(
            f"| {kind} | {len(ts)} | {pct(ts, 0.5):.3f} | {pct(ts, 0.95):.3f} | {pct(ts, 0.99):.3f} | {found[kind]} |"
        )
    print(
        f"| all | {len(everything)} | {pct(everything, 0.5):.3f} | {pct(everything, 0.95):.3f} | "
        f"{pct(everything, 0.99):.3f} | {sum(found.values())} |"
    )
    print(f"mean {statistics.mean(everything):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
