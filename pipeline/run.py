"""`run`: find the inputs, extract each, and write one set of tables for all of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.extract import extract_bytes
from pipeline.model import EventRecord, Extraction, Issue, RejectRecord
from pipeline.outputs import describe, manifest_bytes, write_atomic, write_tables


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    name: str  # relative to the input folder given, '/'-separated


@dataclass(slots=True)
class RunResult:
    files: int = 0
    unreadable: list[Issue] = field(default_factory=list)
    events: int = 0
    rejects: int = 0
    warnings: list[Issue] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


class InputError(Exception):
    """An input path that does not exist: a usage error, not a damaged report."""


def discover(inputs: Sequence[Path]) -> list[InputFile]:
    """Files named directly, and every non-hidden file under folders, recursively."""
    found: list[InputFile] = []
    for given in inputs:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                relative = path.relative_to(given)
                if path.is_file() and not any(p.startswith(".") for p in relative.parts):
                    found.append(InputFile(path, relative.as_posix()))
        elif given.is_file():
            found.append(InputFile(given, given.name))
        else:
            raise InputError(f"{given}: no such file or folder")
    return sorted(found, key=lambda f: f.name)


def _sort_key(event: EventRecord) -> tuple[int, str, int, int, int]:
    return (event.fiscal_year or 0, event.source_file, event.table_no, event.row_no,
            event.item_no)


def _input_entry(item: InputFile, extraction: Extraction | Issue, data: bytes) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": item.name, **describe(data)}
    if isinstance(extraction, Issue):
        entry["error"] = {"code": extraction.code, "message": extraction.message}
        return entry
    document, layout = extraction.document, extraction.layout
    entry.update({
        "format": document.format,
        "encoding": document.encoding,
        "title": layout.title if layout else None,
        "period": layout.period_text if layout else None,
        "fiscal_year": layout.fiscal_year if layout else None,
        "lines": {"total": document.line_count, **(layout.line_kinds if layout else {})},
        "notes": [{"source_line": line, "text": text} for line, text in
                  (layout.notes if layout else ())],
        "counts": {
            "entries": len(extraction.entries),
            "events": len(extraction.events),
            "periods": len(extraction.periods),
            "rejects": sum(1 for i in extraction.issues if i.severity == "reject"),
            "warnings": sum(1 for i in extraction.issues if i.severity == "warning"),
        },
    })
    return entry


def extract_all(files: Iterable[InputFile]) -> list[tuple[InputFile, bytes,
                                                          Extraction | Issue]]:
    results: list[tuple[InputFile, bytes, Extraction | Issue]] = []
    for item in files:
        try:
            data = item.path.read_bytes()
        except OSError as error:
            issue = Issue("file-unreadable", f"{item.name}: {error.strerror}", "error",
                          item.name, 0)
            results.append((item, b"", issue))
            continue
        results.append((item, data, extract_bytes(data, item.name)))
    return results


def _keep_ids_unique(extraction: Extraction, used: set[str]) -> None:
    """Two reports of the same year may hold the same event (a corrected re-issue beside the
    original); the later file's copy gets the next occurrence number so ids stay a key."""
    renamed: dict[str, str] = {}
    for index, event in enumerate(extraction.events):
        event_id = event.event_id
        if event_id in used:
            base, occurrence = event_id.split("-")[0], 2
            while f"{base}-{occurrence}" in used:
                occurrence += 1
            event_id = renamed[event.event_id] = f"{base}-{occurrence}"
            extraction.events[index] = replace(event, event_id=event_id)
        used.add(event_id)
    if renamed:
        extraction.periods = [replace(p, event_id=renamed.get(p.event_id, p.event_id))
                              for p in extraction.periods]


def run(inputs: Sequence[Path], out_dir: Path) -> RunResult:
    """Extract every report under `inputs` and write the tables and manifest to `out_dir`."""
    files = discover(inputs)
    result = RunResult(files=len(files))
    entries, events, periods, rejects = [], [], [], []
    manifest_inputs: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    for item, data, extraction in extract_all(files):
        manifest_inputs.append(_input_entry(item, extraction, data))
        if isinstance(extraction, Issue):
            result.unreadable.append(extraction)
            rejects.append(RejectRecord(item.name, 0, f"{extraction.code}: {extraction.message}",
                                        ""))
            continue
        _keep_ids_unique(extraction, used_ids)
        entries.extend(extraction.entries)
        events.extend(extraction.events)
        periods.extend(extraction.periods)
        for issue in extraction.issues:
            if issue.severity == "reject":
                rejects.append(RejectRecord(issue.source_file, issue.source_line,
                                            f"{issue.code}: {issue.message}", issue.raw))
            else:
                result.warnings.append(issue)
    events.sort(key=_sort_key)
    order = {event.event_id: index for index, event in enumerate(events)}
    periods.sort(key=lambda p: (order[p.event_id], p.period_no))
    entries.sort(key=lambda e: (e.fiscal_year or 0, e.source_file, e.table_no, e.row_no))
    rejects.sort(key=lambda r: (r.source_file, r.source_line))
    outputs = write_tables(out_dir, {"events": events, "periods": periods, "entries": entries,
                                     "rejects": rejects})
    result.events, result.rejects = len(events), len(rejects)
    result.manifest = {
        "pipeline_version": __version__,
        "inputs": manifest_inputs,
        "warnings": [{"source_file": w.source_file, "source_line": w.source_line,
                      "code": w.code, "message": w.message} for w in
                     sorted(result.warnings, key=lambda w: (w.source_file, w.source_line))],
        "outputs": outputs,
    }
    write_atomic(out_dir / "manifest.json", manifest_bytes(result.manifest))
    return result
