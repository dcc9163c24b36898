"""A year with a published table and no raw registers: every published-table rule still runs.

The workspace is a copy of the real 2023-2024 year whose raw registers keep their header and no data
row (publications and checklist keep their first row: forms/tables.yaml requires a row), while
reported_statistics.csv is the real published table. `check_year` must evaluate every rule that
reads the published table alone, give the verdicts it gives with the registers present, and find
one contradiction written into the published table as exactly that family's rule.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workspaces import REPO_ROOT, build_workspace

from disclosure.checks.catalogue import context
from disclosure.pipeline import YearResult, check_year

YEAR = "2023-2024"
RAW = Path("data") / "raw" / YEAR
PUBLISHED = RAW / "reported_statistics.csv"
FORM_ROWS = 55
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

TWINS = {
    "A02p", "A03p", "A05p", "B01p", "B02p", "B03p", "M01p", "M02p", "F01p", "F02p", "F03p",
    "F04p", "F05p", "F06p", "C01p", "C02p", "C03p", "C04p", "C05p",
}  # fmt: skip
# The rules that read the published table and nothing else; P01 and K01 compare it with raw data.
PUBLISHED_ONLY = {"A06", "A07", "S01", "S03", "S04"} | TWINS
# What the real published table already contradicts: line 51 printed 50, row 54 printed "0 元"
# instead of 收费/不收费, and 8000 yuan of special funding published beside 无 project.
REAL_FAILURES = {"S01", "S03", "F03p", "F04p"}


def published_only_ids(findings: pd.DataFrame) -> set[str]:
    """PUBLISHED_ONLY, and a rule counting the published table's lines once the engine has one."""
    line_rules = set(findings.loc[findings["check"].str.contains("published_lines"), "id"])
    return PUBLISHED_ONLY | line_rules


def strip_registers(root: Path) -> None:
    """Every raw table but the published one keeps its header and no data row (the first row where
    forms/tables.yaml requires rows)."""
    tables = yaml.safe_load((root / "forms" / "tables.yaml").read_text(encoding="utf-8"))["tables"]
    for name, spec in tables.items():
        path = root / RAW / f"{name}.csv"
        # internal.csv feeds only the narrative's placeholders, which `check` requires to have data
        if name in ("reported_statistics", "internal") or not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            records = list(csv.reader(f))
        keep = 2 if spec.get("required_rows") else 1
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(records[:keep])


def edit_published(root: Path, edits: dict[int, str | tuple[str, str]]) -> None:
    """Set the printed value (or value and unit) of published lines, by their position."""
    path = root / PUBLISHED
    with path.open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    header = records[0]
    for line, new in edits.items():
        value, unit = new if isinstance(new, tuple) else (new, records[line][header.index("unit")])
        records[line][header.index("value")] = value
        records[line][header.index("unit")] = unit
    write_published(root, records)


def write_published(root: Path, records: list[list[str]]) -> None:
    with (root / PUBLISHED).open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(records)


def read_published(root: Path) -> list[list[str]]:
    with (root / PUBLISHED).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_workspace(tmp_path_factory.mktemp("published-only") / "ws", repo_years=True)
    strip_registers(root)
    return root


@pytest.fixture
def workspace_copy(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "ws"))


@pytest.fixture(scope="module")
def baseline(template: Path) -> YearResult:
    return check_year(template, YEAR)


@pytest.fixture(scope="module")
def with_registers() -> YearResult:
    return check_year(REPO_ROOT, YEAR)


def verdicts(result: YearResult, ids: set[str]) -> dict[str, tuple[object, str]]:
    findings = result.findings.set_index("id")
    return {i: (findings.loc[i, "passed"], findings.loc[i, "filled"]) for i in sorted(ids)}


def failed(result: YearResult, ids: set[str]) -> set[str]:
    findings = result.findings
    return set(findings.loc[findings["passed"].map(lambda p: p is False), "id"]) & ids


# --- the year without registers -------------------------------------------------------------------


