"""The findings table: one frozen record per check, and what every reader of it needs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

SEVERITY_ZH = {"error": "错误", "warning": "提示"}
PASSED_ZH = {True: "通过", False: "未通过", None: "不适用"}
# The same verdicts by name (the audit of a published report also skips what its family lacks)
OUTCOME_ZH = {
    "passed": PASSED_ZH[True],
    "failed": PASSED_ZH[False],
    "not_applicable": PASSED_ZH[None],
    "skipped": "跳过",
}


@dataclass(frozen=True)
class Finding:
    """The result of one check: what was checked, with its values filled in, and where they
    came from."""

    id: str
    severity: str
    family: str
    title: str
    check: str
    filled: str
    passed: bool | None
    sources: str
    basis: str
    hint: str = ""  # how to fix it, in words (forms/rules.yaml `hint`)
    cause: str = ""  # the id of a failed rule that explains this failure (its `explains`)
    message: str = ""  # what is wrong, in one plain sentence with its values (empty when passed)

    def record(self) -> dict[str, object]:
        return asdict(self)


COLUMNS = [f.name for f in fields(Finding)]


def failed(findings: pd.DataFrame) -> pd.DataFrame:
    """The checks that did not pass (a check that does not apply has passed = None, not False)."""
    return findings[findings["passed"].map(lambda p: p is not None and p == False)]  # noqa: E712


def summary(findings: pd.DataFrame) -> dict[str, int]:
    bad = failed(findings)
    return {
        "rules": len(findings),
        "errors": int((bad["severity"] == "error").sum()),
        "warnings": int((bad["severity"] == "warning").sum()),
    }


def grouped(findings: pd.DataFrame) -> list[tuple[pd.Series, list[pd.Series]]]:
    """Failed checks by cause: each failure that no other failure explains, with the failures it
    explains under it (K01's two readings of item 7 explain C01, N01 and P01 on row 11)."""
    bad = failed(findings)
    causes = bad["cause"] if "cause" in bad else pd.Series("", index=bad.index)
    roots = [row for (_, row), cause in zip(bad.iterrows(), causes, strict=True) if not cause]
    return [(root, [row for _, row in bad[causes == root["id"]].iterrows()]) for root in roots]


def said(finding: pd.Series | dict[str, object]) -> str:
    """What a finding says in words: its `message`, or (findings read from before the column
    existed) its filled-in check."""
    message = finding.get("message")
    return message if isinstance(message, str) and message else str(finding.get("filled", ""))


def sentence(finding: pd.Series) -> str:
    """A failed check in one plain sentence: what is wrong, where, and how to fix it."""
    severity = SEVERITY_ZH.get(str(finding["severity"]), "")
    message = finding.get("message")
    what = message if isinstance(message, str) and message else f"未满足:{finding['filled']}"
    text = f"[{severity}] {finding['id']} {finding['title']}——{what}。"
    text += f"数据来源:{finding['sources']}。" if finding.get("sources") else ""
    hint = finding.get("hint")
    return text + (f"修改建议:{hint}" if isinstance(hint, str) and hint else "")


def ordered(findings: pd.DataFrame) -> pd.DataFrame:
    """Failed errors first, then failed warnings, then the rest; stable by id within each group."""
    rank = findings["passed"].map({False: 0, None: 1, True: 2}).fillna(1) * 2 + (
        findings["severity"] != "error"
    )
    return (
        findings.assign(_rank=rank)
        .sort_values(["_rank", "id"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
