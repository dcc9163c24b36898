"""One zip of a year's evidence, byte-reproducible, named by its own content hash; optionally the
manifest's Ed25519 signature."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from disclosure.errors import InputError, Problem
from disclosure.evidence.verify import (
    FAILED_DIR,
    MANIFEST,
    TIMINGS,
    changed_inputs,
    read_manifest,
    safe_relative,
    signature_file,
    verify_outputs,
)
from disclosure.workspace import boundary, inside, write_bytes, write_text

FIXED_TIME = (
    1980,
    1,
    1,
    0,
    0,
    0,
)  # zip entries carry no real time, so equal content gives equal bytes
SIGNATURE_ENTRY = "manifest.json.sig"


def build_archive(root: Path, folder: Path, dest_dir: Path, key: Path | None = None) -> Path:
    """Zip a verified output folder with its inputs; tampered outputs are refused (InputError).

    The outputs are the folder's own listing (regular files only; verify has refused anything
    else), never paths read from the manifest. The inputs are the manifest's records, each checked
    to resolve inside the workspace and to match its hash. With `key` (a PEM Ed25519 private key)
    manifest.json is signed: the signature goes beside the folder (outputs/<year>.sig) and into
    the zip.
    """
    signer = load_private_key(key) if key is not None else None
    manifest = read_manifest(folder)
    differences = verify_outputs(folder) + changed_inputs(root, manifest)
    if differences:
        raise InputError(
            [Problem(str(folder), f"输出与 manifest 不符,拒绝打包:{d}") for d in differences]
        )
    entries: list[tuple[str, bytes]] = [
        (f"outputs/{p.relative_to(folder).as_posix()}", p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and FAILED_DIR not in p.relative_to(folder).parts
        and p.relative_to(folder).as_posix() != TIMINGS  # when it ran is not the evidence
    ]
    for record in manifest["inputs"]:  # changed_inputs has refused paths outside the workspace
        assert safe_relative(record["path"])
        path = inside(root, record["path"], "输入文件", within=boundary(root))
        entries.append((f"inputs/{record['path']}", path.read_bytes()))
    if signer is not None:
        signature = base64.b64encode(signer.sign((folder / MANIFEST).read_bytes())).decode()
        entries.append((SIGNATURE_ENTRY, (signature + "\n").encode("ascii")))
        write_text(signature_file(folder), signature + "\n", mode=0o444)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = dest_dir / f"{manifest['academic_year']}-evidence-{digest}.zip"
    write_bytes(target, data)
    return target


def load_private_key(path: Path) -> Any:
    """A PEM Ed25519 private key (`openssl genpkey -algorithm ed25519 -out key.pem`)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError.one(
            str(path), f"无法读取私钥(应为无口令的 PEM 格式 Ed25519 私钥):{str(exc)[:80]}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError.one(str(path), "不是 Ed25519 私钥;签名只支持 Ed25519")
    return key
