"""The manifest: what was run, on what, with what, and how long it took; and the record of a
failed run."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from disclosure import workspace as paths
from disclosure.inputs.provenance import file_record, git_state, sha256, versions
from disclosure.workspace import write_text


def manifest(
    root: Path,
    inputs: list[dict[str, object]],
    folder: Path,
    started: datetime,
    stages: dict[str, float],
    year: str,
    outcome: dict[str, int],
) -> dict[str, Any]:
    from disclosure.evidence.exporters import weasyprint_version
    from disclosure.present.charts import cjk_font_file

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
        "versions": versions(),
        "font": {"file": str(font), "sha256": sha256(font)},
        "pdf_engine": f"WeasyPrint {weasyprint_version()}",
        "git": git_state(root),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "stages_seconds": {k: round(v, 3) for k, v in stages.items()},
    }


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
        "error": error,
        "inputs": inputs,
        "versions": versions(),
        "git": git_state(root),
        "started": started.isoformat(timespec="seconds"),
        "stages_seconds": stages,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_text(failed / "manifest.json", text, mode=0o444)
    return failed
