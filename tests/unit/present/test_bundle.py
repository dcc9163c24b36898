"""The kernel-runner contract (disclosure.present.bundle): the runner reads what the kernel shows.

The bundle is built from the real 2023-2024 year, written into an nbformat notebook the way the
kernel's display would write it, and read back with the runner side.
"""

from __future__ import annotations

import base64
import copy
import io
import json

import matplotlib
import nbformat
import pandas as pd
import pytest
from workspaces import REPO_ROOT

from disclosure import pipeline
from disclosure.present import bundle
from disclosure.present.bundle import CHECKLIST_EXPORT, FIGURE_KEY, RESULTS_MIME

matplotlib.use("Agg")

YEAR = "2023-2024"


@pytest.fixture(scope="module")
def year() -> pipeline.YearResult:
    return pipeline.check_year(REPO_ROOT, YEAR)


@pytest.fixture(scope="module")
def written(year: pipeline.YearResult) -> dict:
    return bundle.results(year.statistics, year.checklist, year.categories, year.findings)


def png_bytes() -> bytes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.bar([0, 1], [3, 4])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


PNG = png_bytes()


def figure_output(name: str, data: bytes) -> nbformat.NotebookNode:
    encoded = base64.b64encode(data).decode("ascii")
    return nbformat.v4.new_output(
        "display_data",
        data={"image/png": encoded, "text/plain": "<IPython.core.display.Image object>"},
        metadata={FIGURE_KEY: name, "caption": "图"},
    )


def notebook(results: dict | None, figures: dict[str, bytes]) -> nbformat.NotebookNode:
    """An executed-like notebook: a stream, the results output, then one cell per figure."""
    first = nbformat.v4.new_code_cell("print('x')")
    first.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
    cells = [first]
    if results is not None:
        cell = nbformat.v4.new_code_cell("bundle.export(...)", metadata={"tags": ["results"]})
        cell.outputs = [nbformat.v4.new_output("display_data", data=copy.deepcopy(results))]
        cells.append(cell)
    for name, data in figures.items():
        cell = nbformat.v4.new_code_cell("show.figures(...)")
        cell.outputs = [figure_output(name, data)]
        cells.append(cell)
    cells.append(nbformat.v4.new_markdown_cell("## 结束"))
    return nbformat.v4.new_notebook(cells=cells)


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON records, the way any JSON writer would give them (NaN as null)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


# --- the kernel side ------------------------------------------------------------------------


def test_results_bundle_has_a_plain_text_summary_the_four_tables_and_the_inputs(
    written, year
) -> None:
    assert set(written) == {"text/plain", RESULTS_MIME}
    assert written["text/plain"] == "已导出:统计表 55 行、清单 50 项、校验 71 项"
    tables = {"statistics", "checklist", "categories", "findings", "inputs", "document"}
    assert set(written[RESULTS_MIME]) == tables
    assert written[RESULTS_MIME]["inputs"] == []  # none given
    assert written[RESULTS_MIME]["document"] is None  # none given


def test_results_bundle_keeps_the_inputs_it_is_given(year) -> None:
    inputs = [{"path": "data/raw/2023-2024/publications.csv", "sha256": "a" * 64}]
    written = bundle.results(
        year.statistics, year.checklist, year.categories, year.findings, inputs
    )
    assert written[RESULTS_MIME]["inputs"] == inputs
    assert written[RESULTS_MIME]["inputs"] is not inputs  # a copy, not the caller's list


