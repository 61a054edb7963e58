"""Per-report results kept on disk between runs, keyed by content, name and version.

A report whose bytes, name and pipeline version are unchanged is not extracted again.
The cache also lets a run hold only one report's records in memory at a time: results
are written here as they are extracted and read back, in output order, when writing.
Files are pickles the pipeline wrote itself in the output folder; nothing else is loaded.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.model import EntryRecord, EventRecord, Issue, PeriodRecord, RejectRecord

CACHE_DIR = ".cache"


@dataclass(slots=True)
class ReportResult:
    """Everything one input contributes to the outputs."""

    name: str
    fiscal_year: int | None
    manifest: dict[str, Any]
    entries: list[EntryRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    periods: list[PeriodRecord] = field(default_factory=list)
    rejects: list[RejectRecord] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    error: Issue | None = None


def cache_key(version: str, name: str, sha256: str) -> str:
    return hashlib.sha256(f"{version}\0{name}\0{sha256}".encode()).hexdigest()


def cache_path(out_dir: Path, key: str) -> Path:
    return out_dir / CACHE_DIR / f"{key}.pickle"


def load(path: Path) -> ReportResult | None:
    try:
        with path.open("rb") as stream:
            result = pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        return None  # a missing or damaged cache entry is simply extracted again
    return result if isinstance(result, ReportResult) else None


def store(path: Path, result: ReportResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "wb") as stream:
        pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def prune(out_dir: Path, keep: set[str]) -> None:
    """Drop entries no input of this run used, so the cache does not grow without end."""
    folder = out_dir / CACHE_DIR
    if not folder.is_dir():
        return
    for path in folder.glob("*.pickle"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
