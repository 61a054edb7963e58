"""Reading an output folder of `pipeline run` back: each table in its schema's columns,
order and types, from Parquet (a file, or the folders `--partition-by` writes) or CSV.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.schema import TABLES, Column, arrow_type

# Schema metadata key naming the columns conform() filled because the input lacked them.
_ABSENT = b"pipeline.absent"


class FolderError(Exception):
    """An output table that exists but cannot be read."""


def is_output_folder(path: Path) -> bool:
    return path.is_dir() and (any((path / f"events.{s}").is_file() for s in ("parquet", "csv"))
                              or (path / "events").is_dir())


def table_schema(columns: Iterable[Column]) -> pa.Schema:
    return pa.schema([pa.field(name, arrow_type(kind)) for name, kind, _ in columns])


def conform(table: pa.Table, columns: tuple[Column, ...]) -> pa.Table:
    """The schema's columns in its order and types; a missing string reads as "" as in CSV.

    A column the input lacks (an older run) is filled with nulls so every table has one
    shape, and named in the schema metadata (see `absent_columns`), so it is not compared."""
    arrays = []
    absent = [name for name, _, _ in columns if name not in table.column_names]
    for name, kind, _ in columns:
        wanted = arrow_type(kind)
        if name in table.column_names:
            array = table[name]
            if array.type != wanted:
                array = pc.cast(array, wanted)
        else:
            array = pa.nulls(table.num_rows, wanted)
        if kind == "string":
            array = pc.fill_null(array, "")
        arrays.append(array)
    schema = table_schema(columns)
    if absent:
        schema = schema.with_metadata({_ABSENT: ",".join(absent).encode()})
    return pa.table(arrays, schema=schema)


def absent_columns(table: pa.Table) -> set[str]:
    """The columns `conform` filled because the input did not have them."""
    names = (table.schema.metadata or {}).get(_ABSENT, b"").decode()
    return set(names.split(",")) if names else set()


def read_table(folder: Path, name: str) -> pa.Table:
    """One output table, from Parquet if present, else from CSV; absent -> empty."""
    columns = TABLES[name]
    parquet, csv_path = folder / f"{name}.parquet", folder / f"{name}.csv"
    try:
        if parquet.exists():
            table = pq.read_table(parquet)
        elif (folder / name).is_dir():  # partitioned by `pipeline run --partition-by`
            table = pq.read_table(folder / name, partitioning="hive")
        elif csv_path.exists():
            types = {n: arrow_type(kind) for n, kind, _ in columns}
            table = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=False,
                true_values=["true"], false_values=["false"]))
        else:
            return table_schema(columns).empty_table()
        return conform(table, columns)
    except (pa.ArrowException, OSError) as error:
        raise FolderError(f"{folder}/{name}: cannot read: {error}") from error
