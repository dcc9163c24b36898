"""The manifest of a run (disclosure.evidence.manifest): what was run, on what, with what, how long;
the record kept for a failed run; and values made JSON-safe."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from importlib.metadata import version
from pathlib import Path

import nbformat
import pytest
from workspaces import build_workspace

from disclosure.evidence.manifest import jsonable, keep_failed, manifest
from disclosure.present.charts import cjk_font_file

YEAR = "2023-2024"
STARTED = datetime(2024, 11, 20, 8, 30, 15, 123456, tzinfo=timezone.utc)
OUTCOME = {"rules": 41, "errors": 9, "warnings": 6}
INPUTS = [{"path": "data/raw/2023-2024/publications.csv", "bytes": 3, "sha256": "ab" * 32}]
FORMS = ("forms/statistics.yaml", "forms/tables.yaml", "forms/rules.yaml")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("ws"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "staging"
    (out / "figures").mkdir(parents=True)
    (out / "statistics.csv").write_bytes(b"row,value\n11,178\n")
    (out / "figures" / "b.png").write_bytes(b"\x89PNG b")
    (out / "figures" / "a.png").write_bytes(b"\x89PNG a")
    return out


@pytest.fixture
def record(root: Path, folder: Path) -> dict:
    return manifest(root, INPUTS, folder, YEAR, OUTCOME)


def test_manifest_records_every_output_file_with_its_size_and_hash(record) -> None:
    assert record["outputs"] == [
        {"path": "figures/a.png", "bytes": 6, "sha256": digest(b"\x89PNG a")},
        {"path": "figures/b.png", "bytes": 6, "sha256": digest(b"\x89PNG b")},
        {"path": "statistics.csv", "bytes": 17, "sha256": digest(b"row,value\n11,178\n")},
    ]


def test_manifest_records_the_inputs_year_and_summary_as_given(record) -> None:
    assert record["inputs"] == INPUTS
    assert record["academic_year"] == YEAR
    assert record["summary"] == OUTCOME


def test_manifest_records_the_hash_of_each_form(record, root) -> None:
    assert record["forms"] == {p: digest((root / p).read_bytes()) for p in FORMS}


def test_manifest_leaves_out_a_form_the_workspace_does_not_have(root, folder, tmp_path) -> None:
    other = build_workspace(tmp_path / "ws")
    (other / "forms" / "rules.yaml").unlink()
    record = manifest(other, [], folder, YEAR, OUTCOME)
    assert list(record["forms"]) == ["forms/statistics.yaml", "forms/tables.yaml"]


def test_manifest_records_versions_font_and_pdf_engine(record) -> None:
    import pandas
    import typst

    assert record["versions"]["pandas"] == pandas.__version__
    assert "python" in record["versions"] and "papermill" in record["versions"]
    font = cjk_font_file()
    assert record["font"]["file"] == str(font)
    assert record["font"]["sha256"] == digest(font.read_bytes())
    assert record["pdf_engine"] == f"Typst {version('typst')}"
    assert typst.__version__ in record["pdf_engine"]
    assert set(record["git"]) == {"revision", "dirty"}


def test_manifest_records_no_time_and_is_the_same_from_a_second_call(record, root, folder) -> None:
    assert not {"started", "finished", "stages_seconds"} & set(record)
    assert manifest(root, INPUTS, folder, YEAR, OUTCOME) == record  # content only


def test_manifest_is_json(record) -> None:
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record


# --- keep_failed -----------------------------------------------------------------------------


def failed_notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("1 / 0")
    error = {"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": []}
    cell.outputs = [nbformat.v4.new_output("error", **error)]
    return nbformat.v4.new_notebook(cells=[cell])


def test_keep_failed_writes_the_notebook_and_a_manifest_with_the_error(root, tmp_path) -> None:
    final = tmp_path / YEAR
    stages = {"validate": 0.5, "execute": 3.25}
    error = "第 1 个执行单元格出错:ZeroDivisionError: division by zero"
    failed = keep_failed(failed_notebook(), final, STARTED, stages, root, INPUTS, error)
    assert failed == final / "failed"
    assert sorted(p.name for p in failed.iterdir()) == ["manifest.json", "workbook.ipynb"]
    nb = nbformat.read(failed / "workbook.ipynb", as_version=4)
    assert nb.cells[0].outputs[0]["ename"] == "ZeroDivisionError"
    record = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert record["error"] == error
    assert record["inputs"] == INPUTS
    assert record["stages_seconds"] == stages
    assert record["started"] == "2024-11-20T08:30:15+00:00"
    assert "pandas" in record["versions"] and set(record["git"]) == {"revision", "dirty"}


def test_keep_failed_leaves_the_previous_outputs_untouched(root, tmp_path) -> None:
    final = tmp_path / YEAR
    final.mkdir()
    (final / "report.pdf").write_bytes(b"%PDF-previous")
    (final / "manifest.json").write_text('{"academic_year": "2023-2024"}', encoding="utf-8")
    keep_failed(failed_notebook(), final, STARTED, {}, root, [], "内核异常终止")
    assert (final / "report.pdf").read_bytes() == b"%PDF-previous"
    assert (final / "manifest.json").read_text(encoding="utf-8") == '{"academic_year": "2023-2024"}'
    failed = json.loads((final / "failed" / "manifest.json").read_text(encoding="utf-8"))
    assert failed["error"] == "内核异常终止"


# --- jsonable --------------------------------------------------------------------------------


def test_jsonable_writes_dates_as_iso_text() -> None:
    value = {"on": date(2024, 11, 20), "at": datetime(2024, 11, 20, 8, 30)}
    assert jsonable(value) == {"on": "2024-11-20", "at": "2024-11-20 08:30:00"}


def test_jsonable_turns_tuples_into_lists_and_keeps_chinese_and_numbers() -> None:
    entry = {"字段": "leader", "值": 15, "比例": 0.5, "有": True, "无": None}
    assert jsonable({"corrections": (entry,)}) == {"corrections": [entry]}


def test_jsonable_of_a_path_is_its_text() -> None:
    assert jsonable([Path("data/raw/2023-2024")]) == ["data/raw/2023-2024"]
