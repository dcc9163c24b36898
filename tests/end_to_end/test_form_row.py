"""Adding a row to the form touches one file: a 56th row in a copy of forms/statistics.yaml appears
in the rebuilt table, once in the evidence notebook (in the form's last block) and in
statistics.csv. In the same workspace the checklist has 49 items (item 50 dropped from the
reference list and the year's data): every count shown comes from the form, none from code."""

from __future__ import annotations

import csv
import json
import re

import pytest
from workspaces import build_workspace, run_cli_subprocess

ROW_56 = (
    '  - {row: 56, label: "本校本学年度通过新媒体矩阵主动公开信息(测试行)", unit: "条", '
    "kind: count, from: publications, where: \"channel == '官方微博微信'\"}\n"
)


def drop_item_50(path):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [r for r in rows if r["item"] != "50"]
    assert len(kept) == len(rows) - 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)


@pytest.fixture(scope="module")
def run_with_56_rows(tmp_path_factory):
    root = build_workspace(tmp_path_factory.mktemp("row56"), repo_years=True)
    form = root / "forms" / "statistics.yaml"
    text = form.read_text(encoding="utf-8")
    last = re.search(r"^  - \{row: 55, .*\n", text, flags=re.M)
    assert last is not None
    form.write_text(text[: last.end()] + ROW_56 + text[last.end() :], encoding="utf-8")
    for path in (
        root / "data/reference/checklist_items.csv",
        root / "data/raw/2023-2024/checklist.csv",
    ):
        drop_item_50(path)
    done = run_cli_subprocess("--root", root, "run", "2023-2024")
    assert done.returncode in (0, 1), (
        done.stdout + done.stderr
    )  # 1: the bundled year's known errors
    return root / "outputs" / "2023-2024"


def test_the_new_row_is_in_statistics_csv_with_its_value(run_with_56_rows):
    rows = list(csv.DictReader((run_with_56_rows / "statistics.csv").open(encoding="utf-8-sig")))
    assert [int(r["row"]) for r in rows] == list(range(1, 57))
    assert rows[55]["value"] == rows[14]["value"]  # the same channel as row 15
    assert rows[55]["label"].endswith("(测试行)")


def test_every_form_row_is_shown_exactly_once_in_the_evidence(run_with_56_rows):
    nb = json.loads((run_with_56_rows / "workbook.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "show.sections(" in "".join(c["source"]))
    html = "".join(
        "".join(o["data"]["text/html"]) for o in cell["outputs"] if "text/html" in o.get("data", {})
    )
    shown = [int(n) for n in re.findall(r"<tr[^>]*>\s*<th>(\d+)</th>", html)]
    assert sorted(shown) == list(range(1, 57))  # each row once, none missing, none twice
    headings = "".join("".join(o["data"].get("text/markdown", "")) for o in cell["outputs"])
    assert "(第 47-56 行)" in headings  # the last block grew to take the new row


def test_the_report_annex_lists_the_new_row(run_with_56_rows):
    report = (run_with_56_rows / "report.html").read_text(encoding="utf-8")
    assert '<td class="no">56</td>' in report and "(测试行)" in report


def test_the_checklist_has_the_forms_49_items_everywhere(run_with_56_rows):
    items = list(csv.DictReader((run_with_56_rows / "checklist.csv").open(encoding="utf-8-sig")))
    assert [int(r["item"]) for r in items] == list(range(1, 50))
    report = (run_with_56_rows / "report.html").read_text(encoding="utf-8")
    assert "事项清单(49 条)对照检查表" in report and "(50 条)对照检查表" not in report
    manifest = json.loads((run_with_56_rows / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["form_edition"]["rows"] == 56 and manifest["form_edition"]["items"] == 49


def test_the_published_tables_length_is_checked_against_the_forms_56_rows(run_with_56_rows):
    findings = json.loads((run_with_56_rows / "findings.json").read_text(encoding="utf-8"))
    s05 = next(f for f in findings if f["id"] == "S05")
    assert s05["passed"] is False and s05["filled"].startswith("55 == 56")


@pytest.fixture(scope="module")
def imported_56_49(run_with_56_rows, tmp_path_factory):
    """The 56-row, 49-item report, as `run` laid it out in Word, imported into a new workspace with
    the same forms."""
    import shutil

    source = run_with_56_rows.parents[1]
    root = tmp_path_factory.mktemp("import56") / "ws"
    for part in ("forms", "notebooks", "data/reference"):
        shutil.copytree(source / part, root / part)
    (root / "params").mkdir()
    done = run_cli_subprocess(
        "--root", root, "import", run_with_56_rows / "report.docx", "--year", "2023-2024"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def test_import_reads_the_forms_56_rows_and_49_items(imported_56_49):
    folder = imported_56_49 / "data/raw/2023-2024"
    with (folder / "reported_statistics.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 56 and rows[55]["label"].endswith("(测试行)")
    with (folder / "checklist.csv").open(encoding="utf-8-sig") as handle:
        assert [int(r["item"]) for r in csv.DictReader(handle)] == list(range(1, 50))


def test_audit_checks_the_56_row_report_against_its_own_form(run_with_56_rows, imported_56_49):
    out = imported_56_49 / "audit"
    done = run_cli_subprocess(
        "--root", imported_56_49, "audit", run_with_56_rows / "report.docx", "--out", out
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    findings = next(out.glob("*.findings.csv")).read_text(encoding="utf-8-sig")
    assert "S05" in findings
    s05 = next(line for line in findings.splitlines() if line.startswith("S05"))
    assert "56 == 56" in s05 or "通过" in s05