def test_the_registers_are_empty_and_the_published_table_is_the_real_one(template, baseline):
    assert (template / PUBLISHED).read_bytes() == (REPO_ROOT / PUBLISHED).read_bytes()
    rebuilt = dict(zip(baseline.statistics["row"], baseline.statistics["value"], strict=True))
    assert rebuilt[16] == rebuilt[19] == rebuilt[52] == 0  # media, applications, mailbox
    assert all(rebuilt[n] == 0 for n in (12, 13, 14, 15))  # publications: only the portal line
    published = dict(zip(baseline.statistics["row"], baseline.statistics["published"], strict=True))
    assert (published[16], published[10], published[11]) == (56, 335, 174)


def test_every_published_rule_is_evaluated_without_registers(baseline):
    ids = published_only_ids(baseline.findings)
    assert PUBLISHED_ONLY <= set(baseline.findings["id"])
    outcome = verdicts(baseline, ids)
    assert {i: p for i, (p, _) in outcome.items() if p is not True and p is not False} == {}


def test_published_rules_give_the_verdicts_they_give_with_the_registers(baseline, with_registers):
    ids = published_only_ids(baseline.findings)
    assert verdicts(baseline, ids) == verdicts(with_registers, ids)


def test_the_real_published_table_fails_exactly_its_known_contradictions(baseline):
    assert failed(baseline, published_only_ids(baseline.findings)) == REAL_FAILURES
    filled = verdicts(baseline, {"F03p", "F04p"})
    assert filled["F03p"] == (False, "'无' != '无' or 8000 == 0")
    assert filled["F04p"] == (False, "8000 == 0 or '无' == '有'")


# --- one contradiction per family -----------------------------------------------------------------

# (family, edits of published lines, the rules it newly fails, the rules of REAL_FAILURES it fixes)
CONTRADICTIONS = {
    "applications-by-channel": ("applications", {27: "1"}, {"A06"}, set()),
    "applications-by-applicant": ("applications", {31: "1"}, {"A02p"}, set()),
    "applications-by-topic": ("applications", {34: "1"}, {"A03p"}, set()),
    "applications-by-outcome": ("applications", {47: "1"}, {"A07"}, set()),
    "concluded-above-received": ("applications", {20: "1", 47: "1"}, {"A05p"}, set()),
    "reconsideration-won-above-all": ("appeals", {22: "1"}, {"B01p"}, set()),
    "lawsuit-lost-above-all": ("appeals", {26: "1"}, {"B02p"}, set()),
    "lawsuit-without-application": ("appeals", {24: "1", 25: "1"}, {"B03p"}, set()),
    "front-page-above-all-reports": ("media", {17: "57"}, {"M01p"}, set()),
    "headline-above-front-page": ("media", {18: "1"}, {"M02p"}, set()),
    "mailbox-handled-above-received": ("fees_funding", {53: "1"}, {"F05p"}, set()),
    "fee-charged-beside-0": ("fees_funding", {55: "10"}, {"F02p"}, set()),
    "fee-charged-though-free": (
        "fees_funding",
        {54: ("不收费", ""), 55: "10"},
        {"F01p", "F02p"},
        {"S03"},
    ),
    "funding-with-project": ("fees_funding", {6: "有"}, set(), {"F03p", "F04p"}),
    "no-staff": ("fees_funding", {8: "0", 9: "0"}, {"F06p"}, set()),
    "platform-below-checklist": ("channels", {12: "173"}, {"C01p"}, set()),
    "portal-below-platform": ("channels", {10: "173"}, {"C02p"}, set()),
    "platform-items-without-platform": ("channels", {2: "无"}, {"C04p"}, set()),
    "portal-items-without-portal": ("channels", {1: "无"}, {"C03p", "C05p"}, set()),
    "phone-number-as-count": ("form", {13: "13800138000"}, {"S04"}, set()),
}


@pytest.mark.parametrize(
    "family, edits, breaks, fixes", CONTRADICTIONS.values(), ids=CONTRADICTIONS.keys()
)
def test_a_contradiction_fails_exactly_its_rule(workspace_copy, family, edits, breaks, fixes):
    edit_published(workspace_copy, edits)
    result = check_year(workspace_copy, YEAR)
    ids = published_only_ids(result.findings)
    assert failed(result, ids) == (REAL_FAILURES - fixes) | breaks
    changed = sorted(breaks or fixes)  # what it breaks, or (a positive control) what it fixes
    assert set(result.findings.set_index("id").loc[changed, "family"]) == {family}
    assert not result.findings.loc[result.findings["id"].isin(ids), "passed"].isna().any()


