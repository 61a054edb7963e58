"""The run's first pass: every input found in the cache (by the sha256 of its bytes) or
extracted into it (in the run's worker processes with --jobs), with its cache key and
fiscal year written to the ledger, so the second pass can order the reports by year
without holding them (ledger.py). Nothing kept grows with the number of inputs: the
ledger is read a page at a time, and the workers are given a few batches ahead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline import cache
from pipeline.inputs import InputFile
from pipeline.ledger import InputLedger
from pipeline.per_report import Mapper, Payload, extract_batch, extract_payload
from pipeline.workers import Workers

_RECORD_EVERY = 512  # results written to the ledger at a time


@dataclass(frozen=True, slots=True)
class Summary:
    """What the first pass says of each report as it goes (for a progress bar)."""

    name: str
    fiscal_year: int | None
    key: str
    reused: bool


def run_first_pass(ledger: InputLedger, store: cache.ReportCache, *, force: bool, version: str,
               mapper: Mapper | None, workers: Workers) -> Iterator[Summary]:
    """The reports found in the cache, then those extracted, one Summary each."""
    to_extract = 0
    for page in ledger.pages():
        found = []
        for seq, item, sha in page:
            key = cache.cache_key(version, item.name, sha or "unreadable")
            hit, year = store.fiscal_year(key) if not force else (False, None)
            if hit and sha is not None:
                found.append((key, year, True, seq))
                yield Summary(item.name, year, key, reused=True)
            else:
                to_extract += 1
        ledger.record(found)
    yield from _extract(ledger, store, version, to_extract, mapper, workers)


def _extract(ledger: InputLedger, store: cache.ReportCache, version: str, count: int,
             mapper: Mapper | None, workers: Workers) -> Iterator[Summary]:
    """Extract the inputs the cache did not serve and store each result as it comes."""
    names: deque[tuple[int, str]] = deque()  # (seq, name) of inputs handed out, in order

    def inputs() -> Iterator[InputFile]:
        for page in ledger.pages(unread=True):
            for seq, item, _ in page:
                names.append((seq, item.name))
                yield item

    if mapper is not None:  # another engine's map takes a list
        results: Iterator[Payload] = iter(mapper(extract_payload, list(inputs())))
    elif workers.jobs <= 1 or count < 2:
        results = map(extract_payload, inputs())
    else:
        batch = max(1, min(64, count // (workers.jobs * 8)))
        results = workers.ordered_map(extract_batch, inputs(), batch)
    recorded: list[tuple[str, int | None, bool, int]] = []
    for year, sha, payload in results:
        if not names:
            raise RuntimeError("the per-report stage gave more results than inputs")
        seq, name = names.popleft()
        # Key the result by the bytes actually read, even if the file just changed; a file
        # that could not be read at all by a key no readable file has, so that the error
        # is never reused for the file once it can be read.
        key = cache.cache_key(version, name, sha or "unreadable")
        store.put(key, year, payload)
        recorded.append((key, year, False, seq))
        if len(recorded) >= _RECORD_EVERY:
            ledger.record(recorded)
            recorded = []
        yield Summary(name, year, key, reused=False)
    ledger.record(recorded)
    if names:
        raise RuntimeError(f"{len(names)} inputs handed out for extraction gave no result")
