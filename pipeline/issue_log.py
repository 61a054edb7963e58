"""A run's warnings, kept on disk: a run of 32,000 reports has some 40,000 of them, which
held as objects were the largest thing in the run's memory after the input list. The run
counts them and the command line reads them back (--strict prints each)."""

from __future__ import annotations

import json
import tempfile
import weakref
from collections.abc import Iterable, Iterator

from pipeline.model import Issue

_FIELDS = ("code", "message", "severity", "source_file", "source_line", "raw")


class IssueLog:
    """An append-only list of Issues in an anonymous temporary file (gone when closed)."""

    def __init__(self, issues: Iterable[Issue] = ()) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the log
        weakref.finalize(self, self._file.close)  # closed with the log, without a warning
        self._count = 0
        self.extend(issues)

    def append(self, issue: Issue) -> None:
        self.extend((issue,))

    def extend(self, issues: Iterable[Issue]) -> None:
        lines = [json.dumps([getattr(i, f) for f in _FIELDS], ensure_ascii=False) for i in issues]
        if lines:
            self._file.seek(0, 2)
            self._file.write(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
            self._count += len(lines)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Issue]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield Issue(*json.loads(line.decode("utf-8", "surrogatepass")))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IssueLog):
            return len(self) == len(other) and list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"IssueLog({list(self)!r})"
