"""Reading raw tables into rows of text (read.py): encodings, .xlsx, numbers, line numbers.

Row numbers are spreadsheet rows: the header is line 1, the first data row is line 2. A few tests
run the text through validate() to show what a reader of the loaded table sees.
"""

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from disclosure.errors import InputError
from disclosure.inputs.forms import load_table_defs
from disclosure.inputs.read import decode, find_table_file, normalise_number, read_text_table
from disclosure.inputs.validate import LINE, validate

REPO = Path(__file__).resolve().parents[3]

DEFS = load_table_defs(REPO)
START, END = date(2023, 9, 1), date(2024, 8, 31)

PUBLICATIONS = (
    "channel,count,unit,note\n门户网站,335,条,官网发布新闻\n信息公开平台,174,条,清单事项\n"
)


def write(folder, name, data):
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def check(folder, table, text, name=None):
    """Read and validate `text` as table `table`; return (frame, problems, notes)."""
    path = write(folder, name or f"{table}.csv", text)
    loaded = read_text_table(path, path.name)
    frame, problems = validate(loaded, DEFS[table], path.name, START, END)
    return frame, problems, loaded.notes


def only(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, encoding",
    [
        (PUBLICATIONS.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + PUBLICATIONS.encode("utf-8"), "UTF-8 (带 BOM)"),
        (PUBLICATIONS.encode("gbk"), "GB18030 (兼容 GBK)"),
        (PUBLICATIONS.encode("gb18030"), "GB18030 (兼容 GBK)"),
    ],
)
def test_csv_encodings_decode_and_are_reported(tmp_path, data, encoding):
    table = read_text_table(write(tmp_path, "publications.csv", data), "publications.csv")
    assert table.encoding == encoding
    assert table.header == ["channel", "count", "unit", "note"]
    assert table.rows[0] == ["门户网站", "335", "条", "官网发布新闻"]
    assert table.lines == [2, 3]


def test_bom_does_not_stick_to_the_first_column(tmp_path):
    data = b"\xef\xbb\xbf" + PUBLICATIONS.encode("utf-8")
    frame, problems, _ = check(tmp_path, "publications", data)
    assert problems == []
    assert frame["channel"].tolist() == ["门户网站", "信息公开平台"]


def test_short_gbk_file_decodes(tmp_path):
    text = "level,front_page,headline,title,count\n地方,否,否,重庆日报报道我校,1\n"
    path = write(tmp_path, "media_reports.csv", text.encode("gbk"))
    table = read_text_table(path, "media_reports.csv")
    assert table.encoding == "GB18030 (兼容 GBK)"
    assert table.rows == [["地方", "否", "否", "重庆日报报道我校", "1"]]


@pytest.mark.parametrize(
    "data",
    [
        PUBLICATIONS.encode("utf-16"),
        bytes(range(256)) * 4,
        b"\xff\xfe\xfd\x00\x81" * 50,
    ],
)
def test_undecodable_file_gives_a_clear_error(tmp_path, data):
    path = write(tmp_path, "publications.csv", data)
    with pytest.raises(InputError) as exc:
        read_text_table(path, "data/raw/x/publications.csv")
    problem = only(exc.value.problems)
    assert problem.file == "data/raw/x/publications.csv"
    assert "无法识别文件编码" in problem.message
    assert "UTF-8" in problem.message and "GBK" in problem.message  # says what to save as instead


def test_utf16_error_names_the_detected_encoding():
    with pytest.raises(InputError, match="UTF-16"):
        decode(PUBLICATIONS.encode("utf-16"), "x.csv")


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match="文件为空"):
        read_text_table(write(tmp_path, "publications.csv", "  \n"), "publications.csv")


def test_too_large_file(tmp_path):
    path = write(tmp_path, "publications.csv", b"channel\n" + b"x\n" * (3 * 1024 * 1024))
    with pytest.raises(InputError, match="文件过大"):
        read_text_table(path, "publications.csv")


def test_find_table_file(tmp_path):
    path = write(tmp_path, "publications.csv", PUBLICATIONS)
    assert find_table_file(tmp_path, "publications") == (path, None)
    assert find_table_file(tmp_path, "withheld") is None


def test_csv_and_xlsx_side_by_side_is_ambiguous(tmp_path):
    write(tmp_path, "publications.csv", PUBLICATIONS)
    write(tmp_path, "publications.xlsx", b"")
    with pytest.raises(InputError) as exc:
        find_table_file(tmp_path, "publications")
    message = only(exc.value.problems).message
    assert "publications.csv" in message and "publications.xlsx" in message
    assert "请只保留一个" in message


