"""Importing newstrace first loads numpy's OpenBLAS with one thread, unless the user chose a count."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_REPORT = """
import json, os, sys
{first}
import threadpoolctl
blas = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
print(json.dumps({{"blas": blas, "env": os.environ.get("OPENBLAS_NUM_THREADS")}}))
"""


def _report(first: str, **env: str) -> dict[str, object]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
    }
    done = subprocess.run(
        [sys.executable, "-c", _REPORT.format(first=first)],
        capture_output=True,
        text=True,
        check=True,
        env={**clean, **env},
    )
    report: dict[str, object] = json.loads(done.stdout)
    if not report["blas"]:
        pytest.skip("numpy is not built on OpenBLAS here")
    return report


def test_newstrace_imported_first_loads_openblas_with_one_thread_and_leaves_the_environment_alone() -> None:
    assert _report("import newstrace") == {"blas": [1], "env": None}


def test_a_thread_count_the_user_chose_is_kept() -> None:
    chosen = _report("import newstrace", OPENBLAS_NUM_THREADS="2")
    assert chosen == _report("import numpy", OPENBLAS_NUM_THREADS="2")  # as numpy alone: untouched
    assert chosen["env"] == "2"


def test_numpy_loaded_before_newstrace_keeps_its_threads() -> None:
    found = _report("import numpy, newstrace")
    assert found["env"] is None
    assert found["blas"] == _report("import numpy")["blas"]  # whatever numpy chose alone
