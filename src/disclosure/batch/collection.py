"""A collection: many institutions' workspaces sharing one set of forms.

    <collection>/
      collection.yaml            marks the folder as a collection (name, description)
      forms/  notebooks/  data/reference/      shared by every institution
      institutions/<code>/       one workspace per institution (code: letters, digits, - or _)
        params/<year>.yaml  data/raw/<year>/  outputs/<year>/
        forms -> ../../forms   notebooks -> ../../notebooks
        data/reference -> ../../../data/reference

Each institution is an ordinary workspace (`disclosure run/check --root institutions/<code>`), whose
shared folders are relative symbolic links to the collection's, so one edit of forms/rules.yaml
applies to every institution and each run's manifest hashes the forms it really read.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from disclosure import workspace as paths
from disclosure.errors import InputError
from disclosure.inputs.scaffold import init_year
from disclosure.workspace import write_text

COLLECTION_FILE = paths.COLLECTION_FILE
INSTITUTIONS_DIR = paths.INSTITUTIONS_DIR
SHARED = (paths.FORMS_DIR, paths.NOTEBOOKS_DIR, paths.REFERENCE_DIR)
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class InstitutionYear:
    institution: str  # the folder name under institutions/
    root: Path  # the institution's workspace
    year: str

    @property
    def key(self) -> str:
        return f"{self.institution}/{self.year}"


def is_collection(folder: Path) -> bool:
    return (folder / COLLECTION_FILE).is_file()


def find_collection(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding collection.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_collection(folder):
            return folder
    raise InputError.one(
        str(here),
        f"找不到机构集合:当前目录及其上级目录中没有 {COLLECTION_FILE};"
        "请进入集合文件夹或用 --root 指定",
    )


def create_collection(folder: Path, template: Path, name: str = "") -> Path:
    """A new, empty collection in `folder`, its shared forms copied from workspace `template`."""
    if is_collection(folder):
        raise InputError.one(str(folder / COLLECTION_FILE), "机构集合已存在,未做任何改动")
    folder.mkdir(parents=True, exist_ok=True)
    for part in SHARED:
        shutil.copytree(
            template / part,
            folder / part,
            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
        )
    (folder / INSTITUTIONS_DIR).mkdir(exist_ok=True)
    record = {"name": name or folder.name, "institutions": INSTITUTIONS_DIR}
    write_text(folder / COLLECTION_FILE, yaml.safe_dump(record, allow_unicode=True))
    return folder


def init_institution(collection: Path, code: str, year: str, fmt: str = "csv") -> list[Path]:
    """`disclosure init <year> --institution <code>`: the institution's workspace (created with
    links to the shared forms when new) and the year's params file and templates in it."""
    if not CODE.match(code):
        raise InputError.one(
            "命令行",
            f"机构代码“{code}”无效:只能用字母、数字、- 和 _,以字母或数字开头,至多 64 个字符",
        )
    root = collection / INSTITUTIONS_DIR / code
    made: list[Path] = []
    if not root.exists():
        (root / paths.PARAMS_DIR).mkdir(parents=True)
        for part in SHARED:
            link = root / part
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.relpath(collection / part, link.parent))
            made.append(link)
    return made + init_year(root, year, fmt)


def institutions(collection: Path) -> list[Path]:
    """Every institution's workspace, by code."""
    folder = collection / INSTITUTIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / paths.PARAMS_DIR).is_dir())


def institution_years(collection: Path, years: list[str] | None = None) -> list[InstitutionYear]:
    """Every (institution, year) of the collection with a params file, optionally only `years`."""
    out = []
    for root in institutions(collection):
        for params in sorted((root / paths.PARAMS_DIR).glob("*.yaml")):
            if years is None or params.stem in years:
                out.append(InstitutionYear(root.name, root, params.stem))
    return out
