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
from workspaces import ed25519_key_pair

from disclosure.errors import InputError
from disclosure.evidence.archive import FIXED_TIME, SIGNATURE_ENTRY, build_archive
from disclosure.evidence.manifest import sealed_text

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
    return write_outputs(root, outputs)


def write_outputs(root: Path, outputs: dict[str, bytes] = OUTPUTS) -> Path:
    """outputs/<year> of `root`: the outputs and a sealed manifest recording them and INPUTS."""
    folder = root / "outputs" / YEAR
    write_files(folder, outputs)
    manifest = {
        "academic_year": YEAR,
        "inputs": [record(p, d) for p, d in INPUTS.items()],
        "outputs": [record(p, d) for p, d in sorted(outputs.items())],
    }
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    return folder


def reseal(folder: Path, change) -> None:  # noqa: ANN001
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")


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
    write_files(folder, {"failed/workbook.ipynb": b"{}"})
    failed = {"academic_year": YEAR, "inputs": [], "outputs": [record("workbook.ipynb", b"{}")]}
    (folder / "failed" / "manifest.json").write_text(sealed_text(failed), encoding="utf-8")
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


def test_archive_refuses_an_edited_failed_folder(root, folder, tmp_path) -> None:
    write_files(folder, {"failed/workbook.ipynb": b"{}", "failed/manifest.json": b'{"error": "x"}'})
    with pytest.raises(InputError, match="failed/manifest.json"):
        build_archive(root, folder, tmp_path / "archives")


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/hostname"])
def test_archive_never_packs_an_input_path_outside_the_workspace(root, folder, tmp_path, path):
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    data = (root / path).read_bytes() if not path.startswith("/") else Path(path).read_bytes()
    reseal(folder, lambda m: m["inputs"].append(record(path, data)))
    with pytest.raises(InputError, match="工作区之外") as caught:
        build_archive(root, folder, tmp_path / "archives")
    assert "secret" not in str(caught.value)
    assert not (tmp_path / "archives").exists()


def test_archive_never_packs_an_output_path_read_from_the_manifest(root, folder, tmp_path):
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    reseal(folder, lambda m: m["outputs"].append(record("../../../outside.txt", b"secret")))
    with pytest.raises(InputError, match="越出输出文件夹"):
        build_archive(root, folder, tmp_path / "archives")


def test_archive_refuses_a_symlinked_output(root, folder, tmp_path) -> None:
    (tmp_path / "elsewhere").write_bytes(OUTPUTS["report.pdf"])
    (folder / "report.pdf").unlink()
    (folder / "report.pdf").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="符号链接"):
        build_archive(root, folder, tmp_path / "archives")


def test_archive_sign_writes_a_signature_the_public_key_accepts(root, folder, tmp_path) -> None:
    import base64

    from disclosure.evidence.verify import verify_outputs

    private, public = ed25519_key_pair(tmp_path)
    target = build_archive(root, folder, tmp_path / "a", key=private)
    signature = (folder.parent / f"{YEAR}.sig").read_text(encoding="ascii")
    assert len(base64.b64decode(signature)) == 64  # an Ed25519 signature
    with zipfile.ZipFile(target) as zf:
        assert zf.read(SIGNATURE_ENTRY).decode("ascii") == signature
    assert verify_outputs(folder, public_key=public) == []


def test_archive_sign_with_a_key_that_is_not_ed25519_is_an_input_error(root, folder, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "ec.pem").write_bytes(pem)
    with pytest.raises(InputError, match="不是 Ed25519 私钥"):
        build_archive(root, folder, tmp_path / "a", key=tmp_path / "ec.pem")
    assert not (tmp_path / "a").exists() and not (folder.parent / f"{YEAR}.sig").exists()


def institution_run(tmp_path: Path, marked: bool) -> tuple[Path, Path]:
    """An institution of a collection (<col>/institutions/S1) whose forms/ links to the
    collection's shared forms/, with a run that read forms/statistics.yaml through the link."""
    col = tmp_path / "col"
    write_files(col, {"forms/statistics.yaml": INPUTS["forms/statistics.yaml"]})
    if marked:
        (col / "collection.yaml").write_text("name: 测试\n", encoding="utf-8")
    inst = col / "institutions" / "S1"
    inst.mkdir(parents=True)
    (inst / "forms").symlink_to("../../forms")
    write_files(inst, {k: v for k, v in INPUTS.items() if not k.startswith("forms/")})
    return inst, write_outputs(inst)


def test_archive_of_an_institution_packs_the_shared_forms_it_read(tmp_path) -> None:
    inst, folder = institution_run(tmp_path, marked=True)
    path = build_archive(inst, folder, tmp_path / "archives")
    with zipfile.ZipFile(path) as zf:
        assert zf.read("inputs/forms/statistics.yaml") == INPUTS["forms/statistics.yaml"]


def test_archive_of_a_linked_workspace_outside_a_collection_refuses_the_link(tmp_path) -> None:
    inst, folder = institution_run(tmp_path, marked=False)
    with pytest.raises(InputError, match="工作区之外"):
        build_archive(inst, folder, tmp_path / "archives")
