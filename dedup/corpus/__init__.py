"""What crosses documents: site chrome learned from repetition, near-duplicate
documents, saved site profiles.

The corpus is read in passes over a re-iterable source of records: (1) chrome
statistics, (2) content signatures and near-duplicate clusters, (3) rewriting each
document with what was learned. Each pass is a set of tasks over shards of the input
(`pipeline`, run by an executor of `dedup.engines`); the sketches go to a work folder on
disk, and the driver holds the statistics and the clusters, never the texts.
"""
import contextlib
import os
from collections import Counter
from dataclasses import replace
from typing import Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ..config import DEFAULT, MAX_RECORD_BYTES, Config
from ..io import InputError
from ..model import Removal
from .chrome import Chrome, ChromeCounter
from .shards import SHARD_LINES

KEEP_POLICIES = ("first", "longest")


class SiteKeyError(InputError):
    """A run with a site key and an index without sites, or the other way round."""


class CleanedDocument(NamedTuple):
    """One document of a corpus after cleaning.

    Attributes:
        record: the input record with its text replaced by the cleaned text (a new dict;
            other fields untouched).
        removals: the removals inside the document (spans in the original text).
        duplicate_of: id of the kept document this one near-duplicates, if any.
        similarity: Jaccard similarity to that document.
        original: the text before cleaning.
    """

    record: dict
    removals: List[Removal]
    duplicate_of: Optional[object] = None
    similarity: Optional[float] = None
    original: str = ""


def learn_chrome(records: Iterable[dict], config: Config = DEFAULT, text_key: str = "text",
                 site_key: Optional[str] = None) -> Chrome:
    """Pass one: learn chrome lines, title affixes and headlines from records (per site
    with `site_key`, see `clean_corpus`)."""
    from .sites import BadSite, record_site

    counter = ChromeCounter(config)
    for number, record in enumerate(records, 1):
        try:
            site = record_site(record, site_key)
        except BadSite as error:
            from ..io import InputError

            raise InputError(f"record {number}: field {site_key!r} {error}") from error
        counter.add(record[text_key], site)
    return counter.learn()


def clean_corpus(records: Iterable[dict], config: Config = DEFAULT, rules: Sequence = (),
                 chrome: Optional[Chrome] = None, text_key: str = "text", id_key: str = "id",
                 keep: str = "first", keep_duplicates: bool = False,
                 progress: Optional[Callable[[str, int], None]] = None, *,
                 engine: str = "local", jobs: Optional[int] = None, ray_address: Optional[str] = None,
                 index=None, work_dir: Optional[str] = None,
                 shard_lines: int = SHARD_LINES, site_key: Optional[str] = None,
                 duplicates_only: bool = False) -> Iterator[CleanedDocument]:
    """Clean a corpus: chrome, near-duplicate documents, then each document.

    Args:
        records: a re-iterable of dicts with a string `text_key` field (a list, or a
            `dedup.jsonl.Corpus`); a one-shot iterator is read into a list first.
        config: thresholds (`chrome_min_docs`, `chrome_min_share`, `near_dup_*`, ...).
        rules: compiled user rules.
        chrome: a learned profile to use instead of learning from these records.
        keep: which document of a near-duplicate cluster stays: "first" or "longest".
        keep_duplicates: yield dropped duplicates too (with `duplicate_of` set).
        progress: called as progress(pass_name, documents_done) now and then.
        engine, jobs, ray_address: where the work runs (`dedup.engines.executor`):
            in this process by default, `jobs` local processes, or Ray. The output is
            the same on every engine.
        index: a saved index (`dedup.corpus.index.open_index`, or its path): documents
            that near-duplicate an indexed one are dropped, and its chrome statistics
            count with these records'.
        work_dir: where the run keeps its sketches (a new folder inside it, removed at
            the end); on a cluster of several machines, a folder all of them see.
        shard_lines: lines of a plain JSON lines file (or records in memory) per task.
        site_key: a field naming each record's site (`dedup.corpus.sites.site_name`: a
            URL stands for its host): chrome lines, lines two pages share and title
            affixes are learned and removed per site, every threshold relative to the
            site's documents. Records without it form one more site. Near-duplicate
            documents are still found across the whole corpus.
        duplicates_only: only leave out (or, with `keep_duplicates`, mark) near-duplicate
            documents, found as always on their content without chrome; every text
            stays as it is (`rules` do not apply). About twice as fast: no document is
            rewritten.

    Yields:
        `CleanedDocument` per kept document (and per duplicate with keep_duplicates),
        in input order.
    """
    with CorpusRun(records, config, rules, chrome, text_key, id_key, keep, keep_duplicates,
                   progress, engine, jobs, ray_address, index, work_dir, shard_lines, site_key=site_key,
                   duplicates_only=duplicates_only) as run:
        run.find_duplicates()
        for rewritten in run.rewrite():
            yield from rewritten.documents


