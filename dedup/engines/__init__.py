"""Executors: run the functions they are handed over a list of items.

An executor knows nothing of deduplication. It offers three operations:

- `broadcast(value)`: a handle to a read-only value that every task may use (pass the
  handle among `shared`; the task receives the value);
- `map(fn, items, *shared)`: `fn(item, *shared)` for each item, results in the order
  of `items` (an iterator: results are taken as they are needed);
- `shuffle_reduce(map_fn, items, reduce_fn, partitions, *shared)`: `map_fn(item,
  *shared)` returns one part per partition; `reduce_fn(partition, parts, *shared)`
  gets part `partition` of every item (in item order); the reduce results come back
  as a list, one per partition.

Functions must be importable module-level functions (they are sent to workers by
name). Engines: "local" (in-process, or `jobs` worker processes) and "ray"
(`pip install 'dedup[ray]'`).
"""
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence

ENGINES = ("local", "ray")


class EngineError(RuntimeError):
    """An engine that cannot be used: not installed, or cannot be reached."""


class Executor:
    """The interface every engine implements (see the module docstring)."""

    #: how many tasks run at once
    workers: int = 1
    #: tasks run in this process (they may be handed objects that live here)
    in_process: bool = False

    def broadcast(self, value: Any) -> Any:
        raise NotImplementedError

    def map(self, fn: Callable, items: Iterable, *shared) -> Iterator:
        raise NotImplementedError

    def shuffle_reduce(self, map_fn: Callable, items: Sequence, reduce_fn: Callable,
                       partitions: int, *shared) -> List:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (a Ray cluster this executor started is shut down)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def executor(engine: str = "local", jobs: Optional[int] = None,
             address: Optional[str] = None) -> Executor:
    """Make the executor for `engine` ("local" or "ray") with `jobs` workers.

    Args:
        engine: "local" (the default; in-process when `jobs` is 1) or "ray".
        jobs: number of worker processes (local) or CPUs of the Ray cluster started
            here (ray; ignored with `address`); default 1 for local, all CPUs for ray.
        address: a running Ray cluster to connect to ("auto", "ray://host:10001", ...).

    Raises:
        EngineError: an unknown engine, an option that does not fit it, or Ray not installed.
    """
    if engine == "local":
        if address:
            raise EngineError("--ray-address goes with --engine ray")
        from .local import LocalExecutor

        return LocalExecutor(jobs or 1)
    if engine == "ray":
        from .ray import RayExecutor

        return RayExecutor(jobs, address)
    raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
