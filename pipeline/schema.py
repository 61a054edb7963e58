"""The output tables: column names, types and descriptions, in output order.

One definition serves the CSV header, the Parquet schema and datapackage.json, so the
three can never disagree. Types are Frictionless names: string, integer, boolean, date.
"""

from __future__ import annotations

from typing import Any, Final

Column = tuple[str, str, str]  # name, type, description

EVENTS: Final[tuple[Column, ...]] = (
    ("event_id", "string", "Stable id: hash of fiscal year, partner, bureau and description, "
     "with -N for the Nth exact duplicate. Does not change when a date or position changes."),
    ("fiscal_year", "integer", "Fiscal year of the report (April to March), e.g. 2012."),
    ("source_file", "string", "Input file, relative to the input folder."),
    ("source_line", "integer", "1-based physical line of the row in the input."),
    ("table_no", "integer", "1-based table of the report (a repeated header starts a new one)."),
    ("row_no", "integer", "1-based row within the table."),
    ("item_no", "integer", "1-based item within the row's content cell."),
    ("partner_country", "string", "Partner country as printed in the report."),
    ("partner_country_code", "string", "ISO 3166-1 alpha-2 code of the partner country."),
    ("partner_city", "string", "Partner city, state or province as printed."),
    ("bureau", "string", "Metropolitan bureau in charge."),
    ("bureau_contact", "string", "Contact number printed with the bureau (extension)."),
    ("bureau_inherited", "boolean", "True where the bureau cell was blank or merged and the "
     "bureau comes from the row above in the same table."),
    ("description", "string", "The item without its bullet and trailing parenthesised date, "
     "NFKC-normalised, whitespace collapsed; a prose cell keeps its whole sentence."),
    ("source_text", "string", "The item exactly as written in the source."),
    ("date_text", "string", "The date expression as written in the source."),
    ("date_start", "date", "First day of the event's earliest period."),
    ("date_end", "date", "Last day of the event's latest period."),
    ("date_precision", "string", "day, dekad, month, year, fiscal_year; mixed when periods "
     "differ."),
    ("period_count", "integer", "Number of rows of this event in periods."),
    ("date_inferred", "boolean", "True where a year was taken from the report's fiscal year."),
    ("note", "string", "A ※ note printed after the item."),
    ("source_sha256", "string", "sha256 of the source cells the event was read from: partner "
     "label, content cell and the bureau cell it took (its own or the one above)."),
    ("category", "string", "The row's category cell as printed (区分, 分類; inherited when "
     "blank)."),
    ("participants", "string", "The row's participants cell as printed (参加者, 人数)."),
    ("kind", "string", "What kind of exchange: official_visit, study_visit, training, "
     "conference, sports, culture, youth_education, economic, disaster_relief or other "
     "(facets.toml; the first in that file's order wins)."),
    ("direction", "string", "Seen from the reporting government: inbound, outbound, both, "
     "remote or unknown."),
    ("actors", "string", "Role words naming people (知事, 職員, 選手 …), '; '-separated, in "
     "text order."),
    ("participant_count", "integer", "Head count written in the item (5名, 10人); empty "
     "when none is written."),
    ("facet_evidence", "string", "The words that decided each facet, e.g. 'kind: サッカー; "
     "direction: 東京都訪問'."),
    ("partner_id", "string", "Partner key, as partners.partner_id: country code (or "
     "country) and city, e.g. US:ニューヨーク市."),
)

PERIODS: Final[tuple[Column, ...]] = (
    ("event_id", "string", "The event this period belongs to."),
    ("period_no", "integer", "1-based period within the event."),
    ("date_start", "date", "First day of the period."),
    ("date_end", "date", "Last day of the period."),
    ("date_precision", "string", "day, dekad, month, year or fiscal_year."),
    ("date_text", "string", "The expression as written in the source."),
    ("inferred", "boolean", "True where the year was taken from the report's fiscal year."),
    ("open_start", "boolean", "True where the period has no written start (～2023年まで): "
     "date_start is the start of the end that is written."),
    ("open_end", "boolean", "True where the period has no written end (平成11年度～): "
     "date_end is the end of the start that is written."),
)

