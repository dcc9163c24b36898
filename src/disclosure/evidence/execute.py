"""Run a year: validate, execute the workbook with papermill, render, write outputs atomically."""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from disclosure import workspace as paths
from disclosure.checks.findings import summary
from disclosure.errors import InputError
from disclosure.evidence.outputs import write_results
from disclosure.inputs.provenance import file_record, git_state, sha256, versions
from disclosure.present.show import FIGURE_KEY, RESULTS_MIME
from disclosure.workspace import inside, write_bytes, write_text

INJECTED_CELL_ID = "injected-parameters"


class RunFailed(Exception):
    """The notebook raised or the kernel died; the failed notebook is kept as evidence."""

    def __init__(self, message: str, failed_dir: Path | None) -> None:
        self.failed_dir = failed_dir
        super().__init__(message)


@dataclass
class RunResult:
    year: str
    out_dir: Path
    summary: dict[str, int]
    findings: Any = None  # the executed notebook's findings table (pandas DataFrame)
    stages: dict[str, float] = field(default_factory=dict)


def run_year(root: Path, year: str, strict: bool = False, dest: Path | None = None) -> RunResult:
    """Run one academic year; raise InputError before any kernel starts when inputs are bad.

    `dest` (default outputs/<year>) is replaced only when the run completes.
    """
    from disclosure.checks.findings import check_year

    started = datetime.now(timezone.utc)
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    data, _stats, _items, _findings = check_year(root, year)  # validates params and every input, no kernel
    _font_or_stop()
    stages["validate"] = time.perf_counter() - clock
    final = dest or inside(root, f"{paths.OUTPUTS_DIR}/{year}", "输出文件夹")
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".staging-{year}-*"):  # left by a killed run; never a finished output
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{year}-", dir=final.parent))
    staging.chmod(0o755)  # mkdtemp makes 0700; the year folder is meant to be shared
    try:
        clock = time.perf_counter()
        nb, error = _execute(root, year, strict)
        stages["execute"] = time.perf_counter() - clock
        if error is not None:
            failed = _keep_failed(nb, final, started, stages, root, data.inputs, error)
            raise RunFailed(error, failed)
        findings = _findings_from(nb)
        outcome = summary(findings)
        nb.metadata["disclosure"] = {
            "summary": outcome,
            "title": f"{data.profile.get('institution', '')}{year}学年信息公开工作年度报告",
        }
        clock = time.perf_counter()
        _write_outputs(nb, staging)
        stages["render"] = time.perf_counter() - clock
        manifest = _manifest(root, data.inputs, staging, started, stages, year, outcome)
        manifest["parameters"] = _jsonable(asdict(data.params))
        manifest["corrections"] = _jsonable([asdict(c) for c in data.corrections])
        write_text(staging / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        _swap(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RunResult(year, final, outcome, findings, stages)


def _font_or_stop() -> None:
    """Figures need the CJK font; say so before a kernel starts rather than draw boxes."""
    from disclosure.present.charts import FontMissing, cjk_font_file

    try:
        cjk_font_file()
    except FontMissing as exc:
        raise InputError.one("字体", str(exc)) from None


def _execute(root: Path, year: str, strict: bool) -> tuple[Any, str | None]:
    import jupytext
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = jupytext.read(root / paths.WORKBOOK, fmt="py:percent")
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "workbook.ipynb"
        error = None
        _LAST_RUN.clear()
        try:
            pm.execute_notebook(
                source,
                str(out_path),
                parameters={"academic_year": year, "strict": strict},
                cwd=str(root),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                report_mode=False,
                engine_name=_evidence_engine(),
                request_save_on_cell_execute=False,
            )
        except PapermillExecutionError as exc:
            error = f"第 {exc.exec_count} 个执行单元格出错:{exc.ename}: {exc.evalue}"
        except Exception as exc:  # kernel death, timeouts: nbclient raises several types
            error = f"内核异常终止或执行失败:{type(exc).__name__}: {exc}"
        if out_path.exists():
            nb = nbformat.read(out_path, as_version=4)
        else:  # papermill writes nothing when the kernel dies; keep the cells that did run
            nb = _LAST_RUN.get("nb") or source
    return normalise(nb), error


_LAST_RUN: dict[str, Any] = {}  # the notebook papermill last executed, even half-run


def _evidence_engine() -> str:
    """Register, once, a papermill engine that remembers the notebook it ran.

    When the kernel dies papermill writes nothing. Saving after every cell would keep the cells that
    ran, but doubled the execution time (a ~1 MB notebook written ~70 times); this costs nothing.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    if "disclosure" not in papermill_engines._engines:

        class EvidenceEngine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # type: ignore[no-untyped-def]
                _LAST_RUN["nb"] = nb_man.nb
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

        papermill_engines.register("disclosure", EvidenceEngine)
    return "disclosure"


def normalise(nb: Any) -> Any:
    """Move volatile values out of the evidence so identical inputs give an identical notebook."""
    nb.metadata.pop("papermill", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        # jupytext gives new random ids on every read of the .py source; number them instead.
        cell["id"] = INJECTED_CELL_ID if "injected-parameters" in cell.metadata.get("tags", []) else f"cell-{index:03d}"
    return nb


def _findings_from(nb: Any) -> Any:
    import pandas as pd

    return pd.DataFrame(results_of(nb)["findings"])


def results_of(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if RESULTS_MIME in output.get("data", {}):
                return output["data"][RESULTS_MIME]
    raise RuntimeError("执行后的底稿中没有导出结果的单元格输出(标签 results)")


def figures_of(nb: Any) -> dict[str, bytes]:
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get(FIGURE_KEY)
            if name and "image/png" in output.get("data", {}):
                found[name] = base64.b64decode(output["data"]["image/png"])
    return found


def _write_outputs(nb: Any, folder: Path) -> None:
    import nbformat

    from disclosure.evidence.exporters import AuditHTMLExporter, ReportHTMLExporter, html_to_pdf

    write_text(folder / "workbook.ipynb", nbformat.writes(nb))
    write_results(results_of(nb), folder)
    for name, png in figures_of(nb).items():
        write_bytes(folder / "figures" / f"{name}.png", png)
    audit, _ = AuditHTMLExporter().from_notebook_node(nb)
    write_text(folder / "audit.html", audit)
    report, _ = ReportHTMLExporter().from_notebook_node(nb)
    write_text(folder / "report.html", report)
    write_bytes(folder / "report.pdf", html_to_pdf(report))


def _manifest(
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
        {**file_record(p, folder), "path": p.relative_to(folder).as_posix()} for p in sorted(folder.rglob("*")) if p.is_file()
    ]
    font = cjk_font_file()
    return {
        "academic_year": year,
        "summary": outcome,
        "inputs": inputs,
        "outputs": outputs,
        "forms": {
            p: sha256(root / p) for p in (paths.STATISTICS_FORM, paths.TABLES_FORM, paths.RULES_FORM) if (root / p).is_file()
        },
        "versions": versions(),
        "font": {"file": str(font), "sha256": sha256(font)},
        "pdf_engine": f"WeasyPrint {weasyprint_version()}",
        "git": git_state(root),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "stages_seconds": {k: round(v, 3) for k, v in stages.items()},
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _keep_failed(
    nb: Any, final: Path, started: datetime, stages: dict[str, float], root: Path, inputs: list[dict[str, object]], error: str
) -> Path:
    """Keep the failed notebook (with its error) beside, never over, the previous outputs."""
    import nbformat

    failed = final / "failed"
    write_text(failed / "workbook.ipynb", nbformat.writes(nb))
    manifest = {
        "error": error,
        "inputs": inputs,
        "versions": versions(),
        "git": git_state(root),
        "started": started.isoformat(timespec="seconds"),
        "stages_seconds": stages,
    }
    write_text(failed / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return failed


def _swap(staging: Path, final: Path) -> None:
    """Replace outputs/<year> by the completed staging folder; the old one survives until then."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
