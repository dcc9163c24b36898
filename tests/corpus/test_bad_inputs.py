"""Bad-input corpus: each case is one small mutation of a copy of the real 2023-2024 workspace.

A university office must get a message it can act on: which file, which row as seen in Excel (the
header is row 1), which column, what was found and what was expected, in Chinese. Every failing case
checks `disclosure check` in-process: exit code 2 and the expected Chinese text. Positive controls
(`accepted=True`) check that the input is *not* refused (exit code is not 2), and usually that the
result is identical to the unmodified year. A few representative cases also go through
`disclosure run`: exit code 2, no kernel, nothing written under outputs/ (an earlier run's outputs
stay byte-for-byte).

Cases where the code does not meet that standard are marked xfail(strict=True, reason="BUG: ...").
Nothing here is committed as generated data: every mutated file (including the > 5 MB one) is
written into pytest's tmp_path.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from disclosure.cli import main

REPO = Path(__file__).resolve().parents[2]
YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"
PARAMS = f"params/{YEAR}.yaml"
COPIED = ("forms", "notebooks", "params", "data")
ROW_FIELDS = ["row", "value", "reported", "agrees"]
FINDING_FIELDS = ["id", "severity", "passed", "filled"]


def _path(root: Path, file: str) -> Path:
    """`file` is relative to the workspace; a bare file name means a file of the year's raw
    folder."""
    return root / (file if "/" in file else f"{RAW}/{file}")


# --- mutations ------------------------------------------------------------------------------------
# Each is a small frozen description; `apply(root)` performs it on the temporary workspace.


@dataclass(frozen=True)
class Replace:
    """Replace text (UTF-8) in a file; the old text must be there, so a case never silently stops
    testing."""

    file: str
    old: str
    new: str
    every: bool = False  # replace every occurrence, not only the first

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        text = path.read_text(encoding="utf-8")
        assert self.old in text, f"corpus out of date: {self.old!r} not in {self.file}"
        path.write_text(
            text.replace(self.old, self.new, -1 if self.every else 1), encoding="utf-8", newline=""
        )


@dataclass(frozen=True)
class SetCell:
    """Set one CSV cell addressed as in Excel: `row` counts the header as 1, `column` is the header
    name."""

    file: str
    row: int
    column: str
    value: str

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[self.row - 1][rows[0].index(self.column)] = self.value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


@dataclass(frozen=True)
class Append:
    file: str
    text: str

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        path.write_text(path.read_text(encoding="utf-8") + self.text, encoding="utf-8", newline="")


@dataclass(frozen=True)
class WriteText:
    file: str
    text: str
    encoding: str = "utf-8"

    def apply(self, root: Path) -> None:
        _path(root, self.file).write_bytes(self.text.encode(self.encoding))


@dataclass(frozen=True)
class HeaderOnly:
    file: str

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Reencode:
    """Save the file again in another encoding (optionally with a BOM), as Excel's "Save as"
    does."""

    file: str
    encoding: str
    bom: bytes = b""

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        path.write_bytes(self.bom + path.read_text(encoding="utf-8").encode(self.encoding))


@dataclass(frozen=True)
class WriteBytes:
    file: str
    data: bytes

    def apply(self, root: Path) -> None:
        _path(root, self.file).write_bytes(self.data)


@dataclass(frozen=True)
class RandomBytes:
    file: str
    size: int = 4096
    seed: int = 20231

    def apply(self, root: Path) -> None:
        _path(root, self.file).write_bytes(random.Random(self.seed).randbytes(self.size))


@dataclass(frozen=True)
class InsertBytes:
    """Insert raw bytes before the first occurrence of `before` (UTF-8) in a file."""

    file: str
    before: str
    data: bytes

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        raw = path.read_bytes()
        at = raw.index(self.before.encode("utf-8"))
        path.write_bytes(raw[:at] + self.data + raw[at:])


@dataclass(frozen=True)
class Rename:
    file: str
    to: str

    def apply(self, root: Path) -> None:
        _path(root, self.file).rename(_path(root, self.to))


@dataclass(frozen=True)
class MakeFolder:
    folder: str

    def apply(self, root: Path) -> None:
        (root / self.folder).mkdir()


@dataclass(frozen=True)
class FolderToFile:
    """Replace a folder of the workspace by a file of the same name."""

    folder: str

    def apply(self, root: Path) -> None:
        shutil.rmtree(root / self.folder)
        (root / self.folder).write_text("不是文件夹\n", encoding="utf-8")


@dataclass(frozen=True)
class Delete:
    file: str

    def apply(self, root: Path) -> None:
        _path(root, self.file).unlink()


@dataclass(frozen=True)
class Pad:
    """Grow a CSV table beyond `megabytes` with well-formed rows (generated here, never
    committed)."""

    file: str
    megabytes: float

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        target = int(self.megabytes * 1024 * 1024)
        with path.open("a", encoding="utf-8", newline="") as out:
            written, number = path.stat().st_size, 0
            while written < target:
                line = f"填充事项{number},1,份,{'这是一行用来把文件撑大的说明文字' * 8}\n"
                out.write(line)
                written += len(line.encode("utf-8"))
                number += 1


@dataclass(frozen=True)
class ToXlsx:
    """Replace `<stem>.csv` by `<stem>.xlsx` (numbers stored as numbers, as Excel does), then set
    cells given in Excel's A1 notation; `keep_csv` leaves the CSV beside it."""

    stem: str
    cells: tuple[tuple[str, object], ...] = ()
    keep_csv: bool = False
    formats: tuple[tuple[str, str], ...] = ()  # (cell, Excel number format), e.g. a date format

    def apply(self, root: Path) -> None:
        source = _path(root, f"{self.stem}.csv")
        frame = pd.read_csv(source, encoding="utf-8", dtype=str, keep_default_na=False)
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = self.stem
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append([int(v) if v.isdigit() else (v or None) for v in record])
        for ref, value in self.cells:
            sheet[ref] = value
        for ref, number_format in self.formats:
            sheet[ref].number_format = number_format
        book.save(_path(root, f"{self.stem}.xlsx"))
        if not self.keep_csv:
            source.unlink()