ENTRIES: Final[tuple[Column, ...]] = (
    ("fiscal_year", "integer", "Fiscal year of the report."),
    ("source_file", "string", "Input file, relative to the input folder."),
    ("source_line", "integer", "1-based physical line of the row in the input."),
    ("table_no", "integer", "1-based table of the report."),
    ("row_no", "integer", "1-based row within the table."),
    ("partner_label", "string", "The partner cell as printed."),
    ("partner_country", "string", "Partner country as printed."),
    ("partner_country_code", "string", "ISO 3166-1 alpha-2 code."),
    ("partner_city", "string", "Partner city, state or province."),
    ("partner_qualifier", "string", "A qualifier after the city, e.g. 等."),
    ("start_code", "string", "Start-year code as printed, e.g. S35."),
    ("start_fiscal_year", "integer", "Fiscal year the partnership began, from start_code."),
    ("bureau", "string", "Metropolitan bureau in charge."),
    ("bureau_contact", "string", "Contact number printed with the bureau."),
    ("bureau_inherited", "boolean", "True where the bureau comes from the row above."),
    ("event_count", "integer", "Number of events read from the row."),
    ("note", "string", "A note in place of events, e.g. 平成24年度実績なし, or the row's "
     "備考 cell."),
    ("government", "string", "The Japanese side, from the government columns (都道府県名, "
     "自治体名, ...) joined in column order."),
    ("partnership_date_text", "string", "The partnership date cell as printed (提携年月日)."),
    ("partnership_start", "date", "First day of the partnership date."),
    ("partnership_end", "date", "Last day of the partnership date."),
    ("partnership_precision", "string", "day, dekad, month, year or fiscal_year."),
    ("category", "string", "The category cell as printed (inherited when blank)."),
    ("inherited", "string", "Roles whose blank cell was taken from the row above in the table "
     "(government, country, partner, category), '; '-separated."),
)

EXTRAS: Final[tuple[Column, ...]] = (
    ("source_file", "string", "Input file, relative to the input folder."),
    ("source_line", "integer", "1-based physical line of the row in the input."),
    ("table_no", "integer", "1-based table of the report."),
    ("row_no", "integer", "1-based row within the table."),
    ("column", "string", "The header of a column no role took, as printed."),
    ("value", "string", "One non-empty cell of that column, as printed."),
)

REJECTS: Final[tuple[Column, ...]] = (
    ("source_file", "string", "Input file, relative to the input folder."),
    ("source_line", "integer", "1-based physical line (0: the whole file)."),
    ("reason", "string", "Why the line could not be read, with a stable code first."),
    ("raw", "string", "The line exactly as in the source."),
)


PARTNERS: Final[tuple[Column, ...]] = (
    ("partner_id", "string", "Partner key: country code (or country) and city, e.g. "
     "US:ニューヨーク市."),
    ("fiscal_year", "integer", "Fiscal year of the reports."),
    ("partner_country", "string", "Partner country as first printed."),
    ("partner_country_code", "string", "ISO 3166-1 alpha-2 code."),
    ("partner_city", "string", "Partner city, state or province."),
    ("start_fiscal_year", "integer", "Fiscal year the partnership began."),
    ("entry_count", "integer", "Table rows for this partner in the year's reports."),
    ("event_count", "integer", "Events for this partner in the year's reports."),
    ("bureaus", "string", "Bureaus in charge, '; '-separated, sorted."),
    ("source_files", "string", "Reports the rows come from, '; '-separated, sorted."),
)

EVENT_MONTHS: Final[tuple[Column, ...]] = (
    ("event_id", "string", "The event."),
    ("month", "date", "First day of a calendar month one of the event's periods touches."),
    ("fiscal_year", "integer", "Fiscal year of the event's report."),
    ("partner_id", "string", "Partner key, as partners.partner_id."),
    ("kind", "string", "The event's kind, as in events."),
    ("direction", "string", "The event's direction, as in events."),
)

TABLES: Final[dict[str, tuple[Column, ...]]] = {
    "events": EVENTS, "periods": PERIODS, "entries": ENTRIES, "partners": PARTNERS,
    "rejects": REJECTS, "extras": EXTRAS, "event_months": EVENT_MONTHS,
}

# Keys for datapackage.json: primary keys and the foreign keys between the tables.
PRIMARY_KEYS: Final[dict[str, list[str]]] = {
    "events": ["event_id"],
    "entries": ["source_file", "table_no", "row_no"],
    "periods": ["event_id", "period_no"],
    "partners": ["fiscal_year", "partner_id"],
    "event_months": ["event_id", "month"],
}
FOREIGN_KEYS: Final[dict[str, list[tuple[list[str], str, list[str]]]]] = {
    "periods": [(["event_id"], "events", ["event_id"])],
    "events": [(["source_file", "table_no", "row_no"], "entries",
                ["source_file", "table_no", "row_no"])],
    "extras": [(["source_file", "table_no", "row_no"], "entries",
                ["source_file", "table_no", "row_no"])],
    "event_months": [(["event_id"], "events", ["event_id"])],
}

# Each column type's Arrow type, by its pyarrow factory name (pyarrow.string() ...): names,
# so this module (which `pipeline dates` imports) does not load pyarrow itself.
ARROW_TYPES: Final[dict[str, str]] = {"string": "string", "integer": "int64",
                                      "boolean": "bool_", "date": "date32"}


def arrow_type(kind: str) -> Any:
    """The pyarrow type of a column type (string, integer, boolean, date)."""
    import pyarrow  # lazy for speed: `pipeline dates` never loads pyarrow

    return getattr(pyarrow, ARROW_TYPES[kind])()
