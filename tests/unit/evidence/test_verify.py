"""Checking a run's outputs against its manifest, and rerunning a year (disclosure.evidence.verify),
on hand-made output folders and a fake run_year (no kernel)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from disclosure.errors import InputError, RunFailed
from disclosure.evidence.verify import (
    Difference,
    changed_inputs,
    read_manifest,
    rerun,
    verify_outputs,
)

YEAR = "2023-2024"
OUTPUTS = {
    "report.pdf": b"%PDF-1.7 report",
    "statistics.csv": b"row,value\n11,178\n",
    "figures/publications_by_channel.png": b"\x89PNG figure",
}
INPUTS = {"data/raw/2023-2024/publications.csv": "channel,count\n门户网站,335\n".encode()}
CHANGED = "内容与 manifest 记录的 SHA-256 不符(已被改动)"
UNRECORDED = "manifest 中没有记录的文件"
INPUT_CHANGED = "输入文件与运行时记录的 SHA-256 不同"
NO_HASH = '{"outputs": [{"path": "a"}]}'


def record(path: str, data: bytes) -> dict:
    return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def make_run(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace root with the inputs, and outputs/<year> with the outputs and their manifest."""
    root = tmp_path / "ws"
    write_files(root, INPUTS)
    folder = root / "outputs" / YEAR
    write_files(folder, OUTPUTS)
    manifest = {
        "academic_year": YEAR,
        "inputs": [record(p, d) for p, d in INPUTS.items()],
        "outputs": [record(p, d) for p, d in sorted(OUTPUTS.items())],
        "started": "2024-11-20T08:30:15+00:00",
    }
    text = json.dumps(manifest, ensure_ascii=False)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return root, folder


@pytest.fixture
def run(tmp_path: Path) -> tuple[Path, Path]:
    return make_run(tmp_path)


# --- verify_outputs --------------------------------------------------------------------------


def test_verify_outputs_of_an_untouched_folder_finds_nothing(run) -> None:
    assert verify_outputs(run[1]) == []


def test_verify_outputs_reports_a_changed_byte(run) -> None:
    folder = run[1]
    data = bytearray((folder / "report.pdf").read_bytes())
    data[-1] ^= 1
    (folder / "report.pdf").write_bytes(bytes(data))
    assert verify_outputs(folder) == [Difference("report.pdf", CHANGED)]


def test_verify_outputs_reports_a_missing_file(run) -> None:
    folder = run[1]
    (folder / "figures" / "publications_by_channel.png").unlink()
    assert verify_outputs(folder) == [Difference("figures/publications_by_channel.png", "文件缺失")]


def test_verify_outputs_reports_a_file_the_manifest_does_not_record(run) -> None:
    folder = run[1]
    (folder / "figures" / "extra.png").write_bytes(b"\x89PNG extra")
    (folder / "notes.txt").write_text("added later", encoding="utf-8")
    assert verify_outputs(folder) == [
        Difference("figures/extra.png", UNRECORDED),
        Difference("notes.txt", UNRECORDED),
    ]


def test_verify_outputs_ignores_the_failed_folder_and_the_manifest_itself(run) -> None:
    folder = run[1]
    write_files(folder, {"failed/workbook.ipynb": b"{}", "failed/manifest.json": b'{"error": "x"}'})
    assert verify_outputs(folder) == []


def test_verify_outputs_lists_recorded_problems_then_unrecorded_files(run) -> None:
    folder = run[1]
    (folder / "statistics.csv").write_text("row,value\n11,174\n", encoding="utf-8")
    (folder / "report.pdf").unlink()
    (folder / "a.txt").write_bytes(b"a")
    assert [str(d) for d in verify_outputs(folder)] == [
        "report.pdf:文件缺失",
        f"statistics.csv:{CHANGED}",
        f"a.txt:{UNRECORDED}",
    ]


def test_verify_outputs_of_a_folder_without_manifest_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="没有 manifest.json") as caught:
        verify_outputs(tmp_path)
    assert caught.value.problems[0].file == str(tmp_path / "manifest.json")


