from __future__ import annotations

import shutil

import pandas as pd
import pytest

from disclosure import pipeline
from disclosure.batch import check
from disclosure.batch.check import check_collection
from disclosure.batch.collection import institution_years


def per_year(item, failed_only: bool) -> pd.DataFrame:
    found = pipeline.check_year(item.root, item.year).findings
    if failed_only:
        found = found[found["passed"] == False]  # noqa: E712
    return found.reset_index(drop=True)


def of(result, item) -> pd.DataFrame:
    f = result.findings
    one = f[(f["institution"] == item.institution) & (f["year"] == item.year)]
    return one.drop(columns=["institution", "year"]).reset_index(drop=True)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("detail", ["all", "failed"])
def test_the_collection_check_equals_the_per_year_check_of_each_year(
    small_collection, monkeypatch, jobs, detail
):
    folder, _ = small_collection
    monkeypatch.setattr(check, "IN_PROCESS_BELOW", 1)  # worker processes even for a few years
    items = institution_years(folder)
    result = check_collection(items, jobs=jobs, detail=detail)
    assert result.bad_input == {} and len(result.checked) == len(items)
    assert result.load_seconds > 0 and result.rule_seconds > 0 and result.seconds > 0
    for item in items:
        expected = per_year(item, detail == "failed")
        pd.testing.assert_frame_equal(of(result, item), expected, check_dtype=False)
    if detail == "failed":
        assert (result.findings["passed"] == False).all()  # noqa: E712


def test_findings_keep_the_order_of_the_items_given(small_collection):
    folder, _ = small_collection
    items = list(reversed(institution_years(folder)))
    result = check_collection(items, jobs=1, detail="all")
    seen = list(
        dict.fromkeys(zip(result.findings["institution"], result.findings["year"], strict=True))
    )
    assert seen == [(i.institution, i.year) for i in items]
    assert result.checked == [(i.institution, i.year) for i in items]


def test_a_year_with_bad_input_is_set_aside_with_its_problems(small_collection, tmp_path):
    folder, _ = small_collection
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, symlinks=True)
    item = institution_years(copy)[0]
    (item.root / "data/raw" / item.year / "applications.csv").write_text(
        "id,received\nA,not a date\n", encoding="utf-8"
    )
    result = check_collection(institution_years(copy), jobs=1)
    assert list(result.bad_input) == [item.key]
    assert any("applications.csv" in p for p in result.bad_input[item.key])
    assert len(result.checked) == len(institution_years(copy)) - 1
    assert item.key not in {f"{i}/{y}" for i, y in result.checked}


def test_each_year_is_loaded_once_even_as_another_years_previous_year(
    small_collection, monkeypatch
):
    folder, _ = small_collection
    items = institution_years(folder)
    loads: list[tuple[str, str]] = []
    original = pipeline.load

    def counting(root, year, forms=None):
        loads.append((str(root), year))
        return original(root, year, forms)

    monkeypatch.setattr(pipeline, "load", counting)
    check_collection(items, jobs=1)
    assert len(loads) == len(set(loads)) == len(items)


def test_failing_counts_institution_years_with_a_failed_error(small_collection):
    folder, key = small_collection
    result = check_collection(institution_years(folder), jobs=1)
    failed = result.findings[
        (result.findings["passed"] == False) & (result.findings["severity"] == "error")  # noqa: E712
    ]
    assert result.failing() == len(set(zip(failed["institution"], failed["year"], strict=True))) > 0


def test_shares_keep_an_institutions_years_together_and_balance_the_rest(small_collection):
    folder, _ = small_collection
    items = institution_years(folder)
    shares = check._shares(items, 2)
    assert sorted(i.key for s in shares for i in s) == sorted(i.key for i in items)
    owners = {}
    for n, share in enumerate(shares):
        for i in share:
            assert owners.setdefault(i.institution, n) == n
    assert check._shares(items, 1) == [items] or len(check._shares(items, 1)) == 1


def test_ordinary_years_are_decided_by_the_screen(small_collection, monkeypatch):
    """On generated years (half of them contradicted once), the per-year engine evaluates only a
    small share of the (rule, year) pairs: the code checks and the possible failures."""
    from disclosure.checks import many

    folder, _ = small_collection
    items = institution_years(folder)
    seen: list[int] = []
    original = many.evaluate_rules

    def counting(rules, ctx, code=None):
        seen.append(len(rules))
        return original(rules, ctx, code)

    n_rules = len(pipeline.check_year(items[0].root, items[0].year).findings)  # every rule once
    monkeypatch.setattr(many, "evaluate_rules", counting)
    check_collection(items, jobs=1)
    assert 0 < sum(seen) < 0.25 * n_rules * len(items)
