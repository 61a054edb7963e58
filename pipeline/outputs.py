"""Write stage: records -> CSV + Parquet + manifest.json, atomically and deterministically.

Every file is written under a temporary name in the output folder and renamed into
place, so an interrupted run leaves the previous outputs whole. Nothing written depends
on the clock, the host or absolute paths: the same inputs give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.schema import TABLES, Column

_ARROW_TYPES = {"string": "string", "integer": "int64", "boolean": "bool_", "date": "date32"}


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rows_to_columns(records: Iterable[Any], columns: Sequence[Column]) -> dict[str, list[Any]]:
    names = [name for name, _, _ in columns]
    data: dict[str, list[Any]] = {name: [] for name in names}
    for record in records:
        for name in names:
            data[name].append(getattr(record, name))
    return data


def columns_to_csv(data: dict[str, list[Any]], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    names = [name for name, _, _ in columns]
    writer.writerow(names)
    for row in zip(*(data[name] for name in names), strict=True):
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def columns_to_parquet(data: dict[str, list[Any]], columns: Sequence[Column]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(name, getattr(pa, _ARROW_TYPES[kind])())
                        for name, kind, _ in columns])
    table = pa.table({name: data[name] for name, _, _ in columns}, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def write_atomic(path: Path, payload: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def describe(payload: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload)}


def write_tables(out_dir: Path, tables: dict[str, list[Any]]) -> dict[str, Any]:
    """Write each table as NAME.csv and NAME.parquet; return their manifest entries.

    All payloads are built first and only then renamed into place, one after another,
    so a failure while building leaves every previous output untouched.
    """
    payloads: dict[str, bytes] = {}
    described: dict[str, Any] = {}
    for name, columns in TABLES.items():
        data = rows_to_columns(tables.get(name, []), columns)
        rows = len(next(iter(data.values()))) if data else 0
        for suffix, payload in (("csv", columns_to_csv(data, columns)),
                                ("parquet", columns_to_parquet(data, columns))):
            payloads[f"{name}.{suffix}"] = payload
            described[f"{name}.{suffix}"] = {**describe(payload), "rows": rows}
    for file_name, payload in payloads.items():
        write_atomic(out_dir / file_name, payload)
    return described


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