def write_corpus(records: Iterable[dict], stream, config: Config = DEFAULT, rules: Sequence = (),
                 chrome: Optional[Chrome] = None, text_key: str = "text", id_key: str = "id",
                 keep: str = "first", keep_duplicates: bool = False,
                 progress: Optional[Callable[[str, int], None]] = None, *, explain: bool = False,
                 report: bool = False, **where) -> Tuple[int, Counter, list]:
    """`clean_corpus` writing JSON lines to the binary `stream`: each task writes its
    shard's lines (with "duplicate_of" and, with `explain`, "removals"), the parts are
    copied to `stream` in input order (in one process, written to it directly).

    Returns:
        (documents written, removals per reason, [(id, original, removals)] when `report`).
    """
    import shutil

    written, counts, shown = 0, Counter(), []
    with CorpusRun(records, config, rules, chrome, text_key, id_key, keep, keep_duplicates,
                   progress, **where) as run:
        with run.work_folder_errors():
            run.find_duplicates()
        # In one process the lines go straight to `stream`; workers write part files.
        direct = stream if run.executor.in_process else None
        output = {"explain": explain, "report": report, "stream": direct}
        rewritten_shards = run.rewrite(output)
        for shard in run.shards:
            # (Writing to `stream` may fail too: that error is the output's, not the folder's.)
            with run.work_folder_errors() if direct is None else contextlib.nullcontext():
                rewritten = next(rewritten_shards)
            if direct is None:
                part = os.path.join(run.settings.work, f"part-{shard.index:06d}.jsonl")
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, stream, 1 << 20)
                os.unlink(part)
            for number, (has_id, document_id, text, removals) in enumerate(rewritten.shown or (), 1):
                shown.append((document_id if has_id else written + number, text, removals))
            written += rewritten.written
            counts.update(rewritten.counts)
    return written, counts, shown


