"""The evidence zip (disclosure.evidence.archive): byte-reproducible, named by its content hash,
holding the verified outputs and the recorded inputs, refusing tampered outputs."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from disclosure.errors import InputError
from disclosure.evidence.archive import FIXED_TIME, build_archive

YEAR = "2023-2024"
OUTPUTS = {
    "report.pdf": b"%PDF-1.7 report",
    "statistics.csv": b"row,value\n11,178\n",
    "figures/publications_by_channel.png": b"\x89PNG figure",
}
INPUTS = {
    "forms/statistics.yaml": b"rows: []\n",
    "data/raw/2023-2024/publications.csv": "channel,count\n门户网站,335\n".encode(),
}


def record(path: str, data: bytes) -> dict:
    return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def make_run(root: Path, outputs: dict[str, bytes] = OUTPUTS) -> Path:
    """A workspace with the inputs, and outputs/<year> with the outputs and their manifest."""
    write_files(root, INPUTS)
    folder = root / "outputs" / YEAR
    write_files(folder, outputs)
    manifest = {
        "academic_year": YEAR,
        "inputs": [record(p, d) for p, d in INPUTS.items()],
        "outputs": [record(p, d) for p, d in sorted(outputs.items())],
    }
    text = json.dumps(manifest, ensure_ascii=False)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def folder(root: Path) -> Path:
    return make_run(root)


def test_archive_is_named_by_the_year_and_the_hash_of_its_own_bytes(root, folder, tmp_path) -> None:
    target = build_archive(root, folder, tmp_path / "archives")
    data = target.read_bytes()
    assert target.parent == tmp_path / "archives"
    assert target.name == f"{YEAR}-evidence-{hashlib.sha256(data).hexdigest()[:16]}.zip"
    assert list(target.parent.iterdir()) == [target]


def test_archive_is_byte_reproducible_whatever_the_file_times(root, folder, tmp_path) -> None:
    first = build_archive(root, folder, tmp_path / "one")
    for path in [*folder.rglob("*"), *(root / "data").rglob("*")]:
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = build_archive(root, folder, tmp_path / "two")
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()


def test_archive_holds_the_outputs_the_manifest_and_the_recorded_inputs(root, folder, tmp_path):
    with zipfile.ZipFile(build_archive(root, folder, tmp_path / "a")) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert names == sorted(
            [
                *(f"outputs/{name}" for name in OUTPUTS),
                "outputs/manifest.json",
                *(f"inputs/{name}" for name in INPUTS),
            ]
        )
        for name, data in OUTPUTS.items():
            assert zf.read(f"outputs/{name}") == data
        for name, data in INPUTS.items():
            assert zf.read(f"inputs/{name}") == data
        assert zf.read("outputs/manifest.json") == (folder / "manifest.json").read_bytes()


def test_archive_entries_carry_a_fixed_time_and_shared_permissions(root, folder, tmp_path) -> None:
    with zipfile.ZipFile(build_archive(root, folder, tmp_path / "a")) as zf:
        for info in zf.infolist():
            assert info.date_time == FIXED_TIME
            assert info.external_attr >> 16 == 0o644
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_archive_leaves_out_the_failed_folder(root, folder, tmp_path) -> None:
    write_files(folder, {"failed/workbook.ipynb": b"{}", "failed/manifest.json": b'{"error": "x"}'})
    with zipfile.ZipFile(build_archive(root, folder, tmp_path / "a")) as zf:
        assert not [n for n in zf.namelist() if "failed" in n]


def test_different_outputs_give_a_different_archive_name(tmp_path) -> None:
    one = make_run(tmp_path / "one")
    two = make_run(tmp_path / "two", {**OUTPUTS, "report.pdf": b"%PDF-1.7 other report"})
    first = build_archive(tmp_path / "one", one, tmp_path / "a")
    second = build_archive(tmp_path / "two", two, tmp_path / "a")
    assert first.name != second.name
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted([first.name, second.name])


@pytest.mark.parametrize(
    "tamper, named",
    [
        (lambda f: (f / "report.pdf").write_bytes(b"%PDF-1.7 edited"), "report.pdf"),
        (lambda f: (f / "statistics.csv").unlink(), "statistics.csv"),
        (lambda f: (f / "figures" / "added.png").write_bytes(b"x"), "figures/added.png"),
    ],
    ids=["changed", "missing", "unrecorded"],
)
def test_archive_refuses_tampered_outputs_and_writes_nothing(root, folder, tmp_path, tamper, named):
    tamper(folder)
    with pytest.raises(InputError) as caught:
        build_archive(root, folder, tmp_path / "archives")
    (problem,) = caught.value.problems
    assert problem.file == str(folder)
    assert problem.message.startswith("输出与 manifest 不符,拒绝打包:")
    assert named in problem.message
    assert not (tmp_path / "archives").exists()


def test_archive_of_a_folder_without_manifest_is_an_input_error(tmp_path) -> None:
    (tmp_path / "outputs").mkdir()
    with pytest.raises(InputError, match="没有 manifest.json"):
        build_archive(tmp_path, tmp_path / "outputs", tmp_path / "archives")


def test_archive_refuses_inputs_changed_since_the_run(root, folder, tmp_path) -> None:
    (root / "data/raw/2023-2024/publications.csv").write_text("channel,count\n门户网站,999\n")
    with pytest.raises(InputError):
        build_archive(root, folder, tmp_path / "archives")


def test_archive_bytes_are_a_valid_zip(root, folder, tmp_path) -> None:
    data = build_archive(root, folder, tmp_path / "a").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
