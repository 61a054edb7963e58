"""`run`: find the inputs, extract each (in parallel, reusing unchanged ones), and write
one set of tables for all of them.

Two passes keep memory flat however many reports there are: the first extracts each
report and stores its records in the cache, keeping only a small summary; the second
reads the records back in output order and streams them to the table writers.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import shutil
import signal
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__, cache
from pipeline.cache import ReportResult, StoredReport
from pipeline.datapackage import datapackage
from pipeline.extract import extract_bytes
from pipeline.model import Extraction, Issue, RejectRecord
from pipeline.outputs import TableSink, json_bytes, write_atomic
from pipeline.partners import PartnerTable
from pipeline.roles import Vocabulary, VocabularyError
from pipeline.schema import TABLES

_EVENT_ID = [name for name, _, _ in TABLES["events"]].index("event_id")
_REJECT_REASON = [name for name, _, _ in TABLES["rejects"]].index("reason")
_PERIOD_EVENT_ID = [name for name, _, _ in TABLES["periods"]].index("event_id")


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    name: str  # relative to the input folder given, '/'-separated
    vocabulary: Vocabulary | None = None  # header words to read it with (None: built-in)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the first pass keeps of a report: enough to order and find its records."""

    name: str
    fiscal_year: int | None
    key: str
    reused: bool


@dataclass(frozen=True, slots=True)
class RunOptions:
    jobs: int = 1
    force: bool = False
    excel: bool = False
    partition_by: str | None = None
    layout: Path | None = None  # a layout file: header words -> roles (layouts.py)


@dataclass(slots=True)
class RunResult:
    files: int = 0
    unreadable: list[Issue] = field(default_factory=list)
    missing_year: list[str] = field(default_factory=list)
    events: int = 0
    rejects: int = 0
    reject_reasons: list[str] = field(default_factory=list)
    reused: int = 0
    warnings: list[Issue] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


class InputError(Exception):
    """An input path that does not exist, or a bad option: a usage error."""


def discover(inputs: Sequence[Path], skip: Path | None = None) -> list[InputFile]:
    """Files named directly, and every non-hidden file under folders, recursively; never
    anything under `skip` (the output folder, which may sit inside an input folder).
    Names are relative to their folder; with several folders (`pipeline run 2012/ 2013/`)
    they start with the folder's own name, so 2012/report.html and 2013/report.html differ."""
    found: list[InputFile] = []
    skipped = skip.resolve() if skip is not None else None
    folders = sum(1 for given in inputs if given.is_dir())
    for given in inputs:
        prefix = f"{given.resolve().name}/" if folders > 1 else ""
        if given.is_dir():
            # Resolving every file is costly on large folders: only when one of the two
            # folders lies inside the other (or a link inside might lead out) is a file checked.
            paths = sorted(given.rglob("*"))
            here = given.resolve()
            may_hold_out = skipped is not None and (
                skipped.is_relative_to(here) or here.is_relative_to(skipped)
                or any(p.is_symlink() for p in paths))
            check = skipped if may_hold_out else None
            for path in paths:
                relative = path.relative_to(given)
                if (path.is_file() and not any(p.startswith(".") for p in relative.parts)
                        and not (check and path.resolve().is_relative_to(check))):
                    found.append(InputFile(path, prefix + relative.as_posix()))
        elif given.is_file():
            found.append(InputFile(given, given.name))
        else:
            raise InputError(f"{given}: no such file or folder")
    counts = Counter(f.name for f in found)
    if twice := sorted(name for name, count in counts.items() if count > 1):
        raise InputError(f"two inputs have the same name: {', '.join(twice)}")
    return sorted(found, key=lambda f: f.name)


def _manifest_entry(name: str, data: bytes, extraction: Extraction | Issue) -> dict[str, Any]:
    if isinstance(extraction, Issue):  # nothing was read, so nothing hashed the bytes yet
        return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                "error": {"code": extraction.code, "message": extraction.message}}
    document, layout = extraction.document, extraction.layout
    entry: dict[str, Any] = {"name": name, "sha256": document.sha256, "bytes": document.size}
    assert layout is not None
    entry.update({
        "format": document.format,
        "encoding": document.encoding,
        "title": layout.title,
        "period": layout.period_text,
        "fiscal_year": layout.fiscal_year,
        "lines": {"total": document.line_count, **layout.line_kinds},
        "notes": [{"source_line": line, "text": text} for line, text in layout.notes],
        "counts": {
            "entries": len(extraction.entries),
            "events": len(extraction.events),
            "periods": len(extraction.periods),
            "rejects": sum(1 for i in extraction.issues if i.severity == "reject"),
            "warnings": sum(1 for i in extraction.issues if i.severity == "warning"),
        },
    })
    if document.details:  # only formats that have some (pdf): other manifests stay as they were
        entry[document.format] = dict(document.details)
    return entry


