"""manifest.json: each input's hash, what was read from it and its counts; the outputs'
hashes; the warnings. Written last, beside datapackage.json, so it describes what is there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.datapackage import datapackage
from pipeline.events import report_government
from pipeline.files import json_bytes, write_atomic
from pipeline.model import Extraction, Issue
from pipeline.months import months_by_event


def manifest_entry(name: str, data: bytes, extraction: Extraction | Issue) -> dict[str, Any]:
    """One input's manifest entry: its bytes' hash, what was read and how many records."""
    if isinstance(extraction, Issue):  # nothing was read, so nothing hashed the bytes yet
        return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                "error": {"code": extraction.code, "message": extraction.message}}
    document, layout = extraction.document, extraction.layout
    entry: dict[str, Any] = {"name": name, "sha256": document.sha256, "bytes": document.size}
    assert layout is not None
    entry.update({
        "format": document.format,
        "encoding": document.encoding,
        "title": layout.title,
        "government": dict(zip(("name", "from"), report_government(layout.title),
                               strict=True)),
        "period": layout.period_text,
        "fiscal_year": layout.fiscal_year,
        "lines": {"total": document.line_count, **layout.line_kinds},
        "notes": [{"source_line": line, "text": text} for line, text in layout.notes],
        "counts": {
            "entries": len(extraction.entries),
            "events": len(extraction.events),
            "periods": len(extraction.periods),
            "event_months": sum(map(len, months_by_event(
                (p.event_id, p.date_start, p.date_end) for p in extraction.periods).values())),
            "rejects": sum(1 for i in extraction.issues if i.severity == "reject"),
            "warnings": sum(1 for i in extraction.issues if i.severity == "warning"),
        },
    })
    if document.details:  # only formats that have some (pdf): other manifests stay as they were
        entry[document.format] = dict(document.details)
    return entry


def render_entry(entry: dict[str, Any]) -> str:
    """One input's entry as manifest.json holds it, indented to its depth in the list."""
    return "    " + json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def read_a_table(entry: dict[str, Any]) -> bool:
    """Whether the input read a table: any row, read or rejected."""
    counts = entry.get("counts", {})
    return "error" not in entry and bool(counts.get("entries") or counts.get("rejects"))


class Spool:
    """A list of manifest.json that grows with the data (its inputs, its warnings): each
    item is written to a file in the staging folder as it comes, already in manifest.json's
    layout at its depth, and spliced into manifest.json at the end; the run keeps counts."""

    def __init__(self, staging: Path, name: str) -> None:
        self.path = staging / f".manifest-{name}.part"
        self._file = self.path.open("wb")
        self.count = 0
        self.with_table = 0  # inputs that read a table (any row, read or rejected)

    def append(self, entry: dict[str, Any]) -> None:
        self.append_fragment(render_entry(entry), 1, read_a_table(entry))

    def append_fragment(self, text: str, count: int, with_table: int = 0) -> None:
        """Items already rendered (render_entry, joined by ",\n"), as a segment keeps them."""
        if not count:
            return
        self._file.write((",\n" + text if self.count else text).encode("utf-8"))
        self.count += count
        self.with_table += with_table

    def close(self) -> None:
        self._file.close()

    def remove(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def warning_item(issue: Issue) -> dict[str, Any]:
    """A warning as manifest.json lists it."""
    return {"source_file": issue.source_file, "source_line": issue.source_line,
            "code": issue.code, "message": issue.message}


def write_descriptions(out_dir: Path, outputs: dict[str, Any], inputs: Spool,
                       warnings: Spool) -> dict[str, Any]:
    """Write datapackage.json and manifest.json (which lists the first); return the
    manifest without its per-input and warning lists (manifest.json has them)."""
    package = json_bytes(datapackage(outputs))
    write_atomic(out_dir / "datapackage.json", package)
    outputs["datapackage.json"] = {"sha256": hashlib.sha256(package).hexdigest(),
                                   "bytes": len(package)}
    manifest: dict[str, Any] = {
        "pipeline_version": __version__,
        "inputs": [],
        "warnings": [],
        "outputs": dict(sorted(outputs.items())),
    }
    _write_spliced(out_dir / "manifest.json", json_bytes(manifest),
                   {"inputs": inputs, "warnings": warnings})
    del manifest["inputs"], manifest["warnings"]
    return manifest


def _write_spliced(path: Path, document: bytes, spools: dict[str, Spool]) -> None:
    """Write `document` (json_bytes of a manifest whose lists are []) with each spool's
    items in place of its empty list: the bytes json_bytes would give for the full lists."""
    for spool in spools.values():
        spool.close()
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("wb") as out:
            start = 0
            for key, spool in spools.items():
                marker = f'\n  "{key}": [],\n'.encode()
                cut = document.index(marker, start) + len(marker) - len(b"],\n")
                out.write(document[start:cut])
                if spool.count:
                    out.write(b"\n")
                    with spool.path.open("rb") as streamed:
                        shutil.copyfileobj(streamed, out, 1 << 20)
                    out.write(b"\n  ")
                start = cut
            out.write(document[start:])
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        for spool in spools.values():
            spool.remove()
