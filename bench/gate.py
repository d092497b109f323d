"""The quality gate: measures newstrace on the synthetic rewrite suite and the dev corpus, checks floors.

    python bench/gate.py                  # lexical-only (embeddings=False)
    python bench/gate.py --embeddings     # default mode, with the sentence-embedding model
    python bench/gate.py --json out.json  # also write the measurements

Suite (``bench/synth.py``): per category, recall = share of labelled pairs reported with an accepted kind
(verbatim/light_edit/change_* -> duplicate|rewrite; spin/reorder/paraphrase -> rewrite|duplicate;
truncation -> rewrite|partial; partial -> partial|rewrite; independent/unrelated -> not derived).
Precision of "derived" counts reported derived pairs over labelled pairs plus unlabelled pairs that share
no text by construction (pairs that really share text, e.g. two copies of one original, are ignored).
Origin: for labelled derived pairs the engine reported as derived, the origin is correct (the expected
id, or null when the metadata cannot decide it), unknown (null where decidable) or wrong.

Dev corpus (``../shared/corpora/business-energy-story-chains``): pairwise precision/recall of "same
story" (two articles in one analysis story) against ``story_pairs.csv``.

Floors are pinned by hand in ``bench/gate_floors.json`` (``{mode: {"min": {...}, "max": {...}}}``); the
gate exits 1 naming every metric below its floor (or above its ceiling).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

from newstrace import Engine, Settings
from newstrace.analysis import Analysis

__all__ = ["ACCEPTED", "dev_articles", "main", "score_dev", "score_suite"]

DEV_DIR = synth.DEFAULT_CSV.parent
FLOORS = Path(__file__).resolve().parent / "gate_floors.json"
DERIVED = frozenset({"duplicate", "rewrite", "partial"})
ACCEPTED: dict[str, frozenset[str]] = {
    "verbatim": frozenset({"duplicate", "rewrite"}),
    "light_edit": frozenset({"duplicate", "rewrite"}),
    "spin": frozenset({"rewrite", "duplicate"}),
    "reorder": frozenset({"rewrite", "duplicate"}),
    "paraphrase": frozenset({"rewrite", "duplicate"}),
    "truncation": frozenset({"rewrite", "partial"}),
    "partial": frozenset({"partial", "rewrite"}),
    **{c: frozenset({"duplicate", "rewrite"}) for c in synth.CHANGE_CATEGORIES},
}
NOT_DERIVED = ("independent", "unrelated")


def _load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@dataclass(slots=True)
class SuiteScore:
    """Measurements on the synthetic suite (plus the pairs that failed, for the report)."""

    metrics: dict[str, float] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# Injected change type (bench/synth.py) -> the engine's ChangeType values that describe it. A qualifier
# change is a number qualifier ("over" -> "under": number) or a hedge ("expected" -> "certain": negation,
# which covers polarity and hedging).
CHANGE_TYPES: dict[str, frozenset[str]] = {
    "number": frozenset({"number"}),
    "qualifier": frozenset({"number", "negation", "meaning"}),
    "entity": frozenset({"entity"}),
    "negation": frozenset({"negation"}),
    "quote": frozenset({"altered_quote"}),
    "attribution": frozenset({"attribution"}),
}
# Changes at or above this severity are flags; below it, notes (e.g. a name dropped in a restatement).
FLAG_SEVERITY = 0.5


def _overlaps(x: str, y: str) -> bool:
    return bool(x) and bool(y) and (x in y or y in x)


def _matches(change: Any, injected: dict[str, Any], *, direction_known: bool) -> bool:
    """The reported change covers the injected one: same words on the right sides (either way round when
    the engine could not tell which article is the original)."""
    forward = _overlaps(injected["copy"], change.copy) or _overlaps(injected["original"], change.original)
    backward = _overlaps(injected["copy"], change.original) or _overlaps(injected["original"], change.copy)
    return forward or (not direction_known and backward)


def score_changes(analysis: Analysis, labels: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Change detection on the change_* pairs, per injected type: recall (the injected change is flagged
    with an accepted type and its words) and precision (flags of that type on change pairs that are the
    injected change); plus the share of change-free control copies with any flag."""
    relations = {(r.a, r.b) if r.a < r.b else (r.b, r.a): r for r in analysis.relations}
    found: dict[str, list[bool]] = defaultdict(list)
    flagged: dict[str, list[bool]] = defaultdict(list)
    for label in labels:
        if not label["category"].startswith("change_"):
            continue
        relation = relations.get((label["a"], label["b"]))
        changes = [c for c in getattr(relation, "changes", ()) if c.severity >= FLAG_SEVERITY]
        injected = label.get("change")
        direction_known = relation is not None and relation.origin is not None
        if injected is None:
            found["false_alarm.control"].append(bool(changes))
            for c in changes:
                flagged[str(c.type)].append(False)
            continue
        accepted = CHANGE_TYPES[injected["type"]]
        hits = [
            str(c.type) in accepted and _matches(c, injected, direction_known=direction_known)
            for c in changes
        ]
        found[f"recall.{injected['type']}"].append(any(hits))
        for c, hit in zip(changes, hits, strict=True):
            flagged[str(c.type)].append(hit)
    out = {f"changes.{name}": sum(v) / len(v) for name, v in sorted(found.items())}
    out.update({f"changes.precision.{t}": sum(v) / len(v) for t, v in sorted(flagged.items())})
    return out


