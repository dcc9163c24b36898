"""Read one raw table from .csv (UTF-8, UTF-8 BOM, GB18030/GBK) or .xlsx into rows of text.

Nothing is guessed silently: the encoding used is returned, and so is every normalisation applied.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from pathlib import Path

from disclosure.errors import InputError

MAX_BYTES = 5 * 1024 * 1024  # a year's raw table is kilobytes; more means a wrong file
# An .xlsx is a zip: its parts' sizes once unpacked, read from the zip directory before openpyxl
# parses anything (a zip bomb is a few MB packed and gigabytes unpacked).
MAX_XLSX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 50_000  # data rows of one table (the largest register of a year is a few hundred)
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

    xlsx_within_limits(book, shown)
    try:
        wb = openpyxl.load_workbook(book, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError.one(
            shown, f"无法作为 Excel(.xlsx)文件打开,文件可能已损坏或并非 .xlsx(详情:{exc})"
        ) from None
    names = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    wb.close()
    return names


def xlsx_within_limits(path: Path, shown: str) -> None:
    """Refuse an .xlsx whose parts unpack beyond MAX_XLSX_UNPACKED, from the zip directory alone."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError.one(
            shown, "无法作为 Excel(.xlsx)文件打开,文件可能已损坏或并非 .xlsx(不是有效的 zip)"
        ) from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise InputError.one(
            shown,
            f"Excel 文件解压后共 {unpacked / 1048576:.0f} MB,超过 {MAX_XLSX_UNPACKED // 1048576} MB"
            " 上限(可能是“压缩炸弹”);请确认选对了文件",
        )


def read_text_table(path: Path, shown: str, sheet: str | None = None) -> TextTable:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError.one(
            shown,
            f"文件过大({size / 1048576:.1f} MB),超过 {MAX_BYTES // 1048576} MB 上限;"
            "请确认选对了文件",
        )
    if path.suffix.lower() == ".xlsx":
        xlsx_within_limits(path, shown)
        table = _read_xlsx(path, shown, sheet)
    else:
        table = _read_csv(path, shown)
    _drop_blank_rows(table)
    _refuse_control_characters(table, shown)
    _refuse_blank_header_cells(table, shown)
    return table


def _too_many_rows(shown: str) -> InputError:
    return InputError.one(
        shown, f"数据行超过 {MAX_ROWS} 行上限;一个学年的原始表只有几百行,请确认选对了文件"
    )


def column_letter(index: int) -> str:
    """The spreadsheet letter of the 0-based column `index` (0 -> A, 26 -> AA)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _refuse_control_characters(table: TextTable, shown: str) -> None:
    """NUL and other control characters are never data; they hide text from a reader."""
    if not any(CONTROL.search(cell) for cell in (*table.header, *chain.from_iterable(table.rows))):
        return  # the usual table: one regular-expression scan per cell, no character loop
    for line, cells in [(1, table.header), *zip(table.lines, table.rows, strict=True)]:
        for col, cell in enumerate(cells):
            bad = next((c for c in cell if _control(c)), None)
            if bad is not None:
                raise InputError.one(
                    shown,
                    f"第 {column_letter(col)} 列的单元格含控制字符 U+{ord(bad):04X};"
                    "请删去后再保存(这类字符看不见,却会改变文字)",
                    row=line,
                )


def _control(c: str) -> bool:
    return c not in "\t\r\n" and unicodedata.category(c) == "Cc"


# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F) but tab, CR and LF
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_blank_header_cells(table: TextTable, shown: str) -> None:
    """A column with data under a blank header cell (or under the second half of a merged header
    cell) would be dropped without a word."""
    for col, name in enumerate(table.header):
        if name.strip():
            continue
        below = [
            n
            for n, r in zip(table.lines, table.rows, strict=True)
            if col < len(r) and r[col].strip()
        ]
        if below:
            raise InputError.one(
                shown,
                f"表头第 {column_letter(col)} 列为空(或是合并单元格的一部分),但第 {below[0]} 行"
                "等处该列有数据;请填写列名(每列一个,不要合并单元格)或删除该列",
                row=1,
            )


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
    """Most non-ASCII characters are common Chinese (GB2312 level-1 hanzi, Chinese punctuation or
    full-width forms) and there are no control codes. Kana, Greek, Cyrillic and level-2 hanzi are
    in GB2312 too, but they are what Big5 or Shift-JIS bytes turn into when read as GBK
    ("學生" in Big5 reads as "厩ネ"), so they do not count."""
    if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        return False
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return False
    common = sum(1 for c in wide if _common_gb(c))
    # Real GBK text with rare characters in names measured 0.8; Big5 read as GBK measured < 0.3.
    return common / len(wide) >= 0.7


def _common_gb(c: str) -> bool:
    try:
        lead = c.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xD7 or 0xA1 <= lead <= 0xA3  # level-1 hanzi, punctuation, full width


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
            if len(rows) > MAX_ROWS:
                raise _too_many_rows(shown)
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
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
    if wanted in hidden:
        book.close()
        raise InputError.one(
            shown, f"工作表“{wanted}”是隐藏的;请取消隐藏后再保存,或删除它,以免读错数据"
        )
    if not visible:
        book.close()
        raise InputError.one(shown, "没有可见的工作表")
    sheet = book[wanted] if wanted in book.sheetnames else visible[0]
    if (sheet.max_row or 0) > MAX_ROWS + 1:  # the sheet's own <dimension>, before any row is read
        book.close()
        raise _too_many_rows(shown)
    # Read every row, not only those the <dimension> admits: a wrong dimension (some writers set
    # none, a hand-edited file can lie) would otherwise drop rows without a word.
    sheet.reset_dimensions()
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
        if len(rows) > MAX_ROWS:  # the dimension may lie; the rows read are counted too
            book.close()
            raise _too_many_rows(shown)
    book.close()
    if header is None:
        raise InputError.one(shown, f"工作表“{sheet.title}”为空,至少应有一行表头")
    if formulas:
        raise InputError.one(
            shown, f"含公式单元格({'、'.join(formulas[:5])}),请复制后“粘贴为数值”再保存"
        )
    width = max(len(r) for r in [header, *rows])  # rows as wide as the widest, as in Excel
    header += [""] * (width - len(header))
    rows = [r + [""] * (width - len(r)) for r in rows]
    while header and not header[-1]:
        header.pop()
    table = TextTable(
        path, header, rows, lines, f"xlsx(工作表“{sheet.title}”)"
    )  # cells beyond the header are checked, not cut
    if hidden:
        table.notes.append(f"忽略隐藏工作表:{'、'.join(hidden)}")
    return table


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
