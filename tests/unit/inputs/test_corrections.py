"""Corrections written in params applied to the loaded tables and profile (corrections.py)."""

from datetime import date
from pathlib import Path

import pytest
from workspaces import REPO_ROOT

from disclosure.errors import InputError
from disclosure.inputs.corrections import AppliedCorrection, apply_corrections
from disclosure.inputs.dataset import profile_ints
from disclosure.inputs.forms import load_profile_schema, load_table_defs
from disclosure.inputs.params import Correction, Params
from disclosure.inputs.read import TextTable
from disclosure.inputs.validate import LINE, validate

DEFS = load_table_defs(REPO_ROOT)
PROFILE_INTS = profile_ints(load_profile_schema(REPO_ROOT))
SHOWN = "params/2023-2024.yaml"
FILES = {
    "checklist": "data/raw/2023-2024/checklist.csv",
    "applications": "data/raw/2023-2024/applications.xlsx[applications]",
}
WHY = {"reason": "按第一行读数", "by": "张三", "on": "2024-11-20"}


def frame_of(name, header, rows, lines):
    text = TextTable(Path(f"{name}.csv"), header, rows, lines, "UTF-8")
    frame, problems = validate(text, DEFS[name], FILES[name], date(2023, 9, 1), date(2024, 8, 31))
    assert problems == []
    return frame


def checklist():
    # lines 2, 4, 5: a blank row 3 was dropped, so a row's line is not its position + 2
    rows = [["1", "1", "11"], ["1", "7", "2"], ["2", "8", "0"]]
    return frame_of("checklist", ["category", "item", "count"], rows, [2, 4, 5])


def applications():
    header = ["id", "received", "channel", "applicant", "topic", "concluded"]
    rows = [
        ["A1", "2023-10-01", "当面", "公民", "财务", "是"],
        ["A2", "2023-11-02", "传真", "公民", "招生", "否"],
        ["A3", "2024-01-03", "当面", "法人", "财务", "否"],
    ]
    return frame_of("applications", header, rows, [2, 3, 4])


def fix(table="checklist", match=None, field="count", value=3, expect=1):
    match = {"item": 7} if match is None else match
    return Correction(table=table, match=match, field=field, value=value, expect=expect, **WHY)


def apply(tables, *corrections, profile=None):
    params = Params("2023-2024", "data/raw/2023-2024", corrections=tuple(corrections))
    profile = {} if profile is None else profile
    return apply_corrections(params, tables, FILES, profile, SHOWN, DEFS, PROFILE_INTS)


def refused(tables, *corrections, profile=None):
    with pytest.raises(InputError) as exc:
        apply(tables, *corrections, profile=profile)
    assert all(p.file == SHOWN and p.row is None for p in exc.value.problems)
    return [p.message for p in exc.value.problems]


# --- table corrections --------------------------------------------------------------------------


def test_table_correction_changes_the_cell_and_records_before_after_and_line():
    tables = {"checklist": checklist()}
    applied = apply(tables, fix(value=3))
    assert applied == [
        AppliedCorrection(
            table="checklist",
            location="data/raw/2023-2024/checklist.csv 第 4 行",
            field="count",
            before=2,
            after=3,
            reason="按第一行读数",
            by="张三",
            on="2024-11-20",
        )
    ]
    assert tables["checklist"]["count"].tolist() == [11, 3, 0]
    assert tables["checklist"][LINE].tolist() == [2, 4, 5]  # the line column is untouched


def test_no_corrections_change_nothing():
    tables = {"checklist": checklist()}
    assert apply(tables) == []
    assert tables["checklist"]["count"].tolist() == [11, 2, 0]


def test_match_on_several_columns_takes_the_row_matching_all():
    tables = {"checklist": checklist()}
    (applied,) = apply(tables, fix(match={"category": 2, "item": 8}, value=5))
    assert applied.location.endswith("第 5 行")
    assert tables["checklist"]["count"].tolist() == [11, 2, 5]


