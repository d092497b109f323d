"""Input for the Spark executor: JSONL and Parquet read inside Spark, other inputs read on the driver.

Which reader takes an input:

* a path or URL ending in ``.parquet`` (a file or a folder of part files), or a local folder holding
  ``.parquet`` files: Spark's Parquet reader. Columns ``id``, ``text``, ``html``, ``title``, ``url``,
  ``outlet``, ``published`` (ISO string, date or timestamp), ``language``; others are ignored. A row's
  source is ``<file>:<row>`` (1-based row within its file).
* a path or URL ending in ``.jsonl``/``.ndjson`` (globs allowed), or any URL with a scheme
  (``hdfs://``, ``s3a://``, ``gs://``, ``file://`` …; a file, folder or glob of JSONL files): Spark's text
  reader, one line per record, each line turned into an article by the JSONL rules of
  :mod:`newstrace.ingest` (same fields, same problems, same 1-based line numbers).
* anything else (local folders of ``.txt``/``.html``, single text or HTML files, ``-``): the local reader
  on the driver (:func:`newstrace.ingest.read_inputs`), then distributed. Fine for small inputs.

Every article carries an *order key* ``(input index, file, line)``: input order as the local reader
would see it. It decides which of two articles with one id is kept (the first), and the order of
articles and skipped problems in the result. Problems are ``(order, source, line, reason)`` tuples
(``InputError`` does not survive pickling), turned back into :class:`InputError` on the driver.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstrace.errors import InputError
from newstrace.ingest._manifest import ManifestEntry
from newstrace.ingest._read import STDIN, _Collector, _read_stdin
from newstrace.ingest._readers import READERS, _article_from_json_line, _article_from_record
from newstrace.ingest._text import BOM, FieldProblem, binary_problem
from newstrace.records import Article

if TYPE_CHECKING:
    from pyspark import RDD, Broadcast
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["Order", "Problem", "SparkInput", "classify", "read_spark_inputs"]

logger = logging.getLogger(__name__)

Order = tuple[int, str, int]
"""``(input index, file as shown in sources, 1-based line or row; 0 for the whole file)``."""

Problem = tuple[Order, str, int | None, str]
"""``(order, source, line, reason)``: one skipped input, ready to become an :class:`InputError`."""

Record = tuple[str, Order, Any]
"""``("a", order, Article)`` or ``("e", order, (source, line, reason))``: one output of a reader."""

_HEAD_BYTES = 8192  # as newstrace.ingest._readers: the bytes checked for binary content
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_PARQUET_SUFFIX = ".parquet"
_GLOB_RE = re.compile(r"[*?\[{]")
_PARQUET_FIELDS = ("id", "text", "html", "title", "url", "outlet", "published", "language")
_NO_LINES = (
    "the file has no JSON lines (it is empty or only whitespace); "
    'add one {"id": ..., "text": ...} object per line or remove the file'
)


def classify(path: str) -> str:
    """``"parquet"``, ``"jsonl"`` (both read in Spark) or ``"driver"`` (the local reader) for one input."""
    if path == STDIN:
        return "driver"
    lower = path.rstrip("/").lower()
    if lower.endswith(_PARQUET_SUFFIX):
        return "parquet"
    if lower.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if _has_scheme(path):
        return "jsonl"
    local = Path(path)
    if local.is_dir():
        try:
            if any(child.suffix == _PARQUET_SUFFIX for child in local.iterdir()):
                return "parquet"
        except OSError:
            return "driver"
    elif _GLOB_RE.search(path):
        return "jsonl"
    return "driver"


def _has_scheme(path: str) -> bool:
    scheme = urllib.parse.urlsplit(path).scheme
    return len(scheme) > 1  # a one-letter "scheme" is a Windows drive


def _norm(file_uri: str) -> str:
    """One spelling per file: Spark writes local files as ``file:/x`` or ``file:///x`` (and may
    percent-encode); both become ``file:/x``."""
    parts = urllib.parse.urlsplit(file_uri)
    if parts.scheme == "file":
        return "file:" + urllib.parse.unquote(parts.path)
    return file_uri


def _display(file_uri: str, given: dict[str, str]) -> str:
    """How a file read by Spark is named in sources: as the user gave it, its local path, or its URL."""
    key = _norm(file_uri)
    if key in given:
        return given[key]
    if key.startswith("file:"):
        return key.removeprefix("file:")
    return file_uri


def _given_names(paths: Iterable[str]) -> dict[str, str]:
    """The normalised ``file:`` URI of each local file named directly -> the name the local reader
    would show (``str(Path(name))``)."""
    out: dict[str, str] = {}
    for path in paths:
        if _has_scheme(path) or _GLOB_RE.search(path):
            continue
        local = Path(path)
        if local.is_file():
            out["file:" + str(local.resolve())] = str(local)
    return out


@dataclass(slots=True)
class SparkInput:
    """What was read: ``records`` (``Record`` tuples, one per article or per-line problem, not yet
    deduplicated by id), the problems found on the driver (missing paths, binary or empty files, manifest
    problems, driver-read inputs), and the driver-side reader state (``None`` for in-memory articles),
    whose manifest reports its unused entries after the run."""

    records: RDD[Record]
    problems: list[Problem]
    collector: _Collector | None


def read_spark_inputs(
    spark: SparkSession,
    paths: Sequence[str],
    *,
    manifest: str | Path | None,
    partitions: int,
) -> SparkInput:
    """Read every input (see the module docstring) into one RDD of records; nothing is collected but
    per-file statistics (one small row per input split) and the problems."""
    sc = spark.sparkContext
    collector = _Collector(list(READERS))
    problems: list[Problem] = []
    if manifest is not None:
        collector.load_manifest(Path(manifest))
        problems.extend(((-1, "", n), e.source, e.line, e.reason) for n, e in enumerate(collector.skipped))
        collector.skipped.clear()
    by_id: dict[str, ManifestEntry] = {}
    if collector.manifest is not None:
        by_id = {e.id: e for e in collector.manifest.entries if e.id is not None}
    manifest_bc = sc.broadcast(by_id)
    given = _given_names(paths)
    parts: list[RDD[Record]] = []
    driver_articles: list[tuple[Order, Article]] = []
    for index, path in enumerate(paths):
        kind = classify(path)
        if kind == "driver":
            before = len(collector.articles)
            if path == STDIN:
                collector.add(_read_stdin(), path=None)
            else:
                collector.read_path(Path(path))
            driver_articles.extend(
                ((index, "", n), a) for n, a in enumerate(collector.articles[before:], start=before)
            )
            problems.extend(
                ((index, "", n), e.source, e.line, e.reason) for n, e in enumerate(collector.skipped)
            )
            collector.skipped.clear()
            continue
        reader = _read_parquet if kind == "parquet" else _read_jsonl
        found = reader(spark, path, index=index, given=given, manifest=manifest_bc)
        if isinstance(found, InputError):
            problems.append(((index, _display(path, given), 0), found.source, found.line, found.reason))
            continue
        records, file_problems = found
        problems.extend(file_problems)
        parts.append(records)
    if driver_articles:
        # Driver-read articles already went through the manifest (by file or id) and id checks.
        rows: list[Record] = [("a", order, article) for order, article in driver_articles]
        parts.append(sc.parallelize(rows, max(1, min(partitions, len(rows)))))
    combined: RDD[Record] = sc.union(parts) if parts else sc.emptyRDD()
    return SparkInput(records=combined, problems=problems, collector=collector)


def _read_error(exc: Exception, path: str) -> InputError:
    text = str(exc)
    if "PATH_NOT_FOUND" in text or "does not exist" in text.lower():
        return InputError("no such file or folder; check the path", source=path)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return InputError(f"cannot read the input ({first}); check the path and its format", source=path)


# -- JSONL ---------------------------------------------------------------------------------------------


def _read_jsonl(
    spark: SparkSession,
    path: str,
    *,
    index: int,
    given: dict[str, str],
    manifest: Broadcast[dict[str, ManifestEntry]],
) -> tuple[RDD[Record], list[Problem]] | InputError:
    """JSONL lines in Spark: a first pass counts lines per input split (for 1-based line numbers) and
    checks each file's head, a second turns every line into an article or a problem."""
    from pyspark.errors import PySparkException
    from pyspark.sql import functions as F

    try:
        frame = spark.read.option("lineSep", "\n").option("recursiveFileLookup", "true").text(path)
        files = frame.inputFiles()
    except (PySparkException, OSError) as exc:
        return _read_error(exc, path)
    lines: DataFrame = frame.select(
        F.col("_metadata.file_path").alias("file"),
        F.col("_metadata.file_block_start").alias("block"),
        F.col("value").cast("binary").alias("line"),
    )
    rows = lines.rdd.map(tuple)
    splits = rows.mapPartitions(_split_summaries).collect()
    offsets, heads, nonblank = _line_offsets(splits)
    problems: list[Problem] = []
    bad_files: set[str] = set()
    for file_uri in sorted({_norm(f) for f in files}):
        shown = _display(file_uri, given)
        head = heads.get(file_uri)
        problem = binary_problem(head) if head is not None else None
        if problem is None and nonblank.get(file_uri, 0) == 0:
            problem = _NO_LINES
        if problem is not None:
            bad_files.add(file_uri)
            problems.append(((index, shown, 0), shown, None, problem))
    sc = spark.sparkContext
    context = sc.broadcast((index, offsets, frozenset(bad_files), given))
    records = rows.mapPartitions(lambda part: _parse_lines(part, context.value, manifest.value))
    return records, problems


