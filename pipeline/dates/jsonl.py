"""`pipeline dates` output: one JSON object per line for each input text.

Written with the encoder json.dumps itself uses for strings (json.encoder.encode_basestring,
in C) and a fixed template for the rest: json.dumps on a dict of lists of dicts cost as
much per line as reading the dates (see README, "Performance"). The output is the same
text json.dumps(..., ensure_ascii=False) gives for `result_to_dict` (tests pin that).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _quote

from pipeline.dates.results import EMPTY, DateResult, DateWarning, Period
from pipeline.dates.scanner import find_dates

_FALSE_TRUE = ("false", "true")
_NOTHING = ', "dates": [], "warnings": []}\n'


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
    return (f'{{"text": {_quote(p.text)}, "start": "{p.start.isoformat()}", '
            f'"end": "{p.end.isoformat()}", "precision": "{p.precision}", '
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
