"""Clean files where they lie: the --check, --diff and --in-place modes of `dedup clean`.

Each file is read as bytes, decoded on purpose and cleaned on its own, so that any subset
of a repository's files (what a pre-commit hook is given) gets the same answer. A bad
file is reported on stderr in one line and the others are still processed.
"""
import difflib
import re
import sys
from typing import BinaryIO, Optional, Sequence, TextIO

from .detect.rules import RuleError
from .io import (InputError, OutputError, decode, encode, read_bytes, sigterm_raises,
                 silence_stdout, write_atomic)

CHECK, DIFF, IN_PLACE = "check", "diff", "in-place"
MODES = (CHECK, DIFF, IN_PLACE)

EXIT_OK, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2

# Lines for the diff end at "\n" only, as for git and patch: a lone "\r" stays inside
# its line and CRLF lines keep their "\r".
_DIFF_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def clean_files(paths: Sequence[str], mode: str, encoding: str = "utf-8", config=None,
                rules: Sequence = (), chrome=None, stdout: Optional[BinaryIO] = None,
                stderr: Optional[TextIO] = None) -> int:
    """Check, diff or rewrite each file in `paths` ("-" is stdin, except for IN_PLACE).

    Args:
        paths: the files, each one document.
        mode: CHECK (list the files that would change on stderr), DIFF (unified diff on
            stdout) or IN_PLACE (rewrite the files whose text changes, atomically; an
            unchanged file is not touched).
        encoding, config, rules, chrome: as for `dedup.clean_and_explain`; the output keeps the
            input's encoding, BOM and line breaks because the cleaner keeps them in the text.

    Returns:
        The exit code: 2 if any file could not be read, decoded, cleaned or written;
        else 1 if any file changed (or would); else 0.
    """
    from . import clean_and_explain

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if mode == IN_PLACE and "-" in paths:
        raise ValueError("stdin cannot be cleaned in place")
    stdout = stdout or sys.stdout.buffer
    stderr = stderr or sys.stderr
    changed = failed = False
    with sigterm_raises():
        for path in paths:
            name = "<stdin>" if path == "-" else path
            try:
                text = decode(read_bytes(path), name, encoding)
                result = clean_and_explain(text, config, rules, chrome)
                if result.text == text:
                    continue
                changed = True
                count = _count(result.removals)
                if mode == CHECK:
                    print(f"would clean {name} ({count})", file=stderr)
                elif mode == DIFF:
                    stdout.write(encode(unified_diff(text, result.text, name), encoding))
                    stdout.flush()
                else:
                    write_atomic(path, encode(result.text, encoding))
                    print(f"cleaned {name} ({count})", file=stderr)
            except (InputError, OutputError, RuleError) as error:
                failed = True
                print(f"dedup: error: {error}", file=stderr)
            except BrokenPipeError:
                # `dedup clean --diff ... | head`: nobody reads the rest; end quietly.
                silence_stdout()
                return EXIT_CHANGED
            except Exception as error:  # one bad file must not stop the others
                failed = True
                print(f"dedup: error: {name}: internal error ({type(error).__name__}: {error}); "
                      "please report it with the file", file=stderr)
    return EXIT_ERROR if failed else EXIT_CHANGED if changed else EXIT_OK


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff from `old` to `new` with `a/NAME` and `b/NAME` headers, as git writes."""
    label = name.replace("\\", "/")
    lines = difflib.unified_diff(_DIFF_LINE.findall(old), _DIFF_LINE.findall(new),
                                 f"a/{label}", f"b/{label}")
    pieces = []
    for line in lines:
        pieces.append(line)
        if not line.endswith("\n"):
            # The headers end in "\n"; a content line without it is a file's last line.
            pieces.append("\n\\ No newline at end of file\n")
    return "".join(pieces)


def _count(removals) -> str:
    # Blank lines tidied after a removal are not worth counting on their own.
    number = sum(r.reason != "blank" for r in removals) or len(removals)
    return f"{number} removal" + ("" if number == 1 else "s")
