"""Compose the stages for one input: bytes -> SourceDocument -> Layout -> records."""

from __future__ import annotations

from pipeline.events import layout_to_records
from pipeline.layout import document_to_layout, no_table
from pipeline.model import Extraction, Issue, SourceDocument
from pipeline.sources import ReadError, read_document


def extract_document(document: SourceDocument) -> Extraction:
    layout = document_to_layout(document)
    entries, events, periods, issues = layout_to_records(layout)
    # Rows rejected while reading their cells were counted as rows by layout; recount.
    span = {row.source_line: row.line_span for row in layout.rows}
    for issue in issues:
        if issue.severity == "reject" and issue.source_line in span:
            layout.line_kinds["row"] -= span[issue.source_line]
            layout.line_kinds["rejected"] += span[issue.source_line]
    return Extraction(document=document, layout=layout, entries=entries, events=events,
                      periods=periods, issues=[*document.issues, *layout.issues, *issues])


def extract_bytes(data: bytes, name: str) -> Extraction | Issue:
    """Extract one report; a file that cannot be read at all comes back as an error Issue."""
    try:
        document = read_document(data, name)
    except ReadError as error:
        return Issue(error.code, f"{name}: {error.message}", "error", name, 0)
    # A file with no table is no report with nothing in it: its lines would count as notes
    # and rejects, and the run would say 0 events as if that were the answer.
    if (missing := no_table(document)) is not None:
        return Issue("no-table", f"{name}: {missing}", "error", name, 0)
    return extract_document(document)
