"""The columnar engine gives the per-year engine's findings, field for field, on every year.

The property test draws random valid years with the corpus generator (tests/corpus/
test_random_years.py: blank cells, full-width digits, text where numbers belong, published tables
of every length, previous years), adds the two fixture years and the real 2023-2024 year (which
contradicts itself), and compares the columnar findings of all of them, stacked, with
`checks.catalogue.check_all` run on each year alone.
"""

from __future__ import annotations

import functools
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from corpus.test_random_years import Draw, write_year
from workspaces import build_workspace

from disclosure import pipeline
from disclosure.checks import columnar
from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.catalogue import check_all, context
from disclosure.checks.columnar import (
    BOUND,
    TYPE_NOTE,
    Columns,
    _bound,
    check_stack,
    compiled,
    rule_names,
    stack,
    truth,
)
from disclosure.checks.findings import ordered
from disclosure.checks.rules import (
    PLACEHOLDER,
    Context,
    as_frame,
    evaluate_rules,
    load_rules,
    render,
    rows,
)
from disclosure.expr import FUNCTIONS, evaluate, names, parse
from disclosure.inputs.forms import load_claims

REPO = Path(__file__).resolve().parents[3]

SEED = 15
DRAWS = 14


def per_year_and_context(root: Path, year: str):
    data = pipeline.load(root, year)
    before = pipeline.previous(data)
    stats = pipeline.rebuild(data, before)
    items = pipeline.checklist(data)
    previous_year = before.year if before.statistics is not None else None
    return check_all(data, stats, items, previous_year), context(data, stats, items, previous_year)


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory):
    """(label, per-year findings, context) of random years, the fixture years and the real year."""
    root = build_workspace(
        tmp_path_factory.mktemp("columnar"),
        ["synthetic_2030-2031", "broken_2031-2032"],
        repo_years=True,
    )
    rng = random.Random(SEED)
    drawn = []
    for n in range(DRAWS):
        year = f"{2201 + n}-{2202 + n}"
        previous = drawn[-1] if drawn and rng.random() < 0.5 else None
        write_year(root, Draw(rng, year), previous)
        drawn.append(year)
    out = []
    for year in [*drawn, "2030-2031", "2031-2032", "2023-2024"]:
        try:
            findings, ctx = per_year_and_context(root, year)
        except Exception as exc:  # noqa: BLE001  a draw the pipeline refuses is not compared
            pytest.fail(f"seed {SEED} year {year}: {exc}")
        out.append((year, findings, ctx))
    rules = load_rules(root, 55, {k: tuple(v.columns) for k, v in out[0][2].tables.items()})
    return out, rules


def stacked(years, detail="all"):
    entries, rules = years
    keys = pd.DataFrame({"year": [label for label, _, _ in entries]})
    return check_stack(stack([c for _, _, c in entries], keys), rules, CODE_CHECKS, detail)


def test_every_year_has_the_per_year_engines_findings(years):
    entries, _ = years
    columnar = stacked(years)
    for label, expected, _ in entries:
        got = columnar[columnar["year"] == label].drop(columns="year").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)


def test_the_columns_have_the_per_year_engines_dtypes(years):
    """The rule's own columns (id, title, ...) are taken from one typed value per rule, not
    inferred row by row: they keep the dtypes the per-year findings have."""
    entries, _ = years
    columnar = stacked(years, "failed").drop(columns="year")
    expected = pd.concat([f for _, f, _ in entries], ignore_index=True)
    assert dict(columnar.dtypes) == dict(expected.dtypes)


def test_the_compared_years_cover_every_outcome(years):
    """Not a vacuous comparison: failures, not-applicable rules, type mismatches, explained causes
    and every rule shape (values, rows, code) occur among the compared findings."""
    entries, _ = years
    every = pd.concat([f for _, f, _ in entries])
    assert (every["passed"] == False).sum() > 50  # noqa: E712
    assert every["passed"].isna().sum() > 50
    assert every["filled"].str.contains(TYPE_NOTE, regex=False).any()
    assert (every["cause"] != "").any()
    failed_ids = set(every.loc[every["passed"] == False, "id"])  # noqa: E712
    assert {"P01", "K04", "N01", "S03", "Y01"} <= failed_ids


