"""The structural checks computed in code (disclosure.checks): form, published, checklist, narrative, year over year."""

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from disclosure.checks import builtin as checks
from disclosure.checks.rules import COLUMNS
from disclosure.compute.checklist import checklist_items

REPO = Path(__file__).resolve().parents[3]

FLAGS = {1: ("有", "无"), 54: ("收费", "不收费")}


def by_id(records):
    assert all(list(r) == COLUMNS for r in records)
    return {r["id"]: r for r in records}


def stats_frame(rows):
    """rows: (row, kind, value, reported, printed_no)."""
    return pd.DataFrame(rows, columns=["row", "kind", "value", "reported", "printed_no"])


GOOD_STATS = [
    (1, "flag", "有", "有", "1"),
    (2, "text", "校长", "校长", "2"),
    (3, "count", 335, "335", "3"),
    (54, "flag", "不收费", "不收费", "4"),
]


# --- form_checks ------------------------------------------------------------------------------------------------


def test_form_checks_pass():
    stats = stats_frame([(n, k, v, r, str(n)) for n, k, v, r, _ in GOOD_STATS[:3]])
    found = by_id(checks.form_checks(stats, FLAGS, "raw/reported_statistics.csv"))
    assert set(found) == {"S01", "S02", "S03"}
    assert all(f["passed"] is True for f in found.values())
    assert found["S01"]["filled"] == "无问题"
    assert found["S03"]["sources"] == "raw/reported_statistics.csv"


def test_form_checks_numbering():
    stats = stats_frame([(1, "flag", "有", "有", "1"), (2, "text", "校长", "校长", "1"), (3, "count", 3, "3", "3")])
    s01 = by_id(checks.form_checks(stats, FLAGS, "rep.csv"))["S01"]
    assert s01["passed"] is False
    assert "第 2 行印为“1”" in s01["filled"]
    assert "序号“1”重复" in s01["filled"]


@pytest.mark.parametrize(
    "row, kind, value, expected",
    [
        (1, "flag", "maybe", "第 1 行应填 有或无,实际为“maybe”"),
        (54, "flag", "0 元", "第 54 行应填 收费或不收费,实际为“0 元”"),
        (3, "count", "abc", "第 3 行应为非负整数,实际为“abc”"),
        (3, "count", -2, "第 3 行应为非负整数,实际为“-2”"),
        (2, "text", "123", "第 2 行应填文字,实际为“123”"),
        (2, "text", None, "第 2 行为空"),
        (3, "amount", float("nan"), "第 3 行为空"),
    ],
)
def test_form_checks_value_kinds(row, kind, value, expected):
    stats = stats_frame([(row, kind, value, None, str(row))])
    found = by_id(checks.form_checks(stats, FLAGS, None))
    assert set(found) == {"S02"}  # without a published table, S01 and S03 are not run
    assert found["S02"]["passed"] is False
    assert found["S02"]["filled"] == expected


def test_form_checks_published_values_are_checked_separately():
    stats = stats_frame([(3, "count", 335, "三百", "3")])
    found = by_id(checks.form_checks(stats, FLAGS, "rep.csv"))
    assert found["S02"]["passed"] is True
    assert found["S03"]["passed"] is False
    assert found["S03"]["filled"] == "第 3 行应为非负整数,实际为“三百”"


def test_form_checks_on_the_real_year():
    from disclosure.compute.statistics import statistics
    from disclosure.inputs.dataset import load_year

    data = load_year(REPO, "2023-2024")
    allowed = {r.row: r.allowed for r in data.rows if r.kind == "flag"}
    found = by_id(checks.form_checks(statistics(data), allowed, data.table_files["reported_statistics"]))
    # the published table numbers row 51 "50", and row 54 (收费/不收费) holds "0 元" / "0"
    assert found["S01"]["filled"] == "第 51 行印为“50”；序号“50”重复"
    assert found["S02"]["filled"] == "第 54 行应填 收费或不收费,实际为“0 元”"
    assert found["S03"]["filled"] == "第 54 行应填 收费或不收费,实际为“0”"