def test_a_manifest_that_is_not_json_is_an_input_error_naming_the_line(run) -> None:
    folder = run[1]
    broken = '{\n  "academic_year": "2023-2024",\n  oops\n}'
    (folder / "manifest.json").write_text(broken, encoding="utf-8")
    with pytest.raises(InputError, match="manifest.json 已损坏") as caught:
        verify_outputs(folder)
    assert caught.value.problems[0].row == 3


@pytest.mark.parametrize("content", ['{"academic_year": "2023-2024"}', "[1, 2]", NO_HASH])
def test_a_manifest_without_the_recorded_outputs_is_an_input_error(run, content) -> None:
    folder = run[1]
    (folder / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(InputError):
        verify_outputs(folder)


def test_read_manifest_returns_the_recorded_dictionary(run) -> None:
    manifest = read_manifest(run[1])
    assert manifest["academic_year"] == YEAR
    assert [o["path"] for o in manifest["outputs"]] == sorted(OUTPUTS)


# --- changed_inputs --------------------------------------------------------------------------


def test_changed_inputs_reports_changed_and_deleted_inputs(run) -> None:
    root, folder = run
    manifest = read_manifest(folder)
    assert changed_inputs(root, manifest) == []
    path = "data/raw/2023-2024/publications.csv"
    (root / path).write_text("channel,count\n门户网站,336\n", encoding="utf-8")
    assert changed_inputs(root, manifest) == [Difference(path, INPUT_CHANGED)]
    (root / path).unlink()
    assert changed_inputs(root, manifest) == [Difference(path, "输入文件已不存在")]


# --- rerun with a fake run_year --------------------------------------------------------------


class FakeRun:
    """run_year(root, year, dest=...) that writes `files` into dest, or raises `error`."""

    def __init__(self, files: dict[str, bytes], error: Exception | None = None) -> None:
        self.files, self.error, self.calls = files, error, []

    def __call__(self, root: Path, year: str, dest: Path) -> None:
        self.calls.append((root, year, dest))
        assert not dest.exists()
        if self.error is not None:
            raise self.error
        write_files(dest, self.files)
        (dest / "manifest.json").write_text('{"started": "a later time"}', encoding="utf-8")


def test_rerun_with_identical_outputs_finds_no_difference(run) -> None:
    root, folder = run
    fake = FakeRun(OUTPUTS)
    assert rerun(root, folder, fake) == ([], [])
    ((called_root, year, dest),) = fake.calls
    assert (called_root, year) == (root, YEAR)
    assert folder not in dest.parents and not dest.exists()  # a temporary folder, removed after


def test_rerun_reports_each_output_that_differs_or_is_missing(run) -> None:
    root, folder = run
    files = {**OUTPUTS, "statistics.csv": b"row,value\n11,174\n"}
    del files["report.pdf"]
    inputs, outputs = rerun(root, folder, FakeRun(files))
    assert inputs == []
    assert outputs == [
        Difference("report.pdf", "重新运行的结果与存档不同"),
        Difference("statistics.csv", "重新运行的结果与存档不同"),
    ]


def test_rerun_that_fails_is_reported_as_a_difference_of_the_notebook(run) -> None:
    root, folder = run
    fake = FakeRun({}, RunFailed("第 3 个执行单元格出错:ValueError: boom", None))
    inputs, outputs = rerun(root, folder, fake)
    assert inputs == []
    message = "重新运行失败,无法比较结果:第 3 个执行单元格出错:ValueError: boom"
    assert outputs == [Difference("workbook.ipynb", message)]


def test_rerun_reports_changed_inputs_beside_the_output_comparison(run) -> None:
    root, folder = run
    (root / "data/raw/2023-2024/publications.csv").write_text("changed", encoding="utf-8")
    inputs, outputs = rerun(root, folder, FakeRun(OUTPUTS))
    assert inputs == [Difference("data/raw/2023-2024/publications.csv", INPUT_CHANGED)]
    assert outputs == []


def test_rerun_lets_an_input_error_through(run) -> None:
    root, folder = run
    with pytest.raises(InputError):
        rerun(root, folder, FakeRun({}, InputError.one("params/2023-2024.yaml", "坏参数")))
