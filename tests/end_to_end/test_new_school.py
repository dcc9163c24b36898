"""End to end: a new school's first year, as the office walks it through the CLI.

`disclosure new` -> `init` (xlsx) -> fill a small year (the synthetic fixture's rows typed into the
workbook, the profile, the narrative's placeholders) -> `check` names what is left -> `run` -> the
published copy cites the regulation in force and the year's own notice, with no placeholder left.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from disclosure.inputs.forms import load_table_defs

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "synthetic_2030-2031" / "raw"
YEAR = "2030-2031"
NOTICE = "《重庆市教育委员会办公室关于编报2031年高校信息公开工作年度报告的通知》"
NUMBER = "渝教办发〔2031〕8号"


def fill_workbook(path: Path, root: Path) -> None:
    """Type each table's rows into its sheet, under the Chinese header `init` wrote."""
    defs = load_table_defs(root)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        key = {c.title: c.name for c in defs[sheet.title].columns}
        header = [key[c.value] for c in sheet[1]]  # every header is a Chinese title
        with (FIXTURE / f"{sheet.title}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append([row.get(column) or None for column in header])
    book.save(path)


def test_a_new_school_goes_from_an_empty_folder_to_a_report(tmp_path, cli_subprocess):
    school = tmp_path / "新学校"
    made = cli_subprocess("new", school)
    assert made.returncode == 0, made.stdout + made.stderr
    assert {p.name for p in school.iterdir()} == {"forms", "notebooks", "data", "params"}
    assert list((school / "params").iterdir()) == []

    init = cli_subprocess("--root", school, "init", YEAR, "--format", "xlsx")
    assert init.returncode == 0, init.stdout + init.stderr
    folder = school / "data" / "raw" / YEAR
    assert {p.name for p in folder.iterdir()} == {"profile.yaml", "narrative.yaml", "tables.xlsx"}

    fill_workbook(folder / "tables.xlsx", school)
    shutil.copy(FIXTURE / "profile.yaml", folder / "profile.yaml")
    check = cli_subprocess("--root", school, "check", YEAR)
    assert check.returncode == 1, check.stdout + check.stderr
    left = [line for line in check.stdout.splitlines() if "N08" in line]
    assert len(left) == 1 and "尚待填写:该通知的文号" in left[0], check.stdout

    narrative = (folder / "narrative.yaml").read_text(encoding="utf-8")
    narrative = narrative.replace("《【待填:本年度编报年度报告的通知名称】》", NOTICE)
    narrative = narrative.replace("【待填:该通知的文号】", NUMBER)
    narrative = re.sub(r"【待填:[^】]*】", "学校按要求做好此项工作。", narrative)  # the prose
    (folder / "narrative.yaml").write_text(narrative, encoding="utf-8")
    check = cli_subprocess("--root", school, "check", YEAR)
    assert "N08" not in check.stdout and "N07" not in check.stdout, check.stdout

    run = cli_subprocess("--root", school, "run", YEAR)
    assert run.returncode == 0, run.stdout + run.stderr
    out = school / "outputs" / YEAR
    docx = "\n".join(p.text for p in Document(str(out / "report.docx")).paragraphs)
    pdf = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for text in (docx, "".join(pdf.split())):
        assert "国务院令第711号" in text and "492" not in text
        assert NUMBER in text and "2031年高校信息公开工作年度报告的通知" in text
        assert "待填" not in text
    # numbers from the data: the synthetic year received 36 applications, concluded 33
    assert "收到信息公开申请 36 件,已办结 33 件" in docx
