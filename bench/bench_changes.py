"""What the change layer (altered quotes, numbers, names, negations, meaning) adds to ``analyze`` time.

    python bench/bench_changes.py --corpus bench/data/c10k.jsonl [--lexical]

Runs ``analyze`` on the same corpus twice in one process, with ``relate.changes`` on then off (the
embedding and NER models are loaded before timing, so both runs pay the same fixed costs), and prints
both times, the number of changes found and the overhead ratio. Floor (issue 3): ≤ 30 % on 10k articles
in the default mode.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from newstrace import Engine, Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument(
        "--lexical", action="store_true", help="lexical-only mode instead of the default mode"
    )
    args = parser.parse_args(argv)
    results = {}
    # With changes first: whatever the first run warms up (caches, page cache) helps the run without
    # changes, so the overhead measured is if anything overstated.
    for changes in (True, False):
        engine = Engine(Settings.load(relate={"changes": changes}), embeddings=not args.lexical)
        articles = engine.read([args.corpus]).articles
        if engine.embeddings:
            engine.embedder.encode(["warm up"])
        engine.change_detector.changes  # noqa: B018 - loads the NER model before timing
        started = time.perf_counter()
        analysis = engine.analyze(articles)
        elapsed = time.perf_counter() - started
        found = sum(len(r.changes) for r in analysis.relations)
        results[changes] = (elapsed, len(analysis.relations), found)
    off, on = results[False], results[True]
    mode = "lexical" if args.lexical else "default"
    print(f"corpus {args.corpus} ({len(articles)} articles), mode {mode}")
    print("| change layer | seconds | relations | changes |")
    print("|---|---:|---:|---:|")
    print(f"| off | {off[0]:.1f} | {off[1]} | {off[2]} |")
    print(f"| on | {on[0]:.1f} | {on[1]} | {on[2]} |")
    print(f"overhead: {100 * (on[0] / off[0] - 1):.1f} % (floor: ≤ 30 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
