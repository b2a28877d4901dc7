"""The `dedup` command: a thin click layer over the library."""
import json
import sys

import click

from . import __version__
from .config import DEFAULT

EXIT_USAGE = 2


class BadInput(click.ClickException):
    """Bad input or usage: one line on stderr, exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None):
        click.echo(f"dedup: error: {self.format_message()}", err=True)


def threshold_options(command):
    """Options that override `Config` fields, shared by every cleaning command."""
    options = [
        click.option("--min-copy-chars", type=click.IntRange(1), default=DEFAULT.min_copy_chars,
                     show_default=True, help="Blocks shorter than this (key characters) are never copies."),
        click.option("--long-block-chars", type=click.IntRange(1), default=DEFAULT.long_block_chars,
                     show_default=True, help="Exact repeats at least this long are removed; shorter ones stay."),
        click.option("--max-affix-ratio", type=click.FloatRange(0, 1), default=DEFAULT.max_affix_ratio,
                     show_default=True, help="Largest share of a copy that may be a marker (caption, site name)."),
        click.option("--rule-timeout", type=click.FloatRange(0.001), default=DEFAULT.rule_timeout,
                     show_default=True, help="Seconds a --rules pattern may run on one line."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main():
    """Remove repeated titles, copied captions, teasers and link lines from text."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--explain", is_flag=True, help="Write JSON describing every removal instead of the text.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the input (and output).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False),
              help="File of extra patterns (regex syntax), one a line; a matching line is removed.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write an HTML page showing every removal, coloured by reason.")
@threshold_options
def clean(files, explain, encoding, rules_path, report_path, **thresholds):
    """Clean FILES (or stdin, also for "-") and write the result to stdout.

    Each file is one document. With --explain, one JSON object per document is written
    instead: its removals with reason, span, the block each duplicates and similarity.
    """
    from . import clean_and_explain
    from .detect.rules import RuleError, load_rules
    from .io import InputError, decode, encode, read_bytes, silence_stdout, write_stdout

    config = DEFAULT.replace(**thresholds)
    try:
        rules = load_rules(rules_path) if rules_path else ()
        # Read and clean everything before writing anything: no partial output.
        outputs = []
        documents = []  # for --report: (name, original text, removals)
        for path in files or ("-",):
            name = "<stdin>" if path == "-" else path
            text = decode(read_bytes(path), name, encoding)
            result = clean_and_explain(text, config, rules)
            if report_path:
                documents.append((name, text, result.removals))
            if explain:
                outputs.append((json.dumps(_explanation(name, text, result), ensure_ascii=False)
                                + "\n").encode("utf-8"))
            else:
                outputs.append(encode(result.text, encoding))
    except (InputError, RuleError) as error:
        raise BadInput(str(error)) from error
    if report_path:
        _write_report(report_path, documents)
    try:
        write_stdout(b"".join(outputs))
    except BrokenPipeError:
        silence_stdout()


def _write_report(path, documents):
    from .report import write_report

    try:
        write_report(path, documents)
    except OSError as error:
        raise BadInput(f"{path}: cannot write the report ({error.strerror or error}); "
                       "give a path in a writable directory") from error


def _explanation(name, text, result):
    from .model import REASONS

    counts = {}
    for removal in result.removals:
        counts[removal.reason] = counts.get(removal.reason, 0) + 1
    return {
        "input": name,
        "chars_in": len(text),
        "chars_out": len(result.text),
        "counts": counts,
        "reasons": {reason: REASONS[reason] for reason in counts},
        "removals": [r.as_dict(text) for r in result.removals],
    }


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
