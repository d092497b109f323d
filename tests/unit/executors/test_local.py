"""The local executor: input order, forked workers equal to a serial run, progress, errors."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from newstrace.executors import LocalExecutor

needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="forked workers need the fork start method"
)


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _no_worker_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.is_alive()]


def _workers_exit_soon() -> bool:
    """Workers of a finished stage exit on their own (nobody waits for them): within seconds."""
    deadline = time.monotonic() + 10
    while not _no_worker_left():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_serial_map_keeps_order_and_reports_progress() -> None:
    seen: list[tuple[str, int, int]] = []
    executor = LocalExecutor(workers=1, chunk=4, progress=lambda s, d, t: seen.append((s, d, t)))
    assert executor.map("square", lambda x: x * x, list(range(10))) == [x * x for x in range(10)]
    assert seen[0] == ("square", 0, 10)
    assert seen[-1] == ("square", 10, 10)
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)


@needs_fork
def test_forked_workers_give_the_serial_result_in_input_order() -> None:
    items = list(range(50))
    executor = LocalExecutor(workers=2, chunk=3, min_parallel=1, min_parallel_seconds=0)
    out = executor.map("square", _square_and_pid, items)
    assert [v for v, _ in out] == [x * x for x in items]
    # The work really ran in other processes ...
    assert {pid for _, pid in out} - {os.getpid()}
    # ... and a closure over local state works too (workers inherit it; nothing is pickled in).
    offset = 7
    assert executor.map("add", lambda x: x + offset, items) == [x + offset for x in items]


@needs_fork
def test_small_stages_stay_in_process() -> None:
    executor = LocalExecutor(workers=2, min_parallel=100)
    assert {pid for _, pid in executor.map("square", _square_and_pid, list(range(10)))} == {os.getpid()}


@needs_fork
def test_an_error_in_a_worker_reaches_the_caller() -> None:
    parent = os.getpid()

    def fail_in_a_worker(x: int) -> int:
        if os.getpid() != parent:
            raise ValueError(f"failed on {x}")
        return x

    with pytest.raises(ValueError, match="failed on") as caught:
        LocalExecutor(workers=2, chunk=2, min_parallel=1, min_parallel_seconds=0).map(
            "fail", fail_in_a_worker, list(range(20))
        )
    # It carries the worker's own traceback, and no worker is left running.
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "in a worker process of stage 'fail'" in notes
    assert "fail_in_a_worker" in notes
    assert _no_worker_left()


@needs_fork
def test_an_error_in_the_parents_share_stops_the_workers() -> None:
    parent = os.getpid()

    def slow_in_workers_failing_here(x: int) -> int:
        if os.getpid() == parent:
            raise ValueError("failed in the parent")
        time.sleep(0.01)
        return x

    with pytest.raises(ValueError, match="failed in the parent") as caught:
        LocalExecutor(workers=2, chunk=2, min_parallel=1, min_parallel_seconds=0).map(
            "fail", slow_in_workers_failing_here, list(range(40))
        )
    assert not getattr(caught.value, "__notes__", [])  # raised here, not in a worker
    assert _no_worker_left()


@needs_fork
def test_workers_run_one_blas_thread() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads(_: int) -> int:
        info = threadpoolctl.threadpool_info()
        return max((i["num_threads"] for i in info if i["user_api"] == "blas"), default=1)

    assert set(
        LocalExecutor(workers=2, chunk=1, min_parallel=1, min_parallel_seconds=0).map(
            "blas", blas_threads, [0, 1, 2]
        )
    ) == {1}


def test_in_process_stages_run_one_blas_thread_and_give_them_back() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads(_: object = None) -> int:
        info = threadpoolctl.threadpool_info()
        return max((i["num_threads"] for i in info if i["user_api"] == "blas"), default=1)

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        assert before == 2  # numpy's BLAS is loaded and took the limit: the check below can fail
        assert LocalExecutor(workers=1).map("blas", blas_threads, [0, 1, 2]) == [1, 1, 1]
        assert blas_threads() == before


def _squares_of_run(run: list[int]) -> list[tuple[int, int]]:
    return [(x * x, len(run)) for x in run]


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=needs_fork)])
def test_map_batches_passes_runs_of_at_most_chunk_items_and_keeps_order(workers: int) -> None:
    executor = LocalExecutor(workers=workers, chunk=4, min_parallel=1, min_parallel_seconds=0)
    out = executor.map_batches("square", _squares_of_run, list(range(10)))
    assert [v for v, _ in out] == [x * x for x in range(10)]
    if workers == 1:
        assert [n for _, n in out] == [4] * 8 + [2] * 2
    else:  # smaller chunks for a small stage, and the parent's share in halves of them
        assert max(n for _, n in out) <= 4


@needs_fork
def test_chunks_shrink_towards_the_end_of_a_stage() -> None:
    executor = LocalExecutor(workers=2, chunk=64, min_parallel=1, min_parallel_seconds=0)
    out = executor.map_batches("square", _squares_of_run, list(range(1000)))
    assert [v for v, _ in out] == [x * x for x in range(1000)]
    runs = [n for _, n in out]
    assert max(runs) == 64  # full chunks while much is left (a worker's: the parent runs halves)
    assert max(runs[-40:]) <= 16  # the last items went in small runs: at most a quarter of what was left


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=needs_fork)])
def test_map_batches_refuses_a_stage_that_drops_results(workers: int) -> None:
    executor = LocalExecutor(workers=workers, chunk=4, min_parallel=1, min_parallel_seconds=0)
    with pytest.raises(ValueError, match=r"'lossy' gave \d+ results for \d+ items"):
        executor.map_batches("lossy", lambda run: list(run)[:-1], list(range(8)))


@needs_fork
def test_a_worker_that_dies_is_an_error_naming_the_stage_not_a_hang() -> None:
    parent = os.getpid()

    def die_in_a_worker(x: int) -> int:
        if os.getpid() != parent:
            os._exit(7)
        time.sleep(0.01)
        return x

    with pytest.raises(RuntimeError, match=r"worker process of stage 'die' died \(exit code 7\)"):
        LocalExecutor(workers=2, chunk=1, min_parallel=1, min_parallel_seconds=0).map(
            "die", die_in_a_worker, list(range(40))
        )
    assert _no_worker_left()


@needs_fork
def test_results_that_cannot_travel_back_are_an_error() -> None:
    with pytest.raises(RuntimeError, match="sending the results of items"):
        LocalExecutor(workers=2, chunk=2, min_parallel=1, min_parallel_seconds=0).map(
            "lambdas", lambda x: lambda: x, list(range(6))
        )
    assert _no_worker_left()


@needs_fork
def test_results_come_back_in_input_order_when_chunks_finish_out_of_order() -> None:
    def slow_first_chunk(run: list[int]) -> list[int]:
        if run[0] == 0:
            time.sleep(0.2)  # the other worker finishes several later chunks meanwhile
        return [x * 10 for x in run]

    done: list[int] = []
    executor = LocalExecutor(
        workers=2, chunk=3, min_parallel=1, min_parallel_seconds=0, progress=lambda s, d, t: done.append(d)
    )
    assert executor.map_batches("slow", slow_first_chunk, list(range(30))) == [x * 10 for x in range(30)]
    assert done == sorted(done) and done[-1] == 30
    assert _workers_exit_soon()


@needs_fork
def test_a_small_cheap_stage_stays_in_process_and_a_slow_one_forks() -> None:
    # 2,000 cheap items (32 chunks): the 8 probed items take microseconds, so the rest would take far
    # less than 5 s in process (only a stall of over 20 ms during the probe could say otherwise).
    cheap_executor = LocalExecutor(workers=2, chunk=64, min_parallel=1, min_parallel_seconds=5.0)
    cheap = cheap_executor.map("cheap", _square_and_pid, list(range(2000)))
    assert [v for v, _ in cheap] == [x * x for x in range(2000)]
    assert {pid for _, pid in cheap} == {os.getpid()}  # forking would cost more than the whole stage

    def slow(x: int) -> tuple[int, int]:
        time.sleep(0.01)  # at least 2 s for 200 items in process, whatever the machine
        return _square_and_pid(x)

    executor = LocalExecutor(workers=2, chunk=8, min_parallel=1, min_parallel_seconds=0.2)
    out = executor.map("slow", slow, list(range(200)))
    assert [v for v, _ in out] == [x * x for x in range(200)]
    pids = [pid for _, pid in out]
    assert pids[0] == os.getpid()  # the probe ran in process, its results kept in order
    assert set(pids[1:]) - {os.getpid()}  # the rest was shared with a worker


@needs_fork
def test_a_stage_of_many_chunks_forks_without_a_probe() -> None:
    executor = LocalExecutor(workers=2, chunk=2, min_parallel=1, probe_chunks=4)
    out = executor.map("many", _square_and_pid, list(range(20)))
    assert [v for v, _ in out] == [x * x for x in range(20)]
    assert out[0][1] != os.getpid()  # no probe: the first chunk went to a worker


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=needs_fork)])
def test_on_results_sees_every_run_once_in_the_calling_process(workers: int) -> None:
    parent = os.getpid()
    seen: list[tuple[int, list[int]]] = []
    executor = LocalExecutor(workers=workers, chunk=4, min_parallel=1, min_parallel_seconds=0)
    out = executor.map_batches(
        "square",
        lambda run: [x * x for x in run],
        list(range(30)),
        on_results=lambda results: seen.append((os.getpid(), list(results))),
    )
    assert out == [x * x for x in range(30)]
    assert {pid for pid, _ in seen} == {parent}
    assert sorted(v for _, run in seen for v in run) == out  # every result once, whichever process ran it


@needs_fork
def test_a_one_item_stage_is_probed_and_run_in_process() -> None:
    executor = LocalExecutor(workers=2, chunk=64, min_parallel=1, min_parallel_seconds=0.2)
    assert executor.map("one", _square_and_pid, [3]) == [(9, os.getpid())]
