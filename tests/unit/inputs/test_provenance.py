"""Hashes, versions and the git state recorded in a run's manifest (provenance.py)."""

import hashlib
import platform
import re
import subprocess

import pytest
import yaml
from workspaces import REPO_ROOT

from disclosure.inputs import provenance
from disclosure.inputs.provenance import file_record, git_state, sha256, versions

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# --- sha256 -------------------------------------------------------------------------------------


def test_sha256_of_abc_is_the_published_test_vector(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert sha256(path) == ABC_SHA256


def test_sha256_of_an_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert sha256(path) == EMPTY_SHA256


def test_sha256_of_a_file_larger_than_one_block_covers_every_block(tmp_path):
    data = bytes(range(256)) * 1000 + b"tail"  # 256 004 bytes: four 64 KiB blocks and a rest
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256(path) == hashlib.sha256(data).hexdigest()


def test_sha256_reads_bytes_not_text(tmp_path):
    crlf, lf = tmp_path / "crlf.csv", tmp_path / "lf.csv"
    crlf.write_bytes(b"a,b\r\n1,2\r\n")
    lf.write_bytes(b"a,b\n1,2\n")
    assert sha256(crlf) != sha256(lf)
    assert sha256(crlf) == hashlib.sha256(b"a,b\r\n1,2\r\n").hexdigest()


# --- file_record --------------------------------------------------------------------------------


def test_file_record_has_a_relative_posix_path_size_and_hash(tmp_path):
    path = tmp_path / "data" / "raw" / "2023-2024" / "publications.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"abc")
    record = file_record(path, tmp_path)
    assert record == {
        "path": "data/raw/2023-2024/publications.csv",
        "bytes": 3,
        "sha256": ABC_SHA256,
    }


def test_file_record_counts_bytes_not_characters(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text("学校", encoding="utf-8")
    assert file_record(path, tmp_path)["bytes"] == 6


def test_file_record_of_a_file_at_the_root(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"")
    assert file_record(path, tmp_path)["path"] == "a.txt"


def test_file_record_refuses_a_file_outside_the_root(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    outside = tmp_path / "x.txt"
    outside.write_bytes(b"x")
    with pytest.raises(ValueError):
        file_record(outside, root)


# --- versions -----------------------------------------------------------------------------------


def test_versions_start_with_python(monkeypatch):
    monkeypatch.setattr(provenance, "PACKAGES", ())
    assert versions() == {"python": platform.python_version()}


def test_versions_name_every_package_and_mark_a_missing_one(monkeypatch):
    monkeypatch.setattr(provenance, "PACKAGES", ("PyYAML", "no-such-package-for-tests"))
    found = versions()
    assert list(found) == ["python", "PyYAML", "no-such-package-for-tests"]
    assert found["no-such-package-for-tests"] == "未安装"
    assert found["PyYAML"] == yaml.__version__


def test_versions_list_every_runtime_package_by_default():
    found = versions()
    assert set(provenance.PACKAGES) <= set(found)
    assert found["pandas"] != "未安装"


# --- git_state ----------------------------------------------------------------------------------


def test_git_state_outside_a_repository_is_unknown(tmp_path):
    assert git_state(tmp_path) == {"revision": None, "dirty": None}


def test_git_state_without_git_installed_is_unknown(tmp_path, monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(provenance.subprocess, "run", no_git)
    assert git_state(REPO_ROOT) == {"revision": None, "dirty": None}


def test_git_state_when_git_hangs_is_unknown(tmp_path, monkeypatch):
    def hangs(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs.get("timeout"))

    monkeypatch.setattr(provenance.subprocess, "run", hangs)
    assert git_state(tmp_path) == {"revision": None, "dirty": None}


def fake_git(outputs):
    """subprocess.run stand-in answering each git subcommand with the given stdout."""

    def run(args, cwd, **kwargs):
        return subprocess.CompletedProcess(args, 0, stdout=outputs[args[1]] + "\n", stderr="")

    return run


def test_git_state_of_a_clean_checkout(tmp_path, monkeypatch):
    outputs = {"rev-parse": "a" * 40, "status": ""}
    monkeypatch.setattr(provenance.subprocess, "run", fake_git(outputs))
    assert git_state(tmp_path) == {"revision": "a" * 40, "dirty": False}


def test_git_state_of_a_modified_checkout(tmp_path, monkeypatch):
    outputs = {"rev-parse": "b" * 40, "status": " M src/disclosure/cli.py"}
    monkeypatch.setattr(provenance.subprocess, "run", fake_git(outputs))
    assert git_state(tmp_path) == {"revision": "b" * 40, "dirty": True}


def test_git_state_asks_git_in_the_given_folder_ignoring_untracked_files(tmp_path, monkeypatch):
    calls = []

    def run(args, cwd, **kwargs):
        calls.append((args, cwd))
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    monkeypatch.setattr(provenance.subprocess, "run", run)
    git_state(tmp_path)
    assert calls == [
        (["git", "rev-parse", "HEAD"], tmp_path),
        (["git", "status", "--porcelain", "--untracked-files=no"], tmp_path),
    ]


@pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="not a git checkout")
def test_git_state_of_the_repository_has_a_full_revision():
    state = git_state(REPO_ROOT)
    assert re.fullmatch(r"[0-9a-f]{40}", state["revision"])
    assert state["dirty"] in (True, False)
