"""Checking a run's outputs against its manifest, and rerunning a year (disclosure.evidence.verify),
on hand-made output folders and a fake run_year (no kernel)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from workspaces import ed25519_key_pair

from disclosure.errors import InputError, RunFailed
from disclosure.evidence.manifest import sealed_text
from disclosure.evidence.verify import (
    Difference,
    changed_inputs,
    digest_file,
    digest_line,
    manifest_digest,
    read_manifest,
    rerun,
    safe_relative,
    verify_outputs,
)

YEAR = "2023-2024"
FINDINGS = [
    {"id": "C01", "severity": "error", "passed": False},
    {"id": "A02", "severity": "warning", "passed": True},
]
OUTPUTS = {
    "findings.json": json.dumps(FINDINGS).encode(),
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
        "summary": {"rules": 2, "errors": 1, "warnings": 0},
        "parameters": {"academic_year": YEAR, "yoy_threshold": 0.5},
        "inputs": [record(p, d) for p, d in INPUTS.items()],
        "outputs": [record(p, d) for p, d in sorted(OUTPUTS.items())],
        "started": "2024-11-20T08:30:15+00:00",
    }
    write_manifest(folder, manifest)
    return root, folder


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")


def edit_manifest(folder: Path, change, reseal: bool = False) -> None:
    """Edit manifest.json as a person would: load, change, dump (resealed only when asked)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    if reseal:
        write_manifest(folder, manifest)
    else:
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (folder / "manifest.json").write_text(text, encoding="utf-8")


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


def write_failed(folder: Path) -> None:
    nb = b'{"cells": []}'
    write_files(folder, {"failed/workbook.ipynb": nb})
    failed = {
        "academic_year": YEAR,
        "error": "第 3 个执行单元格出错",
        "inputs": [],
        "outputs": [record("workbook.ipynb", nb)],
    }
    write_manifest(folder / "failed", failed)


def test_verify_outputs_accepts_an_intact_failed_folder(run) -> None:
    folder = run[1]
    write_failed(folder)
    assert verify_outputs(folder) == []


def test_verify_outputs_reports_an_edited_failed_notebook(run) -> None:
    folder = run[1]
    write_failed(folder)
    (folder / "failed" / "workbook.ipynb").write_bytes(b'{"cells": [1]}')
    assert verify_outputs(folder) == [Difference("failed/workbook.ipynb", CHANGED)]


def test_verify_outputs_reports_an_edited_failed_manifest_and_an_added_file(run) -> None:
    folder = run[1]
    write_failed(folder)
    edit_manifest(folder / "failed", lambda m: m.update(error="没有出错"))
    (folder / "failed" / "note.txt").write_text("x", encoding="utf-8")
    assert [d.path for d in verify_outputs(folder)] == ["failed/manifest.json", "failed/note.txt"]


def test_verify_outputs_reports_a_failed_folder_without_its_manifest(run) -> None:
    folder = run[1]
    write_files(folder, {"failed/workbook.ipynb": b"{}"})
    (difference,) = verify_outputs(folder)
    assert difference.path == "failed/manifest.json" and "没有 manifest.json" in difference.what


# --- the manifest itself ---------------------------------------------------------------------

SEAL_BROKEN = "内容与其封记(seal)不符:manifest.json 在运行后被改动过"


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["summary"].update(errors=0),
        lambda m: m["parameters"].update(yoy_threshold=9),
        lambda m: m["inputs"][0].update(sha256="0" * 64),
        lambda m: m.update(started="2024-11-21T08:30:15+00:00"),
    ],
    ids=["summary", "parameter", "input_hash", "time"],
)
def test_an_edit_of_the_manifest_breaks_its_seal(run, change) -> None:
    folder = run[1]
    edit_manifest(folder, change)
    found = verify_outputs(folder)
    assert found[0] == Difference("manifest.json", SEAL_BROKEN)
    assert {d.path for d in found} == {"manifest.json"}  # the summary also disagrees with findings


def test_a_manifest_without_seal_is_a_difference(run) -> None:
    folder = run[1]
    edit_manifest(folder, lambda m: m.pop("seal"))
    (difference,) = verify_outputs(folder)
    assert difference.path == "manifest.json" and "没有封记" in difference.what


def test_a_resealed_summary_is_caught_by_findings_json(run) -> None:
    folder = run[1]
    edit_manifest(folder, lambda m: m["summary"].update(errors=0), reseal=True)
    (difference,) = verify_outputs(folder)
    assert difference.path == "manifest.json"
    assert "findings.json 给出" in difference.what and '"errors": 1' in difference.what


def test_a_resealed_output_and_hash_pass_without_digest_and_fail_with_it(run) -> None:
    folder = run[1]
    anchored = manifest_digest(folder)
    assert verify_outputs(folder, digest=anchored) == []
    (folder / "report.pdf").write_bytes(b"%PDF-1.7 forged")
    forged = record("report.pdf", b"%PDF-1.7 forged")
    edit_manifest(
        folder,
        lambda m: m.update(
            outputs=[forged if o["path"] == "report.pdf" else o for o in m["outputs"]]
        ),
        reseal=True,
    )
    assert verify_outputs(folder) == []  # a consistent forgery: only the anchor can tell
    (difference,) = verify_outputs(folder, digest=anchored.upper())
    assert difference.path == "manifest.json" and anchored in difference.what


