"""Limits and encodings on both sides (issue 25): the xlsx row limit holds exactly at MAX_ROWS
whether the sheet's <dimension> is right, understates or overstates its size; Big5 names with rare
characters are refused while GBK with the same rare characters is read."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from disclosure.errors import InputError
from disclosure.inputs import read
from disclosure.inputs.read import decode, read_text_table

LIMIT = 3


def xlsx(path, data_rows: int, dimension_rows: int | None = None):
    """A sheet with a header and `data_rows` rows; its <dimension> says `dimension_rows` rows
    (header included) when given."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "publications"
    sheet.append(["channel", "count"])
    for _ in range(data_rows):
        sheet.append(["门户网站", 1])
    book.save(path)
    if dimension_rows is not None:
        with zipfile.ZipFile(path) as zf:
            parts = {i.filename: zf.read(i) for i in zf.infolist()}
        name = "xl/worksheets/sheet1.xml"
        true = f'<dimension ref="A1:B{data_rows + 1}"/>'.encode()
        assert true in parts[name]
        parts[name] = parts[name].replace(true, f'<dimension ref="A1:B{dimension_rows}"/>'.encode())
        with zipfile.ZipFile(path, "w") as zf:
            for part, data in parts.items():
                zf.writestr(part, data)
    return path


@pytest.fixture(autouse=True)
def small_limit(monkeypatch):
    monkeypatch.setattr(read, "MAX_ROWS", LIMIT)


@pytest.mark.parametrize(
    "dimension", [None, 2, 1], ids=["dimension-true", "dimension-understates", "dimension-one-row"]
)
def test_xlsx_at_the_limit_is_read_and_one_more_refused_whatever_the_dimension(tmp_path, dimension):
    assert len(read_text_table(xlsx(tmp_path / "p.xlsx", LIMIT, dimension), "p").rows) == LIMIT
    with pytest.raises(InputError, match=f"数据行超过 {LIMIT} 行上限"):
        read_text_table(xlsx(tmp_path / "p.xlsx", LIMIT + 1, dimension), "p")


def test_a_dimension_that_overstates_by_one_row_is_refused_before_reading(tmp_path):
    # header + LIMIT data rows is the largest dimension allowed; one more is refused unread
    path = xlsx(tmp_path / "p.xlsx", 1, dimension_rows=LIMIT + 1)
    assert len(read_text_table(path, "p").rows) == 1
    with pytest.raises(InputError, match=f"数据行超过 {LIMIT} 行上限"):
        read_text_table(xlsx(tmp_path / "p.xlsx", 1, dimension_rows=LIMIT + 2), "p")


def test_csv_at_the_limit_is_read_and_one_more_refused(tmp_path):
    header = "channel,count\n"
    (tmp_path / "p.csv").write_text(header + "门户网站,1\n" * LIMIT, encoding="utf-8")
    assert len(read_text_table(tmp_path / "p.csv", "p").rows) == LIMIT
    (tmp_path / "p.csv").write_text(header + "门户网站,1\n" * (LIMIT + 1), encoding="utf-8")
    with pytest.raises(InputError, match=f"数据行超过 {LIMIT} 行上限"):
        read_text_table(tmp_path / "p.csv", "p")


@pytest.mark.parametrize(
    "text", ["機關,甯淼\n", "機關黨委辦公室,甯淼\n學校辦公室,張三\n", "機關,甯淼\n資訊公開,李四\n"]
)
def test_big5_names_with_rare_characters_are_refused(text):
    with pytest.raises(InputError, match="无法识别文件编码"):
        decode(("note,name\n" + text).encode("big5"), "x.csv")


@pytest.mark.parametrize(
    "text", ["机关党委办公室,甯淼\n", "学校办公室,李四\n机关党委,甯淼\n信息公开办公室,张三\n"]
)
def test_gbk_with_the_same_rare_name_is_read(text):
    decoded, encoding = decode(("note,name\n" + text).encode("gbk"), "x.csv")
    assert decoded == "note,name\n" + text
    assert encoding == "GB18030 (兼容 GBK)"