def _kind_of(analysis: Analysis) -> dict[tuple[str, str], tuple[str, str | None]]:
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for relation in analysis.relations:
        a, b = sorted((relation.a, relation.b))
        out[(a, b)] = (str(relation.kind), relation.origin)
    return out


def score_suite(
    analysis: Analysis, labels: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]
) -> SuiteScore:
    """Per-category recall, derived precision and origin accuracy of one analysis of the suite."""
    reported = _kind_of(analysis)
    roles = {p["id"]: p for p in provenance}
    score = SuiteScore()
    by_category: dict[str, list[bool]] = defaultdict(list)
    failures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    true_positive = false_positive = 0
    origin = Counter[str]()
    by_scenario: dict[str, Counter[str]] = defaultdict(Counter)
    labelled: set[tuple[str, str]] = set()
    for label in labels:
        pair = (label["a"], label["b"])
        labelled.add(pair)
        kind, got_origin = reported.get(pair, ("unrelated", None))
        category = label["category"]
        derived = kind in DERIVED
        ok = not derived if category in NOT_DERIVED else kind in ACCEPTED[category]
        by_category[category].append(ok)
        if not ok:
            failures[category].append(
                {"a": label["a"], "b": label["b"], "expected": label["kind"], "got": kind}
            )
        if label["kind"] in DERIVED:
            true_positive += derived
        else:
            false_positive += derived
        if label["kind"] in DERIVED and derived:
            expected = label["origin"]
            original = label["a"] if roles[label["a"]]["role"] == "original" else label["b"]
            if got_origin == expected:
                verdict = "correct"
            elif got_origin is None:
                verdict = "unknown"
            elif expected is None and got_origin == original:
                verdict = "guessed"  # right, but the metadata did not support deciding
            else:
                verdict = "wrong"
            origin[verdict] += 1
            by_scenario[f"{category}/{label.get('scenario')}"][verdict] += 1
            if verdict == "wrong":
                failures["origin"].append(
                    {"a": label["a"], "b": label["b"], "expected": expected, "got": got_origin}
                )
    unlabelled_fp: list[dict[str, Any]] = []
    for (a, b), (kind, _) in sorted(reported.items()):
        if (a, b) in labelled or kind not in DERIVED:
            continue
        if set(roles[a]["text_groups"]) & set(roles[b]["text_groups"]):
            continue  # the two articles share text by construction: not a false positive
        unlabelled_fp.append({"a": a, "b": b, "got": kind, "roles": [roles[a]["role"], roles[b]["role"]]})
    false_positive += len(unlabelled_fp)
    failures["unlabelled_derived"] = unlabelled_fp
    # Independent coverage should also be recognised as one story (kind same_story or one analysis story).
    story_of = {a: s.id for s in analysis.stories for a in s.articles}
    together = [
        reported.get((lab["a"], lab["b"]), ("unrelated", None))[0] == "same_story"
        or (lab["a"] in story_of and story_of.get(lab["a"]) == story_of.get(lab["b"]))
        for lab in labels
        if lab["category"] == "independent"
    ]
    if together:
        score.metrics["story.independent_together"] = sum(together) / len(together)
    for category, oks in sorted(by_category.items()):
        score.metrics[f"recall.{category}"] = sum(oks) / len(oks)
        score.counts[category] = len(oks)
    derived_labels = [lab for lab in labels if lab["kind"] in DERIVED]
    score.metrics["recall.derived_all"] = true_positive / max(1, len(derived_labels))
    score.metrics["precision.derived"] = true_positive / max(1, true_positive + false_positive)
    n_origin = sum(origin.values())
    score.metrics["origin.accuracy"] = origin["correct"] / max(1, n_origin)
    score.metrics["origin.wrong_rate"] = origin["wrong"] / max(1, n_origin)
    score.counts["origin"] = dict(origin)
    score.counts["origin_by_category_scenario"] = {k: dict(v) for k, v in sorted(by_scenario.items())}
    score.counts["derived_reported_tp"] = true_positive
    score.counts["derived_reported_fp"] = false_positive
    score.counts["unlabelled_fp"] = len(unlabelled_fp)
    score.failures = dict(failures)
    return score


