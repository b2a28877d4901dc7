"""The corpus pipeline on a local Ray cluster (2 CPUs): the bytes of the local executor."""
import io
import os

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.corpus import write_corpus
from dedup.jsonl import Corpus
from test_engines import records, shard_files

try:
    import ray
except ImportError:  # pragma: no cover - depends on the machine
    ray = None

pytestmark = pytest.mark.skipif(
    ray is None, reason="Ray is not installed (pip install 'dedup[ray]'); the Ray engine is not tested")


@pytest.fixture(scope="module")
def cluster():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def cleaned(paths, **options):
    out = io.BytesIO()
    with Corpus(paths) as corpus:
        write_corpus(corpus, out, **options)
    return out.getvalue()


def test_ray_gives_the_bytes_of_the_local_executor(cluster, tmp_path):
    paths = shard_files(tmp_path, records(), count=3)
    local = cleaned(paths)
    assert local.count(b"\n") < len(records())
    assert cleaned(paths, jobs=2, shard_lines=6) == local
    assert cleaned(paths, engine="ray", shard_lines=6) == local
    marked = {"keep": "longest", "keep_duplicates": True, "explain": True}
    assert cleaned(paths, engine="ray", shard_lines=4, **marked) == cleaned(paths, jobs=2, **marked)
    result = CliRunner().invoke(main, ["clean", "--jsonl", "--engine", "ray", *paths])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == local


def test_ray_learns_chrome_per_site_as_the_local_executor_does(cluster, tmp_path):
    from test_sites import mixed_corpus

    rows, _ = mixed_corpus()
    paths = shard_files(tmp_path, rows, count=3)
    local = cleaned(paths, site_key="url")
    assert local != cleaned(paths)
    assert cleaned(paths, engine="ray", shard_lines=2, site_key="url") == local
