"""Check a run's outputs against its manifest, and rerun a year to see whether results repeat."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from disclosure.errors import InputError, RunFailed
from disclosure.inputs.provenance import sha256

VOLATILE = {"manifest.json"}  # times and durations live here by design


@dataclass(frozen=True)
class Difference:
    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.what}"


def read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    if not path.is_file():
        raise InputError.one(str(path), "没有 manifest.json;这不是 disclosure run 生成的输出文件夹")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError.one(str(path), f"manifest.json 已损坏:{exc.msg}", row=exc.lineno) from None
    if not _well_formed(manifest):
        raise InputError.one(
            str(path),
            "manifest.json 结构不完整:应有 academic_year,"
            "以及每项含 path 与 sha256 的 inputs 和 outputs 列表",
        )
    return manifest


def _well_formed(manifest: object) -> bool:
    if not isinstance(manifest, dict) or not isinstance(manifest.get("academic_year"), str):
        return False
    for key in ("inputs", "outputs"):
        records = manifest.get(key)
        if not isinstance(records, list):
            return False
        for record in records:
            if not isinstance(record, dict) or not all(
                isinstance(record.get(k), str) for k in ("path", "sha256")
            ):
                return False
    return True


def verify_outputs(folder: Path) -> list[Difference]:
    """Every recorded output re-hashed; changed, missing and unrecorded files are differences."""
    manifest = read_manifest(folder)
    recorded = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    found: list[Difference] = []
    for rel, digest in sorted(recorded.items()):
        path = folder / rel
        if not path.is_file():
            found.append(Difference(rel, "文件缺失"))
        elif sha256(path) != digest:
            found.append(Difference(rel, "内容与 manifest 记录的 SHA-256 不符(已被改动)"))
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel not in recorded and rel not in VOLATILE and not rel.startswith("failed/"):
            found.append(Difference(rel, "manifest 中没有记录的文件"))
    return found


def changed_inputs(root: Path, manifest: dict) -> list[Difference]:
    found = []
    for record in manifest["inputs"]:
        path = root / record["path"]
        if not path.is_file():
            found.append(Difference(record["path"], "输入文件已不存在"))
        elif sha256(path) != record["sha256"]:
            found.append(Difference(record["path"], "输入文件与运行时记录的 SHA-256 不同"))
    return found


def rerun(
    root: Path, folder: Path, run_year: Callable[..., Any]
) -> tuple[list[Difference], list[Difference]]:
    """Re-execute the year into a temporary folder with `run_year` (pipeline.run_year);
    return (changed inputs, differing outputs)."""

    manifest = read_manifest(folder)
    inputs = changed_inputs(root, manifest)
    recorded = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "rerun"
        try:
            run_year(root, manifest["academic_year"], dest=fresh)
        except RunFailed as exc:
            return inputs, [Difference("workbook.ipynb", f"重新运行失败,无法比较结果:{exc}")]
        now = {p.relative_to(fresh).as_posix(): sha256(p) for p in fresh.rglob("*") if p.is_file()}
    outputs = [
        Difference(rel, "重新运行的结果与存档不同")
        for rel, digest in sorted(recorded.items())
        if now.get(rel) != digest
    ]
    return inputs, outputs
