"""Find the workspace (the folder holding params/ and forms/) and resolve paths safely inside it."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .paths import WORKSPACE_MARKERS


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds every workspace marker (as git finds .git)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / marker).is_dir() for marker in WORKSPACE_MARKERS):
            return folder
    raise InputError.one(
        str(here), "找不到工作区:当前目录及其上级目录中没有同时包含 params/ 和 forms/ 的文件夹;请进入工作区或用 --root 指定"
    )


def inside(root: Path, relative: str | Path, what: str) -> Path:
    """`root / relative`, refusing anything that resolves outside the workspace (path traversal)."""
    root = root.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise InputError.one(str(relative), f"{what}指向工作区之外({target}),只允许工作区内的路径")
    return target
