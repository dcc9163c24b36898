"""The form as one value: everything a workspace's `forms/` and reference files say, read once.

A `FormSet` holds the statistics form's rows, sections and figures, the raw tables' schemas, the
profile schema and its ceilings, the checklist's reference items, the claims and (parsed on first
use, for the tables the checks name) the rule catalogue, with the form's edition name and one
SHA-256 over every file it was read from. It is loaded once per process for each distinct content
(`load_formset` caches by that hash), passed explicitly to whatever reads the form, and recorded in
the manifest. No count of rows or items is written in code: `n_rows` and `n_items` come from here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import workspace as paths
from disclosure.errors import InputError
from disclosure.inputs.forms import (
    Citation,
    Claim,
    FigureSpec,
    ProfileField,
    RowDef,
    Section,
    TableDef,
    load_citations,
    load_claims,
    load_layout,
    load_profile_schema,
    load_statistics_form,
    load_table_defs,
)
from disclosure.inputs.yamlio import read_yaml

# Every file the form is read from, in the order they are hashed (a missing optional file hashes
# as absent, so adding it changes the digest).
FORM_FILES = (
    paths.STATISTICS_FORM,
    paths.TABLES_FORM,
    paths.RULES_FORM,
    paths.CLAIMS_FORM,
    paths.CITATIONS_FORM,
    paths.AUDIT_FORM,
    paths.CHECKLIST_ITEMS,
)
DEFAULT_EDITION = "chongqing"


@dataclass(frozen=True)
class FormSet:
    root: Path  # the first workspace whose forms/ and data/reference/ were read with this content
    edition: str
    digest: str  # SHA-256 over FORM_FILES (name, then content)
    title: str  # the printed form's name (statistics.yaml `form:`)
    table_defs: dict[str, TableDef]
    rows: tuple[RowDef, ...]
    sections: tuple[Section, ...]
    figures: tuple[FigureSpec, ...]
    profile_schema: dict[str, ProfileField]
    ceilings: dict[str, int]
    reference: pd.DataFrame  # the checklist's items (data/reference/checklist_items.csv)
    claims: tuple[Claim, ...]
    citations: tuple[Citation, ...] = ()  # forms/citations.csv
    # What later stages derive from the form once (the parsed rule catalogue): filled by them,
    # keyed by what they derive it for.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_rows(self) -> int:
        """How many rows the statistics form has."""
        return len(self.rows)

    @property
    def n_items(self) -> int:
        """How many items the checklist has."""
        return len(self.reference)

    def record(self) -> dict[str, object]:
        """What the manifest records of the form."""
        return {
            "edition": self.edition,
            "title": self.title,
            "sha256": self.digest,
            "rows": self.n_rows,
            "items": self.n_items,
        }


_CACHE: dict[str, FormSet] = {}  # by digest: the institutions of a collection share one form


def form_digest(root: Path) -> str:
    """SHA-256 over the form's files (each file's name and bytes; an absent file as absent)."""
    digest = hashlib.sha256()
    for rel in FORM_FILES:
        path = root / rel
        digest.update(rel.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"\0absent\0")
        digest.update(b"\0")
    return digest.hexdigest()


def load_formset(root: Path) -> FormSet:
    """The FormSet of `root`, read and validated once per process for each distinct content (the
    institutions of a collection, whose forms/ link to the collection's, share one)."""
    root = Path(root).resolve()
    digest = form_digest(root)
    if digest not in _CACHE:
        _CACHE[digest] = _read(root, digest)
    return _CACHE[digest]


def _read(root: Path, digest: str) -> FormSet:
    defs = load_table_defs(root)
    rows = load_statistics_form(root, defs)
    sections, figures = load_layout(root, rows)
    spec = read_yaml(root / paths.STATISTICS_FORM, paths.STATISTICS_FORM) or {}
    tables = read_yaml(root / paths.TABLES_FORM, paths.TABLES_FORM) or {}
    try:
        reference = pd.read_csv(
            root / paths.CHECKLIST_ITEMS, encoding="utf-8", dtype={"item": int, "category_no": int}
        )
    except (OSError, ValueError) as exc:
        raise InputError.one(paths.CHECKLIST_ITEMS, f"无法读取清单参考表:{exc}") from None
    return FormSet(
        root=root,
        edition=str(spec.get("edition") or DEFAULT_EDITION),
        digest=digest,
        title=str(spec.get("form") or ""),
        table_defs=defs,
        rows=tuple(rows),
        sections=sections,
        figures=figures,
        profile_schema=load_profile_schema(root),
        ceilings=_ceilings(tables),
        reference=reference,
        claims=tuple(load_claims(root)),
        citations=tuple(load_citations(root)),
    )


def _ceilings(tables: dict[str, Any]) -> dict[str, int]:
    """The `max:` of each int field of the profile schema (forms/tables.yaml `profile:`)."""
    fields = (tables.get("profile") or {}).get("fields") or {}
    return {
        str(name): spec["max"]
        for name, spec in fields.items()
        if isinstance(spec, dict)
        and isinstance(spec.get("max"), int)
        and not isinstance(spec["max"], bool)
    }
