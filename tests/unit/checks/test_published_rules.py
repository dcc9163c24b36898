"""The published-table rules of forms/rules.yaml, on a published table alone.

An auditor may hold a school's published report and no raw registers. Every context here carries
published values only (pN, and the `statistics` table's `published` column; no rN at all), so each
rule below is shown to run on the published table by itself. Each new rule passes and fails, each
inequality is tested on both sides of its boundary, and a count printed with full-width digits or
spaces is read as the same number by every rule.

The ids: a published twin is its rule's id with `p` appended (A02 -> A02p), in the same family, with
the same check over pN, the same severity, basis 已公布统计表 and requires reported_statistics (see
the header of forms/rules.yaml). S04 bounds the published counts and amounts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.findings import Finding
from disclosure.checks.rules import REQUIREMENTS, Context, evaluate_rules, load_rules
from disclosure.compute.statistics import published
from disclosure.expr import names, parse

REPO = Path(__file__).resolve().parents[3]
FORM = yaml.safe_load((REPO / "forms" / "statistics.yaml").read_text(encoding="utf-8"))["rows"]
N_ROWS = len(FORM)
STATISTICS_COLUMNS = (
    "row", "label", "unit", "kind", "expected", "allowed", "value", "definition", "source",
    "printed_no", "reported", "published", "agrees", "previous",
)  # fmt: skip
CHECKLIST_COLUMNS = (
    "item", "ref_category", "category_name", "item_text", "mandatory", "status", "source",
    "category", "count", "count_alt", "count_printed", "links", "on_platform", "remark",
    "transcription_note", "line", "links_list", "n_links", "n_distinct_links", "n_web_links",
    "duplicate_links", "non_web_links", "published", "verified",
)  # fmt: skip
CATALOGUE = {
    rule.id: rule
    for rule in load_rules(
        REPO, N_ROWS, {"statistics": STATISTICS_COLUMNS, "checklist": CHECKLIST_COLUMNS}
    )
}

# The rules over rebuilt values that have a published twin (id + "p").
TWINNED = (
    "A02", "A03", "A05", "B01", "B02", "B03", "M01", "M02", "F01", "F02", "F03", "F04", "F05",
    "F06", "C01", "C02", "C03", "C04", "C05",
)  # fmt: skip
TWINS = tuple(f"{rule_id}p" for rule_id in TWINNED)
NEW_IDS = (*TWINS, "S04")
# Every rule that reads the published table and nothing else (S01 and S03 judge its lines).
PUBLISHED_ONLY = ("A06", "A07", *NEW_IDS, "S01", "S03")
CEILING = 1_000_000_000

# A published table that passes every published rule, with no zero where a rule compares: 6
# applications (by channel 1+1+2+2, by applicant 4+1+1, by topic six 1s), 5 concluded (2+1+1+1),
# 1 reconsideration (won), 1 lawsuit (lost), 56 reports (3 on the front page, 1 headline), 10
# letters (9 handled), 20 yuan charged, 8000 yuan of special funding.
BASE = {
    1: "有", 2: "有", 3: "校长", 4: "办公室", 5: "办公室", 6: "有", 7: 8000, 8: 1, 9: 10,
    10: 335, 11: 174, 12: 174, 13: 198, 14: 0, 15: 387, 16: 56, 17: 3, 18: 1,
    19: 6, 20: 5, 21: 1, 22: 1, 23: 0, 24: 1, 25: 0, 26: 1,
    27: 1, 28: 1, 29: 2, 30: 2, 31: 4, 32: 1, 33: 1,
    34: 1, 35: 1, 36: 1, 37: 1, 38: 1, 39: 1, 40: 0, 41: 0, 42: 0, 43: 0, 44: 0, 45: 0, 46: 0,
    47: 2, 48: 1, 49: 1, 50: 1, 51: 0, 52: 10, 53: 9, 54: "收费", 55: 20,
}  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def statistics_rows(values: dict[int, Any], **by_row: dict[str, Any]) -> list[dict[str, Any]]:
    """The `statistics` table as a published table alone gives it: no rebuilt value, no previous
    year; `by_row` changes columns of single rows (`r7={"kind": ...}`)."""
    out = []
    for spec in FORM:
        n, kind = spec["row"], spec["kind"]
        allowed = spec.get("allowed", ["有", "无"]) if kind == "flag" else []
        record = {
            "row": n,
            "label": spec["label"],
            "unit": spec.get("unit", ""),
            "kind": kind,
            "expected": "或".join(allowed) if kind == "flag" else "",
            "allowed": allowed,
            "value": None,
            "definition": "",
            "source": "",
            "printed_no": str(n),
            "reported": None if values[n] is None else str(values[n]),
            "published": values[n],
            "agrees": None,
            "previous": None,
        }
        out.append({**record, **by_row.get(f"r{n}", {})})
    return out


def published_context(
    available: Any = ("reported_statistics",),
    statistics: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> Context:
    """Published values only: `pN=` changes row N of BASE; nothing named rN exists."""
    table = dict(BASE)
    for name, value in changes.items():
        assert re.fullmatch(r"p\d+", name) and int(name[1:]) in table, name
        table[int(name[1:])] = value
    values: dict[str, Any] = {f"p{n}": v for n, v in table.items()}
    values.update(published_lines=N_ROWS, form_rows=N_ROWS, yoy_threshold=0.5)
    return Context(
        values=values,
        tables={
            "statistics": pd.DataFrame(
                statistics_rows(table) if statistics is None else statistics,
                columns=list(STATISTICS_COLUMNS),
            ),
            "checklist": pd.DataFrame([], columns=list(CHECKLIST_COLUMNS)),
        },
        sources={f"p{n}": f"已公布统计表 第 {n} 行" for n in table},
        table_sources={"statistics": "已公布统计表"},
        available=set(available),
    )


def run(rule_id: str, context: Context) -> Finding:
    (finding,) = evaluate_rules([CATALOGUE[rule_id]], context, CODE_CHECKS)
    return finding


# --- cases: (rule, what, passed, exact `filled`, pN changes) ----------------------------------


def case(rule_id: str, what: str, passed: bool, filled: str | None, **changes: Any) -> Any:
    return pytest.param(rule_id, changes, passed, filled, id=f"{rule_id}-{what}")


def sum_cases(rule_id: str, head: int, terms: range) -> list[Any]:
    """`pH == pT1 + ...` on BASE: equal passes; the total one more or one less, or one term one
    more, fails."""
    parts = [BASE[t] for t in terms]
    total = sum(parts)
    shown = " + ".join(map(str, parts))
    first = terms[0]
    bumped = " + ".join(map(str, [parts[0] + 1, *parts[1:]]))
    head_name, first_name = f"p{head}", f"p{first}"
    return [
        case(rule_id, "total-equals-sum", True, f"{total} == {shown}"),
        case(rule_id, "total-one-more", False, f"{total + 1} == {shown}", **{head_name: total + 1}),
        case(rule_id, "total-one-less", False, f"{total - 1} == {shown}", **{head_name: total - 1}),
        case(
            rule_id, "a-term-one-more", False, f"{total} == {bumped}", **{first_name: parts[0] + 1}
        ),
    ]


def not_more_cases(rule_id: str, small: int, big: int) -> list[Any]:
    """`pS <= pB`: equal and one less pass, one more fails."""
    b = BASE[big]
    return [
        case(rule_id, "equal", True, f"{b} <= {b}", **{f"p{small}": b}),
        case(rule_id, "one-less", True, f"{b - 1} <= {b}", **{f"p{small}": b - 1}),
        case(rule_id, "one-more", False, f"{b + 1} <= {b}", **{f"p{small}": b + 1}),
    ]


def not_less_cases(rule_id: str, big: int, small: int) -> list[Any]:
    """`pB >= pS`: equal and one more pass, one less fails."""
    s = BASE[small]
    return [
        case(rule_id, "equal", True, f"{s} >= {s}", **{f"p{big}": s}),
        case(rule_id, "one-more", True, f"{s + 1} >= {s}", **{f"p{big}": s + 1}),
        case(rule_id, "one-less", False, f"{s - 1} >= {s}", **{f"p{big}": s - 1}),
    ]


def pair_cases(rule_id: str, total: int, won: int, lost: int) -> list[Any]:
    """`pW + pL <= pT`, total 2: 1 + 1 and 1 + 0 pass; either term one more fails."""

    def terms(w: int, lost_: int) -> dict[str, int]:
        return {f"p{total}": 2, f"p{won}": w, f"p{lost}": lost_}

    return [
        case(rule_id, "sum-equals-total", True, "1 + 1 <= 2", **terms(1, 1)),
        case(rule_id, "sum-one-below", True, "1 + 0 <= 2", **terms(1, 0)),
        case(rule_id, "won-one-more", False, "2 + 1 <= 2", **terms(2, 1)),
        case(rule_id, "lost-one-more", False, "1 + 2 <= 2", **terms(1, 2)),
    ]


VALUE_CASES = [
    *sum_cases("A02p", 19, range(31, 34)),
    *sum_cases("A03p", 19, range(34, 47)),
    *not_more_cases("A05p", 20, 19),
    *pair_cases("B01p", 21, 22, 23),
    *pair_cases("B02p", 24, 25, 26),
    case("B03p", "applications-and-appeals", True, "6 > 0 or 1 + 1 == 0"),
    case("B03p", "one-application", True, "1 > 0 or 1 + 1 == 0", p19=1),
    case("B03p", "nothing-at-all", True, "0 > 0 or 0 + 0 == 0", p19=0, p21=0, p24=0),
    case("B03p", "appeal-only", False, "0 > 0 or 1 + 0 == 0", p19=0, p24=0),
    case("B03p", "lawsuit-only", False, "0 > 0 or 0 + 1 == 0", p19=0, p21=0),
    *not_more_cases("M01p", 17, 16),
    *not_more_cases("M02p", 18, 17),
    case("F01p", "charged", True, "'收费' != '不收费' or 20 == 0"),
    case("F01p", "free-and-zero", True, "'不收费' != '不收费' or 0 == 0", p54="不收费", p55=0),
    case("F01p", "free-but-1", False, "'不收费' != '不收费' or 1 == 0", p54="不收费", p55=1),
    case("F02p", "charged-with-amount", True, "20 == 0 or '收费' == '收费'"),
    case("F02p", "free-and-zero", True, "0 == 0 or '不收费' == '收费'", p54="不收费", p55=0),
    case("F02p", "free-but-1", False, "1 == 0 or '不收费' == '收费'", p54="不收费", p55=1),
    case("F02p", "printed-0-yuan-with-1", False, "1 == 0 or '0元' == '收费'", p54="0元", p55=1),
    case("F03p", "project-and-money", True, "'有' != '无' or 8000 == 0"),
    case("F03p", "no-project-no-money", True, "'无' != '无' or 0 == 0", p6="无", p7=0),
    case("F03p", "no-project-1-yuan", False, "'无' != '无' or 1 == 0", p6="无", p7=1),
    case("F04p", "money-and-project", True, "8000 == 0 or '有' == '有'"),
    case("F04p", "no-money-no-project", True, "0 == 0 or '无' == '有'", p6="无", p7=0),
    case("F04p", "1-yuan-no-project", False, "1 == 0 or '无' == '有'", p6="无", p7=1),
    *not_more_cases("F05p", 53, 52),
    case("F06p", "full-time-only", True, "1 + 0 > 0", p8=1, p9=0),
    case("F06p", "part-time-only", True, "0 + 1 > 0", p8=0, p9=1),
    case("F06p", "nobody", False, "0 + 0 > 0", p8=0, p9=0),
    *not_less_cases("C01p", 12, 11),
    *not_less_cases("C02p", 10, 12),
    case("C03p", "portal-and-items", True, "'有' == '有' or 335 == 0"),
    case("C03p", "no-portal-no-items", True, "'无' == '有' or 0 == 0", p1="无", p10=0),
    case("C03p", "no-portal-1-item", False, "'无' == '有' or 1 == 0", p1="无", p10=1),
    case("C04p", "platform-and-items", True, "'有' == '有' or 174 == 0"),
    case("C04p", "no-platform-no-items", True, "'无' == '有' or 0 == 0", p2="无", p12=0),
    case("C04p", "no-platform-1-item", False, "'无' == '有' or 1 == 0", p2="无", p12=1),
    case("C05p", "portal-and-platform", True, "'有' == '有' or '有' == '无'"),
    case("C05p", "neither", True, "'无' == '有' or '无' == '无'", p1="无", p2="无"),
    case("C05p", "platform-without-portal", False, "'无' == '有' or '有' == '无'", p1="无"),
]


@pytest.mark.parametrize("rule_id, changes, passed, filled", VALUE_CASES)
def test_value_rule_on_a_published_table_alone(rule_id, changes, passed, filled):
    finding = run(rule_id, published_context(**changes))
    assert (finding.passed, finding.filled) == (passed, filled)
    assert finding.severity == CATALOGUE[rule_id].severity


OK = "无问题"


def with_row(n: int, value: Any, reported: Any = None, **columns: Any) -> list[dict[str, Any]]:
    """The base published table with row n published as `value` (printed as `reported`)."""
    printed = str(value) if reported is None else reported
    return statistics_rows(BASE, **{f"r{n}": {"published": value, "reported": printed, **columns}})


STATISTICS_CASES = [
    case("S04", "base-table", True, OK),
    case("S04", "count-at-ceiling", True, OK, statistics=with_row(10, CEILING)),
    case(
        "S04",
        "count-one-above",
        False,
        "第 10 行公布为“1000000001”,超过 1000000000",
        statistics=with_row(10, CEILING + 1),
    ),
    case("S04", "amount-at-ceiling", True, OK, statistics=with_row(7, CEILING)),
    case(
        "S04",
        "phone-number-as-amount",
        False,
        "第 55 行公布为“13800138000”,超过 1000000000",
        statistics=with_row(55, 13800138000),
    ),
    case(
        "S04",
        "full-width-over-ceiling",
        False,
        "第 16 行公布为“１３８００１３８０００”,超过 1000000000",
        statistics=with_row(
            16, published("１３８００１３８０００", "条", "条"), "１３８００１３８０００"
        ),
    ),
    case(
        "S04",
        "every-failing-row-listed",
        False,
        "第 10 行公布为“1000000001”,超过 1000000000；第 12 行公布为“2000000000”,超过 1000000000",
        statistics=statistics_rows(
            BASE,
            r10={"published": CEILING + 1, "reported": str(CEILING + 1)},
            r12={"published": 2 * CEILING, "reported": str(2 * CEILING)},
        ),
    ),
    # What is not a count is S03's to report, not S04's.
    case("S04", "text-row-skipped", True, OK, statistics=with_row(3, CEILING + 1)),
    case("S04", "flag-row-skipped", True, OK, statistics=with_row(1, CEILING + 1)),
    case("S04", "count-in-words-skipped", True, OK, statistics=with_row(10, "三百")),
    case("S04", "negative-skipped", True, OK, statistics=with_row(10, -CEILING - 1)),
    case("S04", "unpublished-skipped", True, OK, statistics=with_row(10, None)),
]


@pytest.mark.parametrize("rule_id, changes, passed, filled", STATISTICS_CASES)
def test_row_rule_on_a_published_table_alone(rule_id, changes, passed, filled):
    finding = run(rule_id, published_context(**changes))
    assert (finding.passed, finding.filled) == (passed, filled)


def test_every_new_rule_has_a_passing_and_a_failing_case():
    outcomes = {(p.values[0], p.values[2]) for p in VALUE_CASES + STATISTICS_CASES}
    assert {rule_id for rule_id, passed in outcomes if passed} == set(NEW_IDS)
    assert {rule_id for rule_id, passed in outcomes if not passed} == set(NEW_IDS)


# --- what the published rules are ---------------------------------------------------------------


def test_at_least_15_published_rules_exist_beside_a06_and_a07():
    assert set(NEW_IDS) <= set(CATALOGUE)
    assert len(NEW_IDS) >= 15
    assert {"A06", "A07"} <= set(CATALOGUE)


@pytest.mark.parametrize("rule_id", TWINNED)
def test_twin_is_its_rule_on_the_published_table(rule_id):
    rule, twin = CATALOGUE[rule_id], CATALOGUE[f"{rule_id}p"]
    assert twin.check == re.sub(r"\br(\d+)\b", r"p\1", rule.check)
    assert (twin.severity, twin.family, twin.over) == (rule.severity, rule.family, None)
    assert twin.basis == "已公布统计表"
    assert twin.requires == ("reported_statistics",)
    assert twin.title.startswith("已公布的")


def test_every_arithmetic_rule_over_rebuilt_values_has_a_published_form():
    """A new rule over rN alone must get its published twin (or be A01/A04, whose forms are A06
    and A07)."""
    rebuilt_only = {
        rule.id
        for rule in CATALOGUE.values()
        if rule.engine == "expr"
        and not rule.over
        and all(re.fullmatch(r"r\d+", n) for n in names(parse(rule.check)))
    }
    assert rebuilt_only == {*TWINNED, "A01", "A04"}
    assert CATALOGUE["A06"].check == CATALOGUE["A01"].check.replace("r", "p")
    assert CATALOGUE["A07"].check == CATALOGUE["A04"].check.replace("r", "p")


@pytest.mark.parametrize("rule_id", PUBLISHED_ONLY)
def test_published_rule_names_only_published_values(rule_id):
    rule = CATALOGUE[rule_id]
    used = set()
    for text in filter(None, [rule.check, rule.where]):
        used |= set(names(parse(text)))
    if rule.over:
        assert rule.over == "statistics"
        assert used <= {"row", "kind", "allowed", "published", "printed_no"}
    else:
        assert used and all(re.fullmatch(r"p\d+", n) for n in used), used
    assert rule.requires == ("reported_statistics",)


def test_a_published_table_alone_passes_every_published_rule():
    context = published_context()
    assert not any(name.startswith("r") for name in context.values)
    rules = [CATALOGUE[i] for i in PUBLISHED_ONLY]
    findings = evaluate_rules(rules, context, CODE_CHECKS)
    assert {f.id: f.passed for f in findings} == dict.fromkeys(PUBLISHED_ONLY, True)


@pytest.mark.parametrize("rule_id", NEW_IDS)
def test_new_rule_does_not_apply_without_a_published_table(rule_id):
    finding = run(rule_id, published_context(available=()))
    assert finding.passed is None
    assert finding.filled == f"不适用:{REQUIREMENTS['reported_statistics']}"


def test_a_blank_published_value_makes_a_twin_not_applicable():
    finding = run("M01p", published_context(p16=None))
    assert finding.passed is None
    assert finding.filled == "3 <= ∅(公布值缺失,不适用)"


def test_a_count_published_in_words_fails_its_twin_saying_types_differ():
    finding = run("M01p", published_context(p16="五十六"))
    assert finding.passed is False
    assert finding.filled == "3 <= '五十六'(类型不符:数字与文字无法比较)"


def test_sources_name_the_published_rows():
    assert (
        run("M01p", published_context()).sources
        == "p17←已公布统计表 第 17 行；p16←已公布统计表 第 16 行"
    )


# --- duplicated printed numbers: S01 already fails every one -----------------------------------


@pytest.mark.parametrize("n", range(2, N_ROWS + 1))
def test_a_number_printed_twice_fails_s01(n):
    """Two lines printing the same number cannot both sit on that row, so S01 names the other
    (a separate duplicate rule would report nothing S01 does not); lines beyond the form are
    counted by published_lines."""
    rows = statistics_rows(BASE, **{f"r{n}": {"printed_no": str(n - 1)}})
    finding = run("S01", published_context(statistics=rows))
    assert (finding.passed, finding.filled) == (False, f"第 {n} 行印为“{n - 1}”")


# --- full-width digits and spaces: the same number for every rule ------------------------------


def full_width(value: Any) -> Any:
    return value if not isinstance(value, int) else str(value).translate(FULL_WIDTH)


def as_printed(changes: dict[str, Any], spaced: bool = False) -> dict[str, Any]:
    """Every published value of BASE and `changes`, printed full-width (optionally with an
    ideographic space inside) and read back as compute.statistics reads a published cell."""
    out = {}
    for n, value in {**BASE, **{int(k[1:]): v for k, v in changes.items()}}.items():
        text = full_width(value)
        if spaced and isinstance(value, int):
            text = text[:1] + "\u3000" + text[1:]
        unit = FORM[n - 1].get("unit", "")
        out[f"p{n}"] = published(text, unit or None, unit)
    return out


@pytest.mark.parametrize("spaced", [False, True], ids=["full-width", "full-width-spaced"])
@pytest.mark.parametrize("rule_id, changes, passed, filled", VALUE_CASES)
def test_full_width_published_values_give_the_same_finding(
    rule_id, changes, passed, filled, spaced
):
    finding = run(rule_id, published_context(**as_printed(changes, spaced)))
    assert (finding.passed, finding.filled) == (passed, filled)


def test_full_width_56_is_read_as_56():
    assert published("５６", "条", "条") == 56
    assert published("５\u3000６", "条", "条") == 56
    assert run("M01p", published_context(**as_printed({"p17": 56}))).filled == "56 <= 56"
    assert run("M01p", published_context(**as_printed({"p17": 57}))).filled == "57 <= 56"


@pytest.mark.parametrize(
    "printed",
    ["５６", "５\u3000６", " 5 6 ", "56"],
    ids=["full-width", "full-width-spaced", "spaced", "plain"],
)
def test_p01_reads_a_full_width_56_as_the_rebuilt_56(printed):
    """No false 重算 56 ≠ 公布 ５６: P01 compares the number, whether it reads the published cell as
    compute.statistics gives it or as the raw printed text."""
    for value in (published(printed, "条", "条"), printed):
        rows = statistics_rows(BASE, r16={"value": 56, "published": value, "reported": printed})
        rows = [{**r, "value": r["published"]} if r["row"] != 16 else r for r in rows]
        assert run("P01", published_context(statistics=rows)).passed is True
    wrong = statistics_rows(BASE, r16={"value": 57, "published": 56, "reported": printed})
    wrong = [{**r, "value": r["published"]} if r["row"] != 16 else r for r in wrong]
    assert (
        run("P01", published_context(statistics=wrong)).filled
        == f"第 16 行 重算 57 ≠ 公布 {printed}"
    )


# --- the published table's length --------------------------------------------------------------

LINE_RULE = next(
    (
        r.id
        for r in CATALOGUE.values()
        if r.engine == "expr" and "published_lines" in names(parse(r.check))
    ),
    None,
)
needs_line_rule = pytest.mark.skipif(
    LINE_RULE is None,
    reason="no rule names published_lines yet: it waits for rules.PARAMETERS to allow the name",
)


@needs_line_rule
@pytest.mark.parametrize(
    "lines, passed", [(55, True), (54, False), (56, False), (0, False)], ids=str
)
def test_line_count_rule_compares_the_published_lines_with_the_form(lines, passed):
    context = published_context()
    context.values["published_lines"] = lines
    finding = run(str(LINE_RULE), context)
    assert finding.passed is passed
    assert finding.filled == f"{lines} == 55"
