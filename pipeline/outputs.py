"""Write stage: records -> CSV + Parquet (+ Excel CSV copies), streamed and atomic.

Tables are written as they come, in batches, to temporary files in the output folder,
and renamed into place only when every table is complete: an interrupted run leaves the
previous outputs whole. Nothing written depends on the clock, the host or absolute
paths, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from pipeline.commit import OutputError
from pipeline.files import HashingFile, file_digest, replace_dir, temporary_file
from pipeline.formats import csv_value
from pipeline.schema import Column, arrow_type

BATCH_ROWS = 8_192  # rows of Python objects held before a batch goes out: memory stays flat
# A spreadsheet reads a formula after the ASCII signs and, in Japanese Excel, after their
# full-width forms; a leading TAB or CR is trimmed on import, exposing what follows.
_FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")


def excel_value(value: Any) -> str:
    """As csv_value, but a cell a spreadsheet would run as a formula is quoted with '."""
    text = csv_value(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


Columns = list[list[Any]]
EPOCH = dt.date(1970, 1, 1).toordinal()


def records_to_columns(records: Sequence[tuple[Any, ...]], columns: Sequence[Column]) -> Columns:
    """Rows -> one list per column, dates as days since 1970 (what Arrow's date32 stores),
    empty text as null: compact to keep in the cache, converted to Arrow in one call."""
    if not records:
        return [[] for _ in columns]
    table = [list(column) for column in zip(*records, strict=True)]
    for index, (_, kind, _) in enumerate(columns):
        if kind == "date":
            table[index] = [None if d is None else d.toordinal() - EPOCH for d in table[index]]
        elif kind == "string":  # one convention: absent text is null, never "" (a CSV
            table[index] = [v or None for v in table[index]]  # cannot tell them apart)
    return table


def columns_to_batch(columns: Columns, schema: Any) -> Any:
    """Columns (records_to_columns' form) -> one Arrow record batch of `schema`."""
    import pyarrow as pa  # lazy: see arrow_without_pandas

    arrays = [pa.array(values, type=field.type)  # date32 takes the day numbers as they are
              for values, field in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class _NoPandas:
    """An import hook that answers `import pandas` with ModuleNotFoundError."""

    @staticmethod
    def find_spec(name: str, *_: Any) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not needed here", name=name)


def arrow_without_pandas() -> None:
    """pyarrow imports pandas, when it is installed, the first time it builds an array,
    only to ask whether the values are a pandas object; ours never are, and the import
    costs a third of a second. Hiding pandas during that first call answers the question.
    pyarrow still imports pandas for to_pandas(), so nothing is lost. Call it only in a
    process of your own (the command line does): a caller's pa.array(pandas.Series) made
    before any to_pandas() would then be read as a plain sequence."""
    if "pandas" in sys.modules:
        return
    import pyarrow  # lazy: this module loads pyarrow only after this hook is set

    sys.meta_path.insert(0, _NoPandas)
    try:
        pyarrow.array([], pyarrow.string())
    finally:
        sys.meta_path.remove(_NoPandas)


def arrow_on_malloc() -> None:
    """Have pyarrow allocate with the C library's malloc rather than its bundled mimalloc,
    which kept freed memory, so that a run's peak grew with its largest fiscal year. The
    pool must be chosen before pyarrow first loads, through ARROW_DEFAULT_MEMORY_POOL:
    pyarrow.set_memory_pool changes only the pool that pyarrow's Python calls pass down,
    and the IPC, CSV and Parquet code allocates from the C++ default (915 reports of one
    fiscal year: peak RSS 181 MiB with set_memory_pool alone, 137 MiB with the variable;
    no slower here). A choice the user made in that variable is kept. Process-wide, so
    only for a process of our own (the command line); workers forked from it inherit it."""
    if "pyarrow" not in sys.modules:
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL", "system") == "system":
        import pyarrow  # lazy: see arrow_without_pandas

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())  # if pyarrow had loaded


def arrow_schema(columns: Sequence[Column], drop: str | None = None) -> Any:
    import pyarrow as pa  # lazy: arrow_without_pandas must run before pyarrow first loads

    return pa.schema([pa.field(name, arrow_type(kind))
                      for name, kind, _ in columns if name != drop])


class TableSink:
    """One output table written incrementally: rows are buffered and every BATCH_ROWS of
    them go out as one Arrow batch, to the CSV and to Parquet alike."""

    def __init__(self, out_dir: Path, name: str, columns: Sequence[Column], *,
                 excel: bool = False, partition_by: str | None = None) -> None:
        import pyarrow.csv as pa_csv  # lazy: see arrow_without_pandas
        import pyarrow.parquet as pq

        self.out_dir, self.name, self.columns = out_dir, name, columns
        self.names = [column for column, _, _ in columns]
        self.partition_by = partition_by
        self._partition_index = self.names.index(partition_by) if partition_by else -1
        self.rows = 0
        self._pq = pq
        self._schema = arrow_schema(columns)
        self._temporaries: dict[str, Path] = {}  # final relative name -> temporary path
        self._csv_file = HashingFile(self._claim(f"{name}.csv"))
        # rows made a batch at a time go to the file as one write: fewer of its calls
        # back into Python (HashingFile.write) wait for the GIL; the bytes are the same
        options = pa_csv.WriteOptions(quoting_style="needed", batch_size=BATCH_ROWS)
        self._csv = pa_csv.CSVWriter(self._csv_file, self._schema, write_options=options)
        self._excel_stream: IO[str] | None = None
        if excel:
            (out_dir / "excel").mkdir(exist_ok=True)
            path = self._claim(f"excel/{name}.csv")
            self._excel_stream = path.open("w", encoding="utf-8-sig", newline="")
            self._excel = csv.writer(self._excel_stream, lineterminator="\r\n")
            self._excel.writerow(self.names)
        self._pending: Columns = [[] for _ in self.names]
        self._pending_rows = 0
        self._writer: Any = None
        self._gathered: list[Any] = []  # Arrow batches for the next Parquet row group
        self._gathered_rows = 0
        self._partition_value: Any = object()
        self._partition_dir: Path | None = None
        # carry.py: the segment being written, the segments each partition's rows came
        # from, and whether the open partition's file was carried over from an earlier run
        self._source, self._source_cached = "", False
        self.sources: dict[Any, set[str]] = {}
        self._carrying = False
        self._carried: list[Any] = []
        # {relative name: sha256 and bytes} of the files whose digest is known as written:
        # the CSV (HashingFile) and the carried partitions; the rest are read back
        self._digests: dict[str, dict[str, Any]] = {}
        if partition_by is None:
            self._parquet_path = self._claim(f"{name}.parquet")
        else:
            self._partition_dir = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp",
                                                        dir=out_dir))

    def _claim(self, relative: str) -> Path:
        path = temporary_file(self.out_dir / Path(relative).parent, Path(relative).name)
        self._temporaries[relative] = path
        return path

    def write(self, records: Sequence[tuple[Any, ...]]) -> None:
        """Append rows: tuples whose fields are this table's columns, in order."""
        self.write_columns(records_to_columns(records, self.columns))

    def write_columns(self, columns: Columns) -> None:
        """Append rows given as columns (dates as days since 1970, see records_to_columns)."""
        count = len(columns[0]) if columns else 0
        for pending, column in zip(self._pending, columns, strict=True):
            pending.extend(column)
        self._pending_rows += count
        if self._pending_rows >= BATCH_ROWS:
            self._flush()

    def write_batch(self, batch: Any) -> None:
        """Append an Arrow record batch of this table's schema (see write_table)."""
        import pyarrow as pa  # lazy: see arrow_without_pandas

        self.write_table(pa.Table.from_batches([batch]))

    def write_table(self, table: Any) -> None:
        """Append an Arrow table of this table's schema: to the CSV in one call (a call a
        batch had the writing thread wait for the GIL after each: 8,000 reports' tables
        spent longer waiting than writing), and to the Excel copy; to Parquet in row
        groups of BATCH_ROWS rows (or what a partition holds), gathered from the table's
        batches as Arrow, compact beside Python objects."""
        if not table.num_rows:
            return
        self.rows += table.num_rows
        batches = table.to_batches()
        if self._excel_stream is not None:
            for batch in batches:
                self._write_excel(batch)
        self._csv.write_table(table)
        for batch in batches:
            if not batch.num_rows:
                continue
            if self.partition_by is None:
                self._gather(batch)
            else:
                self._to_partitions(batch)

    def _to_partitions(self, batch: Any) -> None:
        values = batch.column(self._partition_index).to_pylist()
        start = 0
        for end in [*(i for i in range(1, len(values)) if values[i] != values[i - 1]),
                    len(values)]:
            if values[start] != self._partition_value:
                self._write_gathered()
                self._open_partition(values[start])
            if self._carrying and not self._source_cached:
                raise OutputError(
                    f"{self.name}, fiscal year {values[start]}: its Parquet file was "
                    "carried over from the previous output, then part of the year's stored "
                    "tables was found damaged and built again, which the carried file may "
                    "not match; run again")
            self.sources[values[start]].add(self._source)
            if not self._carrying:  # a carried file holds these rows already
                self._gather(batch.slice(start, end - start).drop_columns([self.partition_by]))
            start = end

    def from_segment(self, fingerprint: str, cached: bool) -> None:
        """The batches that follow are the segment `fingerprint`'s, read from the cache
        or built by this run (carry.py)."""
        self._source, self._source_cached = fingerprint, cached

    def carry(self, value: Any, content: bytes, sha256: str) -> None:
        """Partition `value`'s Parquet file is `content` (of digest `sha256`), a file an
        earlier run wrote from the segment that follows (carry.py): its rows still go to
        the CSV, not to Parquet."""
        self._write_gathered()
        self._close_partition()
        (self._partition_folder(value) / "part-0.parquet").write_bytes(content)
        self._digests[partition_file(self.name, self.partition_by or "", value)] = {
            "sha256": sha256, "bytes": len(content)}
        self._partition_value, self._carrying = value, True
        self.sources[value] = set()
        self._carried.append(value)

    def _gather(self, batch: Any) -> None:
        self._gathered.append(batch)
        self._gathered_rows += batch.num_rows
        if self._gathered_rows >= BATCH_ROWS:
            self._write_gathered()

    def _write_gathered(self) -> None:
        import pyarrow as pa  # lazy: see arrow_without_pandas

        if not self._gathered:
            return
        if self._writer is None:
            self._writer = self._open_single()
        self._writer.write_table(pa.Table.from_batches(self._gathered),
                                 row_group_size=self._gathered_rows)
        self._gathered, self._gathered_rows = [], 0

    def _write_excel(self, batch: Any) -> None:
        columns = [column.to_pylist() for column in batch.columns]  # dates as datetime.date
        self._excel.writerows([excel_value(v) for v in row] for row in zip(*columns, strict=True))

    def _close_partition(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _partition_folder(self, value: Any) -> Path:
        """A new folder for partition `value` (FileExistsError if the rows were not
        sorted by it: a partition is one file, written once)."""
        assert self._partition_dir is not None
        folder = self._partition_dir / partition_folder(self.partition_by or "", value)
        folder.mkdir()
        return folder

    def _open_partition(self, value: Any) -> None:
        self._close_partition()
        self._writer = self._pq.ParquetWriter(
            self._partition_folder(value) / "part-0.parquet",
            arrow_schema(self.columns, self.partition_by), compression="zstd")
        self._partition_value, self._carrying = value, False
        self.sources[value] = set()

    def _flush(self) -> None:
        if not self._pending_rows:
            return
        batch = columns_to_batch(self._pending, self._schema)
        self._pending = [[] for _ in self.names]
        self._pending_rows = 0
        self.write_batch(batch)

    def _open_single(self) -> Any:
        return self._pq.ParquetWriter(self._parquet_path, self._schema, compression="zstd")

    def close(self) -> None:
        self._flush()
        self._write_gathered()
        if self._writer is None and self.partition_by is None:
            self._writer = self._open_single()  # an empty table is still a valid file
        if self._writer is not None:
            self._writer.close()
        if empty := [value for value in self._carried if not self.sources[value]]:
            # a carried file is one segment's rows: that segment gives them again
            raise OutputError(f"{self.name}, fiscal year {empty[0]}: a Parquet file was "
                              "carried over but no rows came for it; run again with --force")
        self._csv.close()
        self._csv_file.close()
        self._digests[f"{self.name}.csv"] = self._csv_file.digest()
        if self._excel_stream is not None:
            self._excel_stream.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._csv.close()
        with contextlib.suppress(OSError):  # a full disk: the cleanup below goes on
            self._csv_file.close()
        if self._excel_stream is not None and not self._excel_stream.closed:
            self._excel_stream.close()
        for path in self._temporaries.values():
            path.unlink(missing_ok=True)
        if self._partition_dir is not None:
            shutil.rmtree(self._partition_dir, ignore_errors=True)

    def commit(self) -> dict[str, Any]:
        """Rename into place; return {relative file name: sha256, bytes, rows}."""
        described: dict[str, Any] = {}
        for relative, temporary in self._temporaries.items():
            final = self.out_dir / relative
            os.replace(temporary, final)
            described[relative] = {**self._digest(relative, final), "rows": self.rows}
        if self._partition_dir is not None:
            final_dir = self.out_dir / self.name
            replace_dir(self._partition_dir, final_dir)
            (self.out_dir / f"{self.name}.parquet").unlink(missing_ok=True)
            for path in sorted(final_dir.rglob("*.parquet")):
                relative = path.relative_to(self.out_dir).as_posix()
                described[relative] = self._digest(relative, path)
        else:
            stale = self.out_dir / self.name
            if stale.is_dir():
                shutil.rmtree(stale)
        return described


    def _digest(self, relative: str, path: Path) -> dict[str, Any]:
        return self._digests.get(relative) or file_digest(path)

def partition_folder(column: str, value: Any) -> str:
    """A partition's folder name, as Hive names it."""
    return f"{column}={'__HIVE_DEFAULT_PARTITION__' if value is None else value}"


def partition_file(table: str, column: str, value: Any) -> str:
    """The relative name of a partition's file."""
    return f"{table}/{partition_folder(column, value)}/part-0.parquet"
