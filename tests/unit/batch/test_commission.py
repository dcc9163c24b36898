"""The commission overview from what is there: kept outputs and the batch record of a collection,
and audit folders; every school-year named, links relative and resolving (the real batch and
audit: tests/end_to_end/test_commission.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from disclosure.batch import commission
from disclosure.batch.run import Outcome, write_summary
from disclosure.errors import InputError
from disclosure.pipeline import STATUS_ZH
from disclosure.published import audit


def kept_year(root: Path, year: str, failed: list[str]) -> Path:
    folder = root / "outputs" / year
    folder.mkdir(parents=True)
    findings = [
        {"id": i, "severity": "error", "title": f"规则{i}的名称", "passed": i not in failed}
        for i in ("A01", "A02", "A03", "A04", "A05")
    ] + [{"id": "Y01", "severity": "warning", "title": "同比", "passed": False}]
    (folder / "findings.json").write_text(json.dumps(findings, ensure_ascii=False), "utf-8")
    (folder / "review.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


def collection(tmp_path: Path) -> Path:
    """Schools A (two years kept: 0 then 4 errors), B (a failed run), C (not run yet)."""
    folder = tmp_path / "c"
    (folder / "institutions").mkdir(parents=True)
    (folder / "collection.yaml").write_text("name: 测试集合\n", encoding="utf-8")
    for code, years in {
        "A": ["2030-2031", "2031-2032"],
        "B": ["2030-2031"],
        "C": ["2030-2031"],
    }.items():
        root = folder / "institutions" / code
        (root / "params").mkdir(parents=True)
        for year in years:
            (root / "params" / f"{year}.yaml").write_text(
                f"academic_year: {year}\ndata_dir: data/raw/{year}\n", "utf-8"
            )
            raw = root / "data" / "raw" / year
            raw.mkdir(parents=True)
            date = (
                f"{year[5:]}-11-02" if code == "A" and year == "2031-2032" else f"{year[5:]}-10-31"
            )
            (raw / "profile.yaml").write_text(
                f"institution: {code}大学\nreport_date: '{date}'\n", encoding="utf-8"
            )
    kept_year(folder / "institutions" / "A", "2030-2031", [])
    kept_year(folder / "institutions" / "A", "2031-2032", ["A01", "A02", "A03", "A05"])
    failed_dir = folder / "institutions" / "B" / "outputs" / "failed" / "x"
    failed_dir.mkdir(parents=True)
    (failed_dir / "workbook.ipynb").write_text("{}", encoding="utf-8")
    write_summary(
        folder,
        [
            Outcome("A", "2030-2031", "skipped"),
            Outcome(
                "B",
                "2030-2031",
                "run_failed",
                message="第 3 个单元格出错",
                evidence=str(failed_dir),
            ),
        ],
    )
    return folder


def audited(tmp_path: Path) -> Path:
    out = tmp_path / "audited"
    out.mkdir()
    findings = pd.DataFrame(
        [
            {"id": "S01", "severity": "error", "title": "行值", "outcome": "failed",
             "detail": "第 51 行印为“50”", "basis": "", "hint": "", "source": "第 3 页"},
            {"id": "E01", "severity": "error", "title": "成文日期", "outcome": "passed",
             "detail": "", "basis": "", "hint": "", "source": ""},
        ]
    )  # fmt: skip
    reports = [
        audit.ReportAudit("甲 校.pdf", "已审查", "甲校", "2023-2024", "chongqing", findings, 80.0,
                          issued="2024-11-14", days_late=14),
        audit.ReportAudit("乙.doc", audit.READ_FAILED, message="旧版 Word"),
    ]  # fmt: skip
    audit.write_outputs(out, reports)
    return out


def test_days_late_on_both_sides_of_31_october():
    assert commission.days_late("2023-2024", "2024-10-31") == 0
    assert commission.days_late("2023-2024", "2024-11-01") == 1
    assert commission.days_late("2023-2024", "") is None
    assert commission.days_late("2023", "2024-11-01") is None
    assert commission.days_late("2023-2024", "not a date") is None


def test_causes_name_the_first_three_and_count_the_rest():
    assert commission.causes_text(["甲", "乙", "丙"]) == "甲；乙；丙"
    assert commission.causes_text(["甲", "乙", "丙", "丁"]) == "甲；乙；丙 等 4 项"
    assert commission.causes_text([]) == ""


def test_a_collection_gives_every_institution_year_from_its_evidence_and_record(tmp_path):
    rows = {(r.school, r.year): r for r in commission.collection_rows(collection(tmp_path))}
    assert set(rows) == {
        ("A大学", "2030-2031"),
        ("A大学", "2031-2032"),
        ("B大学", "2030-2031"),
        ("C大学", "2030-2031"),
    }
    clean, failing = rows[("A大学", "2030-2031")], rows[("A大学", "2031-2032")]
    assert (clean.status, clean.errors, clean.warnings, clean.causes) == ("passed", 0, 1, "")
    assert (failing.status, failing.errors) == ("failed_checks", 4)
    assert failing.causes == "规则A01的名称；规则A02的名称；规则A03的名称 等 4 项"
    assert (clean.days_late, failing.days_late, failing.issued) == (0, 2, "2032-11-02")
    assert [label for label, _ in failing.links] == ["审阅版"]
    broken = rows[("B大学", "2030-2031")]
    assert (broken.status, broken.causes) == ("run_failed", "第 3 个单元格出错")
    assert broken.links[0][0] == "失败记录" and Path(broken.links[0][1]).name == "workbook.ipynb"
    waiting = rows[("C大学", "2030-2031")]
    assert (waiting.status, waiting.errors, waiting.status_zh) == ("", None, "尚无输出")
    assert {r.source for r in rows.values()} == {commission.REBUILT}


def test_an_audit_folder_gives_every_report_with_its_detail(tmp_path):
    rows = commission.audit_rows(audited(tmp_path))
    assert [(r.school, r.status, r.errors) for r in rows] == [
        ("乙.doc", "bad_input", None),
        ("甲校", "failed_checks", 1),
    ]
    assert rows[1].causes == "行值:第 51 行印为“50”" and rows[1].days_late == 14
    assert rows[0].causes == "旧版 Word" and rows[1].score == 80.0
    assert [label for label, _ in rows[1].links] == ["审查详情", "校验结果"]


def test_a_cause_in_words_keeps_a_worded_detail_and_drops_a_formula():
    assert commission.plain("行值", "第 51 行印为“50”") == "行值:第 51 行印为“50”"
    assert commission.plain("专项经费", "'无' != '无' or 8000 == 0") == "专项经费"
    assert commission.plain("专项经费", "") == "专项经费"


def test_neither_a_collection_nor_an_audit_folder_is_named(tmp_path):
    with pytest.raises(InputError, match="既不是机构集合"):
        commission.rows_of(tmp_path)


def test_the_page_names_every_row_sorted_by_errors_with_links_that_resolve(tmp_path):
    sources = [collection(tmp_path), audited(tmp_path)]
    out = tmp_path / "mail"
    written = commission.write_overview(sources, out)
    assert written["rows"] == 6 and (out / commission.PDF_FILE).read_bytes()[:4] == b"%PDF"
    html = (out / commission.HTML_FILE).read_text(encoding="utf-8")
    assert "信息公开年度报告审查总览:测试集合、audited" in html
    for school in ("A大学", "B大学", "C大学", "甲校", "乙.doc"):
        assert school in html
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    order = [body.index(s) for s in ("规则A01", "第 51 行", "第 3 个单元格")]
    assert order == sorted(order)  # most errors first (4, 1, none)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    errors = [re.findall(r'<td class="n">([^<]*)</td>', row)[0] for row in rows]
    assert errors == ["4", "1", "0", "", "", ""]  # no verdict (not run, unreadable): last
    links = re.findall(r'href="([^"]+)"', html)
    assert len(links) == 6 and all(not link.startswith("/") for link in links)
    for link in links:
        target = unquote(link).partition("#")[0]
        assert (out / target).resolve().is_file(), link
    assert f"#{audit.anchor('甲 校.pdf')}" in html
    assert "与上一学年相比" in html and "增加 4" in html  # A: 0 → 4 errors
    assert STATUS_ZH["run_failed"] in html and "逾期报送 2 个" in html


def test_the_ranking_puts_the_fewest_errors_first():
    rows = [
        commission.Row("乙", "2030-2031", commission.POSTED, "failed_checks", 2, 0, score=90.0),
        commission.Row("甲", "2030-2031", commission.REBUILT, "passed", 0, 1, score=50.0),
        commission.Row("甲", "2029-2030", commission.REBUILT, "failed_checks", 3, 1),
        commission.Row("丙", "2030-2031", commission.REBUILT, "passed", 0, 0, score=70.0),
    ]
    html = commission.ranking(rows)
    assert html.index("丙") < html.index("甲") < html.index("乙")  # 0 (70) · 0 (50) · 2
    assert "2029-2030" not in html  # each school's latest year
    assert "减少 3" in commission.changes(rows)
    assert "尚无同一学校连续两个学年" in commission.changes(rows[:2])
