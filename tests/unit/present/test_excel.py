"""statistics.xlsx (disclosure.present.excel), read back with openpyxl."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workspaces import report_document

from disclosure import pipeline
from disclosure.present import document, excel

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def doc():
    return report_document(pipeline.check_year(REPO, "2023-2024"))


def book(doc):
    return load_workbook(io.BytesIO(excel.xlsx_bytes(doc)))


def test_the_statistics_sheet_has_55_rows_with_published_beside_rebuilt(doc):
    sheet = book(doc)["统计表"]
    assert sheet["A1"].value == "2023-2024 学年度信息公开工作统计表"
    assert [c.value for c in sheet[3]] == ["序号", "内容", "数量", "单位", "公布值", "是否一致"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 56))
    assert rows[10][2:] == (178, "条", 174, "不一致")  # counts are numbers
    assert rows[0][2] == "有"  # 有/无 stay text
    assert sheet.cell(row=14, column=1).fill.fgColor.rgb.endswith("F8D7DA")
    assert sheet.cell(row=13, column=1).fill.fill_type is None


def test_without_a_published_table_there_are_only_the_form_columns(doc):
    rows = [dict(r, published=None, agrees=None) for r in doc["statistics"]]
    sheet = book(dict(doc, statistics=rows))["统计表"]
    assert [c.value for c in sheet[3]] == ["序号", "内容", "数量", "单位"]


def test_the_checklist_sheet_has_50_items_and_spans_each_category(doc):
    sheet = book(doc)["清单对照检查表"]
    assert [c.value for c in sheet[3]] == list(document.CHECKLIST_HEADERS)
    items = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in items] == list(range(1, 51))
    assert items[0][0] == "第 1 大类" and items[1][0] is None
    assert "A4:A9" in {str(r) for r in sheet.merged_cells.ranges}
    assert items[2][2] is None and items[2][3] == "无"  # a zero count blank, as printed


def test_the_same_document_gives_the_same_bytes_at_another_time(doc, monkeypatch):
    import datetime

    import openpyxl.writer.excel as writer

    first = excel.xlsx_bytes(doc)

    class Later(datetime.datetime):  # openpyxl stamps the time of saving
        @classmethod
        def now(cls, tz=None):
            return cls(2031, 5, 6, 7, 8, 9, tzinfo=tz)

    utc = datetime.timezone

    class Clock:  # the module `datetime` as openpyxl's writer sees it
        datetime = Later
        timezone = utc

    monkeypatch.setattr(writer, "datetime", Clock)
    assert excel.xlsx_bytes(doc) == first
