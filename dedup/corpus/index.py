"""A saved index of a corpus, to drop later documents that duplicate it.

An index is a folder:

    manifest.json          format name, version, the settings it was built with, its
                           segments, the SHA-256 of every array file, and a SHA-256 of
                           the manifest's own content
    seg-NNNNNN/*.npy       one folder per indexed shard, as a run writes them
                           (`dedup.corpus.store`): content sketches, LSH band keys,
                           lengths and ids of its documents
    chrome-NNNNNN/*.npy    chrome statistics of all indexed documents: in how many
                           documents each line hash occurs (and at their edges), title
                           affix hashes seen in two documents or more, headline hashes;
                           built with a site key (`--site-key`), the site of each line
                           and affix hash and the documents of each site as well

Everything is plain .npy (read with `allow_pickle=False`, memory-mapped) or JSON:
an index may come from elsewhere, so nothing in it is ever unpickled, and a file that
does not match its checksum, a foreign folder or an unknown version is refused.

What is approximate (documented in the README): an indexed document keeps the sketch it
got when it was indexed, so chrome learned later (from more documents) does not change
its content lines (which of its lines count as shared with other documents does
follow); affixes seen in one indexed document only are not kept; headlines are those
learned when the documents were indexed.
"""
import hashlib
import json
import os
import re
import shutil
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from ..config import Config
from .neardup import band_parameters
from .store import ARRAYS, forget

FORMAT = "dedup-index"
VERSION = 1
MANIFEST = "manifest.json"
CHROME_ARRAYS = ("lines", "line_docs", "edge_docs", "suffixes", "suffix_docs", "prefixes",
                 "prefix_docs", "titles")
SITE_ARRAYS = ("line_sites", "suffix_sites", "prefix_sites", "site_salts", "site_docs")
_FILE = re.compile(r"^(seg|chrome)-\d{6}/[a-z_]+\.npy$")


class BadIndex(ValueError):
    """An index that cannot be used: missing, foreign, tampered, too new, other settings."""


def _settings(config: Config) -> Dict:
    bands, rows = band_parameters(config)
    return {"num_perm": config.num_perm, "bands": bands, "rows": rows, "scheme": "affine32",
            "seed": 1, "chrome_min_share": config.chrome_min_share}


def _checksum(body: Dict) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class IndexChrome(NamedTuple):
    """The index's chrome statistics as one more input of pass one (`chrome_parts`)."""

    folder: str
    documents: int
    names: Dict[int, Tuple[str, ...]]
    sites: bool = False   # built with a site key

    def chrome_parts(self, settings):
        from .pipeline import Counts, _partition

        a = {name: np.load(os.path.join(self.folder, name + ".npy"), allow_pickle=False)
             for name in CHROME_ARRAYS + (SITE_ARRAYS if self.sites else ())}
        edges = a["edge_docs"] > 0
        return _partition(self.documents, Counts(a["lines"], a["line_docs"].astype(np.int64), a.get("line_sites")),
                          Counts(a["lines"][edges], a["edge_docs"][edges].astype(np.int64)),
                          Counts(a["suffixes"], a["suffix_docs"].astype(np.int64), a.get("suffix_sites")),
                          Counts(a["prefixes"], a["prefix_docs"].astype(np.int64), a.get("prefix_sites")),
                          self.names, [], settings.partitions, "",
                          Counts(a["site_salts"], a["site_docs"].astype(np.int64)) if self.sites else None)


class Index:
    """An opened, checked index (small: arrays are read by the tasks that need them)."""

    def __init__(self, path: str, manifest: Dict):
        self.path = os.path.abspath(path)
        self.manifest = manifest
        self.documents = int(manifest["documents"])
        self.sites = bool(manifest.get("sites"))   # built with a site key

    def folders(self) -> List[Tuple[int, str]]:
        out, start = [], 0
        for segment in self.manifest["segments"]:
            out.append((start, os.path.join(self.path, segment["folder"])))
            start += int(segment["documents"])
        return out

    def chrome_item(self) -> IndexChrome:
        names = {int(h, 16): tuple(tokens) for kind in ("suffixes", "prefixes")
                 for h, tokens in self.manifest["affix_names"][kind].items()}
        return IndexChrome(os.path.join(self.path, self.manifest["chrome"]), self.documents, names, self.sites)

    def titles(self) -> np.ndarray:
        return np.load(os.path.join(self.path, self.manifest["chrome"], "titles.npy"), allow_pickle=False)

    def size(self) -> int:
        """Bytes on disk."""
        return sum(os.path.getsize(os.path.join(self.path, f)) for f in self.manifest["files"]) + \
            os.path.getsize(os.path.join(self.path, MANIFEST))


