"""The rule engine (disclosure.rules) and the rule catalogue forms/rules.yaml."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from disclosure.checks.rules import COLUMNS, Rule, environment, evaluate_rules, load_rules, ordered
from disclosure.errors import InputError

REPO = Path(__file__).resolve().parents[3]
RULES_TEXT = (REPO / "forms" / "rules.yaml").read_text(encoding="utf-8")
A01_CHECK = "r19 == r27 + r28 + r29 + r30"


@pytest.fixture(scope="module")
def catalogue():
    return {rule.id: rule for rule in load_rules(REPO, 55)}


@pytest.fixture
def workspace(tmp_path):
    shutil.copytree(REPO / "forms", tmp_path / "forms")
    return tmp_path


def write_rules(root, text):
    (root / "forms" / "rules.yaml").write_text(text, encoding="utf-8")


def load_problems(root):
    with pytest.raises(InputError) as exc:
        load_rules(root, 55)
    return exc.value.problems


# --- loading ----------------------------------------------------------------------------------------------------


def test_load_real_rules(catalogue):
    families = {rule.family for rule in catalogue.values()}
    assert families == {"applications", "appeals", "media", "fees_funding", "channels"}
    assert {r.severity for r in catalogue.values()} == {"error", "warning"}
    assert catalogue["A01"].check == A01_CHECK
    assert catalogue["A01"].family == "applications"
    assert catalogue["B03"].severity == "warning"
    assert catalogue["F01"].title == "不收费则收费金额为零"
    assert all(rule.basis for rule in catalogue.values())


def test_real_rules_count_matches_the_file(catalogue):
    assert len(catalogue) == RULES_TEXT.count("{id: ")


def test_typo_row_number_names_the_rule(workspace):
    assert A01_CHECK in RULES_TEXT
    write_rules(workspace, RULES_TEXT.replace(A01_CHECK, "r19 == r72 + r28 + r29 + r30"))
    (problem,) = load_problems(workspace)
    assert problem.file == "forms/rules.yaml"
    assert problem.message.startswith("规则 A01:")
    assert "“r72”引用了不存在的第 72 行" in problem.message
    assert "1 到 55" in problem.message


def test_row_zero_is_refused(workspace):
    write_rules(workspace, RULES_TEXT.replace('check: "r17 <= r16"', 'check: "r17 <= r0"'))
    (problem,) = load_problems(workspace)
    assert problem.message.startswith("规则 M01:") and "“r0”" in problem.message


def test_duplicate_id(workspace):
    write_rules(workspace, RULES_TEXT.replace("{id: A02,", "{id: A01,"))
    (problem,) = load_problems(workspace)
    assert problem.message == "规则 A01:编号重复"


def test_unknown_name(workspace):
    write_rules(workspace, RULES_TEXT.replace(A01_CHECK, "x19 == r27 + r28 + r29 + r30"))
    (problem,) = load_problems(workspace)
    assert problem.message.startswith("规则 A01:")
    assert "未知名称“x19”" in problem.message
    assert "rN" in problem.message and "pN" in problem.message


def test_bad_severity_and_bad_expression(workspace):
    text = RULES_TEXT.replace("severity: error, basis: 统计表第16、17行", "severity: fatal, basis: 统计表第16、17行")
    text = text.replace('check: "r18 <= r17"', 'check: "len(r18) <= r17"')
    write_rules(workspace, text)
    found = [p.message for p in load_problems(workspace)]
    assert any(m.startswith("规则 M01:") and "severity“fatal”" in m for m in found)
    assert any(m.startswith("规则 M02:") and "不允许" in m for m in found)


def test_missing_check(workspace):
    write_rules(workspace, "families:\n  media:\n    rules:\n      - {id: M01, title: 头版}\n")
    (problem,) = load_problems(workspace)
    assert problem.message.startswith("规则 M01 缺少") and "check" in problem.message


def test_every_problem_is_collected(workspace):
    text = RULES_TEXT.replace(A01_CHECK, "r19 == r72 + r28 + r29 + r30").replace("{id: B02,", "{id: B01,")
    text = text.replace('check: "r17 <= r16"', 'check: "q17 <= r16"')
    write_rules(workspace, text)
    found = [p.message for p in load_problems(workspace)]
    assert len(found) == 3
    assert any("A01" in m and "r72" in m for m in found)
    assert "规则 B01:编号重复" in found
    assert any("M01" in m and "q17" in m for m in found)


def test_zero_padded_row_name_is_checked_or_refused(workspace):
    write_rules(
        workspace,
        "families:\n  fees_funding:\n    rules:\n"
        "      - {id: F03, title: t, check: \"r6 != '无' or r07 == 0\", severity: error}\n",
    )
    try:
        rules = load_rules(workspace, 55)
    except InputError as exc:  # refusing the name is fine
        assert "r07" in str(exc)
        return
    result = evaluate_rules(rules, make_stats(r6="无", r7=8000)).to_dict("records")[0]
    assert result["passed"] is False  # checking it as row 7 is fine too


# --- evaluation ------------------------------------------------------------------------------------------------------

BASE = {1: "有", 2: "有", 3: "校长", 4: "办公室", 5: "办公室", 6: "无", 7: 0, 8: 1, 9: 10, 54: "不收费"}


def make_stats(reported=True, **values):
    """A 55-row table that passes every rule; keyword rN=value changes the rebuilt value, pN=... the published."""
    rebuilt = {n: BASE.get(n, 0) for n in range(1, 56)}
    printed = {n: str(v) for n, v in rebuilt.items()} if reported else {n: None for n in rebuilt}
    for name, value in values.items():
        (rebuilt if name[0] == "r" else printed)[int(name[1:])] = value
    return pd.DataFrame(
        {
            "row": list(rebuilt),
            "value": list(rebuilt.values()),
            "source": [f"raw/t.csv 第 {n + 1} 行" for n in rebuilt],
            "reported": list(printed.values()),
        }
    )


def result_of(catalogue, rule_id, stats):
    frame = evaluate_rules([catalogue[rule_id]], stats)
    assert frame.columns.tolist() == COLUMNS
    return frame.to_dict("records")[0]


def test_base_table_passes_every_rule(catalogue):
    results = evaluate_rules(list(catalogue.values()), make_stats())
    assert results["passed"].tolist() == [True] * len(catalogue)


CASES = [
    # (rule, values that pass, values that fail, filled text of the failing case)
    ("A01", {"r19": 5, "r27": 2, "r28": 3}, {"r19": 5, "r27": 2, "r28": 2}, "5 == 2 + 2 + 0 + 0"),
    ("A04", {"r20": 2, "r47": 1, "r50": 1}, {"r20": 2, "r47": 1}, "2 == 1 + 0 + 0 + 0"),
    ("A05", {"r19": 3, "r20": 3}, {"r19": 3, "r20": 4}, "4 <= 3"),
    ("A06", {"p19": 1, "p30": 1}, {"p19": 1}, "1 == 0 + 0 + 0 + 0"),
    ("B01", {"r21": 2, "r22": 1, "r23": 1}, {"r21": 1, "r22": 1, "r23": 1}, "1 + 1 <= 1"),
    ("B03", {"r19": 1, "r21": 1}, {"r21": 1}, "0 > 0 or 1 + 0 == 0"),
    ("M01", {"r16": 4, "r17": 4}, {"r16": 3, "r17": 4}, "4 <= 3"),
    ("M02", {"r17": 2, "r18": 1}, {"r17": 1, "r18": 2}, "2 <= 1"),
    ("F01", {"r54": "收费", "r55": 50}, {"r54": "不收费", "r55": 50}, "'不收费' != '不收费' or 50 == 0"),
    ("F03", {"r6": "有", "r7": 8000}, {"r6": "无", "r7": 8000}, "'无' != '无' or 8000 == 0"),
    ("F05", {"r52": 3, "r53": 3}, {"r52": 3, "r53": 4}, "4 <= 3"),
    ("F06", {"r8": 0, "r9": 1}, {"r8": 0, "r9": 0}, "0 + 0 > 0"),
    ("C01", {"r11": 174, "r12": 174}, {"r11": 178, "r12": 174}, "174 >= 178"),
    ("C03", {"r1": "无", "r10": 0}, {"r1": "无", "r10": 335}, "'无' == '有' or 335 == 0"),
    ("C05", {"r1": "有", "r2": "无"}, {"r1": "无", "r2": "有"}, "'无' == '有' or '有' == '无'"),
]


@pytest.mark.parametrize("rule_id, good, bad, filled", CASES, ids=[c[0] for c in CASES])
def test_rule_passes_and_fails(catalogue, rule_id, good, bad, filled):
    passing = result_of(catalogue, rule_id, make_stats(**good))
    assert passing["passed"] is True
    failing = result_of(catalogue, rule_id, make_stats(**bad))
    assert failing["passed"] is False
    assert failing["filled"] == filled
    assert failing["check"] == catalogue[rule_id].check


def test_every_family_is_covered_by_the_cases(catalogue):
    assert {catalogue[c[0]].family for c in CASES} == {r.family for r in catalogue.values()}


def test_sources_name_rebuilt_and_published_origins(catalogue):
    rebuilt = result_of(catalogue, "M01", make_stats())
    assert rebuilt["sources"] == "r17←raw/t.csv 第 18 行；r16←raw/t.csv 第 17 行"
    published = result_of(catalogue, "A06", make_stats())
    assert published["sources"].startswith("p19←已公布统计表 第 19 行")


def test_missing_published_value_is_not_applicable(catalogue):
    result = result_of(catalogue, "A06", make_stats(reported=False))
    assert result["passed"] is None
    assert "公布值缺失" in result["filled"]
    assert "∅" in result["filled"]


def test_one_missing_published_value_is_enough(catalogue):
    result = result_of(catalogue, "A07", make_stats(p48=None))
    assert result["passed"] is None
    assert result["filled"].startswith("0 == 0 + ∅ + 0 + 0")


def test_rebuilt_rules_do_not_need_a_published_table(catalogue):
    stats = make_stats().drop(columns="reported")
    assert result_of(catalogue, "A01", stats)["passed"] is True


def test_text_against_number_fails_with_an_explanation(catalogue):
    result = result_of(catalogue, "A05", make_stats(r20="三"))
    assert result["passed"] is False
    assert "类型不符" in result["filled"]


def test_environment_reads_published_numbers():
    env = environment(make_stats(p7="8000", p54="0 元", p11=" 174 "))
    assert env["r7"] == 0 and env["p7"] == 8000
    assert env["p11"] == 174
    assert env["p54"] == "0 元"
    assert environment(make_stats(reported=False))["p7"] is None


def test_severity_family_and_basis_are_carried(catalogue):
    result = result_of(catalogue, "C02", make_stats(r10=1, r12=2))
    assert (result["severity"], result["family"], result["passed"]) == ("warning", "channels", False)
    assert result["basis"] == catalogue["C02"].basis


# --- ordering ------------------------------------------------------------------------------------------------------------


def test_ordered_puts_failed_errors_first():
    findings = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E", "F"],
            "severity": ["error", "warning", "error", "warning", "error", "error"],
            "passed": [True, False, None, False, False, True],
        }
    )
    result = ordered(findings)
    assert result["id"].tolist() == ["E", "B", "D", "C", "A", "F"]
    assert result.index.tolist() == list(range(6))


def test_ordered_is_stable_by_id_within_a_group():
    findings = pd.DataFrame({"id": ["Z1", "A2", "M3"], "severity": ["error"] * 3, "passed": [False] * 3})
    assert ordered(findings)["id"].tolist() == ["A2", "M3", "Z1"]


def test_ordered_on_evaluated_rules(catalogue):
    rules = [catalogue[i] for i in ("C02", "A01", "M01", "A06")]
    stats = make_stats(r10=0, r12=1, r19=1, p19=None)  # C02 warning fails, A01 error fails, A06 n/a
    result = ordered(evaluate_rules(rules, stats))
    assert result["id"].tolist() == ["A01", "C02", "A06", "M01"]


def test_rule_dataclass_defaults():
    rule = Rule(id="X", title="t", check="r1 == '有'", severity="error", family="f")
    assert rule.basis == ""
    assert evaluate_rules([rule], make_stats())["passed"].tolist() == [True]