@dataclass(frozen=True)
class InflateXlsxText:
    """Replace a text of an .xlsx's parts (inside the zip) by another: a cell longer than openpyxl
    would write (it cuts at Excel's 32,767 characters) but another program may."""

    file: str
    old: str
    new: str

    def apply(self, root: Path) -> None:
        path = _path(root, self.file)
        with zipfile.ZipFile(path) as zf:
            parts = {i.filename: zf.read(i) for i in zf.infolist()}
        hits = [n for n, data in parts.items() if self.old.encode() in data]
        assert hits, f"{self.old!r} not in {self.file}"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data.replace(self.old.encode(), self.new.encode()))


@dataclass(frozen=True)
class WriteXlsx:
    """Write an .xlsx with one sheet, row by row as given (an empty tuple is an empty spreadsheet
    row)."""

    file: str
    sheet: str
    rows: tuple[tuple[object, ...], ...]

    def apply(self, root: Path) -> None:
        book = openpyxl.Workbook()
        book.active.title = self.sheet
        for row in self.rows:
            book.active.append(list(row))
        book.save(_path(root, self.file))


# --- checks for positive controls -----------------------------------------------------------------


def note(file: str, text: str) -> Callable:
    """The read notes of `file` (as shown to the user) contain `text`."""

    def check(data) -> None:  # noqa: ANN001
        notes = data.read_notes[f"{RAW}/{file}"]
        assert any(text in n for n in notes), notes

    return check


def value(table: str, match: dict[str, object], column: str, expected: object) -> Callable:
    """The typed table `table` has exactly one row matching `match`, whose `column` equals
    `expected`."""

    def check(data) -> None:  # noqa: ANN001
        frame = data.tables[table]
        mask = pd.Series(True, index=frame.index)
        for key, wanted in match.items():
            mask &= frame[key] == wanted
        assert mask.sum() == 1, frame
        got = frame.loc[mask, column].iloc[0]
        assert got == expected and type(got) is type(expected), (got, expected)

    return check


def profile_value(key: str, expected: object) -> Callable:
    """profile[key] equals `expected` after corrections."""

    def check(data) -> None:  # noqa: ANN001
        assert data.profile[key] == expected, data.profile.get(key)

    return check


# --- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    ops: tuple
    expect: tuple[str, ...] = ()  # substrings of the output, for failing cases
    accepted: bool = False  # positive control: must not be refused
    same_result: bool = (
        False  # positive control: statistics and findings equal the unmodified year's
    )
    verify: tuple[Callable, ...] = ()  # positive control: checks on disclosure.year.load_year(...)
    problems: int | None = None  # failing case: exact number of problem lines
    args: tuple[str, ...] = ("check", YEAR)
    bug: str | None = None


def C(id: str, *ops, **kw) -> Case:  # noqa: A002, N802
    return Case(id, tuple(ops), **kw)


P = f"{RAW}/publications.csv"
K = f"{RAW}/checklist.csv"
A = f"{RAW}/applications.csv"
I = f"{RAW}/internal.csv"  # noqa: E741
PROFILE = f"{RAW}/profile.yaml"
# One well-formed application (the real year has none); the application cases each change one cell
# of it.
APP_HEADER = "id,received,channel,applicant,topic,concluded,outcome,fee,count,note\n"
APP = "2023-001,2023-10-09,电子邮件,公民,招生,是,同意公开,0,1,\n"


OLE = bytes.fromhex("d0cf11e0a1b11ae1")  # the signature of an Excel 97-2003 (.xls) file


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


DOCX = _docx()


def app(**cells: str) -> Append:
    values = dict(zip(APP_HEADER.strip().split(","), APP.strip("\n").split(","), strict=True))
    values.update(cells)
    return Append("applications.csv", ",".join(values.values()) + "\n")


def correction(entry: str) -> Replace:
    return Replace(PARAMS, "corrections: []", f"corrections:\n  - {entry}\n")


