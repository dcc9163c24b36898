"""Recompute the statistics table (统计表) from a year's raw tables, row by row as the form
defines."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from disclosure.expr import blank, compact, evaluate, exact, exact_sum, number, parsed
from disclosure.inputs.dataset import YearData
from disclosure.inputs.forms import RowDef
from disclosure.inputs.validate import LINE


def selection(row: RowDef, data: YearData) -> pd.DataFrame | None:
    """The raw rows a form row sums (those satisfying its `where`); None for a profile row."""
    if row.source == "profile":
        return None
    frame = data.tables.get(row.source, pd.DataFrame())
    if frame.empty or not row.where:
        return frame
    return frame[_mask(row, frame, {c: frame[c].to_numpy() for c in frame.columns})]


def _mask(row: RowDef, frame: pd.DataFrame, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Which rows satisfy the row's `where`, evaluated element-wise over the columns as arrays."""
    mask = np.asarray(evaluate(parsed(str(row.where)), columns), dtype=bool)
    if mask.ndim == 0:  # a condition naming no column holds for every row or for none
        mask = np.full(len(frame), bool(mask))
    return mask


class _Picked:
    """The rows `selection` would give, as column arrays (what row_value and row_source read):
    statistics() takes each table's columns once instead of slicing a frame per form row."""

    def __init__(self, columns: dict[str, np.ndarray], mask: np.ndarray | None) -> None:
        self.columns, self.mask = columns, mask
        self.empty = not (mask.any() if mask is not None else len(columns[LINE]))

    def __getitem__(self, name: str) -> np.ndarray:
        column = self.columns[name]
        return column if self.mask is None else column[self.mask]


def _picked(
    row: RowDef, data: YearData, tables: dict[str, dict[str, np.ndarray]]
) -> _Picked | pd.DataFrame | None:
    if row.source == "profile":
        return None
    frame = data.tables.get(row.source)
    if frame is None:
        return pd.DataFrame()
    if frame.empty:
        return frame
    if row.source not in tables:  # the table's cells once, as one object matrix
        cells = frame.to_numpy(dtype=object)
        tables[row.source] = {c: cells[:, i] for i, c in enumerate(frame.columns)}
    columns = tables[row.source]
    return _Picked(columns, _mask(row, frame, columns) if row.where else None)


def row_value(
    row: RowDef, data: YearData, picked: pd.DataFrame | _Picked | None = None
) -> tuple[object, str]:
    """The value of one form row and where it came from (file and spreadsheet lines)."""
    if row.source == "profile":
        value = data.profile.get(row.field or "")
        return value, f"profile.yaml: {row.field}"
    frame = data.tables.get(row.source)
    if frame is None or frame.empty:
        return 0, f"{data.table_files.get(row.source, row.source)}(无数据行)"
    picked = selection(row, data) if picked is None else picked
    value = exact_sum(picked[row.sum])
    lines = _ranges(picked[LINE].tolist())
    return (
        value,
        f"{data.table_files[row.source]} 第 {lines} 行"
        if lines
        else f"{data.table_files[row.source]}(无匹配行)",
    )


def row_source(
    row: RowDef, data: YearData, picked: pd.DataFrame | _Picked | None
) -> dict[str, object]:
    """Where a row's value comes from, as data: the file, the table and the spreadsheet rows (for a
    profile row, the key) that lineage.json and the audit copy's links point to."""
    if row.source == "profile":
        return {
            "source_file": f"{data.params.data_dir}/profile.yaml",
            "source_table": "profile",
            "source_rows": [row.field],
        }
    file = data.table_files.get(row.source, row.source)
    rows = [] if picked is None or picked.empty else [int(n) for n in picked[LINE]]
    return {"source_file": file.split("[", 1)[0], "source_table": row.source, "source_rows": rows}


def statistics(data: YearData) -> pd.DataFrame:
    """The rebuilt table (every row of the form), each row beside its definition and, where
    published, the printed value."""
    records = []
    tables: dict[str, dict[str, np.ndarray]] = {}
    for row in data.rows:
        picked = _picked(row, data, tables)
        value, source = row_value(row, data, picked)
        records.append(
            {
                "row": row.row,
                "label": row.label,
                "unit": row.unit,
                "kind": row.kind,
                "expected": row.expected,
                "allowed": list(row.allowed),
                "value": value,
                "definition": row.definition,
                "source": source,
                **row_source(row, data, picked),
            }
        )
    table = pd.DataFrame(records)
    reported = data.tables.get("reported_statistics")
    if reported is None or reported.empty:
        for column in ("printed_no", "reported", "published", "agrees"):
            table[column] = None
        return table
    # Line i of the published table is form row i+1; a shorter table leaves the last rows blank.
    printed = reported.reset_index(drop=True).reindex(range(len(table)))
    table["printed_no"] = [None if blank(v) else str(v) for v in printed["printed_no"]]
    table["reported"] = [None if blank(v) else str(v) for v in printed["value"]]
    table["published"] = [
        published(v, u, form_unit)
        for v, u, form_unit in zip(printed["value"], printed["unit"], table["unit"], strict=True)
    ]
    table["agrees"] = [
        None if blank(p) else compact(v) == compact(p)
        for v, p in zip(table["value"], table["published"], strict=True)
    ]
    return table


def published(value: object, printed_unit: object, form_unit: str) -> object:
    """The published value as the rules read it (`pN`): a count as an int (full-width digits and
    spaces ignored), else the text; a unit printed beside a row whose form has no unit (row 54's
    "0 元") is part of what was printed, so it is kept."""
    if blank(value):
        return None
    if not form_unit and not blank(printed_unit):
        return compact(value) + compact(printed_unit)
    return number(value)


def with_previous(stats: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """The table with the previous year's rebuilt value of each row beside this year's."""
    before = {} if previous is None else dict(zip(previous["row"], previous["value"], strict=True))
    return stats.assign(previous=[before.get(row) for row in stats["row"]])


def _ranges(lines: list[int]) -> str:
    """[2, 3, 4, 7] -> '2-4、7' (spreadsheet lines, as a user finds them)."""
    parts: list[tuple[int, int]] = []
    for line in sorted(lines):
        if parts and parts[-1][1] == line - 1:
            parts[-1] = (parts[-1][0], line)
        else:
            parts.append((line, line))
    return "、".join(f"{a}" if a == b else f"{a}-{b}" for a, b in parts)


# --- exact integers -------------------------------------------------------------------------------
# A column of counts is summed in Python ints, never in numpy's int64, which wraps around silently
# past 2^63 - 1. Each cell is read as pd.to_numeric(errors="coerce") read it: a blank or text cell
# counts 0, a whole float as its int; a fraction is kept exact and the total truncated (int()).

INT64 = (-(2**63), 2**63 - 1)


def whole(value: object) -> int:
    """One cell as an int (blank or text 0, a fraction truncated), exact at any size."""
    return int(exact(value))


def int_column(values: Iterable[object], index: pd.Index | None = None) -> pd.Series:
    """Exact ints as a column: int64 when every value fits (as before), else Python ints."""
    ints = [whole(v) for v in values]
    fits = all(INT64[0] <= v <= INT64[1] for v in ints)
    return pd.Series(ints, index=index, dtype="int64" if fits else object)
