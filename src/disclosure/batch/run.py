"""`disclosure batch`: every institution-year of a collection on Dask distributed, resumable.

- **Where.** A LocalCluster of `workers` processes (one thread each: a notebook run is CPU-bound and
  a kernel is its own process), or an existing cluster at `scheduler` (tcp://host:port).
- **Resume.** An institution-year is skipped when its outputs verify against their manifest and
  everything the manifest says they were made from is unchanged (`up_to_date`): each recorded input
  (params, raw files, forms, workbook, reference list) hashes the same, no input file was added,
  and the package versions are the same. A killed batch leaves finished years complete (each year's
  outputs are swapped in atomically) and unfinished ones absent, so a rerun redoes only those.
- **What comes back** from a worker is an `Outcome` of plain values; `batch_summary.csv` at the
  collection's root lists every institution-year, and the exit code is the worst of them.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from disclosure import workspace as paths
from disclosure.batch.collection import InstitutionYear
from disclosure.errors import InputError
from disclosure.evidence.verdict import read_verdict
from disclosure.evidence.verify import read_manifest, safe_relative, verify_outputs
from disclosure.inputs.provenance import sha256, versions
from disclosure.pipeline import STATUS_ZH, YearOutcome
from disclosure.workspace import write_bytes, write_text

SUMMARY_FILE = "batch_summary.csv"  # for people (BOM, Chinese headers and statuses)
SUMMARY_XLSX = "batch_summary.xlsx"
RECORD_FILE = "batch_summary.json"  # for programs: every institution-year's Outcome, merged
SUMMARY_COLUMNS = [
    "institution",
    "year",
    "status",
    "errors",
    "warnings",
    "failed_rules",
    "seconds",
    "worker",
    "evidence",
    "message",
]
SUMMARY_HEADERS = dict(
    zip(
        SUMMARY_COLUMNS,
        [
            "机构",
            "学年",
            "结果",
            "错误",
            "提示",
            "未通过的错误规则",
            "用时(秒)",
            "工作进程",
            "证据",
            "说明",
        ],
        strict=True,
    )
)


@dataclass(frozen=True)
class Outcome:
    """One institution-year of a batch, as plain values (it crosses process boundaries)."""

    institution: str
    year: str
    status: str  # a key of pipeline.STATUS_ZH
    errors: int = 0
    warnings: int = 0
    failed_rules: tuple[str, ...] = ()
    seconds: float = 0.0
    worker: str = ""
    evidence: str = ""  # the outputs folder, or the kept failed notebook's folder
    message: str = ""

    @property
    def key(self) -> str:
        return f"{self.institution}/{self.year}"

    @classmethod
    def of(cls, year: YearOutcome, institution: str, worker: str, seconds: float) -> Outcome:
        """The batch's record of a year's outcome (pipeline.YearOutcome): the same status and
        summary, with the institution, the worker and the failed error checks' ids."""
        from disclosure.checks.findings import failed

        rules: tuple[str, ...] = ()
        if year.findings is not None:
            bad = failed(year.findings)
            rules = tuple(str(i) for i in bad.loc[bad["severity"] == "error", "id"])
        return cls(
            institution,
            year.year,
            year.status,
            errors=int(year.summary.get("errors", 0)),
            warnings=int(year.summary.get("warnings", 0)),
            failed_rules=rules,
            seconds=seconds,
            worker=worker,
            evidence=year.failed_dir or year.out_dir,
            message=year.message or "；".join(year.problems),
        )

    @property
    def exit_code(self) -> int:
        if self.status == "bad_input":
            return 2
        if self.status in ("failed_checks", "run_failed", "crashed") or self.errors:
            return 1
        return 0


def up_to_date(item: InstitutionYear) -> tuple[bool, dict[str, Any] | None]:
    """(whether the year's outputs may be kept, their manifest). Kept when the outputs verify and
    every input, form, parameter file and package version recorded in the manifest is unchanged and
    no input file has appeared since."""
    folder = item.root / paths.OUTPUTS_DIR / item.year
    if not (folder / "manifest.json").is_file():
        return False, None
    try:
        manifest = read_manifest(folder)
    except InputError:
        return False, None
    if verify_outputs(folder) or _changed_inputs(item.root, manifest):
        return False, manifest
    recorded = {str(r["path"]) for r in manifest["inputs"]}
    data_dir = _data_dir(item)
    current = {p.relative_to(item.root).as_posix() for p in data_dir.iterdir() if p.is_file()}
    current.add(f"{paths.PARAMS_DIR}/{item.year}.yaml")  # each year stands alone
    if not current <= recorded:
        return False, manifest
    return manifest.get("versions") == versions(), manifest


