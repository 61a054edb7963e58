"""datapackage.json: the output folder described as a Frictionless data package."""

from __future__ import annotations

from typing import Any

from pipeline import __version__
from pipeline.schema import FOREIGN_KEYS, PRIMARY_KEYS, TABLES


def _field(name: str, kind: str, description: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": kind, "description": description}
    if kind == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    return field


def datapackage(outputs: dict[str, Any]) -> dict[str, Any]:
    """One tabular resource per CSV table, with its schema, keys, sha256 and size."""
    resources = []
    for table, columns in TABLES.items():
        described = outputs[f"{table}.csv"]
        schema: dict[str, Any] = {
            "fields": [_field(*column) for column in columns],
            "missingValues": [""],
        }
        if table in PRIMARY_KEYS:
            schema["primaryKey"] = PRIMARY_KEYS[table]
        if table in FOREIGN_KEYS:
            schema["foreignKeys"] = [
                {"fields": fields, "reference": {"resource": resource, "fields": target}}
                for fields, resource, target in FOREIGN_KEYS[table]
            ]
        resources.append({
            "name": table,
            "path": f"{table}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "hash": f"sha256:{described['sha256']}",
            "bytes": described["bytes"],
            "schema": schema,
        })
    return {
        "name": "sister-city-exchanges",
        "title": "Tokyo Metropolitan Government: exchanges with sister, friendship and "
                 "policy-partner cities",
        "profile": "tabular-data-package",
        "description": f"Extracted by pipeline {__version__} from the yearly reports listed "
                       "in manifest.json.",
        "resources": resources,
    }
