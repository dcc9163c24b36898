"""Read one raw table from .csv (UTF-8, UTF-8 BOM, GB18030/GBK) or .xlsx into rows of text.

Nothing is guessed silently: the encoding used is returned, and so is every normalisation applied.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from disclosure.errors import InputError

MAX_BYTES = 5 * 1024 * 1024  # a year's raw table is kilobytes; more means a wrong file
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


@dataclass
class TextTable:
    """A table as text cells: `rows[i]` came from spreadsheet line `lines[i]` (header is line 1)."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    notes: list[str] = field(default_factory=list)


WORKBOOK_FILE = (
    "tables.xlsx"  # one workbook with a sheet per table, as `disclosure init --format xlsx` writes
)


def find_table_file(
    folder: Path, stem: str, sheets: list[str] | None = None, shown: str | None = None
) -> tuple[Path, str | None] | None:
    """(file, sheet) of a table: `<stem>.csv`, `<stem>.xlsx`, or sheet `<stem>` of tables.xlsx.

    `sheets` are tables.xlsx's sheet names when the caller read them once. More than one source
    is ambiguous and refused, so a forgotten template never wins silently.
    """
    found: list[tuple[Path, str | None]] = [
        (p, None) for p in (folder / f"{stem}.csv", folder / f"{stem}.xlsx") if p.is_file()
    ]
    book = folder / WORKBOOK_FILE
    if sheets is None:
        sheets = sheet_names(book, str(book)) if book.is_file() else []
    if stem in sheets:
        found.append((book, stem))
    if len(found) > 1:
        names = "、".join(p.name + (f"(工作表 {s})" if s else "") for p, s in found)
        raise InputError.one(
            f"{shown or folder}/{stem}",
            f"表 {stem} 同时出现在 {names} 中,无法确定用哪一个;请只保留一个",
        )
    return found[0] if found else None


def sheet_names(book: Path, shown: str) -> list[str]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(book, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError.one(
            shown, f"无法作为 Excel(.xlsx)文件打开,文件可能已损坏或并非 .xlsx(详情:{exc})"
        ) from None
    names = wb.sheetnames
    wb.close()
    return names


def read_text_table(path: Path, shown: str, sheet: str | None = None) -> TextTable:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError.one(
            shown,
            f"文件过大({size / 1048576:.1f} MB),超过 {MAX_BYTES // 1048576} MB 上限;"
            "请确认选对了文件",
        )
    if path.suffix.lower() == ".xlsx":
        table = _read_xlsx(path, shown, sheet)
    else:
        table = _read_csv(path, shown)
    _drop_blank_rows(table)
    return table


def decode(data: bytes, shown: str) -> tuple[str, str]:
    """Decode strictly: UTF-8 (with or without BOM), else GB18030/GBK when the text reads as
    Chinese.

    GB18030 decodes almost any bytes, so a decode alone proves nothing. Real GBK files from Chinese
    Windows consist of common characters (the GB2312 set); Big5, Shift-JIS, UTF-16 or binary data
    decoded as GB18030 give rare characters, control codes or private-use code points instead.
    A statistical detector (charset-normalizer) was tried and misread short GBK files as Korean.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (带 BOM)"
        except UnicodeDecodeError as exc:
            raise InputError.one(
                shown,
                f"文件标为 UTF-8(带 BOM),但第 {exc.start} 字节处不是有效的 UTF-8;"
                "请重新另存为 UTF-8",
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError.one(
            shown,
            "无法识别文件编码:文件是 UTF-16 编码(Excel 的“Unicode 文本”),"
            "不是 UTF-8 或 GBK 的 CSV;请在 Excel 中另存为“CSV UTF-8(逗号分隔)”",
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or not _reads_as_chinese(text):
        raise InputError.one(
            shown,
            "无法识别文件编码:既不是 UTF-8,也不像 GBK/GB18030 编码的中文;"
            "请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV",
        )
    return text, "GB18030 (兼容 GBK)"


def _reads_as_chinese(text: str) -> bool:
    """Most non-ASCII characters are common (GB2312) characters and there are no control codes."""
    if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        return False
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return False
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    # Real GBK text with rare characters in names measured 0.8; Big5 read as GBK measured 0.48.
    return common / len(wide) >= 0.7


def _read_csv(path: Path, shown: str) -> TextTable:
    text, encoding = decode(path.read_bytes(), shown)
    if not text.strip():
        raise InputError.one(shown, "文件为空,至少应有一行表头")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if header is None:
                header = record
                continue
            rows.append(record)
            lines.append(
                len(rows) + 1
            )  # the row as Excel shows it: a quoted line break stays inside one row
    except csv.Error as exc:
        raise InputError.one(
            shown, f"CSV 格式错误(引号不配对或含有无法识别的字符;详情:{exc})", row=len(rows) + 2
        ) from None
    assert header is not None
    for record, line in zip(rows, lines, strict=True):
        for col, cell in enumerate(record):
            # An unclosed quote swallows the following rows into one cell: lines that hold commas.
            if "\n" in cell and any("," in part for part in cell.split("\n")[1:]):
                name = header[col] if col < len(header) else f"第 {col + 1} 列"
                raise InputError.one(
                    shown,
                    f"列“{name}”中的引号没有闭合,其后的若干行被并入了这一格;请检查该格的英文双引号",
                    row=line,
                )
    return TextTable(path, header, rows, lines, encoding)


def _read_xlsx(path: Path, shown: str, sheet_name: str | None = None) -> TextTable:
    import openpyxl

    try:
        # data_only=False so formulas are seen (and refused), not replaced by possibly stale caches.
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError.one(
            shown, f"无法作为 Excel(.xlsx)文件打开,文件可能已损坏或并非 .xlsx(详情:{exc})"
        ) from None
    wanted = sheet_name or path.stem
    sheet = book[wanted] if wanted in book.sheetnames else book.worksheets[0]
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    formulas: list[str] = []
    for number, record in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = [_cell_text(v) for v in record]
        for col, value in enumerate(record):
            if isinstance(value, str) and value.startswith("="):
                formulas.append(f"第 {number} 行第 {col + 1} 列")
        if header is None:
            if not any(cells):
                continue  # leading blank rows above the header
            header = cells
            continue
        rows.append(cells)
        lines.append(number)
    book.close()
    if header is None:
        raise InputError.one(shown, f"工作表“{sheet.title}”为空,至少应有一行表头")
    if formulas:
        raise InputError.one(
            shown, f"含公式单元格({'、'.join(formulas[:5])}),请复制后“粘贴为数值”再保存"
        )
    while header and not header[-1]:
        header.pop()
    return TextTable(
        path, header, rows, lines, f"xlsx(工作表“{sheet.title}”)"
    )  # cells beyond the header are checked, not cut


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _drop_blank_rows(table: TextTable) -> None:
    keep = [i for i, r in enumerate(table.rows) if any(c.strip() for c in r)]
    dropped = len(table.rows) - len(keep)
    if dropped:
        table.notes.append(f"忽略空行 {dropped} 行")
        table.rows = [table.rows[i] for i in keep]
        table.lines = [table.lines[i] for i in keep]


def normalise_number(text: str) -> tuple[str, bool]:
    """Full-width digits and thousands separators to plain digits; returns (text, changed)."""
    plain = text.strip().translate(FULL_WIDTH)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", plain):
        plain = plain.replace(",", "")
    return plain, plain != text.strip()
