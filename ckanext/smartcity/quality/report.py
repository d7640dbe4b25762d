"""The quality report as CSV: the one writer behind ``/qualitaet.csv`` and
``ckan smartcity quality --format csv``."""
from __future__ import annotations

import csv
from typing import Any, TextIO

CSV_COLUMNS = ("name", "title", "organization", "score", "rating", "violations",
               "open_steps", "private", "computed_at")


def cell(value: Any) -> str:
    """No spreadsheet formulas from titles (=HYPERLINK(...), +, -, @)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write(report: dict[str, Any], out: TextIO) -> None:
    """The rows of ``smartcity_quality_list``'s answer, one per dataset."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report["datasets"]:
        writer.writerow([cell(row.get(column)) for column in CSV_COLUMNS])
