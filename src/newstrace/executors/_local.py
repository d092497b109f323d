"""The in-process executor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

__all__ = ["Executor", "LocalExecutor", "Progress"]

T = TypeVar("T")
U = TypeVar("U")


class Progress(Protocol):
    """Receives ``(stage name, items done, items total)``; the CLI draws a progress bar from it."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


class Executor(Protocol):
    def map(self, stage: str, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
        """Apply ``fn`` to every item, keeping order."""
        ...


class LocalExecutor:
    """Runs every stage in this process, in order, reporting progress every ``report_every`` items."""

    def __init__(self, *, progress: Progress | None = None, report_every: int = 256) -> None:
        self.progress: Progress = progress or _no_progress
        self.report_every = report_every

    def map(self, stage: str, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
        total = len(items)
        out: list[U] = []
        self.progress(stage, 0, total)
        for n, item in enumerate(items, start=1):
            out.append(fn(item))
            if n % self.report_every == 0:
                self.progress(stage, n, total)
        self.progress(stage, total, total)
        return out

    def each(self, items: Iterable[T]) -> Iterable[T]:
        return items
