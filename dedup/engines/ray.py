"""The Ray executor: tasks on a Ray cluster (`pip install 'dedup[ray]'`).

Ray is imported only when this executor is made. Without an address a local cluster
is started with `jobs` CPUs (and shut down by `close()`); a cluster that is already
initialised in this process, or one named by `address`, is used as it is. Tasks get
broadcast values and shuffle parts from Ray's object store; the driver only gathers
what the caller asks for. On a cluster of several machines, every worker must be able
to import dedup and read the paths the tasks are given (input files, work folder).
"""
import os
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence

from . import EngineError, Executor

_INSTALL = "install it with: pip install 'dedup[ray]'"


def _import_ray():
    try:
        import ray
    except ImportError as error:
        raise EngineError(f"the ray engine needs Ray, which is not installed; {_INSTALL}") from error
    return ray


def _call(fn: Callable, item, *shared):
    return fn(item, *shared)


def _call_parts(fn: Callable, partitions: int, item, *shared):
    parts = fn(item, *shared)
    if len(parts) != partitions:
        raise ValueError(f"the map function returned {len(parts)} parts, not {partitions}")
    return tuple(parts) if partitions > 1 else parts[0]


def _call_reduce(fn: Callable, partition: int, count: int, *args):
    return fn(partition, list(args[:count]), *args[count:])


class RayExecutor(Executor):
    """Runs tasks as Ray tasks, one CPU each."""

    def __init__(self, jobs: Optional[int] = None, address: Optional[str] = None):
        ray = self._ray = _import_ray()
        self._started = False
        if not ray.is_initialized():
            options = {"include_dashboard": False, "log_to_driver": False,
                       "configure_logging": False}
            if address:
                options["address"] = address
            else:
                options["num_cpus"] = jobs
                # Workers of a local cluster import dedup from where this process does.
                package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
                path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
                options["runtime_env"] = {"env_vars": {"PYTHONPATH": path}}
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
                raise EngineError(f"cannot start or reach {where} ({error})") from error
            self._started = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(_call)
        self._parts = ray.remote(_call_parts)
        self._reduce = ray.remote(_call_reduce)

    def broadcast(self, value: Any) -> Any:
        return self._ray.put(value)

    def map(self, fn: Callable, items: Iterable, *shared) -> Iterator:
        refs = [self._task.remote(fn, item, *shared) for item in items]
        for ref in refs:
            yield self._get(ref)

    def shuffle_reduce(self, map_fn: Callable, items: Sequence, reduce_fn: Callable,
                       partitions: int, *shared) -> List:
        outputs = [self._parts.options(num_returns=partitions).remote(map_fn, partitions, item, *shared)
                   for item in items]
        if partitions == 1:
            outputs = [[ref] for ref in outputs]
        refs = [self._reduce.remote(reduce_fn, p, len(outputs), *[parts[p] for parts in outputs], *shared)
                for p in range(partitions)]
        return [self._get(ref) for ref in refs]

    def _get(self, ref):
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayTaskError as error:
            cause = getattr(error, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from None
            raise

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()
            self._started = False
