"""manifest.json: each input's hash, what was read from it and its counts; the outputs'
hashes; the warnings. Written last, beside datapackage.json, so it describes what is there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.datapackage import datapackage
from pipeline.events import report_government
from pipeline.model import Extraction, Issue
from pipeline.months import months_by_event
from pipeline.outputs import json_bytes, write_atomic


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



def write_descriptions(out_dir: Path, outputs: dict[str, Any],
                       manifest_inputs: list[dict[str, Any]],
                       warnings: list[Issue]) -> dict[str, Any]:
    """Write datapackage.json and manifest.json (which lists the first); the manifest."""
    package = json_bytes(datapackage(outputs))
    write_atomic(out_dir / "datapackage.json", package)
    outputs["datapackage.json"] = {"sha256": hashlib.sha256(package).hexdigest(),
                                   "bytes": len(package)}
    manifest = {
        "pipeline_version": __version__,
        "inputs": manifest_inputs,
        "warnings": [{"source_file": w.source_file, "source_line": w.source_line,
                      "code": w.code, "message": w.message} for w in warnings],
        "outputs": dict(sorted(outputs.items())),
    }
    write_atomic(out_dir / "manifest.json", json_bytes(manifest))
    return manifest
