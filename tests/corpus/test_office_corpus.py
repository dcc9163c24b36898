"""Reports made the way offices make them (tests/fixtures/office/, written by
build_office_corpus.py): every file imports with exit 0 to exactly its truth (printed lines, units,
checklist) and its audit fails exactly its expected rules: the seed's faults in the faithful
copies, none in the corrected copies and generated years, one injected contradiction in each
variant. A pasted report that cannot be read whole is refused with exit 2 and says what it found
and where; audit messages name the report, never the temporary workspace."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from office_corpus import FILES, OFFICE, expected_facts, measure

FACTS = expected_facts()


def test_the_corpus_has_every_kind_of_file_and_at_least_60():
    assert len(FACTS) >= 60
    assert {f["format"] for f in FACTS} == {"docx", "pdf", "html", "txt"}
    kinds = {f["report"].split("-")[0] for f in FACTS}
    assert kinds == {"seed", "generated"}
    assert all((FILES / f["file"]).is_file() for f in FACTS)
    assert (FILES / "seed-faithful.html").read_bytes().decode("gbk")  # saved as GBK, not UTF-8


@pytest.mark.parametrize("fact", FACTS, ids=[f["file"] for f in FACTS])
def test_each_office_file_imports_to_its_truth_and_audits_to_its_facts(fact, tmp_path):
    m = measure(fact, tmp_path)
    assert m.import_code == 0, m.output
    assert (m.rows_equal, m.units_equal, m.checklist_equal) == (True, True, True), m.differences
    assert m.failed == m.expected


def test_notes_say_what_was_read_differently_from_the_print(tmp_path):
    fact = next(f for f in FACTS if f["file"] == "seed-faithful.docx")
    out = measure(fact, tmp_path).output
    assert "公开数量一格印有两行“3”“4”,按两数之和 7 读入,另一读法为 3" in out
    assert "统计表第 13 行数量印为“198条”,去掉单位“条”读作 198" in out


def pasted(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def test_a_paste_missing_checklist_rows_is_refused_saying_what_it_found(cli, workspace, tmp_path):
    lines = pasted("seed-corrected.txt").splitlines()
    start = lines.index("附件 2")
    cut = next(i for i in range(start, len(lines)) if "31" in lines[i].split("\t")[:2])
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    root = workspace()
    before = set(root.rglob("*"))
    code, out = cli("--root", root, "import", path)
    assert code == 2
    assert "cut.txt" in out and "附件2清单读出 30 项" in out
    assert "缺少第 31、32、33" in out and "等 20 个" in out and "不予导入" in out
    assert set(root.rglob("*")) == before


def test_a_paste_with_a_row_twice_is_refused_naming_both_lines(cli, workspace, tmp_path):
    lines = pasted("seed-corrected.txt").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("20\t"))
    path = tmp_path / "twice.txt"
    path.write_text("\n".join(lines[: at + 1] + lines[at:]) + "\n", encoding="utf-8")
    code, out = cli("--root", workspace(), "import", path)
    assert code == 2
    assert "附件1统计表读出 56 行" in out and "有 55 行" in out
    assert re.search(r"一行印了 2 次\(第 \d+ 行、第 \d+ 行\)", out)


def test_a_paste_whose_tabs_became_spaces_is_refused(cli, workspace, tmp_path):
    text = pasted("seed-corrected.txt")
    head, _, tail = text.partition("附件 2")
    path = tmp_path / "spaces.txt"
    path.write_text(head + "附件 2" + tail.replace("\t", "  "), encoding="utf-8")
    code, out = cli("--root", workspace(), "import", path)
    assert code == 2 and "未找到附件2清单对照检查表" in out


def test_a_whole_paste_imports(cli, workspace):
    code, out = cli("--root", workspace(), "import", FILES / "seed-corrected.txt")
    assert code == 0 and "统计表 55 行,清单 50 项" in out


def test_audit_messages_name_the_report_page_not_the_temporary_workspace(cli, workspace, tmp_path):
    code, out = cli("--root", workspace(), "audit", FILES / "seed-faithful.pdf", "--out", tmp_path)
    assert code == 1
    assert re.search(r"第 10 项含非网址内容:QQ：2852377027\(seed-faithful\.pdf 第 \d+ 页\)", out)
    assert "data/raw" not in out and "checklist.csv" not in out and "(第 11 行)" not in out


def test_audit_of_a_paste_missing_checklist_rows_reports_them_as_k02(cli, workspace, tmp_path):
    """`import` refuses a checklist read in part; `audit` checks what is printed and its K02 names
    the missing items (issue 25)."""
    lines = pasted("seed-corrected.txt").splitlines()
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:-20]) + "\n", encoding="utf-8")
    code, out = cli("--root", workspace(), "audit", path, "--out", tmp_path / "out")
    assert code == 1
    findings = pd.read_csv(tmp_path / "out" / "cut.txt.findings.csv").set_index("id")
    assert findings.loc["K02", "outcome"] == "failed"
    assert findings.loc["K02", "detail"].startswith("缺少第 ")
    assert "data/raw" not in findings.to_csv() and "data/raw" not in out


def test_audit_of_a_refused_paste_skips_the_catalogue_saying_why(cli, workspace, tmp_path):
    lines = pasted("seed-corrected.txt").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("20\t"))
    path = tmp_path / "twice.txt"
    path.write_text("\n".join(lines[: at + 1] + lines[at:]) + "\n", encoding="utf-8")
    code, out = cli("--root", workspace(), "audit", path, "--out", tmp_path / "out")
    findings = (tmp_path / "out" / "twice.txt.findings.csv").read_text(encoding="utf-8")
    assert "附件1统计表读出 56 行" in findings and "不予导入" in findings
    assert "data/raw" not in findings and "data/raw" not in out


def test_the_corpus_builder_writes_the_committed_files(tmp_path):
    """The committed files are what the builder writes (the PDFs need LibreOffice: kept, not
    rebuilt here)."""
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[2] / "src"
    subprocess.run(
        [
            sys.executable,
            str(OFFICE / "build_office_corpus.py"),
            "--no-pdf",
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    for name in ("files", "truth"):
        built = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
        kept = {p.name: p.read_bytes() for p in (OFFICE / name).iterdir() if p.suffix != ".pdf"}
        assert built == kept
    assert (tmp_path / "expected.csv").read_bytes() == (OFFICE / "expected.csv").read_bytes()
