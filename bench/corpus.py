"""Fast generator of large synthetic corpora for the speed benchmarks.

    python bench/corpus.py --n 100000 --out bench/data/c100k.jsonl --seed 1

Articles have 300–800 words drawn from a Zipf vocabulary of made-up words, plus names and numbers. They
are grouped into events (same names, numbers, topical words and nearby dates, spread over ~a year); about
20% of articles are derived from an earlier article of their event (verbatim copy, light edit, truncation,
reorder or partial reuse). ``--labels`` also writes ``<out>.labels.jsonl`` with each derived article's
source and transform. Deterministic given ``--seed``; nothing is read from disk.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CorpusSpec", "cached_corpus", "generate", "write_corpus"]

_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st", "tr")
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io")
_CODAS = ("", "", "n", "r", "s", "l", "t", "nd", "rk", "st")
_TRANSFORMS = ("verbatim", "light_edit", "truncation", "reorder", "partial")
_TRANSFORM_WEIGHTS = (0.3, 0.3, 0.2, 0.1, 0.1)
_START = dt.date(2021, 1, 1)


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    """What to generate: ``n`` articles, ``derived`` fraction copied from another, Zipf exponent."""

    n: int
    seed: int = 1
    derived: float = 0.2
    vocabulary: int = 40_000
    zipf: float = 1.05
    min_words: int = 300
    max_words: int = 800


def _vocabulary(generator: np.random.Generator, size: int) -> list[str]:
    """``size`` distinct made-up words, shortest first (so the most frequent Zipf ranks are short)."""
    syllables = [o + n + c for o in _ONSETS for n in _NUCLEI for c in _CODAS]
    words: set[str] = set()
    while len(words) < size:
        counts = generator.choice(np.array([1, 2, 2, 3, 3, 4]), size=size)
        picks = generator.integers(0, len(syllables), size=(size, 4)).tolist()
        for count, pick in zip(counts.tolist(), picks, strict=True):
            words.add("".join(syllables[k] for k in pick[:count]))
    return sorted(words, key=lambda w: (len(w), w))[:size]


def _name(rng: random.Random) -> str:
    def part() -> str:
        return "".join(
            rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(rng.randint(2, 3))
        ).capitalize()

    return " ".join(part() for _ in range(rng.choice((1, 2, 2, 3))))


def _number(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return f"{rng.randint(2, 999)} MW"
    if kind < 0.55:
        return f"${rng.randint(1, 99)}.{rng.randint(0, 9)} billion"
    if kind < 0.75:
        return f"{rng.randint(1, 99)}%"
    return f"{rng.randint(1_000, 999_999):,}"


@dataclass(slots=True)
class _Event:
    names: list[str]
    numbers: list[str]
    topic: list[str]
    day: int


class _Generator:
    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.np = np.random.default_rng(self.rng.getrandbits(64))
        vocab = _vocabulary(self.np, spec.vocabulary)
        self.lower = np.array(vocab, dtype=object)
        self._buffer: list[str] = []
        self._at = 0
        self._int_buffer: list[int] = []
        self._int_at = 0
        weights = 1.0 / np.arange(1, spec.vocabulary + 1) ** spec.zipf
        cdf = np.cumsum(weights / weights.sum())
        # Inverse-CDF lookup table: a uniform integer below 2**20 maps straight to a Zipf rank.
        table = np.searchsorted(cdf, (np.arange(1 << 20) + 0.5) / (1 << 20))
        self.table = np.minimum(table, spec.vocabulary - 1)
        self.outlets = [
            f"{_name(self.rng)} {self.rng.choice(('News', 'Wire', 'Post', 'Times'))}" for _ in range(2000)
        ]
        self.days = 365

    def event(self) -> _Event:
        rng = self.rng
        # Topical words: mid-frequency vocabulary, boosted inside the event's articles.
        topic = self.lower[self.np.integers(200, self.spec.vocabulary // 2, size=30)].tolist()
        return _Event(
            names=[_name(rng) for _ in range(rng.randint(3, 6))],
            numbers=[_number(rng) for _ in range(rng.randint(2, 4))],
            topic=topic,
            day=rng.randrange(self.days),
        )

    def _words(self, n: int) -> list[str]:
        """The next ``n`` Zipf words from a buffer refilled a few hundred thousand at a time."""
        if self._at + n > len(self._buffer):
            size = max(n, 1 << 18)
            self._buffer = self.lower[self.table[self.np.integers(0, 1 << 20, size=size)]].tolist()
            self._at = 0
        words = self._buffer[self._at : self._at + n]
        self._at += n
        return words

    def _ints(self, n: int) -> list[int]:
        """The next ``n`` uniform integers below 2**30 from a buffer (numpy calls are costly one by one)."""
        if self._int_at + n > len(self._int_buffer):
            self._int_buffer = self.np.integers(0, 1 << 30, size=max(n, 1 << 18)).tolist()
            self._int_at = 0
        out = self._int_buffer[self._int_at : self._int_at + n]
        self._int_at += n
        return out

    def sentences(self, event: _Event, n_words: int) -> list[str]:
        """Fresh text for one article of ``event``: Zipf words, topical words, names and numbers."""
        words = self._words(n_words)
        n_topical, n_names, n_numbers = n_words * 6 // 100, max(2, n_words // 40), max(1, n_words // 120)
        n_special = n_topical + n_names + n_numbers
        n_lengths = n_words // 8 + 1
        draws = self._ints(2 * n_special + n_lengths)
        positions, picks = draws[:n_special], draws[n_special : 2 * n_special]
        topic, names, numbers = event.topic, event.names, event.numbers
        for k, (position, pick) in enumerate(zip(positions, picks, strict=True)):
            at = position % n_words
            if k < n_topical:
                words[at] = topic[pick % len(topic)]
            elif k < n_topical + n_names:
                words[at] = names[pick % len(names)]
            else:
                words[at] = numbers[pick % len(numbers)]
        out: list[str] = []
        start = 0
        for draw in draws[2 * n_special :]:
            if start >= n_words:
                break
            end = min(n_words, start + 8 + draw % 21)
            first = words[start]
            out.append(" ".join([first[:1].upper() + first[1:], *words[start + 1 : end]]) + ".")
            start = end
        return out

    def derive(self, source: list[str], transform: str, event: _Event) -> list[str]:
        rng = self.rng
        if transform == "verbatim":
            return list(source)
        if transform == "light_edit":
            out = list(source)
            for _ in range(max(1, len(out) // 8)):
                i = rng.randrange(len(out))
                words = out[i].split(" ")
                j = rng.randrange(1, len(words)) if len(words) > 1 else 0
                words[j] = str(self.lower[rng.randrange(2000)])
                out[i] = " ".join(words)
            if len(out) > 3:
                del out[rng.randrange(1, len(out))]
            return out
        if transform == "truncation":
            return source[: max(3, int(len(source) * rng.uniform(0.4, 0.7)))]
        if transform == "reorder":
            out = list(source)
            rng.shuffle(out)
            return out
        # partial: a run of the source inside fresh text of the same event.
        k = min(len(source), rng.randint(4, 8))
        at = rng.randrange(0, len(source) - k + 1)
        fresh = self.sentences(event, rng.randint(self.spec.min_words, self.spec.max_words) // 2)
        cut = rng.randrange(1, len(fresh))
        return [*fresh[:cut], *source[at : at + k], *fresh[cut:]]

    def articles(self) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        spec, rng = self.spec, self.rng
        events: list[tuple[_Event, list[tuple[str, list[str], int]]]] = []
        for i in range(spec.n):
            article_id = f"c{spec.seed}-{i:07d}"
            # A new event about every 5 articles; otherwise continue a recent one.
            if not events or rng.random() < 0.2:
                events.append((self.event(), []))
                if len(events) > 64:
                    events.pop(0)
            event, members = events[-1] if rng.random() < 0.5 else rng.choice(events)
            label = None
            if members and rng.random() < spec.derived / 0.8:
                source_id, source, source_day = rng.choice(members)
                transform = rng.choices(_TRANSFORMS, _TRANSFORM_WEIGHTS)[0]
                sentences = self.derive(source, transform, event)
                day = source_day + rng.randint(0, 5)
                label = {"id": article_id, "source": source_id, "transform": transform}
            else:
                sentences = self.sentences(event, rng.randint(spec.min_words, spec.max_words))
                day = event.day + rng.randint(0, 10)
            members.append((article_id, sentences, day))
            if len(members) > 12:
                members.pop(0)
            cuts = list(itertools.accumulate(1 + d % 4 for d in self._ints(len(sentences))))
            bounds = [0, *(c for c in cuts if c < len(sentences)), len(sentences)]
            paragraphs = [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]
            title_words = event.topic[:6]
            article = {
                "id": article_id,
                "text": "\n\n".join(paragraphs),
                "title": f"{event.names[0]} {' '.join(title_words[: rng.randint(3, 6)])}",
                "outlet": rng.choice(self.outlets),
                "published": (_START + dt.timedelta(days=day)).isoformat(),
            }
            yield article, label


def generate(spec: CorpusSpec) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Yield ``(article, label)`` pairs; ``label`` is None for fresh articles."""
    return _Generator(spec).articles()


