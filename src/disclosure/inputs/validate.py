"""Check a text table against its schema and type it; collect every problem in the table."""

from __future__ import annotations

import re
import unicodedata
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


def keyed_header(header: list[str], schema: TableDef) -> tuple[list[str], str]:
    """The header with each Chinese column title (forms/tables.yaml `column_titles`) read as its
    key, and why not when one file mixes the two."""
    by_title = {c.title: c.name for c in schema.columns if c.title and c.title != c.name}
    keys = {c.name for c in schema.columns}
    titled = [h for h in header if h in by_title and h not in keys]
    keyed = [h for h in header if h in keys and h not in by_title]
    if titled and keyed:
        return header, (
            f"表头混用了中文列名({'、'.join(titled)})和英文列名({'、'.join(keyed)});"
            "请整行统一用中文列名或英文列名"
        )
    return [by_title.get(h, h) if h not in keys else h for h in header], ""


def validate(
    table: TextTable, schema: TableDef, shown: str, start: date, end: date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    header = [h.strip().lstrip("\ufeff") for h in table.header]
    header, mixed = keyed_header(header, schema)
    if mixed:
        return pd.DataFrame(), [Problem(shown, mixed, row=1)]
    known = [c.name for c in schema.columns]
    for col in header:
        if col and col not in known:
            problems.append(
                Problem(
                    shown,
                    hidden(col, "列名", "不是该表的列", known)
                    or f"未知列“{col}”;该表允许的列:{'、'.join(known)}",
                    row=1,
                )
            )
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
    if problems and table.dated:  # an xlsx count formatted as a date: name the format
        problems = _dated(problems, table, schema, index)
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
                    shown,
                    hidden(text, "应为非负整数,实际为文本", "")
                    or excel_error(text)
                    or f"应为非负整数,实际为{kind}“{short(text)}”",
                    row=line,
                    column=col.name,
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
                    hidden(text, "", "不是允许的值", col.allowed)
                    or excel_error(text)
                    or f"“{short(text)}”不是允许的值;允许:{'、'.join(col.allowed)}",
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
                    shown,
                    hidden(text, "日期", "无法识别")
                    or f"日期“{short(text)}”无法识别,应为 YYYY-MM-DD{_serial_date(text)}",
                    row=line,
                    column=col.name,
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


# Characters that show as nothing (or as an ordinary space) but make a value differ from the one
# it looks like; any other format character (category Cf) is named by its code point alone.
INVISIBLE = {
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u2060": "零宽不换行",
    "\ufeff": "零宽不换行空格/BOM",
    "\u00a0": "不换行空格",
    "\u3000": "全角空格",
    "\u00ad": "软连字符",
}


def _invisible(c: str) -> bool:
    return c in INVISIBLE or unicodedata.category(c) == "Cf"


def hidden(
    text: str, before: str, after: str, allowed: list[str] | tuple[str, ...] = ()
) -> str | None:
    """The message for a refused value holding a character that cannot be seen (a zero-width
    space pasted from a web page...): the value with each such character spelt out, which one, where
    it sits and what is left without it. None when there is none (the caller's message stands).
    Only called once a value has been refused."""
    at = [i for i, c in enumerate(text) if _invisible(c)]
    if not at:
        return None
    shown = "".join(f"<U+{ord(c):04X}>" if _invisible(c) else c for c in text)
    first = text[at[0]]
    lead = text[: at[0]]
    where = f"“{lead[-10:]}”之后" if lead else "开头"
    clean = "".join(c for c in text if not _invisible(c)).strip()
    result = (
        f"即为允许的值“{clean}”"
        if clean in allowed
        else f"为“{short(clean)}”" + (f"(允许:{'、'.join(allowed)})" if allowed else "")
    )
    return (
        f"{before}“{short(shown, 40)}”{after}:{where}有看不见的字符 U+{ord(first):04X}"
        f"({INVISIBLE.get(first, '格式控制字符')})"
        + (f"等 {len(at)} 个" if len(at) > 1 else "")
        + f",多半是从网页或聊天软件复制时带入的;删去后{result}"
    )


# What Excel shows in a cell whose formula failed; a CSV saved from Excel keeps the text.
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")


def excel_error(text: str) -> str | None:
    """The message for a refused value that is one of Excel's error values, else None."""
    if text.upper() not in EXCEL_ERRORS:
        return None
    return (
        f"单元格是 Excel 的错误值“{text}”(公式出错或引用失效的结果),不是数据;"
        "请在 Excel 中改正公式,再复制后“粘贴为数值”"
    )


def _serial_date(text: str) -> str:
    """A hint when a date cell holds Excel's day number (a date cell formatted as General)."""
    if not ASCII_INT.fullmatch(text) or not 20_000 <= int(text) <= 80_000:  # 1954 to 2119
        return ""
    from openpyxl.utils.datetime import from_excel

    return (
        f"(“{text}”像是 Excel 的日期序号,即 {from_excel(int(text)).date()};"
        "请把该列单元格格式设为日期,或写成 YYYY-MM-DD)"
    )


def _dated(
    problems: list[Problem], table: TextTable, schema: TableDef, index: dict[str, int]
) -> list[Problem]:
    """Problems of xlsx cells that Excel formats as a date or time although the column is not a
    date: the message says so and shows the number the cell holds."""
    kinds = {c.name: c.type for c in schema.columns}
    out = []
    for p in problems:
        number = (
            table.dated.get((p.row, index[p.column]))
            if p.row is not None and p.column in index and kinds.get(p.column) != "date"
            else None
        )
        if number is None:
            out.append(p)
            continue
        cells = table.rows[table.lines.index(p.row)]
        message = (
            f"单元格在 Excel 中设成了日期或时间格式,显示为“{cells[index[p.column]]}”,"
            f"实际存的数是 {number};请把该列单元格格式改为“常规”或“数值”后再保存"
        )
        out.append(Problem(p.file, message, p.row, p.column))
    return out


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
