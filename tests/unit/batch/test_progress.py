from __future__ import annotations

import io

from rich.console import Console

from disclosure.batch.progress import counts_text, eta_text, failure_table, show_batch
from disclosure.batch.run import Outcome, Progress


def test_time_left_is_shown_in_minutes_or_hours():
    assert eta_text(None) == "剩余 --:--"
    assert eta_text(0) == "剩余 00:00"
    assert eta_text(59.6) == "剩余 01:00"
    assert eta_text(3599) == "剩余 59:59"
    assert eta_text(3600) == "剩余 1:00:00"


def test_counts_name_done_failed_skipped():
    counts = Progress(3)
    counts.add(Outcome("A", "y", "passed"))
    counts.add(Outcome("B", "y", "crashed"))
    assert counts_text(counts).startswith("完成 1 · 失败 1 · 跳过 0 · 剩余 ")


def test_the_failure_table_names_institution_year_cause_and_evidence():
    assert failure_table([Outcome("A", "y", "passed")]) is None
    table = failure_table(
        [Outcome("B", "2030-2031", "run_failed", message="内核异常", evidence="/k")]
    )
    console = Console(file=io.StringIO(), width=200)
    console.print(table)
    text = console.file.getvalue()
    for word in ("未通过的机构学年(1 个)", "B", "2030-2031", "运行失败", "内核异常", "/k"):
        assert word in text


def test_show_batch_of_nothing_to_run_prints_the_bar_and_the_table(tmp_path, monkeypatch):
    from disclosure.batch import progress

    outcome = Outcome("A", "2030-2031", "skipped", errors=1, evidence="/o")

    def fake(items, scheduler, workers, warm, on_outcome, force):
        counts = Progress(1)
        counts.add(outcome)
        on_outcome(outcome, counts)
        return [outcome]

    monkeypatch.setattr(progress, "run_batch", fake)
    console = Console(file=io.StringIO(), width=200)
    assert show_batch([], None, 2, console=console) == [outcome]
    text = console.file.getvalue()
    assert "本机 2 个工作进程" in text and "跳过 1" in text and "已是最新,跳过" in text
