"""Executors decide where stages run; stages never know. Only this package may import pyspark.

:class:`LocalExecutor` runs stages in this process (optionally in forked workers); :class:`SparkExecutor`
runs the batch analysis as Spark jobs (extra ``spark``; pyspark is imported only when it is used).
"""

from __future__ import annotations

from newstrace.executors._local import Executor, LocalExecutor, Progress
from newstrace.executors._spark import SparkExecutor, SparkRun

__all__ = ["Executor", "LocalExecutor", "Progress", "SparkExecutor", "SparkRun"]