# --- xlsx -------------------------------------------------------------------------------------


def make_xlsx(path, rows, title="publications"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_is_read_with_line_numbers(tmp_path):
    path = make_xlsx(
        tmp_path / "publications.xlsx",
        [
            ["channel", "count", "unit", "note"],
            ["门户网站", 335, "条", None],
            ["信息公开平台", 174.0, "条", "清单"],
            [None, None, None, None],
        ],
    )
    table = read_text_table(path, "publications.xlsx")
    assert table.encoding == "xlsx(工作表“publications”)"
    assert table.header == ["channel", "count", "unit", "note"]
    assert table.rows == [["门户网站", "335", "条", ""], ["信息公开平台", "174", "条", "清单"]]
    assert table.lines == [2, 3]
    frame, problems = validate(table, DEFS["publications"], "publications.xlsx", START, END)
    assert problems == []
    assert frame["count"].tolist() == [335, 174]


def test_xlsx_dates_become_iso_text(tmp_path):
    from datetime import datetime

    rows = [["received", "handled"], [datetime(2023, 10, 1, 9, 30), "是"]]
    path = make_xlsx(tmp_path / "mailbox.xlsx", rows, "mailbox")
    table = read_text_table(path, "mailbox.xlsx")
    assert table.rows == [["2023-10-01", "是"]]


def test_xlsx_formula_cell_is_refused(tmp_path):
    path = make_xlsx(
        tmp_path / "publications.xlsx", [["channel", "count"], ["门户网站", "=SUM(1,2)"]]
    )
    with pytest.raises(InputError) as exc:
        read_text_table(path, "publications.xlsx")
    problem = only(exc.value.problems)
    assert "含公式单元格" in problem.message
    assert "第 2 行第 2 列" in problem.message
    assert "粘贴为数值" in problem.message


def test_damaged_xlsx(tmp_path):
    path = write(tmp_path, "publications.xlsx", b"this is not a zip file")
    with pytest.raises(InputError, match=r"无法作为 Excel\(.xlsx\)文件打开"):
        read_text_table(path, "publications.xlsx")


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, plain, changed",
    [
        ("１２３", "123", True),
        ("1,234", "1234", True),
        ("1,234,567", "1234567", True),
        ("－３", "-3", True),
        ("42", "42", False),
        (" 42 ", "42", False),
        ("1,23", "1,23", False),  # not a thousands separator: left alone (and then refused)
    ],
)
def test_normalise_number(text, plain, changed):
    assert normalise_number(text) == (plain, changed)


# --- blank rows and line numbers --------------------------------------------------------------


def test_blank_trailing_rows_are_dropped_with_a_note(tmp_path):
    text = "channel,count\n门户网站,3\n信息公开平台,4\n,\n  ,  \n\n"
    frame, problems, notes = check(tmp_path, "publications", text)
    assert problems == []
    assert len(frame) == 2
    assert frame[LINE].tolist() == [2, 3]
    assert "忽略空行 3 行" in notes


def test_blank_row_in_the_middle_keeps_later_line_numbers(tmp_path):
    text = "channel,count\n门户网站,3\n,\n办公内网,abc\n"
    frame, problems, _ = check(tmp_path, "publications", text)
    assert only(problems).row == 4
    assert frame[LINE].tolist() == [2, 4]


def test_multiline_cell_keeps_spreadsheet_row_numbers(tmp_path):
    text = 'description,reason,count\n"第一行\n第二行",涉密,1\n另一条,涉密,-1\n'
    frame, problems, _ = check(tmp_path, "withheld", text)
    assert frame[LINE].tolist() == [2, 3]
    assert only(problems).row == 3


# --- bounded work: rows and unpacked xlsx size ----------------------------------------------------

MAILBOX_HEADER = "received,handled,count,note\n"


def test_csv_rows_at_the_limit_are_read_and_one_more_is_refused(tmp_path, monkeypatch):
    from disclosure.inputs import read

    monkeypatch.setattr(read, "MAX_ROWS", 3)
    table = read_text_table(
        write(tmp_path, "m.csv", MAILBOX_HEADER + "2023-10-09,是,1,\n" * 3), "m"
    )
    assert len(table.rows) == 3
    with pytest.raises(InputError, match="数据行超过 3 行上限"):
        read_text_table(write(tmp_path, "m.csv", MAILBOX_HEADER + "2023-10-09,是,1,\n" * 4), "m")


