"""Recompute the statistics table (统计表) from a year's raw tables, row by row as the form defines."""

from __future__ import annotations

import re

import pandas as pd

from disclosure.expr import evaluate, parse
from disclosure.inputs.dataset import YearData
from disclosure.inputs.forms import RowDef
from disclosure.inputs.validate import LINE


def row_value(row: RowDef, data: YearData) -> tuple[object, str]:
    """The value of one form row and where it came from (file and spreadsheet lines)."""
    if row.source == "profile":
        value = data.profile.get(row.field or "")
        return value, f"profile.yaml: {row.field}"
    frame = data.tables.get(row.source, pd.DataFrame())
    if frame.empty:
        return 0, f"{data.table_files.get(row.source, row.source)}(无数据行)"
    mask = evaluate(parse(row.where), {c: frame[c] for c in frame.columns}) if row.where else pd.Series(True, index=frame.index)
    picked = frame.loc[mask.astype(bool)]
    value = int(pd.to_numeric(picked[row.sum], errors="coerce").fillna(0).sum())
    lines = _ranges(picked[LINE].tolist())
    return value, f"{data.table_files[row.source]} 第 {lines} 行" if lines else f"{data.table_files[row.source]}(无匹配行)"


def statistics(data: YearData) -> pd.DataFrame:
    """The rebuilt 55-row table, each row beside its definition and, where published, the printed value."""
    records = []
    for row in data.rows:
        value, source = row_value(row, data)
        records.append(
            {
                "row": row.row,
                "label": row.label,
                "unit": row.unit,
                "kind": row.kind,
                "value": value,
                "definition": row.definition,
                "source": source,
            }
        )
    table = pd.DataFrame(records)
    reported = data.tables.get("reported_statistics")
    if reported is None or reported.empty:
        table["printed_no"], table["reported"], table["agrees"] = None, None, None
        return table
    printed = reported.reset_index(drop=True).reindex(range(len(table)))
    table["printed_no"] = printed["printed_no"].tolist()
    table["reported"] = [None if v is None or pd.isna(v) else str(v) for v in printed["value"]]
    table["agrees"] = [_agrees(v, r, u) for v, r, u in zip(table["value"], printed["value"], printed["unit"], strict=True)]
    return table


def _agrees(value: object, reported: object, unit: object) -> bool | None:
    if reported is None or pd.isna(reported):
        return None
    mine = re.sub(r"\s+", "", str(value))
    theirs = re.sub(r"\s+", "", str(reported))
    with_unit = theirs + re.sub(r"\s+", "", "" if unit is None or pd.isna(unit) else str(unit))
    return mine in (theirs, with_unit)


def _ranges(lines: list[int]) -> str:
    """[2, 3, 4, 7] -> '2-4、7' (spreadsheet lines, as a user finds them)."""
    parts: list[tuple[int, int]] = []
    for line in sorted(lines):
        if parts and parts[-1][1] == line - 1:
            parts[-1] = (parts[-1][0], line)
        else:
            parts.append((line, line))
    return "、".join(f"{a}" if a == b else f"{a}-{b}" for a, b in parts)