# --- published_checks ---------------------------------------------------------------------------------------------


def published_stats(agrees):
    return pd.DataFrame({"row": [10, 11, 12], "value": [335, 178, 174], "reported": ["335", "174", None], "agrees": agrees})


def test_published_checks_pass():
    (p01,) = checks.published_checks(published_stats([True, True, None]), "rep.csv")
    assert p01["id"] == "P01" and p01["passed"] is True


def test_published_checks_fail():
    (p01,) = checks.published_checks(published_stats([True, False, None]), "rep.csv")
    assert p01["passed"] is False
    assert p01["filled"] == "第 11 行 重算 178 ≠ 公布 174"
    assert p01["sources"].startswith("rep.csv")


def test_published_checks_without_a_published_table():
    assert checks.published_checks(published_stats([None, None, None]), None) == []


# --- checklist_checks ----------------------------------------------------------------------------------------------

REFERENCE = pd.DataFrame(
    {
        "item": [1, 2, 3],
        "category_no": [1, 1, 2],
        "category_name": ["基本信息", "基本信息", "招生考试信息"],
        "item_text": ["办学规模等办学基本情况", "学校章程及制定的各项规章制度", "招生章程及特殊类型招生办法"],
        "mandatory": ["是", "否", "是"],
        "status": ["verified", "verified", "unverified"],
        "source": ["", "", ""],
    }
)

CHECKLIST_COLUMNS = [
    "category",
    "item",
    "count",
    "count_alt",
    "count_printed",
    "links",
    "on_platform",
    "remark",
    "transcription_note",
    "_line",
]


def items_from(rows, reference=REFERENCE):
    raw = pd.DataFrame(rows, columns=CHECKLIST_COLUMNS).astype(object)
    fake = dataclasses.make_dataclass("Fake", ["reference", "tables"])(reference, {"checklist": raw})
    return checklist_items(fake)


GOOD_ROWS = [
    (1, 1, 2, None, "2", "https://a.cn/1 https://a.cn/2", "是", None, None, 2),
    (1, 2, 1, None, "1", "https://a.cn/3", "否", None, None, 3),
    (2, 3, 1, None, "1", "https://a.cn/4", "是", None, None, 4),
]


def test_checklist_checks_all_pass():
    found = by_id(checks.checklist_checks(items_from(GOOD_ROWS), "4", "raw/checklist.csv"))
    assert set(found) == {"K01", "K02", "K03", "K03w", "K04", "K05", "K06", "K07", "K08", "K09"}
    failed = {k: v["filled"] for k, v in found.items() if not v["passed"]}
    assert failed == {}


def test_k01_sum_differs_from_row_11():
    k01 = by_id(checks.checklist_checks(items_from(GOOD_ROWS), "5", "c.csv"))["K01"]
    assert k01["passed"] is False
    assert k01["filled"] == "清单各事项数量合计 4 ≠ 第 11 行公布值 5"


def test_k01_reports_the_other_reading():
    rows = [GOOD_ROWS[0][:2] + (7, 3, "3 / 4") + GOOD_ROWS[0][5:], *GOOD_ROWS[1:]]
    k01 = by_id(checks.checklist_checks(items_from(rows), 5, "c.csv"))["K01"]
    assert k01["passed"] is False
    assert "合计 9 ≠ 第 11 行公布值 5" in k01["filled"]
    assert "若第 1 项按另一读法 3(印为“3 / 4”)计,合计 5,与第 11 行一致" in k01["filled"]


@pytest.mark.parametrize("p11", [None, "", "一百七十四"])
def test_k01_is_skipped_without_a_numeric_published_value(p11):
    assert "K01" not in by_id(checks.checklist_checks(items_from(GOOD_ROWS), p11, "c.csv"))


def test_k02_missing_item():
    found = by_id(checks.checklist_checks(items_from(GOOD_ROWS[:2]), None, "c.csv"))
    assert found["K02"]["passed"] is False
    assert found["K02"]["filled"] == "缺少第 3 项"
    assert found["K09"]["passed"] is True  # a missing item is reported once, by K02


