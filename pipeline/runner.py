"""`run`: find the inputs, extract each (in parallel, reusing unchanged ones), and write
one set of tables for all of them.

Two passes keep what the run holds the same however many reports there are (README,
"Scale"): the list of inputs is on disk (ledger.py); the first pass (first_pass.py)
extracts each report and stores its records in the cache, writing its cache key and
fiscal year to the ledger; the second makes one segment per fiscal year from those
records, in parts of bounded size (segments.py, years.py: built in parallel, or read back
from the cache when none of its reports changed) and streams the parts' tables, in
order, to the table writers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import cache, commit, segments, unchanged, years
from pipeline.cache import code_version
from pipeline.carry import Carrier
from pipeline.first_pass import Summary, run_first_pass
from pipeline.inputs import (
    InputError,
    discover,
    layout_vocabulary,
    refuse_empty_folders,
    refuse_output_folders,
)
from pipeline.issue_log import IssueLog
from pipeline.ledger import InputLedger, YearPlans
from pipeline.manifest import Spool, warning_item, write_descriptions
from pipeline.model import Issue
from pipeline.outputs import TableSink

# The per-report stage, as the README names it (a Mapper runs it on another engine)
from pipeline.per_report import Mapper
from pipeline.per_report import Payload as Payload
from pipeline.per_report import extract_payload as extract_payload
from pipeline.schema import TABLES
from pipeline.workers import Workers

# The tables each writing thread takes (runner._merge): events alone, the rest together.
_LANES = (("events",), ("event_months", "periods", "entries", "partners", "rejects", "extras"))
assert sorted(name for lane in _LANES for name in lane) == sorted(TABLES)


@dataclass(slots=True)
class _Lanes:
    threads: tuple[Executor, ...]
    pending: list[Future[None]] = field(default_factory=list)  # the last segment's writes

    def finish(self) -> None:
        for done in self.pending:
            done.result()
        self.pending = []


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
    warnings: IssueLog = field(default_factory=IssueLog)  # on disk: see issue_log.py
    # manifest.json's contents less its per-input list, which grows with the data and is
    # streamed to disk (manifest.InputList); of that list the run keeps counts only
    manifest: dict[str, Any] = field(default_factory=dict)
    inputs_listed: int = 0
    inputs_with_table: int = 0


def run(inputs: Sequence[str | Path], out_dir: str | Path, options: RunOptions | None = None,
        progress: Callable[[Iterator[Summary], int], Iterator[Summary]] | None = None,
        notify: Callable[[str], None] | None = None, mapper: Mapper | None = None) -> RunResult:
    """Extract every report under `inputs` and write the tables and manifest to `out_dir`.
    `notify` hears what is worth a line on a terminal: waiting for another run, and what
    an interrupted earlier run left that this one finished or removed. `mapper` runs the
    per-report stage (extract_payload) over the inputs in place of this run's own pool."""
    options = options or RunOptions()
    paths, out_dir = [Path(p) for p in inputs], Path(out_dir)
    commit.check_out_dir(out_dir, paths)
    if options.partition_by not in (None, "fiscal_year"):
        raise InputError(f"cannot partition by {options.partition_by!r}; only fiscal_year")
    refuse_output_folders(paths)
    found_warnings: list[Issue] = []
    found = discover(paths, skip=out_dir, warnings=found_warnings)
    refuse_empty_folders(paths, found, out_dir)
    version, vocabulary = code_version(), None
    if options.layout is not None:
        vocabulary, digest = layout_vocabulary(found, options.layout)
        version += f"+layout.{digest}"  # results read with another layout are not reused
    ledger = InputLedger(vocabulary)
    try:
        ledger.add(found)
        del found  # on disk now: what the run holds does not grow with the inputs
        commit.make_out_dir(out_dir)
        with commit.output_lock(out_dir, wait=options.wait, notify=notify):
            commit.refuse_links(out_dir, [*commit.owned_names(TABLES),
                                          str(cache.CACHE_FILE.parent), str(cache.CACHE_FILE),
                                          f"{cache.CACHE_FILE}-journal",
                                          str(unchanged.STATE_FILE)])
            for done in commit.recover(out_dir, commit.owned_names(TABLES)):
                if notify is not None:
                    notify(done)
            store = cache.ReportCache(out_dir)
            try:
                return _run(ledger, out_dir, options, store, progress, found_warnings, version,
                            mapper)
            finally:
                store.close()
    finally:
        ledger.close()


