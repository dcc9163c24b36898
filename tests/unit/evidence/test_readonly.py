"""Evidence that opens and is not edited in place: execute_year (papermill replaced, no kernel)
writes every file under outputs/<year>/ read-only (0o444) while folders stay writable, so reruns
still replace them; `normalise` drops the source's jupytext pairing; workspace.write_bytes keeps
inputs (such as `init`'s templates) writable by default.

The tests run as root, which may write to 0o444 files anyway: what makes reruns work for any user
is that files are only ever replaced by renames and removed from writable folders, never rewritten.
"""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import jupytext
import nbformat
import pytest
from workspaces import build_workspace, results_bundle, tiny_png

from disclosure import pipeline
from disclosure.errors import RunFailed
from disclosure.evidence import execute
from disclosure.evidence.execute import OUTPUT_MODE, normalise
from disclosure.evidence.verify import verify_outputs
from disclosure.present.bundle import FIGURE_KEY
from disclosure.workspace import WORKBOOK, write_bytes, write_text

YEAR = "2023-2024"
PNG = tiny_png()  # a real image: the PDF copies embed the figures
PAIRING = {
    "formats": "py:percent",
    "text_representation": {"extension": ".py", "format_name": "percent"},
}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- workspace.write_bytes / write_text: the mode --------------------------------------------


def test_write_bytes_makes_shared_writable_files_by_default(tmp_path: Path) -> None:
    write_bytes(tmp_path / "a.csv", b"a")
    write_text(tmp_path / "b.csv", "b")
    assert mode_of(tmp_path / "a.csv") == mode_of(tmp_path / "b.csv") == 0o644


def test_write_bytes_and_write_text_take_a_mode(tmp_path: Path) -> None:
    write_bytes(tmp_path / "sub" / "a.pdf", b"%PDF", mode=0o444)
    write_text(tmp_path / "b.json", "{}\n", mode=0o444)
    assert mode_of(tmp_path / "sub" / "a.pdf") == mode_of(tmp_path / "b.json") == 0o444
    assert mode_of(tmp_path / "sub") & stat.S_IWUSR  # the folder it made stays writable


def test_write_bytes_replaces_a_read_only_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    write_bytes(target, b"old", mode=0o444)
    write_bytes(target, b"new", mode=0o444)
    assert target.read_bytes() == b"new" and mode_of(target) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary file left


# --- normalise: no jupytext pairing in the evidence ------------------------------------------


def test_normalise_drops_the_jupytext_pairing_and_keeps_the_rest() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["jupytext"] = dict(PAIRING)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["disclosure"] = {"title": "报告"}
    nb = normalise(nb)
    assert "jupytext" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["disclosure"] == {"title": "报告"}
    nbformat.validate(nb)


def test_normalise_of_the_real_workbook_source_leaves_no_jupytext_metadata(tmp_path: Path) -> None:
    root = build_workspace(tmp_path / "ws")
    source = jupytext.read(root / WORKBOOK, fmt="py:percent")
    assert source.metadata["jupytext"]["formats"] == "py:percent"  # what the source carries
    text = nbformat.writes(normalise(source))
    assert "jupytext" not in json.loads(text)["metadata"]
    assert text == nbformat.writes(normalise(jupytext.read(root / WORKBOOK, fmt="py:percent")))


# --- execute_year: read-only outputs, reruns replace them ------------------------------------


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("ws"), repo_years=True)


@pytest.fixture(scope="module")
def executed_nb(root: Path) -> nbformat.NotebookNode:
    """An executed-like notebook with the metadata jupytext gives the source: results, a figure."""
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
    nb = nbformat.v4.new_notebook(cells=[cell, figure])
    nb.metadata["jupytext"] = dict(PAIRING)
    return nb


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch, executed_nb: nbformat.NotebookNode) -> dict:
    """Replace papermill: _execute normalises a copy of the executed-like notebook, as the real
    one does; `outcome["error"]` is the error it reports."""
    outcome: dict = {"error": None}

    def fake(root: Path, year: str, strict: bool, kernel=None):
        nb = nbformat.reads(nbformat.writes(executed_nb), as_version=4)
        if outcome.get("extra"):  # a run whose notebook differs from the last one
            nb.cells.append(nbformat.v4.new_markdown_cell(outcome["extra"]))
        return normalise(nb), outcome["error"]

    monkeypatch.setattr(execute, "_start_kernel", lambda root: None)  # no kernel to start
    monkeypatch.setattr(execute, "_execute", fake)
    return outcome


