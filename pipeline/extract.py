"""Compose the stages for one input: bytes -> SourceDocument -> Layout -> records."""

from __future__ import annotations

from dataclasses import replace

from pipeline.events import layout_to_records
from pipeline.layout import document_to_layout
from pipeline.model import Extraction, Issue, SourceDocument
from pipeline.no_table import no_table
from pipeline.roles import Vocabulary
from pipeline.sources import ReadError, read_document


def extract_document(document: SourceDocument, vocabulary: Vocabulary | None = None
                     ) -> Extraction:
    layout = document_to_layout(document, vocabulary)
    records = layout_to_records(layout)
    # Layout counted every table row as a row; those the events stage rejected are not.
    moved = sum(row.line_span for row in records.rejected)
    kinds = {**layout.line_kinds, "row": layout.line_kinds["row"] - moved,
             "rejected": layout.line_kinds["rejected"] + moved}
    return Extraction(document=document, layout=replace(layout, line_kinds=kinds),
                      entries=records.entries, events=records.events, periods=records.periods,
                      issues=[*document.issues, *layout.issues, *records.issues],
                      extras=records.extras)


def extract_bytes(data: bytes, name: str, vocabulary: Vocabulary | None = None
                  ) -> Extraction | Issue:
    """Extract one report; a file that cannot be read at all comes back as an error Issue.
    `vocabulary`: the header words (None: the built-in roles.toml)."""
    try:
        document = read_document(data, name, vocabulary)
    except ReadError as error:
        return Issue(error.code, f"{name}: {error.message}", "error", name, 0)
    # A file with no table is no report with nothing in it: its lines would count as notes
    # and rejects, and the run would say 0 events as if that were the answer.
    if (missing := no_table(document, vocabulary)) is not None:
        return Issue("no-table", f"{name}: {missing}", "error", name, 0)
    return extract_document(document, vocabulary)
