"""The in-process executor, optionally spreading a stage over forked worker processes."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar, cast

__all__ = ["Executor", "LocalExecutor", "Progress"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")


class Progress(Protocol):
    """Receives ``(stage name, items done, items total)``; the CLI draws a progress bar from it."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _ignore(results: object) -> None:
    return None


class Executor(Protocol):
    def map(self, stage: str, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
        """Apply ``fn`` to every item, keeping order."""
        ...

    def map_batches(
        self,
        stage: str,
        fn: Callable[[Sequence[T]], list[U]],
        items: Sequence[T],
        *,
        on_results: Callable[[list[U]], object] | None = None,
    ) -> list[U]:
        """Apply ``fn`` to consecutive runs of items (one result per item, in order) and concatenate: for
        stages that are cheaper per item on many items at once (vectorised fingerprinting).

        ``on_results``, when given, is called in this process with the results of each run as they come
        (runs in any order, each once) before this returns: to use what a run found while others are
        still running (the parent learning the words a worker learnt, instead of learning them again).
        """
        ...


# The stage a forked worker runs: set just before the fork, so workers inherit the function and its
# inputs (closures included) without pickling them; only results travel back.
_FORKED_TASK: tuple[str, Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None
_PIPE_BYTES = 1 << 20


def _one_blas_thread() -> None:
    """Pool initializer: one BLAS thread per worker process.

    The workers already occupy every core; a BLAS pool per worker on top of that oversubscribes the
    cores, and its threads then spin and wait on each other (small matrix products ran several times
    slower with two workers × two BLAS threads on two cores).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    threadpool_limits(limits=1, user_api="blas")


@contextlib.contextmanager
def _blas_threads(limit: int) -> Iterator[None]:
    """At most ``limit`` BLAS threads while a stage runs in this process, as in a forked worker.

    Stages multiply small matrices (sentence scores); a BLAS pool spreading each product over threads
    only waits on them, and on a busy machine that wait grew the alignment of 3k pairs from 5 s to 21 s
    (measured in process, two cores shared with other work). The limit is lifted when the stage ends, so
    an embedding model keeps whatever threads it has (one, unless asked for: see ``newstrace._blas``).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        yield
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def _serve(tasks: Connection, results: Connection) -> None:
    """A forked worker's loop: receive ``(number, (lo, hi))`` on ``tasks``, send back ``(number, True,
    results)`` of items ``lo:hi`` of the inherited task on ``results``, or ``(number, False, (error,
    traceback text))``; stop on ``None`` or when the parent's end closes."""
    # Ctrl-C reaches the whole process group: the parent stops the workers, which need not report it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _one_blas_thread()
    while True:
        try:
            message = tasks.recv()
        except EOFError:
            return
        if message is None:
            return
        number, (lo, hi) = message
        try:
            if _FORKED_TASK is None:  # pragma: no cover - only reachable if a worker outlives its stage
                raise RuntimeError("worker started without a task")
            stage, fn, items = _FORKED_TASK
            reply: tuple[int, bool, Any] = (number, True, _apply(stage, fn, items[lo:hi]))
        except Exception as exc:  # every stage error goes back to the caller
            reply = (number, False, (exc, traceback.format_exc()))
        try:
            results.send(reply)
        except Exception as exc:  # results or an error that cannot be pickled
            text = f"{type(exc).__name__}: {exc} (sending the results of items {lo}:{hi} back)"
            results.send((number, False, (RuntimeError(text), traceback.format_exc())))


def _widen(pipe: Connection) -> None:
    """Let a pipe hold a whole chunk's results (up to 1 MiB, Linux), so a worker sends them and goes on
    with its next chunk while the parent is still busy with a chunk of its own."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or a lower system limit: a smaller pipe
        pass


def _died(stage: str, process: BaseProcess) -> RuntimeError:
    """The error for a worker that stopped without a reply (killed, out of memory, ``os._exit``)."""
    process.join(1.0)
    code = process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return RuntimeError(
        f"a worker process of stage {stage!r} died ({how}); "
        "if the system ran out of memory, run with fewer workers"
    )


def _apply(stage: str, fn: Callable[[Sequence[T]], list[U]], run: Sequence[T]) -> list[U]:
    """``fn`` of one run of items, checked to give one result per item (in a worker or in process)."""
    done = fn(run)
    if len(done) != len(run):
        raise ValueError(f"stage {stage!r} gave {len(done)} results for {len(run)} items")
    return done


def default_workers() -> int:
    """Processes for a stage (this one included): the usable cores (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """Runs stages on this machine, in order of items.

    With ``workers > 1`` (and a platform that can fork), a stage of at least ``min_parallel`` items may
    run in ``workers`` processes, this one and ``workers - 1`` forked ones, at most ``chunk`` items at a
    time (fewer towards the end of a stage, so that no process waits long for another's last chunk).
    Results come back in input order, so the output is identical to a serial run. Forking costs tens of
    milliseconds (more for a large parent process: its page tables are copied, and each worker's copy is
    torn down at its end), so a stage of at most ``probe_chunks`` chunks first runs a few items in process
    and forks only when the rest would take at least ``min_parallel_seconds`` in process at that pace;
    ``min_parallel_seconds=0`` always forks.
    """

    def __init__(
        self,
        *,
        workers: int | None = None,
        progress: Progress | None = None,
        chunk: int = 64,
        min_parallel: int = 128,
        min_parallel_seconds: float = 0.2,
        probe_chunks: int = 64,
    ) -> None:
        self.workers = default_workers() if workers is None else max(1, workers)
        self.progress: Progress = progress or _no_progress
        self.chunk = chunk
        self.min_parallel = min_parallel
        self.min_parallel_seconds = min_parallel_seconds
        self.probe_chunks = probe_chunks

    def map(self, stage: str, fn: Callable[[T], U], items: Sequence[T]) -> list[U]:
        return self.map_batches(stage, lambda run: [fn(item) for item in run], items)

    def map_batches(
        self,
        stage: str,
        fn: Callable[[Sequence[T]], list[U]],
        items: Sequence[T],
        *,
        on_results: Callable[[list[U]], object] | None = None,
    ) -> list[U]:
        total = len(items)
        took = on_results or _ignore
        started = time.perf_counter()
        self.progress(stage, 0, total)
        out: list[U] = []
        forked = (
            self.workers > 1
            and total >= self.min_parallel
            and "fork" in multiprocessing.get_all_start_methods()
        )
        if forked and self.min_parallel_seconds > 0 and total <= self.chunk * self.probe_chunks:
            # A few items in process tell what the rest would cost here (their results are kept), timed in
            # two runs: the first may pay for cold caches and first calls, which the rest will not.
            probe = min(total, max(2, self.chunk // 8))
            per_item = float("inf")
            with _blas_threads(1):
                for lo, hi in ((0, probe // 2), (probe // 2, probe)):
                    if hi == lo:  # a one-item stage: one run
                        continue
                    probe_started = time.perf_counter()
                    run = _apply(stage, fn, items[lo:hi])
                    per_item = min(per_item, (time.perf_counter() - probe_started) / (hi - lo))
                    took(run)
                    out.extend(run)
            forked = per_item * (total - probe) >= self.min_parallel_seconds
            self.progress(stage, len(out), total)
        if forked:
            out.extend(self._map_forked(stage, fn, items, done=len(out), took=took))
        else:
            with _blas_threads(1):
                for lo in range(len(out), total, self.chunk):
                    run = _apply(stage, fn, items[lo : lo + self.chunk])
                    took(run)
                    out.extend(run)
                    self.progress(stage, len(out), total)
        self.progress(stage, total, total)
        logger.info(
            "%s: %d items in %.2f s (%s)",
            stage,
            total,
            time.perf_counter() - started,
            f"{self.workers} processes" if forked else "in process",
        )
        return out

    def _map_forked(
        self,
        stage: str,
        fn: Callable[[Sequence[T]], list[U]],
        items: Sequence[T],
        *,
        done: int,
        took: Callable[[list[U]], object],
    ) -> list[U]:
        """Run ``fn`` over chunks of ``items[done:]`` in this process and ``workers - 1`` forked ones,
        each with a pipe of its own for chunks out and one for results back.

        Workers inherit the stage (``_FORKED_TASK``) at the fork; only chunk bounds go out and results
        come back, and every worker holds up to two chunks so it never waits for the parent between them.
        This process takes the next chunk whenever no results are waiting, and runs it half a chunk at a
        time, looking for results in between: its chunks never travel (no pickling either way), and what
        it learns while running them (the lexicon) it keeps; on two cores, this process and one worker
        measured 8–15 % faster than two workers and an idle parent (1k articles; no worse at 10k).
        Nothing is shared between workers (no queue, no lock): a worker that fails or dies cannot leave
        another one, or the parent, waiting. A stage error stops the others and is raised here with the
        worker's traceback as a note; a worker that dies (killed, out of memory) raises
        :class:`RuntimeError` naming the stage and the exit code.
        """
        global _FORKED_TASK
        total = len(items)
        smallest = max(1, self.chunk // 8)
        issued = 0  # chunks handed out (numbered in item order)
        next_item = done

        def take() -> tuple[int, tuple[int, int]] | None:
            """The next chunk. Guided self-scheduling: a chunk is at most a ``2 × workers``-th of the items
            left, so chunks shrink towards the end, and so do the two each worker holds: no process waits
            long for another's last chunk."""
            nonlocal issued, next_item
            if next_item >= total:
                return None
            size = min(self.chunk, max(smallest, -(-(total - next_item) // (2 * self.workers))))
            task = (issued, (next_item, min(total, next_item + size)))
            issued += 1
            next_item = task[1][1]
            return task

        out: list[U] = []
        early: dict[int, list[U]] = {}  # results of chunks that came back before an earlier one
        emitted = 0  # chunks whose results are in ``out``
        context = multiprocessing.get_context("fork")
        workers: dict[Connection, tuple[Connection, BaseProcess]] = {}  # results pipe: (tasks pipe, process)
        finished = False
        multiprocessing.active_children()  # reaps the workers of earlier stages that have exited
        _FORKED_TASK = (stage, fn, items)
        # This process works too, a slice at a time (looking for results in between); its chunks need not
        # travel, and it knows what it learnt.
        mine: tuple[int, int, int, int] | None = None  # (chunk number, next item, end, slice size)
        mine_out: list[U] = []
        try:
            for _ in range(self.workers - 1):
                task_reader, task_writer = context.Pipe(duplex=False)
                result_reader, result_writer = context.Pipe(duplex=False)
                _widen(result_writer)
                process = context.Process(target=_serve, args=(task_reader, result_writer), daemon=True)
                process.start()
                task_reader.close()
                result_writer.close()
                workers[result_reader] = (task_writer, process)

            def send_next(results: Connection) -> None:
                task = take()
                if task is not None:
                    tasks, process = workers[results]
                    try:
                        tasks.send(task)
                    except (BrokenPipeError, ConnectionResetError):  # it died since its last reply
                        raise _died(stage, process) from None

            for _ in range(2):
                for results in workers:
                    send_next(results)
            with _blas_threads(1):
                while next_item < total or emitted < issued:
                    can_work = mine is not None or next_item < total
                    ready = wait(list(workers), timeout=0 if can_work else None) if workers else []
                    for connection in ready:
                        results = cast("Connection", connection)
                        try:
                            number, ok, payload = results.recv()
                        except (EOFError, ConnectionResetError):  # reset: it died with a chunk unread
                            raise _died(stage, workers[results][1]) from None
                        if not ok:
                            error, remote = payload
                            error.add_note(f"in a worker process of stage {stage!r}:\n{remote.rstrip()}")
                            raise error
                        early[number] = payload
                        took(payload)
                        send_next(results)
                    if not ready and can_work:
                        if mine is None:
                            task = take()
                            if task is None:  # pragma: no cover - can_work said there was one
                                raise RuntimeError("no chunk left to take")
                            number, (lo, hi) = task
                            mine, mine_out = (number, lo, hi, max(1, (hi - lo) // 2)), []
                        number, lo, hi, slice_items = mine
                        step = min(hi, lo + slice_items)
                        run = _apply(stage, fn, items[lo:step])
                        took(run)
                        mine_out.extend(run)
                        mine = (number, step, hi, slice_items) if step < hi else None
                        if mine is None:
                            early[number] = mine_out
                    while emitted in early:
                        out.extend(early.pop(emitted))
                        emitted += 1
                        self.progress(stage, done + len(out), total)
            finished = True
        finally:
            _FORKED_TASK = None
            for results, (tasks, worker) in workers.items():
                if finished:
                    with contextlib.suppress(OSError):
                        tasks.send(None)
                else:
                    worker.terminate()
                tasks.close()
                results.close()
            if not finished:
                for _, worker in workers.values():
                    worker.join(5.0)
                    if worker.exitcode is None:  # pragma: no cover - a worker ignoring SIGTERM
                        worker.kill()
                        worker.join()
            # Finished workers exit on their own: the kernel tearing down a large worker's memory takes
            # tens of milliseconds the next stage need not wait for. They are reaped when the next stage
            # forks (``active_children``) or at exit (multiprocessing joins its children).
        logger.debug("%s: %d items in this process and %d forked ones", stage, total, len(workers))
        return out
