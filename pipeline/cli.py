"""Command line: parse arguments, call one library function, print, return an exit code.

Only this module and the command modules it registers (cli_review.py; cli_common.py holds
the exit codes all of them return) know argv, stdout and stderr. The heavy modules are
imported inside each command, only for speed: `pipeline --help` and `pipeline dates` start
without pyarrow or pandas.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__, cli_review
from pipeline.cli_common import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    say,
)

if TYPE_CHECKING:  # for the annotation only: runner loads pyarrow, not wanted at start-up
    from pipeline.runner import RunResult


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Turn Japanese government exchange reports into analysis-ready tables.")
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    # Not required: `pipeline` alone lists the commands (main) rather than an argparse error.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="extract reports into CSV, Parquet and a manifest",
                              description="Extract every report in INPUT (files or folders, "
                              "default raw/) into one set of tables in DIR.")
    run.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                     help="report files or folders (default: raw/)")
    run.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                     help="output folder (default: output/)")
    run.add_argument("--strict", action="store_true",
                     help="exit 1 on any reject or warning, for pipelines that must stop on doubt")
    run.add_argument("--quiet", action="store_true",
                     help="print nothing but errors: no summary, no progress bar")
    run.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="extract reports in N processes (default: the number of cores)")
    run.add_argument("--force", action="store_true",
                     help="extract every report again instead of reusing unchanged ones")
    run.add_argument("--excel", action="store_true",
                     help="also write excel/NAME.csv: UTF-8 with BOM, CRLF, formulas quoted")
    run.add_argument("--partition-by", choices=["fiscal_year"], default=None,
                     help="write Parquet as a hive-partitioned dataset (NAME/fiscal_year=YYYY/)")
    run.add_argument("--layout", type=Path, default=None, metavar="FILE",
                     help="a TOML file mapping header texts to column roles ([columns] "
                     "\"相手先\" = \"partner\"), read before the built-in vocabulary")
    run.add_argument("--no-wait", action="store_true",
                     help="when another run is writing DIR, exit 2 instead of waiting for it")

    dates = commands.add_parser("dates", help="find Japanese dates in text, print JSON lines",
                                description="For each TEXT, or each line of standard input, "
                                "print one JSON object with the dates found and any warnings.")
    dates.add_argument("texts", nargs="*", metavar="TEXT")
    dates.add_argument("--fiscal-year", type=int, metavar="YEAR",
                       help="fiscal year that gives a bare month its year (3月 -> YEAR+1)")
    cli_review.register(commands)
    return parser


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _progress_bar(items: Iterator[Any], total: int) -> Iterator[Any]:
    from tqdm import tqdm  # lazy, for speed: only a run on a terminal shows a bar

    # delay: a run that takes less than a moment shows no bar at all
    yield from tqdm(items, total=total, unit="report", file=sys.stderr, delay=1.0,
                    mininterval=0.5, leave=False)


def command_run(args: argparse.Namespace) -> int:
    # Lazy, for speed: the run's modules load pyarrow, which `pipeline dates` never needs.
    from pipeline.commit import WAITING, OutputError
    from pipeline.inputs import InputError, NoReportsError
    from pipeline.outputs import arrow_on_malloc, arrow_without_pandas
    from pipeline.runner import RunOptions, default_jobs, run

    if args.own_process:  # no caller's pandas objects for pyarrow to recognise
        arrow_on_malloc()  # first: the pool is chosen as pyarrow loads
        arrow_without_pandas()
    inputs = args.inputs or [Path("raw")]
    if args.jobs is not None and args.jobs < 1:
        print("pipeline run: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    options = RunOptions(jobs=args.jobs or default_jobs(), force=args.force, excel=args.excel,
                         partition_by=args.partition_by, layout=args.layout,
                         wait=not args.no_wait)
    show_progress = not args.quiet and sys.stderr.isatty()

    def notify(message: str) -> None:
        # Waiting is said even with --quiet: a run that blocks in silence looks hung.
        if not args.quiet or message.startswith(WAITING):
            say(f"pipeline run: {message}")

    try:
        result = run(inputs, args.out, options, _progress_bar if show_progress else None,
                     notify=notify)
    except (InputError, OutputError) as error:
        say(f"pipeline run: error: {error}")
        return EXIT_USAGE
    except NoReportsError as error:
        say(f"pipeline run: error: {error}")
        return EXIT_FAILED
    for issue in result.unreadable:
        say(f"pipeline run: error: {issue.message}")
    for name in result.missing_year:
        say(f"pipeline run: warning: {name}: no fiscal year found (no period line, no year "
             "in the file name)")
    summary = run_summary(result, args.out)
    if not args.quiet or result.unreadable:
        say(summary)
    if result.unreadable:
        return EXIT_FAILED
    if args.strict and (result.rejects or result.warnings):
        for reason in result.reject_reasons:
            say(f"pipeline run: reject: {reason}")
        for warning in result.warnings:
            say(f"pipeline run: warning: {warning.message} [{warning.code}]")
        return EXIT_FAILED
    return EXIT_OK


def run_summary(result: RunResult, out: Path) -> str:
    """The one line a run ends with; it says where to look at what went wrong."""
    rejects = _plural(result.rejects, "reject") + (" (rejects.csv)" if result.rejects else "")
    warnings = _plural(len(result.warnings), "warning") + (
        " (manifest.json; pipeline audit shows them at their lines)" if result.warnings else "")
    reused = f", {result.reused} reused" if result.reused else ""
    return (f"pipeline run: {_plural(result.files, 'file')}, {_plural(result.events, 'event')}, "
            f"{rejects}, {warnings}{reused} -> {out}")


def command_dates(args: argparse.Namespace) -> int:
    from pipeline.dates.jsonl import read_lines, write_jsonl  # lazy, for speed of `pipeline --help`

    # Standard input in blocks of lines, each block's JSON lines written at once.
    write_jsonl([args.texts] if args.texts else read_lines(sys.stdin), args.fiscal_year,
                sys.stdout)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": command_run, "dates": command_dates, **cli_review.COMMANDS}


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Run one command. own_process: this process runs nothing but the command (the
    `pipeline` command, `python -m pipeline`), so it may tune libraries process-wide."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    args.own_process = own_process
    if args.command is None:  # `pipeline` alone: say what it can do
        sys.stderr.write(parser.format_help())
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if args.debug:
            import traceback  # only here: `pipeline dates` starts without it

            traceback.print_exc()
        else:
            print(f"pipeline {args.command}: internal error: {error!r} "
                  "(run again with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def console() -> int:
    """The `pipeline` command and `python -m pipeline`."""
    return main(own_process=True)