def test_digest_line_is_sha256sum_format_beside_the_folder(run) -> None:
    folder = run[1]
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert digest_line(folder) == f"{digest}  {YEAR}/manifest.json\n"
    assert digest_file(folder) == folder.parent / f"{YEAR}.sha256"


@pytest.mark.parametrize(
    "rel, safe",
    [
        ("report.pdf", True),
        ("figures/a.png", True),
        ("../x", False),
        ("/etc/passwd", False),
        ("figures/../../x", False),
        ("C:/x", False),
        ("a\\b", False),
        ("", False),
    ],
)
def test_safe_relative(rel, safe) -> None:
    assert safe_relative(rel) is safe


@pytest.mark.parametrize("rel", ["../../secret.txt", "/etc/hostname"])
def test_a_recorded_path_outside_the_folder_is_never_read(run, rel) -> None:
    root, folder = run
    (root / "secret.txt").write_text("secret", encoding="utf-8")
    edit_manifest(folder, lambda m: m["outputs"].append(record(rel, b"secret")), reseal=True)
    (difference,) = verify_outputs(folder)
    assert difference.path == rel and "越出输出文件夹" in difference.what


def test_an_input_path_outside_the_workspace_is_never_read(run, tmp_path) -> None:
    root, folder = run
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    manifest = read_manifest(folder)
    manifest["inputs"].append(record("../outside.txt", b"x"))
    (difference,) = changed_inputs(root, manifest)
    assert "工作区之外" in difference.what


def test_a_symlink_among_the_outputs_is_a_difference(run, tmp_path) -> None:
    folder = run[1]
    (tmp_path / "elsewhere.pdf").write_bytes(b"%PDF-1.7 report")
    (folder / "report.pdf").unlink()
    (folder / "report.pdf").symlink_to(tmp_path / "elsewhere.pdf")
    (folder / "link.txt").symlink_to(tmp_path / "elsewhere.pdf")
    assert verify_outputs(folder) == [
        Difference("report.pdf", "是符号链接,输出文件夹中只应有普通文件"),
        Difference("link.txt", "manifest 中没有记录的符号链接"),
    ]


def test_an_invalid_academic_year_in_a_resealed_manifest_is_a_difference(run) -> None:
    folder = run[1]
    edit_manifest(folder, lambda m: m.update(academic_year="../../x"), reseal=True)
    (difference,) = verify_outputs(folder)
    assert difference.path == "manifest.json" and "academic_year" in difference.what


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


BAD_SUMMARY = '{"academic_year": "2023-2024", "inputs": [], "outputs": [], "summary": [1]}'


@pytest.mark.parametrize(
    "content", ['{"academic_year": "2023-2024"}', "[1, 2]", NO_HASH, BAD_SUMMARY, '"x"']
)
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


# --- Ed25519 signature -----------------------------------------------------------------------


def key_pair(tmp_path: Path) -> tuple[Path, Path]:
    return ed25519_key_pair(tmp_path)


def sign(folder: Path, private: Path) -> None:
    from disclosure.evidence.archive import load_private_key

    signature = load_private_key(private).sign((folder / "manifest.json").read_bytes())
    (folder.parent / f"{YEAR}.sig").write_text(base64.b64encode(signature).decode() + "\n")


def test_a_signed_folder_verifies_with_its_public_key(run, tmp_path) -> None:
    folder = run[1]
    private, public = key_pair(tmp_path)
    sign(folder, private)
    assert verify_outputs(folder, public_key=public) == []


def test_a_consistent_forgery_is_caught_by_the_signature(run, tmp_path) -> None:
    folder = run[1]
    private, public = key_pair(tmp_path)
    sign(folder, private)
    (folder / "report.pdf").write_bytes(b"%PDF-1.7 forged")
    forged = record("report.pdf", b"%PDF-1.7 forged")
    edit_manifest(
        folder,
        lambda m: m.update(
            outputs=[forged if o["path"] == "report.pdf" else o for o in m["outputs"]]
        ),
        reseal=True,
    )
    assert verify_outputs(folder) == []
    (difference,) = verify_outputs(folder, public_key=public)
    assert difference.path == "manifest.json" and difference.what.startswith("签名无效")


def test_another_key_rejects_the_signature(run, tmp_path) -> None:
    folder = run[1]
    sign(folder, key_pair(tmp_path)[0])
    (tmp_path / "other").mkdir()
    other = key_pair(tmp_path / "other")[1]
    (difference,) = verify_outputs(folder, public_key=other)
    assert difference.what.startswith("签名无效")


def test_a_missing_signature_file_is_a_difference(run, tmp_path) -> None:
    folder = run[1]
    (difference,) = verify_outputs(folder, public_key=key_pair(tmp_path)[1])
    assert difference.path == f"{YEAR}.sig" and "没有签名文件" in difference.what


def test_a_public_key_that_is_not_pem_is_an_input_error(run, tmp_path) -> None:
    folder = run[1]
    (tmp_path / "pub.pem").write_text("not a key", encoding="utf-8")
    with pytest.raises(InputError, match="无法读取公钥"):
        verify_outputs(folder, public_key=tmp_path / "pub.pem")