def test_expect_two_corrects_both_rows_and_records_each():
    tables = {"applications": applications()}
    correction = fix("applications", {"topic": "财务"}, "concluded", "否", expect=2)
    applied = apply(tables, correction)
    assert [a.location for a in applied] == [
        "data/raw/2023-2024/applications.xlsx[applications] 第 2 行",
        "data/raw/2023-2024/applications.xlsx[applications] 第 4 行",
    ]
    assert [(a.before, a.after) for a in applied] == [("是", "否"), ("否", "否")]
    assert tables["applications"]["concluded"].tolist() == ["否", "否", "否"]


def test_corrections_apply_in_order_on_the_corrected_table():
    tables = {"checklist": checklist()}
    applied = apply(tables, fix(value=3), fix(value=4))
    assert [(a.before, a.after) for a in applied] == [(2, 3), (3, 4)]
    assert tables["checklist"]["count"].tolist() == [11, 4, 0]


@pytest.mark.parametrize(
    "match, expect, found",
    [
        ({"item": 9}, 1, "条件“item = 9”匹配到 0 行,应为 1 行"),
        ({"category": 1}, 1, "条件“category = 1”匹配到 2 行,应为 1 行"),
        ({"category": 1, "item": 7}, 2, "条件“category = 1、item = 7”匹配到 1 行,应为 2 行"),
    ],
)
def test_match_count_other_than_expect_is_refused(match, expect, found):
    tables = {"checklist": checklist()}
    messages = refused(tables, fix(match=match, expect=expect))
    assert messages == [f"第 1 条更正(checklist.count):{found}"]
    assert tables["checklist"]["count"].tolist() == [11, 2, 0]


def test_unknown_table_is_refused():
    messages = refused({"checklist": checklist()}, fix(table="checklists"))
    assert messages == ["第 1 条更正(checklists.count):没有名为“checklists”的原始表"]


def test_unknown_match_and_field_columns_are_refused_together():
    correction = fix(match={"colour": "红"}, field="shade")
    messages = refused({"checklist": checklist()}, correction)
    assert messages == ["第 1 条更正(checklist.shade):表 checklist 没有列 colour、shade"]


# --- the corrected value is checked like a raw cell ---------------------------------------------


@pytest.mark.parametrize(
    "table, field, value, reason",
    [
        ("checklist", "count", -3, "应为非负整数,实际为负数 -3"),
        ("checklist", "count", 2.5, "应为非负整数,实际为小数“2.5”"),
        ("checklist", "count", "三", "应为非负整数,实际为文本“三”"),
        ("checklist", "item", 51, "应在 1 到 50 之间,实际为 51"),
        (
            "applications",
            "channel",
            "飞鸽",
            "“飞鸽”不是允许的值;允许:当面、传真、电子邮件、信函或其他",
        ),
        (
            "applications",
            "received",
            "2024-09-01",
            "日期 2024-09-01 不在本学年(2023-09-01 至 2024-08-31)内",
        ),
        ("applications", "received", "2024-13-01", "日期“2024-13-01”无法识别,应为 YYYY-MM-DD"),
    ],
)
def test_corrected_value_is_refused_like_a_raw_cell(table, field, value, reason):
    tables = {"checklist": checklist(), "applications": applications()}
    before = tables[table][field].tolist()
    match = {"item": 7} if table == "checklist" else {"id": "A2"}
    messages = refused(tables, fix(table, match, field, value))
    assert messages == [f"第 1 条更正({table}.{field}):更正值“{value}”不合格:{reason}"]
    assert tables[table][field].tolist() == before  # a refused value is not written


