"""Partition files carried over: with --partition-by, a fiscal year served from the cache
has its Parquet files copied from the previous output instead of encoded again.

A partition's Parquet file is a function of its fiscal year's segment (segments.py),
itself a function of the segment's fingerprint (its reports' cache keys, which hold the
pipeline's code version), and of the writer (its code and pyarrow's version). So after
each run the cache records, for every partition file whose rows all came from one
segment, the file's sha256 and size under that fingerprint and writer (an HMAC'd row:
the output folder may be written by others). A later run that serves the same segment
from the cache, with the same writer, reads the file now in the output folder, and
carries it into the new output only if its bytes are still the recorded ones; any
other file (edited, damaged, missing, another pyarrow) is encoded again from the
segment. The CSV files are single files: they are always written whole.

Adding one report to 8,000 in a partitioned folder, a 3.2 s run, had its writing threads
spend some 0.8 s encoding the Parquet files of the years nothing had changed (the sinks'
methods timed in one run; README, "Scale").
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.cache import ReportCache, code_version
from pipeline.outputs import TableSink, partition_file


def writer_version() -> str:
    """What a Parquet file's bytes depend on beside its rows: our code (the writer's
    options live in it) and pyarrow, whose version Parquet files name."""
    import pyarrow  # lazy: see outputs.arrow_without_pandas

    return f"{code_version()}+pyarrow.{pyarrow.__version__}"


class Carrier:
    """Finds the earlier partition files a run can carry over, and records the ones it
    wrote for the next run."""

    def __init__(self, store: ReportCache, out_dir: Path, sinks: Iterable[TableSink]) -> None:
        self.store, self.out_dir = store, out_dir
        self.sinks = [sink for sink in sinks if sink.partition_by is not None]
        self.writer = writer_version()

    def for_segment(self, fingerprint: str) -> dict[str, tuple[Any, bytes, str]]:
        """{table: (partition value, the file's bytes, their sha256)} for each partitioned
        table whose file the segment `fingerprint` wrote in an earlier run, with this
        writer, and which is in the output folder as it was written."""
        carried = {}
        for sink in self.sinks:
            record = self.store.get_output(fingerprint, sink.name)
            if (record is None or record.get("writer") != self.writer
                    or record.get("column") != sink.partition_by):
                continue
            value = record.get("value")
            if value is not None and not isinstance(value, int):
                continue
            content = self._earlier_file(sink, value, record)
            if content is not None:
                carried[sink.name] = (value, content, record["sha256"])
        return carried

    def _earlier_file(self, sink: TableSink, value: Any, record: dict[str, Any]
                      ) -> bytes | None:
        relative = partition_file(sink.name, sink.partition_by or "", value)
        try:
            with os.fdopen(_open_beneath(self.out_dir, relative), "rb") as stream:
                info = os.fstat(stream.fileno())
                size = info.st_size
                if size != record.get("bytes") or not stat.S_ISREG(info.st_mode):
                    return None  # not the file the segment wrote: not read
                content = stream.read(size + 1)
        except OSError:  # gone, or through a link: encoded again
            return None
        if (len(content) != size
                or hashlib.sha256(content).hexdigest() != record.get("sha256")):
            return None  # not the file the segment wrote
        return content

    def record(self, described: dict[str, Any]) -> None:
        """After the sinks' commit (`described`: their files' digests), what each segment
        wrote to a partition of its own."""
        for sink in self.sinks:
            for value, sources in sink.sources.items():
                if len(sources) != 1 or "" in sources:
                    continue  # rows of several segments, or of none named: not carried
                digest = described[partition_file(sink.name, sink.partition_by or "", value)]
                self.store.put_output(next(iter(sources)), sink.name, {
                    "writer": self.writer, "column": sink.partition_by, "value": value,
                    "sha256": digest["sha256"], "bytes": digest["bytes"]})


def _open_beneath(folder: Path, relative: str) -> int:
    """A file descriptor of `relative` in `folder`, read-only, opened a folder at a time
    without following a link at any step (OSError then), and without waiting on a FIFO
    planted there. A file found through a planted link would be checked against its
    record all the same; it is refused so that the run reads nothing outside the folder."""
    parts = relative.split("/")
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
            os.close(handle)
            handle = inner
        return os.open(parts[-1], os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW, dir_fd=handle)
    finally:
        os.close(handle)
