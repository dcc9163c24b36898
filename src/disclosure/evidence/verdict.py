"""A run's verdict, read back from its evidence: the one way anything learns what a kept run found.

It reads `findings.json` (the findings as JSON, with `passed` true/false/null) beside
`manifest.json`'s summary, never display text such as findings.csv's cells, so a change in how a
table is written for people (a BOM for Excel, words instead of booleans) cannot change a verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from disclosure.errors import InputError

FINDINGS_JSON = "findings.json"
MANIFEST_JSON = "manifest.json"


@dataclass(frozen=True)
class Verdict:
    rules: int
    errors: int  # failed error checks
    warnings: int  # failed warning checks
    failed_errors: tuple[str, ...]  # ids of the failed error checks, in the findings' order
    failed_warnings: tuple[str, ...]


def read_verdict(folder: Path) -> Verdict:
    """The verdict of the run whose outputs are in `folder` (InputError naming the file when it
    cannot be read)."""
    path = folder / FINDINGS_JSON
    try:
        # utf-8-sig: a BOM, should one ever be written or added by an editor, is not content
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InputError.one(str(path), f"无法读取校验结果:{exc}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError.one(str(path), "应为校验结果的列表")
    failed = [r for r in records if r.get("passed") is False]
    errors = tuple(str(r.get("id")) for r in failed if r.get("severity") == "error")
    warnings = tuple(str(r.get("id")) for r in failed if r.get("severity") == "warning")
    return Verdict(len(records), len(errors), len(warnings), errors, warnings)
