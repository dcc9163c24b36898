"""The report document (disclosure.present.document): one structure every copy is laid out from."""

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from disclosure import pipeline
from disclosure.compute.narrative import year_context
from disclosure.present import document, report

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def real():
    result = pipeline.check_year(REPO, "2023-2024")
    ctx = year_context(result.data, result.statistics)
    doc = document.build(
        result.data.profile,
        result.data.narrative,
        ctx,
        result.statistics,
        result.checklist,
        "2023-2024",
        report.date_text(result.data.profile),
    )
    return result, ctx, doc


def test_the_real_year_has_its_head_55_rows_and_50_items(real):
    _, _, doc = real
    assert (doc["issuer"], doc["document_number"], doc["signer"]) == (
        "重庆机电职业技术大学",
        "重机电文〔2024〕50号",
        "石晓辉",
    )
    assert doc["title"] == "关于报送2023-2024学年度信息公开工作的报告"
    assert [r["row"] for r in doc["statistics"]] == list(range(1, 56))
    assert [i["item"] for i in doc["checklist"]] == list(range(1, 51))
    assert doc["date"] == "2024 年 11 月 14 日"
    assert [s["part"] for s in doc["sections"]] == list("一二三四五六七")


def test_the_real_year_prints_the_none_wording_because_its_rows_are_zero(real):
    _, _, doc = real
    four = doc["sections"][3]["paragraphs"][0]["text"]
    assert four == "2023-2024 学年，学校未收到明确要求信息公开的相关申请及无信息公开申请收费情况。"


def test_three_applications_are_stated_with_their_breakdown_never_as_none(real):
    result, ctx, _ = real
    ctx = {**ctx, "r19": 3, "r20": 3, "r27": 1, "r29": 2, "r47": 3}
    doc = document.build(
        result.data.profile, result.data.narrative, ctx, result.statistics, result.checklist,
        "2023-2024", "",
    )  # fmt: skip
    four = doc["sections"][3]["paragraphs"][0]["text"]
    assert (
        "共收到信息公开申请 3 件" in four
        and "当面提交 1 件" in four
        and "电子邮件提交 2 件" in four
    )
    assert "未收到" not in four


def test_published_values_and_agreement_are_kept_for_the_review_copy(real):
    _, _, doc = real
    row11 = doc["statistics"][10]
    assert (row11["value"], row11["published"], row11["agrees"]) == ("178", "174", False)
    assert doc["statistics"][9]["agrees"] is True


def test_rows_without_a_published_value_have_none():
    stats = pd.DataFrame(
        {
            "row": [1],
            "label": ["x"],
            "value": [3],
            "unit": ["条"],
            "reported": [None],
            "agrees": [True],
        }
    )
    assert document.statistics_rows(stats) == [
        {"row": 1, "label": "x", "value": "3", "unit": "条", "published": None, "agrees": None}
    ]


@pytest.mark.parametrize(
    "links, count, printed, expected",
    [
        ([], 0, "", ["无"]),
        ([], 3, "", []),  # a count without links: nothing invented
        (["http://a/1", "http://a/2"], 2, "", ["http://a/1", "http://a/2"]),
        (["http://a/1", "http://a/2"], 3, "", ["http://a/1", "http://a/2", "等 3 条"]),
        (["http://a/1", "http://a/1"], 2, "", ["http://a/1", "http://a/1", "等 2 条"]),
        (
            ["http://a/1"],
            6,
            "1. 招生章程：\nhttp://a/1\n 等 6 条 \n",
            ["1. 招生章程：", "http://a/1", "等 6 条"],
        ),
    ],
)
def test_link_lines(links, count, printed, expected):
    assert document.link_lines(links, count, printed) == expected


def test_checklist_rows_print_the_printed_cell_when_the_raw_table_kept_it(real):
    result, _, _ = real
    items = result.checklist.copy()
    items["links_printed"] = ""
    items.loc[items["item"] == 8, "links_printed"] = "无"
    rows = document.checklist_rows(items)
    assert rows[7]["links"] == ["无"]
    assert rows[1]["links"][-1] == "等 6 条"  # item 2: 6 published, 2 links shown


def test_wording_choices_show_each_condition_with_values_and_the_one_printed(real):
    result, ctx, _ = real
    table = document.wording_choices(result.data.narrative, ctx)
    four = table[table["段落"] == "第四部分第 1 段"]
    assert list(four["选用"]) == ["✔", "", ""]
    assert list(four["代入数值"])[:2] == ["0 == 0 and 0 == 0", "0 == 0"]
    assert list(four["条件"])[-1] == "(其余情况)"


def test_stable_zip_fixes_entry_times_and_keeps_content():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("a.xml", "<a/>")
        z.writestr("b/c.xml", "<c/>")
    out = document.stable_zip(raw.getvalue())
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert [i.date_time for i in z.infolist()] == [document.ZIP_TIME] * 2
        assert z.read("b/c.xml") == b"<c/>" and z.namelist() == ["a.xml", "b/c.xml"]
    assert document.stable_zip(out) == out


def test_stable_zip_fixes_the_time_of_saving_in_the_core_properties():
    core = (
        b'<cp:coreProperties><dcterms:modified xsi:type="dcterms:W3CDTF">'
        b"2026-11-26T12:00:07Z</dcterms:modified></cp:coreProperties>"
    )
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("docProps/core.xml", core)
        z.writestr("other.xml", core)  # only the core properties are rewritten
    with zipfile.ZipFile(io.BytesIO(document.stable_zip(raw.getvalue()))) as z:
        assert b">2000-01-01T00:00:00Z</dcterms:modified>" in z.read("docProps/core.xml")
        assert z.read("other.xml") == core
