"""Sites of a mixed corpus: which site a record belongs to (`--site-key FIELD`).

Chrome is learned from repetition relative to a site's pages; in a corpus that mixes
thousands of sites no site's menu reaches a share of the whole corpus. With a site key,
every line and title affix is counted under its site: its hash is salted with the site
(`salted`), so the counting, partitioning and shuffling of the pipeline stay as they
are and a line of one site never meets the same line of another. The unnamed site (no
field, or an empty one) has the salt 0: its hashes are those of a run without a site
key.
"""
import hashlib
import re
from typing import Optional
from urllib.parse import urlsplit

# "host.tld/..." without a scheme: a host (with a dot), an optional port, then "/".
_HOST_PATH = re.compile(r"^((?:[\w-]+\.)+[\w-]+)(?::\d+)?/")


class BadSite(ValueError):
    """A site field that is neither a string nor a number."""


def site_name(value) -> str:
    """The site a field's value names: the host of a URL ("https://www.Example.org/a"
    and "example.org/a" are "example.org"), or the value itself; "" (the unnamed site)
    for None or an empty value. Raises `BadSite` for a dict, list or boolean, which name
    no site."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadSite(f"holds {type(value).__name__ if not isinstance(value, bool) else 'a boolean'}, "
                      "not a site name (a string or a number)")
    text = str(value).strip()
    host = None
    if "://" in text:
        try:
            host = urlsplit(text).hostname
        except ValueError:   # a malformed URL ("http://[x"): the value names the site
            host = None
    else:
        found = _HOST_PATH.match(text)
        host = found.group(1).lower() if found else None
    if host:
        host = host.rstrip(".")
        text = host[4:] if host.startswith("www.") and len(host) > 4 else host
    return text


def record_site(record: dict, site_key: Optional[str]) -> str:
    """The site of a record (`site_name` of its `site_key` field); "" without a key."""
    return site_name(record.get(site_key)) if site_key else ""


def site_salt(name: str) -> int:
    """The salt of a site's hashes: 0 for the unnamed site, else a stable 64-bit hash
    of its name (never 0)."""
    if not name:
        return 0
    digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8, person=b"dedup-site")
    return int.from_bytes(digest.digest(), "little") or 1


def salted(hashed: int, salt: int) -> int:
    """A line or affix hash counted under a site (XOR: the unnamed site's are unchanged)."""
    return hashed ^ salt
