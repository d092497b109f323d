"""A Spark executor for the Spark unit tests: local[2], no UI, few partitions; one session per module."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
}


@pytest.fixture(scope="module")
def spark_executor() -> Iterator[Any]:
    """A started :class:`SparkExecutor` on ``local[2]`` (skips when pyspark is not installed)."""
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed (pip install 'newstrace[spark]')")
    from newstrace.executors import SparkExecutor

    executor = SparkExecutor("local[2]", conf=SPARK_CONF, log_level="ERROR")
    _ = executor.spark
    yield executor
    executor.stop()