def test_xlsx_rows_at_the_limit_are_read_and_one_more_is_refused(tmp_path, monkeypatch):
    from disclosure.inputs import read

    monkeypatch.setattr(read, "MAX_ROWS", 3)
    rows = [["channel", "count"]] + [["门户网站", 1]] * 3
    assert len(read_text_table(make_xlsx(tmp_path / "p.xlsx", rows), "p").rows) == 3
    with pytest.raises(InputError, match="数据行超过 3 行上限"):
        read_text_table(make_xlsx(tmp_path / "p.xlsx", rows + [["门户网站", 1]]), "p")


def test_xlsx_rows_are_counted_even_when_the_dimension_lies(tmp_path, monkeypatch):
    import zipfile

    from disclosure.inputs import read

    monkeypatch.setattr(read, "MAX_ROWS", 3)
    path = make_xlsx(tmp_path / "p.xlsx", [["channel", "count"]] + [["门户网站", 1]] * 5)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:B6"/>', b'<dimension ref="A1:B2"/>')
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(InputError, match="数据行超过 3 行上限"):
        read_text_table(path, "p")


def unpacked(path):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def test_xlsx_unpacked_size_at_the_limit_is_read_and_one_byte_more_is_refused(
    tmp_path, monkeypatch
):
    from disclosure.inputs import read

    path = make_xlsx(tmp_path / "p.xlsx", [["channel", "count"], ["门户网站", 1]])
    monkeypatch.setattr(read, "MAX_XLSX_UNPACKED", unpacked(path))
    assert read_text_table(path, "p").rows == [["门户网站", "1"]]
    monkeypatch.setattr(read, "MAX_XLSX_UNPACKED", unpacked(path) - 1)
    with pytest.raises(InputError, match="可能是“压缩炸弹”"):
        read_text_table(path, "p")


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_openpyxl(tmp_path, monkeypatch):
    import zipfile

    import openpyxl as xl

    path = make_xlsx(tmp_path / "p.xlsx", [["channel", "count"], ["门户网站", 1]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", bytes(64 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024  # under a megabyte packed
    monkeypatch.setattr(xl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl parsed it"))
    with pytest.raises(InputError, match="解压后共 64 MB,超过 20 MB 上限"):
        read_text_table(path, "p")
    from disclosure.inputs.read import sheet_names

    with pytest.raises(InputError, match="压缩炸弹"):  # tables.xlsx's sheet list: the same limit
        sheet_names(path, "p")


# --- hidden sheets, blank header cells, control characters ----------------------------------------


def test_the_named_sheet_hidden_is_refused(tmp_path):
    path = make_xlsx(tmp_path / "tables.xlsx", [["channel"], ["门户网站"]])
    book = openpyxl.load_workbook(path)
    book.create_sheet("其他").append(["x"])
    book["publications"].sheet_state = "hidden"
    book.save(path)
    with pytest.raises(InputError, match="工作表“publications”是隐藏的"):
        read_text_table(path, "t", "publications")


def test_sheet_names_leave_out_hidden_sheets(tmp_path):
    from disclosure.inputs.read import sheet_names

    path = make_xlsx(tmp_path / "tables.xlsx", [["channel"]])
    book = openpyxl.load_workbook(path)
    book.create_sheet("mailbox").sheet_state = "hidden"
    book.save(path)
    assert sheet_names(path, "t") == ["publications"]


def test_a_first_hidden_sheet_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "旧"
    book.active.append(["channel", "count"])
    book.active.append(["门户网站", 999])
    book.active.sheet_state = "hidden"
    book.create_sheet("新").append(["channel", "count"])
    book["新"].append(["门户网站", 335])
    book.save(path)
    table = read_text_table(path, "p")
    assert table.rows == [["门户网站", "335"]]
    assert table.notes == ["忽略隐藏工作表:旧"]


@pytest.mark.parametrize(
    "text, letter",
    [
        ("channel,count,,note\n门户网站,335,条,x\n", "C"),
        ("channel,count,unit,note,\n门户网站,335,条,x,多出\n", "E"),
    ],
)
def test_a_blank_header_cell_with_data_under_it_is_refused(tmp_path, text, letter):
    with pytest.raises(InputError) as caught:
        read_text_table(write(tmp_path, "p.csv", text), "p")
    (problem,) = caught.value.problems
    assert problem.row == 1
    assert problem.message.startswith(f"表头第 {letter} 列为空(或是合并单元格的一部分)")


def test_a_blank_header_cell_over_an_empty_column_is_fine(tmp_path):
    table = read_text_table(write(tmp_path, "p.csv", "channel,count,\n门户网站,335,\n"), "p")
    assert table.rows == [["门户网站", "335", ""]]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_naming_row_and_column(tmp_path, char):
    with pytest.raises(InputError) as caught:
        read_text_table(
            write(tmp_path, "p.csv", f"channel,count\n门户网站,335\n办公{char}内网,1\n"), "p"
        )
    (problem,) = caught.value.problems
    assert problem.row == 3
    assert f"第 A 列的单元格含控制字符 U+{ord(char):04X}" in problem.message


def test_tabs_and_line_breaks_inside_cells_are_not_control_characters(tmp_path):
    table = read_text_table(write(tmp_path, "p.csv", 'channel,note\n门户网站,"a\tb\r\nc"\n'), "p")
    assert table.rows == [["门户网站", "a\tb\r\nc"]]


# --- encodings: confidently GB or refused ---------------------------------------------------------


@pytest.mark.parametrize("text", ["學生", "學校網站", "黨委文件", "資訊公開"])
def test_short_big5_text_is_refused(text):
    with pytest.raises(InputError, match="无法识别文件编码"):
        decode(f"note\n{text}\n".encode("big5"), "x")


@pytest.mark.parametrize("text", ["学生", "学校网站", "党委文件,来信人:张喆", "信息公开(第1项)"])
def test_short_gbk_text_is_accepted(text):
    assert decode(f"note\n{text}\n".encode("gbk"), "x") == (f"note\n{text}\n", "GB18030 (兼容 GBK)")


def test_the_control_character_scan_matches_unicodes_control_category_exactly():
    """The fast scan (one regular expression per cell) refuses exactly the characters the cell
    check names: category Cc, except tab, CR and LF."""
    import unicodedata

    from disclosure.inputs.read import CONTROL, _control

    for code in range(0x110000):
        c = chr(code)
        assert (
            bool(CONTROL.match(c))
            == _control(c)
            == (c not in "\t\r\n" and unicodedata.category(c) == "Cc")
        ), hex(code)


# --- the cause of a refusal, computed once reading has failed (issue 26) ------------------------


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        decode(data, "x.csv")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("codec, name", [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_utf16_without_bom_is_named_with_its_byte_order(codec, name):
    (message,) = problems_of(PUBLICATIONS.encode(codec))
    assert f"不带 BOM 的 {name} 编码" in message and "CSV UTF-8" in message


def test_utf16_without_bom_needs_four_zero_bytes_on_one_side():
    four = "ab,c门户网站".encode("utf-16-le")  # four ASCII characters: four zero bytes
    three = "ab,门户网站".encode("utf-16-le")
    assert "UTF-16LE" in problems_of(four)[0]
    assert "UTF-16" not in problems_of(three)[0]


def test_utf16_without_bom_needs_four_times_more_zeros_on_one_side_than_the_other():
    ascii_part = "channel,count\n".encode("utf-16-le")  # 14 zero bytes at odd positions
    # U+9F00 is "00 9F" in UTF-16LE: one zero byte at an even position each
    at_limit = ascii_part + ("\u9f00" * 3).encode("utf-16-le")
    beyond = ascii_part + ("\u9f00" * 4).encode("utf-16-le")  # 4 * 4 = 16 > 14
    assert "UTF-16LE" in problems_of(at_limit)[0]  # 3 * 4 = 12 <= 14
    assert "UTF-16" not in problems_of(beyond)[0]


def test_one_stray_byte_in_utf8_names_row_column_and_place(tmp_path):
    data = PUBLICATIONS.replace("174", "17\udcff4").encode("utf-8", "surrogateescape")
    with pytest.raises(InputError) as caught:
        read_text_table(write(tmp_path, "publications.csv", data), "p.csv")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "count")
    assert (
        "文件是 UTF-8 编码,但该单元格“17”之后有 1 个字节(0xFF)不是有效的 UTF-8" in problem.message
    )


def test_a_stray_byte_in_the_header_names_the_row_only():
    data = "chan\udcfenel,count\n门户网站,1\n".encode("utf-8", "surrogateescape")
    (message,) = problems_of(data)
    assert message.startswith("x.csv 第 1 行 列“A”:文件是 UTF-8 编码") and "0xFE" in message


def test_stray_bytes_are_named_while_utf8_characters_are_at_least_twice_as_many():
    def first(wide: str, bad: bytes) -> str:
        return problems_of(b"item,note\nx," + wide.encode() + bad + b"\n")[0]

    assert "文件是 UTF-8 编码" in first("门户网站", b"\xff\xfe")  # 4 characters, 2 bad bytes
    assert "无法识别文件编码" in first("门户网", b"\xff\xfe")  # 3 characters
    assert "文件是 UTF-8 编码" in first("", b"\xff")  # one bad byte alone is always named


def test_at_most_ten_cells_with_stray_bytes_are_listed():
    body = "".join(f"门户网站{n},\udcff\n" for n in range(12))
    data = ("channel,count\n" + body).encode("utf-8", "surrogateescape")
    problems = problems_of(data)
    assert len(problems) == 10 and problems[-1].startswith("x.csv 第 11 行 列“count”")


def test_a_bom_file_with_stray_bytes_names_each_cell():
    data = b"\xef\xbb\xbf" + "channel,count\n门户网站,3\udc805\n".encode("utf-8", "surrogateescape")
    (message,) = problems_of(data)
    assert (
        "第 2 行 列“count”:文件是 UTF-8(带 BOM)编码,但该单元格“3”之后有 1 个字节(0x80)" in message
    )


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"PK\x03\x04rest", "一个 Excel(.xlsx)工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "旧版 Excel 97-2003(.xls)"),
        (b"%PDF-1.7\n\xe2\xe3", "一份 PDF 文件"),
        (b" \r\n<!DOCTYPE html><table>\x80", "一个网页(HTML)文件"),
        (b'<?xml version="1.0"?><Workbook>\x80\x81', "一个 XML 文件"),
    ],
)
def test_a_csv_that_is_another_kind_of_file_is_named(head, kind):
    (message,) = problems_of(head + bytes(range(0x80, 0x100)))
    assert f"这不是 CSV 文本文件,而是{kind}" in message and "扩展名为 .csv" in message


def xlsx_message(tmp_path, data: bytes) -> str:
    path = write(tmp_path, "publications.xlsx", data)
    with pytest.raises(InputError) as caught:
        read_text_table(path, "p.xlsx")
    (problem,) = caught.value.problems
    assert problem.message.startswith("无法作为 Excel(.xlsx)文件打开")
    return problem.message


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "文件为空(0 字节)"),
        (b"PK\x03\x04" + bytes(100), "zip 格式但不完整或已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "旧版 Excel 97-2003(.xls)文件"),
        (b"<html><body><table><tr><td>1</td></tr></table>", "一个网页(HTML)文件"),
        (
            "channel,count\n门户网站,1\n".encode(),
            "以逗号分隔的 CSV 文本文件(第一行为“channel,count”)",
        ),
        ("渠道\t数量\n门户网站\t1\n".encode(), "这是文本文件(第一行为“渠道\t数量”)"),
        (bytes(range(256)), "文件不是 zip 格式"),
    ],
)
def test_an_xlsx_that_is_not_a_zip_is_named(tmp_path, data, words):
    assert words in xlsx_message(tmp_path, data)