def dev_articles(csv_path: Path) -> list[dict[str, Any]]:
    """The dev corpus as JSONL records; an article's id is ``synth.url_id(url)``."""
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        host = urlparse(row["paperurl"] or row["url"]).netloc.removeprefix("www.")
        out.append(
            {
                "id": synth.url_id(row["url"]),
                "text": row["text"],
                "title": row["title"],
                "outlet": host,
                "published": row["date"][:10] or None,
                "url": row["url"],
            }
        )
    return out


def dev_story_pairs(pairs_path: Path) -> tuple[set[tuple[str, str]], int]:
    """Positive same-story pairs (as sorted id pairs) and the number of labelled pairs."""
    positive: set[tuple[str, str]] = set()
    total = 0
    for line in pairs_path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.strip().split(";")
        if len(parts) != 3:
            continue
        total += 1
        if parts[2].strip() == "1":
            a, b = sorted((synth.url_id(parts[0]), synth.url_id(parts[1])))
            positive.add((a, b))
    return positive, total


def score_dev(analysis: Analysis, positive: set[tuple[str, str]]) -> dict[str, float]:
    """Pairwise precision/recall/F1 of "same story" (two articles in one story)."""
    predicted: set[tuple[str, str]] = set()
    for story in analysis.stories:
        members = sorted(story.articles)
        predicted.update((x, y) for i, x in enumerate(members) for y in members[i + 1 :])
    tp = len(predicted & positive)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(positive) if positive else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"dev.story_precision": precision, "dev.story_recall": recall, "dev.story_f1": f1}


def check_floors(
    metrics: dict[str, float], floors: dict[str, Any], *, skipped: Sequence[str] = ()
) -> dict[str, str]:
    """Every metric below its ``min`` floor or above its ``max`` ceiling: name -> message."""
    problems: dict[str, str] = {}
    for bound in ("min", "max"):
        for name, limit in sorted(floors.get(bound, {}).items()):
            if any(name.startswith(prefix) for prefix in skipped):
                continue
            value = metrics.get(name)
            if value is None:
                problems[name] = f"{name}: not measured (floor {bound} {limit})"
            elif (bound == "min" and value < limit) or (bound == "max" and value > limit):
                side = "below the floor" if bound == "min" else "above the ceiling"
                problems[name] = f"{name} = {value:.3f} is {side} {limit}"
    return problems


