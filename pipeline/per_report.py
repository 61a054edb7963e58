"""The per-report stage: one input's bytes -> everything it contributes to the outputs.

A pure function of the file's bytes (and the layout vocabulary): it runs in worker
processes, or on another engine's workers (runner.Mapper), and never raises for a
damaged or unreadable file.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable

from pipeline import cache
from pipeline.cache import ReportResult
from pipeline.extract import extract_bytes
from pipeline.inputs import InputFile, read_input
from pipeline.manifest import manifest_entry
from pipeline.model import Issue, RejectRecord

Payload = tuple[int | None, str, bytes]
# How the per-report stage is run over the inputs: map(function, items), results in the
# items' order. The default is a process pool (or plain map with --jobs 1); a caller may
# pass another engine's map, e.g. a Dask bag's (README, "Beyond one machine").
Mapper = Callable[[Callable[[InputFile], Payload], list[InputFile]], Iterable[Payload]]


def extract_file(item: InputFile) -> ReportResult:
    """One input -> its records; never raises for a damaged or unreadable file."""
    try:
        data = read_input(item)
    except OSError as error:
        why = ("became a symbolic link after the folder was read; not followed"
               if error.errno == errno.ELOOP and not item.follow else error.strerror)
        issue = Issue("file-unreadable", f"{item.name}: {why}", "error", item.name, 0)
        return ReportResult(item.name, None, {"name": item.name, "error": {
            "code": issue.code, "message": issue.message}}, error=issue)
    extraction = extract_bytes(data, item.name, item.vocabulary)
    manifest = manifest_entry(item.name, data, extraction)
    if isinstance(extraction, Issue):
        reject = RejectRecord(item.name, 0, f"{extraction.code}: {extraction.message}", "")
        return ReportResult(item.name, None, manifest, rejects=[reject], error=extraction)
    result = ReportResult(item.name, manifest["fiscal_year"], manifest,
                          entries=extraction.entries, events=extraction.events,
                          periods=extraction.periods, extras=extraction.extras)
    for issue in extraction.issues:
        if issue.severity == "reject":
            result.rejects.append(RejectRecord(issue.source_file, issue.source_line,
                                               f"{issue.code}: {issue.message}", issue.raw))
        else:
            result.warnings.append(issue)
    return result


def extract_payload(item: InputFile) -> Payload:
    """The per-report stage as workers run it: extract one input and hand back (fiscal
    year, sha256 of the bytes read, the result as the cache's JSON). Small to send between
    processes, and the main process stores it without decoding."""
    result = extract_file(item)
    return result.fiscal_year, result.manifest.get("sha256", ""), cache.dump(result)


def extract_batch(items: list[InputFile]) -> list[Payload]:
    """extract_payload over a batch: one task for a worker (workers.Workers.ordered_map)."""
    return [extract_payload(item) for item in items]