def test_detail_failed_keeps_every_verdict_and_every_failure_text(years):
    full, short = stacked(years, "all"), stacked(years, "failed")
    assert list(full["passed"]) == list(short["passed"])
    shown = full["passed"] != True  # noqa: E712
    assert list(full.loc[shown, "filled"]) == list(short.loc[shown, "filled"])
    assert set(short.loc[~shown, "filled"]) == {""}


def test_an_unknown_detail_is_refused(years):
    with pytest.raises(ValueError):
        stacked(years, "some")


# --- truth over columns, on both of its paths ----------------------------------------------------


def columns_of(**values: list) -> Columns:
    arrays = {}
    for name, vals in values.items():
        array = np.empty(len(vals), dtype=object)
        array[:] = vals
        arrays[name] = array
    return Columns(arrays.__getitem__)


def verdicts(text: str, cols: Columns, n: int) -> list[object]:
    value, mismatch = truth(parse(text), cols, np.arange(n))
    return ["mismatch" if m else bool(v) for v, m in zip(value, mismatch, strict=True)]


def test_big_ints_are_compared_exactly_not_as_floats():
    big = 2**60
    cols = columns_of(a=[big + 1, 5, big], b=[big, 5, big])
    # float64 would call big + 1 == big true; the exact path does not
    assert verdicts("a == b", cols, 3) == [False, True, True]
    assert verdicts("a - b == 1", cols, 3) == [True, False, False]


def test_one_one_point_zero_and_true_are_three_values():
    cols = columns_of(a=[1, 1.0, True, "1", None])
    assert verdicts("is_count(a)", cols, 5) == [True, False, False, False, False]
    assert verdicts("a == 1", cols, 5) == [True, True, True, False, False]


def test_a_number_compared_with_text_is_a_mismatch_as_in_the_per_year_engine():
    cols = columns_of(a=[3, "三", 3], b=[2, 2, "二"])
    assert verdicts("a > b", cols, 3) == [True, "mismatch", "mismatch"]
    # and/or evaluate every operand: a mismatch on either side counts
    assert verdicts("a == 3 or a > b", cols, 3) == [True, "mismatch", "mismatch"]
    assert verdicts("not a > b", cols, 3) == [False, "mismatch", "mismatch"]


def test_chained_comparisons_and_boolean_operators():
    cols = columns_of(a=[1, 5, 9, 5], b=[2, 5, 3, None])
    assert verdicts("0 < a <= 5", cols, 4) == [True, True, False, True]
    assert verdicts("a == 5 and not blank(b)", cols, 4) == [False, True, False, False]
    assert verdicts("a > 8 or blank(b)", cols, 4) == [False, False, True, True]
    assert verdicts("abs(a - 5) <= max(1, 0)", cols, 4)[:3] == [False, True, False]


# --- float64 only where it is exact -------------------------------------------------------------


def test_numpy_arithmetic_stops_at_the_bound_where_float64_stops_being_exact():
    tree = parse("a * b == c").body
    below = {"a": 2.0**25, "b": 2.0**26, "c": 0.0}  # product 2^51
    above = {"a": 2.0**26, "b": 2.0**26, "c": 0.0}  # product 2^52
    assert _bound(tree, below) < BOUND <= _bound(tree, above)
    assert _bound(parse("a + b <= 1").body, {"a": 2.0**51, "b": 2.0**51 - 1}) < BOUND
    assert _bound(parse("a + b <= 1").body, {"a": 2.0**51, "b": 2.0**51}) >= BOUND