CASES: list[Case] = [
    # --- encodings ---
    C(
        "enc_utf16",
        Reencode("publications.csv", "utf-16"),
        expect=(f"{P}:无法识别文件编码", "UTF-16", "UTF-8"),
        problems=1,
    ),
    C(
        "enc_big5",
        WriteText(
            "internal.csv",
            "item,count,unit,note\n黨委文件,33,份,統一編製印發黨委文件\n行政文件,264,份,\n",
            "big5",
        ),
        expect=(f"{I}:无法识别文件编码", "另存为", "UTF-8"),
        problems=1,
    ),
    C(
        "enc_shift_jis",
        WriteText(
            "internal.csv", "item,count,unit,note\n党委文件,33,部,理事会の文書\n", "shift_jis"
        ),
        expect=(f"{I}:无法识别文件编码", "另存为", "UTF-8"),
        problems=1,
    ),
    C(
        "enc_binary_garbage",
        WriteBytes(
            "internal.csv", b"item,count,unit,note\n" + bytes(range(0x80, 0x100)) * 3 + b"\n"
        ),
        expect=(f"{I}:无法识别文件编码", "另存为", "UTF-8"),
        problems=1,
    ),
    C(
        "ok_gbk",
        Reencode("publications.csv", "gbk"),
        Reencode("checklist.csv", "gbk"),
        accepted=True,
        same_result=True,
        verify=(note("publications.csv", "编码:GB18030 (兼容 GBK)"),),
    ),
    C(
        "ok_utf8_bom",
        Reencode("checklist.csv", "utf-8", bom=b"\xef\xbb\xbf"),
        accepted=True,
        same_result=True,
        verify=(note("checklist.csv", "编码:UTF-8 (带 BOM)"),),
    ),
    C(
        "ok_gbk_with_name_outside_gb2312",
        WriteText(
            "mailbox.csv", "received,handled,count,note\n2023-10-09,是,1,来信人:张喆\n", "gbk"
        ),
        accepted=True,
        verify=(
            note("mailbox.csv", "编码:GB18030 (兼容 GBK)"),
            value("mailbox", {"handled": "是"}, "note", "来信人:张喆"),
        ),
    ),
    C(
        "ok_crlf_line_endings",
        Replace("publications.csv", "\n", "\r\n", every=True),
        Replace("checklist.csv", "\n", "\r\n", every=True),
        accepted=True,
        same_result=True,
    ),
    # --- file and header structure ---
    C(
        "missing_required_column",
        WriteText(
            "publications.csv", "count,unit,note\n335,条,\n174,条,\n198,条,\n0,次,\n387,条,\n"
        ),
        expect=(f"{P} 第 1 行:缺少必需的列:channel",),
        problems=1,
    ),
    C(
        "unknown_extra_column",
        Replace("publications.csv", "channel,count,unit,note\n", "channel,count,unit,note,备注\n"),
        # 备注 is note's Chinese title: a header mixing titles and keys is refused as such
        expect=(
            f"{P} 第 1 行:表头混用了中文列名(备注)和英文列名(channel、count、unit、note);"
            "请整行统一用中文列名或英文列名",
        ),
        problems=1,
    ),
    C(
        "duplicated_column",
        Replace("internal.csv", "item,count,unit,note\n", "item,count,unit,count\n"),
        expect=(f"{I} 第 1 行:列“count”重复出现",),
        problems=1,
    ),
    C(
        "semicolon_separated",
        Replace("publications.csv", "channel,count,unit,note\n", "channel;count;unit;note\n"),
        expect=(f"{P} 第 1 行:未知列“channel;count;unit;note”", "缺少必需的列:channel"),
    ),
    C(
        "empty_file_0_bytes",
        WriteBytes("publications.csv", b""),
        expect=(f"{P}:文件为空,至少应有一行表头",),
        problems=1,
    ),
    C(
        "header_only_publications",
        HeaderOnly("publications.csv"),
        expect=(f"{P}:只有表头没有数据行;该表至少需要一行",),
        problems=1,
    ),
    C(
        "header_only_checklist",
        HeaderOnly("checklist.csv"),
        expect=(f"{K}:只有表头没有数据行;该表至少需要一行",),
        problems=1,
    ),
    C(
        "ok_header_only_where_rows_optional",
        HeaderOnly("withheld.csv"),
        accepted=True,
        same_result=True,
    ),
    C(
        "missing_raw_file",
        Delete("internal.csv"),
        expect=(f"{I}:缺少该文件(也可用同名 .xlsx);没有数据时请保留只含表头的文件",),
        problems=1,
    ),
    C(
        "missing_profile",
        Delete("profile.yaml"),
        expect=(f"{PROFILE}:缺少学校概况文件 profile.yaml",),
        problems=1,
    ),
    C(
        "both_csv_and_xlsx",
        ToXlsx("publications", keep_csv=True),
        expect=(
            "表 publications 同时出现在 publications.csv、publications.xlsx 中,"
            "无法确定用哪一个;请只保留一个",
        ),
        problems=1,
    ),
    C(
        "file_over_5_mb",
        Pad("internal.csv", 5.5),
        expect=(f"{I}:文件过大(", "超过 5 MB 上限;请确认选对了文件"),
        problems=1,
    ),
    # --- cells ---
    C(
        "count_text",
        SetCell("publications.csv", 2, "count", "三百三十五"),
        expect=(f"{P} 第 2 行 列“count”:应为非负整数,实际为文本“三百三十五”",),
        problems=1,
    ),
    C(
        "count_negative",
        SetCell("internal.csv", 3, "count", "-264"),
        expect=(f"{I} 第 3 行 列“count”:应为非负整数,实际为负数 -264",),
        problems=1,
    ),
    C(
        "count_fraction",
        SetCell("checklist.csv", 4, "count", "1.5"),
        expect=(f"{K} 第 4 行 列“count”:应为非负整数,实际为小数“1.5”",),
        problems=1,
    ),
    C(
        "checklist_item_51",
        SetCell("checklist.csv", 51, "item", "51"),
        expect=(f"{K} 第 51 行 列“item”:应在 1 到 50 之间,实际为 51",),
        problems=1,
    ),
    C(
        "checklist_item_0",
        SetCell("checklist.csv", 2, "item", "0"),
        expect=(f"{K} 第 2 行 列“item”:应在 1 到 50 之间,实际为 0",),
        problems=1,
    ),
    C(
        "duplicated_checklist_item",
        SetCell("checklist.csv", 3, "item", "1"),
        expect=(f"{K} 第 3 行:item“1”重复出现(第 2、3 行),每个只能出现一次",),
        problems=1,
    ),
    C(
        "required_cell_empty",
        SetCell("publications.csv", 3, "channel", ""),
        expect=(f"{P} 第 3 行 列“channel”:不能为空",),
        problems=1,
    ),
    C(
        "unknown_publication_channel",
        SetCell("publications.csv", 6, "channel", "微信公众号"),
        expect=(
            f"{P} 第 6 行 列“channel”:“微信公众号”不是允许的值;"
            "允许:门户网站、信息公开平台、办公内网、新闻发布会、官方微博微信",
        ),
        problems=1,
    ),
    C(
        "unquoted_thousands_separator",
        Replace("internal.csv", "工作群下载信息,2946,", "工作群下载信息,2,946,"),
        expect=(f"{I} 第 8 行:本行有 5 个单元格,多于表头的 4 列",),
        problems=1,
    ),
    C(
        "checklist_three_bad_cells",
        SetCell("checklist.csv", 4, "count", "三"),
        SetCell("checklist.csv", 7, "on_platform", "不确定"),
        SetCell("checklist.csv", 12, "category", "二"),
        expect=(
            f"{K} 第 4 行 列“count”:应为非负整数,实际为文本“三”",
            f"{K} 第 7 行 列“on_platform”:“不确定”不是允许的值;允许:是、否",
            f"{K} 第 12 行 列“category”:应为非负整数,实际为文本“二”",
        ),
        problems=3,
    ),
    C(
        "problems_in_two_tables",
        SetCell("checklist.csv", 4, "count", "三"),
        SetCell("internal.csv", 2, "count", "-1"),
        expect=(
            f"{K} 第 4 行 列“count”:应为非负整数,实际为文本“三”",
            f"{I} 第 2 行 列“count”:应为非负整数,实际为负数 -1",
        ),
        problems=2,
    ),
    # --- applications (the real year has none; one valid row first, then one bad cell each) ---
    C(
        "ok_application_row",
        app(),
        accepted=True,
        verify=(value("applications", {"id": "2023-001"}, "received", "2023-10-09"),),
    ),
    C(
        "unknown_application_channel",
        app(channel="微信"),
        expect=(
            f"{A} 第 2 行 列“channel”:“微信”不是允许的值;允许:当面、传真、电子邮件、信函或其他",
        ),
        problems=1,
    ),
    C(
        "unknown_applicant",
        app(applicant="学生"),
        expect=(f"{A} 第 2 行 列“applicant”:“学生”不是允许的值;允许:公民、法人、其他组织",),
        problems=1,
    ),
    C(
        "unknown_topic",
        app(topic="食堂"),
        expect=(f"{A} 第 2 行 列“topic”:“食堂”不是允许的值;允许:本校领导、人事招聘",),
        problems=1,
    ),
    C(
        "unknown_outcome",
        app(outcome="部分公开"),
        expect=(
            f"{A} 第 2 行 列“outcome”:“部分公开”不是允许的值;"
            "允许:同意公开、不同意公开、信息不存在、申请人主动放弃",
        ),
        problems=1,
    ),
    C(
        "duplicated_application_id",
        app(),
        app(received="2023-11-02"),
        expect=(f"{A} 第 3 行:id“2023-001”重复出现(第 2、3 行),每个只能出现一次",),
        problems=1,
    ),
    C(
        "date_outside_academic_year",
        app(received="2024-09-01"),
        expect=(
            f"{A} 第 2 行 列“received”:日期 2024-09-01 不在本学年(2023-09-01 至 2024-08-31)内",
        ),
        problems=1,
    ),
    C(
        "date_unparseable",
        app(received="10月9日"),
        expect=(f"{A} 第 2 行 列“received”:日期“10月9日”无法识别,应为 YYYY-MM-DD",),
        problems=1,
    ),
    C(
        "ok_chinese_date",
        app(received="2023年10月9日"),
        accepted=True,
        verify=(value("applications", {"id": "2023-001"}, "received", "2023-10-09"),),
    ),
    C(
        "ok_zero_padded_slash_date",
        app(received="2023/10/09"),
        accepted=True,
        verify=(value("applications", {"id": "2023-001"}, "received", "2023-10-09"),),
    ),
    C(
        "ok_excel_slash_date",
        app(received="2023/10/9"),
        accepted=True,
        verify=(value("applications", {"id": "2023-001"}, "received", "2023-10-09"),),
    ),
    C(
        "date_impossible",
        app(received="2023-02-30"),
        expect=(f"{A} 第 2 行 列“received”:日期“2023-02-30”无法识别,应为 YYYY-MM-DD",),
        problems=1,
    ),
    # --- accepted normalisations ---
    C(
        "ok_yes_no_holding_you",
        SetCell("checklist.csv", 2, "on_platform", "有"),
        accepted=True,
        same_result=True,
        verify=(
            note("checklist.csv", "“有”按表单改写为“是” 1 处"),
            value("checklist", {"item": 1}, "on_platform", "是"),
        ),
    ),
    C(
        "ok_full_width_digits",
        SetCell("publications.csv", 2, "count", "３３５"),
        accepted=True,
        same_result=True,
        verify=(
            value("publications", {"channel": "门户网站"}, "count", 335),
            note("publications.csv", "全角数字或千位分隔符已规范 1 处"),
        ),
    ),
    C(
        "ok_thousands_separator",
        SetCell("internal.csv", 8, "count", "2,946"),
        accepted=True,
        same_result=True,
        verify=(value("internal", {"item": "工作群下载信息"}, "count", 2946),),
    ),
    C(
        "ok_trailing_blank_rows",
        Append("publications.csv", ",,,\n,,,\n\n"),
        accepted=True,
        same_result=True,
        verify=(note("publications.csv", "忽略空行 3 行"),),
    ),
    C(
        "ok_surrounding_spaces",
        SetCell("publications.csv", 3, "count", " 174 "),
        accepted=True,
        same_result=True,
        verify=(note("publications.csv", "去除首尾空格"),),
    ),
    # --- xlsx ---
    C(
        "ok_xlsx",
        ToXlsx("publications"),
        accepted=True,
        same_result=True,
        verify=(note("publications.xlsx", "xlsx(工作表“publications”)"),),
    ),
    C(
        "xlsx_formula_cell",
        ToXlsx("publications", cells=(("B3", "=100+74"),)),
        expect=(
            f"{RAW}/publications.xlsx:含公式单元格(第 3 行第 2 列),请复制后“粘贴为数值”再保存",
        ),
        problems=1,
    ),
    C(
        "xlsx_fractional_count",
        ToXlsx("publications", cells=(("B4", 1.5),)),
        expect=(f"{RAW}/publications.xlsx 第 4 行 列“count”:应为非负整数,实际为小数“1.5”",),
        problems=1,
    ),
    C(
        "xlsx_blank_rows_above_header",
        Delete("publications.csv"),
        WriteXlsx(
            "publications.xlsx",
            "publications",
            (
                (),
                (),
                ("channel", "count", "unit", "note"),
                ("门户网站", 335, "条"),
                ("信息公开平台", "一百七十四", "条"),
            ),
        ),
        expect=(f"{RAW}/publications.xlsx 第 5 行 列“count”:应为非负整数,实际为文本“一百七十四”",),
        problems=1,
    ),
    C(
        "xlsx_title_row_above_header",
        Delete("publications.csv"),
        WriteXlsx(
            "publications.xlsx",
            "publications",
            (
                ("2023-2024学年主动公开信息统计",),
                ("channel", "count", "unit", "note"),
                ("门户网站", 335, "条"),
            ),
        ),
        expect=(
            f"{RAW}/publications.xlsx 第 1 行:未知列“2023-2024学年主动公开信息统计”",
            "缺少必需的列:channel",
        ),
    ),
    C(
        "tables_xlsx_damaged",
        RandomBytes("tables.xlsx"),
        expect=(f"{RAW}/tables.xlsx:无法作为 Excel(.xlsx)文件打开",),
        problems=1,
    ),
    C(
        "xlsx_damaged",
        Delete("publications.csv"),
        RandomBytes("publications.xlsx"),
        expect=(f"{RAW}/publications.xlsx:无法作为 Excel(.xlsx)文件打开",),
        problems=1,
    ),
    # --- profile.yaml ---
    C(
        "profile_tab_indent",
        Replace("profile.yaml", "  office: 校长办公室", "\toffice: 校长办公室"),
        expect=(f"{PROFILE} 第 21 行:YAML 格式错误", "YAML 不允许用 Tab 缩进,请改用空格"),
        problems=1,
    ),
    C(
        "profile_missing_key",
        Replace("profile.yaml", "leader: 校长", "# leader: 校长"),
        expect=(f"{PROFILE}:缺少“leader”",),
        problems=1,
    ),
    C(
        "profile_misspelt_key",
        Replace("profile.yaml", "staff_full_time: 1 ", "staff_fulltime: 1 "),
        expect=(f"{PROFILE}:未知键“staff_fulltime”", f"{PROFILE}:缺少“staff_full_time”"),
        problems=2,
    ),
    C(
        "profile_negative_staff",
        Replace("profile.yaml", "staff_part_time: 10", "staff_part_time: -10"),
        expect=(f"{PROFILE}:“staff_part_time”应为非负整数,实际为“-10”",),
        problems=1,
    ),
    C(
        "profile_quoted_number",
        Replace("profile.yaml", "staff_full_time: 1 ", 'staff_full_time: "1"'),
        expect=(f"{PROFILE}:“staff_full_time”的值“1”加了引号", "写成数字 1"),
        problems=1,
    ),
    # --- params/<year>.yaml ---
    C(
        "params_unknown_key",
        Replace(PARAMS, "yoy_threshold: 0.5", "yoy_threshold: 0.5\nthreshold: 0.3"),
        expect=(f"{PARAMS}:未知参数“threshold”;允许的参数:academic_year、data_dir",),
        problems=1,
    ),
    C(
        "params_wrong_type",
        Replace(PARAMS, "yoy_threshold: 0.5", "yoy_threshold: 很高"),
        expect=(f"{PARAMS}:参数“yoy_threshold”的值“很高”类型不对,应为0 到 10 之间的数",),
        problems=1,
    ),
    C(
        "params_year_2023_2025",
        Replace(PARAMS, 'academic_year: "2023-2024"', 'academic_year: "2023-2025"'),
        expect=(
            f"{PARAMS}:参数“academic_year”的值“2023-2025”不是有效学年,"
            "应为 YYYY-YYYY 且后一年比前一年大 1",
            "与文件名的学年 2023-2024 不一致",
        ),
    ),
    C(
        "params_data_dir_outside",
        Replace(PARAMS, f"data_dir: {RAW}", "data_dir: ../../etc"),
        expect=(f"{PARAMS}:参数“data_dir”指向工作区之外(", "只允许工作区内的路径"),
        problems=1,
    ),
    C(
        "params_data_dir_missing",
        Replace(PARAMS, f"data_dir: {RAW}", "data_dir: data/raw/2023-2O24"),
        expect=(f"{PARAMS}:参数“data_dir”指向的文件夹“data/raw/2023-2O24”不存在",),
        problems=1,
    ),
    C(
        "correction_matches_no_row",
        correction(
            "{table: publications, match: {channel: 微博}, field: count, value: 3, "
            'reason: 核对原始台账, by: 张三, "on": 2024-11-20}'
        ),
        expect=(
            f"{PARAMS}:第 1 条更正(publications.count):条件“channel = 微博”匹配到 0 行,应为 1 行",
        ),
        problems=1,
    ),
    C(
        "correction_matches_several",
        correction(
            "{table: checklist, match: {category: 1}, field: count, value: 3, "
            'reason: 核对原始台账, by: 张三, "on": 2024-11-20}'
        ),
        expect=(f"{PARAMS}:第 1 条更正(checklist.count):条件“category = 1”匹配到 6 行,应为 1 行",),
        problems=1,
    ),
    C(
        "correction_written_as_documented",
        correction(
            "{table: profile, match: {}, field: fee_policy, value: 不收费, "
            "reason: 按表单填写, by: 张三, on: 2024-11-20}"
        ),
        accepted=True,
        verify=(profile_value("fee_policy", "不收费"),),
    ),
    C(
        "correction_value_wrong_type",
        correction(
            "{table: publications, match: {channel: 门户网站}, field: count, value: 三百, "
            'reason: 核对, by: 张三, "on": 2024-11-20}'
        ),
        expect=(f"{PARAMS}:第 1 条更正(publications.count)", "非负整数", "三百"),
        problems=1,
    ),
    C(
        "correction_expect_not_a_number",
        correction(
            "{table: checklist, match: {item: 7}, field: count, value: 3, "
            'reason: 核对, by: 张三, "on": 2024-11-20, expect: 两}'
        ),
        expect=(f"{PARAMS}:第 1 条更正", "expect"),
        problems=1,
    ),
    # --- the cause, not the symptom (issue 26) ---
    C(
        "enc_utf16_without_bom",
        Reencode("publications.csv", "utf-16-le"),
        expect=(f"{P}:无法识别文件编码", "不带 BOM 的 UTF-16LE", "另存为“CSV UTF-8(逗号分隔)”"),
        problems=1,
    ),
    C(
        "enc_utf16_big_endian_without_bom",
        Reencode("publications.csv", "utf-16-be"),
        expect=(f"{P}:无法识别文件编码", "不带 BOM 的 UTF-16BE"),
        problems=1,
    ),
    C(
        "enc_utf16_ascii_only_without_bom",
        WriteText("withheld.csv", "description,reason,count\n", "utf-16-le"),
        expect=(f"{RAW}/withheld.csv 第 1 行:无法识别文件编码", "UTF-16", "U+0000"),
        problems=1,
    ),
    C(
        "enc_utf8_one_stray_byte",
        InsertBytes("publications.csv", "174,条", b"\xff"),
        expect=(
            f"{P} 第 3 行 列“count”:文件是 UTF-8 编码",
            "1 个字节(0xFF)不是有效的 UTF-8",
            "重新输入该单元格",
        ),
        problems=1,
    ),
    C(
        "enc_utf8_bom_stray_bytes_in_two_cells",
        Reencode("internal.csv", "utf-8", bom=b"\xef\xbb\xbf"),
        InsertBytes("internal.csv", ",份,正文二", b"\xc0"),
        InsertBytes("internal.csv", "行政文件", b"\x9d\x9e"),
        expect=(
            f"{I} 第 2 行 列“count”:文件是 UTF-8(带 BOM)编码,但该单元格“33”之后有 1 个字节(0xC0)",
            f"{I} 第 3 行 列“item”:文件是 UTF-8(带 BOM)编码,但该单元格开头有 2 个字节(0x9D、0x9E)",
        ),
        problems=2,
    ),
    C(
        "zero_width_space_after_allowed_value",
        Replace("publications.csv", "门户网站,", "门户网站\u200b,"),
        expect=(
            f"{P} 第 2 行 列“channel”:“门户网站<U+200B>”不是允许的值",
            "“门户网站”之后有看不见的字符 U+200B(零宽空格)",
            "删去后即为允许的值“门户网站”",
        ),
        problems=1,
    ),
    C(
        "invisible_characters_in_a_count",
        SetCell("internal.csv", 3, "count", "2\u200d6\ufeff4"),
        expect=(
            f"{I} 第 3 行 列“count”:应为非负整数,实际为文本“2<U+200D>6<U+FEFF>4”",
            "“2”之后有看不见的字符 U+200D(零宽连字)等 2 个",
            "删去后为“264”",
        ),
        problems=1,
    ),
    C(
        "zero_width_space_in_a_column_name",
        Replace("internal.csv", "item,count,unit,note\n", "item,count\u200b,unit,note\n"),
        expect=(f"{I} 第 1 行:列名“count<U+200B>”不是该表的列", "删去后即为允许的值“count”"),
    ),
    C(
        "xlsx_array_formula",
        ToXlsx("publications", cells=(("B3", ArrayFormula("B3", "=SUM(B2:B2)")),)),
        expect=(
            f"{RAW}/publications.xlsx:含公式单元格(第 3 行第 2 列为数组公式)",
            "粘贴为数值",
        ),
        problems=1,
    ),
    C(
        "xlsx_count_formatted_as_date",
        ToXlsx("publications", formats=(("B3", "yyyy-mm-dd"),)),
        expect=(
            f"{RAW}/publications.xlsx 第 3 行 列“count”:单元格在 Excel 中设成了日期或时间格式,"
            "显示为“1900-06-22”,实际存的数是 174",
            "改为“常规”或“数值”",
        ),
        problems=1,
    ),
    C(
        "xlsx_count_formatted_as_time",
        ToXlsx("publications", cells=(("B5", 0.5),), formats=(("B5", "hh:mm"),)),
        expect=(
            f"{RAW}/publications.xlsx 第 5 行 列“count”:单元格在 Excel 中设成了日期或时间格式,"
            "显示为“12:00:00”,实际存的数是 0.5",
        ),
        problems=1,
    ),
    C(
        "ok_xlsx_date_formatted_date",
        Append("applications.csv", APP),
        ToXlsx("applications", cells=(("B2", 45208),), formats=(("B2", "yyyy/m/d"),)),
        accepted=True,
        verify=(value("applications", {"id": "2023-001"}, "received", "2023-10-09"),),
    ),
    C(
        "date_written_as_excel_day_number",
        app(received="45208"),
        expect=(
            f"{A} 第 2 行 列“received”:日期“45208”无法识别",
            "像是 Excel 的日期序号,即 2023-10-09",
        ),
        problems=1,
    ),
    C(
        "csv_text_renamed_xlsx",
        Rename("publications.csv", "publications.xlsx"),
        expect=(
            f"{RAW}/publications.xlsx:无法作为 Excel(.xlsx)文件打开:这是以逗号分隔的 CSV 文本文件"
            "(第一行为“channel,count,unit,note”),只是扩展名被改成了 .xlsx",
            "扩展名改回 .csv",
        ),
        problems=1,
    ),
    C(
        "xls_renamed_xlsx",
        Delete("publications.csv"),
        WriteBytes("publications.xlsx", OLE + bytes(504)),
        expect=(f"{RAW}/publications.xlsx:无法作为 Excel(.xlsx)文件打开:这是旧版 Excel 97-2003",),
        problems=1,
    ),
    C(
        "xlsx_renamed_csv",
        ToXlsx("publications"),
        Rename("publications.xlsx", "publications.csv"),
        expect=(f"{P}:这不是 CSV 文本文件,而是一个 Excel(.xlsx)工作簿", "只是扩展名为 .csv"),
        problems=1,
    ),
    C(
        "docx_renamed_xlsx",
        Delete("publications.csv"),
        WriteBytes("publications.xlsx", DOCX),
        expect=(f"{RAW}/publications.xlsx:无法作为 Excel(.xlsx)文件打开", "一份 Word 文档"),
        problems=1,
    ),
    C(
        "xls_beside_missing_csv",
        Delete("publications.csv"),
        WriteBytes("publications.xls", OLE + bytes(504)),
        expect=(
            f"{P}:缺少该文件;文件夹中有“publications.xls”,是旧版 Excel 97-2003 格式,无法读取",
            "另存为“Excel 工作簿(.xlsx)”",
        ),
        problems=1,
    ),
    C(
        "table_name_in_capitals",
        Rename("publications.csv", "Publications.CSV"),
        expect=(f"{P}:缺少该文件;文件夹中有“Publications.CSV”,但文件名的大小写", "全小写"),
        problems=1,
    ),
    C(
        "table_with_a_second_extension",
        Rename("publications.csv", "publications.csv.txt"),
        expect=(f"{P}:缺少该文件;文件夹中有“publications.csv.txt”,多了扩展名",),
        problems=1,
    ),
    C(
        "params_data_dir_backslashes",
        Replace(PARAMS, f"data_dir: {RAW}", "data_dir: data\\raw\\2023-2024"),
        expect=(
            f"{PARAMS}:参数“data_dir”指向的“data\\raw\\2023-2024”不存在:路径中用了反斜杠",
            "请改用“/”分隔,写成 data/raw/2023-2024(该文件夹存在)",
        ),
        problems=1,
    ),
    C(
        "params_data_dir_is_a_file",
        FolderToFile(RAW),
        expect=(f"{PARAMS}:参数“data_dir”指向的“{RAW}”是一个文件,不是文件夹",),
        problems=1,
    ),
    C(
        "cell_of_140000_characters",
        SetCell("publications.csv", 2, "note", "长" * 140_000),
        expect=(
            f"{P} 第 2 行 列“note”:第 D 列的单元格有 140,000 个字符,超过每格 32,767 字符的上限",
        ),
        problems=1,
    ),
    C(
        "ok_cell_of_32767_characters",
        SetCell("publications.csv", 2, "note", "长" * 32_767),
        accepted=True,
        same_result=True,
    ),
    C(
        "xlsx_cell_of_40000_characters",
        ToXlsx("publications", cells=(("D4", "LONG-CELL"),)),
        InflateXlsxText("publications.xlsx", "LONG-CELL", "长" * 40_000),
        expect=(f"{RAW}/publications.xlsx 第 4 行 列“note”:第 D 列的单元格有 40,000 个字符",),
        problems=1,
    ),
    C(
        "profile_yaml_saved_as_gbk",
        Reencode("profile.yaml", "gbk"),
        expect=(f"{PROFILE}:不是 UTF-8 编码的 YAML 文件,看起来是 GBK(GB18030)编码", "另存为 UTF-8"),
        problems=1,
    ),
    C(
        "narrative_yaml_saved_as_utf16",
        Reencode("narrative.yaml", "utf-16"),
        expect=(f"{RAW}/narrative.yaml:不是 UTF-8 编码的 YAML 文件,而是 UTF-16 编码",),
        problems=1,
    ),
    C(
        "params_yaml_with_a_stray_byte",
        InsertBytes(PARAMS, "yoy_threshold", b"\xff"),
        expect=(f"{PARAMS} 第 6 行:不是 UTF-8 编码的 YAML 文件:本行有不是 UTF-8 的字节(0xFF)",),
        problems=1,
    ),
    C(
        "profile_key_with_a_zero_width_space",
        Replace("profile.yaml", "leader:", "leader\u200b:"),
        expect=(
            f"{PROFILE}:键“leader<U+200B>”不是概况的键:“leader”之后有看不见的字符 U+200B",
            "删去后即为允许的值“leader”",
            f"{PROFILE}:缺少“leader”",
        ),
        problems=2,
    ),
    C(
        "folder_named_like_the_table",
        Delete("internal.csv"),
        MakeFolder(f"{RAW}/internal.csv"),
        expect=(f"{I}:缺少该文件;文件夹中有名为“internal.csv”的文件夹,不是文件",),
        problems=1,
    ),
    C(
        "excel_error_value_in_a_count",
        SetCell("checklist.csv", 4, "count", "#N/A"),
        SetCell("checklist.csv", 5, "on_platform", "#REF!"),
        expect=(
            f"{K} 第 4 行 列“count”:单元格是 Excel 的错误值“#N/A”(公式出错或引用失效的结果)",
            f"{K} 第 5 行 列“on_platform”:单元格是 Excel 的错误值“#REF!”",
            "粘贴为数值",
        ),
        problems=2,
    ),
    # --- command line ---
    C(
        "cli_unknown_year",
        args=("check", "2099-2100"),
        expect=("params/2099-2100.yaml:没有学年 2099-2100 的参数文件;已有的学年:2023-2024",),
        problems=1,
    ),
    C(
        "cli_year_2023_2025",
        args=("check", "2023-2025"),
        expect=(
            "命令行:参数“学年”的值“2023-2025”不是有效学年,应为 YYYY-YYYY 且后一年比前一年大 1",
        ),
        problems=1,
    ),
    # --- known defects ---
    C(
        "stray_quote_swallows_rows",
        Replace(
            "publications.csv", "办公内网,198,条,统计表第13行", '办公内网,198,条,"统计表第13行'
        ),
        expect=(f"{P} 第 4 行", "引号"),
    ),
    C(
        "multiline_cell_shifts_row_numbers",
        SetCell("checklist.csv", 2, "remark", "第一行\n第二行"),
        SetCell("checklist.csv", 6, "count", "abc"),
        expect=(f"{K} 第 6 行 列“count”:应为非负整数,实际为文本“abc”",),
        problems=1,
    ),
    C(
        "xlsx_data_beyond_header_dropped",
        ToXlsx("publications", cells=(("E2", "多出的一列数据"),)),
        expect=(f"{RAW}/publications.xlsx 第 2 行", "多于表头"),
    ),
    C(
        "yaml_error_hides_other_problems",
        Replace("profile.yaml", "  office: 校长办公室", "\toffice: 校长办公室"),
        SetCell("checklist.csv", 4, "count", "三"),
        expect=("YAML 不允许用 Tab 缩进", f"{K} 第 4 行 列“count”:应为非负整数,实际为文本“三”"),
        problems=2,
    ),
]

