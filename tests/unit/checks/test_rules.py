"""The rule engine (disclosure.checks.rules): loading and validating forms/rules.yaml, the displayed
check and its way back, message rendering, table rows as plain values, and evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.catalogue import context
from disclosure.checks.findings import COLUMNS, Finding
from disclosure.checks.rules import (
    Context,
    Explain,
    Rule,
    as_frame,
    evaluate_rules,
    load_rules,
    parse_shown,
    render,
    rows,
)
from disclosure.errors import ExpressionError, InputError

REPO = Path(__file__).resolve().parents[3]
RULES_TEXT = (REPO / "forms" / "rules.yaml").read_text(encoding="utf-8")
A01_CHECK = "r19 == r27 + r28 + r29 + r30"
SMALL = {
    "statistics": ("row", "kind", "value", "printed_no"),
    "checklist": ("item", "line", "count", "count_alt", "count_printed"),
}
UNKNOWN_TAIL = (
    "只能用 rN(重算值)、pN(公布值)、参数 yoy_threshold、published_lines、form_rows、"
    "逐行检查的列或“表名.列名”"
)


@pytest.fixture(scope="module")
def real_columns(real_year) -> dict[str, tuple[str, ...]]:
    tables = {"statistics": real_year.statistics, "checklist": real_year.checklist}
    return {name: tuple(frame.columns) for name, frame in tables.items()}


@pytest.fixture(scope="module")
def catalogue(real_columns) -> list[Rule]:
    return load_rules(REPO, 55, real_columns)


def write_rules(root: Path, text: str) -> Path:
    (root / "forms").mkdir(parents=True, exist_ok=True)
    (root / "forms" / "rules.yaml").write_text(text, encoding="utf-8")
    return root


def one_rule(**spec: Any) -> str:
    """A rules.yaml of one rule: a passing value rule unless `spec` changes it."""
    rule = {"id": "X01", "title": "标题", "check": "r1 == '有'", "severity": "error", **spec}
    rule = {k: v for k, v in rule.items() if v is not None}
    families = {"families": {"test": {"title": "测试", "rules": [rule]}}}
    return yaml.safe_dump(families, allow_unicode=True, sort_keys=False)


def problems(root: Path, n_rows: int = 55, columns: Any = None) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_rules(root, n_rows, SMALL if columns is None else columns)
    assert all(p.file == "forms/rules.yaml" for p in exc.value.problems)
    return [p.message for p in exc.value.problems]


def only_problem(root: Path, **kwargs: Any) -> str:
    (message,) = problems(root, **kwargs)
    return message


# --- loading the real catalogue -----------------------------------------------


def test_real_catalogue_loads_in_file_order(catalogue):
    declared = yaml.safe_load(RULES_TEXT)["families"]
    assert [r.id for r in catalogue] == [r["id"] for f in declared.values() for r in f["rules"]]
    assert [r.family for r in catalogue][:2] == ["applications", "applications"]
    by_id = {r.id: r for r in catalogue}
    assert by_id["A01"].check == A01_CHECK
    assert by_id["A01"].title == "收到申请数等于各提交方式之和"
    assert by_id["A01"].basis == "统计表第19行与第27-30行"
    assert by_id["F01"].title == "不收费则收费金额为零"
    assert by_id["B03"].severity == "warning"
    assert (by_id["N01"].engine, by_id["A01"].engine) == ("code", "expr")
    reading = "若第 {item} 项按另一读法 {count_alt}(印为“{count_printed}”)计,"
    total = "合计 {sum(checklist.count) - count + count_alt}"
    assert by_id["K01"].explain == Explain("checklist", "not blank(count_alt)", reading + total)
    assert (by_id["S01"].over, by_id["S01"].where) == ("statistics", "not blank(printed_no)")
    assert by_id["S01"].message == "第 {row} 行印为“{printed_no}”"


def test_a_rule_without_severity_is_an_error(tmp_path):
    (rule,) = load_rules(write_rules(tmp_path, one_rule(severity=None)), 55, SMALL)
    assert rule.severity == "error"
    assert (rule.family, rule.engine, rule.requires, rule.over) == ("test", "expr", (), None)


def test_an_empty_catalogue_has_no_rules(tmp_path):
    assert load_rules(write_rules(tmp_path, ""), 55, SMALL) == []


# --- load_rules validation: every problem names the rule ----------------------


def test_typo_row_number_r72_names_the_rule(tmp_path, real_columns):
    assert A01_CHECK in RULES_TEXT
    write_rules(tmp_path, RULES_TEXT.replace(A01_CHECK, "r19 == r72 + r28 + r29 + r30"))
    message = only_problem(tmp_path, columns=real_columns)
    assert message == "规则 A01:“r72”引用了不存在的第 72 行(统计表只有 1 到 55 行)"


def test_zero_padded_row_r07_is_refused_as_an_unknown_name(tmp_path):
    write_rules(tmp_path, one_rule(id="F03", check="r6 != '无' or r07 == 0"))
    assert only_problem(tmp_path) == f"规则 F03:未知名称“r07”,{UNKNOWN_TAIL}"


def test_row_zero_is_refused(tmp_path):
    write_rules(tmp_path, one_rule(id="M01", check="r17 <= r0"))
    assert only_problem(tmp_path).startswith("规则 M01:未知名称“r0”")


@pytest.mark.parametrize("name", ["r1", "r55", "p1", "p55"])
def test_first_and_last_rows_are_accepted(tmp_path, name):
    (rule,) = load_rules(write_rules(tmp_path, one_rule(check=f"{name} == 0")), 55, SMALL)
    assert rule.check == f"{name} == 0"


@pytest.mark.parametrize("name", ["r56", "p56"])
def test_one_row_past_the_table_is_refused(tmp_path, name):
    write_rules(tmp_path, one_rule(check=f"{name} == 0"))
    expected = f"规则 X01:“{name}”引用了不存在的第 56 行(统计表只有 1 到 55 行)"
    assert only_problem(tmp_path) == expected


def test_row_limit_follows_the_number_of_rows(tmp_path):
    write_rules(tmp_path, one_rule(check="r55 == 0"))
    assert "统计表只有 1 到 54 行" in only_problem(tmp_path, n_rows=54)


def test_unknown_name_says_what_may_be_named(tmp_path):
    write_rules(tmp_path, one_rule(id="A01", check="x19 == r27 + r28 + r29 + r30"))
    assert only_problem(tmp_path) == f"规则 A01:未知名称“x19”,{UNKNOWN_TAIL}"


def test_attribute_of_a_row_name_is_an_unknown_name(tmp_path):
    write_rules(tmp_path, one_rule(check="r19.real > 0"))
    assert only_problem(tmp_path) == f"规则 X01:未知名称“r19.real”,{UNKNOWN_TAIL}"


def test_table_column_must_exist(tmp_path):
    load_rules(write_rules(tmp_path, one_rule(check="sum(checklist.count) == p11")), 55, SMALL)
    write_rules(tmp_path, one_rule(check="sum(checklist.cnt) == p11"))
    assert only_problem(tmp_path).startswith("规则 X01:未知名称“checklist.cnt”")
    write_rules(tmp_path, one_rule(check="sum(ledger.count) == p11"))
    assert only_problem(tmp_path).startswith("规则 X01:未知名称“ledger.count”")


def test_parameter_is_a_known_name(tmp_path):
    (rule,) = load_rules(write_rules(tmp_path, one_rule(check="yoy_threshold > 0")), 55, SMALL)
    assert rule.check == "yoy_threshold > 0"


def test_value_rule_cannot_name_a_row_column(tmp_path):
    write_rules(tmp_path, one_rule(check="count > 0"))
    assert only_problem(tmp_path).startswith("规则 X01:未知名称“count”")


def test_row_rule_names_only_the_columns_of_its_own_table(tmp_path):
    load_rules(write_rules(tmp_path, one_rule(over="checklist", check="count > 0")), 55, SMALL)
    write_rules(tmp_path, one_rule(over="statistics", check="count > 0"))
    assert only_problem(tmp_path).startswith("规则 X01:未知名称“count”")


def test_unknown_over_lists_the_tables(tmp_path):
    write_rules(tmp_path, one_rule(over="checklst", check="count > 0"))
    expected = "规则 X01:over“checklst”不是可逐行检查的表,只能是 statistics、checklist"
    assert only_problem(tmp_path) == expected


def test_unknown_requirement(tmp_path):
    write_rules(tmp_path, one_rule(requires=["previous"]))
    expected = (
        "规则 X01:requires“previous”未知,只能是 reported_statistics、previous_year、source_record"
    )
    assert only_problem(tmp_path) == expected


def test_known_requirements_are_accepted(tmp_path):
    requires = ["reported_statistics", "previous_year", "source_record"]
    (rule,) = load_rules(write_rules(tmp_path, one_rule(requires=requires)), 55, SMALL)
    assert rule.requires == tuple(requires)


def test_unknown_engine(tmp_path):
    write_rules(tmp_path, one_rule(engine="python"))
    assert only_problem(tmp_path) == "规则 X01:engine“python”应为 expr 或 code"


def test_bad_severity(tmp_path):
    write_rules(tmp_path, one_rule(severity="fatal"))
    assert only_problem(tmp_path) == "规则 X01:severity“fatal”应为 error 或 warning"


@pytest.mark.parametrize("severity", ["error", "warning"])
def test_both_severities_are_accepted(tmp_path, severity):
    (rule,) = load_rules(write_rules(tmp_path, one_rule(severity=severity)), 55, SMALL)
    assert rule.severity == severity


def test_duplicate_id(tmp_path, real_columns):
    assert RULES_TEXT.count("- id: A02\n") == 1
    write_rules(tmp_path, RULES_TEXT.replace("- id: A02\n", "- id: A01\n"))
    assert only_problem(tmp_path, columns=real_columns) == "规则 A01:编号重复"


def test_missing_check_names_the_field(tmp_path):
    write_rules(tmp_path, "families:\n  media:\n    rules:\n      - {id: M01, title: 头版}\n")
    assert only_problem(tmp_path) == "规则 M01 缺少或错写了 'check'"


def test_code_rule_check_is_words_not_an_expression(tmp_path):
    words = "sha256(data/raw/<学年>/ 中每个文件) == SOURCE.yaml 的 files 所记"
    (rule,) = load_rules(write_rules(tmp_path, one_rule(engine="code", check=words)), 55, SMALL)
    assert (rule.engine, rule.check) == ("code", words)
    write_rules(tmp_path, one_rule(check=words))
    assert only_problem(tmp_path).startswith(f"规则 X01:表达式“{words}”语法错误")


@pytest.mark.parametrize(
    "where, expected",
    [
        ("len(line) > 0", "不允许调用“len(line)”"),
        ("line ==", "语法错误"),
        ("lin == 1", "未知名称“lin”"),
    ],
)
def test_where_is_validated(tmp_path, where, expected):
    write_rules(tmp_path, one_rule(id="K04", over="checklist", where=where, check="count >= 0"))
    message = only_problem(tmp_path)
    assert message.startswith("规则 K04:")
    assert expected in message


@pytest.mark.parametrize(
    "message, expected",
    [
        ("第 {item +} 项", "语法错误"),
        ("第 {itm} 项", "未知名称“itm”"),
        ("第 {open(item)} 项", "不允许调用“open(item)”"),
    ],
)
def test_message_placeholders_are_validated(tmp_path, message, expected):
    write_rules(tmp_path, one_rule(id="K02", over="checklist", check="count >= 0", message=message))
    found = only_problem(tmp_path)
    assert found.startswith("规则 K02:")
    assert expected in found


def test_explain_where_and_message_are_validated(tmp_path):
    explain = {"over": "checklist", "where": "not blank(alt)", "message": "第 {itm} 项"}
    write_rules(tmp_path, one_rule(check="sum(checklist.count) == p11", explain=explain))
    found = problems(tmp_path)
    assert found == [
        f"规则 X01:未知名称“alt”,{UNKNOWN_TAIL}",
        f"规则 X01:未知名称“itm”,{UNKNOWN_TAIL}",
    ]


def test_explain_may_name_its_table_columns(tmp_path):
    explain = {"over": "checklist", "where": "not blank(count_alt)", "message": "第 {item} 项"}
    text = one_rule(check="sum(checklist.count) == p11", explain=explain)
    (rule,) = load_rules(write_rules(tmp_path, text), 55, SMALL)
    assert rule.explain == Explain("checklist", "not blank(count_alt)", "第 {item} 项")


# Bug: src/disclosure/checks/rules.py _check_rule (lines 163-165) never checks `explain.over`
# against the tables, so a typo there loads fine and evaluate_rules then raises
# KeyError('checklst') from _messages (line 236) instead of a problem naming the rule.
def test_unknown_explain_over_is_refused_at_load(tmp_path):
    explain = {"over": "checklst", "message": "另一读法"}
    write_rules(tmp_path, one_rule(check="sum(checklist.count) == p11", explain=explain))
    assert only_problem(tmp_path).startswith("规则 X01:")


def test_every_problem_is_collected(tmp_path, real_columns):
    text = RULES_TEXT.replace(A01_CHECK, "r19 == r72 + r28 + r29 + r30")
    text = text.replace("- id: B02\n", "- id: B01\n")
    text = text.replace('check: "r17 <= r16"', 'check: "q17 <= r16"')
    write_rules(tmp_path, text)
    found = problems(tmp_path, columns=real_columns)
    assert len(found) == 3
    assert found[0].startswith("规则 A01:“r72”")
    assert found[1] == "规则 B01:编号重复"
    assert found[2].startswith("规则 M01:未知名称“q17”")


def test_several_problems_of_one_rule_are_all_reported(tmp_path):
    write_rules(tmp_path, one_rule(severity="fatal", engine="python", check="r99 == x"))
    found = problems(tmp_path)
    assert found == [
        "规则 X01:severity“fatal”应为 error 或 warning",
        "规则 X01:engine“python”应为 expr 或 code",
        "规则 X01:“r99”引用了不存在的第 99 行(统计表只有 1 到 55 行)",
        f"规则 X01:未知名称“x”,{UNKNOWN_TAIL}",
    ]


# --- the displayed check and its way back -------------------------------------


def test_every_real_rule_round_trips_through_its_shown_text(catalogue):
    for rule in catalogue:
        if rule.engine == "code":
            assert parse_shown(rule.shown) == (None, None, rule.check), rule.id
        else:
            assert parse_shown(rule.shown) == (rule.over, rule.where, rule.check), rule.id


def test_shown_text_of_each_shape(catalogue):
    by_id = {r.id: r for r in catalogue}
    assert by_id["A01"].shown == A01_CHECK
    assert by_id["K02"].shown == "对 checklist 中每一行:not blank(line)"
    k04 = "对 checklist 中满足 not blank(line) 的每一行:count == 0 or n_web_links > 0"
    assert by_id["K04"].shown == k04
    assert by_id["N01"].shown == by_id["N01"].check


@pytest.mark.parametrize(
    "over, where, check",
    [
        ("checklist", None, "not blank(line)"),
        ("checklist", "remark == '目的 的'", "count > 0"),
        ("statistics", "kind in ['count', 'amount']", "value >= 0 or value < 0"),
    ],
)
def test_shown_round_trip_with_and_without_scope(over, where, check):
    spec = {"id": "X", "title": "t", "check": check, "severity": "error", "family": "f"}
    rule = Rule(**spec, over=over, where=where)
    assert parse_shown(rule.shown) == (over, where, check)


def test_text_without_scope_is_a_check_over_values():
    assert parse_shown("r19 == r27") == (None, None, "r19 == r27")


def test_code_rule_is_shown_as_written_even_with_a_table():
    spec = {"id": "X", "title": "t", "check": "文字", "severity": "error", "family": "f"}
    assert Rule(**spec, over="checklist", engine="code").shown == "文字"
    assert Rule(**spec, over="checklist").shown == "对 checklist 中每一行:文字"


# --- render -------------------------------------------------------------------


@pytest.mark.parametrize(
    "message, env, expected",
    [
        ("有重复链接:{links}", {"links": ["a", "b", "c"]}, "有重复链接:a、b、c"),
        ("有重复链接:{links}", {"links": ("a",)}, "有重复链接:a"),
        ("印为“{x}”", {"x": None}, "印为“”"),
        ("印为“{x}”", {"x": float("nan")}, "印为“”"),
        ("印为“{x}”", {"x": "  "}, "印为“”"),
        ("数量 {x}", {"x": 0}, "数量 0"),
        ("合计 {a - b + c}", {"a": 178, "b": 7, "c": 3}, "合计 174"),
        ("第 {row} 行 {value}", {"row": 51, "value": "0 元"}, "第 51 行 0 元"),
        ("没有占位符", {}, "没有占位符"),
    ],
)
def test_render_fills_each_placeholder(message, env, expected):
    assert render(message, env) == expected


def test_render_of_an_unknown_name_raises():
    with pytest.raises(ExpressionError, match="未知名称“y”"):
        render("{y}", {"x": 1})


# --- rows ---------------------------------------------------------------------


def test_rows_are_plain_values():
    frame = pd.DataFrame(
        {
            "line": [11.0, np.nan, 12.0],
            "ratio": [2.5, 1.0, np.nan],
            "count": pd.array([3, None, 4], dtype="Int64"),
            "flag": np.array([True, False, True]),
            "links": [["a"], [], ["b", "c"]],
            "text": ["x", None, "z"],
        }
    )
    found = rows(frame)
    assert found == [
        {"line": 11, "ratio": 2.5, "count": 3, "flag": True, "links": ["a"], "text": "x"},
        {"line": None, "ratio": 1, "count": None, "flag": False, "links": [], "text": None},
        {"line": 12, "ratio": None, "count": 4, "flag": True, "links": ["b", "c"], "text": "z"},
    ]
    assert type(found[0]["line"]) is int
    assert type(found[1]["ratio"]) is int
    assert type(found[0]["count"]) is int
    assert type(found[0]["flag"]) is bool


def test_rows_of_an_empty_frame():
    assert rows(pd.DataFrame(columns=["a"])) == []


# --- evaluation ---------------------------------------------------------------


def value_rule(rule_id: str, check: str, severity: str = "error", **extra: Any) -> Rule:
    title = f"标题 {rule_id}"
    return Rule(id=rule_id, title=title, check=check, severity=severity, family="f", **extra)


def small_context(**values: Any) -> Context:
    return Context(
        values={"r1": 1, "r2": 2, "p1": 1, "yoy_threshold": 0.5, **values},
        tables={"checklist": pd.DataFrame({"item": [1, 2], "count": [3, 0], "line": [2, 3]})},
        sources={"r1": "raw/a.csv 第 2 行", "r2": "raw/b.csv 第 3 行", "p1": "公布表 第 1 行"},
        table_sources={"checklist": "raw/checklist.csv"},
        available={"reported_statistics"},
    )


def test_evaluate_rules_keeps_the_given_order_and_never_stops_at_a_failure():
    rules = [
        value_rule("Z9", "r1 > r2"),
        value_rule("A1", "r1 == 1"),
        value_rule("M5", "r2 < r1", "warning"),
        value_rule("B2", "r2 == 2"),
    ]
    findings = evaluate_rules(rules, small_context())
    assert [f.id for f in findings] == ["Z9", "A1", "M5", "B2"]
    assert [f.passed for f in findings] == [False, True, False, True]


def test_evaluate_rules_runs_the_whole_catalogue_in_order(catalogue, real_year):
    ctx = context(real_year.data, real_year.statistics, real_year.checklist, None)
    findings = evaluate_rules(catalogue, ctx, CODE_CHECKS)
    assert [f.id for f in findings] == [r.id for r in catalogue]
    assert sum(f.passed is False for f in findings) == 19  # none stops the ones after it


def test_finding_carries_the_rule():
    rule = Rule(
        id="C9",
        title="标题",
        check="r1 > r2",
        severity="warning",
        family="channels",
        basis="依据",
    )
    (finding,) = evaluate_rules([rule], small_context())
    assert finding == Finding(
        id="C9",
        severity="warning",
        family="channels",
        title="标题",
        check="r1 > r2",
        filled="1 > 2",
        passed=False,
        sources="r1←raw/a.csv 第 2 行；r2←raw/b.csv 第 3 行",
        basis="依据",
        message="未满足“标题”",  # no sentence: the title says what failed
    )


def sentence_rule(check: str, sentence: str, **more: Any) -> Rule:
    return Rule(
        id="C9", title="标题", check=check, severity="error", family="f", sentence=sentence, **more
    )


def test_a_failed_rule_says_its_sentence_with_the_values_filled_in():
    rule = sentence_rule("r1 > r2", "第 1 行为 {r1},少于第 2 行的 {r2};合计 {r1 + r2}")
    (finding,) = evaluate_rules([rule], small_context())
    assert finding.passed is False
    assert finding.message == "第 1 行为 1,少于第 2 行的 2;合计 3"
    assert finding.filled == "1 > 2"  # the auditor keeps the filled-in check


def test_a_passed_rule_has_no_message():
    (finding,) = evaluate_rules([sentence_rule("r2 > r1", "第 2 行为 {r2}")], small_context())
    assert finding.passed is True and finding.message == ""


def test_a_rule_that_does_not_apply_says_why_in_words():
    rule = sentence_rule("r1 > r2", "x", requires=("previous_year",))
    (finding,) = evaluate_rules([rule], small_context())
    assert finding.passed is None and finding.message == "不适用:工作区中没有上一学年的数据"
    (absent,) = evaluate_rules([sentence_rule("p1 == r1", "x")], small_context(p1=None))
    assert absent.passed is None and absent.message == "公布值缺失,不适用"


def test_a_type_mismatch_is_said_in_words_too():
    rule = sentence_rule("r1 > r2", "第 1 行为 {r1}")
    (finding,) = evaluate_rules([rule], small_context(r2="无"))
    assert finding.passed is False
    assert finding.message == "第 1 行为 1(类型不符:数字与文字无法比较)"
    (worded,) = evaluate_rules([sentence_rule("r1 > r2", "差 {r1 - r2}")], small_context(r2="无"))
    assert worded.message == "未满足“标题”(类型不符:数字与文字无法比较)"


def test_a_row_rule_says_each_failing_row_with_its_message():
    rule = Rule(
        id="K9", title="t", check="count > 0", severity="error", family="f", over="checklist",
        message="第 {item} 项数量为 {count}",
    )  # fmt: skip
    (finding,) = evaluate_rules([rule], small_context())
    assert finding.message == finding.filled == "第 2 项数量为 0"


def test_sources_name_each_value_in_order_of_use():
    (finding,) = evaluate_rules([value_rule("X", "r2 >= r1 * yoy_threshold + p1")], small_context())
    assert finding.sources.split("；") == [
        "r2←raw/b.csv 第 3 行",
        "r1←raw/a.csv 第 2 行",
        "yoy_threshold←参数文件",
        "p1←公布表 第 1 行",
    ]


def test_sources_of_a_column_name_its_table():
    (finding,) = evaluate_rules([value_rule("X", "sum(checklist.count) == 3")], small_context())
    assert (finding.passed, finding.filled) == (True, "3 == 3")
    assert finding.sources == "checklist.count←raw/checklist.csv"


def test_sources_of_a_row_rule_name_its_table():
    rule = value_rule("X", "count >= 0", over="checklist", message="第 {item} 项")
    (finding,) = evaluate_rules([rule], small_context())
    assert (finding.passed, finding.filled, finding.sources) == (
        True,
        "无问题",
        "raw/checklist.csv",
    )


def test_real_sources_name_rebuilt_rows_and_the_published_file_row(real_year):
    sources = dict(zip(real_year.findings["id"], real_year.findings["sources"], strict=True))
    raw = "data/raw/2023-2024"
    assert sources["M01"].split("；") == [
        f"r17←{raw}/media_reports.csv(无匹配行)",
        f"r16←{raw}/media_reports.csv 第 2 行",
    ]
    assert sources["A06"].split("；")[:2] == [
        f"p19←{raw}/reported_statistics.csv 第 19 行",
        f"p27←{raw}/reported_statistics.csv 第 27 行",
    ]
    assert sources["K07"] == f"{raw}/checklist.csv"
    assert sources["D01"] == f"{raw}/SOURCE.yaml"


def test_row_rule_message_for_each_failing_row():
    rule = value_rule("X", "count == 0", over="checklist", where="line > 2", message="第 {item} 项")
    context = small_context()
    table = {"item": [1, 2, 3], "count": [3, 1, 2], "line": [2, 3, 4]}
    context.tables["checklist"] = pd.DataFrame(table)
    (finding,) = evaluate_rules([rule], context)
    assert (finding.passed, finding.filled) == (False, "第 2 项；第 3 项")
    assert finding.check == "对 checklist 中满足 line > 2 的每一行:count == 0"


def test_all_missing_requirements_are_named():
    requires = ("reported_statistics", "previous_year", "source_record")
    rule = value_rule("X", "r1 == 1", requires=requires)
    (finding,) = evaluate_rules([rule], small_context())
    assert finding.passed is None
    assert (
        finding.filled
        == "不适用:工作区中没有上一学年的数据；原始数据文件夹没有记录文件哈希的 SOURCE.yaml"
    )


def test_met_requirement_lets_the_rule_run():
    rule = value_rule("X", "p1 == 1", requires=("reported_statistics",))
    (finding,) = evaluate_rules([rule], small_context())
    assert (finding.passed, finding.filled) == (True, "1 == 1")


def test_missing_value_is_not_applicable():
    (finding,) = evaluate_rules([value_rule("X", "p1 == r1")], small_context(p1=None))
    assert finding.passed is None
    assert finding.filled == "∅ == 1(公布值缺失,不适用)"


def test_code_rule_runs_its_registered_check_with_the_context():
    seen: list[Context] = []

    def check(context: Context) -> tuple[list[str], str]:
        seen.append(context)
        return ["第一处", "第二处"], "narrative.yaml"

    rule = value_rule("N9", "文字", engine="code")
    context = small_context()
    (finding,) = evaluate_rules([rule], context, {"N9": check})
    assert seen == [context]
    assert (finding.passed, finding.filled, finding.sources) == (
        False,
        "第一处；第二处",
        "narrative.yaml",
    )
    (clean,) = evaluate_rules([rule], context, {"N9": lambda c: ([], "n.yaml")})
    assert (clean.passed, clean.filled) == (True, "无问题")


def test_context_env_holds_values_and_table_columns():
    env = small_context().env()
    assert env["r1"] == 1 and env["yoy_threshold"] == 0.5
    assert env["checklist.count"].tolist() == [3, 0]
    assert "count" not in env  # a bare column name belongs to one row, not to the values


# --- as_frame -----------------------------------------------------------------


def test_as_frame_has_the_findings_columns():
    rules = [value_rule("A", "r1 == 1"), value_rule("B", "r1 == 2")]
    findings = evaluate_rules(rules, small_context())
    frame = as_frame(findings)
    assert frame.columns.tolist() == COLUMNS
    assert frame["id"].tolist() == ["A", "B"]
    assert frame["passed"].tolist() == [True, False]
    assert as_frame([]).columns.tolist() == COLUMNS


def test_a_sentence_names_only_known_values_and_only_on_value_rules(tmp_path):
    write_rules(tmp_path, one_rule(sentence="第 1 行为 {r99}"))
    assert only_problem(tmp_path) == "规则 X01:“r99”引用了不存在的第 99 行(统计表只有 1 到 55 行)"
    rule = one_rule(over="checklist", check="count > 0", message="m", sentence="s")
    write_rules(tmp_path, rule)
    assert (
        only_problem(tmp_path) == "规则 X01:逐行检查的规则用 message 说明每一行的问题,不写 sentence"
    )
    write_rules(tmp_path, one_rule(sentence="第 1 行为 {r1}"))
    (loaded,) = load_rules(tmp_path, 55, SMALL)
    assert loaded.sentence == "第 1 行为 {r1}"
