"""Bytes in and out: decoding on purpose, with errors that say what to do."""
import codecs
import contextlib
import os
import signal
import stat
import sys
import tempfile
from typing import BinaryIO, Iterator, Optional


class InputError(ValueError):
    """Input that cannot be cleaned: not text, not in the expected encoding, unreadable."""


class OutputError(ValueError):
    """A file that cannot be written: read-only, or its folder refuses a new file."""


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM (see `sigterm_raises`), so `finally` blocks run."""

    exit_code = 128 + signal.SIGTERM


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


def check_writable(path: str) -> None:
    """Refuse a file that is read-only, even for root (whom `os.access` always lets write).

    Raises:
        OutputError: the file's mode has no write bit, or this user may not write it.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise OutputError(f"{path}: cannot write it ({error.strerror or error})") from error
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise OutputError(f"{path}: the file is read-only (mode {stat.S_IMODE(mode):03o}); "
                          "make it writable (chmod u+w) or leave it out")


def write_atomic(path: str, data: bytes, mode: Optional[int] = None) -> None:
    """Replace the file at `path` with `data` in one step (see `atomic_output`)."""
    with atomic_output(path, mode) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_output(path: str, mode: Optional[int] = None) -> Iterator[BinaryIO]:
    """Write the file at `path` in one step: readers see the old or the new file.

    The bytes written to the yielded stream go to a temporary file in the same folder,
    which is flushed, synced, given the file's mode (and owner, where allowed) and
    renamed over `path`. On any error, including KeyboardInterrupt and `Terminated`, the
    temporary file is removed and `path` is left as it was. A symlink is followed: its
    target is replaced.

    Args:
        path: the file to write; it need not exist.
        mode: permission bits for a new file (default: 0o666 less the umask); an existing
            file keeps its own.

    Raises:
        OutputError: the folder or the file cannot be written; the message names `path`.
    """
    target = os.path.realpath(path)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as error:
        raise OutputError(f"{path}: cannot write it ({error.strerror or error})") from error
    if old is not None:
        check_writable(target)
        mode = stat.S_IMODE(old.st_mode)
    elif mode is None:
        mode = 0o666 & ~_umask()
    folder, name = os.path.split(target)
    temp = None
    try:
        # A signal between creating the file and learning its name would leak it.
        with _signals_deferred():
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".dedup-tmp")
        with open(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(temp, mode)
            if old is not None and hasattr(os, "chown"):
                with contextlib.suppress(OSError):
                    os.chown(temp, old.st_uid, old.st_gid)
        os.replace(temp, target)
        temp = None
    except OSError as error:
        raise OutputError(f"{path}: cannot write it ({error.strerror or error})") from error
    finally:
        if temp is not None:
            with _signals_deferred(), contextlib.suppress(OSError):
                os.unlink(temp)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises `Terminated` in the main thread instead of killing the
    process at once, so that temporary files are removed on the way out."""
    def handler(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        # None: the old handler was not set from Python; the default is the best guess.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done (POSIX; elsewhere a no-op)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _umask() -> int:
    # Reading the umask means setting it; other threads could see 0 for a moment.
    mask = os.umask(0)
    os.umask(mask)
    return mask
