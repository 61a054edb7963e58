"""The table writer: every row lands, in order, whatever the batch size."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import outputs
from pipeline.model import RejectRecord
from pipeline.schema import REJECTS


@pytest.mark.parametrize("batch_rows", [1, 3, 7, 1000])
def test_rows_survive_batch_flushes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    batch_rows: int) -> None:
    """Regression: a flush used to swap the batch dict under write(), losing rows."""
    import pyarrow.parquet as pq

    monkeypatch.setattr(outputs, "BATCH_ROWS", batch_rows)
    records = [RejectRecord(f"f{i // 4}.txt", i, "row-cells: x", f"raw {i}") for i in range(20)]
    sink = outputs.TableSink(tmp_path, "rejects", REJECTS)
    sink.write(records[:9])
    sink.write(records[9:])
    sink.close()
    described = sink.commit()
    table = pq.read_table(tmp_path / "rejects.parquet")
    assert table.column("source_line").to_pylist() == list(range(20))
    assert described["rejects.csv"]["rows"] == 20
    assert len((tmp_path / "rejects.csv").read_text(encoding="utf-8").splitlines()) == 21


@pytest.mark.parametrize(
    ("value", "csv_text", "excel_text"),
    [(None, "", ""), (True, "true", "true"), (False, "false", "false"), (3, "3", "3"),
     ("=1+1", "=1+1", "'=1+1"), ("+81", "+81", "'+81"), ("-x", "-x", "'-x"), ("@a", "@a", "'@a"),
     ("a=b", "a=b", "a=b")],
)
def test_cell_values(value: object, csv_text: str, excel_text: str) -> None:
    assert outputs.csv_value(value) == csv_text
    assert outputs.excel_value(value) == excel_text


def test_abort_leaves_no_temporary_files(tmp_path: Path) -> None:
    sink = outputs.TableSink(tmp_path, "rejects", REJECTS, excel=True)
    sink.write([RejectRecord("a.txt", 1, "r", "x")])
    sink.abort()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_record_fields_are_the_output_columns_in_order() -> None:
    from pipeline.model import EntryRecord, EventRecord, ExtraRecord, PeriodRecord
    from pipeline.partners import PartnerRecord
    from pipeline.schema import TABLES

    records = {"events": EventRecord, "periods": PeriodRecord, "entries": EntryRecord,
               "partners": PartnerRecord, "rejects": RejectRecord, "extras": ExtraRecord}
    for table, columns in TABLES.items():
        assert records[table]._fields == tuple(name for name, _, _ in columns), table