def test_k03_wrong_category_error_when_verified_warning_otherwise():
    rows = [(2,) + GOOD_ROWS[0][1:], GOOD_ROWS[1], (1,) + GOOD_ROWS[2][1:]]
    found = by_id(checks.checklist_checks(items_from(rows), None, "c.csv"))
    assert found["K03"]["passed"] is False
    assert found["K03"]["severity"] == "error"
    assert found["K03"]["filled"] == "第 1 项列在第 2 大类(第 2 行),清单规定为第 1 大类"
    assert found["K03w"]["passed"] is False
    assert found["K03w"]["severity"] == "warning"
    assert "第 3 项列在第 1 大类(第 4 行)" in found["K03w"]["filled"]


@pytest.mark.parametrize(
    "links, count, failing, text",
    [
        ("QQ：2852377027", 2, "K04", "第 1 项数量 2,无 http(s) 链接(第 2 行)"),
        ("https://a.cn/1", 3, "K05", "第 1 项数量 3,不同链接 1 个(第 2 行)"),
        ("https://a.cn/1 https://a.cn/2 https://a.cn/1", 2, "K06", "第 1 项有重复链接:https://a.cn/1(第 2 行)"),
        ("https://a.cn/1 https://a.cn/2 javascript:alert(1)", 2, "K07", "第 1 项含非网址内容:javascript:alert(1)(第 2 行)"),
    ],
)
def test_link_checks(links, count, failing, text):
    rows = [(1, 1, count, None, str(count), links, "是", None, None, 2), *GOOD_ROWS[1:]]
    found = by_id(checks.checklist_checks(items_from(rows), None, "c.csv"))
    assert found[failing]["passed"] is False
    assert found[failing]["filled"] == text


def test_k08_published_item_without_platform_answer():
    rows = [GOOD_ROWS[0][:6] + (None,) + GOOD_ROWS[0][7:], *GOOD_ROWS[1:]]
    k08 = by_id(checks.checklist_checks(items_from(rows), None, "c.csv"))["K08"]
    assert k08["passed"] is False
    assert k08["filled"].startswith("第 1 项未填")


def test_k09_mandatory_item_with_zero_count():
    rows = [(1, 1, 0, None, None, None, None, None, None, 2), *GOOD_ROWS[1:]]
    found = by_id(checks.checklist_checks(items_from(rows), None, "c.csv"))
    assert found["K09"]["passed"] is False
    assert found["K09"]["filled"].startswith("第 1 项(办学规模等办学基本情况…)数量为 0")
    assert found["K04"]["passed"] is True  # nothing published, so no link is needed


def test_checklist_checks_on_the_real_year():
    from disclosure.inputs.dataset import load_year

    data = load_year(REPO, "2023-2024")
    found = by_id(checks.checklist_checks(checklist_items(data), "174", data.table_files["checklist"]))
    assert found["K01"]["passed"] is False
    assert "清单各事项数量合计 178 ≠ 第 11 行公布值 174" in found["K01"]["filled"]
    assert "若第 7 项按另一读法 3(印为“3 / 4”)计,合计 174,与第 11 行一致" in found["K01"]["filled"]
    assert found["K02"]["passed"] is True
    assert "第 10 项含非网址内容:QQ：2852377027" in found["K07"]["filled"]


# --- narrative_checks ------------------------------------------------------------------------------------------------

CTX = {"r10": 335, "r15": 387, "profile.institution": "某某大学"}
TEMPLATE = "{profile.institution}官网发布信息 {r10} 条,新媒体发布信息 {r15} 条。"


def narrative_with(printed):
    return {
        "opening": [{"template": TEMPLATE, "printed": printed}],
        "sections": [{"part": "二", "paragraphs": [{"subheading": "(一)"}, {"template": "无印刷文字 {r10}"}]}],
    }