def test_sums_and_products_past_the_bound_are_python_exact():
    # float64 would say 2^53 + 1 == 2^53 and (2^27 + 1)^2 - 1 == (2^27 + 1)^2
    cols = columns_of(
        a=[2**53, 2**50, 2**27 + 1, 2**25],
        b=[2**53, 2**50, 2**27 + 1, 2**25],
        c=[2**53, 2**50 + 1, (2**27 + 1) ** 2 - 1, 2**50],
    )
    assert verdicts("a + 1 == b", cols, 4) == [False, False, False, False]
    assert verdicts("a + 1 == c", cols, 4) == [False, True, False, False]
    assert verdicts("a * b == c", cols, 4) == [False, False, False, True]
    assert verdicts("a * b > c", cols, 4) == [True, True, True, False]


def test_the_float64_path_is_taken_below_the_bound(monkeypatch):
    """Rows of plain numbers under the bound never reach the per-value evaluator."""
    cols = columns_of(a=[1, 2, 3.5, 2**40], b=[1, 3, 3.5, 2**40 + 1])
    calls = []
    original = columnar.compiled

    def counting(node):
        function = original(node)
        return lambda env: calls.append(env) or function(env)

    monkeypatch.setattr(columnar, "compiled", counting)
    monkeypatch.setattr(columnar, "_PLANS", {})  # plans made here are dropped afterwards
    assert verdicts("a + 0 == b", cols, 4) == [True, False, True, False]
    assert calls == []
    assert verdicts("a + 0 == b", columns_of(a=[2**60], b=[2**60]), 1) == [True]
    assert len(calls) == 1  # past the bound: Python


def test_infinity_and_nan_go_the_python_way():
    # Python's max keeps its first argument against a NaN, numpy's maximum gives NaN
    cols = columns_of(a=[float("inf"), float("nan"), 1.0], b=[1, 1, float("inf")])
    assert verdicts("max(a - a, b) > 0", cols, 3) == [False, False, True]
    assert verdicts("max(b, a - a) > 0", cols, 3) == [True, True, True]
    assert verdicts("a > b", cols, 3) == [True, False, False]


# --- one-name parts over whole columns -----------------------------------------------------------

ODD_VALUES = [
    None, float("nan"), 0.0, -0.0, 1, 1.0, True, False, -1, 0, 2**70, -(2**70), "", "  ", "１２",
    "1 2", "abc", "1.5", "12", "有", [1, 2], [], 3.0, float("inf"), 2.5,
]  # fmt: skip


@pytest.mark.parametrize("function", sorted(columnar._BY_TYPE))
def test_functions_by_type_equal_the_expression_functions(function):
    cols = columns_of(x=ODD_VALUES)
    got = columnar._by_type(function, "x", cols)
    expected = [FUNCTIONS[function](v) for v in ODD_VALUES]
    assert [(type(g), repr(g)) for g in got.tolist()] == [(type(e), repr(e)) for e in expected]


@pytest.mark.parametrize(
    "text",
    [
        "not blank(x)",
        "is_count(x)",
        "not is_text(x)",
        "x == '有'",
        "x != 12",
        "x in ['有', 12, 1.5]",
        "number(x) == 12",
        "compact(x) == '12'",
        "x > 1",
        "x + 1 > 2",
    ],
)
def test_one_name_parts_equal_the_evaluator_on_odd_values(text):
    cols = columns_of(x=ODD_VALUES)
    expected = []
    for v in ODD_VALUES:
        try:
            expected.append(bool(evaluate(parse(text), {"x": v})))
        except TypeError:
            expected.append("mismatch")
    assert verdicts(text, cols, len(ODD_VALUES)) == expected


PAIR_VALUES = [*ODD_VALUES, 2**53 - 1, 2**53, 2**53 + 1, -(2**53) + 1, 12, "12", "１２"]


