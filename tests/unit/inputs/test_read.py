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