def test_narrative_checks_pass():
    found = by_id(checks.narrative_checks(narrative_with("某某大学官网发布信息335条, 新媒体发布信息 387 条。"), CTX, "n.yaml"))
    assert found["N01"]["passed"] is True
    assert found["N02"]["passed"] is True
    assert found["N01"]["sources"] == "n.yaml"


def test_narrative_checks_wrong_number():
    found = by_id(checks.narrative_checks(narrative_with("某某大学官网发布信息 336 条,新媒体发布信息 387 条。"), CTX, "n.yaml"))
    assert found["N01"]["passed"] is False
    assert found["N01"]["filled"] == "开头第 1 段印为“336”,r10 为 335"
    assert found["N02"]["passed"] is True


def test_narrative_checks_text_not_following_the_template():
    narrative = {"sections": [{"part": "二", "paragraphs": [{"template": TEMPLATE, "printed": "完全不同的一段话。"}]}]}
    found = by_id(checks.narrative_checks(narrative, CTX, "n.yaml"))
    assert found["N02"]["passed"] is False
    assert found["N02"]["severity"] == "warning"
    assert found["N02"]["filled"] == "第二部分第 1 段印刷文字与模板不对应"
    assert found["N01"]["passed"] is True


def test_narrative_checks_ignore_text_values():
    found = by_id(checks.narrative_checks(narrative_with("别的大学官网发布信息 335 条,新媒体发布信息 387 条。"), CTX, "n.yaml"))
    assert found["N01"]["passed"] is True  # only numbers are compared


def test_narrative_checks_without_narrative():
    assert checks.narrative_checks(None, CTX, "n.yaml") == []


def test_narrative_checks_wrong_number_at_second_occurrence():
    narrative = {"opening": [{"template": "官网 {r10} 条,其中新闻 {r10} 条。", "printed": "官网 335 条,其中新闻 336 条。"}]}
    found = by_id(checks.narrative_checks(narrative, CTX, "n.yaml"))
    assert found["N01"]["passed"] is False


# --- yoy_checks ---------------------------------------------------------------------------------------------------------


def yoy_stats(values):
    return pd.DataFrame(
        {"row": [1, 10, 11, 12, 13], "kind": ["flag", "count", "count", "count", "amount"], "value": values}, dtype=object
    )


PREVIOUS = pd.DataFrame({"row": [1, 10, 11, 12, 13], "value": ["无", 10, 2, 0, 1000]}, dtype=object)


def test_yoy_checks_pass():
    (y01,) = checks.yoy_checks(yoy_stats(["有", 14, 6, 4, 1400]), PREVIOUS, 0.5, "2022-2023")
    # 10 -> 14 is +40%; 2 -> 6 is +200% but only 4 more; 0 -> 4 is below 5; 1000 -> 1400 is +40%
    assert y01["passed"] is True
    assert y01["sources"] == "2022-2023 学年重算统计表"


def test_yoy_checks_fail():
    (y01,) = checks.yoy_checks(yoy_stats(["有", 20, 2, 5, 400]), PREVIOUS, 0.5, "2022-2023")
    assert y01["passed"] is False
    assert y01["severity"] == "warning"
    assert y01["filled"] == "第 10 行 10 → 20(变化 +100%)；第 12 行 0 → 5(变化 +500%)；第 13 行 1000 → 400(变化 -60%)"


def test_yoy_threshold_is_respected():
    (y01,) = checks.yoy_checks(yoy_stats(["有", 20, 2, 0, 1000]), PREVIOUS, 1.5, "2022-2023")
    assert y01["passed"] is True
    assert "150%" in y01["title"]


def test_yoy_checks_without_a_previous_year():
    assert checks.yoy_checks(yoy_stats(["有", 20, 2, 5, 400]), None, 0.5, None) == []


# --- as_frame -------------------------------------------------------------------------------------------------------------


def test_as_frame_has_the_findings_columns():
    frame = checks.as_frame(checks.published_checks(published_stats([True, False, None]), "rep.csv"))
    assert frame.columns.tolist() == COLUMNS
    assert frame["id"].tolist() == ["P01"]
