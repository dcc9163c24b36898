"""`disclosure audit` on a folder with a report whose checklist lacks an item (issue 25): the
engine's K02 names the missing item, the rubric scores the items that are printed, and every report
of the folder gets its findings (the rubric once crashed on the missing item's empty row)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from workspaces import REPO_ROOT

from disclosure.published import audit, detect
from disclosure.published.importer import import_problems, read_report


def without_item(seed_text: str, item: int) -> str:
    lines = seed_text.split("\n")
    kept = [line for line in lines if not line.startswith(f"\t{item}\t")]
    assert len(kept) == len(lines) - 1
    return "\n".join(kept)


def test_a_folder_with_a_report_missing_item_50_reports_k02_and_writes_both(
    cli, tmp_path, seed, seed_text
):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_seed.md").write_text(seed_text, encoding="utf-8")
    (folder / "b_no50.md").write_text(without_item(seed_text, 50), encoding="utf-8")
    out = tmp_path / "out"
    code, text = cli("--root", REPO_ROOT, "audit", folder, "--out", out)
    assert code == 1
    seed_rows = pd.read_csv(out / "a_seed.md.findings.csv").set_index("id")
    partial = pd.read_csv(out / "b_no50.md.findings.csv").set_index("id")
    assert seed_rows.loc["K02", "outcome"] == "passed"
    assert partial.loc["K02", "outcome"] == "failed"
    assert partial.loc["K02", "detail"] == "缺少第 50 项"
    # the rest of the catalogue still runs on what the report prints
    assert partial.loc["K01", "outcome"] == "failed"
    summary = pd.read_csv(out / "audit_summary.csv").set_index("文件")
    assert summary.loc["b_no50.md", "K02"] == "未通过"
    assert summary.loc["a_seed.md", "K02"] == "通过"
    # the seed's item 50 earns 0 of 2 points: 49 of 102; without it, 49 of 100
    assert summary.loc["a_seed.md", "清单得分"] == 48.0
    assert summary.loc["b_no50.md", "清单得分"] == 49.0
    assert "b_no50.md:重庆机电职业技术大学 2023-2024" in text


def test_import_still_refuses_a_checklist_missing_an_item(tmp_path, seed_text):
    path = tmp_path / "r.md"
    path.write_text(without_item(seed_text, 50), encoding="utf-8")
    reading = read_report(REPO_ROOT, path)
    refused = [str(p) for p in import_problems(reading, REPO_ROOT)]
    assert len(refused) == 1 and "缺少第 50 项" in refused[0]
    assert import_problems(reading, REPO_ROOT, missing_items_ok=True) == []


def test_the_rubric_leaves_out_an_item_the_report_does_not_print():
    rubric = detect.load_audit_form(REPO_ROOT)["rubric"]
    printed = {"count": 1, "n_web_links": 1, "on_platform": "是", "line": 3}
    rows = [
        {"item": 1, **printed},
        {"item": 2, **printed, "count": 0},
        {"item": 3, "count": 0, "n_web_links": float("nan"), "on_platform": None, "line": None},
    ]
    assert audit.score(pd.DataFrame(rows), rubric) == (50.0, 2, 4)
    # the same item printed with nothing in it counts against the report
    rows[2] = {"item": 3, **printed, "count": 0, "n_web_links": 0}
    assert audit.score(pd.DataFrame(rows), rubric) == (33.3, 2, 6)


def test_a_missing_item_line_column_is_scored_as_printed():
    """A checklist without `line` (a workspace's own checklist) is scored row by row."""
    rubric = {"levels": [{"when": "count > 0", "points": 1}]}
    rows = pd.DataFrame([{"item": 1, "count": 1}, {"item": 2, "count": 0}])
    assert audit.score(rows, rubric) == (50.0, 1, 2)


def test_the_partial_report_keeps_its_document_rules(tmp_path, seed_text):
    path = Path(tmp_path / "r.md")
    path.write_text(without_item(seed_text, 48), encoding="utf-8")
    report = audit.audit_report(REPO_ROOT, path)
    f = report.findings.set_index("id")
    assert f.loc["K02", "detail"] == "缺少第 48 项"
    assert f.loc["T02", "outcome"] == "passed"
    assert report.score is not None
