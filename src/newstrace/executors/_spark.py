"""The Spark executor: the batch analysis as Spark jobs, with the same stage code as the local executor.

Stages (every arrow is distributed; the driver holds only the broadcast corpus statistics)::

    read (JSONL/Parquet in Spark) → drop repeated ids → corpus chrome lines (a reduce, broadcast)
    → clean + fingerprint (mapPartitions, one Engine per Python worker) → term document frequencies
    (reduceByKey, broadcast) → candidate pairs (LSH buckets, sentence keys, anchors: shuffles)
    → alignment of each pair with its two articles (``Engine.relate_pair``) → stories (connected
    components) → threads (connected components over stories) → Parquet and/or the JSON contract.

Candidate generation follows :mod:`newstrace.candidates` exactly (index order there is article-id order,
so the pair rules here sort bucket members by id); scoring, stories and threads call the stage functions
(:meth:`Engine.relate_pair`, :func:`newstrace.cluster.stories`, :func:`newstrace.cluster.threads`) on each
pair or component, so results equal :meth:`Engine.analyze` (see ``tests/integration/test_spark.py``).

Only ``newstrace.executors`` imports pyspark, and only when a Spark executor is used.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import json
import logging
import math
import operator
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from newstrace.analysis import Analysis, article_to_json, relation_to_json
from newstrace.candidates import band_keys, lsh_pairs, min_document_similarity, select_anchors, sentence_pairs
from newstrace.clean import chrome_keys
from newstrace.cluster import stories as make_stories
from newstrace.cluster import threads as make_threads
from newstrace.errors import ExtraNotInstalledError, InputError, NewstraceError
from newstrace.executors._local import LocalExecutor, Progress
from newstrace.executors._spark_graph import connected_components, window_pairs
from newstrace.executors._spark_input import Order, Problem, SparkInput, read_spark_inputs
from newstrace.fingerprint import TermStats
from newstrace.records import Article, Relation, RelationKind, Signature, Story, Thread
from newstrace.settings import FingerprintSettings, Settings

if TYPE_CHECKING:
    from pyspark import RDD, Broadcast
    from pyspark.sql import SparkSession

    from newstrace.engine import Engine

__all__ = ["SparkExecutor", "SparkRun"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")

# Channel bits of a candidate pair.
_MINHASH, _SENTENCES, _ANCHORS = 1, 2, 4
_CHANNEL_NAMES = ((_MINHASH, "minhash"), (_SENTENCES, "sentences"), (_ANCHORS, "anchors"))


def _default(function: Callable[..., object], name: str) -> Any:
    """A keyword default of a candidates function: the Spark rules use the local executor's values."""
    return inspect.signature(function).parameters[name].default


_LSH_MAX_BUCKET: int = _default(lsh_pairs, "max_bucket")
_SENTENCE_MIN_SHARED: int = _default(sentence_pairs, "min_shared")
_SENTENCE_MAX_DF: int = _default(sentence_pairs, "max_df")
_ANCHOR_PAIR_MIN_SHARED = 2
"""``newstrace.candidates.anchor_pairs`` keeps pairs sharing at least two anchors (threads use them all)."""
_EMPTY_MINHASH = np.uint32(0xFFFFFFFF)
_ARTICLES_PER_PARTITION = 2000
_MIN_ARTICLES_PER_PARTITION = 50


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise ExtraNotInstalledError(
            "the Spark executor", extra="spark", hint="it also needs Java 17 or newer ('java' on PATH)"
        ) from exc


# -- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SparkRun:
    """What :meth:`SparkExecutor.run` did: counts, the problems met, where Parquet went, and the
    :class:`Analysis` when it was collected (``collect=True``)."""

    articles: int
    relations: int
    stories: int
    threads: int
    skipped: tuple[InputError, ...]
    parquet: str | None = None
    analysis: Analysis | None = None


# -- the executor -------------------------------------------------------------------------------------------