def cached_corpus(n: int, seed: int, data_dir: Path) -> Path:
    """The JSONL corpus of ``n`` generated articles in ``data_dir`` (``c<n>-s<seed>.jsonl``), written on
    first use; the benchmarks share this cache."""
    path = data_dir / f"c{n}-s{seed}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        write_corpus(CorpusSpec(n=n, seed=seed), path)
        print(f"generated {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def write_corpus(spec: CorpusSpec, out: Path, *, labels: bool = False) -> int:
    """Write the corpus as JSONL (and ``<out>.labels.jsonl``); returns the number of derived articles."""
    out.parent.mkdir(parents=True, exist_ok=True)
    derived = 0
    label_path = out.with_name(out.name.removesuffix(".jsonl") + ".labels.jsonl")
    with contextlib.ExitStack() as stack:
        handle = stack.enter_context(open(out, "w", encoding="utf-8", newline="\n"))
        label_handle = (
            stack.enter_context(open(label_path, "w", encoding="utf-8", newline="\n")) if labels else None
        )
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        for article, label in generate(spec):
            handle.write(dumps(article) + "\n")
            if label is not None:
                derived += 1
                if label_handle is not None:
                    label_handle.write(dumps(label) + "\n")
    return derived


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--derived", type=float, default=0.2, help="fraction of derived articles")
    parser.add_argument("--labels", action="store_true", help="also write <out>.labels.jsonl")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    derived = write_corpus(
        CorpusSpec(n=args.n, seed=args.seed, derived=args.derived), args.out, labels=args.labels
    )
    seconds = time.perf_counter() - started
    print(f"{args.n} articles ({derived} derived) -> {args.out} in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
