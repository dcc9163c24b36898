"""The columnar engine gives the per-year engine's findings, field for field, on every year.

The property test draws random valid years with the corpus generator (tests/corpus/
test_random_years.py: blank cells, full-width digits, text where numbers belong, published tables
of every length, previous years), adds the two fixture years and the real 2023-2024 year (which
contradicts itself), and compares the columnar findings of all of them, stacked, with
`checks.catalogue.check_all` run on each year alone.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from corpus.test_random_years import Draw, write_year
from workspaces import build_workspace

from disclosure import pipeline
from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.catalogue import check_all, context
from disclosure.checks.columnar import TYPE_NOTE, Columns, check_stack, stack, truth
from disclosure.checks.rules import load_rules
from disclosure.expr import parse

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