IDS = [c.id for c in CASES]
assert len(IDS) == len(set(IDS)), "duplicate case id"
BY_ID = {c.id: c for c in CASES}
PROBLEM_LINE = re.compile(
    r"^  - (?P<where>\S+?)( 第 (?P<row>\d+) 行)?( 列“(?P<column>[^”]+)”)?:(?P<message>.+)$"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- machinery ------------------------------------------------------------------------------------


def copy_workspace(root: Path) -> Path:
    """A fresh copy of the real workspace (forms, notebooks, params, data) in `root`."""
    for part in COPIED:
        shutil.copytree(
            REPO / part,
            root / part,
            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
        )
    return root


def build(case: Case, tmp_path: Path) -> Path:
    root = copy_workspace(tmp_path / "ws")
    for op in case.ops:
        op.apply(root)
    return root


def disclosure(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--root", str(root), *args])
    return code, capsys.readouterr().out


def results(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from disclosure.pipeline import check_year

    result = check_year(root, YEAR)
    # D01 compares the raw files with SOURCE.yaml's hashes: a re-encoded file fails it by design
    stats, findings = result.statistics, result.findings[result.findings["id"] != "D01"]
    return (
        stats[ROW_FIELDS].reset_index(drop=True),
        findings[FINDING_FIELDS].sort_values("id").reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def unmodified(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    return results(copy_workspace(tmp_path_factory.mktemp("unmodified")))


def problem_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("  - ")]


def _params(cases: list[Case]) -> list:
    return [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=f"BUG: {c.bug}")] if c.bug else [],
        )
        for c in cases
    ]


# --- tests ----------------------------------------------------------------------------------------


def test_corpus_size() -> None:
    assert len(CASES) >= 30
    assert sum(c.accepted for c in CASES) >= 5


@pytest.mark.parametrize("case", _params([c for c in CASES if not c.accepted]))
def test_bad_input_is_refused(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build(case, tmp_path)
    code, out = disclosure(capsys, root, *case.args)
    assert code == 2, out
    lines = problem_lines(out)
    assert lines, out
    assert out.startswith(f"输入有误,未生成任何输出({len(lines)} 个问题):"), out
    for text in case.expect:
        assert text in out, f"expected {text!r} in:\n{out}"
    if case.problems is not None:
        assert len(lines) == case.problems, out
    for line in lines:  # every problem names where it is and says what is wrong, in Chinese
        m = PROBLEM_LINE.match(line)
        assert m, line
        assert CJK.search(m["message"]), line
        assert "Traceback" not in line and "Error(" not in line, line
    assert not (root / "outputs").exists()


@pytest.mark.parametrize("case", _params([c for c in CASES if c.accepted]))
def test_positive_control_is_accepted(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], unmodified
) -> None:
    from disclosure.inputs.dataset import load_year

    root = build(case, tmp_path)
    code, out = disclosure(capsys, root, *case.args)
    assert code != 2, out
    assert "输入有误" not in out
    if case.same_result:
        stats, findings = results(root)
        pd.testing.assert_frame_equal(stats, unmodified[0])
        pd.testing.assert_frame_equal(findings, unmodified[1])
    data = load_year(root, YEAR)
    for check in case.verify:
        check(data)


RUN_CASES = [
    "checklist_three_bad_cells",
    "missing_raw_file",
    "profile_tab_indent",
    "params_data_dir_outside",
    "xlsx_formula_cell",
    "cli_unknown_year",
    "enc_utf16_without_bom",
    "zero_width_space_after_allowed_value",
    "xlsx_count_formatted_as_date",
    "xls_beside_missing_csv",
    "params_data_dir_backslashes",
    "cell_of_140000_characters",
]


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("earlier_run", [False, True], ids=["no_outputs", "earlier_outputs"])
@pytest.mark.parametrize("case", _params([BY_ID[i] for i in RUN_CASES]))
def test_run_writes_nothing(
    case: Case, earlier_run: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build(case, tmp_path)
    outputs = root / "outputs"
    if earlier_run:  # a previous, successful run's outputs: must survive byte for byte
        year_dir = outputs / YEAR
        (year_dir / "figures").mkdir(parents=True)
        (year_dir / "report.html").write_text("<html>上一次的报告</html>", encoding="utf-8")
        (year_dir / "manifest.json").write_text(
            '{"academic_year": "2023-2024"}\n', encoding="utf-8"
        )
        (year_dir / "figures" / "publications.png").write_bytes(
            b"\x89PNG\r\n\x1a\n" + bytes(range(256))
        )
        (year_dir / "statistics.csv").write_bytes("row,value\n10,335\n".encode("gb18030"))
    before = _snapshot(outputs) if earlier_run else None
    year = case.args[1]
    code, out = disclosure(capsys, root, "run", year)
    assert code == 2, out
    assert f"{year}:输入有误,未启动内核,未写入任何输出:" in out or out.startswith(
        "输入有误,未生成任何输出("
    ), out
    for text in case.expect:
        assert text in out, f"expected {text!r} in:\n{out}"
    if earlier_run:
        assert _snapshot(outputs) == before
    else:
        assert not outputs.exists(), sorted(p.name for p in outputs.rglob("*"))


# --- issue 26: a run refuses what its figures cannot draw; verify needs no workspace --------------


def test_run_refuses_an_institution_no_figure_font_can_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """𠀀 (U+20000, CJK extension B) is in neither figure font: the figures' source line would stop
    the notebook with matplotlib's missing-glyph warning. Refused before a cell runs instead."""
    root = copy_workspace(tmp_path / "ws")
    Replace(
        "profile.yaml", "institution: 重庆机电职业技术大学", "institution: 重庆机电𠀀大学"
    ).apply(root)
    code, out = disclosure(capsys, root, "run", YEAR)
    assert code == 2, out
    assert f"{YEAR}:输入有误,未启动内核,未写入任何输出:" in out
    assert f"{PROFILE}:“institution”中的字“𠀀”(U+20000)在图表字体中没有字形" in out
    assert not (root / "outputs").exists()


def test_verify_of_a_copied_outputs_folder_needs_no_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archivist verifies a folder copied out of the workspace, from a folder that is none."""
    from disclosure.evidence.manifest import sealed_text

    folder = tmp_path / "archive" / YEAR
    folder.mkdir(parents=True)
    data = b"row,value\n10,335\n"
    (folder / "statistics.csv").write_bytes(data)
    record = {
        "path": "statistics.csv",
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    manifest = {"academic_year": YEAR, "inputs": [], "outputs": [record]}
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["verify", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "全部输出与 manifest 一致" in out and "找不到工作区" not in out
    assert main(["verify", str(folder), "--rerun"]) == 2
    assert "找不到工作区" in capsys.readouterr().out