def _run(ledger: InputLedger, out_dir: Path, options: RunOptions, store: cache.ReportCache,
         progress: Callable[[Iterator[Summary], int], Iterator[Summary]] | None,
         found_warnings: list[Issue], version: str, mapper: Mapper | None) -> RunResult:
    # one pool for the run: the workers that extracted the reports build the fiscal years
    workers = Workers(options.jobs)
    try:
        return _extract_and_write(ledger, out_dir, options, store, progress, found_warnings,
                                  version, mapper, workers)
    finally:
        workers.shutdown()  # also when the run stops early: no worker outlives it


def _extract_and_write(ledger: InputLedger, out_dir: Path, options: RunOptions,
                       store: cache.ReportCache,
                       progress: Callable[[Iterator[Summary], int], Iterator[Summary]] | None,
                       found_warnings: list[Issue], version: str, mapper: Mapper | None,
                       workers: Workers) -> RunResult:
    summaries = run_first_pass(ledger, store, force=options.force, version=version, mapper=mapper,
                           workers=workers)
    if progress is not None:
        summaries = progress(summaries, ledger.to_read)
    all_reused = True
    for summary in summaries:  # every one: the first pass stores as it goes
        all_reused = all_reused and summary.reused
    store.commit()
    ledger.finish()

    result = RunResult(files=ledger.count, warnings=IssueLog(found_warnings))
    print_ = _ordinary_fingerprint(ledger, store, options, all_reused,
                                   unusual=bool(ledger.copies or found_warnings))
    if _outputs_in_place(out_dir, store, print_, ledger.to_read, result):
        return result  # nothing to read or write (unchanged.py)
    unchanged.forget(out_dir)
    staging = commit.new_staging(out_dir)  # laid out as the outputs; moved in at the end
    sinks = {name: TableSink(staging, name, columns, excel=options.excel,
                             partition_by=options.partition_by
                             if name in ("events", "entries", "partners") else None)
             for name, columns in TABLES.items()}
    manifest_inputs, manifest_warnings = Spool(staging, "inputs"), Spool(staging, "warnings")
    plans = YearPlans(ledger)
    carrier = Carrier(store, out_dir, sinks.values())
    try:
        _write_all(plans, sinks, (manifest_inputs, manifest_warnings), found_warnings, store,
                   carrier, workers, options, result)
    except BaseException:
        manifest_inputs.remove()
        manifest_warnings.remove()
        for sink in sinks.values():
            sink.abort()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # less those found in the cache whose result could not be served: extracted again
    result.reused = ledger.reused() - ledger.reused(among=store.rejected)
    outputs: dict[str, Any] = {}
    with commit.interrupts_deferred():  # the renames below go together or not at all
        for sink in sinks.values():
            outputs.update(sink.commit())
        carrier.record(outputs)
        result.manifest = write_descriptions(staging, outputs, manifest_inputs,
                                             manifest_warnings)
        result.inputs_listed = manifest_inputs.count
        result.inputs_with_table = manifest_inputs.with_table
        # What the run made but an earlier run left (an Excel copy without --excel, a
        # single Parquet file beside a partitioned one) goes: it would no longer match.
        commit.publish(staging, out_dir, commit.owned_names(TABLES))
    store.keep_only(ledger.kept_keys(), plans.fingerprints())
    _record(out_dir, store, print_, result)
    return result