def _split_summaries(rows: Iterable[tuple[str, int, bytes]]) -> Iterator[tuple[str, int, int, int, bytes]]:
    """One ``(file, block start, lines, non-blank lines, head bytes)`` per input split in a partition.

    Rows of one split are consecutive and in file order within a partition; ``head`` (first split of a
    file only) is its first ``_HEAD_BYTES`` bytes as the lines rebuild them.
    """
    current: tuple[str, int] | None = None
    count = nonblank = 0
    head = bytearray()
    for file_uri, block, line in rows:
        key = (file_uri, block)
        if key != current:
            if current is not None:
                yield current[0], current[1], count, nonblank, bytes(head)
            current, count, nonblank, head = key, 0, 0, bytearray()
        count += 1
        if line.strip():
            nonblank += 1
        if block == 0 and len(head) < _HEAD_BYTES:
            head += line + b"\n"
    if current is not None:
        yield current[0], current[1], count, nonblank, bytes(head)


def _line_offsets(
    splits: Sequence[tuple[str, int, int, int, bytes]],
) -> tuple[dict[tuple[str, int], int], dict[str, bytes], dict[str, int]]:
    """Lines before each split of a file (prefix sums over its splits in byte order), file heads, and
    non-blank lines per file."""
    by_file: dict[str, list[tuple[int, int]]] = {}
    heads: dict[str, bytes] = {}
    nonblank: dict[str, int] = {}
    for raw_uri, block, count, filled, head in splits:
        file_uri = _norm(raw_uri)
        by_file.setdefault(file_uri, []).append((block, count))
        nonblank[file_uri] = nonblank.get(file_uri, 0) + filled
        if block == 0:
            heads[file_uri] = head[:_HEAD_BYTES]
    offsets: dict[tuple[str, int], int] = {}
    for file_uri, blocks in by_file.items():
        seen = 0
        for block, count in sorted(blocks):
            offsets[(file_uri, block)] = seen
            seen += count
    return offsets, heads, nonblank