def test_results_bundle_is_strict_json_without_nan(written) -> None:
    text = json.dumps(written, ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == written


def test_results_statistics_drop_kind_and_keep_the_rebuilt_and_printed_values(written) -> None:
    stats = written[RESULTS_MIME]["statistics"]
    assert [r["row"] for r in stats] == list(range(1, 56))
    assert all("kind" not in r for r in stats)
    row11 = stats[10]
    assert (row11["value"], row11["reported"], row11["agrees"]) == (178, "174", False)
    assert stats[53]["value"] == "0 元" and stats[53]["published"] == "0元"
    assert all(r["previous"] is None for r in stats)  # no 2022-2023 in the repository


def test_results_checklist_has_the_export_columns_with_category_no(written, year) -> None:
    checklist = written[RESULTS_MIME]["checklist"]
    expected = ["category_no" if c == "ref_category" else c for c in CHECKLIST_EXPORT]
    assert [list(r) for r in checklist] == [expected] * 50
    item7 = checklist[6]
    assert (item7["item"], item7["count"], item7["count_printed"]) == (7, 7, "3 / 4")
    assert [r["category_no"] for r in checklist] == year.checklist["ref_category"].tolist()


def test_results_findings_and_categories_are_the_year_tables(written, year) -> None:
    assert written[RESULTS_MIME]["findings"] == year.findings.to_dict("records")
    assert written[RESULTS_MIME]["categories"] == records(year.categories)


def test_figure_displays_the_png_tagged_with_its_file_name(monkeypatch) -> None:
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append((a, kw)))
    bundle.figure(PNG, "publications_by_channel", "主动公开信息(按渠道)")
    (args, kwargs) = shown[0]
    assert len(shown) == 1
    assert args[0].data == PNG and args[0].format == "png"
    assert kwargs["metadata"] == {
        FIGURE_KEY: "publications_by_channel",
        "caption": "主动公开信息(按渠道)",
    }


def test_export_displays_the_bundle_raw_as_its_own_mime_bundle(monkeypatch, written) -> None:
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: shown.append((a, kw)))
    bundle.export(written)
    assert shown == [((written,), {"raw": True})]


# --- the round trip -------------------------------------------------------------------------


def test_results_of_reads_back_exactly_the_records_written(written, year) -> None:
    nb = notebook(written, {"publications_by_channel": PNG})
    back = bundle.results_of(nb)
    assert back == written[RESULTS_MIME]
    assert back["statistics"] == records(year.statistics.drop(columns=["kind"]))


def test_findings_of_gives_the_findings_table_of_the_year(written, year) -> None:
    found = bundle.findings_of(notebook(written, {}))
    assert found.columns.tolist() == year.findings.columns.tolist()
    assert found.to_dict("records") == year.findings.to_dict("records")
    assert found["id"].tolist()[:3] == ["C01", "F03", "F03p"]


def test_figures_of_reads_back_the_same_bytes_under_each_name(written) -> None:
    other = PNG + b"\x00\xff trailing bytes"
    nb = notebook(written, {"publications_by_channel": PNG, "checklist_by_category": other})
    assert bundle.figures_of(nb) == {"publications_by_channel": PNG, "checklist_by_category": other}


def test_figures_of_ignores_untagged_images_and_tagged_outputs_without_png(written) -> None:
    nb = notebook(written, {"kept": PNG})
    untagged = nbformat.v4.new_code_cell("plt.show()")
    no_png = {FIGURE_KEY: "no_png"}
    untagged.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(PNG).decode()}),
        nbformat.v4.new_output("display_data", data={"text/plain": "x"}, metadata=no_png),
    ]
    nb.cells.append(untagged)
    assert bundle.figures_of(nb) == {"kept": PNG}


def test_results_of_without_a_results_output_raises_naming_the_results_cell() -> None:
    nb = notebook(None, {"publications_by_channel": PNG})
    with pytest.raises(
        RuntimeError, match=r"执行后的底稿中没有导出结果的单元格输出\(标签 results\)"
    ):
        bundle.results_of(nb)
    with pytest.raises(RuntimeError, match="没有导出结果"):
        bundle.findings_of(nb)


def test_the_bundle_survives_writing_and_reading_the_notebook_file(written, year) -> None:
    nb = notebook(written, {"publications_by_channel": PNG})
    nbformat.validate(nb)
    again = nbformat.reads(nbformat.writes(nb), as_version=4)
    assert bundle.results_of(again) == written[RESULTS_MIME]
    assert bundle.findings_of(again).to_dict("records") == year.findings.to_dict("records")
    assert bundle.figures_of(again) == {"publications_by_channel": PNG}
