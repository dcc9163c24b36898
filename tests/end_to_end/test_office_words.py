"""End to end: what the office reads states problems in sentences, never as code.

Over the bundled year and the broken fixture: every line that `run` and `check` print and every
line of the review summary (the first page of review.pdf, section `review-summary` of review.html)
is free of the rule language's operators; the findings keep the check for the auditor.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

OPERATORS = re.compile(r"==|!=|>=|<=| or | and |not |True|False")
YEARS = {"bundled": ((), True, "2023-2024"), "broken": (("broken_2031-2032",), False, "2031-2032")}


@pytest.fixture(scope="module", params=sorted(YEARS))
def ran(request, workspace_factory, cli_subprocess):  # type: ignore[no-untyped-def]
    fixtures, repo_years, year = YEARS[request.param]
    root = workspace_factory(*fixtures, repo_years=repo_years)
    run = cli_subprocess("--root", root, "run", year)
    check = cli_subprocess("--root", root, "check", year)
    return root / "outputs" / year, run, check


def summary_lines(review_html: Path) -> list[str]:
    page = review_html.read_text(encoding="utf-8")
    section = re.search(r'<section class="review-summary">(.*?)</section>', page, re.DOTALL)
    assert section, "review.html has no review summary"
    text = re.sub(r"<(li|div|p|h1|ol)[^>]*>", "\n", section.group(1))
    return [ln.strip() for ln in html.unescape(re.sub(r"<[^>]+>", "", text)).splitlines()]


def pdf_page_one(pdf: Path) -> list[str]:
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "校验摘要" in text  # the summary page, laid out by Typst
    return text.splitlines()


def test_no_line_the_office_reads_contains_an_operator(ran) -> None:  # type: ignore[no-untyped-def]
    out, run, check = ran
    assert run.returncode == 0, run.stdout + run.stderr
    assert check.returncode in (0, 1), check.stdout + check.stderr
    lines = {
        "run": run.stdout.splitlines() + run.stderr.splitlines(),
        "check": check.stdout.splitlines() + check.stderr.splitlines(),
        "review summary": summary_lines(out / "review.html"),
        "review.pdf page 1": pdf_page_one(out / "review.pdf"),
    }
    assert any("校验" in ln for ln in lines["check"])  # the terminal did list the failures
    coded = [(where, ln) for where, found in lines.items() for ln in found if OPERATORS.search(ln)]
    assert coded == []


def test_findings_lead_with_a_sentence_and_keep_the_check(ran) -> None:  # type: ignore[no-untyped-def]
    out, _run, _check = ran
    with (out / "findings.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    failed = [r for r in rows if r["passed"] == "否"]
    assert failed and all(r["message"] for r in failed)
    by_id = {r["id"]: r for r in rows}
    # F03 fails in both years: 无 beside an amount, said as the office says it
    assert by_id["F03"]["message"].startswith("统计表第 6 行填“无”(未设专项经费项目),第 7 行却为 ")
    assert "!=" in by_id["F03"]["check"] and " or " in by_id["F03"]["filled"]
    assert all(r["message"] == "" for r in rows if r["passed"] == "是")
