"""CI runs the quality gate: the pinned floors of bench/gate_floors.json must hold (lexical mode)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quality_gate_passes(tmp_path: Path) -> None:
    csv = ROOT.parent / "shared" / "corpora" / "business-energy-story-chains" / "articles.csv"
    if not csv.exists():
        pytest.skip(f"dev corpus not found at {csv}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gate.py"), "--json", str(tmp_path / "gate.json")],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, f"quality gate failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert "all floors met" in result.stdout
