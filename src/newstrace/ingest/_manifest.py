"""The manifest: a JSONL file of metadata for articles read from elsewhere.

Each line is an object with ``id`` and/or ``file`` (matched against an article's id, or against the base
name of the file a whole-file article came from) and any of ``outlet``, ``published``, ``title``, ``url``,
``language``. Other fields are ignored. Manifest values only fill an article's fields that are ``None``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path, PurePath

from newstrace.errors import InputError
from newstrace.ingest._text import (
    BOM,
    FieldProblem,
    binary_problem,
    identifier,
    optional_string,
    parse_json_object,
    parse_published,
)
from newstrace.records import Article

__all__ = ["Manifest", "ManifestEntry", "load_manifest"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One manifest line; ``file`` is a base name (folders are dropped), ``line`` is 1-based."""

    line: int
    id: str | None
    file: str | None
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    language: str | None = None

    def describe(self) -> str:
        """How a message names this entry, e.g. ``id '000'`` or ``file 'a.txt'``."""
        parts = []
        if self.id is not None:
            parts.append(f"id {self.id!r}")
        if self.file is not None:
            parts.append(f"file {self.file!r}")
        return ", ".join(parts)

    def fill(self, article: Article) -> Article:
        """``article`` with its ``None`` metadata fields filled from this entry (its own values win)."""
        return dataclasses.replace(
            article,
            title=self.title if article.title is None else article.title,
            outlet=self.outlet if article.outlet is None else article.outlet,
            published=self.published if article.published is None else article.published,
            url=self.url if article.url is None else article.url,
            language=self.language if article.language is None else article.language,
        )


class Manifest:
    """Manifest entries indexed by id and by file base name; remembers which entries were used."""

    def __init__(self, entries: list[ManifestEntry], *, source: str) -> None:
        self.source = source
        self.entries: tuple[ManifestEntry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in entries if entry.id is not None}
        self._by_file = {entry.file: entry for entry in entries if entry.file is not None}
        self._used: set[int] = set()

    def by_file(self, name: str) -> ManifestEntry | None:
        """The entry for the file with base name ``name``, marked used; ``None`` when there is none."""
        return self._use(self._by_file.get(PurePath(name).name))

    def by_id(self, article_id: str) -> ManifestEntry | None:
        """The entry for ``article_id``, marked used; ``None`` when there is none."""
        return self._use(self._by_id.get(article_id))

    def unused(self) -> tuple[ManifestEntry, ...]:
        """Entries no article has matched so far, in manifest order."""
        return tuple(entry for entry in self.entries if entry.line not in self._used)

    def _use(self, entry: ManifestEntry | None) -> ManifestEntry | None:
        if entry is not None:
            self._used.add(entry.line)
        return entry


def _entry_from_line(data: bytes, *, line: int) -> ManifestEntry:
    """Parse one non-blank manifest line; raises :class:`FieldProblem` with what is wrong and what to do."""
    record = parse_json_object(data, line=line, what="manifest", example='{"id": ..., "outlet": ...}')
    entry_id = None if record.get("id") is None else identifier(record["id"])
    file_name = optional_string(record, "file")
    if entry_id is None and file_name is None:
        raise FieldProblem(
            f'manifest line {line} has neither "id" nor "file"; add one so it can be matched to an article'
        )
    return ManifestEntry(
        line=line,
        id=entry_id,
        file=None if file_name is None else PurePath(file_name).name,
        title=optional_string(record, "title"),
        outlet=optional_string(record, "outlet"),
        published=parse_published(record.get("published")),
        url=optional_string(record, "url"),
        language=optional_string(record, "language"),
    )


def load_manifest(path: Path) -> tuple[Manifest, list[InputError]]:
    """Read a manifest; bad lines (and an unreadable file) become problems, the rest is kept.

    When two entries claim the same id or the same file, the first is kept and the later one is a
    problem.
    """
    source = str(path)
    problems: list[InputError] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        problems.append(
            InputError(
                f"cannot read the manifest ({reason}); check the manifest path and that you may read it",
                source=source,
            )
        )
        return Manifest([], source=source), problems
    problem = binary_problem(data)
    if problem is not None:
        problems.append(InputError(problem, source=source))
        return Manifest([], source=source), problems
    entries: list[ManifestEntry] = []
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    for number, raw_line in enumerate(data.removeprefix(BOM).split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        try:
            entry = _entry_from_line(raw_line, line=number)
        except FieldProblem as exc:
            problems.append(InputError(str(exc), source=source, line=number))
            continue
        clash = _clash(entry, seen_ids, seen_files)
        if clash is not None:
            problems.append(InputError(clash, source=source, line=number))
            continue
        if entry.id is not None:
            seen_ids[entry.id] = number
        if entry.file is not None:
            seen_files[entry.file] = number
        entries.append(entry)
    if not entries and not problems:
        problems.append(
            InputError(
                "the manifest is empty; add one JSON object per line or drop the manifest", source=source
            )
        )
    logger.debug("read %d manifest entries from %s", len(entries), source)
    return Manifest(entries, source=source), problems


def _clash(entry: ManifestEntry, seen_ids: dict[str, int], seen_files: dict[str, int]) -> str | None:
    """Why ``entry`` repeats an earlier entry's id or file (and what to do), or ``None``."""
    if entry.id is not None and entry.id in seen_ids:
        return (
            f"duplicate manifest entry for id {entry.id!r} (first at line {seen_ids[entry.id]}); "
            "keep one entry per article"
        )
    if entry.file is not None and entry.file in seen_files:
        return (
            f"duplicate manifest entry for file {entry.file!r} (first at line {seen_files[entry.file]}); "
            "keep one entry per article (files are compared by base name)"
        )
    return None
