"""The result tables of a run as CSV/JSON files, safe to open in a spreadsheet (formula guard)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from disclosure.checks.findings import COLUMNS
from disclosure.inputs.validate import is_number
from disclosure.workspace import write_bytes

# What a spreadsheet reads as the start of a formula, in ASCII and in full width (Excel and WPS
# accept ＝ ＋ － ＠ typed on a Chinese keyboard as formula starts).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Every CSV output starts with a UTF-8 BOM: Excel on Chinese Windows otherwise reads it as GBK.
CSV_ENCODING = "utf-8-sig"


def _unprinted(c: str) -> bool:
    """Whitespace and control/format characters a spreadsheet skips before a formula sign."""
    return c.isspace() or unicodedata.category(c) in ("Cc", "Cf")


def safe_cell(value: Any) -> Any:
    """Guard against spreadsheet formula injection: text whose first printed character is one of
    = + - @ (or their full-width forms), possibly after spaces, tabs, line breaks or other control
    characters, is prefixed with '. Numbers such as -3 or +7 stay numbers."""
    if not isinstance(value, str):
        return "" if value is None else value
    if value.startswith(FORMULA_START):
        return value if is_number(value) else "'" + value
    first = next((i for i, c in enumerate(value) if not _unprinted(c)), len(value))
    rest = value[first:]
    if first and rest.startswith(FORMULA_START) and not is_number(rest.strip()):
        return "'" + value
    return value


def csv_text(records: list[dict[str, Any]], columns: list[str]) -> str:
    """RFC 4180 CSV: CRLF between records, so every cell holding a line break (\\n or a lone
    \\r) is quoted and stays one cell in Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
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


STATISTICS_COLUMNS = [
    "row",
    "label",
    "unit",
    "value",
    "reported",
    "agrees",
    "printed_no",
    "definition",
    "source",
]


def _table_csv(key: str, columns: list[str] | None = None) -> Callable[[dict[str, Any]], bytes]:
    def render(results: dict[str, Any]) -> bytes:
        records = results[key]
        text = csv_text(records, columns or (list(records[0]) if records else []))
        return text.encode(CSV_ENCODING)

    return render


# file name -> how it is made from the results bundle of the executed notebook
RESULT_FILES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "statistics.csv": _table_csv("statistics", STATISTICS_COLUMNS),
    "checklist.csv": _table_csv("checklist"),
    "checklist_categories.csv": _table_csv("categories"),
    "findings.csv": _table_csv("findings", COLUMNS),
    "findings.json": lambda results: (
        json.dumps(results["findings"], ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8"),
}

RESULT_TITLES = {
    "statistics.csv": "统计表:重算值与公布值逐行对照",
    "checklist.csv": "清单对照表(按事项)",
    "checklist_categories.csv": "清单对照表(按类别)",
    "findings.csv": "全部校验结果",
    "findings.json": "全部校验结果(JSON)",
}


def write_results(results: dict[str, Any], folder: Path) -> None:
    for name, render in RESULT_FILES.items():
        write_bytes(folder / name, render(results))
