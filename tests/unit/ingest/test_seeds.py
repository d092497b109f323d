"""The five founding articles in ``../shared/seeds`` (beside the repository) with their manifest."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from newstrace.ingest import read_inputs

SEEDS = Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds"

pytestmark = pytest.mark.skipif(
    not (SEEDS / "manifest.jsonl").is_file(),
    reason=f"the shared seeds are not available at {SEEDS} (expected a 'shared' folder beside the repo root)",
)


def test_seeds_with_manifest(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="newstrace.ingest"):
        result = read_inputs([SEEDS], manifest=SEEDS / "manifest.jsonl")
    assert result.skipped == ()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # every entry matched
    got = [(a.id, a.outlet, a.published) for a in result.articles]
    assert got == [
        ("000", "South China Morning Post (This Week In Asia)", dt.date(2024, 7, 23)),
        ("001", None, None),
        ("002", "The Kyiv Independent", dt.date(2024, 6, 20)),
        ("003", "Bloomberg", dt.date(2024, 11, 14)),
        ("004", "Caliber.Az", dt.date(2024, 11, 15)),
    ]
    by_id = {a.id: a for a in result.articles}
    assert Path(by_id["000"].source).name == "000_a2a7c82666d5b1c7.txt"
    assert by_id["000"].raw.startswith("Advertisement\n")
    assert by_id["003"].raw.startswith("Ukraine allies to push China on Russia-North Korea ties at G-20\n")
    assert "Source: caliber.az" in by_id["004"].raw
    for article in result.articles:
        assert article.html is None
        assert "\r" not in article.raw
        assert len(article.raw) > 1000


def test_seeds_without_manifest_use_file_stems() -> None:
    result = read_inputs([SEEDS])
    assert result.skipped == ()
    assert [a.id for a in result.articles] == [
        "000_a2a7c82666d5b1c7",
        "001_ff987843ca6c490a",
        "002_e24870df190ce551",
        "003_dd43aee6ffb5af61",
        "004_942773ed6d88f848",
    ]
    assert all(a.outlet is None and a.published is None for a in result.articles)