@pytest.mark.parametrize(
    "text", ["compact(a) == compact(b)", "compact(a) != compact(b)", "number(a) == number(b)"]
)
def test_a_function_of_two_values_compared_equals_the_evaluator(text):
    """f(a) == f(b) skips f where both are ints exact in float64 (|n| < 2^53) or None; every
    other pair, 2^53 against 2^53 + 1 included, goes through f."""
    pairs = [(a, b) for a in PAIR_VALUES for b in PAIR_VALUES]
    cols = columns_of(a=[a for a, _ in pairs], b=[b for _, b in pairs])
    expected = []
    for a, b in pairs:
        try:
            expected.append(bool(evaluate(parse(text), {"a": a, "b": b})))
        except TypeError:
            expected.append("mismatch")
    assert verdicts(text, cols, len(pairs)) == expected
    assert columnar._same_function_compared(columnar._prepare(parse(text).body)) is not None


def test_a_function_of_two_values_skips_only_ints_exact_in_float64():
    function = FUNCTIONS["compact"]
    calls = []
    counting = {**FUNCTIONS, "compact": lambda v: calls.append(v) or function(v)}
    cols = columns_of(a=[2**53 - 1, None, 2**53, "7"], b=[2**53 - 1, None, 2**53 + 1, 7])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columnar, "FUNCTIONS", counting)
        assert verdicts("compact(a) == compact(b)", cols, 4) == [True, True, False, True]
    assert sorted(map(str, calls)) == sorted(map(str, [2**53, 2**53 + 1, "7", 7]))


def test_another_function_or_two_functions_are_not_the_fast_comparison():
    for text in ["compact(a) == number(b)", "blank(a) == blank(b)", "compact(a) < compact(b)"]:
        assert columnar._same_function_compared(columnar._prepare(parse(text).body)) is None


# --- quotients in messages -----------------------------------------------------------------------


def rendered(message: str, **values: list) -> tuple[list[str], list[bool]]:
    """(columnar texts of `message` in every row, which rows the float64 path made)."""
    cols = columns_of(**values)
    n = len(next(iter(values.values())))
    texts = columnar._render_rows(None, message, cols, np.arange(n)).tolist()
    part = PLACEHOLDER.findall(message)[0]
    done = np.full(n, None, dtype=object)
    fast = columnar._quotients(parse(part), cols, np.arange(n), done).tolist()
    return texts, fast


def expected_texts(message: str, **values: list) -> list[str]:
    rows_ = zip(*values.values(), strict=True)
    return [render(message, dict(zip(values, row, strict=True))) for row in rows_]


@pytest.mark.parametrize(
    "message",
    [
        "{percent((a - b) / max(b, 1))}",
        "{a / b}",
        "{(a * b) / 3}",
        "{-a / b}",
        "{a / b * 3 - 1}",
        "{abs(a - b) / 7}",
        "{percent(a / b + 0.5)}",
    ],
)
def test_quotients_in_messages_equal_render(message):
    a = [7, 0, 0, -3, 10**6, 2**40, 1, 2**49, 12]
    b = [3, -3, 5, 0 + 4, 7, 3, -1, 3, 12]
    assert rendered(message, a=a, b=b)[0] == expected_texts(message, a=a, b=b)
    assert all(rendered(message, a=a, b=b)[1])  # every row here is exact in float64


def test_messages_keep_literal_braces_and_messages_without_placeholders():
    for message in ["{x} 在 {} 中 }{", "没有占位符 {}", "{x}{x}"]:
        x = [1, "有", None, [1, 2]]
        texts = columnar._render_rows(None, message, columns_of(x=x), np.arange(4)).tolist()
        assert texts == expected_texts(message, x=x)


def test_minus_zero_only_where_python_makes_it():
    # Python: 0 / -3 is -0.0, but 0 * -3 is the int 0, and 0 / 3 is 0.0
    texts, fast = rendered("{(a * b) / 3}", a=[0, 0], b=[-3, 3])
    assert texts == ["0.0", "0.0"] and all(fast)
    texts, fast = rendered("{a / b}", a=[0], b=[-3])
    assert texts == ["-0.0"] and all(fast)
    assert rendered("{percent(a / b)}", a=[0, 0], b=[-3, 3])[0] == ["-0%", "+0%"]


