"""Write output files atomically, and the result tables as CSV/JSON safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from disclosure.inputs.validate import is_number
from disclosure.workspace import write_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Guard against spreadsheet formula injection: text starting with = + - @ is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not is_number(value):
        return "'" + value
    return "" if value is None else value


def csv_text(records: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([safe_cell(_plain(record.get(c))) for c in columns])
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


STATISTICS_COLUMNS = ["row", "label", "unit", "value", "reported", "agrees", "printed_no", "definition", "source"]
FINDINGS_COLUMNS = ["id", "severity", "family", "title", "check", "filled", "passed", "sources", "basis"]


def write_results(results: dict[str, Any], folder: Path) -> None:
    stats = results["statistics"]
    write_text(folder / "statistics.csv", csv_text(stats, STATISTICS_COLUMNS))
    checklist = results["checklist"]
    write_text(folder / "checklist.csv", csv_text(checklist, list(checklist[0]) if checklist else []))
    categories = results["categories"]
    write_text(folder / "checklist_categories.csv", csv_text(categories, list(categories[0]) if categories else []))
    write_text(folder / "findings.csv", csv_text(results["findings"], FINDINGS_COLUMNS))
    write_text(folder / "findings.json", json.dumps(results["findings"], ensure_ascii=False, indent=2) + "\n")
