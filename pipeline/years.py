"""The write stage's order of work: each fiscal year's parts, in output order, read from
the cache when none of its reports changed, else built (segments.build) in this process
or, with --jobs, in the run's worker processes, which write each year into a scratch
file beside the cache that this process reads a part at a time; each part built is
stored in the cache as it comes.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from pipeline import cache, segments
from pipeline.commit import OutputError
from pipeline.ledger import YearPlans
from pipeline.segments import Plan, Segment
from pipeline.workers import Workers

_SCRATCH = "years-"  # the workers' scratch folders in the cache folder (_scratch_folder)


def _build_in_worker(job: tuple[Plan, Path, bytes, Path]) -> tuple[list[str], str,
                                                                    list[tuple[int, int]]]:
    """Build a year in a worker process into a file of the run's scratch folder: the
    parts' payloads one after the other; the file's name and each part's place in it go
    back, so neither process holds the whole year."""
    plan, out_dir, key, scratch = job
    store = cache.ReportCache(out_dir, key=key, worker=True)
    places: list[tuple[int, int]] = []
    rejected: list[str] = []
    try:
        with tempfile.NamedTemporaryFile("wb", dir=scratch, delete=False,
                                         suffix=".year") as file:
            offset = 0
            for segment in segments.build(plan, store):
                file.write(segment.payload)
                places.append((offset, len(segment.payload)))
                offset += len(segment.payload)
                rejected.extend(segment.rejected)
    finally:
        store.close()
    return rejected, file.name, places


def produce(plans: YearPlans, store: cache.ReportCache, out_dir: Path,
            workers: Workers, *, force: bool) -> Iterator[Segment]:
    """Each plan's parts, in order: from the cache when every report of it was reused
    and the cache holds the whole year, else built (in the workers' processes with
    --jobs) and stored. A stored part that is not this user's pipeline's own (HMAC
    mismatch) or cannot be read has the year built again, its parts already given
    skipped (a build gives the same bytes), and the fingerprint left in store.rejected for
    the run to warn about. A part is held at a time (and the years the workers have built
    ahead are in files), and a year's list of reports only while it is built. The
    workers are shut down when it ends."""
    # which to build is known before any is read: a stored part is rarely found bad
    todo = {index for index in range(len(plans))
            if force or not plans.all_reused(index)
            or not store.has_segment(plans.fingerprint(index))}
    pool = workers.pool() if workers.jobs > 1 and len(todo) > 1 else None
    scratch = _scratch_folder(out_dir, needed=pool is not None)
    try:
        built = _build_all((plans[i] for i in sorted(todo)), store, out_dir, pool,
                           workers.jobs, scratch)
        for index in range(len(plans)):
            given: list[bytes] = []  # the sha256 of each part given from the cache
            if index not in todo:
                for segment in _cached(plans.fingerprint(index), store):
                    given.append(hashlib.sha256(segment.payload).digest())
                    yield segment
                if given and segment.last:
                    continue
            plan = plans[index]
            parts = next(built) if index in todo else segments.build(plan, store)
            yield from _stored(parts, plan, store, given)
    finally:
        workers.shutdown()  # no worker still writes into the scratch folder as it goes
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _scratch_folder(out_dir: Path, needed: bool) -> Path | None:
    """A new folder beside the cache for the years the workers build (when `needed`),
    after removing the ones runs killed outright left (the run holds the output folder's
    lock: no other run is using them). On the output's disk, not in a /tmp that may be
    memory."""
    parent = out_dir / cache.CACHE_FILE.parent
    for stale in parent.glob(f"{_SCRATCH}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    return Path(tempfile.mkdtemp(prefix=_SCRATCH, dir=parent)) if needed else None


def _stored(parts: Iterator[Segment], plan: Plan, store: cache.ReportCache,
            given: list[bytes]) -> Iterator[Segment]:
    """Store a year's parts as they come and give them, less those already given from
    the cache before a damaged part was found (`given`: their sha256). Those must come
    out of the build as they were stored, or the rows written would mix two versions of
    the year: then the run stops (OutputError) before any output is replaced."""
    store.forget_segment(plan.fingerprint)
    count = 0
    for segment in parts:
        count += 1
        if (segment.part < len(given)
                and hashlib.sha256(segment.payload).digest() != given[segment.part]):
            year = "unknown" if plan.fiscal_year is None else plan.fiscal_year
            raise OutputError(
                f"fiscal year {year}: its stored tables were damaged, and building them "
                "again from its reports gave other rows than the stored ones already "
                "written (did a report change during the run?); run again")
        store.put_part(plan.fingerprint, segment.part, segment.last, segment.payload)
        # now: workers still reading the cache never meet a long-held write lock
        store.commit()
        store.rejected.update(segment.rejected)
        if segment.part >= len(given):
            yield segment
    if count < len(given):  # fewer parts than were given
        raise OutputError(f"fiscal year {plan.fiscal_year}: building it again gave fewer "
                          "parts than were stored; run again")


def _cached(fingerprint: str, store: cache.ReportCache) -> Iterator[Segment]:
    """A stored year's parts in order, up to its last or to the first that cannot be
    served (then the fingerprint is in store.rejected)."""
    index = 0
    while True:
        found = store.get_part(fingerprint, index)
        if found is None:
            store.rejected.add(fingerprint)  # has_segment saw it: changed since, or damaged
            return
        payload, last = found
        try:
            segment = segments.decode(fingerprint, payload)
        except (ValueError, KeyError, TypeError, IndexError):  # our own, yet unreadable
            store.rejected.add(fingerprint)
            return
        segment.part, segment.last, segment.cached = index, last, True
        yield segment
        if last:
            return
        index += 1


def _build_all(plans: Iterator[Plan], store: cache.ReportCache, out_dir: Path,
               pool: ProcessPoolExecutor | None, jobs: int,
               scratch: Path | None) -> Iterator[Iterator[Segment]]:
    """For each plan in order, its parts. With a pool not used before, its workers start
    here, before the caller's writing threads exist (a process forked beside running
    threads may inherit a held lock); each worker builds at most one year ahead of the
    merge, into a file, so years built and not yet written never pile up in memory. The
    plans are taken as the workers take them: a year's list of reports is held from its
    hand-out to its result, not for the whole run."""
    if pool is None:
        return (segments.build(plan, store) for plan in plans)
    assert scratch is not None  # made whenever there is a pool (produce)
    jobs_of = ((plan, out_dir, store.key, scratch) for plan in plans)
    ahead = deque((job[0].fingerprint, pool.submit(_build_in_worker, job))
                  for job in itertools.islice(jobs_of, jobs))
    return _in_order(pool, jobs_of, ahead)


def _in_order(pool: ProcessPoolExecutor, jobs_of: Iterator[tuple[Plan, Path, bytes, Path]],
              ahead: deque[tuple[str, Future[tuple[list[str], str, list[tuple[int, int]]]]]]
              ) -> Iterator[Iterator[Segment]]:
    while ahead:
        fingerprint, done = ahead.popleft()
        rejected, name, places = done.result()
        for job in itertools.islice(jobs_of, 1):
            ahead.append((job[0].fingerprint, pool.submit(_build_in_worker, job)))
        yield _read_parts(fingerprint, Path(name), places, rejected)


def _read_parts(fingerprint: str, path: Path, places: list[tuple[int, int]],
                rejected: list[str]) -> Iterator[Segment]:
    """A year a worker built, part by part from its file, which goes once read."""
    try:
        with path.open("rb") as file:
            for index, (offset, size) in enumerate(places):
                file.seek(offset)
                segment = segments.decode(fingerprint, file.read(size))
                segment.part, segment.last = index, index == len(places) - 1
                if segment.last:
                    segment.rejected = rejected
                yield segment
    finally:
        path.unlink(missing_ok=True)
