"""The result files (disclosure.evidence.outputs): spreadsheet-safe CSV and JSON. The atomic writes
they use are tested with their module, in tests/unit/test_workspace.py."""

import csv
import io
import json
import os

import pytest

from disclosure.evidence.outputs import STATISTICS_COLUMNS, csv_text, safe_cell, write_results

# --- formula injection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=SUM(A1:A9)", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1", "-", "+"],
)
def test_safe_cell_guards_formula_starts(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        " =1+1",
        "\u3000=1+1",  # ideographic space
        "\n@SUM(1)",
        "\x00=cmd",
        "\u200b+1+1",  # zero-width space (a format character)
        "＝SUM(A1)",
        "＋1",
        "－2＋3",
        "＠SUM(1)",
        "  ＝1",
    ],
)
def test_safe_cell_guards_formula_starts_after_blanks_and_in_full_width(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [" -3", "\t7", "说明=1", "a\r=cmd"])
def test_safe_cell_leaves_numbers_after_blanks_and_signs_inside_text(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("cell", ["说明\r=cmd|' /C calc'!A0", "第一行\n=1+1", "a\r\nb"])
def test_a_line_break_inside_a_cell_is_always_quoted(cell):
    text = csv_text([{"remark": cell}], ["remark"])
    assert text == 'remark\r\n"' + cell + '"\r\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["remark"], [cell]]


@pytest.mark.parametrize(
    "value", ["-3", "-3.5", "+7", "-1e3", "178", "有", "0 元", "https://a.cn/?a=1", ""]
)
def test_safe_cell_keeps_numbers_and_plain_text(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value, expected", [(None, ""), (-3, -3), (0, 0), (2.5, 2.5), (True, True)]
)
def test_safe_cell_non_text(value, expected):
    assert safe_cell(value) == expected


# --- csv ------------------------------------------------------------------------------------------


def test_csv_text():
    records = [
        {
            "row": 11,
            "value": 178,
            "reported": "174",
            "agrees": False,
            "label": "清单, 信息",
            "extra": "ignored",
        },
        {"row": 12, "value": 174.0, "reported": None, "agrees": True, "label": '=HYPERLINK("x")'},
    ]
    text = csv_text(records, ["row", "value", "reported", "agrees", "label"])
    assert text.endswith("\r\n") and text.count("\r\n") == 3  # RFC 4180 record ends
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [
        ["row", "value", "reported", "agrees", "label"],
        ["11", "178", "174", "否", "清单, 信息"],
        ["12", "174", "", "是", '\'=HYPERLINK("x")'],
    ]


def test_csv_text_of_no_records():
    assert csv_text([], ["id", "passed"]) == "id,passed\r\n"


def test_write_results(tmp_path):
    results = {
        "statistics": [
            {"row": 1, "label": "门户网站", "value": "有", "source": "profile.yaml: portal"}
        ],
        "checklist": [{"item": 1, "count": 11, "remark": "-见附件"}],
        "categories": [],
        "findings": [{"id": "C01", "severity": "error", "filled": "174 >= 178", "passed": False}],
    }
    write_results(results, tmp_path)
    assert sorted(os.listdir(tmp_path)) == [
        "checklist.csv",
        "checklist_categories.csv",
        "findings.csv",
        "findings.json",
        "statistics.csv",
    ]
    for name in ("statistics.csv", "checklist.csv", "findings.csv"):  # Excel reads a BOM as UTF-8
        assert (tmp_path / name).read_bytes().startswith(b"\xef\xbb\xbf")
    statistics = list(csv.DictReader(open(tmp_path / "statistics.csv", encoding="utf-8-sig")))
    assert statistics[0]["value"] == "有" and statistics[0]["source"] == "profile.yaml: portal"
    assert list(statistics[0]) == STATISTICS_COLUMNS
    checklist = (tmp_path / "checklist.csv").read_bytes().decode("utf-8-sig")
    assert checklist == "item,count,remark\r\n1,11,'-见附件\r\n"
    assert (tmp_path / "checklist_categories.csv").read_bytes() == b"\xef\xbb\xbf\r\n"
    findings = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert findings == results["findings"]
    assert "174 >= 178" in (tmp_path / "findings.json").read_text(encoding="utf-8")
    assert "否" in (tmp_path / "findings.csv").read_text(encoding="utf-8-sig")
