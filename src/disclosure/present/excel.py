"""statistics.xlsx (openpyxl): the statistics table as the printed form lays it out, and the
checklist, for offices that keep the 统计表 in Excel.

Sheet 统计表: title, school, then 序号 | 内容 | 数量 | 单位, one line per row of the form; where a
published table exists, 公布值 and 是否一致 beside the rebuilt value (a disagreement filled red).
Sheet 清单对照检查表: the checklist in the printed form's columns (document.CHECKLIST_HEADERS).
Counts are numbers, 有/无 and 收费/不收费 are text; A4 print setup with the header rows repeated.
The bytes are reproducible (fixed properties and zip times).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from disclosure.present.document import (
    CHECKLIST_HEADERS,
    STATISTICS_HEADERS,
    annex2_title,
    stable_zip,
)

FONT = "Noto Serif CJK SC"
THIN = Side(style="thin", color="444444")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DIFFERS = PatternFill("solid", fgColor="F8D7DA")
FIXED_TIME = datetime(2000, 1, 1)
WHOLE = re.compile(r"\d+")


def xlsx_bytes(doc: dict[str, Any]) -> bytes:
    book = Workbook()
    _statistics(book.active, doc)
    _checklist(book.create_sheet("清单对照检查表"), doc)
    book.properties.creator = book.properties.lastModifiedBy = doc["issuer"]
    book.properties.title = f"{doc['year']} 学年度信息公开工作统计表"
    book.properties.created = book.properties.modified = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return stable_zip(out.getvalue())


def _number(value: str) -> int | str:
    """A whole number as a number (Excel sums it); anything else as the text printed."""
    return int(value) if WHOLE.fullmatch(value) else value


def _sheet_head(sheet: Any, title: str, issuer: str, headers: list[str], widths: list[int]) -> None:
    last = get_column_letter(len(headers))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title
    sheet["A1"].font = Font(name=FONT, size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"] = f"学校名称：{issuer}"
    sheet["A2"].font = Font(name=FONT, size=11)
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = sheet.cell(row=3, column=column, value=text)
        cell.font = Font(name=FONT, size=10.5, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = GRID
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _put(sheet: Any, row: int, values: list[Any], centred: tuple[int, ...]) -> None:
    for column, value in enumerate(values, 1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font = Font(name=FONT, size=10.5)
        cell.border = GRID
        cell.alignment = Alignment(
            horizontal="center" if column in centred else "left", vertical="top", wrap_text=True
        )


def _statistics(sheet: Any, doc: dict[str, Any]) -> None:
    sheet.title = "统计表"
    published = any(row["published"] is not None for row in doc["statistics"])
    headers = [*STATISTICS_HEADERS, *(["公布值", "是否一致"] if published else [])]
    widths = [6, 62, 10, 6] + ([10, 9] if published else [])
    _sheet_head(sheet, f"{doc['year']} 学年度信息公开工作统计表", doc["issuer"], headers, widths)
    for line, row in enumerate(doc["statistics"], 4):
        values = [row["row"], row["label"], _number(row["value"]), row["unit"]]
        if published:
            shown = row["published"]
            agrees = {True: "一致", False: "不一致", None: ""}[row["agrees"]]
            values += [_number(shown) if shown is not None else None, agrees]
        _put(sheet, line, values, centred=(1, 3, 4, 5, 6))
        if row["agrees"] is False:
            for column in range(1, len(values) + 1):
                sheet.cell(row=line, column=column).fill = DIFFERS


def _checklist(sheet: Any, doc: dict[str, Any]) -> None:
    headers = list(CHECKLIST_HEADERS)
    title = annex2_title(doc)
    _sheet_head(sheet, title, doc["issuer"], headers, [11, 6, 9, 70, 14, 30])
    lines: dict[int, list[int]] = {}
    for line, item in enumerate(doc["checklist"], 4):
        category = item["category"]
        lines.setdefault(category, []).append(line)
        values = [
            f"第 {category} 大类" if len(lines[category]) == 1 else None,
            item["item"],
            item["count"] if item["count"] > 0 else None,
            "\n".join(item["links"]),
            item["on_platform"],
            item["remark"],
        ]
        _put(sheet, line, values, centred=(1, 2, 3, 5))
    for rows in lines.values():  # the category spans its items, as on the printed form
        if len(rows) > 1 and rows[-1] - rows[0] == len(rows) - 1:
            sheet.merge_cells(start_row=rows[0], end_row=rows[-1], start_column=1, end_column=1)