class CorpusRun:
    """One run of the corpus pipeline (`dedup.corpus.pipeline`) on an executor: shards,
    work folder, what was learned. Use as a context manager."""

    def __init__(self, records, config: Config = DEFAULT, rules: Sequence = (),
                 chrome: Optional[Chrome] = None, text_key: str = "text", id_key: str = "id",
                 keep: str = "first", keep_duplicates: bool = False, progress=None,
                 engine: str = "local", jobs: Optional[int] = None, ray_address: Optional[str] = None,
                 index=None, work_dir: Optional[str] = None, shard_lines: int = SHARD_LINES,
                 keep_totals: bool = False, site_key: Optional[str] = None, duplicates_only: bool = False):
        if keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {KEEP_POLICIES}, not {keep!r}")
        self.site_key = site_key or None
        self.duplicates_only = duplicates_only
        if iter(records) is records:
            records = list(records)
        self.records, self.config, self.rules, self.given_chrome = records, config, rules, chrome
        self.text_key, self.id_key, self.keep, self.keep_duplicates = text_key, id_key, keep, keep_duplicates
        self.tick = progress or (lambda name, done: None)
        self.where = (engine, jobs, ray_address)
        if isinstance(index, str):
            from .index import open_index

            index = open_index(index, config)
        if index is not None and index.sites != bool(self.site_key):
            raise SiteKeyError(f"{index.path}: the index was built {'with' if index.sites else 'without'} "
                               f"--site-key; use it {'with' if index.sites else 'without'} --site-key too "
                               "(its chrome statistics are per site or for the whole corpus)")
        self.index, self.work_dir, self.shard_lines, self.keep_totals = index, work_dir, shard_lines, keep_totals
        self.dropped: Dict[int, object] = {}  # global id -> pipeline.Dropped

    def __enter__(self):
        import tempfile

        from ..engines import executor

        self.executor = executor(*self.where)
        try:
            try:
                self.work = tempfile.mkdtemp(prefix="dedup-work-", dir=self.work_dir)
            except OSError as error:
                from ..io import InputError

                raise InputError(f"{self.work_dir or tempfile.gettempdir()}: cannot make a work folder "
                                 f"there ({error.strerror or error}); give another with --work-dir") from error
            self._shards()
        except BaseException:
            self.__exit__()
            raise
        return self

    @contextlib.contextmanager
    def work_folder_errors(self):
        """A failed write in the work folder (full disk, say) is an `OutputError` naming
        the folder, not the output file."""
        from ..io import OutputError

        try:
            yield
        except OSError as error:
            raise OutputError(f"{self.work}: cannot write the work folder "
                              f"({error.strerror or error}); free space there or give "
                              "another with --work-dir") from error

    def __exit__(self, *exc):
        import shutil

        from .store import forget

        self.executor.close()
        if getattr(self, "work", None):
            forget([os.path.join(self.work, name) for name in os.listdir(self.work)])
            shutil.rmtree(self.work, ignore_errors=True)

    def _shards(self):
        from .pipeline import Settings
        from .shards import file_shards, memory_shards

        records = self.records
        skip_bad = getattr(records, "skip_bad", False)
        if hasattr(records, "paths"):
            self.shards = file_shards(records.paths, records.names, self.shard_lines)
        elif self.executor.in_process:
            records = records if isinstance(records, list) else list(records)
            self.shards = memory_shards(records, self.shard_lines)
        else:  # tasks read files, never records sent from here
            path = os.path.join(self.work, "records.jsonl")
            _spool(records, path)
            self.shards = file_shards([path], ["<records>"], self.shard_lines)
        partitions = 1 if self.executor.workers == 1 else 2 * self.executor.workers
        self.settings = Settings(self.config, self.text_key, self.id_key, skip_bad,
                                 getattr(records, "max_record_bytes", MAX_RECORD_BYTES),
                                 self.work, partitions, self.keep_totals, site_key=self.site_key,
                                 duplicates_only=self.duplicates_only)

    def learn(self):
        """Pass one: chrome statistics of every shard (and of the index), summed per partition."""
        import numpy as np

        from .pipeline import chrome_parts, chrome_totals, learn_chrome

        settings = self.executor.broadcast(self.settings)
        items = list(self.shards) + ([self.index.chrome_item()] if self.index is not None else [])
        self.totals = self.executor.shuffle_reduce(chrome_parts, items, chrome_totals,
                                                   self.settings.partitions, settings)
        self.shard_documents = self.totals[0].shard_documents[:len(self.shards)]
        if hasattr(self.records, "skipped") and not hasattr(self.records, "_counted"):
            self.records.skipped.extend(self.totals[0].bad)
            self.records._counted = True
        self.tick("learning chrome", sum(self.shard_documents))
        learned, self.common = learn_chrome(self.totals, self.config)
        self.chrome = self.given_chrome if self.given_chrome is not None else learned
        self.first_new = self.index.documents if self.index is not None else 0
        starts = np.cumsum([self.first_new] + list(self.shard_documents))
        self.shard_starts = [int(s) for s in starts[:-1]]
        self.documents = int(starts[-1])

    def sketch(self):
        """Pass two: content sketches and band keys of every shard, written to its folder."""
        import shutil

        import numpy as np

        from .pipeline import sketch_shard, tokens_folder
        from .store import Layout

        learn_titles = self.given_chrome is None
        shared = [self.executor.broadcast(v) for v in (self.settings, self.chrome)]
        titles, folders, done = [], [], 0
        for summary in self.executor.map(sketch_shard, self.shards, *shared, learn_titles):
            titles.append(summary.titles)
            folders.append(summary.folder)
            done += summary.documents
            self.tick("signing", done)
        for shard in self.shards:
            shutil.rmtree(tokens_folder(self.settings, shard), ignore_errors=True)
        self.folders = list(zip(self.shard_starts, folders))
        index_folders = self.index.folders() if self.index is not None else []
        self.layout = Layout(index_folders + self.folders)
        if learn_titles:
            if self.index is not None:
                titles.append(self.index.titles())
            found = frozenset(int(h) for t in titles for h in t)
            self.chrome = replace(self.chrome, titles=found)
            self.titles = np.unique(np.concatenate(titles)) if titles else np.zeros(0, np.uint64)

    def find_duplicates(self):
        """Passes one and two, then candidate edges, their verification and clusters."""
        import numpy as np

        from .neardup import band_parameters
        from .pipeline import band_edges, band_groups, plan_clusters, unique_edges, verify_edges

        self.learn()
        self.sketch()
        if self.documents - self.first_new < 1 or self.documents < 2:
            return
        settings = self.executor.broadcast(self.settings._replace(first_new=self.first_new))
        sources = self.executor.broadcast(self.layout_sources())
        groups = band_groups(band_parameters(self.config)[0])
        edges = unique_edges(list(self.executor.map(band_edges, groups, sources, settings)))
        size = max(2000, -(-len(edges) // (4 * self.executor.workers)))
        chunks = [edges[lo:lo + size] for lo in range(0, len(edges), size)]
        shared = [self.executor.broadcast(v) for v in (self.layout, self.common, self.config)]
        results = list(self.executor.map(verify_edges, chunks, *shared))
        duplicate = np.concatenate([r[0] for r in results]) if results else np.zeros(0, np.int8)
        jaccard = np.concatenate([r[1] for r in results]) if results else np.zeros(0)
        self.dropped = plan_clusters(edges, duplicate, jaccard, self.documents, self.keep, self.layout,
                                     self.first_new, self._memory_id)

    def layout_sources(self):
        return [(int(start), folder) for start, folder in zip(self.layout.starts, self.layout.folders)]

    def _memory_id(self, gid: int):
        """The id of a document held in memory (ids need not be JSON), else None."""
        import numpy as np

        if not self.shards or self.shards[0].rows is None or gid < self.first_new:
            return None
        number = int(np.searchsorted(self.shard_starts, gid, side="right")) - 1
        return True, self.shards[number].rows[gid - self.shard_starts[number]].get(self.id_key)

    def rewrite(self, output: Optional[dict] = None):
        """Pass three: clean each shard's documents; yields `pipeline.Rewritten` per shard."""
        from .pipeline import rewrite_shard

        import bisect

        dropped = sorted(self.dropped)
        jobs = []
        for shard, start, count in zip(self.shards, self.shard_starts, self.shard_documents):
            lo, hi = bisect.bisect_left(dropped, start), bisect.bisect_left(dropped, start + count)
            jobs.append((shard, {gid: self.dropped[gid] for gid in dropped[lo:hi]}, start))
        shared = [self.executor.broadcast(v) for v in (self.settings, self.chrome, tuple(self.rules))]
        done = 0
        for rewritten in self.executor.map(rewrite_shard, jobs, *shared, self.keep_duplicates, output):
            done += len(rewritten.documents) + rewritten.written
            self.tick("rewriting", done)
            yield rewritten


def _spool(records: Iterable[dict], path: str) -> None:
    """Write records held in memory to a JSON lines file that tasks can read."""
    import json

    with open(path, "w", encoding="utf-8") as out:
        for number, record in enumerate(records, 1):
            try:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            except (TypeError, ValueError) as error:
                raise TypeError(f"record {number} cannot be written as JSON ({error}); records "
                                "run on worker processes must be JSON objects") from error


def summary(documents: Iterable[CleanedDocument]) -> Counter:
    """Removals per reason (and dropped duplicate documents) over cleaned documents."""
    counts: Counter = Counter()
    for document in documents:
        if document.duplicate_of is not None:
            counts["duplicate_document"] += 1
        counts.update(r.reason for r in document.removals)
    return counts
