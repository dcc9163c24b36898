"""One zip of a year's evidence, byte-reproducible, named by its own content hash."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from disclosure.errors import InputError, Problem
from disclosure.evidence.verify import changed_inputs, read_manifest, verify_outputs
from disclosure.workspace import write_bytes

FIXED_TIME = (
    1980,
    1,
    1,
    0,
    0,
    0,
)  # zip entries carry no real time, so equal content gives equal bytes


def build_archive(root: Path, folder: Path, dest_dir: Path) -> Path:
    """Zip a verified output folder with its inputs; tampered outputs are refused (InputError)."""
    differences = verify_outputs(folder) + changed_inputs(root, read_manifest(folder))
    if differences:
        raise InputError(
            [Problem(str(folder), f"输出与 manifest 不符,拒绝打包:{d}") for d in differences]
        )
    manifest = read_manifest(folder)
    entries: list[tuple[str, Path]] = [
        (f"outputs/{p.relative_to(folder).as_posix()}", p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "failed" not in p.relative_to(folder).parts
    ]
    entries += [
        (f"inputs/{r['path']}", root / r["path"])
        for r in manifest["inputs"]
        if (root / r["path"]).is_file()
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = dest_dir / f"{manifest['academic_year']}-evidence-{digest}.zip"
    write_bytes(target, data)
    return target
