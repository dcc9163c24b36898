"""The rule engine over N institution-years gives, for each year, the per-year engine's findings.

The property test draws random valid years with the corpus generator (tests/corpus/
test_random_years.py: blank cells, full-width digits, text where numbers belong, published tables
of every length, previous years), adds the two fixture years and the real 2023-2024 year (which
contradicts itself), and compares the failed findings of all of them checked together with those
of `evaluate_rules` on each year alone. The screen's own cases follow: short-circuit, chained
comparisons, exact big ints, text against numbers, absent values, lists, calls.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from corpus.test_random_years import Draw, write_year
from workspaces import build_workspace

from disclosure import pipeline
from disclosure.checks import many
from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.catalogue import context, forms_of, rules_for
from disclosure.checks.findings import COLUMNS
from disclosure.checks.many import check_many
from disclosure.checks.rules import Context, Rule, as_frame, evaluate_rules

SEED = 15
DRAWS = 14


def context_of(root: Path, year: str) -> tuple[Context, list[Rule]]:
    data = pipeline.load(root, year)
    before = pipeline.previous(data)
    stats = pipeline.rebuild(data, before)
    items = pipeline.checklist(data)
    previous_year = before.year if before.statistics is not None else None
    ctx = context(data, stats, items, previous_year)
    return ctx, rules_for(forms_of(data), ctx)


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory):
    """(label, context) of random years, the fixture years and the real year; the catalogue."""
    root = build_workspace(
        tmp_path_factory.mktemp("many"), ["synthetic_2030-2031", "broken_2031-2032"], True
    )
    rng = random.Random(SEED)
    drawn: list[str] = []
    for n in range(DRAWS):
        year = f"{2201 + n}-{2202 + n}"
        previous = drawn[-1] if drawn and rng.random() < 0.5 else None
        write_year(root, Draw(rng, year), previous)
        drawn.append(year)
    out = []
    for year in [*drawn, "2030-2031", "2031-2032", "2023-2024"]:
        ctx, rules = context_of(root, year)
        out.append((year, ctx))
    return out, rules


def alone(ctx: Context, rules: list[Rule], failed_only: bool = True) -> pd.DataFrame:
    from disclosure.checks.findings import ordered

    frame = ordered(as_frame(evaluate_rules(rules, ctx, CODE_CHECKS)))
    if failed_only:
        frame = frame[frame["passed"] == False]  # noqa: E712
    return frame.reset_index(drop=True)


def test_years_checked_together_fail_exactly_what_each_fails_alone(years):
    entries, rules = years
    together = check_many([c for _, c in entries], rules, CODE_CHECKS, "failed")
    for (label, ctx), got in zip(entries, together, strict=True):
        pd.testing.assert_frame_equal(got, alone(ctx, rules), check_dtype=False, obj=label)


def test_detail_all_is_the_per_year_engine_on_each_year(years):
    entries, rules = years
    together = check_many([c for _, c in entries], rules, CODE_CHECKS, "all")
    for (label, ctx), got in zip(entries, together, strict=True):
        pd.testing.assert_frame_equal(got, alone(ctx, rules, False), check_dtype=False, obj=label)


def test_the_compared_years_cover_every_outcome(years):
    """Not a vacuous comparison: failures, type mismatches, explained causes and every rule shape
    (values, rows, code) occur among the compared findings, and some years pass what others fail."""
    entries, rules = years
    every = pd.concat([alone(c, rules, False) for _, c in entries])
    assert (every["passed"] == False).sum() > 50  # noqa: E712
    assert every["passed"].isna().sum() > 50
    assert every["filled"].str.contains("类型不符", regex=False).any()
    assert (every["cause"] != "").any()
    failed = every[every["passed"] == False]  # noqa: E712
    assert {"P01", "K04", "N01", "S03", "Y01", "A02p"} <= set(failed["id"])
    passed = every[every["passed"] == True]  # noqa: E712
    assert {"P01", "K04", "S03"} <= set(passed["id"])


def test_the_screen_sends_only_possible_failures_to_the_per_year_engine(years, monkeypatch):
    """The screen decides (rule, year) pairs itself: the per-year engine sees fewer (these hostile
    years fail or mistype much; tests/unit/batch/test_check.py measures ordinary years)."""
    entries, rules = years
    seen: list[int] = []
    original = many.evaluate_rules

    def counting(rules_, ctx, code=None):
        seen.append(len(rules_))
        return original(rules_, ctx, code)

    monkeypatch.setattr(many, "evaluate_rules", counting)
    check_many([c for _, c in entries], rules, CODE_CHECKS, "failed")
    assert 0 < sum(seen) < len(rules) * len(entries) * 0.6


def test_an_unknown_detail_is_refused(years):
    with pytest.raises(ValueError):
        check_many([years[0][0][1]], years[1], CODE_CHECKS, "some")


def test_no_years_give_no_findings(years):
    assert check_many([], years[1], CODE_CHECKS, "failed") == []


# --- the screen on values made to the edge --------------------------------------------------------


def ctx(values: dict, checklist: pd.DataFrame | None = None) -> Context:
    tables = {"checklist": checklist if checklist is not None else pd.DataFrame({"count": []})}
    return Context(values=values, tables=tables, sources={}, table_sources={})


def rule(check: str, **kw) -> Rule:
    return Rule(id=kw.pop("id", "T1"), title="t", check=check, severity="error", family="T", **kw)


def failed_ids(contexts: list[Context], rules: list[Rule]) -> list[list[str]]:
    return [list(f["id"]) for f in check_many(contexts, rules, {}, "failed")]


def per_year_ids(contexts: list[Context], rules: list[Rule]) -> list[list[str]]:
    return [[f.id for f in evaluate_rules(rules, c, {}) if f.passed is False] for c in contexts]


CASES = [
    # no short-circuit: the right side's type mismatch counts although the left side decides
    ("a == 0 or b < 1", [{"a": 0, "b": "x"}, {"a": 0, "b": 0}, {"a": 1, "b": 5}]),
    ("a != 0 and b < 1", [{"a": 0, "b": "x"}, {"a": 1, "b": 0}, {"a": 1, "b": 5}]),
    # every link of a chained comparison is evaluated
    ("a < b < c", [{"a": 1, "b": 2, "c": 3}, {"a": 3, "b": 2, "c": "x"}, {"a": 1, "b": 2, "c": 2}]),
    # ints past 2^53 compared exactly
    ("a == b + 1", [{"a": 2**60 + 1, "b": 2**60}, {"a": 2**60, "b": 2**60}]),
    # text against a number: a type mismatch, reported as the per-year engine reports it
    ("a <= b", [{"a": 1, "b": 2}, {"a": "一", "b": 2}, {"a": 3, "b": 2}]),
    # an absent value: not applicable, never failed
    ("a == b", [{"a": None, "b": 1}, {"a": float("nan"), "b": 1}, {"a": 1, "b": 2}]),
    ("a in ['有', '无']", [{"a": "有"}, {"a": "是"}, {"a": 1}]),
    ("not a", [{"a": 0}, {"a": 1}, {"a": ""}]),
    ("-a + 2 * b == 0", [{"a": 2, "b": 1}, {"a": 1, "b": 1}]),
    (
        "abs(a - b) <= max(b, 1) and is_count(a)",
        [{"a": 5, "b": 3}, {"a": 9, "b": 3}, {"a": -1, "b": 3}],
    ),
    ("a / b > 1", [{"a": 4, "b": 2}, {"a": 1, "b": 2}]),  # division: left to the per-year engine
    ("(a or b) == 2", [{"a": 0, "b": 2}, {"a": 2, "b": 0}, {"a": 1, "b": 2}]),
]


@pytest.mark.parametrize("check, values", CASES, ids=[c for c, _ in CASES])
def test_the_screen_fails_a_value_rule_exactly_where_the_per_year_engine_does(check, values):
    contexts = [ctx(v) for v in values]
    rules = [rule(check)]
    expected = per_year_ids(contexts, rules)
    assert failed_ids(contexts, rules) == expected
    assert any(expected) and not all(expected)  # each case has a passing and a failing year


def test_a_whole_column_call_is_one_value_per_year():
    frames = [pd.DataFrame({"count": [1, 2]}), pd.DataFrame({"count": [5]})]
    contexts = [ctx({"p11": 3}, frames[0]), ctx({"p11": 3}, frames[1])]
    assert failed_ids(contexts, [rule("sum(checklist.count) == p11")]) == [[], ["T1"]]


ROWS = [
    ("count == 0 or links > 0", None, [[0, 0], [1, 0], [2, 3]]),
    ("links >= count", "count > 0", [[0, 0], [1, 0], [2, 3]]),
    ("links >= threshold", None, [[0, 0], [0, 5]]),  # a value name beside the row's columns
]


@pytest.mark.parametrize("check, where, cells", ROWS, ids=[c for c, _, _ in ROWS])
def test_the_screen_fails_a_row_rule_exactly_where_the_per_year_engine_does(check, where, cells):
    contexts = [
        ctx({"threshold": 1}, pd.DataFrame([cells[i]], columns=["count", "links"]))
        for i in range(len(cells))
    ]
    rules = [rule(check, over="checklist", where=where, message="第 {count} 项")]
    expected = per_year_ids(contexts, rules)
    assert failed_ids(contexts, rules) == expected
    assert any(expected) and not all(expected)


def test_a_row_rule_with_a_type_mismatch_in_one_year_is_that_years_failure():
    frames = [
        pd.DataFrame({"count": [1], "links": [2]}),
        pd.DataFrame({"count": ["三"], "links": [2]}),
    ]
    contexts = [ctx({}, f) for f in frames]
    rules = [rule("links >= count", over="checklist", message="x")]
    assert failed_ids(contexts, rules) == per_year_ids(contexts, rules) == [[], ["T1"]]


def test_a_rule_whose_requirement_is_absent_is_not_failed():
    contexts = [ctx({"a": 1}), ctx({"a": 1})]
    contexts[1].available.add("previous_year")
    rules = [rule("a == 2", requires=("previous_year",))]
    assert failed_ids(contexts, rules) == [[], ["T1"]]


def test_a_failure_explained_by_another_keeps_its_cause():
    contexts = [ctx({"a": 1, "b": 1}), ctx({"a": 2, "b": 1})]
    rules = [rule("a == 1", id="K"), rule("a == b", id="C")]
    rules[0] = Rule(**{**rules[0].__dict__, "explains": ("C",)})
    got = check_many(contexts, rules, {}, "failed")
    assert got[0].empty and list(got[1]["id"]) == ["C", "K"] or list(got[1]["id"]) == ["K", "C"]
    assert dict(zip(got[1]["id"], got[1]["cause"], strict=True)) == {"K": "", "C": "K"}
    assert list(got[1].columns) == COLUMNS