def extract_file(item: InputFile) -> ReportResult:
    """One input -> its records; never raises for a damaged or unreadable file."""
    try:
        data = item.path.read_bytes()
    except OSError as error:
        issue = Issue("file-unreadable", f"{item.name}: {error.strerror}", "error", item.name, 0)
        return ReportResult(item.name, None, {"name": item.name, "error": {
            "code": issue.code, "message": issue.message}}, error=issue)
    extraction = extract_bytes(data, item.name, item.vocabulary)
    manifest = _manifest_entry(item.name, data, extraction)
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


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def code_version() -> str:
    """The version and a hash of the pipeline's own source and of what it reads with: a
    changed extractor (even without a version bump) never reuses the old one's results."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    # What the extraction reads with: its libraries' versions and Unicode's (for NFKC).
    for library in ("lxml", "openpyxl", "pycountry", "xlrd", "pdfplumber", "pdfminer.six"):
        digest.update(f"{library}={_library_version(library)}\0".encode())
    digest.update(f"unicode={unicodedata.unidata_version}\0".encode())
    # Data files too: a changed header vocabulary (roles.toml) reads reports differently.
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _extract_payload(item: InputFile) -> tuple[int | None, str, bytes]:
    """Worker: extract one report and hand back its pickled result (small IPC, and the
    main process stores it without unpickling), with the sha256 of the bytes it read."""
    result = extract_file(item)
    return result.fiscal_year, result.manifest.get("sha256", ""), cache.dump(result)


def _first_pass(files: list[InputFile], store: cache.ReportCache,
                options: RunOptions, version: str) -> Iterator[Summary]:
    """Find each report in the cache, or extract it (in worker processes) into the cache."""
    todo: list[tuple[InputFile, str]] = []
    for item in files:
        try:
            sha = hashlib.sha256(item.path.read_bytes()).hexdigest()
        except OSError:
            sha = "unreadable"  # extract_file reports why
        key = cache.cache_key(version, item.name, sha)
        found, year = store.fiscal_year(key) if not options.force else (False, None)
        if found and sha != "unreadable":
            yield Summary(item.name, year, key, reused=True)
        else:
            todo.append((item, key))
    items = [item for item, _ in todo]
    if options.jobs <= 1 or len(items) < 2:
        yield from _store(todo, map(_extract_payload, items), store, version)
        return
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        chunk = max(1, min(64, len(items) // (options.jobs * 8)))
        yield from _store(todo, pool.map(_extract_payload, items, chunksize=chunk), store,
                          version)


def _store(todo: list[tuple[InputFile, str]],
           extracted: Iterator[tuple[int | None, str, bytes]],
           store: cache.ReportCache, version: str) -> Iterator[Summary]:
    for (item, key), (year, sha, payload) in zip(todo, extracted, strict=True):
        if sha:  # key the result by the bytes actually read, even if the file just changed
            key = cache.cache_key(version, item.name, sha)
        store.put(key, year, payload)
        yield Summary(item.name, year, key, reused=False)


def _keep_ids_unique(report: StoredReport, used: dict[str, int]) -> None:
    """Two reports of one year may hold the same event (a corrected re-issue beside the
    original); the later file's copy gets the next occurrence number so ids stay a key.
    `used` maps each base id to the highest occurrence given out so far in this year."""
    ids = report.tables["events"][_EVENT_ID]
    renamed: dict[str, str] = {}
    for index, event_id in enumerate(ids):
        base, _, number = event_id.partition("-")
        occurrence = int(number) if number else 1
        if occurrence <= used.get(base, 0):
            occurrence = used[base] + 1
            ids[index] = renamed[event_id] = f"{base}-{occurrence}"
        used[base] = max(used.get(base, 0), occurrence)
    if renamed:
        periods = report.tables["periods"]
        periods[_PERIOD_EVENT_ID] = [renamed.get(i, i) for i in periods[_PERIOD_EVENT_ID]]


def run(inputs: Sequence[str | Path], out_dir: str | Path, options: RunOptions | None = None,
        progress: Callable[[Iterator[Summary], int], Iterator[Summary]] | None = None,
        ) -> RunResult:
    """Extract every report under `inputs` and write the tables and manifest to `out_dir`."""
    options = options or RunOptions()
    paths, out_dir = [Path(p) for p in inputs], Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    if options.partition_by not in (None, "fiscal_year"):
        raise InputError(f"cannot partition by {options.partition_by!r}; only fiscal_year")
    files = discover(paths, skip=out_dir)
    version = code_version()
    if options.layout is not None:
        files, digest = with_layout(files, options.layout)
        version += f"+layout.{digest}"  # results read with another layout are not reused
    out_dir.mkdir(parents=True, exist_ok=True)
    store = cache.ReportCache(out_dir)
    try:
        return _run(files, out_dir, options, store, progress, version)
    finally:
        store.close()


def with_layout(files: list[InputFile], path: Path) -> tuple[list[InputFile], str]:
    """The inputs to be read with a layout file's words, and the file's digest. Raises
    InputError for a layout that cannot be used or names a header no input has."""
    from dataclasses import replace

    from pipeline.layouts import read_layout, unused_headers, with_builtin
    from pipeline.sources import ReadError, read_document

    try:
        layout, digest = read_layout(path)
    except VocabularyError as error:
        raise InputError(str(error)) from None
    vocabulary = with_builtin(layout)
    documents = []
    for item in files:
        try:
            documents.append(read_document(item.path.read_bytes(), item.name, vocabulary).rows)
        except (OSError, ReadError):
            continue  # the run itself reports an unreadable input
    if unused := unused_headers(layout, documents):
        raise InputError(f"{path.name}: no input has a header row with {', '.join(unused)}; "
                         "check the spelling against the report (headers are compared "
                         "without spaces and brackets)")
    return [replace(item, vocabulary=vocabulary) for item in files], digest


def _run(files: list[InputFile], out_dir: Path, options: RunOptions, store: cache.ReportCache,
         progress: Callable[[Iterator[Summary], int], Iterator[Summary]] | None,
         version: str) -> RunResult:
    summaries_iter = _first_pass(files, store, options, version)
    if progress is not None:
        summaries_iter = progress(summaries_iter, len(files))
    summaries = sorted(summaries_iter, key=lambda s: (s.fiscal_year or 0, s.name))
    store.commit()
    by_name = {item.name: item for item in files}

    result = RunResult(files=len(files))
    sinks = {name: TableSink(out_dir, name, columns, excel=options.excel,
                             partition_by=options.partition_by
                             if name in ("events", "entries", "partners") else None)
             for name, columns in TABLES.items()}
    partners = PartnerTable()
    manifest_inputs: list[dict[str, Any]] = []
    used_ids: dict[str, int] = {}
    year: int | object | None = object()
    try:
        for summary in summaries:
            report = store.get(summary.key)
            if report is None:  # an unreadable cache entry: extract the report again
                report = cache.to_stored(extract_file(by_name[summary.name]))
            if report.fiscal_year != year:  # ids can only collide within one fiscal year
                used_ids, year = {}, report.fiscal_year
            _keep_ids_unique(report, used_ids)
            manifest_inputs.append({**report.manifest, "reused": summary.reused})
            result.reused += summary.reused
            _write_report(report, sinks, partners, result)
        sinks["partners"].write(partners.records())
        for sink in sinks.values():
            sink.close()
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    outputs: dict[str, Any] = {}
    with interrupts_deferred():  # the renames below go together or not at all
        for sink in sinks.values():
            outputs.update(sink.commit())
        if not options.excel:  # an Excel copy from an earlier run would no longer match
            shutil.rmtree(out_dir / "excel", ignore_errors=True)
        _write_descriptions(out_dir, outputs, manifest_inputs, result)
    store.keep_only({s.key for s in summaries})
    return result


def _write_report(report: StoredReport, sinks: dict[str, TableSink], partners: PartnerTable,
                  result: RunResult) -> None:
    """Stream one report's tables to the writers and tally what the summary line says."""
    if report.error is not None:
        result.unreadable.append(report.error)
    elif report.fiscal_year is None:
        result.missing_year.append(report.name)
    for name, columns in report.tables.items():
        sinks[name].write_columns(columns)
    partners.add_columns(report.tables["entries"])
    result.warnings.extend(report.warnings)
    result.events += len(report.tables["events"][_EVENT_ID])
    rejects = report.tables["rejects"]
    result.rejects += len(rejects[0])
    result.reject_reasons.extend(rejects[_REJECT_REASON])


def _write_descriptions(out_dir: Path, outputs: dict[str, Any],
                        manifest_inputs: list[dict[str, Any]], result: RunResult) -> None:
    package = json_bytes(datapackage(outputs))
    write_atomic(out_dir / "datapackage.json", package)
    outputs["datapackage.json"] = {"sha256": hashlib.sha256(package).hexdigest(),
                                   "bytes": len(package)}
    result.manifest = {
        "pipeline_version": __version__,
        "inputs": manifest_inputs,
        "warnings": [{"source_file": w.source_file, "source_line": w.source_line,
                      "code": w.code, "message": w.message} for w in result.warnings],
        "outputs": dict(sorted(outputs.items())),
    }
    write_atomic(out_dir / "manifest.json", json_bytes(result.manifest))


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is done, then deliver it: a run interrupted
    while renaming its outputs into place would leave new tables beside an old manifest."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
