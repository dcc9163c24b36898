"""The pipeline of one academic year, in order, and of many.

    load → statistics → previous year → checklist → categories → findings      (check_year)
    load (validation only) → execute the notebook → outputs → manifest → swap  (run_year)

The stage functions below are the only call sequence: `disclosure check` calls check_year, the
notebook calls the same stages one per cell (so the auditor sees each), and run_year validates with
`load` before a cell runs (while the kernel starts) and lets the notebook compute the rest once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure.checks.catalogue import check_all
from disclosure.compute.checklist import checklist_categories, checklist_items
from disclosure.compute.statistics import statistics, with_previous
from disclosure.errors import InputError, Problem
from disclosure.inputs.dataset import YearData, load_year
from disclosure.inputs.formset import FormSet
from disclosure.workspace import PARAMS_DIR, PROFILE_FILE, STATISTICS_FORM

STAGES = ("load", "rebuild", "previous", "checklist", "categories", "check")


@dataclass(frozen=True)
class Previous:
    year: str
    statistics: pd.DataFrame | None  # None when the workspace does not hold that year


@dataclass(frozen=True)
class YearResult:
    data: YearData
    statistics: pd.DataFrame
    checklist: pd.DataFrame
    categories: pd.DataFrame
    previous: Previous
    findings: pd.DataFrame


def load(root: Path, year: str, forms: FormSet | None = None) -> YearData:
    """Stage 1: parameters, forms and every input read and validated (all problems at once)."""
    return load_year(root, year, forms)


def previous(data: YearData, rebuilt: Callable[[str], pd.DataFrame] | None = None) -> Previous:
    """The previous year's rebuilt table, when that year's params exist in the workspace.

    `rebuilt(year)` gives another year's statistics table when the caller already has it (a
    collection loads each year once); like load_year it raises InputError for a year that does
    not load."""
    start = int(data.year[:4])
    year = data.params.previous_year or f"{start - 1}-{start}"
    if not (data.root / PARAMS_DIR / f"{year}.yaml").is_file():
        return Previous(year, None)
    try:
        table = rebuilt(year) if rebuilt else statistics(load_year(data.root, year, data.forms))
        return Previous(year, table)
    except InputError as exc:
        if not data.params.previous_year:
            return Previous(year, None)  # the implicit previous year is reported when it is run
        shown = f"{PARAMS_DIR}/{data.year}.yaml"  # named explicitly: it must load and validate
        raise InputError(
            [
                Problem(shown, f"参数“previous_year”指定的学年 {year} 的数据有误:{p}")
                for p in exc.problems
            ]
        ) from None


def rebuild(data: YearData, before: Previous) -> pd.DataFrame:
    """Stage 2: the statistics table, each row beside its definition, source, published and
    previous value."""
    return with_previous(statistics(data), before.statistics)


def checklist(data: YearData) -> pd.DataFrame:
    return checklist_items(data)


def categories(items: pd.DataFrame) -> pd.DataFrame:
    return checklist_categories(items)


def check(
    data: YearData, stats: pd.DataFrame, items: pd.DataFrame, before: Previous
) -> pd.DataFrame:
    """Every check of forms/rules.yaml, failed errors first."""
    return check_all(data, stats, items, before.year if before.statistics is not None else None)


def check_year(root: Path, year: str) -> YearResult:
    """Everything `disclosure check` needs, without a kernel: the stages in order."""
    data = load(root, year)
    before = previous(data)
    stats = rebuild(data, before)
    items = checklist(data)
    return YearResult(
        data, stats, items, categories(items), before, check(data, stats, items, before)
    )


def run_year(
    root: Path, year: str, strict: bool = False, dest: Path | None = None, kernel: Any = None
) -> Any:
    """Run one year: validate (while the kernel starts), execute the workbook, write outputs
    atomically.

    Raises InputError before any cell runs (the kernel started meanwhile is stopped), RunFailed
    when the notebook fails (the failed notebook is kept). `dest` (default outputs/<year>) is
    replaced only when the run completes and differs (the earlier evidence is kept under
    outputs/superseded/). `kernel`: a started kernel the caller lends (batch.warm); None: the run
    starts and stops its own.
    Returns an evidence.execute.RunResult (year, out_dir, summary, findings, stages, kept).
    """
    from disclosure.evidence.launch import lean_imports

    lean_imports()  # before nbformat/jupytext: without JupyterLab's format plugins and servers
    from disclosure.evidence.execute import execute_year

    return execute_year(root, year, strict, dest, validate=load_drawable, kernel=kernel)


def load_drawable(root: Path, year: str) -> YearData:
    """`load`, and the words the figures draw from the inputs (the institution in each figure's
    source line, the form's captions and labels) checked against the figure fonts: a character
    no font holds is bad input named here, not a missing-glyph error in a cell of the notebook."""
    from disclosure.errors import FontMissing
    from disclosure.present.charts import cjk_font_file, undrawable

    data = load(root, year)
    try:
        cjk_font_file()
    except FontMissing:
        return data  # the run reports the missing font itself
    shown = f"{data.params.data_dir}/{PROFILE_FILE}"
    texts = [(shown, "institution", str(data.profile.get("institution") or ""))]
    for spec in data.figures:
        labels = [spec.caption, spec.xlabel, spec.ylabel, *(label for _, label in spec.rows)]
        for title, rows in spec.panels:
            labels += [title, *(label for _, label in rows)]
        texts += [(STATISTICS_FORM, f"图表 {spec.name}", " ".join(labels))]
    problems = [
        Problem(
            file,
            f"“{key}”中的字{'、'.join(f'“{c}”(U+{ord(c):04X})' for c in missing)}在图表字体"
            "中没有字形,图中会显示为方框;请改用通行的写法(生僻字可用常用字或拼音代替)",
        )
        for file, key, text in texts
        if (missing := undrawable(text))
    ]
    if problems:
        raise InputError(problems)
    return data


# Every way a year's run (or a batch's institution-year) can end, and what the office reads for it:
# the one definition (batch_summary.csv, the failure table and the overview take these words).
STATUS_ZH = {
    "passed": "校验通过",
    "failed_checks": "未通过校验",
    "bad_input": "输入有误",
    "run_failed": "运行失败",
    "crashed": "任务异常",  # a batch task that raised or whose worker was lost
    "skipped": "已是最新,跳过",  # a batch's kept year (its verdict read back by evidence.verdict)
}


@dataclass(frozen=True)
class YearOutcome:
    """What happened to one year of a batch, as plain values (it crosses process boundaries)."""

    year: str
    status: str  # a key of STATUS_ZH: "passed" | "failed_checks" | "bad_input" | "run_failed"
    summary: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    message: str = ""
    out_dir: str = ""
    failed_dir: str = ""
    findings: Any = None
    seconds: float = 0.0
    digest: str = ""  # SHA-256 of the run's manifest.json (outputs/<year>.sha256)
    kept: str = ""  # new | unchanged | superseded (evidence.execute.RunResult.kept)
    superseded: str = ""  # where the earlier, different evidence was moved


def run_one(root: Path, year: str, strict: bool = False, kernel: Any = None) -> YearOutcome:
    """run_year, with every expected failure turned into an outcome (for batches and worker
    processes); `kernel` as for run_year."""
    import time

    from disclosure.errors import RunFailed

    started = time.perf_counter()
    try:
        result = run_year(root, year, strict=strict, kernel=kernel)
    except InputError as exc:
        return YearOutcome(year, "bad_input", problems=tuple(str(p) for p in exc.problems))
    except RunFailed as exc:
        return YearOutcome(
            year, "run_failed", message=str(exc), failed_dir=str(exc.failed_dir or "")
        )
    except OSError as exc:  # a read-only outputs/, a full disk: the old outputs are untouched
        return YearOutcome(year, "run_failed", message=write_failure(exc))
    status = "failed_checks" if result.summary["errors"] else "passed"
    return YearOutcome(
        year,
        status,
        summary=result.summary,
        out_dir=str(result.out_dir),
        findings=result.findings,
        seconds=time.perf_counter() - started,
        digest=result.digest,
        kept=result.kept,
        superseded=str(result.superseded or ""),
    )


WRITE_ERRORS = {  # errno name → what it means to the user
    "ENOSPC": "磁盘空间已满",
    "EDQUOT": "磁盘配额已用完",
    "EFBIG": "文件超过系统允许的大小上限",
    "EROFS": "文件系统为只读",
    "EACCES": "没有写入权限",
    "EPERM": "没有写入权限",
}


def write_failure(exc: OSError) -> str:
    """A write that failed, in Chinese: what, where, and that the earlier outputs are intact."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    what = WRITE_ERRORS.get(name, f"系统错误 {name or exc.errno}")
    where = f"({exc.filename})" if exc.filename else ""
    return f"无法写入输出{where}:{what};请处理后重新运行"


def run_many(
    root: Path, years: list[str], strict: bool = False, jobs: int = 1
) -> list[YearOutcome]:
    """Several years of one workspace (see run_pairs)."""
    return run_pairs([(root, year) for year in years], strict, jobs)


def run_pairs(
    pairs: list[tuple[Path, str]], strict: bool = False, jobs: int = 1
) -> list[YearOutcome]:
    """(workspace, year) pairs — many years, or many institutions' workspaces — in worker processes
    when jobs > 1 (two workers give ~1.9x on two cores); outcomes in the order given."""
    roots = [root for root, _ in pairs]
    years = [year for _, year in pairs]
    if jobs > 1 and len(pairs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(run_one, roots, years, [strict] * len(pairs)))
    return [run_one(root, year, strict) for root, year in pairs]
