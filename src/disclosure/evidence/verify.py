"""Check a run's outputs against its manifest, and rerun a year to see whether results repeat."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from disclosure.errors import InputError, RunFailed
from disclosure.evidence.manifest import SEAL, seal_of
from disclosure.inputs.params import valid_academic_year
from disclosure.inputs.provenance import sha256
from disclosure.workspace import boundary, inside

MANIFEST = "manifest.json"
FAILED_DIR = "failed"  # a failed run's notebook and its own sealed manifest, checked on their own
# Each run's start, end and stage times: a log kept in the folder but outside the manifest, so
# neither its seal nor the digest covers when a run happened (README: "Proof over content").
TIMINGS = "timings.json"
# Beside outputs/<year>: the manifest's SHA-256 (sha256sum format, written by every run) and its
# Ed25519 signature (written by `disclosure archive --sign`).
DIGEST_SUFFIX = ".sha256"
SIGNATURE_SUFFIX = ".sig"


@dataclass(frozen=True)
class Difference:
    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.what}"


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError.one(str(path), "没有 manifest.json;这不是 disclosure run 生成的输出文件夹")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError.one(str(path), "manifest.json 已损坏:不是 UTF-8 文本") from None
    except json.JSONDecodeError as exc:
        raise InputError.one(
            str(path),
            f"manifest.json 已损坏:不是有效的 JSON(第 {exc.lineno} 行第 {exc.colno} 列)",
            row=exc.lineno,
        ) from None
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
    summary = manifest.get("summary")
    if summary is not None and not (
        isinstance(summary, dict) and all(isinstance(v, int) for v in summary.values())
    ):
        return False
    return manifest.get(SEAL) is None or isinstance(manifest[SEAL], str)


def safe_relative(rel: str) -> bool:
    """A recorded path is plain and relative: no absolute path, drive, backslash or `..`."""
    path = PurePosixPath(rel)
    return (
        bool(rel)
        and not path.is_absolute()
        and "\\" not in rel
        and ":" not in rel
        and ".." not in path.parts
        and "\x00" not in rel
    )


def manifest_digest(folder: Path) -> str:
    """The SHA-256 of manifest.json: with every output's hash inside it, the whole folder's."""
    return sha256(folder / MANIFEST)


def digest_file(folder: Path) -> Path:
    """outputs/<year>.sha256, beside the outputs folder."""
    return folder.with_name(folder.name + DIGEST_SUFFIX)


def digest_line(folder: Path) -> str:
    """The digest file's line, in sha256sum format: `cd outputs && sha256sum -c <year>.sha256`."""
    return f"{manifest_digest(folder)}  {folder.name}/{MANIFEST}\n"


def verify_outputs(
    folder: Path,
    digest: str | None = None,
    public_key: Path | None = None,
    signature: Path | None = None,
) -> list[Difference]:
    """Every recorded output re-hashed; changed, missing and unrecorded files are differences, and
    so are an edited manifest (its seal, its summary against findings.json), anything wrong under
    failed/, a manifest whose SHA-256 is not `digest`, and a signature that `public_key` rejects."""
    manifest = read_manifest(folder)
    found = _seal(manifest, MANIFEST)
    if valid_academic_year(manifest["academic_year"], MANIFEST):
        found.append(Difference(MANIFEST, "academic_year 不是有效学年(形如 2023-2024)"))
    found += _files(folder, manifest, exclude=FAILED_DIR)
    found += _summary(folder, manifest)
    failed = folder / FAILED_DIR
    if failed.exists() or failed.is_symlink():
        found += verify_failed(failed)
    if digest is not None:
        actual = manifest_digest(folder)
        if actual != digest.strip().lower():
            found.append(
                Difference(
                    MANIFEST,
                    f"SHA-256 为 {actual},与给定的摘要 {digest.strip().lower()[:64]} 不符"
                    "(输出文件夹与登记时不同)",
                )
            )
    if public_key is not None:
        found += check_signature(folder, public_key, signature)
    return found


def verify_failed(failed: Path) -> list[Difference]:
    """failed/ holds a failed run's notebook and its sealed manifest; both are checked."""
    prefix = f"{FAILED_DIR}/"
    if failed.is_symlink() or not failed.is_dir():
        return [Difference(FAILED_DIR, "不是普通文件夹(符号链接或文件),不是运行留下的")]
    try:
        manifest = read_manifest(failed)
    except InputError as exc:
        return [Difference(f"{prefix}{MANIFEST}", exc.problems[0].message)]
    found = _seal(manifest, f"{prefix}{MANIFEST}")
    return found + [Difference(prefix + d.path, d.what) for d in _files(failed, manifest)]


