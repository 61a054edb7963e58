"""One budget for everything a workbook may cost to read: cells, inflated bytes, time.

A report workbook holds a few thousand cells in a few hundred kilobytes. A hostile or
damaged one can claim billions of cells in a merged range, inflate a 200 KB ZIP to
gigabytes, or spread its cost over many sheets. So the readers charge this budget while
they read — for every cell the file holds, every cell a merged range covers (as written,
however large), every byte a ZIP member inflates to — and stop at the first overrun with
`workbook-too-large`, naming what was too large. Nothing is checked ahead of reading, so
no spelling of the XML or lie in the ZIP directory can slip past: what is charged is
what is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# A report holds a few thousand cells; half a million (merged-range cells counted) is a
# hundred times any real one. Streaming a sheet's XML costs some microseconds a cell in
# Python (benchmarks/bench_hostile.py), so this is also what keeps a hostile workbook to
# seconds.
MAX_WORKBOOK_CELLS = 500_000
# Every ZIP member together, as inflated. A report's XML is a few MB at most.
MAX_UNPACKED = 100 * 1024 * 1024
# Cells and bytes bound the work already; time is the last guard against a slow path
# nobody foresaw. It is the one budget that depends on the machine, so it is generous:
# no file within the other two budgets comes near it.
MAX_SECONDS = 120.0


class WorkbookTooLarge(Exception):
    """The workbook overran its budget; the message says what was too large."""


@dataclass(slots=True)
class Budget:
    """What is left of one workbook's budget. Charge as you read; it raises at overrun."""

    # None: the module's limit as it stands when the budget is made (tests lower them).
    cells: int | None = None
    unpacked: int | None = None
    seconds: float | None = None
    clock: Callable[[], float] = time.monotonic
    _cells_left: int = field(init=False)
    _bytes_left: int = field(init=False)
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.cells = MAX_WORKBOOK_CELLS if self.cells is None else self.cells
        self.unpacked = MAX_UNPACKED if self.unpacked is None else self.unpacked
        self.seconds = MAX_SECONDS if self.seconds is None else self.seconds
        self._cells_left = self.cells
        self._bytes_left = self.unpacked
        self._deadline = self.clock() + self.seconds

    def charge_cells(self, count: int, what: str) -> None:
        """`count` more cells, read or covered by a merged range; `what` names them."""
        self._cells_left -= count
        if self._cells_left < 0:
            raise WorkbookTooLarge(f"{what}, past the {self.cells} cells a workbook may hold "
                                   "(every cell its merged ranges cover counted)")

    def charge_bytes(self, count: int, what: str) -> None:
        """`count` more inflated bytes of the ZIP member `what`."""
        self._bytes_left -= count
        if self._bytes_left < 0:
            raise WorkbookTooLarge(f"{what}: the workbook unpacks to more than "
                                   f"{self.unpacked} bytes")

    def check_time(self, what: str) -> None:
        if self.clock() > self._deadline:
            raise WorkbookTooLarge(f"{what}: reading took more than {self.seconds:g} seconds")