def test_a_zero_divisor_is_left_to_python():
    cols = columns_of(a=[1, 1], b=[0, 2])
    done = np.full(2, None, dtype=object)
    assert columnar._quotients(parse("a / b"), cols, np.arange(2), done).tolist() == [False, True]
    with pytest.raises(ZeroDivisionError):
        columnar._render_rows(None, "{a / b}", cols, np.arange(2))
    with pytest.raises(ZeroDivisionError):
        render("{a / b}", {"a": 1, "b": 0})


def test_quotients_stop_at_the_bound_and_at_non_ints():
    a = [2**52 - 1, 2**52, 2**60 + 1, 2.5, True, -0.0, "3", None]
    cols = columns_of(a=a, b=[3] * len(a))
    done = np.full(len(a), None, dtype=object)
    fast = columnar._quotients(parse("(a + 0) / b"), cols, np.arange(len(a)), done).tolist()
    assert fast == [True, False, False, False, False, False, False, False]
    message, plain = "{(a + 0) / b}", a[:6]  # text + 0 raises in both engines
    assert rendered(message, a=plain, b=[3] * 6)[0] == expected_texts(message, a=plain, b=[3] * 6)
    # a product past the bound: (2^26)^2 = 2^52
    assert rendered("{a * a / 3}", a=[2**26 - 1, 2**26])[1] == [True, False]
    assert rendered("{a * a / 3}", a=[2**26 - 1, 2**26])[0] == expected_texts(
        "{a * a / 3}", a=[2**26 - 1, 2**26]
    )


def test_only_float_results_of_plain_arithmetic_take_the_quotient_path():
    for text in ["a + b", "max(a / b, 1)", "a / b > 1", "sum(a) / 2", "percent(a)"]:
        assert columnar._quotient_plan(parse(text)) is None
    for text in ["a / b", "percent(a / b)", "a * 1.5", "abs(a / b)"]:
        assert columnar._quotient_plan(parse(text)) is not None


def test_codes_tell_apart_values_that_compare_equal_but_differ():
    cols = columns_of(x=[1, 1.0, True, 0.0, -0.0, None, float("nan"), "1", 1])
    codes = cols.codes("x")[0]
    assert len(set(codes[:8].tolist())) == 8
    assert codes[0] == codes[8]


# --- compiled expressions ------------------------------------------------------------------------


def catalogue_texts() -> list[str]:
    data = yaml.safe_load((REPO / "forms" / "rules.yaml").read_text(encoding="utf-8"))
    texts = []
    for family in data["families"].values():
        for spec in family["rules"]:
            if spec.get("engine") == "code":
                continue
            texts += [
                spec["check"],
                spec.get("where"),
                *PLACEHOLDER.findall(spec.get("message", "")),
            ]
    return [t for t in texts if t and "." not in "".join(names(parse(t)))]


def outcome(function, env):
    try:
        return "value", repr(function(env))
    except (TypeError, ZeroDivisionError) as exc:
        return "raises", type(exc).__name__


def test_compiled_expressions_equal_the_evaluator_on_the_catalogue():
    rng = random.Random(7)
    texts = catalogue_texts()
    assert len(texts) > 60
    for text in texts:
        tree = parse(text)
        function = compiled(tree)
        for _ in range(60):
            env = {n: rng.choice(ODD_VALUES[:-5] + [[1, "有"], 5, 0.5]) for n in names(tree)}
            expected = outcome(functools.partial(evaluate, tree), env)
            assert outcome(function, env) == expected, (text, env)


def test_a_chained_comparison_evaluates_every_part_as_the_evaluator_does():
    tree = parse("1 > 2 < 'a'")  # the first part is False; the second still raises
    with pytest.raises(TypeError):
        evaluate(tree, {})
    with pytest.raises(TypeError):
        compiled(tree)({})


# --- engine: code twins --------------------------------------------------------------------------