def _seal(manifest: dict, shown: str) -> list[Difference]:
    if SEAL not in manifest:
        return [Difference(shown, "没有封记(seal),无法证明未被改动;请用当前版本重新运行")]
    if seal_of(manifest) != manifest[SEAL]:
        return [Difference(shown, "内容与其封记(seal)不符:manifest.json 在运行后被改动过")]
    return []


def _files(folder: Path, manifest: dict, exclude: str | None = None) -> list[Difference]:
    recorded = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    found: list[Difference] = []
    for rel, digest in sorted(recorded.items()):
        path = folder / rel
        if not safe_relative(rel) or (exclude and PurePosixPath(rel).parts[0] == exclude):
            found.append(Difference(rel[:80], "记录的路径越出输出文件夹或不合规,拒绝读取"))
        elif _linked(folder, rel):
            found.append(Difference(rel, "是符号链接,输出文件夹中只应有普通文件"))
        elif not path.is_file():
            found.append(Difference(rel, "文件缺失"))
        elif sha256(path) != digest:
            found.append(Difference(rel, "内容与 manifest 记录的 SHA-256 不符(已被改动)"))
    for path in _listing(folder):
        rel = path.relative_to(folder).as_posix()
        if exclude and path.relative_to(folder).parts[0] == exclude:
            continue
        if rel not in recorded and rel not in (MANIFEST, TIMINGS):
            what = "符号链接" if path.is_symlink() else "文件"
            found.append(Difference(rel, f"manifest 中没有记录的{what}"))
    return found


def _linked(folder: Path, rel: str) -> bool:
    """Whether `rel` or a folder on its way is a symbolic link (its bytes would come from
    elsewhere): such a path is never read."""
    parts = PurePosixPath(rel).parts
    return any(folder.joinpath(*parts[:n]).is_symlink() for n in range(1, len(parts) + 1))


def _listing(folder: Path) -> list[Path]:
    """Every file and symbolic link under `folder`, without following links."""
    out = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        here = Path(top)
        out += [here / name for name in files]
        out += [here / name for name in dirs if (here / name).is_symlink()]
    return sorted(out)


def _summary(folder: Path, manifest: dict) -> list[Difference]:
    """The recorded summary is what the recorded findings.json says (when both are there)."""
    summary_recorded = manifest.get("summary")
    findings = folder / "findings.json"
    hashes = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    if summary_recorded is None or "findings.json" not in hashes or not findings.is_file():
        return []
    if findings.is_symlink() or sha256(findings) != hashes["findings.json"]:
        return []  # reported as a changed file already
    import pandas as pd

    from disclosure.checks.findings import summary

    try:
        records = json.loads(findings.read_text(encoding="utf-8"))
        actual = summary(pd.DataFrame(records, columns=["severity", "passed"]))
    except (ValueError, TypeError, KeyError):
        return [Difference("findings.json", "无法读取为校验结果列表")]
    if actual != summary_recorded:
        return [
            Difference(
                MANIFEST,
                f"summary 记录为 {json.dumps(summary_recorded, ensure_ascii=False)[:120]},"
                f"而 findings.json 给出 {json.dumps(actual, ensure_ascii=False)}",
            )
        ]
    return []