def _changed_inputs(root: Path, manifest: dict[str, Any]) -> bool:
    """Whether a recorded input is missing or hashes differently. Like evidence.verify's
    changed_inputs, a recorded path must be plainly relative (no `..`, not absolute); unlike it, a
    path may pass through the institution's links to the collection's shared forms."""
    for record in manifest["inputs"]:
        rel = str(record["path"])
        path = root / rel
        if not safe_relative(rel) or not path.is_file() or sha256(path) != record["sha256"]:
            return True
    return False


def _data_dir(item: InstitutionYear) -> Path:
    from disclosure.inputs.params import load_params

    try:
        return item.root / load_params(item.root, item.year).data_dir
    except InputError:
        return item.root / paths.DATA_RAW_DIR / item.year


def run_task(root: str, year: str, institution: str, warm: bool = False) -> Outcome:
    """What a worker does with one institution-year: `pipeline.run_one` (a fresh kernel), or the
    worker's warm kernel (`batch.warm`)."""
    import socket

    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{_pid()}"
    try:
        if warm:
            from disclosure.batch.warm import run_warm

            outcome = run_warm(Path(root), year)
        else:
            from disclosure.pipeline import run_one

            outcome = run_one(Path(root), year)
    except Exception as exc:  # noqa: BLE001  anything else is reported, never lost
        return Outcome(
            institution,
            year,
            "crashed",
            seconds=time.perf_counter() - started,
            worker=worker,
            message=f"{type(exc).__name__}: {exc}",
        )
    return Outcome.of(outcome, institution, worker, time.perf_counter() - started)


def _pid() -> int:
    import os

    return os.getpid()


def skipped(item: InstitutionYear, manifest: dict[str, Any]) -> Outcome:
    """A kept year, with the verdict its outputs recorded (read from findings.json through
    evidence.verdict, never from findings.csv's text)."""
    folder = item.root / paths.OUTPUTS_DIR / item.year
    verdict = read_verdict(folder)
    return Outcome(
        item.institution,
        item.year,
        "skipped",
        errors=verdict.errors,
        warnings=verdict.warnings,
        failed_rules=verdict.failed_errors,
        evidence=str(item.root / paths.OUTPUTS_DIR / item.year),
        message="输入、表单、参数与软件版本均未变,输出已核验",
    )


@dataclass
class Progress:
    """Counts a progress display shows; `update` is called once per finished institution-year."""

    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome: Outcome) -> None:
        if outcome.status == "skipped":
            self.skipped += 1
        elif outcome.exit_code:
            self.failed += 1
        else:
            self.done += 1

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def eta(self) -> float | None:
        """Seconds left, from the pace of the years actually run (skipped ones cost nothing)."""
        ran = self.done + self.failed
        left = self.total - self.finished
        if not ran or not left:
            return None if left else 0.0
        return (time.perf_counter() - self.started) / ran * left