SENTENCES = [
    [("第四部分第 1 段", "学校未收到明确要求信息公开的相关申请。")],
    [("第四部分第 1 段", "学校共收到信息公开申请 3 件,已办结 3 件。")],
    [
        (
            "开头",
            "按照《教育部办公厅关于编报 2023 年高等学校信息公开工作年度报告的通知》"
            "(教办厅函〔2023〕1号)。",
        )
    ],
    [("第二部分第 1 段", "官网发布信息 12 条；新媒体平台发布 3 条。"), ("附件", "无")],
    [],
]  # fmt: skip


TEMPLATE = "{profile.institution}官网发布信息 {r10} 条,新媒体发布信息 {r15} 条。"


def code_contexts() -> list[Context]:
    claims = load_claims(REPO)
    out = []
    for k in range(30):
        values = {"r19": k % 4, "r20": 3, "r10": 12 if k % 3 else 11, "r15": 3, "r55": 0}
        values["report_year"] = 2023 + k % 3
        recorded = {"a.csv": "1" * 64, "b.csv": "2" * 64}
        raw = [recorded, {"a.csv": "1" * 64}, {**recorded, "b.csv": "3" * 64}, {}][k % 4]
        printed = ["本校官网发布信息 335 条,新媒体发布信息 387 条。", "官网共 335 条", None]
        extras = {
            "claims": claims,
            "narrative_sentences": SENTENCES[k % len(SENTENCES)],
            "narrative": {
                "opening": [
                    {
                        "template": TEMPLATE,
                        "printed": printed[k % 3],
                    }
                ]
            },
            "narrative_values": {"r10": 335 + k % 2, "r15": 387, "profile.institution": "本校"},
            "source_hashes": recorded if k % 5 else None,
            "raw_hashes": raw,
        }
        out.append(
            Context(
                values=values,
                tables={"statistics": pd.DataFrame(), "checklist": pd.DataFrame()},
                sources={},
                table_sources={"narrative": f"n{k}.yaml", "source_record": "S.yaml"},
                available={"source_record"} if k % 5 else set(),
                extras=extras,
            )
        )
    return out