def test_every_family_of_twins_is_broken_by_some_contradiction():
    broken = set().union(*(breaks for _, _, breaks, _ in CONTRADICTIONS.values()))
    assert TWINS - broken == {"F03p", "F04p"}  # the real table already fails them
    families = {family for family, *_ in CONTRADICTIONS.values()}
    assert families == {"applications", "appeals", "media", "fees_funding", "channels", "form"}


# --- full-width digits --------------------------------------------------------------------------


def test_full_width_digits_are_read_as_the_same_numbers_by_every_rule(tmp_path):
    """Every printed digit full-width (the 56 media reports printed ５６, the 335 items ３　３５):
    each published rule gives the same verdict, and P01 still names only row 11 (no false
    重算 56 ≠ 公布 ５６)."""
    root = build_workspace(tmp_path / "ws", repo_years=True)
    before = check_year(root, YEAR)
    records = read_published(root)
    value = records[0].index("value")
    for record in records[1:]:
        record[value] = record[value].translate(FULL_WIDTH)
    records[10][value] = "３\u3000３５"
    assert records[16][value] == "５６"
    write_published(root, records)
    after = check_year(root, YEAR)

    published = dict(zip(after.statistics["row"], after.statistics["published"], strict=True))
    assert (published[16], published[10], published[7]) == (56, 335, 8000)
    ids = published_only_ids(after.findings) | {"P01", "K01"}
    assert {i: p for i, (p, _) in verdicts(after, ids).items()} == {
        i: p for i, (p, _) in verdicts(before, ids).items()
    }
    # The value rules show numbers, so their text is unchanged too; P01 quotes what was printed.
    value_rules = {
        i for i in ids if not after.findings.set_index("id").loc[i, "check"].startswith("对")
    }
    assert verdicts(after, value_rules - {"P01"}) == verdicts(before, value_rules - {"P01"})
    assert verdicts(before, {"P01"})["P01"] == (False, "第 11 行 重算 178 ≠ 公布 174")
    assert verdicts(after, {"P01"})["P01"] == (False, "第 11 行 重算 178 ≠ 公布 １７４")


# --- the published table's length -----------------------------------------------------------------


def line_rule_outcome(result: YearResult) -> tuple[object, str] | None:
    ids = published_only_ids(result.findings) - PUBLISHED_ONLY
    return verdicts(result, ids).popitem()[1] if ids else None


def test_line_counts_are_in_the_context(baseline):
    ctx = context(baseline.data, baseline.statistics, baseline.checklist, None)
    assert (ctx.values["published_lines"], ctx.values["form_rows"]) == (FORM_ROWS, FORM_ROWS)
    assert line_rule_outcome(baseline) in (None, (True, "55 == 55"))


@pytest.mark.parametrize(
    "change, lines",
    [("extra-line", 56), ("line-repeated", 56), ("last-line-missing", 54)],
    ids=str,
)
def test_a_missing_or_extra_line_is_counted(workspace_copy, change, lines):
    """The rebuilt table keeps the form's 55 rows, so an extra published line is seen only by
    published_lines (and a line repeated mid-table by S01 too)."""
    records = read_published(workspace_copy)
    if change == "extra-line":
        records.append(["56", "多出的一行", "1", "条"])
    elif change == "line-repeated":
        records.insert(31, list(records[30]))
    else:
        records.pop()
    write_published(workspace_copy, records)
    result = check_year(workspace_copy, YEAR)
    assert len(result.statistics) == FORM_ROWS
    ctx = context(result.data, result.statistics, result.checklist, None)
    assert (ctx.values["published_lines"], ctx.values["form_rows"]) == (lines, FORM_ROWS)
    assert line_rule_outcome(result) in (None, (False, f"{lines} == {FORM_ROWS}"))
    s01 = verdicts(result, {"S01"})["S01"][1]
    if change == "line-repeated":
        assert s01.startswith("第 31 行印为“30”")
    else:
        assert s01 == "第 51 行印为“50”"
