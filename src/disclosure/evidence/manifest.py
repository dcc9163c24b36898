"""The manifest: what was run, on what, with what (not when: a run's times go to timings.json,
outside the seal and the digest); and the record of a failed run."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from disclosure import workspace as paths
from disclosure.inputs.provenance import file_record, git_state, sha256, versions
from disclosure.workspace import write_text


def manifest(
    root: Path,
    inputs: list[dict[str, object]],
    folder: Path,
    year: str,
    outcome: dict[str, int],
) -> dict[str, Any]:
    """What the evidence is: the year, its verdict, every input and output with its hash, the
    forms, versions, font, PDF engine and git state. No time: two runs that give the same outputs
    from the same inputs give the same manifest, so the registered digest and a signature hold."""
    from disclosure.inputs.formset import load_formset
    from disclosure.present.charts import cjk_font_file
    from disclosure.present.typeset import typst_version

    outputs = [
        {**file_record(p, folder), "path": p.relative_to(folder).as_posix()}
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    font = cjk_font_file()
    return {
        "academic_year": year,
        "summary": outcome,
        "inputs": inputs,
        "outputs": outputs,
        "forms": {
            p: sha256(root / p)
            for p in (paths.STATISTICS_FORM, paths.TABLES_FORM, paths.RULES_FORM)
            if (root / p).is_file()
        },
        "form_edition": load_formset(root).record(),  # edition, title, one hash, rows and items
        "versions": versions(),
        "font": {"file": str(font), "sha256": sha256(font)},
        "pdf_engine": f"Typst {typst_version()}",
        "git": git_state(root),
    }


SEAL = "seal"  # the manifest's own digest, over everything else it records


def seal_of(record: dict[str, Any]) -> str:
    """SHA-256 of the record without its seal, as canonical JSON (sorted keys, no spaces): any edit
    of a summary, a parameter, an input hash or a time changes it. A forger who recomputes it is
    caught by the anchored digest (`verify --digest`) or the signature (`verify --key`)."""
    body = {k: v for k, v in record.items() if k != SEAL}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed_text(record: dict[str, Any]) -> str:
    """The manifest as written: the record with its seal, indented JSON (the seal is computed
    over the values as JSON gives them back, so a reader recomputes the same)."""
    plain = jsonable({k: v for k, v in record.items() if k != SEAL})
    sealed = {**plain, SEAL: seal_of(plain)}
    return json.dumps(sealed, ensure_ascii=False, indent=2) + "\n"


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def keep_failed(
    nb: Any,
    final: Path,
    started: datetime,
    stages: dict[str, float],
    root: Path,
    inputs: list[dict[str, object]],
    error: str,
) -> Path:
    """Keep the failed notebook (with its error) beside, never over, the previous outputs."""
    import nbformat

    failed = final / "failed"
    write_text(failed / "workbook.ipynb", nbformat.writes(nb), mode=0o444)
    manifest = {
        "academic_year": final.name,
        "error": error,
        "inputs": inputs,
        "outputs": [file_record(failed / "workbook.ipynb", failed)],
        "versions": versions(),
        "git": git_state(root),
        "started": started.isoformat(timespec="seconds"),
        "stages_seconds": stages,
    }
    write_text(failed / "manifest.json", sealed_text(manifest), mode=0o444)
    return failed
