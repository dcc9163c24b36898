"""The round trip as a test oracle: the project's own report.pdf, report.html and report.docx of a
year, imported back, give the 55 values and the 50 items of that year's statistics.csv and
checklist.csv; and a synthetic year with one injected contradiction, rendered by the project's
renderer and audited, fails exactly the rules of that contradiction.

The two real runs (the bundled 2023-2024 year and the synthetic fixture year) are made once per
module; the variants use the kernel-free renderer of tests/published_reports.py.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from published_reports import INJECTIONS, render_year, variant
from workspaces import build_workspace

from disclosure.pipeline import run_year
from disclosure.published.audit import audit_report
from disclosure.published.importer import read_report

YEARS = {"bundled": "2023-2024", "synthetic": "2030-2031"}
FORMATS = ("pdf", "html", "docx")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    root = build_workspace(
        tmp_path_factory.mktemp("roundtrip") / "ws", ["synthetic_2030-2031"], repo_years=True
    )
    outputs = {}
    for name, year in YEARS.items():
        result = run_year(root, year)
        outputs[name] = Path(result.out_dir)
    return root, outputs


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", YEARS)
def test_the_report_imported_back_gives_its_55_values_and_50_items(runs, name, fmt):
    root, outputs = runs
    out = outputs[name]
    reading = read_report(root, out / f"report.{fmt}")
    assert reading.family is not None and reading.family.id == "chongqing"
    assert reading.year == YEARS[name]
    stats = read_csv(out / "statistics.csv")
    assert [(x.printed_no, x.value, x.unit) for x in reading.lines] == [
        (r["row"], r["value"], r["unit"]) for r in stats
    ]
    expected = read_csv(out / "checklist.csv")
    got = {i.item: i for i in reading.items}
    assert sorted(got) == list(range(1, 51))
    for row in expected:
        item = got[int(row["item"])]
        assert (item.category, item.count, " ".join(item.links), item.on_platform) == (
            int(row["category_no"]),
            int(row["count"]),
            row["links"],
            row["on_platform"],
        ), row["item"]
        # A PDF's text layer does not record whether a line wrap replaced a space (see the note).
        same = squash if fmt == "pdf" else str.strip
        assert same(item.remark) == same(row["remark"]), row["item"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_synthetic_report_audits_clean(runs, fmt):
    root, outputs = runs
    result = audit_report(root, outputs["synthetic"] / f"report.{fmt}")
    findings = result.findings
    assert list(findings.loc[findings["outcome"] == "failed", "id"]) == []
    assert result.score is not None and result.year == "2030-2031"


def test_the_bundled_report_audits_to_its_rebuilt_contradictions(runs):
    """The bundled year's report prints rebuilt values: 178 on row 11 (the checklist's total) so
    K01 passes while the platform's 174 < 178 fails C01p; 无 beside 8000 元 stays."""
    root, outputs = runs
    findings = audit_report(root, outputs["bundled"] / "report.html").findings
    failed = set(findings.loc[findings["outcome"] == "failed", "id"])
    assert {"F03p", "F04p", "C01p", "L01"} <= failed
    assert "K01" not in failed


@pytest.fixture(scope="module")
def variant_root(tmp_path_factory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("variants") / "ws")


CASES = [(name, "html") for name in INJECTIONS] + [
    ("funding-without-project", "pdf"),
    ("prose-number", "docx"),
]


@pytest.mark.parametrize("injection, fmt", CASES, ids=[f"{i}-{f}" for i, f in CASES])
def test_an_injected_contradiction_fails_exactly_its_rules(variant_root, tmp_path, injection, fmt):
    year = variant(variant_root, injection, seed=len(injection))
    report = tmp_path / f"report.{fmt}"
    report.write_bytes(render_year(variant_root, year, (fmt,))[fmt])
    findings = audit_report(variant_root, report).findings
    assert set(findings.loc[findings["outcome"] == "failed", "id"]) == INJECTIONS[injection][1]
