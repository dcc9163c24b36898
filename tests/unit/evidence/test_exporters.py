"""The project's nbconvert exporters, used directly and through `jupyter nbconvert --to ...`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from disclosure.evidence.exporters import AuditHTMLExporter, ReportHTMLExporter, ReportPDFExporter


def _notebook() -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("x = 1", metadata={})
    code.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    report = nbformat.v4.new_code_cell("show.html(...)", metadata={"tags": ["report"]})
    report.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<h1>关于报送测试学年度信息公开工作的报告</h1>", "text/plain": "x"}
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[code, report])
    nb.metadata["disclosure"] = {"summary": {"rules": 3, "errors": 1, "warnings": 0}, "title": "测试报告"}
    return nb


def test_report_html_shows_only_report_cells_without_code_or_scripts() -> None:
    html, _ = ReportHTMLExporter().from_notebook_node(_notebook())
    assert "关于报送测试学年度信息公开工作的报告" in html
    assert "x = 1" not in html and "show.html" not in html
    assert "<script" not in html
    assert "<title>测试报告</title>" in html


def test_audit_html_shows_code_and_the_failed_banner_without_cdn_scripts() -> None:
    html, _ = AuditHTMLExporter().from_notebook_node(_notebook())
    assert "x" in html and "未通过校验" in html
    assert "<script src=" not in html and "cdnjs" not in html and "mathjax" not in html.lower()


def test_pdf_exporter_gives_a_pdf_and_the_same_bytes_through_jupyter_nbconvert(tmp_path: Path) -> None:
    nb = _notebook()
    direct, _ = ReportPDFExporter().from_notebook_node(nb)
    assert direct.startswith(b"%PDF-")
    path = tmp_path / "book.ipynb"
    nbformat.write(nb, path)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "disclosure_pdf", str(path)], check=True, capture_output=True
    )
    assert (tmp_path / "book.pdf").read_bytes() == direct
