"""Bytes in and out: decoding on purpose, with errors that say what to do."""
import codecs
import contextlib
import tempfile
import os
import sys
from typing import BinaryIO


class InputError(ValueError):
    """Input that cannot be cleaned: not text, not in the expected encoding, unreadable."""


def read_bytes(path: str) -> bytes:
    """Read a whole file, or stdin when `path` is "-"."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({error.strerror or error})") from error


def decode(data: bytes, name: str, encoding: str = "utf-8") -> str:
    """Decode `data` strictly; refuse binary data.

    Raises:
        InputError: NUL bytes (binary), or bytes invalid in `encoding`; the message names
            the input and the byte offset and says how to go on.
    """
    nul = data.find(b"\x00")
    if nul >= 0 and not _is_wide_unicode(encoding):
        raise InputError(f"{name}: looks binary (NUL byte at offset {nul}); "
                         "give a text file")
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise InputError(f"unknown encoding {encoding!r}; give a Python codec name "
                         "with --encoding, such as utf-8 or latin-1") from error
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not valid {encoding} at byte offset {error.start}; "
                         "give the right encoding with --encoding (e.g. --encoding latin-1)"
                         ) from error


def _is_wide_unicode(encoding: str) -> bool:
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")) if _known(encoding) else False


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
        return True
    except LookupError:
        return False


def encode(text: str, encoding: str = "utf-8") -> bytes:
    """Encode cleaned text back into the input's encoding."""
    return text.encode(encoding)


def write_stdout(data: bytes, stream: BinaryIO = None) -> None:
    """Write bytes to stdout (or `stream`) and flush."""
    stream = stream or sys.stdout.buffer
    stream.write(data)
    stream.flush()


def silence_stdout() -> None:
    """After a closed pipe (`| head`), point stdout at /dev/null so exit is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@contextlib.contextmanager
def atomic_output(path: str, mode: int = None):
    """Write a file atomically: a temporary file in the same folder, then `os.replace`.

    If anything fails (or the run is interrupted) the temporary file is removed and the
    old file, if any, is left as it was.
    """
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".dedup-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
