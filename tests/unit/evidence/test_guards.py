"""The evidence guards an attacker or an accident would meet (issue 25): the seal covers the
recorded corrections; a symbolic link to a folder among the outputs is listed; changed_inputs never
opens a link out of the workspace; an empty --digest is refused, never skipped; a NUL in a recorded
path is a difference, not a crash; lock recovery spares a process it may not signal (EPERM)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from disclosure.evidence import execute, verify
from disclosure.evidence.manifest import sealed_text
from disclosure.evidence.verify import Difference, changed_inputs, verify_outputs

YEAR = "2023-2024"
SEAL_BROKEN = "内容与其封记(seal)不符:manifest.json 在运行后被改动过"
CORRECTION = {
    "file": "publications.csv",
    "row": 3,
    "column": "count",
    "value": 12,
    "reason": "笔误",
}


def record(path: str, data: bytes) -> dict:
    return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@pytest.fixture
def run(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "ws"
    source = root / "data" / "raw" / YEAR / "publications.csv"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"channel,count\n1,2\n")
    folder = root / "outputs" / YEAR
    folder.mkdir(parents=True)
    (folder / "report.pdf").write_bytes(b"%PDF-1.7 x")
    manifest = {
        "academic_year": YEAR,
        "inputs": [record(f"data/raw/{YEAR}/publications.csv", source.read_bytes())],
        "outputs": [record("report.pdf", b"%PDF-1.7 x")],
        "corrections": [CORRECTION],
    }
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    return root, folder


def edit(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


def test_the_intact_run_verifies(run):
    root, folder = run
    assert verify_outputs(folder) == []
    assert changed_inputs(root, verify.read_manifest(folder)) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["corrections"][0].update(value=13),
        lambda m: m["corrections"][0].update(reason="另一理由"),
        lambda m: m.update(corrections=[]),
        lambda m: m["corrections"].append(dict(CORRECTION, row=4)),
    ],
    ids=["value", "reason", "removed", "added"],
)
def test_an_edit_of_the_recorded_corrections_breaks_the_seal(run, change):
    folder = run[1]
    edit(folder, change)
    assert verify_outputs(folder) == [Difference("manifest.json", SEAL_BROKEN)]


def test_a_symlink_to_a_folder_among_the_outputs_is_listed(run, tmp_path):
    folder = run[1]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_bytes(b"x")
    (folder / "figures").symlink_to(elsewhere, target_is_directory=True)
    assert verify_outputs(folder) == [Difference("figures", "manifest 中没有记录的符号链接")]


def test_a_recorded_output_behind_a_linked_folder_is_not_read(run, tmp_path, monkeypatch):
    folder = run[1]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_bytes(b"x")
    (folder / "figures").symlink_to(elsewhere, target_is_directory=True)
    manifest = verify.read_manifest(folder)
    manifest["outputs"].append(record("figures/a.png", b"x"))
    del manifest["seal"]
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    opened: list[Path] = []
    real = verify.sha256
    monkeypatch.setattr(verify, "sha256", lambda p: opened.append(Path(p)) or real(p))
    found = verify_outputs(folder)
    assert elsewhere / "a.png" not in [p.resolve() for p in opened]
    assert found == [
        Difference("figures/a.png", "是符号链接,输出文件夹中只应有普通文件"),
        Difference("figures", "manifest 中没有记录的符号链接"),
    ]


def test_changed_inputs_never_opens_a_link_out_of_the_workspace(run, tmp_path, monkeypatch):
    root, folder = run
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"channel,count\n1,2\n")  # the very bytes recorded: a hash oracle
    source = root / "data" / "raw" / YEAR / "publications.csv"
    source.unlink()
    source.symlink_to(secret)
    opened: list[Path] = []
    real = verify.sha256
    monkeypatch.setattr(verify, "sha256", lambda p: opened.append(Path(p)) or real(p))
    (difference,) = changed_inputs(root, verify.read_manifest(folder))
    assert difference.what == "记录的输入路径在工作区之外,拒绝读取"
    assert opened == []


def test_a_link_inside_the_workspace_is_read(run):
    root, folder = run
    source = root / "data" / "raw" / YEAR / "publications.csv"
    copy = root / "data" / "copy.csv"
    copy.write_bytes(source.read_bytes())
    source.unlink()
    source.symlink_to(copy)
    assert changed_inputs(root, verify.read_manifest(folder)) == []


def test_an_empty_digest_is_checked_not_skipped(run):
    folder = run[1]
    (difference,) = verify_outputs(folder, digest="")
    assert difference.path == "manifest.json" and "与给定的摘要" in difference.what


@pytest.mark.parametrize("given", ["", " ", "file"])
def test_verify_with_an_empty_digest_exits_2(run, cli, tmp_path, given):
    root, folder = run
    if given == "file":
        empty = tmp_path / "empty.sha256"
        empty.write_text("", encoding="utf-8")
        given = str(empty)
    code, out = cli("--root", root, "verify", folder, "--digest", given)
    assert code == 2 and "摘要格式不对" in out, out


@pytest.mark.parametrize("where", ["outputs", "inputs"])
def test_a_nul_in_a_recorded_path_is_a_difference_not_a_crash(run, where):
    root, folder = run
    manifest = verify.read_manifest(folder)
    manifest[where].append(record("report\x00.pdf", b"x"))
    del manifest["seal"]
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    if where == "outputs":
        (difference,) = verify_outputs(folder)
        assert difference.what == "记录的路径越出输出文件夹或不合规,拒绝读取"
    else:
        (difference,) = changed_inputs(root, verify.read_manifest(folder))
        assert difference.what == "记录的输入路径在工作区之外,拒绝读取"


def test_verify_cli_with_a_nul_in_a_recorded_path_reports_it(run, cli):
    root, folder = run
    manifest = verify.read_manifest(folder)
    manifest["outputs"].append(record("a\x00b", b"x"))
    del manifest["seal"]
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    code, out = cli("--root", root, "verify", folder)
    assert code == 1 and "拒绝读取" in out, out


def _kill_raising(error: type[OSError] | None):
    def kill(pid: int, signal: int) -> None:
        assert signal == 0
        if error is not None:
            raise error(1, "simulated")

    return kill


@pytest.mark.parametrize(
    "error, kept",
    [(PermissionError, True), (ProcessLookupError, False), (None, True)],
    ids=["EPERM-another-users-live-process", "ESRCH-gone", "signalled"],
)
def test_recovery_spares_a_staging_folder_unless_its_process_is_gone(
    tmp_path, monkeypatch, error, kept
):
    staging = tmp_path / f".staging-{YEAR}-4000000-abc"
    staging.mkdir()
    monkeypatch.setattr(os, "kill", _kill_raising(error))
    execute.YearLock(tmp_path / YEAR).release()
    assert staging.exists() is kept


@pytest.mark.parametrize("error, kept", [(PermissionError, True), (ProcessLookupError, False)])
def test_recovery_spares_the_old_outputs_of_a_process_it_may_not_signal(
    tmp_path, monkeypatch, error, kept
):
    old = tmp_path / f".old-{YEAR}-4000000"
    (old / "x").mkdir(parents=True)
    monkeypatch.setattr(os, "kill", _kill_raising(error))
    execute.YearLock(tmp_path / YEAR).release()
    assert old.exists() is kept
    assert (tmp_path / YEAR).exists() is not kept  # a gone process's old outputs come back
