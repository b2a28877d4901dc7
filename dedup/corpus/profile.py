"""Site profiles: what a corpus taught, saved as versioned, checksummed JSON.

A profile may come from an untrusted repository, so it is plain data (never pickle),
checked for its format name, version and a SHA-256 checksum of its content before use.
"""
import hashlib
import json
import re
from typing import Dict

from .chrome import Chrome

_HASH = re.compile(r"[0-9a-f]{16}")
FORMAT = "dedup-profile"
VERSION = 3
# Version 1 had no pair lines, version 2 no sites (`dedup learn --site-key`); they read
# as a profile without them.
READS = (1, 2, 3)
_FIELDS = ("documents", "chrome_lines", "suffixes", "prefixes", "titles")
_ADDED = {"pair_lines": 2, "sites": 3}   # field -> the version that added it


class ProfileError(ValueError):
    """A profile that cannot be used: unreadable, foreign, tampered or too new."""


def _body(chrome: Chrome) -> Dict:
    return {
        "documents": chrome.documents,
        "chrome_lines": sorted(f"{h:016x}" for h in chrome.lines),
        "suffixes": [list(a) for a in chrome.suffixes],
        "prefixes": [list(a) for a in chrome.prefixes],
        "titles": sorted(f"{h:016x}" for h in chrome.titles),
        "pair_lines": sorted(f"{h:016x}" for h in chrome.pair_lines),
        # Each named site by the salt of its hashes (`sites.site_salt` of its name).
        "sites": [{"salt": f"{salt:016x}", "documents": documents, "suffixes": [list(a) for a in suffixes],
                   "prefixes": [list(a) for a in prefixes]}
                  for salt, documents, suffixes, prefixes in chrome.sites],
    }


def _fields(document: Dict) -> Dict:
    """The fields of a profile that its checksum covers (those of its version)."""
    version = document.get("version")
    names = _FIELDS + tuple(name for name, since in _ADDED.items()
                            if not isinstance(version, int) or version >= since)
    return {k: document.get(k) for k in names}


def _checksum(body: Dict) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dumps(chrome: Chrome) -> str:
    """The profile of `chrome` as JSON text."""
    body = _body(chrome)
    document = {"format": FORMAT, "version": VERSION, "sha256": _checksum(body), **body}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def loads(text: str, name: str = "profile") -> Chrome:
    """Read a profile; raise `ProfileError` with a one-line reason if it is not usable."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ProfileError(f"{name}: not a dedup profile (not JSON: {error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ProfileError(f"{name}: not a dedup profile (no \"format\": \"{FORMAT}\"); "
                           "make one with `dedup learn FILES -o PROFILE`")
    version = document.get("version")
    if version not in READS or isinstance(version, bool):
        raise ProfileError(f"{name}: profile version {version!r} is not supported (this dedup "
                           f"reads versions {', '.join(map(str, READS))}); learn it again")
    body = _fields(document)
    if document.get("sha256") != _checksum(body):
        raise ProfileError(f"{name}: checksum mismatch, the profile was changed by hand or "
                           "damaged; learn it again with `dedup learn`")
    problem = _wrong_type(body)
    if problem:
        # The checksum says the file is whole, not who wrote it: check every field.
        raise ProfileError(f"{name}: malformed profile ({problem}); learn it again")
    return Chrome(
        lines=frozenset(int(h, 16) for h in body["chrome_lines"]),
        suffixes=tuple(tuple(a) for a in body["suffixes"]),
        prefixes=tuple(tuple(a) for a in body["prefixes"]),
        titles=frozenset(int(h, 16) for h in body["titles"]),
        documents=body["documents"],
        pair_lines=frozenset(int(h, 16) for h in body.get("pair_lines", ())),
        sites=tuple((int(site["salt"], 16), site["documents"], tuple(tuple(a) for a in site["suffixes"]),
                     tuple(tuple(a) for a in site["prefixes"])) for site in body.get("sites", ())),
    )


def _wrong_type(body: Dict) -> str:
    """What is wrong with the fields of a profile's body, or "" if nothing."""
    def hashes(value):
        return isinstance(value, list) and all(isinstance(h, str) and _HASH.fullmatch(h) for h in value)

    def affixes(value):
        return isinstance(value, list) and all(
            isinstance(a, list) and a and all(isinstance(t, str) for t in a) for a in value)

    def count(value):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if not count(body["documents"]):
        return "\"documents\" must be a count"
    for field in ("chrome_lines", "titles", "pair_lines"):
        if field in body and not hashes(body[field]):
            return f"\"{field}\" must be a list of 16-digit hex hashes"
    for field in ("suffixes", "prefixes"):
        if not affixes(body[field]):
            return f"\"{field}\" must be a list of lists of tokens"
    sites = body.get("sites", [])
    if not isinstance(sites, list) or not all(
            isinstance(site, dict) and set(site) == {"salt", "documents", "suffixes", "prefixes"}
            and hashes([site["salt"]]) and count(site["documents"])
            and affixes(site["suffixes"]) and affixes(site["prefixes"]) for site in sites):
        return "\"sites\" must be a list of sites (salt, documents, suffixes, prefixes)"
    return ""


def load(path: str) -> Chrome:
    """Read a profile file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return loads(handle.read(), path)
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"{path}: cannot read the profile ({error})") from error