def zip_of(parts: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "part, kind",
    [
        ("word/document.xml", "一份 Word 文档(.docx)"),
        ("ppt/presentation.xml", "一份 PowerPoint 演示文稿"),
        ("content.xml", "一份 OpenDocument 表格(.ods"),
        ("readme.txt", "一个 zip 压缩包,其中没有 Excel 工作簿"),
    ],
)
def test_a_zip_that_holds_no_workbook_is_named(tmp_path, part, kind):
    message = xlsx_message(tmp_path, zip_of({"[Content_Types].xml": "<Types/>", part: "x"}))
    assert f"这是{kind}" in message and "只是扩展名为 .xlsx" in message


def test_a_workbook_damaged_inside_says_so_with_the_detail(tmp_path):
    message = xlsx_message(tmp_path, zip_of({"xl/workbook.xml": "<not-xml", "x": "y"}))
    assert "文件内部已损坏" in message and "详情:" in message


def test_tables_xlsx_that_is_csv_text_is_named(tmp_path):
    from disclosure.inputs.read import sheet_names

    path = write(tmp_path, "tables.xlsx", "channel,count\n门户网站,1\n")
    with pytest.raises(InputError, match="以逗号分隔的 CSV 文本文件"):
        sheet_names(path, "tables.xlsx")


