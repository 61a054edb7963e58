"""`pipeline dates` output: one JSON object per line for each input text.

Written with the encoder json.dumps itself uses for strings (json.encoder's
encode_basestring, in C) and a fixed template for the rest: json.dumps on a dict of lists of
dicts cost as much per line as reading the dates (see README, "Figures"). The output is the
same text json.dumps(..., ensure_ascii=False) gives for `result_to_dict` (tests pin that).

Standard input is read in blocks and each block's lines written with one call
(`write_jsonl`): a read and a write per line cost a fifth of the command's time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TextIO

try:  # the C encoder json.encoder uses, without importing the json package at start-up
    from _json import encode_basestring as _quote
except ImportError:  # pragma: no cover - a Python without the C accelerator
    from json.encoder import encode_basestring as _quote

from pipeline.dates.results import EMPTY, DateResult, DateWarning, Period
from pipeline.dates.scanner import find_dates

_FALSE_TRUE = ("false", "true")
_NOTHING = ', "dates": [], "warnings": []}\n'
# Characters read from standard input per block: large enough that a read and a write cost
# little per line, small enough that memory stays flat on any input.
BLOCK = 1 << 16


class _IsoDates(dict[dt.date, str]):
    """date -> its ISO text, remembered: a report's periods share few days."""

    def __missing__(self, day: dt.date) -> str:
        if len(self) > 100_000:  # arbitrary dates (from hostile input) do not pile up
            self.clear()
        text = self[day] = day.isoformat()
        return text


_ISO = _IsoDates()


def period_to_json(p: Period) -> dict[str, object]:
    return {"text": p.text, "start": p.start.isoformat(), "end": p.end.isoformat(),
            "precision": p.precision, "inferred": p.inferred, "open_start": p.open_start,
            "open_end": p.open_end}


def warning_to_json(w: DateWarning) -> dict[str, object]:
    return {"code": w.code, "message": w.message}


def result_to_dict(text: str, found: DateResult) -> dict[str, object]:
    """The JSON object of one line, as a dict (the reference for result_to_line)."""
    return {"input": text, "dates": [period_to_json(p) for p in found.periods],
            "warnings": [warning_to_json(w) for w in found.warnings]}


def _period(p: Period) -> str:
    return (f'{{"text": {_quote(p.text)}, "start": "{_ISO[p.start]}", '
            f'"end": "{_ISO[p.end]}", "precision": "{p.precision}", '
            f'"inferred": {_FALSE_TRUE[p.inferred]}, "open_start": {_FALSE_TRUE[p.open_start]}, '
            f'"open_end": {_FALSE_TRUE[p.open_end]}}}')


def _warning(w: DateWarning) -> str:
    return f'{{"code": {_quote(w.code)}, "message": {_quote(w.message)}}}'


def result_to_line(text: str, found: DateResult) -> str:
    """One line of JSON, newline included: json.dumps(result_to_dict(text, found),
    ensure_ascii=False) + "\\n", written faster."""
    if found is EMPTY:  # most lines of a report: nothing to write but the input
        return '{"input": ' + _quote(text) + _NOTHING
    dates = ", ".join(map(_period, found.periods))
    warnings = ", ".join(map(_warning, found.warnings))
    return f'{{"input": {_quote(text)}, "dates": [{dates}], "warnings": [{warnings}]}}\n'


def texts_to_lines(texts: Iterable[str], fiscal_year: int | None) -> Iterator[str]:
    """`pipeline dates`: each text -> its line of JSON."""
    read, write = find_dates, result_to_line  # local names: this loop runs once a line
    for text in texts:
        yield write(text, read(text, fiscal_year))


def read_lines(stream: TextIO, block: int = BLOCK) -> Iterator[list[str]]:
    """The lines of stream, in lists, each without its line end: the lines `for line in
    stream` gives, less what line.rstrip("\\r\\n") takes off, read a block at a time.

    From a terminal the lines come one at a time, so each is answered as it is typed.
    """
    if stream.isatty():
        for line in stream:
            yield [line.rstrip("\r\n")]
        return
    pending: list[str] = []  # the start of a line that goes on in the next block
    while chunk := stream.read(block):
        lines = chunk.split("\n")
        if len(lines) == 1:  # no line ends here (a very long line): nothing to join yet
            pending.append(chunk)
            continue
        if pending:
            pending.append(lines[0])
            lines[0] = "".join(pending)
        pending = [lines.pop()]  # "" after a newline
        if "\r" in chunk or lines[0].endswith("\r"):
            lines = [line.rstrip("\r") for line in lines]
        yield lines
    if rest := "".join(pending):
        yield [rest.rstrip("\r")]


def write_jsonl(batches: Iterable[list[str]], fiscal_year: int | None, out: TextIO) -> None:
    """`pipeline dates`: the lines of JSON of each list of texts, one write per list."""
    read, write = find_dates, result_to_line
    for texts in batches:
        out.write("".join([write(text, read(text, fiscal_year)) for text in texts]))
