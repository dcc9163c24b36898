"""What `disclosure batch` shows while it runs and when it ends: a rich progress bar (done, failed,
skipped, time left) and a table of the institution-years that did not pass."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from disclosure.batch.collection import InstitutionYear
from disclosure.batch.run import Outcome, failure_rows, run_batch
from disclosure.batch.run import Progress as Counts


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "剩余 --:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"剩余 {hours}:{minutes:02d}:{secs:02d}" if hours else f"剩余 {minutes:02d}:{secs:02d}"


def counts_text(counts: Counts) -> str:
    done = f"完成 {counts.done} · 失败 {counts.failed} · 跳过 {counts.skipped}"
    return f"{done} · {eta_text(counts.eta())}"


def failure_table(outcomes: list[Outcome]) -> Table | None:
    rows = failure_rows(outcomes)
    if not rows:
        return None
    table = Table(title=f"未通过的机构学年({len(rows)} 个)", show_lines=False)
    for title in ("机构", "学年", "结果", "原因", "保留的证据"):
        table.add_column(title, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def show_batch(
    items: list[InstitutionYear],
    scheduler: str | None,
    workers: int,
    warm: bool = False,
    force: bool = False,
    console: Console | None = None,
) -> list[Outcome]:
    """run_batch with a live progress bar, then the failure table; returns the outcomes."""
    console = console or Console(highlight=False)
    where = f"集群 {scheduler}" if scheduler else f"本机 {workers} 个工作进程"
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(f"批量运行({where})", total=len(items), counts="")

        def update(outcome: Outcome, counts: Counts) -> None:
            bar.update(task, completed=counts.finished, counts=counts_text(counts))

        outcomes = run_batch(items, scheduler, workers, warm, update, force)
    table = failure_table(outcomes)
    if table is not None:
        console.print(table)
    return outcomes
