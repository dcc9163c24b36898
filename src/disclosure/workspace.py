"""The workspace: names of its folders and files, finding it, keeping paths inside it, writing
atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from disclosure.errors import InputError

PARAMS_DIR = "params"
DATA_RAW_DIR = "data/raw"
REFERENCE_DIR = "data/reference"
FORMS_DIR = "forms"
NOTEBOOKS_DIR = "notebooks"
OUTPUTS_DIR = "outputs"
# A collection of institutions (batch.collection): its marker file and its institutions' folder.
COLLECTION_FILE = "collection.yaml"
INSTITUTIONS_DIR = "institutions"

STATISTICS_FORM = "forms/statistics.yaml"
TABLES_FORM = "forms/tables.yaml"
RULES_FORM = "forms/rules.yaml"
CLAIMS_FORM = "forms/claims.yaml"
CITATIONS_FORM = "forms/citations.csv"
AUDIT_FORM = "forms/audit.yaml"
CHECKLIST_ITEMS = "data/reference/checklist_items.csv"
WORKBOOK = "notebooks/workbook.py"

PROFILE_FILE = "profile.yaml"
NARRATIVE_FILE = "narrative.yaml"
NARRATIVE_TEMPLATE = "forms/narrative_template.yaml"
SOURCE_FILE = "SOURCE.yaml"

# Markers that identify a workspace when searching upward from the current directory.
WORKSPACE_MARKERS = (PARAMS_DIR, FORMS_DIR)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds every workspace marker (as git finds
    .git)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / marker).is_dir() for marker in WORKSPACE_MARKERS):
            return folder
    raise InputError.one(
        str(here),
        "找不到工作区:当前目录及其上级目录中没有同时包含 params/ 和 forms/ 的文件夹;"
        "请进入工作区或用 --root 指定",
    )


def inside(root: Path, relative: str | Path, what: str, within: Path | None = None) -> Path:
    """`root / relative`, refusing anything that resolves outside the workspace (path traversal),
    or outside `within` when given (see `boundary`)."""
    root = root.resolve()
    limit = root if within is None else within.resolve()
    target = (root / relative).resolve()
    if target != limit and limit not in target.parents:
        raise InputError.one(str(relative), f"{what}指向工作区之外({target}),只允许工作区内的路径")
    return target


def boundary(root: Path) -> Path:
    """What a run's recorded inputs may resolve inside: the workspace itself; for an institution
    of a collection (<collection>/institutions/<code>/, see batch.collection), the collection,
    since the institution's forms/, notebooks/ and data/reference/ link to the shared ones."""
    root = root.resolve()
    if root.parent.name == INSTITUTIONS_DIR and (root.parent.parent / COLLECTION_FILE).is_file():
        return root.parent.parent
    return root


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file.

    `mode` is the file's permission bits: 0o644 (shared, editable) for inputs such as `init`'s
    templates, 0o444 for evidence. Replacing a read-only file works: the rename needs only a
    writable folder.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, mode)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, mode: int = 0o644) -> None:
    write_bytes(path, text.encode("utf-8"), mode)
