"""Check a text table against its schema and type it; collect every problem in the table."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pandas as pd

from disclosure.errors import Problem
from disclosure.inputs.forms import ColumnDef, TableDef
from disclosure.inputs.read import TextTable, normalise_number
from disclosure.inputs.yamlio import short
from disclosure.workspace import TABLES_FORM

# A 有/无 answer where the form asks 是/否 (and back) means the same; normalise, and say so.
SYNONYMS = {"有": "是", "无": "否", "是": "有", "否": "无", "Y": "是", "N": "否"}
LINE = "_line"
# 2024-03-09, 2024/3/9 (what Excel writes in a Chinese locale), 2024.3.9, 2024年3月9日
ASCII_INT = re.compile(r"-?[0-9]+")
DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?")


def validate(
    table: TextTable, schema: TableDef, shown: str, start: date, end: date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    header = [h.strip().lstrip("\ufeff") for h in table.header]
    known = [c.name for c in schema.columns]
    for col in header:
        if col and col not in known:
            problems.append(Problem(shown, f"未知列“{col}”;该表允许的列:{'、'.join(known)}", row=1))
    dupes = [c for c, n in Counter(header).items() if n > 1 and c]
    problems += [Problem(shown, f"列“{c}”重复出现", row=1) for c in dupes]
    missing = [c.name for c in schema.columns if c.required and c.name not in header]
    if missing:
        problems.append(Problem(shown, f"缺少必需的列:{'、'.join(missing)}", row=1))
    if schema.required_rows and not table.rows:
        problems.append(Problem(shown, "只有表头没有数据行;该表至少需要一行"))
    if problems:
        return pd.DataFrame(), problems
    index = {name: header.index(name) for name in known if name in header}
    data: dict[str, list[object]] = {c.name: [] for c in schema.columns}
    counts: Counter[str] = Counter()
    for cells, line in zip(table.rows, table.lines, strict=True):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(
                Problem(
                    shown, f"本行有 {len(cells)} 个单元格,多于表头的 {len(header)} 列", row=line
                )
            )
        for col in schema.columns:
            raw = (
                cells[index[col.name]] if col.name in index and index[col.name] < len(cells) else ""
            )
            value, note = _typed(raw, col, shown, line, start, end, problems)
            if note:
                counts[note] += 1
            data[col.name].append(value)
    table.notes += [f"{note} {n} 处" for note, n in sorted(counts.items())]
    frame = pd.DataFrame(data, dtype=object)
    frame[LINE] = table.lines
    problems += _unique(frame, schema, shown)
    return frame, problems


def _typed(
    raw: str,
    col: ColumnDef,
    shown: str,
    line: int | None,
    start: date,
    end: date,
    problems: list[Problem],
) -> tuple[object, str | None]:
    text = raw.strip()
    note = "去除首尾空格" if text != raw and text else None
    if not text:
        if col.required:
            problems.append(Problem(shown, "不能为空", row=line, column=col.name))
        return col.default, None
    if col.type == "int":
        plain, changed = normalise_number(text)
        if changed:
            note = "全角数字或千位分隔符已规范"
        if plain.endswith(".0"):
            plain = plain[:-2]
        if not ASCII_INT.fullmatch(plain) and re.fullmatch(r"[+-]?[\d_]+", plain):
            # int() also takes ٣٣٥, 1_98 and +174; a count is written with the digits 0-9 only
            problems.append(
                Problem(
                    shown,
                    f"应为只用数字 0-9 写的非负整数,实际为“{short(text)}”"
                    "(含其他文字的数字、下划线或正号)",
                    row=line,
                    column=col.name,
                )
            )
            return None, note
        try:
            value = int(plain)
        except ValueError:
            kind = "小数" if is_number(plain) else "文本"
            problems.append(
                Problem(
                    shown, f"应为非负整数,实际为{kind}“{short(text)}”", row=line, column=col.name
                )
            )
            return None, note
        if value < 0:
            problems.append(
                Problem(shown, f"应为非负整数,实际为负数 {value}", row=line, column=col.name)
            )
        message = out_of_range(value, col.min, col.max, "该列")
        if message:
            problems.append(Problem(shown, message, row=line, column=col.name))
        return value, note
    if col.type == "choice":
        if text not in col.allowed and SYNONYMS.get(text) in col.allowed:
            return SYNONYMS[text], f"“{text}”按表单改写为“{SYNONYMS[text]}”"
        if text not in col.allowed:
            problems.append(
                Problem(
                    shown,
                    f"“{short(text)}”不是允许的值;允许:{'、'.join(col.allowed)}",
                    row=line,
                    column=col.name,
                )
            )
        return text, note
    if col.type == "date":
        found = DATE.fullmatch(text)
        try:
            if not found:
                raise ValueError(text)
            value = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            problems.append(
                Problem(
                    shown, f"日期“{short(text)}”无法识别,应为 YYYY-MM-DD", row=line, column=col.name
                )
            )
            return None, note
        if not start <= value <= end:
            problems.append(
                Problem(
                    shown, f"日期 {value} 不在本学年({start} 至 {end})内", row=line, column=col.name
                )
            )
        return value.isoformat(), note
    return text, note


def typed(
    raw: str, col: ColumnDef, shown: str, start: date, end: date, problems: list[Problem]
) -> object:
    """One value typed and checked like a cell of a raw table (used for corrections)."""
    return _typed(raw, col, shown, None, start, end, problems)[0]


def out_of_range(value: int, low: int | None, high: int | None, what: str) -> str | None:
    """The message for an integer outside [low, high] (either bound may be absent), else None.

    A negative value without a lower bound is reported as negative by the caller, not here.
    """
    if low is not None and high is not None:
        return None if low <= value <= high else f"应在 {low} 到 {high} 之间,实际为 {value}"
    if low is not None and value < low:
        return f"应不小于 {low},实际为 {value}"
    if high is not None and value > high:
        return (
            f"应为不超过 {high} 的非负整数,实际为 {value}"
            f"(超过 {TABLES_FORM} 为{what}规定的上限,请核对是否多输或粘贴错了数字)"
        )
    return None


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unique(frame: pd.DataFrame, schema: TableDef, shown: str) -> list[Problem]:
    if not schema.key or frame.empty:
        return []
    parts = zip(*(frame[k].tolist() for k in schema.key), strict=True)
    keys = ["|".join("" if _missing(v) else str(v) for v in values) for values in parts]
    lines: dict[str, list[object]] = {}
    for key, line in zip(keys, frame[LINE].tolist(), strict=True):
        if key.strip("|"):  # empty keys: reported as 不能为空
            lines.setdefault(key, []).append(line)
    return [
        Problem(
            shown,
            f"{'/'.join(schema.key)}“{key}”重复出现(第 {'、'.join(str(n) for n in at)} 行),"
            "每个只能出现一次",
            row=int(at[1]),  # type: ignore[call-overload]
        )
        for key, at in lines.items()
        if len(at) > 1
    ]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