def open_index(path: str, config: Config) -> Index:
    """Read and check an index folder; raise `BadIndex` with a one-line reason."""
    manifest_path = os.path.join(path, MANIFEST)
    try:
        with open(manifest_path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError as error:
        raise BadIndex(f"{path}: not a dedup index (no {MANIFEST}); make one with "
                       "`dedup index build CORPUS -o INDEX`") from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise BadIndex(f"{path}: not a dedup index ({MANIFEST} is not readable JSON: {error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadIndex(f"{path}: not a dedup index (no \"format\": \"{FORMAT}\" in {MANIFEST})")
    if manifest.get("version") != VERSION:
        raise BadIndex(f"{path}: index version {manifest.get('version')!r} is not supported "
                       f"(this dedup reads version {VERSION}); build it again")
    body = {k: v for k, v in manifest.items() if k != "sha256"}
    if manifest.get("sha256") != _checksum(body):
        raise BadIndex(f"{path}: checksum mismatch in {MANIFEST}, the index was changed by hand "
                       "or damaged; build it again with `dedup index build`")
    wanted = _settings(config)
    built = manifest.get("settings", {})
    for key in ("num_perm", "bands", "rows", "scheme", "seed"):
        if built.get(key) != wanted[key]:
            raise BadIndex(f"{path}: the index was built with {key}={built.get(key)!r}, this run "
                           f"uses {wanted[key]!r}; build it again with the same settings")
    files = manifest.get("files", {})
    for name, digest in sorted(files.items()):
        if not _FILE.match(name):
            raise BadIndex(f"{path}: unexpected file name {name!r} in {MANIFEST}; build it again")
        try:
            actual = _file_sha256(os.path.join(path, name))
        except OSError as error:
            raise BadIndex(f"{path}: cannot read {name} ({error.strerror or error}); build it again") from error
        if actual != digest:
            raise BadIndex(f"{path}: checksum mismatch in {name}, the index was changed or damaged; "
                           "build it again with `dedup index build`")
        _check_plain_array(path, name)
    expected = {f"{s['folder']}/{a}.npy" for s in manifest["segments"] for a in ARRAYS} | \
        {f"{manifest['chrome']}/{a}.npy" for a in CHROME_ARRAYS + (SITE_ARRAYS if manifest.get("sites") else ())}
    if expected != set(files):
        raise BadIndex(f"{path}: {MANIFEST} does not list the files of an index; build it again")
    index = Index(path, manifest)
    if sum(int(s["documents"]) for s in manifest["segments"]) != index.documents:
        raise BadIndex(f"{path}: {MANIFEST} counts its documents wrong; build it again")
    return index


def _check_plain_array(path: str, name: str) -> None:
    """Refuse a file that is not a .npy array of plain numbers (an object array would
    need pickle, which is never used to read an index)."""
    import numpy as np

    try:
        with open(os.path.join(path, name), "rb") as handle:
            version = np.lib.format.read_magic(handle)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f".npy format version {version} is not one dedup writes")
            _, _, dtype = read_header(handle)
    except (OSError, ValueError) as error:
        raise BadIndex(f"{path}: {name} is not a .npy array ({error}); build it again") from error
    if dtype.hasobject:
        raise BadIndex(f"{path}: {name} holds Python objects, which an index never does "
                       "(reading them would need pickle); build it again")


def write_index(path: str, index: Optional[Index], run) -> Index:
    """Save what a run learned (`CorpusRun` with `keep_totals`, after `learn` and
    `sketch`, and with `index` when adding) as the index at `path`."""
    config = run.config
    generation = 0 if index is None else int(index.manifest["generation"]) + 1
    segments = [] if index is None else list(index.manifest["segments"])
    number = len(segments)
    for (_, folder), count in zip(run.folders, run.shard_documents):
        while os.path.exists(os.path.join(path, f"seg-{number:06d}")):  # left by a failed run
            number += 1
        name = f"seg-{number:06d}"
        number += 1
        forget([folder])
        shutil.move(folder, os.path.join(path, name))
        segments.append({"folder": name, "documents": int(count)})
    totals = [t.totals for t in run.totals]
    lines = _merge([t[0] for t in totals])
    edge_docs = _merge([t[1] for t in totals])
    documents = int(sum(run.totals[0].shard_documents))
    names = {}
    for t in totals:
        names.update(t[4])
    chrome_name = f"chrome-{generation:06d}"
    chrome_folder = os.path.join(path, chrome_name)
    shutil.rmtree(chrome_folder, ignore_errors=True)  # left by a failed run
    os.makedirs(chrome_folder)
    arrays = {"lines": lines.hashes, "line_docs": lines.docs.astype(np.uint32),
              "edge_docs": edge_docs.docs.astype(np.uint32), "titles": run.titles.astype(np.uint64)}
    sites = run.totals[0].sites
    if sites is not None:
        arrays.update(line_sites=lines.sites, site_salts=sites.hashes, site_docs=sites.docs.astype(np.uint32))
    affix_names = {}
    for kind, position in (("suffixes", 2), ("prefixes", 3)):
        counts = _merge([t[position] for t in totals])
        kept = counts.docs >= 2
        arrays[kind] = counts.hashes[kept]
        arrays[kind[:-2] + "_docs"] = counts.docs[kept].astype(np.uint32)
        if sites is not None:
            arrays[kind[:-2] + "_sites"] = counts.sites[kept]
        # (the share of its site's documents with a site key)
        share_need = config.chrome_min_share * (documents if sites is None else
                                                sites.docs[np.searchsorted(sites.hashes, counts.sites)])
        affix_names[kind] = {f"{h:016x}": list(names[h])
                             for h in counts.hashes[counts.docs >= share_need].tolist() if h in names}
    for name, array in arrays.items():
        np.save(os.path.join(chrome_folder, name + ".npy"), array, allow_pickle=False)
    files = dict(index.manifest["files"]) if index is not None else {}
    files = {k: v for k, v in files.items() if not k.startswith("chrome-")}
    for segment in segments[len(index.manifest["segments"]) if index is not None else 0:]:
        for a in ARRAYS:
            name = f"{segment['folder']}/{a}.npy"
            files[name] = _file_sha256(os.path.join(path, name))
    for a in CHROME_ARRAYS + (SITE_ARRAYS if sites is not None else ()):
        name = f"{chrome_name}/{a}.npy"
        files[name] = _file_sha256(os.path.join(path, name))
    body = {"format": FORMAT, "version": VERSION, "settings": _settings(config),
            "documents": sum(s["documents"] for s in segments), "generation": generation,
            "segments": segments, "chrome": chrome_name, "affix_names": affix_names, "files": files}
    if sites is not None:
        body["sites"] = True
    manifest = dict(body, sha256=_checksum(body))
    from ..io import write_atomic

    write_atomic(os.path.join(path, MANIFEST),
                 (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    if index is not None:
        shutil.rmtree(os.path.join(path, index.manifest["chrome"]), ignore_errors=True)
    return Index(path, manifest)


def _merge(parts):
    """`pipeline.Counts` of disjoint partitions, together and sorted."""
    from .pipeline import Counts

    hashes = np.concatenate([p.hashes for p in parts])
    docs = np.concatenate([p.docs for p in parts])
    order = np.argsort(hashes, kind="stable")
    sites = np.concatenate([p.sites for p in parts])[order] if parts[0].sites is not None else None
    return Counts(hashes[order], docs[order], sites)


def index_corpus(records, path: str, config: Config, index: Optional[Index] = None,
                 text_key: str = "text", id_key: str = "id", progress=None, **where) -> Index:
    """Build the index at `path` from `records` (a new folder), or add them to `index`
    (`where` may hold a `site_key`: chrome statistics per site)."""
    from . import CorpusRun

    if index is None:
        try:
            os.makedirs(path)
        except FileExistsError as error:
            raise BadIndex(f"{path}: already exists; give a new folder, or add to an index with "
                           "`dedup index add`") from error
        except OSError as error:
            raise BadIndex(f"{path}: cannot create the folder ({error.strerror or error})") from error
    if not where.get("work_dir"):
        where["work_dir"] = path
    try:
        with CorpusRun(records, config, text_key=text_key, id_key=id_key, progress=progress,
                       index=index, keep_totals=True, **where) as run:
            run.learn()
            run.sketch()
            return write_index(path, index, run)
    except BaseException:
        if index is None:
            shutil.rmtree(path, ignore_errors=True)
        raise
