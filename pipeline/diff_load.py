"""The two sides of a diff: an output folder as it is, or reports extracted into one first.

The tables are read when first asked for and can be let go once compared: at 200,000 events
the events tables of two folders take most of the diff's memory, so the periods and entries
are read only after the events are compared and all but their ids dropped, which keeps the
peak to the events' stage alone (`benchmarks/bench_diff.py` measures it).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pipeline.commit import OutputError
from pipeline.folder import FolderError, is_output_folder, read_table
from pipeline.inputs import InputError, NoReportsError
from pipeline.runner import RunOptions, run

NAMES = ("events", "periods", "entries", "extras")


class DiffError(Exception):
    """An input that cannot be compared: missing, unreadable, or not an extraction."""


class Tables:
    """An extraction's tables (NAMES), each read from its folder on first use, then kept
    until `keep_only` lets part of it go."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._read: dict[str, pa.Table] = {}

    def __contains__(self, name: object) -> bool:
        return name in NAMES

    def __getitem__(self, name: str) -> pa.Table:
        return self.read(name)

    def read(self, name: str) -> pa.Table:
        if name not in self._read:
            try:
                self._read[name] = read_table(self.folder, name)
            except FolderError as error:
                raise DiffError(str(error)) from error
        return self._read[name]

    def keep_only(self, name: str, columns: list[str]) -> None:
        self._read[name] = self[name].select(columns)


def load(path: Path, workdir: Path, layout: Path | None = None) -> Tables:
    """The tables of an output folder, or of reports extracted into workdir (with `layout`
    as `pipeline run --layout`), which must outlive them. The events are read at once, so
    that a side without readable events is an error before the other side is read."""
    if not path.exists():
        raise DiffError(f"{path}: no such file or folder")
    folder = path
    if not is_output_folder(path):
        folder = workdir
        try:
            result = run([path], folder, RunOptions(layout=layout))
        except (InputError, OutputError) as error:
            raise DiffError(str(error)) from error
        except NoReportsError:
            raise DiffError(f"{path}: no reports and no events.parquet or events.csv") from None
        if not result.files:
            raise DiffError(f"{path}: no reports and no events.parquet or events.csv")
        if result.unreadable:
            raise DiffError(result.unreadable[0].message)
        if not result.events and not result.inputs_with_table:
            raise DiffError(f"{path}: no report table found, so there is nothing to compare")
    tables = Tables(folder)
    tables.read("events")  # now: see the docstring
    return tables