def _write_all(plans: YearPlans, sinks: dict[str, TableSink],
               spools: tuple[Spool, Spool], found_warnings: list[Issue],
               store: cache.ReportCache, carrier: Carrier, workers: Workers,
               options: RunOptions, result: RunResult) -> None:
    """Every fiscal year's parts into the table writers and the manifest's lists; with
    --partition-by, a year read back from the cache has its Parquet files carried over
    (carry.py)."""
    manifest_inputs, manifest_warnings = spools
    for warning in found_warnings:
        manifest_warnings.append(warning_item(warning))
    with contextlib.ExitStack() as stack:
        lanes = _Lanes(tuple(stack.enter_context(ThreadPoolExecutor(1)) for _ in _LANES))
        for segment in years.produce(plans, store, carrier.out_dir, workers,
                                     force=options.force):
            carried = (carrier.for_segment(segment.fingerprint)
                       if segment.cached and segment.part == 0 else {})
            _merge(segment, sinks, lanes, result, carried)
            manifest_inputs.append_fragment(segment.meta["inputs"],
                                            segment.meta["inputs_count"],
                                            segment.meta["inputs_with_table"])
            manifest_warnings.append_fragment(segment.meta["warnings_text"],
                                              len(segment.meta["warnings"]))
        lanes.finish()
    # produce shut the workers down: a worker outliving a run killed at its commit would
    # have held its pipes
    for warning in _cache_warnings(plans, store.rejected):
        manifest_warnings.append(warning_item(warning))
        result.warnings.append(warning)
    for sink in sinks.values():
        sink.close()


def _ordinary_fingerprint(ledger: InputLedger, store: cache.ReportCache,
                          options: RunOptions, all_reused: bool, unusual: bool) -> str:
    """The fingerprint (unchanged.py) of a run with nothing out of the ordinary, every
    report reused; "" for any other run."""
    if unusual or store.rejected or options.force or not all_reused:
        return ""
    return unchanged.fingerprint(ledger.keys(), options)


def _outputs_in_place(out_dir: Path, store: cache.ReportCache, print_: str, reused: int,
                      result: RunResult) -> bool:
    if not print_ or not unchanged.check(out_dir, store, print_, result):
        return False
    result.reused = reused
    return True


def _record(out_dir: Path, store: cache.ReportCache, print_: str, result: RunResult) -> None:
    # not when a cache entry was found damaged while reading: its warning is in the manifest
    if print_ and not store.rejected:
        unchanged.record(out_dir, store, print_, result)


def cache_rejected(name: str) -> Issue:
    return Issue("cache-entry-rejected", f"{name}: its cached result was damaged or not made "
                 "by this user's pipeline (HMAC mismatch); extracted again", "warning", name, 0)


def _merge(segment: segments.Segment, sinks: dict[str, TableSink], lanes: _Lanes,
           result: RunResult, carried: dict[str, tuple[Any, bytes, str]]) -> None:
    """Stream one part of a year's segment to the writers and tally what the summary line
    says.
    The tables are written side by side: pyarrow encodes CSV and Parquet without holding
    the GIL, and events alone is about half the work, so it has a lane (one thread) of its
    own and every other table shares the second. Each lane writes its tables in segment
    order; a lane may run one segment ahead of the other, not more. `carried`: the
    Parquet files of the segment's partitions that an earlier run wrote (carry.py)."""
    def write(names: tuple[str, ...]) -> None:
        for name in names:
            sinks[name].from_segment(segment.fingerprint, segment.cached)
            if name in carried:
                sinks[name].carry(*carried[name])
            sinks[name].write_table(segment.table(name))

    submitted = [lane.submit(write, names) for lane, names in zip(lanes.threads, _LANES,
                                                                     strict=True)]
    for done in lanes.pending:
        done.result()
    lanes.pending = submitted
    meta = segment.meta
    result.events += meta["events"]
    result.rejects += meta["rejects"]
    result.reject_reasons.extend(meta["reject_reasons"])
    result.unreadable.extend(map(segments.issue_from_list, meta["unreadable"]))
    result.missing_year.extend(meta["missing_year"])
    result.warnings.extend(map(segments.issue_from_list, meta["warnings"]))


def _cache_warnings(plans: YearPlans, rejected: set[str]) -> Iterator[Issue]:
    """What the cache held but did not serve (damaged, or not this user's pipeline's own),
    in output order; said last, after the reports' own warnings."""
    if not rejected:
        return  # the usual run: no year's list of reports need be read again
    for plan in plans:
        if plan.fingerprint in rejected:
            year = "unknown" if plan.fiscal_year is None else plan.fiscal_year
            yield Issue("cache-entry-rejected", f"the cached tables of fiscal year {year} were "
                        "damaged or not made by this user's pipeline (HMAC mismatch); built "
                        "again from the reports", "warning", "", 0)
        for member in plan.members:
            if member.key in rejected:
                yield cache_rejected(member.item.name)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