def load_public_key(path: Path) -> Any:
    """A PEM Ed25519 public key; anything else (a private key too) is bad input, said in Chinese."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(str(path), f"无法读取公钥文件:{exc.strerror or '读取失败'}") from None
    if b"PRIVATE KEY" in data:
        raise InputError.one(
            str(path),
            "这是私钥,不是公钥;请给出公钥(openssl pkey -in key.pem -pubout -out pub.pem),"
            "私钥不要交给核验的人",
        )
    try:
        key = load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError.one(str(path), "无法读取公钥:应为 PEM 格式的 Ed25519 公钥") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError.one(str(path), "不是 Ed25519 公钥;签名只支持 Ed25519")
    return key


def key_fingerprint(key: Any) -> str:
    """`SHA256:` and the hex SHA-256 of the raw 32-byte Ed25519 public key."""
    import hashlib

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def signature_file(folder: Path) -> Path:
    return folder.with_name(folder.name + SIGNATURE_SUFFIX)


def check_signature(folder: Path, public_key: Path, signature: Path | None) -> list[Difference]:
    """The Ed25519 signature of manifest.json (base64 text, `archive --sign`) under `public_key`."""
    from cryptography.exceptions import InvalidSignature

    key = load_public_key(public_key)
    sig_path = signature or signature_file(folder)
    if not sig_path.is_file():
        return [Difference(sig_path.name, "没有签名文件;请先运行 disclosure archive --sign")]
    try:
        sig = base64.b64decode(sig_path.read_text(encoding="ascii").strip(), validate=True)
        key.verify(sig, (folder / MANIFEST).read_bytes())
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        what = f"签名无效:manifest.json 不是该公钥签署的那一份({sig_path.name})"
        return [Difference(MANIFEST, what)]
    return []


def valid_digest(value: str, shown: str = "--digest") -> str:
    """A registered digest: 64 hexadecimal digits (any case, spaces around ignored)."""
    digest = value.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError.one(
            shown,
            f"摘要格式不对:应为 64 位十六进制的 SHA-256(如 outputs/<学年>.sha256 的第一列),"
            f"收到的是“{value.strip()[:20]}”",
        )
    return digest


def interrupted_swap(folder: Path) -> list[Path]:
    """The earlier outputs a run set aside (`.old-<year>-<pid>`) and has not yet removed or moved
    to superseded/: a run was killed in the middle of its swap (evidence.execute._swap)."""
    return sorted(folder.parent.glob(f".old-{folder.name}-*"))


# --- an archive (disclosure archive), checked as it is -----------------------------------------

ARCHIVE_SIGNATURE = "manifest.json.sig"
MAX_ARCHIVE_BYTES = 2 << 30  # unpacked; an evidence zip is a few MB


def unpack_archive(archive: Path, into: Path) -> tuple[Path, Path, Path | None]:
    """Unpack an evidence zip into `into`: (its inputs folder, as a workspace; its outputs folder;
    the signature file or None). Entries with unsafe names or beyond the size limit are refused."""
    import zipfile

    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile):
        raise InputError.one(str(archive), "无法读取为 zip 文件(文件损坏或不是证据包)") from None
    with zf:
        entries = [i for i in zf.infolist() if not i.is_dir()]
        if sum(i.file_size for i in entries) > MAX_ARCHIVE_BYTES:
            raise InputError.one(str(archive), "解压后超过 2 GB,不是本工具生成的证据包")
        for info in entries:
            name = info.filename
            top = PurePosixPath(name).parts[0] if safe_relative(name) else ""
            if top not in ("outputs", "inputs") and name != ARCHIVE_SIGNATURE:
                raise InputError.one(str(archive), f"含不合规的条目“{name[:60]}”,拒绝解压")
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source:
                target.write_bytes(source.read())
    outputs = into / "outputs"
    if not (outputs / MANIFEST).is_file():
        raise InputError.one(str(archive), "zip 中没有 outputs/manifest.json,不是证据包")
    signature = into / ARCHIVE_SIGNATURE
    (into / "inputs").mkdir(exist_ok=True)
    return into / "inputs", outputs, signature if signature.is_file() else None


def unrecorded_inputs(root: Path, manifest: dict) -> list[Difference]:
    """Files of an unpacked archive's inputs/ that its manifest does not record."""
    recorded = {str(r["path"]) for r in manifest["inputs"]}
    return [
        Difference(f"inputs/{rel}", "manifest 中没有记录的输入文件")
        for rel in sorted(p.relative_to(root).as_posix() for p in _listing(root))
        if rel not in recorded
    ]


def changed_inputs(root: Path, manifest: dict) -> list[Difference]:
    """Each recorded input re-hashed; a path that leaves the workspace (for an institution of a
    collection: the collection, see workspace.boundary) is refused, never read."""
    found = []
    for record in manifest["inputs"]:
        try:
            if not safe_relative(record["path"]):
                raise InputError.one(record["path"], "")
            path = inside(root, record["path"], "输入文件", within=boundary(root))
        except InputError:
            found.append(Difference(record["path"][:80], "记录的输入路径在工作区之外,拒绝读取"))
            continue
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
