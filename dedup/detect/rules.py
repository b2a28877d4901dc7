"""User rules: one `regex` pattern a line, each match bounded by a timeout."""
from typing import List, NamedTuple, Sequence

import regex

from ..model import Block, Removal


class RuleError(ValueError):
    """A rule file that cannot be used, or a rule that ran too long."""


class Rule(NamedTuple):
    source: str      # "FILE:LINE"
    pattern: str
    compiled: "regex.Pattern"


def load_rules(path: str) -> List[Rule]:
    """Read a rule file: one pattern a line; blank lines and lines starting with # skipped.

    Raises:
        RuleError: the file cannot be read or a pattern does not compile.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(f"{path}: cannot read the rule file ({error}); "
                        "give a UTF-8 text file with one pattern a line") from error
    rules = []
    for number, line in enumerate(lines, 1):
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        try:
            compiled = regex.compile(pattern, regex.V1)
        except regex.error as error:
            raise RuleError(f"{path}:{number}: the pattern {pattern!r} does not compile "
                            f"({error}); fix it or remove the line") from error
        rules.append(Rule(f"{path}:{number}", pattern, compiled))
    return rules


def find_rule_lines(blocks: Sequence[Block], rules: Sequence[Rule], timeout: float) -> List[Removal]:
    """Removals for lines where a user rule matches.

    Raises:
        RuleError: a rule ran longer than `timeout` seconds on one line.
    """
    removals = []
    for block in blocks:
        if not block.removable:
            continue
        for rule in rules:
            try:
                hit = rule.compiled.search(block.text, timeout=timeout)
            except TimeoutError as error:
                raise RuleError(f"{rule.source}: the pattern {rule.pattern!r} ran longer than "
                                f"{timeout:g} s on one line; simplify it (nested repeats "
                                "backtrack without end)") from error
            if hit:
                removals.append(Removal(block.start, block.end, "user_rule", rule=rule.source))
                break
    return removals