@pytest.mark.parametrize(
    "value, stored",
    [
        ("１２", 12),  # full-width digits, as in a raw cell
        ("1,234", 1234),  # thousands separator
        (3.0, 3),  # a whole float from YAML
        ("7", 7),  # quoted in YAML: typed like a cell
    ],
)
def test_corrected_count_is_normalised_like_a_raw_cell(value, stored):
    tables = {"checklist": checklist()}
    (applied,) = apply(tables, fix(value=value))
    assert applied.after == stored
    assert tables["checklist"]["count"].tolist()[1] == stored


def test_corrected_choice_synonym_is_rewritten_like_a_raw_cell():
    tables = {"applications": applications()}
    (applied,) = apply(tables, fix("applications", {"id": "A2"}, "concluded", "有"))
    assert applied.after == "是"


def test_corrected_date_is_stored_as_iso_text():
    tables = {"applications": applications()}
    (applied,) = apply(tables, fix("applications", {"id": "A2"}, "received", "2023/12/5"))
    assert (applied.before, applied.after) == ("2023-11-02", "2023-12-05")


def test_corrected_value_of_a_date_read_by_yaml_is_accepted():
    tables = {"applications": applications()}
    (applied,) = apply(tables, fix("applications", {"id": "A2"}, "received", date(2024, 2, 1)))
    assert applied.after == "2024-02-01"


def test_blank_corrected_value_takes_the_column_default():
    tables = {"checklist": checklist()}
    (applied,) = apply(tables, fix(value=""))
    assert applied.after == 0  # checklist.count defaults to 0, as for a blank cell


def test_null_corrected_value_blanks_the_cell():
    tables = {"checklist": checklist()}
    (applied,) = apply(tables, fix(field="remark", value=None))
    assert applied.after is None


# --- profile corrections ------------------------------------------------------------------------


def test_profile_correction_changes_the_value_and_records_it():
    profile = {"fee_policy": "0 元", "staff_full_time": 1}
    correction = fix("profile", {}, "fee_policy", "不收费")
    applied = apply({}, correction, profile=profile)
    record = AppliedCorrection("profile", "profile.yaml", "fee_policy", "0 元", "不收费", **WHY)
    assert applied == [record]
    assert profile == {"fee_policy": "不收费", "staff_full_time": 1}


@pytest.mark.parametrize("value", [0, 12])
def test_profile_int_correction_accepts_non_negative_integers(value):
    profile = {"staff_full_time": 1}
    (applied,) = apply({}, fix("profile", {}, "staff_full_time", value), profile=profile)
    assert (applied.before, applied.after) == (1, value)
    assert profile["staff_full_time"] == value


@pytest.mark.parametrize("value", [-1, True, "3", 2.5])
def test_profile_int_correction_refuses_anything_but_a_non_negative_integer(value):
    profile = {"staff_full_time": 1}
    messages = refused({}, fix("profile", {}, "staff_full_time", value), profile=profile)
    assert messages == [f"第 1 条更正(profile.staff_full_time):更正值“{value}”应为非负整数"]
    assert profile == {"staff_full_time": 1}


def test_profile_text_correction_is_not_held_to_integers():
    profile = {"leader": "校长"}
    (applied,) = apply({}, fix("profile", {}, "leader", "书记"), profile=profile)
    assert applied.after == "书记"


def test_profile_correction_of_a_key_not_in_profile_is_refused():
    messages = refused({}, fix("profile", {}, "short_name", "机电"), profile={"leader": "校长"})
    assert messages == ["第 1 条更正(profile.short_name):profile.yaml 中没有“short_name”"]


# --- every problem is collected -----------------------------------------------------------------


def test_every_bad_correction_is_reported_with_its_number():
    tables = {"checklist": checklist()}
    corrections = [fix(match={"item": 99}), fix(value=4), fix(table="nosuch"), fix(value=-1)]
    messages = refused(tables, *corrections, profile={})
    assert [m.split(":")[0] for m in messages] == [
        "第 1 条更正(checklist.count)",
        "第 3 条更正(nosuch.count)",
        "第 4 条更正(checklist.count)",
    ]
