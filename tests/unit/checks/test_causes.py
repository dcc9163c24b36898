"""Which failed rule explains another's failure (`explains`, issue 25): the first explaining rule
in the catalogue's order wins, over one year and over many; a rule that passed explains nothing;
and the screen stays exact past 2^53 in a sum over rows."""

from __future__ import annotations

import pandas as pd
import pytest

from disclosure.checks.many import check_many
from disclosure.checks.rules import Context, Rule, evaluate_rules


def ctx(values: dict, counts: list[int] | None = None) -> Context:
    checklist = pd.DataFrame({"count": pd.Series(counts or [], dtype=object)})
    return Context(values=values, tables={"checklist": checklist}, sources={}, table_sources={})


def rule(rule_id: str, check: str, explains: tuple[str, ...] = ()) -> Rule:
    return Rule(id=rule_id, title="t", check=check, severity="error", family="T", explains=explains)


CATALOGUE = [
    rule("K", "a == 1", explains=("C",)),
    rule("L", "b == 1", explains=("C",)),
    rule("C", "a == b"),
]


def causes_alone(values: dict, rules: list[Rule]) -> dict[str, str]:
    return {f.id: f.cause for f in evaluate_rules(rules, ctx(values), {}) if f.passed is False}


def causes_many(values: dict, rules: list[Rule]) -> dict[str, str]:
    (frame,) = check_many([ctx(values)], rules, {}, "failed")
    return dict(zip(frame["id"], frame["cause"], strict=True))


@pytest.mark.parametrize("causes", [causes_alone, causes_many], ids=["one-year", "many"])
@pytest.mark.parametrize(
    "values, rules, expected",
    [
        ({"a": 2, "b": 3}, CATALOGUE, {"K": "", "L": "", "C": "K"}),
        (
            {"a": 2, "b": 3},
            [CATALOGUE[1], CATALOGUE[0], CATALOGUE[2]],
            {"K": "", "L": "", "C": "L"},
        ),
        ({"a": 1, "b": 3}, CATALOGUE, {"L": "", "C": "L"}),  # K passed: it explains nothing
        ({"a": 2, "b": 1}, CATALOGUE, {"K": "", "C": "K"}),
        ({"a": 2, "b": 2}, CATALOGUE, {"K": "", "L": ""}),  # C passed: nothing to explain
    ],
    ids=["first-wins", "order-decides", "second-when-first-passed", "first-alone", "none"],
)
def test_the_first_failed_explaining_rule_is_the_cause(causes, values, rules, expected):
    assert causes(values, rules) == expected


def test_a_sum_over_rows_past_2_53_is_exact_in_the_screen():
    big = 2**53
    rules = [rule("S", "sum(checklist.count) == p11")]
    contexts = [ctx({"p11": big + 1}, [big, 1]), ctx({"p11": big}, [big, 1])]
    got = [list(f["id"]) for f in check_many(contexts, rules, {}, "failed")]
    alone = [[f.id for f in evaluate_rules(rules, c, {}) if f.passed is False] for c in contexts]
    assert got == alone == [[], ["S"]]