def test_code_check_twins_give_the_registered_checks_findings(years):
    _, rules = years
    code_rules = [r for r in rules if r.engine == "code"]
    assert {r.id for r in code_rules} == set(columnar.VECTORISED)
    contexts = code_contexts()
    got = check_stack(
        stack(contexts, pd.DataFrame({"k": range(len(contexts))})), code_rules, CODE_CHECKS
    )
    expected = pd.concat(
        [ordered(as_frame(evaluate_rules(code_rules, c, CODE_CHECKS))) for c in contexts],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(got.drop(columns="k"), expected, check_dtype=False)
    failed = set(expected.loc[expected["passed"] == False, "id"])  # noqa: E712
    passed = set(expected.loc[expected["passed"] == True, "id"])  # noqa: E712
    assert failed == passed == {"N01", "N02", "N05", "N06", "D01"}  # both outcomes of each


def test_a_check_registered_in_place_of_a_twin_is_called(years):
    _, rules = years
    n01 = [r for r in rules if r.id == "N01"]
    contexts = code_contexts()[:3]
    code = {"N01": lambda context: (["另一个检查"], "别处")}
    got = check_stack(stack(contexts, pd.DataFrame({"k": range(3)})), n01, code)
    assert list(got["filled"]) == ["另一个检查"] * 3


def test_required_text_of_a_pattern():
    assert columnar._required(re.compile("收到[^。]{0,3}申请(?P<n>\\d+)件")) == (
        "收到",
        "申请",
        "件",
    )
    assert columnar._required(re.compile("(无|没有)申请")) == ("申请",)
    assert columnar._required(re.compile("收到|申请")) == ()  # either may match alone
    assert columnar._required(re.compile("abc", re.IGNORECASE)) == ()
    assert columnar._required(re.compile("(?i)abc")) == ()


def test_stack_encoding_does_not_change_findings(years):
    entries, rules = years
    contexts = [c for _, _, c in entries]
    keys = pd.DataFrame({"year": [label for label, _, _ in entries]})
    full = check_stack(stack(contexts, keys), rules, CODE_CHECKS)
    lazy = check_stack(stack(contexts, keys, encode=False), rules, CODE_CHECKS)
    some = check_stack(stack(contexts, keys, encode=rule_names(rules)), rules, CODE_CHECKS)
    pd.testing.assert_frame_equal(full, lazy)
    pd.testing.assert_frame_equal(full, some)
    assert {"value", "published", "r19", "checklist.count", "count_alt"} <= rule_names(rules)


@pytest.mark.parametrize(
    "cells",
    [
        [1.0, 2.5, float("nan"), float("inf"), -0.0, 2.0**53, 1e20, -(2.0**60)],
        [1, 2, 3],
        [True, False],
        ["a", None, float("nan"), 3, 3.0, [1]],
    ],
)
def test_long_columns_hold_what_rows_gives_the_per_year_engine(cells):
    column = pd.Series(cells)
    expected = [row["c"] for row in rows(pd.DataFrame({"c": column}))]
    got = columnar._plain_array(column).tolist()
    assert [(type(g), repr(g)) for g in got] == [(type(e), repr(e)) for e in expected]


def test_long_tables_hold_each_cell_as_rows_gives_it_for_its_own_year():
    def year(k: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "n": [k, 2**60 + k],
                "x": [0.5 * k, 2.0**53 + 2 * k],
                "s": pd.array([f"第{k}", None], dtype="str"),  # None, not NaN, in the long table
                "o": [[k], None],
                "b": [True, k % 2 == 0],
            }
        )

    frames = [year(k) for k in range(4)]
    contexts = [Context({}, {"t": frame}, {}, {}) for frame in frames]
    long = stack(contexts, pd.DataFrame({"year": range(4)}), encode=False).tables["t"]
    got = [{c: long[c].to_numpy()[r] for c in frames[0].columns} for r in range(len(long))]
    expected = [row for frame in frames for row in rows(frame)]
    assert [[(type(v), repr(v)) for v in g.values()] for g in got] == [
        [(type(v), repr(v)) for v in e.values()] for e in expected
    ]
    ints, floats = pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1.5, float("nan")]})
    contexts = [Context({}, {"t": frame}, {}, {}) for frame in (ints, floats)]
    long = stack(contexts, pd.DataFrame({"year": [1, 2]}), encode=False).tables["t"]
    assert long["a"].tolist() == [1, 2, 1.5, None]


def test_a_claims_condition_over_all_matches_equals_the_evaluator():
    from disclosure.expr import parsed

    values = [{"r10": 5}, {"r10": 2**60}, {"r10": "五"}, {}, {"r10": None}]
    data = columnar.Stack(
        pd.DataFrame({"year": range(5)}), [Context(v, {}, {}, {}) for v in values]
    )
    tree = parsed("n <= r10 and n > 0")
    matches = [((i, 0, "", ""), 0, {"n": n}) for i in (0, 1, 0, 1) for n in (3, 6)][:6]
    got = columnar._claims_hold(data, tree, matches).tolist()
    assert got == [bool(evaluate(tree, {**values[i], **g})) for (i, *_), _, g in matches]
    assert got == [True, False, True, True, True, False]
    for year in (2, 3, 4):  # text against a number, a missing value, None: the evaluator's error
        with pytest.raises(Exception) as expected:
            evaluate(tree, {**values[year], "n": 3})
        with pytest.raises(type(expected.value)):
            columnar._claims_hold(data, tree, [((year, 0, "", ""), 0, {"n": 3})])


def test_no_sentence_holding_a_required_text_is_missed_with_nuls():
    """holding() may try more sentences than hold the text (the pattern decides), never fewer."""
    sentences = ["甲乙\x00", "甲乙", "丙", "\x00丙"]
    group = columnar._ClaimGroup([], [(0, k, "", s) for k, s in enumerate(sentences)])
    for text in ["乙\x00", "甲乙", "丙", "\x00"]:
        marked = group.holding(text).tolist()
        assert all(m for m, s in zip(marked, sentences, strict=True) if text in s)
    assert group.holding("甲乙").tolist()[2] is False
