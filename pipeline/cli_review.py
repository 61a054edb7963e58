"""`pipeline diff`, `pipeline audit` and `pipeline report`: the commands that look at an
extraction. Registered by cli.py, with its dispatch and the exit codes of cli_common.py.

The libraries behind them (pyarrow, numpy, lxml) are imported inside the handlers, only
for speed: `pipeline --help` and `pipeline dates` start without them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.cli_common import (
    EXIT_DIFFERENT,
    EXIT_OK,
    say,
    usage_error,
    write_output,
)

FORMATS = ("text", "json", "csv", "html")


def command_diff(args: argparse.Namespace) -> int:
    from pipeline.diff import DiffError, diff_outputs  # lazy, for speed (pyarrow, numpy)
    from pipeline.diff_html import to_html
    from pipeline.diff_render import to_csv, to_json, to_text

    renderers = {"text": to_text, "json": to_json, "csv": to_csv, "html": to_html}

    ignore = [name.strip() for given in args.ignore for name in given.split(",") if name.strip()]
    try:
        result = diff_outputs(args.old, args.new, ignore, args.layout)
        write_output(renderers[args.format](result), args.out, for_people=args.format == "text")
    except DiffError as error:
        return usage_error("diff", str(error))
    except OSError as error:
        return usage_error("diff", f"{error.filename}: {error.strerror}")
    return EXIT_DIFFERENT if result.differs else EXIT_OK


def command_audit(args: argparse.Namespace) -> int:
    from pipeline.audit import AuditError  # lazy, for speed (the whole extraction)
    from pipeline.audit_render import audit_html

    try:
        page = audit_html(args.input, args.layout)
        write_output(page, args.out)
    except AuditError as error:
        return usage_error("audit", str(error))
    except OSError as error:
        return usage_error("audit", f"{error.filename}: {error.strerror}")
    say(f"pipeline audit: -> {args.out}")
    return EXIT_OK


def command_report(args: argparse.Namespace) -> int:
    from pipeline.overview import OverviewError, folder_to_overview  # lazy, for speed
    from pipeline.overview_render import render

    try:
        page = render(folder_to_overview(args.out_dir))
        write_output(page, args.out)
    except OverviewError as error:
        return usage_error("report", str(error))
    except OSError as error:
        return usage_error("report", f"{error.filename}: {error.strerror}")
    print(f"pipeline report: -> {args.out}", file=sys.stderr)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add `diff`, `audit` and `report` to the `pipeline` parser's subparsers."""
    diff = commands.add_parser(
        "diff", help="compare two extractions: events added, removed, changed, moved",
        description="Compare OLD and NEW, each an output folder of `pipeline run` or report "
        "files/folders (extracted first). Exit 0 when nothing differs (moved rows are no "
        "difference), 1 when something does, 2 on an error.")
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    diff.add_argument("--format", choices=FORMATS, default="text",
                      help="text (default), json, csv or html")
    diff.add_argument("--ignore", action="append", default=[], metavar="COLUMN",
                      help="a column not to compare; repeat it or separate names by commas")
    diff.add_argument("--out", type=Path, metavar="FILE", help="write here, not to stdout")
    diff.add_argument("--layout", type=Path, metavar="FILE",
                      help="header texts -> roles for reports extracted here (as pipeline run)")

    audit = commands.add_parser(
        "audit", help="one self-contained HTML page for checking an extraction by eye",
        description="Write an HTML page showing each source row beside the events read "
        "from it, dates highlighted, rejects and warnings in red, and a timeline.")
    audit.add_argument("input", type=Path, metavar="INPUT",
                       help="a report file or folder, or an output folder of `pipeline run`")
    audit.add_argument("--out", type=Path, required=True, metavar="FILE",
                       help="the HTML file to write")
    audit.add_argument("--layout", type=Path, metavar="FILE",
                       help="header texts -> roles for reports read here (as pipeline run)")

    report = commands.add_parser(
        "report", help="one self-contained HTML overview of a whole dataset",
        description="Write an HTML page of an output folder of `pipeline run`, any number of "
        "years: counts per fiscal year, a partner x year grid, kinds and directions per year, "
        "top actors, the partners, and every event behind each number.")
    report.add_argument("out_dir", type=Path, metavar="OUT_DIR",
                        help="an output folder of `pipeline run`")
    report.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the HTML file to write")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "diff": command_diff, "audit": command_audit, "report": command_report}
COMMAND_NAMES: tuple[str, ...] = tuple(COMMANDS)