def test_every_output_file_is_read_only_and_its_folders_stay_writable(root, kernel, tmp_path):
    dest = tmp_path / "outputs" / YEAR
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    files = files_under(dest)
    names = [p.relative_to(dest).as_posix() for p in files]
    assert "manifest.json" in names and "workbook.ipynb" in names
    assert "figures/publications_by_channel.png" in names
    assert {p.relative_to(dest).as_posix(): mode_of(p) for p in files} == dict.fromkeys(
        names, OUTPUT_MODE
    )
    assert OUTPUT_MODE == 0o444
    assert mode_of(dest) == 0o755  # shared, as the staging folder was made
    assert mode_of(dest / "figures") & stat.S_IWUSR
    assert verify_outputs(dest) == []


def test_the_evidence_notebook_has_no_jupytext_pairing(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    result = execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    metadata = json.loads((dest / "workbook.ipynb").read_text(encoding="utf-8"))["metadata"]
    assert "jupytext" not in metadata
    assert metadata["disclosure"]["summary"] == result.summary  # the rest is kept


def test_a_rerun_that_differs_replaces_read_only_outputs_and_keeps_the_old(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    first = {p.relative_to(dest).as_posix(): p.stat().st_ino for p in files_under(dest)}
    stale = tmp_path / ".staging-2023-2024-killed"  # a killed run's staging folder, read-only files
    write_bytes(stale / "figures" / "x.png", PNG, mode=OUTPUT_MODE)
    kernel["extra"] = "另一次运行"
    result = execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    second = {p.relative_to(dest).as_posix(): p.stat().st_ino for p in files_under(dest)}
    assert set(second) == set(first)
    assert all(second[name] != first[name] for name in first)  # new files, not rewritten ones
    assert {mode_of(p) for p in files_under(dest)} == {OUTPUT_MODE}
    assert result.kept == "superseded" and result.superseded.parent == tmp_path / "superseded"
    assert {p.stat().st_ino for p in files_under(result.superseded)} >= (
        set(first.values()) - {first["timings.json"]}
    )  # the old files themselves, moved aside
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".lock-{YEAR}",
        YEAR,
        f"{YEAR}.sha256",
        "superseded",
    ]  # no .old, .staging
    assert verify_outputs(dest) == [] and verify_outputs(result.superseded) == []


def test_a_failed_run_keeps_read_only_outputs_and_writes_a_read_only_failed_folder(
    root, kernel, tmp_path
):
    dest = tmp_path / YEAR
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    before = {p: p.read_bytes() for p in files_under(dest)}
    kernel["error"] = "第 7 个执行单元格出错:ValueError: boom"
    for _ in range(2):  # the second failure replaces the first one's read-only files
        with pytest.raises(RunFailed) as caught:
            execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
        failed = caught.value.failed_dir
        assert sorted(p.name for p in failed.iterdir()) == ["manifest.json", "workbook.ipynb"]
        assert {mode_of(p) for p in failed.iterdir()} == {OUTPUT_MODE}
        assert mode_of(failed) & stat.S_IWUSR
    assert {p: p.read_bytes() for p in before} == before
    assert "jupytext" not in json.loads((failed / "workbook.ipynb").read_text("utf-8"))["metadata"]
    kernel["error"] = None
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)  # and a success after
    assert not (dest / "failed").exists()
    assert {mode_of(p) for p in files_under(dest)} == {OUTPUT_MODE}
