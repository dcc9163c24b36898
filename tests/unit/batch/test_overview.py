"""The overview's tables from kept evidence (the notebook and its PDF: tests/end_to_end/
test_batch.py)."""

from __future__ import annotations

import json

import pandas as pd

from disclosure.batch import overview


def write_year(root, year, values, failed):
    folder = root / "outputs" / year
    folder.mkdir(parents=True)
    rows = [
        {"row": 1, "label": "门户网站", "unit": "", "value": values[0]},
        {"row": 19, "label": "收到申请", "unit": "件", "value": values[1]},
    ]
    pd.DataFrame(rows).to_csv(folder / "statistics.csv", index=False)
    findings = [
        {
            "id": "A06",
            "severity": "error",
            "title": "各方式之和",
            "passed": not failed,
        },
        {"id": "Y01", "severity": "warning", "title": "同比", "passed": False},
        {"id": "S05", "severity": "error", "title": "行数", "passed": None},
    ]
    # as `disclosure run` writes findings.json: the overview reads the verdicts there
    (folder / "findings.json").write_text(json.dumps(findings, ensure_ascii=False), "utf-8")


def collection(tmp_path):
    folder = tmp_path / "c"
    (folder / "institutions").mkdir(parents=True)
    (folder / "collection.yaml").write_text("name: t\n", encoding="utf-8")
    for code, per_year in {
        "A": {"2030-2031": (("有", 3), False), "2031-2032": (("有", 5), True)},
        "B": {"2030-2031": (("无", 4), True)},
    }.items():
        root = folder / "institutions" / code
        (root / "params").mkdir(parents=True)
        for year, (values, failed) in per_year.items():
            (root / "params" / f"{year}.yaml").write_text(f"academic_year: {year}\n", "utf-8")
            write_year(root, year, values, failed)
    # a year with params but no outputs yet is not part of the overview
    (folder / "institutions/B/params/2031-2032.yaml").write_text("academic_year: x\n", "utf-8")
    return folder


def test_collect_reads_every_kept_year(tmp_path):
    evidence = overview.collect(collection(tmp_path))
    keys = set(zip(evidence.statistics["institution"], evidence.statistics["year"], strict=True))
    assert keys == {("A", "2030-2031"), ("A", "2031-2032"), ("B", "2030-2031")}
    assert evidence.summary.empty
    failed = evidence.findings[evidence.findings["failed"]]
    assert sorted(zip(failed["institution"], failed["id"], strict=True)) == [
        ("A", "A06"),
        ("A", "Y01"),
        ("A", "Y01"),
        ("B", "A06"),
        ("B", "Y01"),
    ]


def test_rows_across_sums_counts_and_names_the_most_frequent_answer(tmp_path):
    evidence = overview.collect(collection(tmp_path))
    table = overview.rows_across(evidence.statistics, {1: "flag", 19: "count"}).set_index("行")
    assert table.loc[19, "2030-2031"] == 7 and table.loc[19, "2031-2032"] == 5
    assert table.loc[1, "2031-2032"] == "有(1/1)"
    assert table.loc[1, "2030-2031"] in ("有(1/2)", "无(1/2)")


def test_failing_rules_are_counted_most_frequent_first_and_not_applicable_is_not_a_failure(
    tmp_path,
):
    evidence = overview.collect(collection(tmp_path))
    top = overview.failing_rules(evidence.findings)
    assert list(top["规则"]) == ["Y01", "A06"]
    assert list(top["未通过的机构学年"]) == [3, 2]
    assert list(top["级别"]) == ["提示", "错误"]
    assert list(overview.failing_rules(evidence.findings, top=1)["规则"]) == ["Y01"]
    nothing = evidence.findings.assign(failed=False)
    assert overview.failing_rules(nothing).empty


def test_trends_count_institutions_with_errors_and_total_rows_by_year(tmp_path):
    evidence = overview.collect(collection(tmp_path))
    trend = overview.trends(evidence.statistics, evidence.findings, rows=(19,))
    assert list(trend.index) == ["2030-2031", "2031-2032"]
    assert list(trend["机构数"]) == [2, 1]
    assert list(trend["有错误的机构数"]) == [1, 1]
    assert list(trend["第 19 行:收到申请"]) == [7, 5]


def test_collect_reads_the_batch_record_not_the_csv(tmp_path):
    from disclosure.batch.run import Outcome, write_summary

    folder = collection(tmp_path)
    write_summary(folder, [Outcome("A", "2030-2031", "failed_checks", errors=1)])
    (folder / "batch_summary.csv").write_text("garbled", encoding="utf-8")
    summary = overview.collect(folder).summary
    assert list(summary["status"]) == ["failed_checks"] and list(summary["errors"]) == [1]


def test_a_quiet_kernel_keeps_its_log_lines_off_the_terminal(capfd):
    import time

    manager = overview.quiet_manager_class()
    km = manager(kernel_name="python3")
    km.start_kernel()
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    for _ in range(50):  # the kernel writes its stderr file on its own
        if "IPKernelApp" in manager.printed():
            break
        time.sleep(0.1)
    assert "without encryption" in manager.printed()  # ipykernel's warning, kept
    assert "IPKernelApp" not in capfd.readouterr().err  # not shown
