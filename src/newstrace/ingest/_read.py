"""``read_inputs``: files, folders and stdin in, articles and skipped problems out."""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from newstrace.errors import InputError
from newstrace.ingest._manifest import Manifest, load_manifest
from newstrace.ingest._readers import READERS, Reader, article_from_text
from newstrace.ingest._text import decode_text
from newstrace.records import Article

__all__ = ["MANIFEST_NAME", "STDIN", "ReadResult", "read_inputs"]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"
"""Files with this name hold metadata, not articles: folders skip them."""

STDIN = "-"
"""The path that means standard input (one plain-text or HTML article with id ``"stdin"``)."""

_STDIN_ID = "stdin"
_STDIN_SOURCE = "<stdin>"
_KNOWN_TYPES = ".txt, .html, .htm, .jsonl or .ndjson"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What :func:`read_inputs` read.

    ``articles`` are in input order (paths as given; a folder's files sorted by relative path; a JSONL
    file's lines in order), with unique ids. ``skipped`` holds one :class:`InputError` per problem, in
    the order met (manifest problems first).
    """

    articles: tuple[Article, ...]
    skipped: tuple[InputError, ...]


def read_inputs(
    paths: Sequence[str | Path] | str | Path,
    *,
    manifest: str | Path | None = None,
    readers: Sequence[Reader] | None = None,
) -> ReadResult:
    """Read articles from files, folders (recursively) and ``"-"`` (stdin).

    A folder contributes its non-hidden files that a reader accepts (``.txt``, ``.html``, ``.htm``,
    ``.jsonl``, ``.ndjson`` with the default :data:`READERS`), sorted by relative path; hidden files and
    folders and files named ``manifest.jsonl`` are skipped. ``readers`` replaces :data:`READERS` (tried
    in order). A single path may be passed instead of a sequence.

    ``manifest`` names a JSONL file of metadata matched to articles by ``file`` (base name of a
    whole-file article) or by ``id``; its values fill only fields that are ``None``. A whole-file
    article matched by ``file`` takes the entry's ``id`` when the entry has one.

    Bad input never raises: every problem becomes an :class:`InputError` in ``ReadResult.skipped`` and
    the rest is read. A later article with an id already read is skipped (the first one is kept).
    """
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    collector = _Collector(list(READERS if readers is None else readers))
    if manifest is not None:
        collector.load_manifest(Path(manifest))
    for item in given:
        if str(item) == STDIN:
            collector.add(_read_stdin(), path=None)
        else:
            collector.read_path(Path(item))
    return collector.finish()


class _Collector:
    """Accumulates articles and problems across inputs; owns id uniqueness and manifest matching."""

    def __init__(self, readers: list[Reader]) -> None:
        self.readers = readers
        self.manifest: Manifest | None = None
        self.manifest_path: Path | None = None
        self.articles: list[Article] = []
        self.skipped: list[InputError] = []
        self.first_place: dict[str, str] = {}
        self.files_seen: set[Path] = set()

    def load_manifest(self, path: Path) -> None:
        self.manifest, problems = load_manifest(path)
        self.manifest_path = path
        self.skip(*problems)

    def skip(self, *problems: InputError) -> None:
        for problem in problems:
            logger.info("skipped %s", problem)
        self.skipped.extend(problems)

    def read_path(self, path: Path) -> None:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            self.skip(InputError("no such file or folder; check the path", source=str(path)))
            return
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.skip(
                InputError(f"cannot access the path ({reason}); check its permissions", source=str(path))
            )
            return
        if stat.S_ISDIR(mode):
            self.read_folder(path)
        elif stat.S_ISREG(mode):
            self.read_named_file(path)
        else:
            self.skip(
                InputError(
                    "not a regular file or folder; pass article files, folders of them, or - for stdin",
                    source=str(path),
                )
            )

    def read_named_file(self, path: Path) -> None:
        """A file named on the command line: any name a reader accepts (hidden files included)."""
        if path.name == MANIFEST_NAME:
            if self.manifest_path is not None and _same_file(path, self.manifest_path):
                logger.debug("not reading %s as articles: it is the manifest", path)
                return
            self.skip(
                InputError(
                    f"a file named {MANIFEST_NAME} holds metadata, not articles; "
                    "pass it as the manifest (--manifest) instead",
                    source=str(path),
                )
            )
            return
        reader = self.reader_for(path)
        if reader is None:
            suffix = path.suffix or "(no extension)"
            self.skip(
                InputError(
                    f"unsupported file type {suffix!r}; pass {_KNOWN_TYPES} files, or - for stdin",
                    source=str(path),
                )
            )
            return
        self.read_file(path, reader)

    def read_folder(self, root: Path) -> None:
        files, problems = _folder_files(root, self.readers)
        self.skip(*problems)
        if (root / MANIFEST_NAME).is_file() and self.manifest_path is None:
            logger.info("%s has a %s; pass it as the manifest to use its metadata", root, MANIFEST_NAME)
        if not files and not problems:
            self.skip(
                InputError(
                    f"no article files ({_KNOWN_TYPES}) in this folder; point at the folder that holds them",
                    source=str(root),
                )
            )
        for path, reader in files:
            self.read_file(path, reader)

    def reader_for(self, path: Path) -> Reader | None:
        return next((reader for reader in self.readers if reader.accepts(path)), None)

    def read_file(self, path: Path, reader: Reader) -> None:
        key = _identity(path)
        if key in self.files_seen:
            logger.info("%s was already read (named twice); reading it once", path)
            return
        self.files_seen.add(key)
        try:
            for item in reader.read(path):
                self.add(item, path=path)
        except Exception as exc:  # a reader bug must not stop the run; say so loudly
            logger.exception("%s failed on %s", type(reader).__name__, path)
            self.skip(
                InputError(
                    f"{type(reader).__name__} failed ({exc!r}); this is a bug in the reader, please "
                    "report it with the file",
                    source=str(path),
                )
            )

    def add(self, item: Article | InputError, *, path: Path | None) -> None:
        """Take one reader output: match it with the manifest, then keep it unless its id was seen."""
        if isinstance(item, InputError):
            self.skip(item)
            return
        article = self.with_metadata(item, path=path)
        first = self.first_place.get(article.id)
        if first is not None:
            source, line = _place(article, path)
            self.skip(
                InputError(
                    f"duplicate id {article.id!r} (first read from {first}); "
                    "rename one of them or remove the copy (the first one is kept)",
                    source=source,
                    line=line,
                )
            )
            return
        self.first_place[article.id] = article.source
        self.articles.append(article)

    def with_metadata(self, article: Article, *, path: Path | None) -> Article:
        """``article`` with its manifest entry applied (by file for whole-file articles, else by id)."""
        if self.manifest is None:
            return article
        entry = None
        if path is not None and article.source == str(path):
            entry = self.manifest.by_file(path.name)
            if entry is not None and entry.id is not None and article.id == path.stem:
                article = replace(article, id=entry.id)
        if entry is None:
            entry = self.manifest.by_id(article.id)
        return article if entry is None else entry.fill(article)

    def finish(self) -> ReadResult:
        if self.manifest is not None:
            for entry in self.manifest.unused():
                logger.warning(
                    "%s:%d: manifest entry (%s) matches no article; check its id or file name",
                    self.manifest.source,
                    entry.line,
                    entry.describe(),
                )
        logger.info("read %d articles; skipped %d problems", len(self.articles), len(self.skipped))
        return ReadResult(articles=tuple(self.articles), skipped=tuple(self.skipped))


def _folder_files(root: Path, readers: list[Reader]) -> tuple[list[tuple[Path, Reader]], list[InputError]]:
    """The article files under ``root`` (sorted by relative path) with their readers, and listing problems."""
    problems: list[InputError] = []

    def on_error(exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        where = exc.filename if exc.filename is not None else root
        problems.append(
            InputError(f"cannot list the folder ({reason}); check its permissions", source=str(where))
        )

    found: list[tuple[tuple[str, ...], Path, Reader]] = []
    for folder, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in filenames:
            if name.startswith(".") or name == MANIFEST_NAME:
                continue
            path = Path(folder) / name
            reader = next((reader for reader in readers if reader.accepts(path)), None)
            if reader is not None:
                found.append((path.relative_to(root).parts, path, reader))
    found.sort(key=lambda item: item[0])
    return [(path, reader) for _, path, reader in found], problems


def _read_stdin() -> Article | InputError:
    """Standard input as one article with id ``"stdin"`` (UTF-8; HTML when it looks like a page)."""
    stream = sys.stdin
    if stream is None:
        return InputError(
            "there is no standard input; pass files or folders instead of -", source=_STDIN_SOURCE
        )
    try:
        buffer = getattr(stream, "buffer", None)
        data: bytes | str = buffer.read() if buffer is not None else stream.read()
    except (OSError, ValueError) as exc:  # ValueError: stdin was closed
        reason = getattr(exc, "strerror", None) or str(exc)
        return InputError(f"cannot read standard input ({reason}); pass a file instead", source=_STDIN_SOURCE)
    if not data.strip():
        return InputError(
            "standard input is empty; pipe the article text in, or pass files instead of -",
            source=_STDIN_SOURCE,
        )
    if isinstance(data, bytes):
        decoded = decode_text(data, source=_STDIN_SOURCE)
        if isinstance(decoded, InputError):
            return decoded
        text = decoded
    else:
        text = data
    try:
        return article_from_text(text, id=_STDIN_ID, source=_STDIN_SOURCE)
    except InputError as exc:
        return exc


def _identity(path: Path) -> Path:
    """A key that is equal for two names of the same file."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return _identity(a) == _identity(b)


def _place(article: Article, path: Path | None) -> tuple[str, int | None]:
    """The file and 1-based line an article came from (``"<path>:<line>"`` sources are split)."""
    if path is not None:
        prefix = f"{path}:"
        line = article.source.removeprefix(prefix)
        if article.source.startswith(prefix) and line.isdigit():
            return str(path), int(line)
    return article.source, None