def _table(metrics: dict[str, float], counts: dict[str, Any], floors: dict[str, Any]) -> str:
    failing = check_floors(metrics, floors)
    header = f"{'metric':32s} {'value':>7s} {'n':>5s}  {'floor':>10s}"
    lines = [header, "-" * len(header)]
    for name in sorted(metrics):
        n = counts.get(name.removeprefix("recall."), "") if name.startswith("recall.") else ""
        bound = ""
        if name in floors.get("min", {}):
            bound = f">= {floors['min'][name]}"
        elif name in floors.get("max", {}):
            bound = f"<= {floors['max'][name]}"
        flag = "  FAIL" if name in failing else ""
        lines.append(f"{name:32s} {metrics[name]:7.3f} {n!s:>5s}  {bound:>10s}{flag}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    mode = "embeddings" if args.embeddings else "lexical"
    engine = Engine(settings=Settings.load(), embeddings=args.embeddings)
    metrics: dict[str, float] = {}
    counts: dict[str, Any] = {}
    failures: dict[str, Any] = {}
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="newstrace-gate-") as tmp:
        data = Path(args.data) if args.data else Path(tmp) / "suite"
        suite = synth.build_suite(args.seed, csv_path=args.csv, per_category=args.per_category)
        synth.write_suite(suite, data)
        read = engine.read([str(data / "articles.jsonl")])
        if read.skipped:
            print(f"warning: {len(read.skipped)} suite articles skipped: {read.skipped[0]}", file=sys.stderr)
        started = time.perf_counter()
        analysis = engine.analyze(read.articles)
        timings["suite_seconds"] = time.perf_counter() - started
        score = score_suite(
            analysis, _load_jsonl(data / "labels.jsonl"), _load_jsonl(data / "provenance.jsonl")
        )
        metrics.update(score.metrics)
        metrics.update(score_changes(analysis, _load_jsonl(data / "labels.jsonl")))
        counts.update(score.counts)
        failures.update(score.failures)
        if not args.skip_dev:
            dev_path = Path(tmp) / "dev.jsonl"
            with open(dev_path, "w", encoding="utf-8") as handle:
                for record in dev_articles(args.csv):
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            dev_read = engine.read([str(dev_path)])
            started = time.perf_counter()
            dev_analysis = engine.analyze(dev_read.articles)
            timings["dev_seconds"] = time.perf_counter() - started
            positive, total = dev_story_pairs(args.csv.parent / "story_pairs.csv")
            metrics.update(score_dev(dev_analysis, positive))
            counts["dev_pairs"] = total
            counts["dev_positive"] = len(positive)
    all_floors = json.loads(args.floors.read_text("utf-8")) if args.floors.exists() else {}
    floors = all_floors.get(mode, {})
    print(f"newstrace quality gate — mode: {mode}, seed {args.seed}")
    print(_table(metrics, counts, floors))
    print(
        f"origin: {counts.get('origin')}; unlabelled derived false positives: {counts.get('unlabelled_fp')}"
    )
    for category, items in sorted(failures.items()):
        if items and args.show > 0:
            shown = ", ".join(f"{f['a']}/{f['b']}→{f.get('got')}" for f in items[: args.show])
            print(f"  {category}: {len(items)} failing, e.g. {shown}")
    if args.json:
        payload = {"mode": mode, "seed": args.seed, "metrics": metrics, "counts": counts, "timings": timings}
        payload["failures"] = failures
        Path(args.json).write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", "utf-8")
    problems = list(check_floors(metrics, floors, skipped=("dev.",) if args.skip_dev else ()).values())
    if not floors:
        print(f"no floors pinned for mode {mode!r} in {args.floors}")
    if problems:
        print("REGRESSION:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("all floors met")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embeddings", action="store_true", help="default mode (sentence embeddings)")
    parser.add_argument("--json", help="write the measurements to this file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-category", type=int, default=30)
    parser.add_argument("--csv", type=Path, default=synth.DEFAULT_CSV, help="dev corpus articles.csv")
    parser.add_argument("--data", help="write the suite here instead of a temporary directory")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--skip-dev", action="store_true", help="skip the dev corpus story metric")
    parser.add_argument("--show", type=int, default=3, help="failing pairs to show per category")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
