from __future__ import annotations

import csv

import pytest

from disclosure import pipeline
from disclosure.batch.generate import CONTRADICTIONS, GENERATED_FILE, generate_collection
from disclosure.checks.findings import failed

from .conftest import REPO


def failed_errors(root, year) -> set[str]:
    bad = failed(pipeline.check_year(root, year).findings)
    return set(bad.loc[bad["severity"] == "error", "id"])


def test_the_answer_key_has_the_asked_share_of_contradictions(small_collection):
    folder, key = small_collection
    assert len(key) == 6
    assert sum(1 for g in key if g.contradiction) == 3  # round(0.5 * 6)
    with (folder / GENERATED_FILE).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["institution"], r["year"], r["contradiction"]) for r in rows] == [
        (g.institution, g.year, g.contradiction) for g in key
    ]


def test_a_consistent_year_fails_no_error_and_a_contradicted_one_fails_its_rule(small_collection):
    folder, key = small_collection
    for g in key:
        errors = failed_errors(folder / "institutions" / g.institution, g.year)
        if g.contradiction:
            assert g.rule in errors, (g, errors)
        else:
            assert errors == set(), (g, errors)


@pytest.mark.parametrize("kind", sorted(CONTRADICTIONS))
def test_each_kind_of_contradiction_fails_the_rule_it_names(tmp_path, kind):
    """share=1 on one institution-year: the drawn kind is the only one; seeds chosen per kind."""
    for seed in range(1, 60):
        key = generate_collection(tmp_path / f"{kind}{seed}", REPO, 1, 1, share=1.0, seed=seed)
        if key[0].contradiction == kind:
            break
    else:
        pytest.fail(f"no seed below 60 draws {kind}")
    root = tmp_path / f"{kind}{seed}" / "institutions" / key[0].institution
    assert CONTRADICTIONS[kind][1] in failed_errors(root, key[0].year)


def test_raw_files_are_recorded_so_d01_applies_and_passes(small_collection):
    folder, key = small_collection
    findings = pipeline.check_year(folder / "institutions" / key[0].institution, key[0].year)
    d01 = findings.findings.set_index("id").loc["D01"]
    assert d01["passed"] == True  # noqa: E712


def test_no_share_means_no_contradiction(tmp_path):
    key = generate_collection(tmp_path / "c", REPO, 2, 1, share=0.0, seed=3)
    assert [g.contradiction for g in key] == ["", ""]
