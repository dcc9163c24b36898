"""Every entry of forms/audit.yaml has a case that fails and names what it should (issue 25): each
W01 anchor, the document rules and the catalogue the audit runs are pinned, so that deleting an
entry, or adding one without its failing case here, fails a test."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from workspaces import REPO_ROOT

from disclosure.inputs.yamlio import read_yaml
from disclosure.published import audit, detect
from disclosure.published.parse import Narrative, Paragraph, Part

SPEC = detect.load_audit_form(REPO_ROOT)
RULES = {r["id"]: r for r in SPEC["rules"]}
W01 = RULES["W01"]

# The document rules and their kinds, in the form's order.
AUDIT_RULES = [
    ("T01", "family", "warning"),
    ("T02", "parts_present", "error"),
    ("T03", "part_count", "error"),
    ("L01", "citation", "warning"),
    ("L02", "notice_number", "warning"),
    ("E01", "due_date", "warning"),
    ("E02", "period", "error"),
    ("E03", "other_years", "warning"),
    ("W01", "narrative_numbers", "error"),
]
# The checks of forms/rules.yaml the audit runs on the imported year.
CATALOGUE = [
    "A06", "A07", "A02p", "A03p", "A05p", "B01p", "B02p", "B03p", "M01p", "M02p", "F01p", "F02p",
    "F03p", "F04p", "F05p", "F06p", "C01p", "C02p", "C03p", "C04p", "C05p", "S01", "S03", "S04",
    "S05", "K01", "K02", "K04", "K05", "K06", "K07", "K08",
]  # fmt: skip

# One sentence per W01 anchor, in the anchors' order: (row, sentence, the number it states).
ANCHOR_CASES = [
    (7, "本学年专项经费 8000 元", 8000),
    (8, "设专职人员 1 人", 1),
    (9, "兼职人员 10 人", 10),
    (10, "官网发布各类信息 335 条", 335),
    (11, "主动公开高等学校信息公开事项清单（50 条）信息 174 条", 174),
    (12, "信息公开平台发布信息 100 条", 100),
    (13, "办公内网发布通知 20 条", 20),
    (14, "召开新闻发布会 2 次", 2),
    (15, "新媒体平台发布信息 30 条", 30),
    (16, "各类媒体报道 56 条", 56),
    (17, "其中头版 5 条", 5),
    (18, "头版头条报道 2 条", 2),
    (19, "收到信息公开申请 3 件", 3),
    (19, "学校未收到信息公开申请", 0),
    (20, "收到申请 3 件，办结 2 件", 2),
    (21, "因信息公开引起行政复议 5 件", 5),
    (21, "本学年无因信息公开引起的行政复议", 0),
    (22, "行政复议 5 件（赢 3 件、输 2 件）", 3),
    (23, "行政复议 5 件（赢 3 件、输 2 件）", 2),
    (24, "因信息公开引起行政诉讼 4 件", 4),
    (24, "本学年无因信息公开引起的行政诉讼", 0),
    (25, "行政诉讼 4 件（赢 3 件、输 1 件）", 3),
    (26, "行政诉讼 4 件（赢 3 件、输 1 件）", 1),
    (47, "其中同意公开 7 件", 7),
    (48, "不同意公开 2 件", 2),
    (49, "信息不存在 1 件", 1),
    (50, "申请人主动放弃 6 件", 6),
    (51, "不予公开信息 4 条", 4),
    (52, "公开电子信箱收到来信 12 件", 12),
    (53, "来信 12 件，办结 11 件", 11),
    (55, "办理申请共收费 30 元", 30),
    (55, "本学年无信息公开申请收费", 0),
]


def context(published: dict[int, object], opening=(), parts=()) -> audit.Context:
    narrative = Narrative(
        [Paragraph(t, f"第 {i} 行") for i, t in enumerate(opening, 1)], list(parts), []
    )
    return audit.Context(SimpleNamespace(narrative=narrative), None, published)


def test_the_document_rules_are_pinned():
    assert [(r["id"], r["kind"], r["severity"]) for r in SPEC["rules"]] == AUDIT_RULES
    assert set(audit.KINDS) == {kind for _, kind, _ in AUDIT_RULES}


def test_the_audit_catalogue_is_pinned_and_declared_in_the_rules_form():
    assert list(SPEC["catalogue"]) == CATALOGUE
    rules = read_yaml(REPO_ROOT / "forms" / "rules.yaml", "forms/rules.yaml")
    declared = {
        str(r["id"]) for family in rules["families"].values() for r in family.get("rules") or []
    }
    assert set(CATALOGUE) <= declared


def test_every_w01_anchor_has_its_case():
    anchors = W01["anchors"]
    assert len(anchors) == len(ANCHOR_CASES)
    assert [int(a["row"]) for a in anchors] == [row for row, _, _ in ANCHOR_CASES]


@pytest.mark.parametrize(
    "index", range(len(ANCHOR_CASES)), ids=[f"{r}-{s}" for r, s, _ in ANCHOR_CASES]
)
def test_each_w01_anchor_passes_on_its_row_and_fails_naming_it(index):
    anchor = W01["anchors"][index]
    row, sentence, stated = ANCHOR_CASES[index]
    rule = {**W01, "anchors": [anchor]}
    right = audit.narrative_numbers(rule, context({row: stated}, [sentence]))
    assert (right.outcome, right.detail) == ("passed", "正文 1 处数字与统计表一致")
    wrong = audit.narrative_numbers(rule, context({row: stated + 1}, [sentence]))
    assert wrong.outcome == "failed"
    assert wrong.detail.startswith("开头“")
    assert wrong.detail.endswith(f"”≠ 统计表第 {row} 行公布 “{stated + 1}”")
    unprinted = audit.narrative_numbers(rule, context({}, [sentence]))
    assert unprinted.detail.endswith(f"统计表第 {row} 行公布 未印出")
    # another anchor's row never answers for this one
    other = audit.narrative_numbers(rule, context({row + 1: stated}, [sentence]))
    assert other.outcome == "failed"


def test_w01_reads_full_width_digits_and_thousands_separators_in_a_part():
    rule = {**W01, "anchors": [W01["anchors"][0]]}
    part = Part("二", "主动公开情况", "第 3 行", [Paragraph("专项经费８，０００元", "第 4 行")])
    assert audit.narrative_numbers(rule, context({7: 8000}, parts=[part])).outcome == "passed"
    failed = audit.narrative_numbers(rule, context({7: 800}, parts=[part]))
    assert failed.detail.startswith("第二部分“专项经费8000元”")


def test_w01_checks_every_match_in_a_paragraph_not_only_the_first():
    rule = {**W01, "anchors": [W01["anchors"][0]]}
    text = "专项经费 8000 元；另拨专项经费 9000 元"
    failed = audit.narrative_numbers(rule, context({7: 8000}, [text]))
    assert failed.outcome == "failed"
    assert "专项经费 9000 元" in failed.detail and "专项经费 8000 元" not in failed.detail


def test_w01_a_printed_text_is_not_a_count():
    rule = {**W01, "anchors": [W01["anchors"][0]]}
    assert audit.narrative_numbers(rule, context({7: "无"}, ["专项经费 0 元"])).outcome == "failed"


@pytest.mark.parametrize(
    "cited, expected",
    [
        ("教办函〔 2014 〕 23 号", "passed"),
        ("教办函〔2014〕 23号", "passed"),
        ("教办函〔2014〕24号", "failed"),
        ("教办函〔2013〕23号", "failed"),
        ("教办厅函〔2014〕23号", "failed"),
    ],
)
def test_l02_ignores_spaces_in_a_correct_number_and_names_a_wrong_one(cited, expected):
    ctx = SimpleNamespace(reading=SimpleNamespace(text=f"《高等学校信息公开事项清单》（{cited}）"))
    result = audit.notice_number(RULES["L02"], ctx)
    assert result.outcome == expected
    if expected == "failed":
        assert result.detail == f"清单文号印为“{cited}”,应为教办函〔2014〕23号"


def test_a_not_applicable_or_skipped_error_is_never_counted_as_failed():
    findings = pd.DataFrame(
        [
            {"id": "K01", "severity": "error", "outcome": "not_applicable"},
            {"id": "K02", "severity": "error", "outcome": "skipped"},
            {"id": "K04", "severity": "error", "outcome": "passed"},
            {"id": "K05", "severity": "warning", "outcome": "not_applicable"},
        ],
        columns=audit.COLUMNS,
    )
    report = audit.ReportAudit("r.md", "已审查", findings=findings)
    assert (report.errors, report.warnings, report.failed_ids()) == (0, 0, set())
    findings.loc[0, "outcome"] = "failed"
    findings.loc[3, "outcome"] = "failed"
    assert (report.errors, report.warnings, report.failed_ids()) == (1, 1, {"K01", "K05"})
