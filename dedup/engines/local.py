"""The local executor: in-process (one job), or a pool of worker processes.

With a pool, broadcast values reach each worker once, through the pool's initializer
(inherited without a copy where processes fork), not with every task.
"""
import functools
import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Dict, Iterable, Iterator, List, Sequence

from . import Executor

_counter = itertools.count()
_WORKER_VALUES: Dict[int, Any] = {}


class Shared:
    """A broadcast value, by number; workers look it up in `_WORKER_VALUES`."""

    __slots__ = ("number",)

    def __init__(self, number: int):
        self.number = number


def _install(values: Dict[int, Any]) -> None:
    _WORKER_VALUES.update(values)


def _resolve(arg):
    return _WORKER_VALUES[arg.number] if isinstance(arg, Shared) else arg


def _call(fn: Callable, shared: tuple, item):
    return fn(item, *map(_resolve, shared))


def _call_reduce(fn: Callable, shared: tuple, job):
    partition, parts = job
    return fn(partition, parts, *map(_resolve, shared))


def _context():
    # fork starts workers at once and shares broadcast values without pickling them.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class LocalExecutor(Executor):
    """Runs tasks in this process (`jobs == 1`) or in `jobs` worker processes."""

    def __init__(self, jobs: int = 1):
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, not {jobs}")
        self.workers = jobs
        self.in_process = jobs == 1
        self._values: Dict[int, Any] = {}

    def broadcast(self, value: Any) -> Any:
        if self.workers == 1:
            return value
        handle = Shared(next(_counter))
        self._values[handle.number] = value
        return handle

    def _pool(self, shared: tuple) -> ProcessPoolExecutor:
        values = {s.number: self._values[s.number] for s in shared if isinstance(s, Shared)}
        return ProcessPoolExecutor(self.workers, mp_context=_context(), initializer=_install,
                                   initargs=(values,))

    def map(self, fn: Callable, items: Iterable, *shared) -> Iterator:
        items = list(items)
        if self.workers == 1 or len(items) <= 1:
            for item in items:
                yield fn(item, *map(self._local, shared))
            return
        with self._pool(shared) as pool:
            yield from pool.map(functools.partial(_call, fn, shared), items)

    def shuffle_reduce(self, map_fn: Callable, items: Sequence, reduce_fn: Callable,
                       partitions: int, *shared) -> List:
        outputs = list(self.map(map_fn, items, *shared))
        jobs = [(p, [parts[p] for parts in outputs]) for p in range(partitions)]
        del outputs
        if self.workers == 1 or partitions <= 1:
            return [reduce_fn(p, parts, *map(self._local, shared)) for p, parts in jobs]
        with self._pool(shared) as pool:
            return list(pool.map(functools.partial(_call_reduce, reduce_fn, shared), jobs))

    def _local(self, arg):
        return self._values[arg.number] if isinstance(arg, Shared) else arg

    def close(self) -> None:
        self._values.clear()


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
