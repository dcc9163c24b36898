"""The province overview: what every institution's kept evidence says, side by side, and the
notebook (notebooks/province.py) that shows it, run by papermill and rendered to HTML and PDF.

Read only from each institution-year's outputs (statistics.csv, findings.json) and the
collection's batch record (batch_summary.json), so the overview is the evidence's numbers, not a
second computation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import workspace as paths
from disclosure.batch.collection import institution_years
from disclosure.batch.run import read_record
from disclosure.checks.findings import SEVERITY_ZH
from disclosure.evidence.verdict import FINDINGS_JSON
from disclosure.workspace import write_bytes, write_text

NOTEBOOK = "notebooks/province.py"
OVERVIEW_DIR = "overview"
NUMERIC_KINDS = ("count", "amount")


@dataclass
class Evidence:
    statistics: pd.DataFrame  # institution, year, row, label, unit, value (every kept year)
    findings: pd.DataFrame  # institution, year, id, severity, title, failed
    summary: pd.DataFrame  # batch_summary.json's outcomes (empty when no batch has run)


def collect(collection: Path) -> Evidence:
    """Every institution-year's kept statistics and findings."""
    stats, findings = [], []
    for item in institution_years(collection):
        folder = item.root / paths.OUTPUTS_DIR / item.year
        if not (folder / "statistics.csv").is_file() or not (folder / FINDINGS_JSON).is_file():
            continue
        one = pd.read_csv(folder / "statistics.csv", dtype=str, keep_default_na=False)
        stats.append(one.assign(institution=item.institution, year=item.year))
        records = json.loads((folder / FINDINGS_JSON).read_text(encoding="utf-8-sig"))
        checks = pd.DataFrame(records, columns=["id", "severity", "title", "passed"])
        checks["failed"] = [p is False for p in records_passed(records)]
        findings.append(
            checks.drop(columns="passed").assign(institution=item.institution, year=item.year)
        )
    statistics = pd.concat(stats, ignore_index=True) if stats else pd.DataFrame()
    if not statistics.empty:
        statistics["row"] = statistics["row"].astype(int)
    every = pd.concat(findings, ignore_index=True) if findings else pd.DataFrame()
    recorded = read_record(collection)
    summary = pd.DataFrame([asdict(o) for o in recorded]) if recorded else pd.DataFrame()
    return Evidence(statistics, every, summary)


def records_passed(records: list[dict[str, Any]]) -> list[Any]:
    """Each finding's `passed` as findings.json holds it (True, False or None)."""
    return [r.get("passed") for r in records]


def rows_across(statistics: pd.DataFrame, kinds: dict[int, str]) -> pd.DataFrame:
    """The form's rows across institutions, one column per year: for a count or an amount the
    total of every institution's rebuilt value; for a flag or text the most frequent answer and
    its share."""
    out = []
    for (row, label, unit), group in statistics.groupby(["row", "label", "unit"], sort=True):
        record: dict[str, object] = {"行": row, "项目": label, "单位": unit}
        for year, cells in group.groupby("year", sort=True):
            if kinds.get(int(row)) in NUMERIC_KINDS:
                numbers = pd.to_numeric(cells["value"], errors="coerce")
                record[year] = int(numbers.sum())
            else:
                counts = cells["value"].value_counts()
                record[year] = f"{counts.index[0]}({counts.iloc[0]}/{len(cells)})"
        out.append(record)
    return pd.DataFrame(out)


def failing_rules(findings: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The rules failed by the most institution-years, with how many and which severity."""
    bad = findings[findings["failed"]]
    if bad.empty:
        return pd.DataFrame(columns=["规则", "级别", "名称", "未通过的机构学年"])
    counted = (
        bad.groupby(["id", "severity", "title"]).size().rename("未通过的机构学年").reset_index()
    )
    counted = counted.sort_values(
        ["未通过的机构学年", "id"], ascending=[False, True], kind="stable"
    )
    counted["severity"] = counted["severity"].map(SEVERITY_ZH)
    counted = counted.rename(columns={"id": "规则", "severity": "级别", "title": "名称"})
    return counted.head(top).reset_index(drop=True)


def trends(statistics: pd.DataFrame, findings: pd.DataFrame, rows: tuple[int, ...]) -> pd.DataFrame:
    """By year: institutions reporting, those failing an error check, and the totals of `rows`."""
    years = sorted(statistics["year"].unique())
    out = pd.DataFrame(index=pd.Index(years, name="学年"))
    out["机构数"] = statistics.groupby("year")["institution"].nunique()
    errors = findings[findings["failed"] & (findings["severity"] == "error")]
    out["有错误的机构数"] = errors.groupby("year")["institution"].nunique()
    out = out.fillna(0).astype(int)
    for row in rows:
        picked = statistics[statistics["row"] == row]
        label = str(picked["label"].iloc[0]) if len(picked) else f"第 {row} 行"
        totals = pd.to_numeric(picked["value"], errors="coerce").groupby(picked["year"]).sum()
        out[f"第 {row} 行:{label[:18]}"] = totals.reindex(years).fillna(0).astype(int)
    return out


def run_overview(collection: Path) -> dict[str, Path]:
    """Execute notebooks/province.py on the collection with papermill and write overview/
    province.ipynb, province.html and province.pdf (the collection's shared notebooks/)."""
    import jupytext
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter
    from weasyprint import HTML

    source = jupytext.read(collection / NOTEBOOK, fmt="py:percent")
    out = collection / OVERVIEW_DIR
    out.mkdir(exist_ok=True)
    executed = out / "province.ipynb"
    manager = quiet_manager_class()
    try:
        pm.execute_notebook(
            source,
            str(executed),
            parameters={"collection": str(collection.resolve())},
            cwd=str(collection),
            kernel_name="python3",
            progress_bar=False,
            kernel_manager_class=manager,
        )
    except Exception:
        # what the kernel printed is kept beside the failed notebook, not shown in the terminal
        write_text(out / KERNEL_LOG, manager.printed())
        raise
    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    html, _ = exporter.from_notebook_node(nb)
    style = "<style>body, table { font-family: 'Noto Sans CJK SC', sans-serif; }</style>"
    html = html.replace("</head>", style + "</head>", 1)
    write_bytes(out / "province.html", html.encode("utf-8"))
    write_bytes(out / "province.pdf", HTML(string=html, base_url=str(out)).write_pdf())
    return {k: out / f"province.{k}" for k in ("ipynb", "html", "pdf")}


KERNEL_LOG = "province.kernel.log"


def quiet_manager_class() -> Any:
    """A kernel manager whose kernels' stderr (ipykernel's and libraries' log lines, such as
    "Kernel is running over TCP without encryption") goes to a temporary file rather than the
    terminal of batch or overview; `printed()` reads back what the last kernel wrote."""
    import tempfile

    from jupyter_client.manager import KernelManager

    class QuietKernelManager(KernelManager):
        log_file: Any = None

        def start_kernel(self, **kw: Any) -> None:
            QuietKernelManager.log_file = tempfile.TemporaryFile()  # noqa: SIM115
            super().start_kernel(stderr=QuietKernelManager.log_file, **kw)

        @classmethod
        def printed(cls) -> str:
            if cls.log_file is None:
                return ""
            cls.log_file.seek(0)
            return cls.log_file.read().decode("utf-8", errors="replace")

    return QuietKernelManager


def kinds_of(collection: Path) -> dict[int, str]:
    """Each row's kind, from the shared form."""
    from disclosure.inputs.forms import load_statistics_form, load_table_defs

    return {r.row: r.kind for r in load_statistics_form(collection, load_table_defs(collection))}
