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
from datetime import date, datetime, time, timedelta
from itertools import chain
from pathlib import Path

from disclosure.errors import InputError, Problem
from disclosure.inputs.yamlio import short

MAX_BYTES = 5 * 1024 * 1024  # a year's raw table is kilobytes; more means a wrong file
# An .xlsx is a zip: its parts' sizes once unpacked, read from the zip directory before openpyxl
# parses anything (a zip bomb is a few MB packed and gigabytes unpacked).
MAX_XLSX_UNPACKED = 20 * 1024 * 1024
# Characters in one cell: Excel's own limit, so a longer cell never came from Excel (and could not
# go back into it); a CSV cell beyond it is named with its length.
MAX_CELL_CHARS = 32_767
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
    # xlsx cells holding a number that Excel formats as a date or time: (line, column index) ->
    # the number stored, so a count formatted as a date is named as such (see validate)
    dated: dict[tuple[int, int], str] = field(default_factory=dict)


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
        raise InputError.one(shown, _not_a_workbook(book, exc)) from None
    names = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    wb.close()
    return names


def xlsx_within_limits(path: Path, shown: str) -> None:
    """Refuse an .xlsx whose parts unpack beyond MAX_XLSX_UNPACKED, from the zip directory alone."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError.one(shown, _not_xlsx(path)) from None
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


def _too_long(shown: str, line: int, col: int, length: int, header: list[str] | None) -> InputError:
    name = header[col] if header and col < len(header) and header[col] else None
    return InputError.one(
        shown,
        f"第 {column_letter(col)} 列的单元格有 {length:,} "
        f"个字符,超过每格 {MAX_CELL_CHARS:,} 字符的上限(Excel 一个单元格最多容纳的字符数);"
        "请删减该格,把长文字另存为文件,此处只写摘要",
        row=line,
        column=name,
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
                    _wide_text(table)
                    or f"第 {column_letter(col)} 列的单元格含控制字符 U+{ord(bad):04X};"
                    "请删去后再保存(这类字符看不见,却会改变文字)",
                    row=line,
                )


def _wide_text(table: TextTable) -> str | None:
    """UTF-16 text of ASCII characters only is valid UTF-8 with a NUL after each character: say
    so when at least a third of the header's characters are NUL."""
    first = "".join(table.header)
    if table.encoding.startswith("UTF-8") and first and first.count("\x00") * 3 >= len(first):
        return (
            "无法识别文件编码:文件看起来是不带 BOM 的 UTF-16 编码(每个字符后跟着一个空字符 U+0000,"
            f"Excel 的“Unicode 文本”即是这种编码),不是 UTF-8 或 GBK 的 CSV;{SAVE_AS_CSV}"
        )
    return None


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
            raise InputError(
                _stray_bytes(data[3:], shown, "(带 BOM)")
                or [
                    Problem(
                        shown, f"文件标为 UTF-8(带 BOM),但第 {exc.start} 字节处不是有效的 UTF-8"
                    )
                ]
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
        raise InputError(_undecodable(data, shown))
    return text, "GB18030 (兼容 GBK)"


# --- why a file cannot be read: computed only once reading has failed ---------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
SAVE_AS_CSV = "请在 Excel 中打开,另存为“CSV UTF-8(逗号分隔)”"
SAVE_AS_XLSX = "请在 Excel 中打开,另存为“Excel 工作簿(.xlsx)”"


def _file_kind(head: bytes) -> str | None:
    """What a file's first bytes say it is (in words for a message), or None for plain text."""
    if head.startswith(b"PK\x03\x04"):
        return "一个 Excel(.xlsx)工作簿或其他 zip 压缩文件"
    if head.startswith(OLE_MAGIC):
        return "旧版 Excel 97-2003(.xls)文件(或设了打开密码的 Excel 文件)"
    if head.startswith(b"%PDF"):
        return "一份 PDF 文件"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        return "一个网页(HTML)文件(有的系统导出的“Excel 文件”其实是网页)"
    if lowered.startswith(b"<?xml"):
        return "一个 XML 文件(可能是 Excel 2003 XML 表格)"
    return None


def _undecodable(data: bytes, shown: str) -> list[Problem]:
    """The problem of a .csv that is neither UTF-8 nor Chinese GBK: what it is instead."""
    kind = _file_kind(data[:512])
    if kind:
        return [Problem(shown, f"这不是 CSV 文本文件,而是{kind},只是扩展名为 .csv;{SAVE_AS_CSV}")]
    wide = _utf16_without_bom(data)
    if wide:
        return [
            Problem(
                shown,
                f"无法识别文件编码:文件看起来是不带 BOM 的 UTF-16{wide} 编码(字节中夹着大量 0x00,"
                f"Excel 的“Unicode 文本”即是这种编码),不是 UTF-8 或 GBK 的 CSV;{SAVE_AS_CSV}",
            )
        ]
    stray = _stray_bytes(data, shown)
    if stray:
        return stray
    return [
        Problem(
            shown,
            "无法识别文件编码:既不是 UTF-8,也不像 GBK/GB18030 编码的中文(可能是繁体 Big5、日文"
            f"Shift-JIS 或其他编码);{SAVE_AS_CSV},或另存为 GBK 编码的 CSV",
        )
    ]


def _utf16_without_bom(data: bytes) -> str | None:
    """ "LE" or "BE" when the bytes read as UTF-16 text: zero bytes (the high half of ASCII
    characters) on one side of each pair and almost none on the other, and the decoded text
    without control codes."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    for name, zeros, other in (("LE", odd, even), ("BE", even, odd)):
        if zeros >= 4 and other * 4 <= zeros:
            try:
                text = data[: len(data) // 2 * 2].decode(f"utf-16-{name.lower()}")
            except UnicodeDecodeError:
                continue
            if not any(_control(c) or "\ud800" <= c <= "\udfff" for c in text):
                return name
    return None


def _stray_bytes(data: bytes, shown: str, bom: str = "") -> list[Problem]:
    """A UTF-8 file with a few bytes that are not UTF-8 (a paste or a conversion gone wrong): one
    problem for each cell holding them, with its row and column (at most 10). [] when the file does
    not read as UTF-8: more than one bad byte, and fewer than twice as many UTF-8 characters."""
    text = data.decode("utf-8", errors="surrogateescape")  # each bad byte -> U+DC80..U+DCFF
    bad = sum(1 for c in text if "\udc80" <= c <= "\udcff")
    # Characters of three UTF-8 bytes or more (all of Chinese) seldom arise by chance from bytes of
    # another encoding: they show that the file is UTF-8.
    good = sum(1 for c in text if c >= "\u0800") - bad
    if not bom and bad > 1 and good < 2 * bad:
        return []
    encoding = f"UTF-8{bom}" if bom else "UTF-8 "
    problems = []
    header: list[str] = []
    limit = csv.field_size_limit(MAX_BYTES)
    try:
        for line, record in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
            header = header or record
            for col, cell in enumerate(record):
                at = [i for i, c in enumerate(cell) if "\udc80" <= c <= "\udcff"]
                if not at:
                    continue
                codes = "、".join(f"0x{ord(cell[i]) - 0xDC00:02X}" for i in at[:3])
                before = (
                    cell[: at[0]]
                    .encode("utf-8", errors="surrogateescape")
                    .decode("utf-8", errors="replace")
                )
                where = f"“{before[-8:]}”之后" if before else "开头"
                problems.append(
                    Problem(
                        shown,
                        f"文件是 {encoding}编码,但该单元格{where}有 {len(at)} 个字节({codes})"
                        "不是有效的 UTF-8 文字(多半是复制粘贴或转换编码时损坏);"
                        "请重新输入该单元格的文字,再另存为“CSV UTF-8(逗号分隔)”",
                        row=line,
                        column=header[col]
                        if line > 1 and col < len(header)
                        else column_letter(col),
                    )
                )
                if len(problems) >= 10:
                    return problems
    except csv.Error:
        pass  # the cells found so far are named; the rest of the file is reported once fixed
    finally:
        csv.field_size_limit(limit)
    return problems


def _not_xlsx(path: Path) -> str:
    """Why an .xlsx is not a zip, in words from its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        head = b""
    cannot = "无法作为 Excel(.xlsx)文件打开:"
    if not head:
        return f"{cannot}文件为空(0 字节);请重新保存或导出该文件"
    if head.startswith(b"PK\x03\x04"):
        return (
            f"{cannot}文件是 zip 格式但不完整或已损坏(可能复制、下载时中断);请重新保存或导出该文件"
        )
    kind = _file_kind(head)
    if head.startswith(OLE_MAGIC):
        return (
            f"{cannot}这是{kind},只是扩展名为 .xlsx;本工具不读 .xls:{SAVE_AS_XLSX}"
            "(设了打开密码的请先取消密码)"
        )
    if kind:
        return f"{cannot}这是{kind},只是扩展名为 .xlsx;{SAVE_AS_XLSX}"
    text = head.decode("utf-8", errors="ignore") if b"\x00" not in head else ""
    if text and not any(_control(c) for c in text):
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        what = "以逗号分隔的 CSV 文本文件" if "," in first else "文本文件"
        return (
            f"{cannot}这是{what}(第一行为“{first[:40]}”),只是扩展名被改成了 .xlsx;"
            "请把扩展名改回 .csv,或在 Excel 中打开后另存为“Excel 工作簿(.xlsx)”"
        )
    return f"{cannot}文件不是 zip 格式(.xlsx 文件都是 zip),可能已损坏或并非 .xlsx;请重新保存或导出"


def _not_a_workbook(path: Path, exc: Exception) -> str:
    """Why openpyxl could not open a zip: what the zip holds instead of a workbook."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        names = set()
    kind = (
        "一份 Word 文档(.docx)"
        if "word/document.xml" in names
        else "一份 PowerPoint 演示文稿(.pptx)"
        if "ppt/presentation.xml" in names
        else "一份 OpenDocument 表格(.ods,WPS 或 LibreOffice 的格式)"
        if "content.xml" in names
        else "一个 zip 压缩包,其中没有 Excel 工作簿"
        if names and "xl/workbook.xml" not in names
        else None
    )
    if kind:
        return f"无法作为 Excel(.xlsx)文件打开:这是{kind},只是扩展名为 .xlsx;{SAVE_AS_XLSX}"
    return (
        "无法作为 Excel(.xlsx)文件打开,文件内部已损坏;在 Excel 中打开后重新保存通常可以修复"
        f"(详情:{short(str(exc), 80)})"
    )


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
    limit = csv.field_size_limit(MAX_CELL_CHARS)  # a longer cell is named (_csv_error)
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
        raise _csv_error(text, shown, len(rows) + (header is not None), header, exc) from None
    finally:
        csv.field_size_limit(limit)
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


def _csv_error(
    text: str, shown: str, records: int, header: list[str] | None, exc: csv.Error
) -> InputError:
    """The cause of a csv.Error after `records` good records: a cell beyond MAX_CELL_CHARS (with its
    length), an unclosed quote that swallowed the lines after it, or the parser's own words."""
    line = records + 1
    limit = csv.field_size_limit(MAX_BYTES + 1)  # the file is at most MAX_BYTES: read the record
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        record = next((r for n, r in enumerate(reader) if n == records), None)
    except csv.Error:
        record = None
    finally:
        csv.field_size_limit(limit)
    for col, cell in enumerate(record or []):
        if len(cell) <= MAX_CELL_CHARS:
            continue
        if "\n" in cell and any("," in part for part in cell.split("\n")[1:]):
            name = header[col] if header and col < len(header) else column_letter(col)
            return InputError.one(
                shown,
                f"列“{name}”中的引号没有闭合,其后的若干行被并入了这一格;请检查该格的英文双引号",
                row=line,
            )
        return _too_long(shown, line, col, len(cell), header)
    return InputError.one(
        shown, f"CSV 格式错误(引号不配对或含有无法识别的字符;详情:{exc})", row=line
    )


def _read_xlsx(path: Path, shown: str, sheet_name: str | None = None) -> TextTable:
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    try:
        # data_only=False so formulas are seen (and refused), not replaced by possibly stale caches.
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError.one(shown, _not_a_workbook(path, exc)) from None
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
    dated: dict[tuple[int, int], str] = {}
    for number, record in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = [_cell_text(v) for v in record]
        for col, value in enumerate(record):
            if isinstance(value, str) and value.startswith("="):
                formulas.append(f"第 {number} 行第 {col + 1} 列")
            elif isinstance(value, (ArrayFormula, DataTableFormula)):
                formulas.append(f"第 {number} 行第 {col + 1} 列为数组公式")
            elif isinstance(value, (datetime, date, time, timedelta)):
                dated[(number, col)] = _serial(value)
            elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                book.close()
                raise _too_long(shown, number, col, len(value), header)
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
        path, header, rows, lines, f"xlsx(工作表“{sheet.title}”)", dated=dated
    )  # cells beyond the header are checked, not cut
    if hidden:
        table.notes.append(f"忽略隐藏工作表:{'、'.join(hidden)}")
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical cell
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _serial(value: datetime | date | time | timedelta) -> str:
    """The number an Excel cell holds under a date or time format (1900 date system)."""
    from openpyxl.utils.datetime import to_excel

    number = float(to_excel(value))
    return str(int(number)) if number.is_integer() else f"{number:g}"


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
