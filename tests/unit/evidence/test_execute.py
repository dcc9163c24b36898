"""The runner (disclosure.evidence.execute) without a kernel: the notebook normalised for
reproducible evidence, the atomic swap of the output folder, the font check, and execute_year with
the kernel start and papermill's execution replaced (an executed-like notebook)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import nbformat
import pytest
from matplotlib import font_manager
from workspaces import build_workspace, results_bundle

from disclosure import pipeline
from disclosure.errors import InputError, RunFailed
from disclosure.evidence import execute
from disclosure.evidence.execute import INJECTED_CELL_ID, RunResult, _font_or_stop, _swap, normalise
from disclosure.evidence.verify import verify_outputs
from disclosure.present.bundle import FIGURE_KEY

YEAR = "2023-2024"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def papermill_notebook() -> nbformat.NotebookNode:
    """What papermill leaves: its metadata on the notebook and cells, random cell ids."""
    params = nbformat.v4.new_code_cell("year = '2023-2024'", metadata={"tags": ["parameters"]})
    tags = {"tags": ["injected-parameters"]}
    injected = nbformat.v4.new_code_cell("year = '2030-2031'", metadata=tags)
    text = nbformat.v4.new_markdown_cell("## 1. 参数")
    code = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["report"], "collapsed": False})
    nb = nbformat.v4.new_notebook(cells=[params, injected, text, code])
    nb.metadata["papermill"] = {"start_time": "2024-11-20T10:00:00", "duration": 12.3}
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in nb.cells:
        cell.metadata["papermill"] = {"status": "completed", "duration": 0.01}
        cell.metadata["execution"] = {"iopub.status.busy": "2024-11-20T10:00:01"}
    return nb


# --- normalise -------------------------------------------------------------------------------


def test_normalise_drops_papermill_and_execution_metadata_and_keeps_the_rest() -> None:
    nb = normalise(papermill_notebook())
    assert "papermill" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert nb.cells[3].metadata == {"tags": ["report"], "collapsed": False}


def test_normalise_numbers_cell_ids_and_names_the_injected_cell() -> None:
    nb = normalise(papermill_notebook())
    assert [cell["id"] for cell in nb.cells] == [
        "cell-000",
        INJECTED_CELL_ID,
        "cell-002",
        "cell-003",
    ]
    assert INJECTED_CELL_ID == "injected-parameters"
    nbformat.validate(nb)


def test_normalise_gives_identical_notebooks_from_two_runs_with_random_ids() -> None:
    first, second = papermill_notebook(), papermill_notebook()
    second.metadata["papermill"]["duration"] = 99.9
    assert [c["id"] for c in first.cells] != [c["id"] for c in second.cells]
    assert nbformat.writes(normalise(first)) == nbformat.writes(normalise(second))


# --- _swap -----------------------------------------------------------------------------------


def test_swap_replaces_the_old_folder_and_leaves_nothing_behind(tmp_path: Path) -> None:
    final = tmp_path / YEAR
    (final / "figures").mkdir(parents=True)
    (final / "old.csv").write_text("old", encoding="utf-8")
    (final / "figures" / "old.png").write_bytes(b"old")
    staging = tmp_path / ".staging-2023-2024-abc"
    staging.mkdir()
    (staging / "new.csv").write_text("new", encoding="utf-8")
    _swap(staging, final)
    assert sorted(p.name for p in tmp_path.iterdir()) == [YEAR]
    assert sorted(p.name for p in final.rglob("*")) == ["new.csv"]
    assert (final / "new.csv").read_text(encoding="utf-8") == "new"


def test_swap_into_a_new_folder_moves_the_staging_folder(tmp_path: Path) -> None:
    staging = tmp_path / ".staging"
    staging.mkdir()
    (staging / "a.csv").write_bytes(b"a")
    _swap(staging, tmp_path / YEAR)
    assert not staging.exists()
    assert (tmp_path / YEAR / "a.csv").read_bytes() == b"a"


# --- the font --------------------------------------------------------------------------------


def test_font_or_stop_passes_when_the_cjk_font_is_installed() -> None:
    assert _font_or_stop() is None


def test_font_or_stop_turns_a_missing_font_into_an_input_error(monkeypatch) -> None:
    def not_found(*args, **kwargs):
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager, "findfont", not_found)
    with pytest.raises(InputError) as caught:
        _font_or_stop()
    (problem,) = caught.value.problems
    assert problem.file == "字体"
    assert "Noto Sans CJK SC" in problem.message and "fonts-noto-cjk" in problem.message


def test_evidence_engine_is_registered_once_under_its_name() -> None:
    from papermill.engines import papermill_engines

    assert execute._evidence_engine() == "disclosure"
    engine = papermill_engines.get_engine("disclosure")
    assert execute._evidence_engine() == "disclosure"
    assert papermill_engines.get_engine("disclosure") is engine


# --- execute_year with papermill replaced ----------------------------------------------------


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("ws"), repo_years=True)


@pytest.fixture(scope="module")
def executed_nb(root: Path) -> nbformat.NotebookNode:
    """The notebook a successful kernel run would give: the results output and one figure."""
    year = pipeline.check_year(root, YEAR)
    results = results_bundle(year)
    cell = nbformat.v4.new_code_cell("bundle.export(...)", metadata={"tags": ["results"]})
    cell.outputs = [nbformat.v4.new_output("display_data", data=results)]
    figure = nbformat.v4.new_code_cell("show.figures(...)")
    figure.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": base64.b64encode(PNG).decode("ascii")},
            metadata={FIGURE_KEY: "publications_by_channel"},
        )
    ]
    report = nbformat.v4.new_code_cell("show.html(...)", metadata={"tags": ["report"]})
    html = {"text/html": "<h1>年度报告</h1>"}
    report.outputs = [nbformat.v4.new_output("display_data", data=html)]
    return nbformat.v4.new_notebook(cells=[cell, figure, report])


class Calls(list):
    """The calls of the replaced _execute; `outcome["error"]` is what it reports as the error;
    `started` the kernels the replaced _start_kernel started."""

    outcome: dict
    started: list


class FakeKernel:
    """Stands for the kernel manager started during validation: records its life."""

    def __init__(self, root: Path) -> None:
        self.root, self.stops, self.executed = root, 0, False

    def stop(self, wait: bool = True) -> None:
        """`stops`: 1 once a stop was asked for, 2 once one waited for the shutdown."""
        self.stops = max(self.stops, 2 if wait else 1)


@pytest.fixture
def kernel(monkeypatch, executed_nb) -> Calls:
    """Replace papermill: _execute returns the executed-like notebook and the error a test sets."""
    calls = Calls()
    calls.outcome = {"error": None}
    calls.started = []

    def start(root: Path) -> FakeKernel:
        calls.started.append(FakeKernel(root))
        return calls.started[-1]

    def fake(root: Path, year: str, strict: bool, kernel=None):
        assert kernel is calls.started[-1] and kernel.stops == 0  # runs in the early kernel
        kernel.executed = True
        calls.append((root, year, strict))
        nb = nbformat.reads(nbformat.writes(executed_nb), as_version=4)
        return normalise(nb), calls.outcome["error"]

    monkeypatch.setattr(execute, "_start_kernel", start)
    monkeypatch.setattr(execute, "_execute", fake)
    return calls


def test_execute_year_writes_every_output_and_a_manifest_that_verifies(root, kernel, tmp_path):
    dest = tmp_path / "out" / YEAR
    result = execute.execute_year(root, YEAR, True, dest, validate=pipeline.load)
    assert kernel == [(root, YEAR, True)]
    assert isinstance(result, RunResult)
    assert (result.year, result.out_dir) == (YEAR, dest)
    assert result.summary == {"rules": 69, "errors": 11, "warnings": 7}
    assert result.findings["id"].tolist()[:3] == ["C01", "F03", "F03p"]
    assert set(result.stages) == {"validate", "execute", "render"}
    (started,) = kernel.started
    assert (started.root, started.executed, started.stops) == (root, True, 2)
    names = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert "manifest.json" in names and "report.pdf" in names
    assert "figures/publications_by_channel.png" in names
    assert verify_outputs(dest) == []
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"] == result.summary
    assert manifest["parameters"]["academic_year"] == YEAR
    assert manifest["corrections"] == []
    assert [p.name for p in dest.parent.iterdir()] == [YEAR]  # no staging folder left


def test_execute_year_records_the_summary_and_title_in_the_notebook(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    nb = nbformat.read(dest / "workbook.ipynb", as_version=4)
    assert nb.metadata["disclosure"] == {
        "summary": {"rules": 69, "errors": 11, "warnings": 7},
        "title": "重庆机电职业技术大学2023-2024学年信息公开工作年度报告",
    }


def test_execute_year_replaces_old_outputs_and_a_stale_staging_folder(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    dest.mkdir()
    (dest / "stale.csv").write_text("old", encoding="utf-8")
    stale = tmp_path / ".staging-2023-2024-killed"
    stale.mkdir()
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    assert not (dest / "stale.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [YEAR]


def test_execute_year_keeps_the_failed_notebook_and_the_previous_outputs(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    dest.mkdir()
    (dest / "report.pdf").write_bytes(b"%PDF-old")
    kernel.outcome["error"] = "第 7 个执行单元格出错:ValueError: boom"
    with pytest.raises(RunFailed, match="ValueError: boom") as caught:
        execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    assert [(k.executed, k.stops) for k in kernel.started] == [(True, 2)]
    assert caught.value.failed_dir == dest / "failed"
    assert (dest / "report.pdf").read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in (dest / "failed").iterdir()) == [
        "manifest.json",
        "workbook.ipynb",
    ]
    failed = json.loads((dest / "failed" / "manifest.json").read_text(encoding="utf-8"))
    assert failed["error"] == "第 7 个执行单元格出错:ValueError: boom"
    assert sorted(p.name for p in tmp_path.iterdir()) == [YEAR]  # no staging folder left


def test_execute_year_with_bad_input_starts_nothing_and_writes_nothing(root, kernel, tmp_path):
    def refuse(root: Path, year: str):
        raise InputError.one("params/2023-2024.yaml", "坏参数")

    with pytest.raises(InputError, match="坏参数"):
        execute.execute_year(root, YEAR, False, tmp_path / YEAR, validate=refuse)
    assert kernel == []
    (started,) = kernel.started  # started while validating, stopped without running a cell
    assert (started.executed, started.stops) == (False, 2)
    assert list(tmp_path.iterdir()) == []


def test_execute_year_without_the_cjk_font_stops_before_the_kernel(
    root,
    kernel,
    tmp_path,
    monkeypatch,
):
    def not_found(*args, **kwargs):
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager, "findfont", not_found)
    with pytest.raises(InputError, match="fonts-noto-cjk"):
        execute.execute_year(root, YEAR, False, tmp_path / YEAR, validate=pipeline.load)
    assert kernel == []
    assert [(k.executed, k.stops) for k in kernel.started] == [(False, 2)]
    assert list(tmp_path.iterdir()) == []