def local_cluster(workers: int) -> Any:
    """A LocalCluster of `workers` processes, one thread each. Its workers are not daemonic, so a
    year's run may start the processes it needs (its kernel) as `disclosure run` does."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )


def run_batch(
    items: list[InstitutionYear],
    scheduler: str | None = None,
    workers: int = 2,
    warm: bool = False,
    on_outcome: Callable[[Outcome, Progress], None] | None = None,
    force: bool = False,
) -> list[Outcome]:
    """Every institution-year: the up-to-date ones skipped, the rest run on the cluster as they
    finish (in any order); outcomes in the order of `items`."""
    from distributed import Client, as_completed

    progress = Progress(len(items))
    outcomes: dict[str, Outcome] = {}

    def record(outcome: Outcome) -> None:
        outcomes[outcome.key] = outcome
        progress.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome, progress)

    todo = []
    for item in items:
        fresh, manifest = (False, None) if force else up_to_date(item)
        if fresh and manifest is not None:
            try:
                record(skipped(item, manifest))
                continue
            except InputError:  # its verdict cannot be read back: run it again
                pass
        todo.append(item)
    if not todo:
        return [outcomes[i.key] for i in items]
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = local_cluster(workers)
        client = Client(cluster)
    try:
        futures = {
            client.submit(
                run_task, str(i.root), i.year, i.institution, warm, key=f"run-{i.key}", pure=False
            ): i
            for i in todo
        }
        for future in as_completed(futures):
            item = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001  a worker lost, a task killed
                outcome = Outcome(
                    item.institution, item.year, "crashed", message=f"{type(exc).__name__}: {exc}"
                )
            record(outcome)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (cli): say what finished
        exc.finished = list(outcomes.values())  # type: ignore[attr-defined]
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
            # The cluster's workers are gone: what a year they were running left is repaired
            # (a staging folder removed, a set-aside old folder restored) now, not at the next run.
            for item in todo:
                if item.key not in outcomes:
                    repair(item.root / paths.OUTPUTS_DIR / item.year)
    return [outcomes[i.key] for i in items]


def repair(final: Path) -> None:
    """What a killed run of this year left (evidence.execute.YearLock.recover), when no run holds
    the year; nothing when there is no outputs folder."""
    from disclosure.errors import RunFailed
    from disclosure.evidence.execute import YearLock

    if not final.parent.is_dir():
        return
    try:
        YearLock(final).release()
    except RunFailed:  # a run still holds it: it cleans up after itself
        pass


def summary_frame(outcomes: Iterable[Outcome]) -> Any:
    """The summary as people read it (Excel): Chinese headers, STATUS_ZH's words."""
    import pandas as pd

    rows = []
    for outcome in outcomes:
        row = asdict(outcome)
        row["status"] = STATUS_ZH.get(outcome.status, outcome.status)
        row["failed_rules"] = " ".join(outcome.failed_rules)
        row["seconds"] = round(outcome.seconds, 2)
        rows.append({SUMMARY_HEADERS[k]: row[k] for k in SUMMARY_COLUMNS})
    return pd.DataFrame(rows, columns=[SUMMARY_HEADERS[k] for k in SUMMARY_COLUMNS])


def summary_csv(outcomes: Iterable[Outcome]) -> str:
    """BOM-prefixed CSV (Excel opens UTF-8 with a BOM as UTF-8, not as the local code page)."""
    return "\ufeff" + summary_frame(outcomes).to_csv(index=False, lineterminator="\n")


def read_record(collection: Path) -> list[Outcome]:
    """The outcomes the collection's earlier batches recorded (batch_summary.json), none when no
    batch has run; InputError naming the file when it cannot be read."""
    path = collection / RECORD_FILE
    if not path.is_file():
        return []
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
        return [
            Outcome(**{**r, "failed_rules": tuple(r.get("failed_rules") or ())}) for r in records
        ]
    except (OSError, ValueError, TypeError) as exc:
        raise InputError.one(str(path), f"无法读取批量运行记录:{exc}") from None


def merged(earlier: Iterable[Outcome], latest: Iterable[Outcome]) -> list[Outcome]:
    """One outcome per institution-year: the latest run's, else the earlier one's; ordered by
    institution, then year."""
    by_key = {o.key: o for o in earlier}
    by_key.update({o.key: o for o in latest})
    return sorted(by_key.values(), key=lambda o: (o.institution, o.year))


def write_summary(collection: Path, outcomes: list[Outcome]) -> Path:
    """Merge this run's outcomes into the collection's record (a `--year` run keeps the other
    years' rows) and write batch_summary.json, .csv and .xlsx; returns the CSV's path."""
    every = merged(read_record(collection), outcomes)
    write_text(collection / RECORD_FILE, outcomes_json(every))
    write_text(collection / SUMMARY_FILE, summary_csv(every))
    buffer = io.BytesIO()
    summary_frame(every).to_excel(buffer, index=False, sheet_name="批量运行汇总")
    write_bytes(collection / SUMMARY_XLSX, buffer.getvalue())
    return collection / SUMMARY_FILE


def exit_code(outcomes: Iterable[Outcome]) -> int:
    return max((o.exit_code for o in outcomes), default=0)


def failure_rows(outcomes: Iterable[Outcome]) -> list[tuple[str, str, str, str, str]]:
    """(institution, year, status, cause, kept evidence) of each institution-year that did not
    pass: what the failure table shows."""
    rows = []
    for o in outcomes:
        if not o.exit_code:
            continue
        cause = o.message or ("未通过的错误级校验:" + "、".join(o.failed_rules))
        rows.append((o.institution, o.year, STATUS_ZH.get(o.status, o.status), cause, o.evidence))
    return rows


def outcomes_json(outcomes: list[Outcome]) -> str:
    return json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1)
