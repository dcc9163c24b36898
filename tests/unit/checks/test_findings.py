"""The findings table (disclosure.checks.findings): record, failed(), summary(), ordered(),
grouped() and sentence()."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from disclosure.checks.findings import (
    COLUMNS,
    PASSED_ZH,
    SEVERITY_ZH,
    Finding,
    failed,
    grouped,
    ordered,
    said,
    sentence,
    summary,
)


def finding(**changes: object) -> Finding:
    base = {
        "id": "A01",
        "severity": "error",
        "family": "applications",
        "title": "标题",
        "check": "r19 == r27",
        "filled": "0 == 0",
        "passed": True,
        "sources": "r19←a.csv",
        "basis": "依据",
    }
    return Finding(**{**base, **changes})  # type: ignore[arg-type]


def frame(ids: list[str], severities: list[str], passed: list[object]) -> pd.DataFrame:
    passed_column = pd.Series(passed, dtype=object)
    return pd.DataFrame({"id": ids, "severity": severities, "passed": passed_column})


# --- the record ---------------------------------------------------------------


def test_columns_are_the_finding_fields_in_order():
    assert COLUMNS == [
        "id",
        "severity",
        "family",
        "title",
        "check",
        "filled",
        "passed",
        "sources",
        "basis",
        "hint",
        "cause",
        "message",
    ]


def test_record_has_every_column_in_order_with_its_value():
    record = finding(passed=None, filled="∅ == 0").record()
    assert list(record) == COLUMNS
    assert record["passed"] is None
    assert record["filled"] == "∅ == 0"
    assert record["id"] == "A01" and record["basis"] == "依据"


def test_hint_and_cause_default_to_empty_text():
    record = finding().record()
    assert (record["hint"], record["cause"]) == ("", "")
    assert finding(hint="改正", cause="K01").record()["cause"] == "K01"


def test_finding_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding().passed = False  # type: ignore[misc]


def test_severity_and_outcome_labels_in_chinese():
    assert SEVERITY_ZH == {"error": "错误", "warning": "提示"}
    assert PASSED_ZH == {True: "通过", False: "未通过", None: "不适用"}


# --- failed -------------------------------------------------------------------


def test_failed_keeps_only_passed_false():
    findings = frame(["A", "B", "C"], ["error"] * 3, [True, False, None])
    assert failed(findings)["id"].tolist() == ["B"]


def test_failed_accepts_numpy_bools():
    findings = frame(["A", "B", "C"], ["error"] * 3, [np.True_, np.False_, None])
    assert failed(findings)["id"].tolist() == ["B"]


def test_failed_on_a_bool_column():
    findings = pd.DataFrame({"id": ["A", "B"], "severity": ["error"] * 2, "passed": [False, True]})
    assert findings["passed"].dtype == bool
    assert failed(findings)["id"].tolist() == ["A"]


def test_failed_does_not_count_not_applicable():
    findings = frame(["A", "B"], ["error", "warning"], [None, None])
    assert failed(findings).empty


def test_failed_does_not_count_nan():
    findings = frame(["A", "B"], ["error", "error"], [False, float("nan")])
    assert failed(findings)["id"].tolist() == ["A"]


# --- summary ------------------------------------------------------------------


def test_summary_counts_failed_errors_and_warnings_apart():
    findings = frame(
        ["A", "B", "C", "D", "E", "F", "G"],
        ["error", "error", "warning", "warning", "warning", "error", "warning"],
        [False, np.False_, False, True, None, None, np.True_],
    )
    assert summary(findings) == {"rules": 7, "errors": 2, "warnings": 1}


def test_summary_of_all_passed():
    findings = frame(["A", "B"], ["error", "warning"], [True, True])
    assert summary(findings) == {"rules": 2, "errors": 0, "warnings": 0}


def test_summary_values_are_plain_ints():
    found = summary(frame(["A"], ["error"], [False]))
    assert all(type(v) is int for v in found.values())


# --- ordered ------------------------------------------------------------------


def test_ordered_ranks_failed_errors_then_failed_warnings_then_not_applicable_then_passed():
    findings = frame(
        ["A", "B", "C", "D", "E", "F", "G", "H"],
        ["error", "warning", "error", "warning", "error", "error", "warning", "warning"],
        [True, False, None, False, False, True, None, True],
    )
    result = ordered(findings)
    assert result["id"].tolist() == ["E", "B", "D", "C", "G", "A", "F", "H"]
    assert result.index.tolist() == list(range(8))


def test_ordered_sorts_by_id_within_a_group():
    findings = frame(["Z1", "A2", "M3"], ["error"] * 3, [False] * 3)
    assert ordered(findings)["id"].tolist() == ["A2", "M3", "Z1"]


def test_ordered_accepts_numpy_bools():
    findings = frame(["A", "B", "C"], ["error"] * 3, [np.True_, None, np.False_])
    assert ordered(findings)["id"].tolist() == ["C", "B", "A"]


def test_ordered_keeps_the_columns_and_adds_none():
    findings = frame(["B", "A"], ["error", "warning"], [True, False]).assign(filled=["x", "y"])
    result = ordered(findings)
    assert result.columns.tolist() == ["id", "severity", "passed", "filled"]
    assert result.to_dict("records") == [
        {"id": "A", "severity": "warning", "passed": False, "filled": "y"},
        {"id": "B", "severity": "error", "passed": True, "filled": "x"},
    ]


def test_ordered_does_not_change_its_input():
    findings = frame(["B", "A"], ["error", "error"], [True, False])
    ordered(findings)
    assert findings["id"].tolist() == ["B", "A"]
    assert findings.columns.tolist() == ["id", "severity", "passed"]


# --- grouped and sentence -----------------------------------------------------


def test_grouped_puts_each_consequence_under_its_cause_in_table_order():
    findings = frame(
        ["K01", "C01", "S02", "N01", "S03", "A01"],
        ["error"] * 6,
        [False, False, False, False, False, True],
    ).assign(cause=["", "K01", "", "K01", "S02", ""])
    groups = [(root["id"], [c["id"] for c in under]) for root, under in grouped(findings)]
    assert groups == [("K01", ["C01", "N01"]), ("S02", ["S03"])]


def test_grouped_without_a_cause_column_lists_each_failure_alone():
    findings = frame(["A", "B", "C"], ["error", "warning", "error"], [False, True, False])
    groups = [(root["id"], under) for root, under in grouped(findings)]
    assert groups == [("A", []), ("C", [])]


def test_sentence_says_what_where_and_how_to_fix():
    row = pd.Series(
        finding(passed=False, filled="1 == 0", sources="r19←a.csv", hint="核对 a.csv").record()
    )
    assert sentence(row) == (
        "[错误] A01 标题——未满足:1 == 0。数据来源:r19←a.csv。修改建议:核对 a.csv"
    )


def test_sentence_leaves_out_empty_sources_and_hint():
    row = pd.Series(finding(severity="warning", passed=False, sources="", filled="x").record())
    assert sentence(row) == "[提示] A01 标题——未满足:x。"


def test_sentence_leads_with_the_message_when_there_is_one():
    row = pd.Series(finding(passed=False, filled="1 == 0", message="第 19 行为 1").record())
    assert sentence(row) == "[错误] A01 标题——第 19 行为 1。数据来源:r19←a.csv。"


def test_said_is_the_message_or_else_the_filled_check():
    assert said(pd.Series(finding(filled="1 == 0", message="第 19 行为 1").record())) == (
        "第 19 行为 1"
    )
    assert said(pd.Series(finding(filled="1 == 0").record())) == "1 == 0"
    assert said({"filled": "1 == 0", "message": float("nan")}) == "1 == 0"
