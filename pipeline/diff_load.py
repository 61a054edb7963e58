"""The tables of one side of a diff, read when first asked for and let go once compared.

At 200,000 events the events tables of two folders take most of the diff's memory, so the
periods and entries are read only after the events are compared and all but their ids
dropped, which keeps the peak to the events' stage alone (`benchmarks/bench_diff.py`
measures it).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pipeline.folder import FolderError, read_table

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