def test_array_formulas_are_refused_as_formulas(tmp_path):
    from openpyxl.worksheet.formula import ArrayFormula

    path = tmp_path / "publications.xlsx"
    make_xlsx(path, [["channel", "count"], ["门户网站", 1], ["办公内网", 2]])
    book = openpyxl.load_workbook(path)
    book.active["B3"] = ArrayFormula("B3", "=SUM(B2:B2)")
    book.save(path)
    with pytest.raises(InputError, match=r"含公式单元格\(第 3 行第 2 列为数组公式\)"):
        read_text_table(path, "p.xlsx")


def test_date_and_time_formatted_cells_keep_the_number_they_hold(tmp_path):
    path = tmp_path / "publications.xlsx"
    make_xlsx(
        path, [["channel", "count"], ["门户网站", 335], ["办公内网", 0.5], ["x", 36.5], ["y", 7]]
    )
    book = openpyxl.load_workbook(path)
    book.active["B2"].number_format = "yyyy-mm-dd"
    book.active["B3"].number_format = "hh:mm"
    book.active["B4"].number_format = "yyyy-mm-dd hh:mm"
    book.save(path)
    table = read_text_table(path, "p.xlsx")
    assert table.dated == {(2, 1): "335", (3, 1): "0.5", (4, 1): "36.5"}  # B5 is a plain 7
    assert [r[1] for r in table.rows] == ["1900-11-30", "12:00:00", "1900-02-05", "7"]