class SparkExecutor:
    """Runs :meth:`Engine.analyze`'s batch pipeline as Spark jobs.

    ``master`` is a Spark master URL (``local[*]``, ``local[2]``, ``spark://host:7077``, ``yarn``…);
    ``None`` takes the one ``spark-submit`` set, else ``local[*]``. ``partitions`` is the number of
    partitions of the article and pair data sets (default: about 2,000 articles each, at least twice the
    default parallelism unless the input is tiny). ``parquet`` is where :meth:`analyze_inputs` writes
    its Parquet output (``None``: none). ``conf`` adds Spark settings. An already active SparkSession is
    reused and left running; a session started here is stopped by :meth:`stop` (or leaving a ``with``
    block).

    :meth:`map` (the per-item ``Executor`` protocol used by ``Engine.index``/``check``/``compare``) runs
    in this process: only the batch analysis is distributed.
    """

    def __init__(
        self,
        master: str | None = None,
        *,
        partitions: int | None = None,
        parquet: str | None = None,
        app_name: str = "newstrace",
        conf: Mapping[str, str] | None = None,
        log_level: str = "WARN",
        progress: Progress | None = None,
    ) -> None:
        _require_pyspark()
        if partitions is not None and partitions < 1:
            raise ValueError(f"partitions must be at least 1, not {partitions}")
        self.master = master
        self.partitions = partitions
        self.parquet = parquet
        self.app_name = app_name
        self.conf = dict(conf or {})
        self.log_level = log_level
        self._local = LocalExecutor(progress=progress)
        self._spark: SparkSession | None = None
        self._owned = False

    # -- session ------------------------------------------------------------------------------------------
    @property
    def spark(self) -> SparkSession:
        """The SparkSession (started on first use)."""
        if self._spark is None:
            self._spark, self._owned = self._start()
        return self._spark

    def _start(self) -> tuple[SparkSession, bool]:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:  # e.g. a notebook's or a test's session: use it, leave it running
            if self.master is not None and active.sparkContext.master != self.master:
                logger.warning(
                    "using the active Spark session on %s, not %s", active.sparkContext.master, self.master
                )
            return active, False
        conf = SparkConf()
        master = self.master or (conf.get("spark.master") if conf.contains("spark.master") else "local[*]")
        defaults = {
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
        }
        if master is not None and master.startswith("local"):
            # Local Python workers run this interpreter (with newstrace installed), not "python3" on PATH.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            # In local mode the driver JVM also holds the cached partitions and the collected result:
            # Spark's 1 GB defaults stop a collected 100k-article analysis. These are caps, not reservations.
            defaults["spark.driver.memory"] = "4g"
            defaults["spark.driver.maxResultSize"] = "4g"
        for key, value in defaults.items():
            if not conf.contains(key):
                conf.set(key, value)
        for key, value in self.conf.items():
            conf.set(key, value)
        builder = SparkSession.builder.appName(self.app_name).config(conf=conf)
        if master is not None:
            builder = builder.master(master)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # py4j and pyspark raise several types when the JVM cannot start
            java = shutil.which("java") or os.environ.get("JAVA_HOME") or "not found"
            raise NewstraceError(
                f"cannot start Spark ({type(exc).__name__}: {str(exc).strip()[:300]}); the Spark executor "
                f"needs Java 17 or newer (java: {java}) and a reachable master ({master})"
            ) from exc
        session.sparkContext.setLogLevel(self.log_level)
        logger.info("Spark %s on %s", session.version, session.sparkContext.master)
        return session, True

    def stop(self) -> None:
        """Stop the SparkSession if this executor started it."""
        if self._spark is not None and self._owned:
            self._spark.stop()
        self._spark = None
        self._owned = False

    def __enter__(self) -> SparkExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the Executor protocol ------------------------------------------------------------------------------
    def map(self, stage: str, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
        """Apply ``fn`` to every item in this process (see the class docstring)."""
        return self._local.map(stage, fn, items)

    def map_batches(
        self,
        stage: str,
        fn: Callable[[Sequence[T]], list[U]],
        items: Sequence[T],
        *,
        on_results: Callable[[list[U]], object] | None = None,
    ) -> list[U]:
        """Apply ``fn`` to runs of items in this process (see the class docstring)."""
        return self._local.map_batches(stage, fn, items, on_results=on_results)

    # -- batch analysis -----------------------------------------------------------------------------------
    def analyze_inputs(
        self, engine: Engine, paths: Sequence[str | Path], *, manifest: str | Path | None = None
    ) -> Analysis:
        """Read ``paths`` and analyze them on Spark; the result is collected (and written as Parquet to
        ``self.parquet`` when set). This is what :meth:`Engine.analyze_inputs` calls."""
        run = self.run(engine, paths, manifest=manifest, parquet=self.parquet, collect=True)
        if run.analysis is None:  # pragma: no cover - collect=True always collects
            raise RuntimeError("the Spark run collected no analysis")
        return run.analysis

    def analyze(
        self, engine: Engine, articles: Sequence[Article], *, skipped: Sequence[InputError] = ()
    ) -> Analysis:
        """Analyze articles already in memory on Spark (they are distributed from the driver)."""
        sc = self.spark.sparkContext
        records = [("a", (0, "", n), article) for n, article in enumerate(articles)]
        slices = max(1, min(len(records), self._partitions(len(records))))
        problems: list[Problem] = [((-1, "", n), e.source, e.line, e.reason) for n, e in enumerate(skipped)]
        found = SparkInput(records=sc.parallelize(records, slices), problems=problems, collector=None)
        run = _Job(self.spark, engine, partitions=self.partitions).run(found, parquet=None, collect=True)
        if run.analysis is None:  # pragma: no cover - collect=True always collects
            raise RuntimeError("the Spark run collected no analysis")
        return run.analysis

    def run(
        self,
        engine: Engine,
        paths: Sequence[str | Path],
        *,
        manifest: str | Path | None = None,
        parquet: str | None = None,
        collect: bool = True,
    ) -> SparkRun:
        """Read ``paths`` (see :mod:`newstrace.executors._spark_input`) and analyze them on Spark.

        ``parquet``: a folder (local or Hadoop filesystem URL) that receives ``articles``, ``relations``,
        ``stories``, ``threads``, ``skipped`` and ``settings`` Parquet data sets (each replaced if
        present). ``collect``: also bring the whole result to the driver as an :class:`Analysis` (for
        the JSON and HTML reports; leave it off for corpora too big for the driver).
        """
        spark = self.spark
        found = read_spark_inputs(
            spark,
            [str(p) for p in paths],
            manifest=manifest,
            partitions=spark.sparkContext.defaultParallelism,
        )
        return _Job(spark, engine, partitions=self.partitions).run(found, parquet=parquet, collect=collect)

    def _partitions(self, articles: int) -> int:
        return _partition_count(self.partitions, articles, self.spark.sparkContext.defaultParallelism)


def _log_stage(name: str, started: float, items: int) -> None:
    logger.info("%s: %d, %.1f s since cleaning started", name, items, time.perf_counter() - started)


def _partition_count(fixed: int | None, articles: int, parallelism: int) -> int:
    """Partitions of the article and pair data sets: ``fixed``, else about ``_ARTICLES_PER_PARTITION``
    articles each but at least twice the parallelism, and no more than one per
    ``_MIN_ARTICLES_PER_PARTITION`` articles (tiny inputs pay Spark's per-task cost only a few times)."""
    if fixed is not None:
        return fixed
    spread = min(2 * parallelism, math.ceil(articles / _MIN_ARTICLES_PER_PARTITION))
    return max(1, spread, math.ceil(articles / _ARTICLES_PER_PARTITION))


# -- work on the Python workers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WorkerSpec:
    """How to build the Engine a worker uses: the driver engine's settings and mode."""

    settings: Settings
    embeddings: bool

    @property
    def key(self) -> str:
        return json.dumps([self.settings.to_dict(), self.embeddings], sort_keys=True, default=str)


_ENGINES: dict[str, Engine] = {}
"""Engines of this Python worker process, by spec: models load once per worker, not per task."""


def _worker_engine(spec: _WorkerSpec) -> Engine:
    key = spec.key
    engine = _ENGINES.get(key)
    if engine is None:
        from newstrace.engine import Engine

        engine = Engine(spec.settings, embeddings=spec.embeddings, executor=LocalExecutor(workers=1))
        _ENGINES[key] = engine
    return engine


def _chrome_counts(
    settings: Settings, rows: Iterable[tuple[str, tuple[Order, Article]]]
) -> Iterator[tuple[str, int]]:
    """``(line key, articles of this partition that have it)`` for short lines: each article's
    ``chrome_keys``, counted; summing over partitions gives the corpus counts."""
    counts: Counter[str] = Counter()
    for _, (_, article) in rows:
        counts.update(chrome_keys(article, settings=settings.clean))
    return iter(counts.items())


def _term_counts(rows: Iterable[tuple[str, Signature]]) -> Iterator[tuple[str, int]]:
    """``(term, articles of this partition that have it)``: document frequencies before the reduce."""
    counts: Counter[str] = Counter()
    for _, sig in rows:
        counts.update(sig.terms)
    return iter(counts.items())


def _clean_partition(
    spec: _WorkerSpec, chrome: Broadcast[frozenset[str]], rows: Iterable[tuple[Order, Article]]
) -> Iterator[tuple[str, tuple[Order, Article, Signature]]]:
    engine = _worker_engine(spec)
    cleaner = engine.cleaner(chrome.value)
    fingerprinter = engine.fingerprinter()
    # Fingerprints are made 64 articles at a time (one vectorised pass: a fraction of the per-call cost).
    remaining = iter(rows)
    for run in iter(lambda: list(itertools.islice(remaining, 64)), []):
        cleaned = [cleaner.clean(article) for (_, article) in run]
        for (order, _), done, signature in zip(run, cleaned, fingerprinter.signatures(cleaned), strict=True):
            yield done.id, (order, done, signature)


def _band_rows(bands: int, rows: Iterable[tuple[str, Signature]]) -> Iterator[tuple[tuple[int, int], str]]:
    """``((band, key), article id)`` for every band of every non-empty MinHash in a partition."""
    batch = list(rows)
    if not batch:
        return
    matrix = np.stack([sig.minhash for _, sig in batch])
    empty = (matrix == _EMPTY_MINHASH).all(axis=1)
    keys = band_keys(matrix, bands=bands)
    for (article_id, _), is_empty, row in zip(batch, empty.tolist(), keys.tolist(), strict=True):
        if not is_empty:
            for band, key in enumerate(row):
                yield (band, key), article_id


def _bucket_pairs(window: int, item: tuple[Any, Iterable[str]]) -> Iterator[tuple[str, str]]:
    return window_pairs(sorted(item[1]), window=window)


def _sentence_rows(item: tuple[str, Signature]) -> Iterator[tuple[int, str]]:
    keys = item[1].sentence_keys
    if keys is not None:
        for key in keys.tolist():
            yield key, item[0]


def _sentence_group_pairs(item: tuple[int, Iterable[str]]) -> Iterator[tuple[tuple[str, str], int]]:
    """Pairs sharing one sentence key; a key in more than ``max_df`` articles is a stock phrase."""
    members = sorted(item[1])
    if len(members) > _SENTENCE_MAX_DF:
        return
    for pair in window_pairs(members, window=_SENTENCE_MAX_DF + 1):
        yield pair, 1


def _anchor_rows(
    stats: Broadcast[TermStats], settings: FingerprintSettings, rows: Iterable[tuple[str, Signature]]
) -> Iterator[tuple[str, str]]:
    """``(anchor term, article id)`` for every article of a partition (anchors under global df)."""
    local = stats.value  # one object per worker process: its IDF and norm caches serve every task
    for article_id, sig in rows:
        for term in select_anchors(sig.terms, local, settings=settings):
            yield term, article_id


def _merge_info(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    """Channel bits and shared anchors of one pair found by several channels."""
    return x[0] | y[0], max(x[1], y[1])


_Joined = tuple[str, tuple[tuple[str, tuple[int, int], frozenset[str]], frozenset[str]]]


def _channel_names(mask: int) -> frozenset[str]:
    return frozenset(name for bit, name in _CHANNEL_NAMES if mask & bit)


def _score_pairs(
    stats: Broadcast[TermStats], settings: FingerprintSettings, rows: Iterable[_Joined]
) -> Iterator[tuple[str, tuple[str, str, float]] | tuple[str, tuple[str, str]]]:
    """Per pair with both articles' content terms: a thread pair ``("t", (a, b, similarity))`` when it
    shares at least two anchors, and a candidate ``("c", (a, b))`` unless ``candidate_pairs`` would
    prune it (document similarity below :func:`newstrace.candidates.min_document_similarity` of its
    channels)."""
    local = stats.value  # one object per worker process: its IDF and norm caches serve every task
    for b, ((a, (mask, shared), terms_a), terms_b) in rows:
        similarity: float | None = None
        if shared >= _ANCHOR_PAIR_MIN_SHARED:
            similarity = local.cosine(terms_a, terms_b)
            yield "t", (a, b, similarity)
        if not mask:
            continue
        floor = min_document_similarity(_channel_names(mask), settings=settings)
        if floor > 0 and local.docs:
            if similarity is None:
                similarity = local.cosine(terms_a, terms_b)
            if similarity < floor:
                continue
        yield "c", (a, b)


_Cleaned = tuple[Order, Article, Signature]
_PairRow = tuple[str, tuple[tuple[str, _Cleaned], _Cleaned]]


def _relate_partition(
    spec: _WorkerSpec, stats: Broadcast[TermStats], rows: Iterable[_PairRow]
) -> Iterator[Relation]:
    engine = _worker_engine(spec)
    local = stats.value  # one object per worker process: its IDF and norm caches serve every task
    for _, ((_, (_, article_a, sig_a)), (_, article_b, sig_b)) in rows:
        relation = engine.relate_pair(article_a, article_b, signatures=(sig_a, sig_b), stats=local)
        if relation.kind is not RelationKind.UNRELATED:
            yield relation


def _lite(article: Article) -> Article:
    """The article without its text (stories and threads read only ids and metadata)."""
    return dataclasses.replace(article, raw="", html=None, text="", sentences=(), removed=())


def _story(item: tuple[str, tuple[Iterable[Article], Iterable[Relation]]]) -> tuple[str, Story]:
    """The story of one component: :func:`newstrace.cluster.stories` on its articles and relations."""
    articles = sorted(item[1][0], key=lambda a: a.id)
    relations = sorted(item[1][1], key=lambda r: (r.a, r.b))
    found = make_stories(articles, relations)
    if len(found) != 1:
        raise RuntimeError(f"component {item[0]!r} made {len(found)} stories; expected one")
    return item[0], found[0]


def _thread_date_gap_ok(max_gap: int, x: Article, y: Article) -> bool:
    """The date rule of ``newstrace.cluster.threads``: both dated and more than ``max_gap`` days apart
    joins nothing."""
    dx, dy = x.published, y.published
    return not (dx and dy and abs((dx - dy).days) > max_gap)


_ThreadPair = tuple[str, str, float, str, Article, str, Article]
"""``(a, b, similarity, story root of a, lite a, story root of b, lite b)``."""


def _thread(settings: Settings, item: tuple[str, tuple[Iterable[Story], Iterable[_ThreadPair]]]) -> Thread:
    """The thread of one component: :func:`newstrace.cluster.threads` on its stories and pairs."""
    story_list = sorted(item[1][0], key=lambda s: s.id)
    pairs = sorted(item[1][1], key=lambda p: (p[0], p[1]))
    lites = {p[0]: p[4] for p in pairs} | {p[1]: p[6] for p in pairs}
    found = make_threads(
        story_list,
        list(lites.values()),
        [(p[0], p[1], p[2]) for p in pairs],
        settings=settings.cluster,
    )
    if len(found) != 1:
        raise RuntimeError(f"thread component {item[0]!r} made {len(found)} threads; expected one")
    return found[0]


# -- the job ------------------------------------------------------------------------------------------------


class _Job:
    """One batch analysis on Spark. Persisted data sets are released when :meth:`run` ends."""

    def __init__(self, spark: SparkSession, engine: Engine, *, partitions: int | None) -> None:
        self.spark = spark
        self.sc = spark.sparkContext
        self.engine = engine
        self.settings = engine.settings
        self.spec = _WorkerSpec(engine.settings, engine.embeddings)
        self.fixed_partitions = partitions
        self.partitions = partitions or 2 * self.sc.defaultParallelism
        self._cached: list[RDD[Any]] = []
        self._broadcasts: list[Broadcast[Any]] = []

    def _keep(self, rdd: RDD[T]) -> RDD[T]:
        from pyspark import StorageLevel

        rdd.persist(StorageLevel.MEMORY_AND_DISK)
        self._cached.append(rdd)
        return rdd

    def _share(self, value: T) -> Broadcast[T]:
        shared = self.sc.broadcast(value)
        self._broadcasts.append(shared)
        return shared

    def run(self, found: SparkInput, *, parquet: str | None, collect: bool) -> SparkRun:
        try:
            return self._run(found, parquet=parquet, collect=collect)
        finally:
            for rdd in self._cached:
                rdd.unpersist()
            for shared in self._broadcasts:
                shared.unpersist()

    def _run(self, found: SparkInput, *, parquet: str | None, collect: bool) -> SparkRun:
        records = self._keep(found.records)
        problems = list(found.problems)
        problems.extend(records.filter(lambda r: r[0] == "e").map(lambda r: (r[1], *r[2])).collect())
        parsed = records.filter(lambda r: r[0] == "a").map(lambda r: (r[2].id, (r[1], r[2])))
        total = parsed.count()
        self.partitions = _partition_count(self.fixed_partitions, total, self.sc.defaultParallelism)
        parsed, duplicates = self._drop_repeated_ids(parsed)
        problems.extend(duplicates)
        self._report_manifest(found, parsed)
        skipped = tuple(
            InputError(reason, source=source, line=line)
            for _, source, line, reason in sorted(problems, key=lambda p: p[0])
        )
        count = total - len(duplicates)
        logger.info("%d articles in %d partitions; %d problems", count, self.partitions, len(skipped))

        started = time.perf_counter()
        cleaned = self._clean(parsed)
        sigs = self._keep(cleaned.mapValues(operator.itemgetter(2)))
        stats = self._share(self._term_stats(sigs, count))
        records.unpersist()  # the cleaned articles are materialised: the parsed input is not needed again
        _log_stage("clean, fingerprint, term statistics", started, count)
        pairs = self._candidate_info(sigs, stats)
        terms = sigs.mapValues(lambda sig: sig.terms)
        scored = self._keep(self._score(pairs, terms, stats))
        _log_stage("candidate and thread pairs", started, scored.count())
        thread_pairs = scored.filter(lambda r: r[0] == "t").map(operator.itemgetter(1))
        candidates = scored.filter(lambda r: r[0] == "c").map(operator.itemgetter(1))
        relations = self._keep(self._relate(candidates, cleaned, stats))
        n_relations = relations.count()
        _log_stage("alignment (relations kept)", started, n_relations)
        lites = self._keep(cleaned.mapValues(lambda v: _lite(v[1])))
        story_of, stories = self._stories(lites, relations)
        n_stories = stories.count()
        _log_stage("stories", started, n_stories)
        threads = self._keep(self._threads(lites, story_of, stories, thread_pairs))
        n_threads = threads.count()
        _log_stage("threads", started, n_threads)
        settings_ids = self.engine.settings_ids()
        if parquet is not None:
            self._write(parquet, cleaned, relations, stories, threads, skipped, settings_ids)
        analysis = None
        if collect:
            ordered = sorted(cleaned.values().map(lambda v: (v[0], v[1])).collect(), key=lambda x: x[0])
            analysis = Analysis(
                articles=tuple(a for _, a in ordered),
                relations=tuple(sorted(relations.collect(), key=lambda r: (r.a, r.b))),
                stories=tuple(sorted(stories.values().collect(), key=lambda s: s.id)),
                threads=tuple(sorted(threads.collect(), key=lambda t: t.stories[0])),
                settings=settings_ids,
                skipped=skipped,
            )
        return SparkRun(
            articles=count,
            relations=n_relations,
            stories=n_stories,
            threads=n_threads,
            skipped=skipped,
            parquet=parquet,
            analysis=analysis,
        )

    # -- input -----------------------------------------------------------------------------------------
    def _drop_repeated_ids(
        self, parsed: RDD[tuple[str, tuple[Order, Article]]]
    ) -> tuple[RDD[tuple[str, tuple[Order, Article]]], list[Problem]]:
        """Keep the first article (in input order) of every id; each later one is a problem, as in the
        local reader. Only the records of repeated ids travel to the driver."""
        repeated = (
            parsed.map(lambda kv: (kv[0], 1))
            .reduceByKey(operator.add, self.partitions)
            .filter(lambda kv: kv[1] > 1)
            .keys()
        )
        if repeated.isEmpty():
            return parsed, []
        ids = self._share(frozenset(repeated.collect()))
        copies = (
            parsed.filter(lambda kv: kv[0] in ids.value)
            .map(lambda kv: (kv[0], kv[1][0], kv[1][1].source))
            .collect()
        )
        copies.sort(key=lambda c: (c[0], c[1]))
        first: dict[str, str] = {}
        drop: set[tuple[str, Order]] = set()
        problems: list[Problem] = []
        for article_id, order, source in copies:
            if article_id not in first:
                first[article_id] = source
                continue
            drop.add((article_id, order))
            where, line = (order[1], order[2]) if order[1] else (source, None)
            reason = (
                f"duplicate id {article_id!r} (first read from {first[article_id]}); "
                "rename one of them or remove the copy (the first one is kept)"
            )
            problems.append((order, where, line, reason))
        dropped = self._share(frozenset(drop))
        return parsed.filter(lambda kv: (kv[0], kv[1][0]) not in dropped.value), problems

    def _report_manifest(self, found: SparkInput, parsed: RDD[tuple[str, tuple[Order, Article]]]) -> None:
        """Warn about manifest entries that matched no article, as the local reader does."""
        collector = found.collector
        manifest = collector.manifest if collector is not None else None
        if manifest is None:
            return
        ids = self._share(frozenset(e.id for e in manifest.entries if e.id is not None))
        for article_id in parsed.keys().filter(lambda i: i in ids.value).distinct().collect():
            manifest.by_id(article_id)
        for entry in manifest.unused():
            logger.warning(
                "%s:%d: manifest entry (%s) matches no article; check its id or file name",
                manifest.source,
                entry.line,
                entry.describe(),
            )

    # -- per-article stages ------------------------------------------------------------------------------
    def _clean(
        self, parsed: RDD[tuple[str, tuple[Order, Article]]]
    ) -> RDD[tuple[str, tuple[Order, Article, Signature]]]:
        clean = self.settings.clean
        chrome_keys = (
            parsed.mapPartitions(partial(_chrome_counts, self.settings))
            .reduceByKey(operator.add, self.partitions)
            .filter(lambda kv: kv[1] >= clean.corpus_repeat_min_docs)
            .keys()
            .collect()
        )
        chrome = self._share(frozenset(chrome_keys))
        logger.info("%d corpus chrome lines", len(chrome_keys))
        return self._keep(
            parsed.values()
            .repartition(self.partitions)
            .mapPartitions(partial(_clean_partition, self.spec, chrome))
        )

    def _term_stats(self, sigs: RDD[tuple[str, Signature]], docs: int) -> TermStats:
        df = sigs.mapPartitions(_term_counts).reduceByKey(operator.add, self.partitions).collectAsMap()
        logger.info("%d distinct content terms", len(df))
        return TermStats(docs, Counter(df))

    # -- candidates ---------------------------------------------------------------------------------------
    def _candidate_info(
        self, sigs: RDD[tuple[str, Signature]], stats: Broadcast[TermStats]
    ) -> RDD[tuple[tuple[str, str], tuple[int, int]]]:
        """``((a, b), (channel bits, shared anchors))`` for every pair some channel proposes, plus every
        pair sharing at least two anchors (thread pairs), ``a < b``."""
        fp = self.settings.fingerprint
        n = self.partitions
        minhash = (
            sigs.mapPartitions(partial(_band_rows, fp.lsh_bands))
            .groupByKey(n)
            .flatMap(partial(_bucket_pairs, _LSH_MAX_BUCKET))
            .map(lambda p: (p, (_MINHASH, 0)))
        )
        sentences = (
            sigs.flatMap(_sentence_rows)
            .groupByKey(n)
            .flatMap(_sentence_group_pairs)
            .reduceByKey(operator.add, n)
            .filter(lambda kv: kv[1] >= _SENTENCE_MIN_SHARED)
            .map(lambda kv: (kv[0], (_SENTENCES, 0)))
        )
        min_shared = fp.anchor_min_shared
        anchors = (
            sigs.mapPartitions(partial(_anchor_rows, stats, fp))
            .groupByKey(n)
            .flatMap(partial(_bucket_pairs, fp.anchor_max_df + 1))
            .map(lambda p: (p, 1))
            .reduceByKey(operator.add, n)
            .filter(lambda kv: kv[1] >= _ANCHOR_PAIR_MIN_SHARED)
            .map(lambda kv: (kv[0], (_ANCHORS if kv[1] >= min_shared else 0, kv[1])))
        )
        return self.sc.union([minhash, sentences, anchors]).reduceByKey(_merge_info, n)

    def _score(
        self,
        pairs: RDD[tuple[tuple[str, str], tuple[int, int]]],
        terms: RDD[tuple[str, frozenset[str]]],
        stats: Broadcast[TermStats],
    ) -> RDD[tuple[str, Any]]:
        n = self.partitions
        with_a = pairs.map(lambda kv: (kv[0][0], (kv[0][1], kv[1]))).join(terms, n)
        with_b = with_a.map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1]))).join(terms, n)
        return with_b.mapPartitions(partial(_score_pairs, stats, self.settings.fingerprint))

    def _relate(
        self,
        candidates: RDD[tuple[str, str]],
        cleaned: RDD[tuple[str, _Cleaned]],
        stats: Broadcast[TermStats],
    ) -> RDD[Relation]:
        """Each candidate pair joined with both cleaned articles and signatures, then related."""
        n = self.partitions
        with_a = candidates.join(cleaned, n)
        with_b = with_a.map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).join(cleaned, n)
        return with_b.mapPartitions(partial(_relate_partition, self.spec, stats))

    # -- clusters -----------------------------------------------------------------------------------------
    def _stories(
        self, lites: RDD[tuple[str, Article]], relations: RDD[Relation]
    ) -> tuple[RDD[tuple[str, str]], RDD[tuple[str, Story]]]:
        """``(article id, story root)`` for every article and ``(story root, Story)``; the root is the
        story's smallest article id."""
        n = self.partitions
        labels = connected_components(relations.map(lambda r: (r.a, r.b)), partitions=n)
        self._cached.append(labels)
        story_of = self._keep(lites.leftOuterJoin(labels, n).map(lambda kv: (kv[0], kv[1][1] or kv[0])))
        members = lites.join(story_of, n).map(lambda kv: (kv[1][1], kv[1][0]))
        inside = relations.map(lambda r: (r.a, r)).join(story_of, n).map(lambda kv: (kv[1][1], kv[1][0]))
        stories = self._keep(members.cogroup(inside, n).map(_story))
        return story_of, stories

    def _threads(
        self,
        lites: RDD[tuple[str, Article]],
        story_of: RDD[tuple[str, str]],
        stories: RDD[tuple[str, Story]],
        thread_pairs: RDD[tuple[str, str, float]],
    ) -> RDD[Thread]:
        """Threads: components of stories joined by thread pairs that pass the rules of
        :func:`newstrace.cluster.threads`, each made by that function."""
        n = self.partitions
        cluster = self.settings.cluster
        node = self._keep(lites.join(story_of, n).map(lambda kv: (kv[0], (kv[1][1], kv[1][0]))))
        similar = thread_pairs.filter(lambda t: t[2] >= cluster.thread_min_similarity)
        with_a = similar.map(lambda t: (t[0], t)).join(node, n)
        with_b = with_a.map(lambda kv: (kv[1][0][1], (kv[1][0], kv[1][1]))).join(node, n)
        max_gap = cluster.thread_max_gap_days
        accepted: RDD[_ThreadPair] = self._keep(
            with_b.map(lambda kv: (*kv[1][0][0], *kv[1][0][1], *kv[1][1])).filter(
                lambda p: p[3] != p[5] and _thread_date_gap_ok(max_gap, p[4], p[6])
            )
        )
        labels = connected_components(accepted.map(lambda p: (p[3], p[5])), partitions=n)
        self._cached.append(labels)
        story_thread = stories.leftOuterJoin(labels, n).map(lambda kv: (kv[1][1] or kv[0], kv[1][0]))
        pair_thread = accepted.map(lambda p: (p[3], p)).join(labels, n).map(lambda kv: (kv[1][1], kv[1][0]))
        return story_thread.cogroup(pair_thread, n).map(partial(_thread, self.settings))

    # -- output -------------------------------------------------------------------------------------------
    def _write(
        self,
        out: str,
        cleaned: RDD[tuple[str, tuple[Order, Article, Signature]]],
        relations: RDD[Relation],
        stories: RDD[tuple[str, Story]],
        threads: RDD[Thread],
        skipped: Sequence[InputError],
        settings_ids: Mapping[str, str],
    ) -> None:
        """Parquet data sets under ``out``; ``record`` columns hold each row's JSON contract object."""
        from pyspark.sql.types import (
            ArrayType,
            DateType,
            DoubleType,
            IntegerType,
            StringType,
            StructField,
            StructType,
        )

        def schema(*fields: tuple[str, Any]) -> StructType:
            return StructType([StructField(name, kind, True) for name, kind in fields])

        text, strings = StringType(), ArrayType(StringType())
        base = out.rstrip("/")
        tables: list[tuple[str, RDD[Any] | list[Any], StructType]] = [
            (
                "articles",
                cleaned.values().map(_article_row),
                schema(
                    ("id", text),
                    ("title", text),
                    ("outlet", text),
                    ("published", DateType()),
                    ("language", text),
                    ("url", text),
                    ("source", text),
                    ("text", text),
                    ("record", text),
                ),
            ),
            (
                "relations",
                relations.map(_relation_row),
                schema(
                    ("a", text),
                    ("b", text),
                    ("kind", text),
                    ("origin", text),
                    ("confidence", DoubleType()),
                    ("record", text),
                ),
            ),
            (
                "stories",
                stories.values().map(lambda s: (s.id, list(s.articles), s.origin)),
                schema(("id", text), ("articles", strings), ("origin", text)),
            ),
            (
                "threads",
                threads.map(lambda t: (t.id, list(t.stories), list(t.articles))),
                schema(("id", text), ("stories", strings), ("articles", strings)),
            ),
            (
                "skipped",
                [(e.source, e.line, e.reason) for e in skipped],
                schema(("source", text), ("line", IntegerType()), ("reason", text)),
            ),
            ("settings", sorted(settings_ids.items()), schema(("section", text), ("id", text))),
        ]
        for name, rows, table_schema in tables:
            frame = self.spark.createDataFrame(rows, table_schema)
            frame.write.mode("overwrite").parquet(f"{base}/{name}")
        logger.info("Parquet written to %s", base)


def _article_row(value: tuple[Order, Article, Signature]) -> tuple[Any, ...]:
    article = value[1]
    return (
        article.id,
        article.title,
        article.outlet,
        article.published,
        article.language,
        article.url,
        article.source,
        article.text,
        json.dumps(article_to_json(article), ensure_ascii=False),
    )


def _relation_row(relation: Relation) -> tuple[Any, ...]:
    return (
        relation.a,
        relation.b,
        str(relation.kind),
        relation.origin,
        relation.confidence,
        json.dumps(relation_to_json(relation), ensure_ascii=False),
    )
