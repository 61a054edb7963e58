"""The worker processes of a run: one pool, started when first needed, that extracts the
reports and then builds the fiscal years (segments.py), and that ends with the run.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

_In = TypeVar("_In")
_Out = TypeVar("_Out")
# Batches handed out beyond one a worker: enough that no worker waits for the next, few
# enough that the results waiting to be stored stay small.
_AHEAD = 2

# Fork where there is fork: the workers inherit the run's settings (the Arrow memory pool),
# start at the first task before the writing threads exist, and are the run's children,
# which _end_with_parent relies on. (Python 3.14 makes forkserver Linux's default.)
_FORK = "fork" in multiprocessing.get_all_start_methods()


def _end_with_parent(parent: int) -> None:
    """In a worker: be ended when the run's process ends, however it ends. A run killed
    outright (kill -9, the kernel out of memory) runs no clean-up, and its idle workers,
    which hold their own ends of the pool's pipes, would wait for work forever. Linux
    only (prctl); elsewhere the workers end when their pipes close. The signal comes when
    the thread that started the workers ends: run() starts them in its caller's thread,
    and shuts them down before it returns."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no C library to ask: as elsewhere
        return
    if os.getppid() != parent:  # the run ended before the call: no signal will come
        os._exit(0)


class Workers:
    """A run's worker processes, started when first needed and kept from the extraction
    of the reports to the building of the fiscal years: workers started afresh for the
    years spent a third more CPU on them (8.6 s against 6.6 in one process, 8,000
    reports). With the fork start method every worker starts at the first task, so a pool
    first used before the run's writing threads exist never forks beside them."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None and _FORK:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("fork"),
                initializer=_end_with_parent, initargs=(os.getpid(),))
        elif self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self._pool

    def ordered_map(self, function: Callable[[list[_In]], list[_Out]], items: Iterable[_In],
                    batch: int) -> Iterator[_Out]:
        """`function` over batches of `items` in the workers, results in the items' order,
        with at most a few batches a worker handed out at a time. Executor.map submits every
        item at once: the run would hold every input, and every result not yet taken."""
        pool = self.pool()
        source = iter(items)
        batches = iter(lambda: list(itertools.islice(source, batch)), [])
        pending: deque[Future[list[_Out]]] = deque(
            pool.submit(function, chunk)
            for chunk in itertools.islice(batches, self.jobs * _AHEAD))
        while pending:
            results = pending.popleft().result()
            for chunk in itertools.islice(batches, 1):
                pending.append(pool.submit(function, chunk))
            yield from results

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
