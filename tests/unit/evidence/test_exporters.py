"""The project's nbconvert exporters, used directly and through `jupyter nbconvert --to ...`, and
the registry of every output file of a run (OUTPUTS, render_outputs) on an executed-like
notebook."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from workspaces import REPO_ROOT, results_bundle

from disclosure import pipeline
from disclosure.evidence import exporters
from disclosure.evidence.exporters import (
    OUTPUTS,
    AuditHTMLExporter,
    Output,
    ReportHTMLExporter,
    ReportPDFExporter,
    banner_html,
    render_outputs,
)
from disclosure.evidence.outputs import RESULT_FILES, RESULT_TITLES, STATISTICS_COLUMNS
from disclosure.present import bundle
from disclosure.present.bundle import FIGURE_KEY

RESULT_NAMES = [
    "statistics.csv",
    "checklist.csv",
    "checklist_categories.csv",
    "findings.csv",
    "findings.json",
]
HEADING = "关于报送测试学年度信息公开工作的报告"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "steelblue").save(out, format="PNG")
    return out.getvalue()


PNG = _png()  # a real image: the PDF copies embed the figures


def _notebook() -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("x = 1", metadata={})
    one = {"text/plain": "1"}
    code.outputs = [nbformat.v4.new_output("execute_result", data=one, execution_count=1)]
    report = nbformat.v4.new_code_cell("show.html(...)", metadata={"tags": ["report"]})
    report.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": f"<h1>{HEADING}</h1>", "text/plain": "x"},
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[code, report])
    nb.metadata["disclosure"] = {
        "summary": {"rules": 3, "errors": 1, "warnings": 0},
        "title": "测试报告",
    }
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


def test_pdf_exporter_gives_a_pdf_and_the_same_bytes_through_jupyter_nbconvert(
    tmp_path: Path, year
) -> None:
    nb = executed(year)
    direct, _ = ReportPDFExporter().from_notebook_node(nb)
    assert direct.startswith(b"%PDF-")
    assert direct == render_outputs(nb)["report.pdf"]  # what `disclosure run` writes
    path = tmp_path / "book.ipynb"
    nbformat.write(nb, path)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "disclosure_pdf", str(path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "book.pdf").read_bytes() == direct


def test_banner_says_failed_with_counts_passed_with_warnings_or_nothing() -> None:
    failed = banner_html({"rules": 41, "errors": 9, "warnings": 6})
    assert 'class="banner failed"' in failed and "9 项错误、6 项提示" in failed
    passed = banner_html({"rules": 41, "errors": 0, "warnings": 2})
    assert 'class="banner passed"' in passed and "2 项提示" in passed
    assert banner_html(None) == "" and banner_html({}) == ""


# --- the registry of outputs ----------------------------------------------------------------


def test_output_names_are_unique() -> None:
    names = [o.name for o in OUTPUTS]
    assert len(names) == len(set(names))


def test_outputs_hold_the_notebook_results_figures_and_both_copies_of_the_report() -> None:
    names = [o.name for o in OUTPUTS]
    expected = {
        "workbook.ipynb",
        *RESULT_NAMES,
        "lineage.json",
        "figures/",
        "audit.html",
        "report.html",
        "report.pdf",
        "report.docx",
        "review.html",
        "review.pdf",
        "statistics.xlsx",
    }
    assert set(names) == expected
    assert set(RESULT_FILES) == set(RESULT_TITLES) == set(RESULT_NAMES)
    assert names.index("report.html") < names.index("report.pdf")  # the PDF lays out that HTML
    assert names.index("review.html") < names.index("review.pdf")
    assert names.index("lineage.json") == names.index("findings.json") + 1
    assert all(o.title.strip() for o in OUTPUTS)


@pytest.fixture(scope="module")
def year() -> pipeline.YearResult:
    return pipeline.check_year(REPO_ROOT, "2023-2024")


def executed(year: pipeline.YearResult) -> nbformat.NotebookNode:
    """An executed-like notebook: results output, a figure, a report-tagged HTML output."""
    results = results_bundle(year)
    nb = _notebook()
    cell = nbformat.v4.new_code_cell("bundle.export(...)", metadata={"tags": ["results"]})
    cell.outputs = [nbformat.v4.new_output("display_data", data=results)]
    figure = nbformat.v4.new_code_cell("show.figures(...)")
    figure.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": base64.b64encode(PNG).decode("ascii"), "text/plain": "图"},
            metadata={FIGURE_KEY: "publications_by_channel"},
        )
    ]
    nb.cells[1:1] = [cell, figure]
    return nb


@pytest.fixture(scope="module")
def rendered(year) -> dict[str, bytes]:
    return render_outputs(executed(year))


def test_the_publication_pdf_appends_the_figures_only_when_the_year_prints_them(year) -> None:
    nb = executed(year)
    plain = exporters._pdf(nb, {})["report.pdf"]
    nb.metadata["disclosure"]["report_figures"] = True
    with_figures = exporters._pdf(nb, {})["report.pdf"]
    assert _images(plain) == 0 and _images(with_figures) == 1
    review = exporters._review_pdf(executed(year), {})["review.pdf"]
    assert _images(review) == 1  # the review copy always has them


def _images(pdf: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return sum(len(page.images) for page in document.pages)


def test_the_review_pdf_lists_the_corrections_the_run_recorded(year) -> None:
    nb = executed(year)
    nb.metadata["disclosure"]["corrections"] = {
        "columns": ["表", "原因"],
        "rows": [["items", "更正说明甲乙丙"]],
    }
    done = subprocess.run(
        ["pdftotext", "-", "-"],
        input=exporters._review_pdf(nb, {})["review.pdf"],
        capture_output=True,
        check=True,
    )
    text = done.stdout.decode("utf-8")
    assert "对原始数据的更正" in text and "更正说明甲乙丙" in text


def test_render_outputs_gives_every_file_of_the_registry(rendered) -> None:
    for output in OUTPUTS:
        if output.name.endswith("/"):
            assert any(name.startswith(output.name) for name in rendered), output.name
        else:
            assert output.name in rendered, output.name
    assert sorted(rendered) == sorted(
        [
            "workbook.ipynb",
            *RESULT_NAMES,
            "lineage.json",
            "figures/publications_by_channel.png",
            "audit.html",
            "report.html",
            "report.pdf",
            "report.docx",
            "review.html",
            "review.pdf",
            "statistics.xlsx",
        ]
    )
    assert all(isinstance(content, bytes) and content for content in rendered.values())


def test_render_outputs_report_pdf_is_a_pdf(rendered) -> None:
    assert rendered["report.pdf"].startswith(b"%PDF-")


def test_render_outputs_figures_are_the_notebook_png_bytes(rendered) -> None:
    assert rendered["figures/publications_by_channel.png"] == PNG


def test_render_outputs_result_files_hold_the_notebook_results(rendered, year) -> None:
    statistics = list(csv.reader(io.StringIO(rendered["statistics.csv"].decode("utf-8-sig"))))
    assert statistics[0] == STATISTICS_COLUMNS
    assert len(statistics) == 56
    row11 = dict(zip(STATISTICS_COLUMNS, statistics[11], strict=True))
    assert (row11["row"], row11["value"], row11["reported"], row11["agrees"]) == (
        "11",
        "178",
        "174",
        "否",
    )
    assert json.loads(rendered["findings.json"]) == year.findings.to_dict("records")
    checklist = list(csv.DictReader(io.StringIO(rendered["checklist.csv"].decode("utf-8-sig"))))
    assert len(checklist) == 50 and checklist[6]["count_printed"] == "3 / 4"


def test_render_outputs_notebook_is_the_executed_notebook(rendered, year) -> None:
    nb = nbformat.reads(rendered["workbook.ipynb"].decode("utf-8"), as_version=4)
    assert bundle.results_of(nb) == bundle.results_of(executed(year))
    assert nb.metadata["disclosure"]["title"] == "测试报告"


def test_render_outputs_report_html_has_the_report_cell_only_and_audit_html_the_code(
    rendered,
) -> None:
    report = rendered["report.html"].decode("utf-8")
    audit = rendered["audit.html"].decode("utf-8")
    assert "关于报送测试学年度信息公开工作的报告" in report
    assert '<span class="n">export</span>' in audit  # the results cell's code, highlighted
    assert "已导出:统计表 55 行、清单 50 项、校验 71 项" in audit
    assert "已导出" not in report and "export" not in report
    assert audit.count("<img") == 1 and "<img" not in report
    assert "未通过校验" in audit


def test_an_output_added_to_the_registry_adds_its_file_and_sees_the_earlier_ones(
    monkeypatch,
    year,
    rendered,
) -> None:
    seen: list[str] = []

    def sizes(nb, done: dict[str, bytes]) -> dict[str, bytes]:
        seen.extend(done)
        return {"sizes.json": json.dumps({k: len(v) for k, v in sorted(done.items())}).encode()}

    added = Output("sizes.json", "各文件大小", sizes)
    monkeypatch.setattr(exporters, "OUTPUTS", (*OUTPUTS, added))
    files = render_outputs(executed(year))
    assert set(files) == {*rendered, "sizes.json"}
    assert sorted(seen) == sorted(set(files) - {"sizes.json"})
    assert json.loads(files["sizes.json"])["figures/publications_by_channel.png"] == len(PNG)


def test_the_registry_order_decides_what_a_later_output_may_reuse(monkeypatch) -> None:
    def reader(nb, done):
        return {"b.txt": done["a.txt"] + b"!"}

    writer = Output("a.txt", "a", lambda nb, done: {"a.txt": b"a"})
    monkeypatch.setattr(exporters, "OUTPUTS", (writer, Output("b.txt", "b", reader)))
    assert render_outputs(nbformat.v4.new_notebook())["b.txt"] == b"a!"
    monkeypatch.setattr(exporters, "OUTPUTS", (Output("b.txt", "b", reader), writer))
    with pytest.raises(KeyError, match="a.txt"):  # a.txt comes after b.txt: not to be seen
        render_outputs(nbformat.v4.new_notebook())


# --- the render loop: concurrent, with the registry order's view of earlier files -------------


def _gate_registry() -> tuple[tuple[Output, ...], dict[str, object]]:
    """first.txt renders only once second.txt has started (impossible one after another);
    third.txt reads first.txt while first.txt may still be rendering."""
    import threading

    state: dict[str, object] = {"second_started": threading.Event(), "third_saw": None}

    def first(nb, done):
        started = state["second_started"].wait(timeout=60)  # a safety net, not a timing
        return {"first.txt": b"overlapped" if started else b"one after another"}

    def second(nb, done):
        state["second_started"].set()
        return {"second.txt": b"2"}

    def third(nb, done):
        state["third_saw"] = done["first.txt"]
        return {"third.txt": done["first.txt"] + done["second.txt"]}

    registry = (
        Output("first.txt", "一", first),
        Output("second.txt", "二", second),
        Output("third.txt", "三", third),
    )
    return registry, state


def test_render_outputs_renders_the_outputs_concurrently(monkeypatch) -> None:
    registry, state = _gate_registry()
    monkeypatch.setattr(exporters, "OUTPUTS", registry)
    files = render_outputs(nbformat.v4.new_notebook(), workers=2)
    assert files["first.txt"] == b"overlapped"


def test_a_later_output_reading_an_unfinished_earlier_one_waits_for_its_file(monkeypatch) -> None:
    registry, state = _gate_registry()
    monkeypatch.setattr(exporters, "OUTPUTS", registry)
    files = render_outputs(nbformat.v4.new_notebook(), workers=3)
    assert state["third_saw"] == b"overlapped"
    assert files == {"first.txt": b"overlapped", "second.txt": b"2", "third.txt": b"overlapped2"}


def test_an_earlier_output_never_sees_a_later_one(monkeypatch) -> None:
    seen: dict[str, list[str]] = {}

    def lister(name: str):
        def render(nb, done):
            seen[name] = sorted(done)
            return {name: b"x"}

        return render

    registry = tuple(Output(n, n, lister(n)) for n in ("a.txt", "b.txt", "c.txt"))
    monkeypatch.setattr(exporters, "OUTPUTS", registry)
    render_outputs(nbformat.v4.new_notebook(), workers=3)
    assert seen == {"a.txt": [], "b.txt": ["a.txt"], "c.txt": ["a.txt", "b.txt"]}


def test_first_outputs_render_before_the_others_and_see_only_first_ones(monkeypatch) -> None:
    import threading

    order: list[str] = []
    seen: dict[str, list[str]] = {}
    lock = threading.Lock()

    def recorder(name: str):
        def render(nb, done):
            with lock:
                order.append(f"start {name}")
            seen[name] = sorted(done)
            if name in ("b.txt", "d.txt"):
                time.sleep(0.2)  # slow, so an output started without waiting would start first
            with lock:
                order.append(f"end {name}")
            return {name: name.encode()}

        return render

    registry = (
        Output("a.txt", "a", recorder("a.txt")),
        Output("b.txt", "b", recorder("b.txt"), first=True),
        Output("c.txt", "c", recorder("c.txt")),
        Output("d.txt", "d", recorder("d.txt"), first=True),
    )
    monkeypatch.setattr(exporters, "OUTPUTS", registry)
    files = render_outputs(nbformat.v4.new_notebook(), workers=4)
    assert list(files) == ["a.txt", "b.txt", "c.txt", "d.txt"]  # registry order
    firsts_done = max(order.index("end b.txt"), order.index("end d.txt"))
    assert firsts_done < min(order.index("start a.txt"), order.index("start c.txt"))
    assert seen["b.txt"] == [] and seen["d.txt"] == ["b.txt"]
    assert seen["a.txt"] == ["b.txt", "d.txt"] and seen["c.txt"] == ["a.txt", "b.txt", "d.txt"]


def test_a_file_of_a_folder_output_is_found_through_its_folder(monkeypatch) -> None:
    def folder(nb, done):
        return {"figures/a.png": b"A", "figures/b.png": b"B"}

    def reader(nb, done):
        return {"both.txt": done["figures/b.png"] + done["figures/a.png"]}

    registry = (Output("figures/", "图", folder), Output("both.txt", "合", reader))
    monkeypatch.setattr(exporters, "OUTPUTS", registry)
    assert render_outputs(nbformat.v4.new_notebook())["both.txt"] == b"BA"


def test_an_exporter_error_reaches_the_caller(monkeypatch) -> None:
    def broken(nb, done):
        raise ValueError("exporter failed")

    registry = (
        Output("ok.txt", "好", lambda nb, done: {"ok.txt": b"1"}),
        Output("x", "坏", broken),
    )
    monkeypatch.setattr(exporters, "OUTPUTS", registry)
    with pytest.raises(ValueError, match="exporter failed"):
        render_outputs(nbformat.v4.new_notebook())


def test_concurrent_and_one_by_one_rendering_give_identical_files(year) -> None:
    nb = executed(year)
    one_by_one = render_outputs(nb, workers=1)
    assert set(one_by_one) >= {o.name for o in OUTPUTS if not o.name.endswith("/")}
    assert render_outputs(nb, workers=4) == one_by_one


def test_prepare_render_starts_the_typst_compiler_and_loads_the_ipython_lexer() -> None:
    from disclosure.present import typeset

    typeset._compiler.cache_clear()
    exporters.prepare_render()
    assert typeset._compiler.cache_info().currsize == 1  # fonts scanned before the render
    assert "IPython.lib.lexers" in sys.modules