def test_a_csv_cell_of_32767_characters_is_read_and_one_more_is_refused(tmp_path):
    from disclosure.inputs.read import MAX_CELL_CHARS

    assert MAX_CELL_CHARS == 32_767  # Excel's limit, documented in the README
    at = "channel,count,unit,note\n门户网站,1,条," + "长" * 32_767 + "\n"
    assert len(read_text_table(write(tmp_path, "a.csv", at), "a.csv").rows[0][3]) == 32_767
    beyond = at.replace("长\n", "长长\n")
    with pytest.raises(InputError) as caught:
        read_text_table(write(tmp_path, "b.csv", beyond), "b.csv")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "note")
    assert "第 D 列的单元格有 32,768 个字符,超过每格 32,767 字符的上限" in problem.message


def test_the_csv_field_limit_is_restored_after_reading(tmp_path):
    import csv

    before = csv.field_size_limit()
    read_text_table(write(tmp_path, "a.csv", PUBLICATIONS), "a.csv")
    assert csv.field_size_limit() == before


def test_an_unclosed_quote_swallowing_more_than_a_cell_holds_is_named_as_a_quote(tmp_path):
    rows = "".join(f"渠道{n},{n},条,说明\n" for n in range(4000))  # ~60,000 characters
    text = 'channel,count,unit,note\n门户网站,1,条,"未闭合\n' + rows
    with pytest.raises(InputError) as caught:
        read_text_table(write(tmp_path, "p.csv", text), "p.csv")
    (problem,) = caught.value.problems
    assert problem.row == 2 and "列“note”中的引号没有闭合" in problem.message


def test_ascii_utf16_read_as_utf8_is_named_utf16_not_a_control_character(tmp_path):
    path = write(tmp_path, "p.csv", "channel,count\n".encode("utf-16-le"))
    with pytest.raises(InputError) as caught:
        read_text_table(path, "p.csv")
    (problem,) = caught.value.problems
    assert "不带 BOM 的 UTF-16" in problem.message and problem.row == 1


def test_one_nul_in_a_header_is_still_a_control_character(tmp_path):
    path = write(tmp_path, "p.csv", "channel,count\x00x\n门户网站,1\n")  # 1 NUL in 15 characters
    with pytest.raises(InputError, match="含控制字符 U\\+0000"):
        read_text_table(path, "p.csv")


def test_logical_cells_read_as_excel_shows_them(tmp_path):
    path = tmp_path / "publications.xlsx"
    make_xlsx(path, [["channel", "note"], ["门户网站", True], ["办公内网", False]])
    assert [r[1] for r in read_text_table(path, "p.xlsx").rows] == ["TRUE", "FALSE"]
