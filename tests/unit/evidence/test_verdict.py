from __future__ import annotations

import json

import pytest

from disclosure.errors import InputError
from disclosure.evidence.verdict import read_verdict

FINDINGS = [
    {"id": "K01", "severity": "error", "passed": False},
    {"id": "Y01", "severity": "warning", "passed": False},
    {"id": "A06", "severity": "error", "passed": False},
    {"id": "A01", "severity": "error", "passed": True},
    {"id": "A07", "severity": "error", "passed": None},
    {"id": "H01", "severity": "warning", "passed": True},
]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_the_verdict_counts_failed_checks_by_severity_in_order(tmp_path, bom):
    (tmp_path / "findings.json").write_bytes(bom + json.dumps(FINDINGS).encode("utf-8"))
    verdict = read_verdict(tmp_path)
    assert verdict.rules == 6
    assert (verdict.errors, verdict.warnings) == (2, 1)
    assert verdict.failed_errors == ("K01", "A06") and verdict.failed_warnings == ("Y01",)


def test_not_applicable_and_passed_checks_are_not_failures(tmp_path):
    findings = [f for f in FINDINGS if f["passed"] is not False]
    (tmp_path / "findings.json").write_text(json.dumps(findings), encoding="utf-8")
    verdict = read_verdict(tmp_path)
    assert (verdict.errors, verdict.warnings, verdict.failed_errors) == (0, 0, ())


@pytest.mark.parametrize("text", ["{", '{"id": "A01"}', '["A01"]'])
def test_an_unreadable_verdict_names_the_file(tmp_path, text):
    (tmp_path / "findings.json").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="findings.json"):
        read_verdict(tmp_path)


def test_a_missing_verdict_names_the_file(tmp_path):
    with pytest.raises(InputError, match="findings.json"):
        read_verdict(tmp_path)
