"""What every command of the command line shares: its exit codes and how it speaks.

Exit codes, for all commands: 0 done (diff: nothing differs); 1 done but something failed
or differs (an unreadable report, --strict and a doubt, a diff); 2 usage or input error
(nothing done); 3 internal error; 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.safe_text import terminal

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_DIFFERENT = EXIT_FAILED  # `pipeline diff`: the two extractions differ


def say(text: str) -> None:
    """One line to stderr. File names and report text may hold control characters (an
    ESC sequence, a newline that forges a line of ours): they are shown escaped."""
    print(terminal(text), file=sys.stderr)


def usage_error(command: str, message: str) -> int:
    say(f"pipeline {command}: error: {message}")
    return EXIT_USAGE


def write_output(text: str, out: Path | None, for_people: bool = False) -> None:
    """To a file as it is; to standard output with control characters escaped line by
    line when people read it (the text format, or any format on a terminal)."""
    if out is None:
        if for_people or sys.stdout.isatty():
            text = "\n".join(terminal(line) for line in text.split("\n"))
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
