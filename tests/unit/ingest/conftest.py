"""Helpers for the ingest tests: write input files into ``tmp_path``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WriteFile = Callable[[str, str | bytes], Path]
WriteJsonl = Callable[[str, list[Any]], Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write ``content`` (str as UTF-8, or bytes as is) to ``tmp_path / relative``; return the path."""

    def _write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture
def write_jsonl(write: WriteFile) -> WriteJsonl:
    """Write JSONL: dicts/lists are dumped, strings are written as the raw line."""

    def _write(relative: str, lines: list[Any]) -> Path:
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
        return write(relative, text)

    return _write
