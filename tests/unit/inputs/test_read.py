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
