"""Executors decide where stages run; stages never know. Only this package may import pyspark."""

from __future__ import annotations

from newstrace.executors._local import Executor, LocalExecutor, Progress

__all__ = ["Executor", "LocalExecutor", "Progress"]
