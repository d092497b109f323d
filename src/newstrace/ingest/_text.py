"""Byte-level checks and small parsers shared by the readers.

Every function here returns a problem description (or an :class:`InputError`) instead of raising, so a
reader can turn one bad input into one skipped entry and go on.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re

from newstrace.errors import InputError

__all__ = [
    "BOM",
    "FieldProblem",
    "binary_problem",
    "decode_text",
    "identifier",
    "looks_like_html",
    "normalize_newlines",
    "optional_string",
    "parse_json_object",
    "parse_published",
]

BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark; accepted at the start of a file and stripped."""

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_NAMES = frozenset({"utf-8", "utf_8", "utf8", "utf-8-sig", "utf_8_sig"})
# A charset declared in an HTML page's first bytes: <meta charset="x"> or content="text/html; charset=x".
_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_HTML_SNIFF_BYTES = 4096
_HTML_TAG_RE = re.compile(r"<(?:!doctype\s+html|/?(?:html|head|body|article|div|p|br|span|h[1-6]))\b", re.I)
_AS_WRITTEN_MAX = 60


def normalize_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` line ends into ``\\n`` (the only line end used downstream)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def binary_problem(head: bytes) -> str | None:
    """Why ``head`` (the first bytes of a file) is not text, with what to do; ``None`` when it may be text.

    A NUL byte marks a binary file; a UTF-16 byte order mark gets its own hint since re-saving fixes it.
    """
    if head.startswith(_UTF16_BOMS):
        return "the file is UTF-16 encoded; re-save the file as UTF-8"
    if b"\x00" in head:
        return "looks like a binary file (it contains NUL bytes); pass text, HTML or JSONL files only"
    return None


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset`` of ``data``, counting ``\\r\\n``, ``\\n`` and ``\\r`` ends."""
    prefix = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return prefix.count(b"\n") + 1


def _declared_charset(data: bytes) -> str | None:
    """The codec name an HTML page declares in its first bytes, when Python knows it and it is not UTF-8."""
    match = _CHARSET_RE.search(data[:_HTML_SNIFF_BYTES])
    if match is None:
        return None
    name = match.group(1).decode("ascii", errors="replace").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec in _UTF8_NAMES else codec


def decode_text(data: bytes, *, source: str, html: bool = False) -> str | InputError:
    """Decode a whole text or HTML file; return its text with ``\\n`` line ends, or the problem.

    Text is UTF-8 (a leading BOM is stripped). An HTML page that declares another charset in a
    ``<meta>`` tag is decoded with that charset. Empty, whitespace-only and binary files are problems;
    bad UTF-8 names the 1-based line of the first bad byte.
    """
    if not data:
        return InputError("the file is empty; add the article text or remove the file", source=source)
    problem = binary_problem(data)
    if problem is not None:
        return InputError(problem, source=source)
    body = data.removeprefix(BOM)
    charset = _declared_charset(body) if html else None
    try:
        text = body.decode(charset or "utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(body, exc.start)
        bad = body[exc.start : exc.start + 1].hex()
        encoding = f"valid {charset}" if charset else "valid UTF-8"
        return InputError(
            f"not {encoding} at line {line} (byte 0x{bad}); re-save the file as UTF-8",
            source=source,
            line=line,
        )
    if not text.strip():
        return InputError(
            "the file contains only whitespace; add the article text or remove the file", source=source
        )
    return normalize_newlines(text)


def looks_like_html(text: str) -> bool:
    """True when ``text`` starts (after whitespace) with a tag and holds a common HTML element."""
    head = text[:_HTML_SNIFF_BYTES].lstrip()
    return head.startswith("<") and _HTML_TAG_RE.search(head) is not None


def _as_written(value: object) -> str:
    """A short ``repr`` of a bad value for an error message."""
    shown = repr(value)
    return shown if len(shown) <= _AS_WRITTEN_MAX else shown[: _AS_WRITTEN_MAX - 3] + "..."


class FieldProblem(Exception):
    """A bad field value in a JSON record; the message says what is wrong and what to do."""


def parse_published(value: object, *, name: str = "published") -> dt.date | None:
    """Parse a ``published`` value (or another date field ``name``): an ISO date or datetime string, or ``None``.

    Returns the calendar date *as written* (a datetime's own date; time zones are not converted), or
    ``None`` for null or an empty string. Raises :class:`FieldProblem` for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldProblem(
            f'"{name}" must be an ISO date string or null, not {type(value).__name__} '
            f'{_as_written(value)}; write it like "2024-07-23"'
        )
    written = value.strip()
    if not written:
        return None
    try:
        return dt.date.fromisoformat(written)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(written).date()
    except ValueError:
        raise FieldProblem(
            f'"{name}" is not an ISO date: {_as_written(value)}; write it like "2024-07-23" '
            '(or "2024-07-23T10:30:00Z"), or null when unknown'
        ) from None


def optional_string(record: dict[str, object], key: str) -> str | None:
    """``record[key]`` as a stripped string, ``None`` when absent, null or blank.

    Raises :class:`FieldProblem` when the value is not a string.
    """
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldProblem(
            f'"{key}" must be a string or null, not {type(value).__name__} {_as_written(value)}; '
            "fix the value"
        )
    return value.strip() or None


def identifier(value: object) -> str:
    """An ``id`` value as a string: a non-blank string (kept as written) or an integer.

    Raises :class:`FieldProblem` for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldProblem(
            f'"id" must be a string or an integer, not {type(value).__name__} {_as_written(value)}; '
            "fix the value"
        )
    text = str(value)
    if not text.strip():
        raise FieldProblem('"id" is blank; give the article a non-empty id')
    return text


def parse_json_object(data: bytes, *, line: int, what: str, example: str) -> dict[str, object]:
    """Parse one JSONL line (its bytes) that must hold a JSON object.

    ``what`` names the file in messages ("file", "manifest"); ``example`` shows a good line. Raises
    :class:`FieldProblem` naming the 1-based ``line``.
    """
    try:
        decoded = data.strip(b" \t\r\n").decode("utf-8")
    except UnicodeDecodeError:
        raise FieldProblem(f"not valid UTF-8 at line {line}; re-save the {what} as UTF-8") from None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise FieldProblem(
            f"malformed JSON at line {line} ({exc.msg} at column {exc.colno}); "
            "fix the line so it holds one JSON object, or remove it"
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long, nesting too deep
        raise FieldProblem(
            f"cannot parse the JSON at line {line} ({exc}); fix the line or remove it"
        ) from None
    if not isinstance(record, dict):
        raise FieldProblem(
            f"line {line} holds a JSON {type(record).__name__}, not an object; write one {example} "
            "object per line"
        )
    return record
