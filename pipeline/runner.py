"""`run`: find the inputs, extract each (in parallel, reusing unchanged ones), and write
one set of tables for all of them.

Two passes keep memory flat however many reports there are: the first extracts each
report and stores its records in the cache, keeping only a small summary; the second
reads the records back in output order and streams them to the table writers.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import importlib.metadata
import json
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

from pipeline import __version__, cache, commit
from pipeline.cache import ReportResult, StoredReport
from pipeline.datapackage import datapackage
from pipeline.duplicates import (
    Duplicate,
    drop_duplicates,
    duplicate_manifest,
    duplicate_warning,
    overlap_warnings,
)
from pipeline.events import report_government
from pipeline.extract import extract_bytes
from pipeline.model import Extraction, Issue, RejectRecord
from pipeline.months import columns_to_event_months, months_by_event
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
    # False for a file found as a plain file in a folder: it is opened without following
    # a link, so one swapped in after discovery cannot lead the read outside the folder.
    follow: bool = True


def read_input(item: InputFile) -> bytes:
    """The input's bytes; OSError (ELOOP) when a plain file found in a folder has become
    a link since."""
    if item.follow:
        return item.path.read_bytes()
    handle = os.open(item.path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


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
    wait: bool = True  # another run holds the output folder: wait for it, or OutputError


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


class NoReportsError(Exception):
    """An input folder with no file to read: the run stops before writing anything, so
    the output of an earlier run is never replaced by empty tables."""


def is_run_output(path: Path) -> bool:
    """Whether `path` is an output folder of `pipeline run`: it holds the manifest.json the
    pipeline writes (a JSON object with its version, inputs and outputs)."""
    manifest = path / "manifest.json"
    if not (path.is_dir() and manifest.is_file()):
        return False
    try:
        found = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and {"pipeline_version", "inputs", "outputs"} <= found.keys()


def refuse_output_folders(inputs: Sequence[Path]) -> None:
    """An output folder given as input would be read as a dozen broken reports."""
    for given in inputs:
        if is_run_output(given):
            raise InputError(f"{given}: this is an output folder of pipeline run; pass the "
                             "report files or folders")


def refuse_empty_folders(inputs: Sequence[Path], files: Sequence[InputFile],
                         skip: Path | None) -> None:
    """Every folder given must hold a report: an empty one is most likely a wrong path."""
    folders = [given for given in inputs if given.is_dir()]
    if len(folders) == 1 and len(inputs) == 1:
        empty = folders if not files else []
    else:  # which folder gave which file is not kept: look again at each one
        empty = [folder for folder in folders if not discover([folder], skip)]
    if empty:
        raise NoReportsError(f"no reports found in {', '.join(map(str, empty))}")


def discover(inputs: Sequence[Path], skip: Path | None = None,
             warnings: list[Issue] | None = None) -> list[InputFile]:
    """Files named directly, and every non-hidden file under folders, recursively; never
    anything under `skip` (the output folder, which may sit inside an input folder).
    Names are relative to their folder; with several folders (`pipeline run 2012/ 2013/`)
    they start with the folder's own name, so 2012/report.html and 2013/report.html differ.
    A link inside a folder is read only when it leads inside the folders named (a file
    named directly is read as given); what is skipped for that is added to `warnings`."""
    found: list[InputFile] = []
    skipped = Path(os.path.realpath(skip)) if skip is not None else None
    folders = [given for given in inputs if given.is_dir()]
    roots = [Path(os.path.realpath(folder)) for folder in folders]
    notes: list[Issue] = []
    followed: list[Path] = []  # links followed: a file may then be reached twice
    for given in inputs:
        prefix = f"{given.resolve().name}/" if len(folders) > 1 else ""
        if given.is_dir():
            real = Path(os.path.realpath(given))
            if skipped is None or not real.is_relative_to(skipped):
                found.extend(_walk(given, prefix, real, roots, skipped, notes, followed))
        elif given.is_file():
            found.append(InputFile(given, given.name))
        else:
            raise InputError(f"{given}: no such file or folder")
    # Only a link followed can reach one file twice: without one, no file is resolved.
    found = _one_name_per_file(found, notes) if followed else found
    if warnings is not None:
        warnings.extend(sorted(notes, key=lambda issue: issue.source_file))
    counts = Counter(f.name for f in found)
    if twice := sorted(name for name, count in counts.items() if count > 1):
        raise InputError(f"two inputs have the same name: {', '.join(twice)}")
    return sorted(found, key=lambda f: f.name)


def _link_warning(code: str, name: str, what: str) -> Issue:
    return Issue(code, f"{name}: {what}", "warning", name, 0)


def _walk(folder: Path, prefix: str, real: Path, roots: list[Path], skipped: Path | None,
          notes: list[Issue], followed: list[Path],
          chain: tuple[Path, ...] = ()) -> Iterator[InputFile]:
    """The non-hidden files under `folder` (whose real path is `real`), in name order.
    A link is followed only into the named folders, a folder link once per way in, and
    never into a folder it is already inside (a loop). `chain`: the real folders above."""
    chain = (*chain, real)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:  # an unreadable sub-folder costs itself, said so
        notes.append(_link_warning("input-folder-unreadable", prefix.rstrip("/") or str(folder),
                                   f"cannot list the folder: {error.strerror}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        name = f"{prefix}{entry.name}"
        path = Path(entry.path)
        if entry.is_symlink():
            target = Path(os.path.realpath(path))
            if not any(target.is_relative_to(root) for root in roots):
                notes.append(_link_warning(
                    "input-symlink-outside", name, "a symbolic link to a place outside the "
                    "input folders; not read (name its target on the command line to read it)"))
                continue
            if skipped is not None and target.is_relative_to(skipped):
                continue  # into the output folder: never an input, as a plain path there
            if target.is_dir():
                if target in chain:
                    notes.append(_link_warning(
                        "input-symlink-loop", name, "a symbolic link to a folder it is inside "
                        "(a loop); not followed"))
                else:
                    followed.append(path)
                    yield from _walk(path, f"{name}/", target, roots, skipped, notes, followed,
                                     chain)
            elif target.is_file():
                followed.append(path)
                yield InputFile(path, name)
            else:
                notes.append(_link_warning("input-symlink-broken", name, "a symbolic link "
                                           "that leads nowhere (its target is missing or a loop)"))
        elif entry.is_dir(follow_symlinks=False):
            sub = real / entry.name
            if skipped is None or not sub.is_relative_to(skipped):
                yield from _walk(path, f"{name}/", sub, roots, skipped, notes, followed, chain)
        elif entry.is_file(follow_symlinks=False):
            yield InputFile(path, name, follow=False)


def _one_name_per_file(found: list[InputFile], notes: list[Issue]) -> list[InputFile]:
    """A file reached twice (through a link and its own path) is read once, under the
    first of its names in name order; the other name is a warning, not a second copy."""
    first: dict[str, InputFile] = {}
    kept: list[InputFile] = []
    for item in sorted(found, key=lambda f: f.name):
        real = os.path.realpath(item.path)
        if real in first:
            notes.append(_link_warning(
                "input-symlink-duplicate", item.name,
                f"the same file as {first[real].name} (through a link); read once, as that"))
            continue
        first[real] = item
        kept.append(item)
    return kept


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
        "government": dict(zip(("name", "from"), report_government(layout.title),
                               strict=True)),
        "period": layout.period_text,
        "fiscal_year": layout.fiscal_year,
        "lines": {"total": document.line_count, **layout.line_kinds},
        "notes": [{"source_line": line, "text": text} for line, text in layout.notes],
        "counts": {
            "entries": len(extraction.entries),
            "events": len(extraction.events),
            "periods": len(extraction.periods),
            "event_months": sum(map(len, months_by_event(
                (p.event_id, p.date_start, p.date_end) for p in extraction.periods).values())),
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
        data = read_input(item)
    except OSError as error:
        why = ("became a symbolic link after the folder was read; not followed"
               if error.errno == errno.ELOOP and not item.follow else error.strerror)
        issue = Issue("file-unreadable", f"{item.name}: {why}", "error", item.name, 0)
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
    # Data files too: the header vocabulary (roles.toml) reads reports differently, and a
    # changed facet word (facets.toml) must relabel events.
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _extract_payload(item: InputFile) -> tuple[int | None, str, bytes]:
    """Worker: extract one report and hand back its result as the cache's JSON (small IPC,
    and the main process stores it without decoding), with the sha256 of the bytes it read."""
    result = extract_file(item)
    return result.fiscal_year, result.manifest.get("sha256", ""), cache.dump(result)


def _first_pass(files: list[InputFile], store: cache.ReportCache,
                options: RunOptions, version: str) -> Iterator[Summary]:
    """Find each report in the cache, or extract it (in worker processes) into the cache."""
    todo: list[tuple[InputFile, str]] = []
    for item in files:
        try:
            sha = hashlib.sha256(read_input(item)).hexdigest()
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
        notify: Callable[[str], None] | None = None) -> RunResult:
    """Extract every report under `inputs` and write the tables and manifest to `out_dir`.
    `notify` hears what is worth a line on a terminal: waiting for another run, and what
    an interrupted earlier run left that this one finished or removed."""
    options = options or RunOptions()
    paths, out_dir = [Path(p) for p in inputs], Path(out_dir)
    commit.check_out_dir(out_dir, paths)
    if options.partition_by not in (None, "fiscal_year"):
        raise InputError(f"cannot partition by {options.partition_by!r}; only fiscal_year")
    refuse_output_folders(paths)
    found_warnings: list[Issue] = []
    found = discover(paths, skip=out_dir, warnings=found_warnings)
    refuse_empty_folders(paths, found, out_dir)
    files, duplicates = drop_duplicates(found)
    version = code_version()
    if options.layout is not None:
        files, digest = with_layout(files, options.layout)
        version += f"+layout.{digest}"  # results read with another layout are not reused
    commit.make_out_dir(out_dir)
    with commit.output_lock(out_dir, wait=options.wait, notify=notify):
        commit.refuse_links(out_dir, [*commit.owned_names(TABLES), str(cache.CACHE_FILE.parent),
                                      str(cache.CACHE_FILE), f"{cache.CACHE_FILE}-journal"])
        for done in commit.recover(out_dir, commit.owned_names(TABLES)):
            if notify is not None:
                notify(done)
        store = cache.ReportCache(out_dir)
        try:
            return _run(files, out_dir, options, store, progress, found_warnings, version,
                        duplicates)
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
         found_warnings: list[Issue], version: str,
         duplicates: Sequence[Duplicate] = ()) -> RunResult:
    duplicates_of: dict[str, list[Duplicate]] = {}
    for duplicate in duplicates:
        duplicates_of.setdefault(duplicate.first.name, []).append(duplicate)
    summaries_iter = _first_pass(files, store, options, version)
    if progress is not None:
        summaries_iter = progress(summaries_iter, len(files))
    summaries = sorted(summaries_iter, key=lambda s: (s.fiscal_year or 0, s.name))
    store.commit()
    by_name = {item.name: item for item in files}

    result = RunResult(files=len(files) + len(duplicates), warnings=list(found_warnings))
    staging = commit.new_staging(out_dir)  # laid out as the outputs; moved in at the end
    sinks = {name: TableSink(staging, name, columns, excel=options.excel,
                             partition_by=options.partition_by
                             if name in ("events", "entries", "partners") else None)
             for name, columns in TABLES.items()}
    partners = PartnerTable()
    manifest_inputs: list[dict[str, Any]] = []
    used_ids: dict[str, int] = {}
    seen_events: dict[tuple[Any, ...], str] = {}
    year: int | object | None = object()
    try:
        for summary in summaries:
            report = store.get(summary.key)
            if report is None:  # an unreadable cache entry: extract the report again
                report = cache.to_stored(extract_file(by_name[summary.name]))
            reused = summary.reused and summary.key not in store.rejected
            if summary.key in store.rejected:
                result.warnings.append(cache_rejected(summary.name))
            if report.fiscal_year != year:  # ids can only collide within one fiscal year
                used_ids, seen_events, year = {}, {}, report.fiscal_year
            overlaps = overlap_warnings(report, seen_events)
            _keep_ids_unique(report, used_ids)
            manifest_inputs.append({**report.manifest, "reused": reused})
            result.reused += reused
            _write_report(report, sinks, partners, result)
            result.warnings.extend(overlaps)
            for duplicate in duplicates_of.get(report.name, []):  # listed beside the first
                manifest_inputs.append(duplicate_manifest(duplicate))
                result.warnings.append(duplicate_warning(duplicate))
        sinks["partners"].write(partners.records())
        for sink in sinks.values():
            sink.close()
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    outputs: dict[str, Any] = {}
    with interrupts_deferred():  # the renames below go together or not at all
        for sink in sinks.values():
            outputs.update(sink.commit())
        _write_descriptions(staging, outputs, manifest_inputs, result)
        # What the run made but an earlier run left (an Excel copy without --excel, a
        # single Parquet file beside a partitioned one) goes: it would no longer match.
        commit.publish(staging, out_dir, commit.owned_names(TABLES))
    store.keep_only({s.key for s in summaries})
    return result


def cache_rejected(name: str) -> Issue:
    return Issue("cache-entry-rejected", f"{name}: its cached result was damaged or not made "
                 "by this user's pipeline (HMAC mismatch); extracted again", "warning", name, 0)


def _write_report(report: StoredReport, sinks: dict[str, TableSink], partners: PartnerTable,
                  result: RunResult) -> None:
    """Stream one report's tables to the writers and tally what the summary line says."""
    if report.error is not None:
        result.unreadable.append(report.error)
    elif report.fiscal_year is None:
        result.missing_year.append(report.name)
    for name, columns in report.tables.items():
        sinks[name].write_columns(columns)
    sinks["event_months"].write(columns_to_event_months(report.tables["events"],
                                                        report.tables["periods"]))
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
