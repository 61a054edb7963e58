"""`pipeline.load(out_dir)`: every output table as a pandas DataFrame, typed, in one call.

Dates arrive as dates (Arrow date32: each value a datetime.date, `.dt.year` works),
integer columns as nullable Int64 (a gap is <NA>, never a float), flags as nullable
boolean, text as Arrow-backed strings with <NA> for absent text. pandas is imported here
only, so `pipeline dates` and `pipeline run` never pay for it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.schema import TABLES, Column, arrow_type

if TYPE_CHECKING:
    import pandas as pd

class LoadError(Exception):
    """A folder that is not an output folder of `pipeline run`, or a table that cannot be read."""


def load(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """{table name: DataFrame} for events, periods, entries, partners, rejects and
    event_months, columns in schema order. Parquet is read where present (a single file,
    or the folder `--partition-by fiscal_year` writes), else the CSV. A table or column an
    older run did not write comes back empty / all <NA>, with a warning that names it."""
    folder = Path(out_dir)
    if not folder.is_dir():
        raise LoadError(f"{folder}: no such folder")
    if not any((folder / f"events{s}").exists() for s in (".parquet", ".csv", "")):
        raise LoadError(f"{folder}: not an output folder of `pipeline run` (no events table)")
    import pandas as pd  # lazy, for speed: only load() needs pandas (see the docstring)
    import pyarrow as pa

    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.int64(): pd.Int64Dtype(),
               pa.bool_(): pd.BooleanDtype(), pa.date32(): pd.ArrowDtype(pa.date32())}
    return {name: read_arrow(folder, name, columns).to_pandas(types_mapper=mapping.get)
            for name, columns in TABLES.items()}


def read_arrow(folder: Path, name: str, columns: tuple[Column, ...]) -> Any:
    """One table as a pyarrow Table in schema order and types, nulls kept (see load)."""
    import pyarrow as pa  # lazy, for speed: `import pipeline` does not load pyarrow
    import pyarrow.csv as pa_csv
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    types = {column: arrow_type(kind) for column, kind, _ in columns}
    parquet, csv_path, partitioned = (folder / f"{name}.parquet", folder / f"{name}.csv",
                                      folder / name)
    try:
        if parquet.is_file():
            table = pq.read_table(parquet)
        elif partitioned.is_dir():  # hive folders hold the partition column's values
            partitioning = ds.partitioning(pa.schema([("fiscal_year", pa.int64())]),
                                           flavor="hive")
            table = ds.dataset(partitioned, format="parquet",
                               partitioning=partitioning).to_table()
        elif csv_path.is_file():
            present = csv_path.open(encoding="utf-8").readline().strip()
            table = pa_csv.read_csv(csv_path, convert_options=pa_csv.ConvertOptions(
                column_types={c: t for c, t in types.items() if f'"{c}"' in present
                              or c in present.split(",")},
                null_values=[""], strings_can_be_null=True,
                true_values=["true"], false_values=["false"]))
        else:
            warnings.warn(f"{folder}: no {name} table (an older pipeline's output?); "
                          "it is loaded empty", stacklevel=3)
            return pa.schema(list(types.items())).empty_table()
    except (pa.ArrowException, OSError) as error:
        raise LoadError(f"{folder}/{name}: cannot read: {error}") from error
    absent = [c for c in types if c not in table.column_names]
    if absent:
        warnings.warn(f"{folder}/{name}: no column {', '.join(absent)} (an older pipeline's "
                      "output?); loaded as <NA>", stacklevel=3)
    arrays = [table[c].cast(t) if c in table.column_names else pa.nulls(table.num_rows, t)
              for c, t in types.items()]
    return pa.table(arrays, schema=pa.schema(list(types.items())))