def _parse_lines(
    rows: Iterable[tuple[str, int, bytes]],
    context: tuple[int, dict[tuple[str, int], int], frozenset[str], dict[str, str]],
    manifest: dict[str, ManifestEntry],
) -> Iterator[Record]:
    """Each line as the local JSONL reader makes it (``newstrace.ingest._readers``): BOM stripped on
    line 1, blank lines skipped, one article or one problem per line."""
    index, offsets, bad_files, given = context
    current: tuple[str, int] | None = None
    number = 0
    shown = ""
    bad = False
    for raw_uri, block, data in rows:
        if (raw_uri, block) != current:
            current = (raw_uri, block)
            file_uri = _norm(raw_uri)
            number = offsets[(file_uri, block)]
            shown = _display(file_uri, given)
            bad = file_uri in bad_files
        number += 1
        if bad:
            continue
        body = data.removeprefix(BOM) if number == 1 else data
        if not body.strip():
            continue
        order: Order = (index, shown, number)
        item = _article_from_json_line(body, path=Path(shown), line=number)
        if isinstance(item, InputError):
            yield "e", order, (shown, number, item.reason)
            continue
        source = f"{shown}:{number}"
        if item.source != source:  # Path() folds a URL's "//"; sources keep the URL as written
            item = dataclasses.replace(item, source=source)
        yield "a", order, _with_manifest(item, manifest)


def _with_manifest(article: Article, manifest: dict[str, ManifestEntry]) -> Article:
    """Manifest values fill the article's empty fields (by id: a JSONL or Parquet record is never a
    whole-file article)."""
    entry = manifest.get(article.id)
    return article if entry is None else entry.fill(article)


# -- Parquet -------------------------------------------------------------------------------------------


def _read_parquet(
    spark: SparkSession,
    path: str,
    *,
    index: int,
    given: dict[str, str],
    manifest: Broadcast[dict[str, ManifestEntry]],
) -> tuple[RDD[Record], list[Problem]] | InputError:
    from pyspark.errors import PySparkException
    from pyspark.sql import functions as F

    try:
        frame = spark.read.option("recursiveFileLookup", "true").parquet(path)
    except (PySparkException, OSError) as exc:
        return _read_error(exc, path)
    present = [name for name in _PARQUET_FIELDS if name in frame.columns]
    if "id" not in present or not ({"text", "html"} & set(present)):
        return InputError(
            'a Parquet input needs an "id" column and a "text" or "html" column; rename its columns',
            source=path,
        )
    selected = frame.select(
        F.col("_metadata.file_path").alias("__file"),
        F.col("_metadata.row_index").alias("__row"),
        *[F.col(name) for name in present],
    )
    context = spark.sparkContext.broadcast((index, present, given))
    records = selected.rdd.map(tuple).mapPartitions(
        lambda part: _parse_rows(part, context.value, manifest.value)
    )
    return records, []


def _parse_rows(
    rows: Iterable[tuple[Any, ...]],
    context: tuple[int, list[str], dict[str, str]],
    manifest: dict[str, ManifestEntry],
) -> Iterator[Record]:
    """Each Parquet row as a JSONL record would be read (dates and timestamps become ISO strings)."""
    index, names, given = context
    for row in rows:
        file_uri, row_index, *values = row
        shown = _display(file_uri, given)
        number = int(row_index) + 1
        record: dict[str, object] = {}
        for name, value in zip(names, values, strict=True):
            record[name] = value.isoformat() if isinstance(value, dt.date) else value
        order: Order = (index, shown, number)
        try:
            article = _article_from_record(record, source=f"{shown}:{number}")
        except FieldProblem as exc:
            yield "e", order, (shown, number, str(exc))
            continue
        yield "a", order, _with_manifest(article, manifest)
