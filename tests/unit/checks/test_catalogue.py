"""Every rule of forms/rules.yaml, one at a time, on small hand-made data: each passes and fails.

A case builds a `Context` directly (values rN / pN / yoy_threshold, the tables `statistics` and
`checklist`, and the extras the code checks read), loads the real catalogue and evaluates only the
rule under test. Boundaries are tested on both sides, so a weakened comparison or an off-by-one
limit in the catalogue fails a case, and a rule deleted from the catalogue fails its cases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from disclosure import pipeline
from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.findings import Finding
from disclosure.checks.rules import REQUIREMENTS, Context, evaluate_rules, load_rules
from disclosure.errors import InputError
from disclosure.inputs.forms import load_citations, load_claims

REPO = Path(__file__).resolve().parents[3]
RULES_FILE = REPO / "forms" / "rules.yaml"
N_ROWS = 55
# The columns of the pipeline's tables (test_hand_made_tables_have_the_pipeline_columns keeps them).
STATISTICS_COLUMNS = (
    "row", "label", "unit", "kind", "expected", "allowed", "value", "definition", "source",
    "source_file", "source_table", "source_rows", "printed_no", "reported", "published", "agrees",
    "previous",
)  # fmt: skip
CHECKLIST_COLUMNS = (
    "item", "ref_category", "category_name", "item_text", "mandatory", "status", "source",
    "category", "count", "count_alt", "count_printed", "links", "links_printed", "on_platform",
    "remark", "transcription_note", "line", "links_list", "n_links", "n_distinct_links",
    "n_web_links", "duplicate_links", "non_web_links", "published", "verified",
)  # fmt: skip
TABLE_COLUMNS = {"statistics": STATISTICS_COLUMNS, "checklist": CHECKLIST_COLUMNS}
EVERYTHING = frozenset(REQUIREMENTS)

# Each rule over rebuilt values with a published-table twin: the twin is its id + "p", over pN.
TWINNED = (
    "A02", "A03", "A05", "B01", "B02", "B03", "M01", "M02", "F01", "F02", "F03", "F04", "F05",
    "F06", "C01", "C02", "C03", "C04", "C05",
)  # fmt: skip
TWINS = {f"{rule_id}p" for rule_id in TWINNED}
EXPECTED_IDS = {
    "A01", "A02", "A03", "A04", "A05", "A06", "A07", "B01", "B02", "B03", "M01", "M02",
    "F01", "F02", "F03", "F04", "F05", "F06", "C01", "C02", "C03", "C04", "C05", "S01", "S02",
    "S03", "S04", "S05", "P01", "K01", "K02", "K03", "K03w", "K04", "K05", "K06", "K07", "K08",
    "K09", "N01", "N02", "N05", "N06", "N07", "N08", "H01", "H02", "H03", "H04", "H05", "Y01",
    "D01",
} | TWINS  # fmt: skip
WARNING_IDS = {
    "B03", "F06", "C02", "K03w", "K05", "K06", "K07", "K08", "K09", "N02", "Y01",
    "B03p", "F06p", "C02p", "S04", "N06", "N07", "H01", "H02", "H03", "H04", "H05",
}  # fmt: skip
REQUIRED = {
    **dict.fromkeys(sorted(TWINS), ("reported_statistics",)),
    "S04": ("reported_statistics",),
    "S05": ("reported_statistics",),
    "A06": ("reported_statistics",),
    "A07": ("reported_statistics",),
    "S01": ("reported_statistics",),
    "S03": ("reported_statistics",),
    "P01": ("reported_statistics",),
    "K01": ("reported_statistics",),
    "Y01": ("previous_year",),
    "D01": ("source_record",),
}
CATALOGUE = {rule.id: rule for rule in load_rules(REPO, N_ROWS, TABLE_COLUMNS)}


def declared_ids(path: Path) -> list[str]:
    """The ids as written in a rules.yaml, read without the engine."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(r["id"]) for family in data["families"].values() for r in family["rules"]]


# --- hand-made data -----------------------------------------------------------

FLAG_CHOICES = {54: ["收费", "不收费"]}
EXPECTED_TEXT = {"count": "非负整数", "amount": "非负整数", "text": "文字"}


def stat(row: int, value: Any, kind: str = "count", **changes: Any) -> dict[str, Any]:
    """One row of the rebuilt statistics table; published and previous equal the value."""
    allowed = FLAG_CHOICES.get(row, ["有", "无"]) if kind == "flag" else []
    record = {
        "row": row,
        "label": f"第 {row} 行",
        "unit": "",
        "kind": kind,
        "expected": "或".join(allowed) if kind == "flag" else EXPECTED_TEXT[kind],
        "allowed": allowed,
        "value": value,
        "definition": "",
        "source": f"raw/t.csv 第 {row + 1} 行",
        "source_file": "raw/t.csv",
        "source_table": "t",
        "source_rows": [row + 1],
        "printed_no": str(row),
        "reported": str(value),
        "published": value,
        "agrees": True,
        "previous": value,
    }
    assert set(changes) <= set(record), set(changes) - set(record)
    return {**record, **changes}


def item(n: int, count: int, **changes: Any) -> dict[str, Any]:
    """One checklist item on spreadsheet line n + 1, with `count` distinct web links."""
    links = [f"https://a.cn/{n}/{i}" for i in range(count)]
    record = {
        "item": n,
        "ref_category": 1,
        "category_name": "基本信息",
        "item_text": f"事项{n}",
        "mandatory": "是",
        "status": "verified",
        "source": "",
        "category": 1,
        "count": count,
        "count_alt": None,
        "count_printed": str(count),
        "links": " ".join(links) or None,
        "links_printed": None,
        "on_platform": "是" if count else None,
        "remark": None,
        "transcription_note": None,
        "line": n + 1,
        "links_list": links,
        "n_links": count,
        "n_distinct_links": count,
        "n_web_links": count,
        "duplicate_links": "",
        "non_web_links": "",
        "published": count > 0,
        "verified": True,
    }
    assert set(changes) <= set(record), set(changes) - set(record)
    return {**record, **changes}


BASE_STATISTICS = (
    stat(1, "有", "flag"),
    stat(3, "校长", "text"),
    stat(7, 8000, "amount"),
    stat(10, 335),
    stat(54, "不收费", "flag"),
)
# Counts 2 + 1 + 0 = 3, as p11 of the base values.
BASE_CHECKLIST = (item(1, 2), item(2, 1, mandatory="否"), item(3, 0, mandatory="否"))
TEMPLATE = "官网发布信息 {r10} 条,清单事项 {r11} 条。"
HASH_A, HASH_B, HASH_C = "a" * 64, "b" * 64, "c" * 64
CITES_492 = ("开头第 1 段", "根据《政府信息公开条例》(国务院令 第 492 号)")
CITES_711 = ("开头第 1 段", "根据《中华人民共和国政府信息公开条例》(国务院令第711号)")
BASE_EXTRAS = {
    "narrative": {
        "opening": [{"template": TEMPLATE, "printed": "官网发布信息335条,清单事项 3 条。"}]
    },
    "narrative_values": {"r10": 335, "r11": 3},
    "narrative_sentences": [
        ("第四部分第 1 段", "学校未收到明确要求信息公开的相关申请及无信息公开申请收费情况。"),
        ("开头第 1 段", "《关于编报 2024 年高校信息公开工作年度报告的通知》(渝教办发〔2024〕1 号)"),
    ],
    "claims": load_claims(REPO),
    "citations": load_citations(REPO),
    "source_hashes": {"a.csv": HASH_A, "b.csv": HASH_B},
    "raw_hashes": {"a.csv": HASH_A, "b.csv": HASH_B},
}


def base_values() -> dict[str, Any]:
    """rN and pN of a 55-row table that passes every rule, the yoy_threshold parameter and the
    line counts of the published table and the form."""
    values: dict[str, Any] = {f"r{n}": 0 for n in range(1, N_ROWS + 1)}
    values.update(r1="有", r2="有", r3="校长", r4="办公室", r5="办公室", r6="无", r8=1, r9=10)
    values.update(r10=3, r11=3, r12=3, r54="不收费")
    values.update({f"p{n}": values[f"r{n}"] for n in range(1, N_ROWS + 1)})
    values["yoy_threshold"] = 0.5
    values.update(published_lines=N_ROWS, form_rows=N_ROWS)  # lines published, rows of the form
    values.update(
        {
            "profile.document_number": "某大文〔2024〕50号",
            "profile.signer": "张三",
            "profile.report_date": "2024-10-14",
            "document_number_year": 2024,
            "report_year": 2024,
            "period_end": "2024-08-31",
            "report_deadline": "2024-10-31",
        }
    )
    return values


def make_context(
    statistics: Any = None,
    checklist: Any = None,
    extras: dict[str, Any] | None = None,
    available: Any = EVERYTHING,
    **values: Any,
) -> Context:
    merged = base_values()
    assert set(values) <= set(merged), set(values) - set(merged)
    merged.update(values)
    tables = {
        "statistics": pd.DataFrame(
            list(BASE_STATISTICS if statistics is None else statistics),
            columns=list(STATISTICS_COLUMNS),
        ),
        "checklist": pd.DataFrame(
            list(BASE_CHECKLIST if checklist is None else checklist),
            columns=list(CHECKLIST_COLUMNS),
        ),
    }
    return Context(
        values=merged,
        tables=tables,
        sources={name: f"来源 {name}" for name in merged if name != "yoy_threshold"},
        table_sources={
            "statistics": "重算统计表",
            "checklist": "checklist.csv",
            "narrative": "narrative.yaml",
            "source_record": "SOURCE.yaml",
        },
        available=set(available),
        extras={**BASE_EXTRAS, **(extras or {})},
    )


def run(rule_id: str, context: Context) -> Finding:
    (finding,) = evaluate_rules([CATALOGUE[rule_id]], context, CODE_CHECKS)
    return finding


# --- cases: (rule, what, passed, exact `filled` or None, changes) -------------


def case(rule_id: str, what: str, passed: bool, filled: str | None = None, **changes: Any) -> Any:
    return pytest.param(rule_id, changes, passed, filled, id=f"{rule_id}-{what}")


def sum_cases(rule_id: str, head: int, terms: range, prefix: str = "r") -> list[Any]:
    """`head == t1 + t2 + ...`: each term 1, the head their count, one more, one less."""
    parts = {f"{prefix}{t}": 1 for t in terms}
    total = " + ".join(["1"] * len(terms))
    n = len(terms)
    name = f"{prefix}{head}"
    return [
        case(rule_id, "total-equals-sum", True, f"{n} == {total}", **parts, **{name: n}),
        case(rule_id, "total-one-more", False, f"{n + 1} == {total}", **parts, **{name: n + 1}),
        case(rule_id, "total-one-less", False, f"{n - 1} == {total}", **parts, **{name: n - 1}),
    ]


def not_more_cases(rule_id: str, small: str, big: str) -> list[Any]:
    """`small <= big`: equal passes, one less passes, one more fails."""
    return [
        case(rule_id, "equal", True, "3 <= 3", **{small: 3, big: 3}),
        case(rule_id, "less", True, "2 <= 3", **{small: 2, big: 3}),
        case(rule_id, "one-more", False, "4 <= 3", **{small: 4, big: 3}),
    ]


def not_less_cases(rule_id: str, big: str, small: str) -> list[Any]:
    """`big >= small`: equal passes, one more passes, one less fails."""
    return [
        case(rule_id, "equal", True, "3 >= 3", **{big: 3, small: 3}),
        case(rule_id, "more", True, "4 >= 3", **{big: 4, small: 3}),
        case(rule_id, "one-less", False, "3 >= 4", **{big: 3, small: 4}),
    ]


def changed(row: int, previous: Any, value: Any, kind: str = "count") -> list[dict[str, Any]]:
    return [stat(row, value, kind, previous=previous)]


VALUE_CASES = [
    *sum_cases("A01", 19, range(27, 31)),
    *sum_cases("A02", 19, range(31, 34)),
    *sum_cases("A03", 19, range(34, 47)),
    *sum_cases("A04", 20, range(47, 51)),
    *not_more_cases("A05", "r20", "r19"),
    *sum_cases("A06", 19, range(27, 31), prefix="p"),
    *sum_cases("A07", 20, range(47, 51), prefix="p"),
    case("B01", "sum-equals-total", True, "1 + 1 <= 2", r21=2, r22=1, r23=1),
    case("B01", "sum-below-total", True, "1 + 0 <= 2", r21=2, r22=1, r23=0),
    case("B01", "first-term-one-more", False, "2 + 1 <= 2", r21=2, r22=2, r23=1),
    case("B01", "second-term-one-more", False, "1 + 2 <= 2", r21=2, r22=1, r23=2),
    case("B02", "sum-equals-total", True, "1 + 1 <= 2", r24=2, r25=1, r26=1),
    case("B02", "first-term-one-more", False, "2 + 1 <= 2", r24=2, r25=2, r26=1),
    case("B02", "second-term-one-more", False, "1 + 2 <= 2", r24=2, r25=1, r26=2),
    case("B03", "nothing-at-all", True, "0 > 0 or 0 + 0 == 0"),
    case("B03", "one-application-and-appeals", True, "1 > 0 or 1 + 1 == 0", r19=1, r21=1, r24=1),
    case("B03", "appeal-without-application", False, "0 > 0 or 1 + 0 == 0", r21=1),
    case("B03", "lawsuit-without-application", False, "0 > 0 or 0 + 1 == 0", r24=1),
    *not_more_cases("M01", "r17", "r16"),
    *not_more_cases("M02", "r18", "r17"),
    case("F01", "free-and-zero", True, "'不收费' != '不收费' or 0 == 0", r54="不收费", r55=0),
    case("F01", "charged-and-amount", True, "'收费' != '不收费' or 50 == 0", r54="收费", r55=50),
    case("F01", "free-but-1", False, "'不收费' != '不收费' or 1 == 0", r54="不收费", r55=1),
    case("F02", "zero-and-free", True, "0 == 0 or '不收费' == '收费'", r54="不收费", r55=0),
    case("F02", "amount-and-charged", True, "50 == 0 or '收费' == '收费'", r54="收费", r55=50),
    case("F02", "1-but-free", False, "1 == 0 or '不收费' == '收费'", r54="不收费", r55=1),
    case("F02", "1-but-printed-0-yuan", False, "1 == 0 or '0 元' == '收费'", r54="0 元", r55=1),
    case("F03", "no-project-no-money", True, "'无' != '无' or 0 == 0", r6="无", r7=0),
    case("F03", "project-and-money", True, "'有' != '无' or 8000 == 0", r6="有", r7=8000),
    case("F03", "no-project-8000", False, "'无' != '无' or 8000 == 0", r6="无", r7=8000),
    case("F03", "no-project-1", False, "'无' != '无' or 1 == 0", r6="无", r7=1),
    case("F04", "no-money-no-project", True, "0 == 0 or '无' == '有'", r6="无", r7=0),
    case("F04", "money-and-project", True, "8000 == 0 or '有' == '有'", r6="有", r7=8000),
    case("F04", "money-without-project", False, "8000 == 0 or '无' == '有'", r6="无", r7=8000),
    *not_more_cases("F05", "r53", "r52"),
    case("F06", "full-time-only", True, "1 + 0 > 0", r8=1, r9=0),
    case("F06", "part-time-only", True, "0 + 1 > 0", r8=0, r9=1),
    case("F06", "nobody", False, "0 + 0 > 0", r8=0, r9=0),
    *not_less_cases("C01", "r12", "r11"),
    *not_less_cases("C02", "r10", "r12"),
    case("C03", "portal-and-items", True, "'有' == '有' or 335 == 0", r1="有", r10=335),
    case("C03", "no-portal-no-items", True, "'无' == '有' or 0 == 0", r1="无", r10=0),
    case("C03", "no-portal-1-item", False, "'无' == '有' or 1 == 0", r1="无", r10=1),
    case("C04", "platform-and-items", True, "'有' == '有' or 174 == 0", r2="有", r12=174),
    case("C04", "no-platform-no-items", True, "'无' == '有' or 0 == 0", r2="无", r12=0),
    case("C04", "no-platform-1-item", False, "'无' == '有' or 1 == 0", r2="无", r12=1),
    case("C05", "portal-and-platform", True, "'有' == '有' or '有' == '无'", r1="有", r2="有"),
    case("C05", "neither", True, "'无' == '有' or '无' == '无'", r1="无", r2="无"),
    case("C05", "platform-without-portal", False, "'无' == '有' or '有' == '无'", r1="无", r2="有"),
]


def on_published(cases: list[Any]) -> list[Any]:
    """The cases of each twinned rule, for its published twin: every rN changed is pN instead, with
    the same verdict and filled text (the base values have pN == rN, so only the twin sees them)."""
    out = []
    for param in cases:
        rule_id, changes, passed, filled = param.values
        if rule_id in TWINNED:
            moved = {re.sub(r"^r(?=\d+$)", "p", k): v for k, v in changes.items()}
            what = param.id.removeprefix(f"{rule_id}-")
            out.append(case(f"{rule_id}p", what, passed, filled, **moved))
    return out


VALUE_CASES += on_published(VALUE_CASES)

OK = "无问题"
CEILING = 1_000_000_000
STATISTICS_CASES = [
    case("S01", "numbers-match", True, OK),
    case("S01", "full-width-number", True, OK, statistics=[stat(51, 0, printed_no="５１")]),
    case("S01", "blank-number-skipped", True, OK, statistics=[stat(51, 0, printed_no=" ")]),
    case("S01", "missing-number-skipped", True, OK, statistics=[stat(51, 0, printed_no=None)]),
    case("S01", "one-less", False, "第 51 行印为“50”", statistics=[stat(51, 0, printed_no="50")]),
    case("S01", "one-more", False, "第 51 行印为“52”", statistics=[stat(51, 0, printed_no="52")]),
    case(
        "S01", "words", False, "第 51 行印为“五十一”", statistics=[stat(51, 0, printed_no="五十一")]
    ),
    case("S02", "every-kind-right", True, OK),
    case("S02", "zero-count", True, OK, statistics=[stat(10, 0)]),
    case(
        "S02",
        "flag-0-yuan",
        False,
        "第 54 行应填收费或不收费,实际为“0 元”",
        statistics=[stat(54, "0 元", "flag")],
    ),
    case(
        "S02",
        "flag-of-another-row",
        False,
        "第 1 行应填有或无,实际为“收费”",
        statistics=[stat(1, "收费", "flag")],
    ),
    case(
        "S02", "count-minus-1", False, "第 10 行应填非负整数,实际为“-1”", statistics=[stat(10, -1)]
    ),
    case(
        "S02",
        "count-in-words",
        False,
        "第 10 行应填非负整数,实际为“三”",
        statistics=[stat(10, "三")],
    ),
    case(
        "S02", "count-true", False, "第 10 行应填非负整数,实际为“True”", statistics=[stat(10, True)]
    ),
    case(
        "S02",
        "amount-fraction",
        False,
        "第 7 行应填非负整数,实际为“12.5”",
        statistics=[stat(7, 12.5, "amount")],
    ),
    case(
        "S02",
        "text-digits",
        False,
        "第 3 行应填文字,实际为“12.5”",
        statistics=[stat(3, "12.5", "text")],
    ),
    case(
        "S02", "text-missing", False, "第 3 行应填文字,实际为“”", statistics=[stat(3, None, "text")]
    ),
    case(
        "S02", "flag-number", False, "第 1 行应填有或无,实际为“1”", statistics=[stat(1, 1, "flag")]
    ),
    case("S03", "every-kind-right", True, OK),
    case(
        "S03",
        "rebuilt-wrong-published-right",
        True,
        OK,
        statistics=[stat(54, "0 元", "flag", published="不收费", reported="不收费")],
    ),
    case(
        "S03",
        "flag-published-0",
        False,
        "第 54 行应填收费或不收费,公布为“0”",
        statistics=[stat(54, "不收费", "flag", published="0", reported="0")],
    ),
    case(
        "S03",
        "count-published-in-words",
        False,
        "第 10 行应填非负整数,公布为“三百”",
        statistics=[stat(10, 300, published="三百", reported="三百")],
    ),
    case(
        "S03",
        "count-published-minus-1",
        False,
        "第 10 行应填非负整数,公布为“-1”",
        statistics=[stat(10, 0, published=-1, reported="-1")],
    ),
    case("S04", "every-count-small", True, OK),
    case("S04", "at-ceiling", True, OK, statistics=[stat(10, 0, published=CEILING)]),
    case(
        "S04",
        "one-above-ceiling",
        False,
        "第 10 行公布为“1000000001”,超过 1000000000",
        statistics=[stat(10, 0, published=CEILING + 1, reported=str(CEILING + 1))],
    ),
    case(
        "S04",
        "amount-above-ceiling",
        False,
        "第 7 行公布为“13800138000”,超过 1000000000",
        statistics=[stat(7, 0, "amount", published=13800138000, reported="13800138000")],
    ),
    case(
        "S04",
        "text-row-skipped",
        True,
        OK,
        statistics=[stat(3, "校长", "text", published=CEILING + 1)],
    ),
    case("S04", "unread-count-skipped", True, OK, statistics=[stat(10, 0, published="三百")]),
    case("S04", "unpublished-skipped", True, OK, statistics=[stat(10, 0, published=None)]),
    # S05 compares the line count of the published table with the form's (55 in the base values).
    case("S05", "as-long-as-the-form", True, "55 == 55"),
    case("S05", "one-line-short", False, "54 == 55", published_lines=N_ROWS - 1),
    case("S05", "one-line-more", False, "56 == 55", published_lines=N_ROWS + 1),
    case("S05", "empty-table", False, "0 == 55", published_lines=0),
    case("P01", "all-agree", True, OK),
    case("P01", "spaces-ignored", True, OK, statistics=[stat(10, 335, published="3 35")]),
    case("P01", "full-width-digits", True, OK, statistics=[stat(10, 56, published="５６")]),
    case("P01", "unpublished-skipped", True, OK, statistics=[stat(10, 335, published=None)]),
    case(
        "P01",
        "count-differs",
        False,
        "第 11 行 重算 178 ≠ 公布 174",
        statistics=[stat(11, 178, published=174, reported="174")],
    ),
    case(
        "P01",
        "off-by-one",
        False,
        "第 11 行 重算 175 ≠ 公布 174",
        statistics=[stat(11, 175, published=174, reported="174")],
    ),
    case(
        "P01",
        "text-differs",
        False,
        "第 3 行 重算 校长 ≠ 公布 院长",
        statistics=[stat(3, "校长", "text", published="院长", reported="院长")],
    ),
    # Y01: yoy_threshold 0.5 unless a case sets it.
    case("Y01", "unchanged", True, OK),
    case("Y01", "exactly-at-threshold", True, OK, statistics=changed(10, 10, 15)),
    case("Y01", "decrease-at-threshold", True, OK, statistics=changed(10, 20, 10)),
    case(
        "Y01",
        "one-above-threshold",
        False,
        "第 10 行 10 → 16(变化 +60%)",
        statistics=changed(10, 10, 16),
    ),
    case(
        "Y01",
        "decrease-above-threshold",
        False,
        "第 10 行 20 → 9(变化 -55%)",
        statistics=changed(10, 20, 9),
    ),
    case("Y01", "change-of-4-is-small", True, OK, statistics=changed(10, 1, 5)),
    case(
        "Y01",
        "change-of-5-beyond-threshold",
        False,
        "第 10 行 1 → 6(变化 +500%)",
        statistics=changed(10, 1, 6),
    ),
    case(
        "Y01",
        "previous-0-uses-base-1",
        True,
        OK,
        statistics=changed(10, 0, 5),
        yoy_threshold=5,
    ),
    case(
        "Y01",
        "previous-0-one-above",
        False,
        "第 10 行 0 → 6(变化 +600%)",
        statistics=changed(10, 0, 6),
        yoy_threshold=5,
    ),
    case(
        "Y01",
        "threshold-parameter-is-read",
        True,
        OK,
        statistics=changed(10, 10, 20),
        yoy_threshold=1,
    ),
    case(
        "Y01",
        "amount-rows-checked",
        False,
        "第 7 行 1000 → 1600(变化 +60%)",
        statistics=changed(7, 1000, 1600, "amount"),
    ),
    case("Y01", "flag-rows-skipped", True, OK, statistics=changed(1, "无", "有", "flag")),
    case("Y01", "no-previous-skipped", True, OK, statistics=changed(10, None, 100)),
    case("Y01", "text-value-skipped", True, OK, statistics=changed(10, 10, "一百")),
]

# On the base checklist: items 1-3 counted 2, 1, 0 (items 2 and 3 optional), p11 = 3.
ALT_1 = item(1, 3, count_alt=2, count_printed="2 / 1")


def items(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    """The base checklist with the given items replaced."""
    replaced = {r["item"]: r for r in rows}
    return [replaced.get(r["item"], r) for r in BASE_CHECKLIST]


CHECKLIST_CASES = [
    case("K01", "sum-equals-row-11", True, "3 == 3"),
    # Failing without another reading: `filled` is checked by test_k01_failure_..._separator.
    case("K01", "row-11-one-less", False, p11=2),
    case("K01", "row-11-one-more", False, p11=4),
    case("K01", "an-item-one-more", False, checklist=items(item(1, 3))),
    case(
        "K01",
        "other-reading-explained",
        False,
        "4 == 3；若第 1 项按另一读法 2(印为“2 / 1”)计,合计 3",
        checklist=items(ALT_1),
    ),
    case(
        "K01",
        "other-reading-not-shown-when-passing",
        True,
        "4 == 4",
        checklist=items(ALT_1),
        p11=4,
    ),
    case("K02", "every-item-found", True, OK),
    case("K02", "item-missing", False, "缺少第 3 项", checklist=items(item(3, 0, line=None))),
    case("K02", "item-line-blank", False, "缺少第 2 项", checklist=items(item(2, 1, line=" "))),
    case("K03", "right-category", True, OK),
    case(
        "K03",
        "category-as-text",
        True,
        OK,
        checklist=items(item(1, 2, category="2", ref_category=2)),
    ),
    case(
        "K03",
        "verified-wrong-category",
        False,
        "第 1 项列在第 2 大类(第 2 行),清单规定为第 1 大类",
        checklist=items(item(1, 2, category=2)),
    ),
    case(
        "K03",
        "unverified-skipped",
        True,
        OK,
        checklist=items(item(1, 2, category=2, verified=False)),
    ),
    case(
        "K03",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(1, 2, category=2, line=None)),
    ),
    case("K03w", "right-category", True, OK),
    case(
        "K03w",
        "unverified-wrong-category",
        False,
        "第 3 项列在第 4 大类(第 4 行),清单规定为第 5 大类",
        checklist=items(item(3, 0, mandatory="否", verified=False, category=4, ref_category=5)),
    ),
    case("K03w", "verified-skipped", True, OK, checklist=items(item(1, 2, category=2))),
    case(
        "K03w",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(1, 2, category=2, verified=False, line=None)),
    ),
    case("K04", "links-for-counts", True, OK),
    case("K04", "one-web-link-is-enough", True, OK, checklist=items(item(1, 5, n_web_links=1))),
    case(
        "K04",
        "count-1-without-web-link",
        False,
        "第 1 项数量 1,无 http(s) 链接(第 2 行)",
        checklist=items(item(1, 1, n_web_links=0)),
    ),
    case(
        "K04",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(1, 1, n_web_links=0, line=None)),
    ),
    case("K05", "distinct-equals-count", True, OK, checklist=items(item(1, 3))),
    case(
        "K05",
        "more-distinct-than-count",
        True,
        OK,
        checklist=items(item(1, 2, n_distinct_links=3)),
    ),
    case(
        "K05",
        "distinct-one-less",
        False,
        "第 1 项数量 3,不同链接 2 个(第 2 行)",
        checklist=items(item(1, 3, n_distinct_links=2)),
    ),
    case(
        "K05",
        "one-distinct-link-is-checked",
        False,
        "第 1 项数量 2,不同链接 1 个(第 2 行)",
        checklist=items(item(1, 2, n_distinct_links=1)),
    ),
    case("K05", "no-link-skipped", True, OK, checklist=items(item(1, 3, n_distinct_links=0))),
    case(
        "K05",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(1, 3, n_distinct_links=2, line=None)),
    ),
    case("K06", "no-duplicates", True, OK),
    case(
        "K06",
        "one-duplicate",
        False,
        "第 1 项有重复链接:https://a.cn/1/0(第 2 行)",
        checklist=items(item(1, 2, n_distinct_links=1, duplicate_links="https://a.cn/1/0")),
    ),
    case(
        "K06",
        "more-distinct-than-links",
        False,
        "第 1 项有重复链接:(第 2 行)",
        checklist=items(item(1, 2, n_distinct_links=3)),
    ),
    case(
        "K06",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(1, 2, n_distinct_links=1, line=None)),
    ),
    case("K07", "all-web-links", True, OK),
    case(
        "K07",
        "one-not-a-web-address",
        False,
        "第 1 项含非网址内容:QQ：2852377027(第 2 行)",
        checklist=items(item(1, 2, n_web_links=1, non_web_links="QQ：2852377027")),
    ),
    case(
        "K07",
        "more-web-links-than-links",
        False,
        "第 1 项含非网址内容:(第 2 行)",
        checklist=items(item(1, 2, n_web_links=3)),
    ),
    case(
        "K07",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(1, 2, n_web_links=1, line=None)),
    ),
    case("K08", "platform-answered", True, OK),
    case("K08", "unpublished-item-skipped", True, OK, checklist=items(item(3, 0, mandatory="否"))),
    case(
        "K08",
        "count-1-unanswered",
        False,
        "第 2 项未填“是否在门户网站信息公开平台公布”(第 3 行)",
        checklist=items(item(2, 1, mandatory="否", on_platform=None)),
    ),
    case(
        "K08",
        "answer-only-spaces",
        False,
        "第 2 项未填“是否在门户网站信息公开平台公布”(第 3 行)",
        checklist=items(item(2, 1, mandatory="否", on_platform="  ")),
    ),
    case(
        "K08",
        "missing-item-skipped",
        True,
        OK,
        checklist=items(item(2, 1, on_platform=None, line=None)),
    ),
    case("K09", "mandatory-published", True, OK),
    case("K09", "mandatory-count-1", True, OK, checklist=items(item(1, 1))),
    case(
        "K09",
        "mandatory-count-0",
        False,
        "第 1 项(事项1)数量为 0(第 2 行)",
        checklist=items(item(1, 0)),
    ),
    case("K09", "optional-count-0", True, OK, checklist=items(item(1, 0, mandatory="否"))),
    case("K09", "missing-item-skipped", True, OK, checklist=items(item(1, 0, line=None))),
]


def printed(text: str) -> dict[str, Any]:
    return {"narrative": {"opening": [{"template": TEMPLATE, "printed": text}]}}


CODE_CASES = [
    case("N01", "numbers-as-data", True, OK),
    case(
        "N01",
        "number-one-more",
        False,
        "开头第 1 段印为“336”,r10 为 335",
        extras=printed("官网发布信息 336 条,清单事项 3 条。"),
    ),
    case("N02", "text-follows-template", True, OK),
    case(
        "N02",
        "text-differs",
        False,
        "开头第 1 段印刷文字与模板不对应",
        extras=printed("官网共发布信息 335 条,清单事项 3 条。"),
    ),
    case("N05", "none-said-and-row-zero", True, OK),
    case(
        "N05",
        "none-said-but-one-application",
        False,
        "第四部分第 1 段“学校未收到明确要求信息公开的相关申请及无信息公开申请收费情况。”"
        "称未收到信息公开申请,但数据为 1 == 0",
        r19=1,
    ),
    case(
        "N05",
        "number-said-equals-row",
        True,
        OK,
        r19=3,
        extras={"narrative_sentences": [("第四部分第 1 段", "学校共收到信息公开申请 3 件。")]},
    ),
    case(
        "N05",
        "number-said-one-less-than-row",
        False,
        "第四部分第 1 段“学校共收到信息公开申请 3 件。”称收到信息公开申请的件数(第 19 行),"
        "但数据为 3 == 4",
        r19=4,
        extras={"narrative_sentences": [("第四部分第 1 段", "学校共收到信息公开申请 3 件。")]},
    ),
    case("N06", "notice-of-the-report-year", True, OK),
    case("N06", "notice-of-a-later-year", True, OK, report_year=2023),
    case(
        "N06",
        "notice-of-last-year",
        False,
        None,
        report_year=2025,
    ),
    case("N07", "current-regulation-cited", True, OK, extras={"narrative_sentences": [CITES_711]}),
    case(
        "N07",
        "superseded-regulation-cited",
        False,
        "开头第 1 段引用了国务院令第492号(中华人民共和国政府信息公开条例),"
        "该文件 2019-05-14 后已由国务院令第711号取代",
        extras={"narrative_sentences": [CITES_492]},
    ),
    case(
        "N07",
        "superseded-on-its-last-day",
        True,
        OK,
        extras={"narrative_sentences": [CITES_492]},
        **{"profile.report_date": "2019-05-14"},
    ),
    case(
        "N07",
        "superseded-the-day-after",
        False,
        None,
        extras={"narrative_sentences": [CITES_492]},
        **{"profile.report_date": "2019-05-15"},
    ),
    case(
        "N07",
        "no-date-judged-at-the-deadline",
        False,
        None,
        extras={"narrative_sentences": [CITES_492]},
        **{"profile.report_date": ""},
    ),
    case("N08", "nothing-left-to-fill", True, OK),
    case(
        "N08",
        "notice-left-to-fill",
        False,
        "开头第 1 段尚待填写:该通知的文号",
        extras={"narrative_sentences": [("开头第 1 段", "(【待填:该通知的文号】)等文件")]},
    ),
    case("H01", "number-written", True, "not False"),
    case("H01", "number-empty", False, "not True", **{"profile.document_number": ""}),
    case("H02", "signer-written", True, "not False"),
    case("H02", "signer-empty", False, "not True", **{"profile.signer": ""}),
    case("H03", "date-written", True, "not False"),
    case("H03", "date-empty", False, "not True", **{"profile.report_date": ""}),
    case("H04", "date-in-window", True, None),
    case("H04", "date-empty-left-to-h03", True, None, **{"profile.report_date": ""}),
    case("H04", "date-on-the-deadline", True, None, **{"profile.report_date": "2024-10-31"}),
    case("H04", "date-day-after-the-year", True, None, **{"profile.report_date": "2024-09-01"}),
    case("H04", "date-a-day-late", False, None, **{"profile.report_date": "2024-11-01"}),
    case("H04", "date-last-day-of-the-year", False, None, **{"profile.report_date": "2024-08-31"}),
    case("H05", "number-of-the-report-year", True, "2024 == 0 or 2024 >= 2024"),
    case("H05", "number-of-a-later-year", True, None, document_number_year=2025),
    case("H05", "number-without-a-year", True, "0 == 0 or 0 >= 2024", document_number_year=0),
    case("H05", "last-year", False, "2023 == 0 or 2023 >= 2024", document_number_year=2023),
    case("D01", "hashes-as-recorded", True, OK),
    case(
        "D01",
        "hash-differs",
        False,
        "a.csv 的 SHA-256 与记录不符(现为 cccccccccccc…,记录为 aaaaaaaaaaaa…)",
        extras={"raw_hashes": {"a.csv": HASH_C, "b.csv": HASH_B}},
    ),
    case(
        "D01",
        "recorded-file-missing",
        False,
        "b.csv 已不存在",
        extras={"raw_hashes": {"a.csv": HASH_A}},
    ),
]

CASES = VALUE_CASES + STATISTICS_CASES + CHECKLIST_CASES + CODE_CASES


@pytest.mark.parametrize("rule_id, changes, passed, filled", CASES)
def test_rule_passes_or_fails_on_hand_made_data(rule_id, changes, passed, filled):
    rule = CATALOGUE[rule_id]
    finding = run(rule_id, make_context(**changes))
    assert finding.passed is passed
    assert (finding.id, finding.severity, finding.check) == (rule.id, rule.severity, rule.shown)
    if filled is not None:
        assert finding.filled == filled
    if passed is False:  # the office reads a sentence, never the expression
        said = QUOTED.sub("“”", finding.message)  # what the user wrote is quoted as written
        assert said and not OPERATORS.search(said), finding.message
    else:
        assert finding.message == ""


OPERATORS = re.compile(r"==|!=|>=|<=| or | and |not |True|False")
QUOTED = re.compile(r"“[^”]*”")


def test_every_check_over_the_values_says_its_failure_in_a_sentence():
    wordless = [
        r.id for r in CATALOGUE.values() if r.engine == "expr" and not r.over and not r.sentence
    ]
    assert wordless == []


def test_every_rule_has_a_passing_and_a_failing_case():
    outcomes = {(param.values[0], param.values[2]) for param in CASES}
    assert {rule_id for rule_id, passed in outcomes if passed} == set(CATALOGUE)
    assert {rule_id for rule_id, passed in outcomes if not passed} == set(CATALOGUE)


def test_base_context_passes_every_rule():
    findings = evaluate_rules(list(CATALOGUE.values()), make_context(), CODE_CHECKS)
    assert {f.id: f.passed for f in findings} == dict.fromkeys(CATALOGUE, True)


# --- the catalogue as declared ------------------------------------------------


def test_catalogue_declares_exactly_the_64_expected_ids():
    ids = declared_ids(RULES_FILE)
    assert len(ids) == len(EXPECTED_IDS) == 71
    assert set(ids) == EXPECTED_IDS
    assert set(CATALOGUE) == EXPECTED_IDS


def test_warning_rules_are_exactly_the_plausibility_checks():
    assert {i for i, r in CATALOGUE.items() if r.severity == "warning"} == WARNING_IDS
    assert {i for i, r in CATALOGUE.items() if r.severity == "error"} == EXPECTED_IDS - WARNING_IDS


def test_requirements_are_declared_where_the_data_may_be_absent():
    assert {i: r.requires for i, r in CATALOGUE.items() if r.requires} == REQUIRED


def test_code_engine_ids_equal_the_registered_code_checks():
    assert {i for i, r in CATALOGUE.items() if r.engine == "code"} == set(CODE_CHECKS)
    assert set(CODE_CHECKS) == {"N01", "N02", "N05", "N06", "N07", "N08", "D01"}


# --- what every rule shares ---------------------------------------------------


@pytest.mark.parametrize(
    "rule_id, requirement",
    [(i, req) for i, reqs in REQUIRED.items() for req in reqs],
    ids=[i for i in REQUIRED],
)
def test_rule_is_not_applicable_without_its_requirement(rule_id, requirement):
    finding = run(rule_id, make_context(available=EVERYTHING - {requirement}))
    assert finding.passed is None
    assert finding.filled == f"不适用:{REQUIREMENTS[requirement]}"
    assert finding.sources == ""
    assert run(rule_id, make_context()).passed is True  # the same data, requirement present


def test_rules_without_requirements_run_when_nothing_is_available():
    context = make_context(available=set())
    unconditional = [r for r in CATALOGUE.values() if not r.requires]
    findings = evaluate_rules(unconditional, context, CODE_CHECKS)
    assert [f.passed for f in findings] == [True] * len(unconditional)


def test_missing_published_value_makes_a_value_rule_not_applicable():
    finding = run("A06", make_context(p19=3, p27=1, p28=None, p29=1, p30=1))
    assert finding.passed is None
    assert finding.filled == "3 == 1 + ∅ + 1 + 1(公布值缺失,不适用)"


def test_row_rule_where_excludes_rows():
    unlisted = item(1, 2, n_web_links=0, line=None)
    assert run("K04", make_context(checklist=items(unlisted))).passed is True
    listed = run("K04", make_context(checklist=items({**unlisted, "line": 2})))
    assert listed.passed is False
    assert listed.filled == "第 1 项数量 2,无 http(s) 链接(第 2 行)"


def test_type_error_in_a_row_check_is_a_failure_saying_types_differ():
    text_count = {**item(1, 2), "count": "三"}
    finding = run("K05", make_context(checklist=items(text_count)))
    assert finding.passed is False
    assert finding.filled == "第 1 项数量 三,不同链接 2 个(第 2 行)(类型不符:数字与文字无法比较)"


def test_type_error_in_a_row_filter_is_a_failure_saying_types_differ():
    text_count = {**item(2, 1, mandatory="否"), "count": "一"}
    finding = run("K08", make_context(checklist=items(text_count)))
    assert finding.passed is False
    assert finding.filled.endswith("(第 3 行)(类型不符:数字与文字无法比较)")


def test_type_error_in_a_value_check_is_a_failure_saying_types_differ():
    finding = run("A05", make_context(r19=0, r20="三"))
    assert finding.passed is False
    assert finding.filled == "'三' <= 0(类型不符:数字与文字无法比较)"


def test_row_rule_lists_every_failing_row_in_table_order():
    finding = run("K09", make_context(checklist=[item(3, 0), item(1, 0), item(2, 1)]))
    assert finding.filled == "第 3 项(事项3)数量为 0(第 4 行)；第 1 项(事项1)数量为 0(第 2 行)"


def test_k01_explain_lines_appear_only_when_k01_fails():
    alt = {**item(2, 1, mandatory="否"), "count_alt": 0, "count_printed": "1?"}
    passing = run("K01", make_context(checklist=items(ALT_1, alt), p11=4))
    assert passing.passed is True
    assert passing.filled == "4 == 4"
    failing = run("K01", make_context(checklist=items(ALT_1, alt), p11=5))
    assert failing.passed is False
    assert failing.filled == (
        "4 == 5；若第 1 项按另一读法 2(印为“2 / 1”)计,合计 3"
        "；若第 2 项按另一读法 0(印为“1?”)计,合计 3"
    )
    plain = run("K01", make_context(p11=5))
    assert plain.passed is False
    assert plain.filled.startswith("3 == 5")
    assert "若第" not in plain.filled


# Bug: src/disclosure/checks/rules.py line 220 appends "；" + the explain lines even when no row
# explains the failure, so a failed K01 without another reading ends with a dangling "；".
@pytest.mark.parametrize(
    "changes, filled",
    [({"p11": 2}, "3 == 2"), ({"p11": 4}, "3 == 4"), ({"checklist": items(item(1, 3))}, "4 == 3")],
    ids=["row-11-one-less", "row-11-one-more", "an-item-one-more"],
)
def test_k01_failure_without_another_reading_has_no_dangling_separator(changes, filled):
    assert run("K01", make_context(**changes)).filled == filled


def test_k01_sum_ignores_a_blank_count():
    blank_count = {**item(3, 0, mandatory="否"), "count": None}
    finding = run("K01", make_context(checklist=items(blank_count), p11=3))
    assert (finding.passed, finding.filled) == (True, "3 == 3")


def test_k01_sources_name_the_checklist_and_the_published_row():
    finding = run("K01", make_context())
    assert finding.sources == "checklist.count←checklist.csv；p11←来源 p11"


def test_y01_sources_name_the_statistics_table():
    assert run("Y01", make_context()).sources == "重算统计表"


# --- the real year through the pipeline ---------------------------------------


def test_hand_made_tables_have_the_pipeline_columns(real_year):
    assert tuple(real_year.statistics.columns) == STATISTICS_COLUMNS
    assert tuple(real_year.checklist.columns) == CHECKLIST_COLUMNS


def test_every_declared_rule_is_reported_by_check_year(real_year):
    reported = real_year.findings["id"].tolist()
    assert len(reported) == len(set(reported))
    assert set(reported) == set(declared_ids(RULES_FILE)) == EXPECTED_IDS


def test_real_year_fails_exactly_the_known_checks(real_year):
    findings = real_year.findings
    failed = findings[findings["passed"].map(lambda p: p is False)]
    errors = set(failed.loc[failed["severity"] == "error", "id"])
    warnings = set(failed.loc[failed["severity"] == "warning", "id"])
    assert errors == {"C01", "F03", "F04", "K01", "N01", "P01", "S01", "S02", "S03", "F03p", "F04p"}
    assert warnings == {
        "H04",
        "K03w",
        "K05",
        "K06",
        "K07",
        "K08",
        "K09",
        "N07",
    }  # N07: the bundled prose cites 第492号
    assert set(findings.loc[findings["passed"].isna(), "id"]) == {"Y01"}  # no 2022-2023 data
    passed = set(findings.loc[findings["passed"].map(lambda p: p is True), "id"])
    assert passed == EXPECTED_IDS - errors - warnings - {"Y01"}


def test_real_year_consequences_name_their_cause(real_year):
    findings = real_year.findings
    caused = findings.loc[findings["cause"] != "", ["id", "cause"]]
    assert dict(zip(caused["id"], caused["cause"], strict=True)) == {
        "C01": "K01",
        "N01": "K01",
        "P01": "K01",
        "F04": "F03",
        "F03p": "F03",
        "F04p": "F03",
        "S03": "S02",
    }


def test_real_year_messages_name_rows_and_the_other_reading(real_year):
    filled = dict(zip(real_year.findings["id"], real_year.findings["filled"], strict=True))
    assert filled["S01"] == "第 51 行印为“50”"
    assert filled["S02"] == "第 54 行应填收费或不收费,实际为“0 元”"
    assert filled["S03"] == "第 54 行应填收费或不收费,公布为“0”"
    assert filled["P01"] == "第 11 行 重算 178 ≠ 公布 174"
    assert filled["K01"] == "178 == 174；若第 7 项按另一读法 3(印为“3 / 4”)计,合计 174"
    assert filled["C01"] == "174 >= 178"
    assert filled["F03"] == "'无' != '无' or 8000 == 0"
    assert filled["N01"] == "第二部分第 2 段印为“174”,r11 为 178"
    assert "第 10 项含非网址内容:QQ：2852377027(第 11 行)" in filled["K07"]
    assert filled["Y01"] == "不适用:工作区中没有上一学年的数据"
    assert filled["D01"] == "无问题"


def without_rule(root: Path, rule_id: str, mentions: bool = True) -> None:
    """Delete a rule from the copy's catalogue; with `mentions`, also from other rules' `explains`
    (a rule named there must exist, see test_deleting_a_rule_another_explains_is_refused)."""
    path = root / "forms" / "rules.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for family in data["families"].values():
        family["rules"] = [r for r in family["rules"] if r["id"] != rule_id]
        for rule in family["rules"]:
            if mentions and "explains" in rule:
                rule["explains"] = [i for i in rule["explains"] if i != rule_id]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("rule_id", ["A05", "K05", "N01", "Y01", "N05", "F04p"])
def test_deleting_a_rule_from_the_catalogue_is_caught(copy_workspace, rule_id):
    root = copy_workspace()
    without_rule(root, rule_id)
    reported = set(pipeline.check_year(root, "2023-2024").findings["id"])
    assert reported == EXPECTED_IDS - {rule_id}
    assert reported != EXPECTED_IDS


def test_deleting_a_rule_another_explains_is_refused(copy_workspace):
    root = copy_workspace()
    without_rule(root, "N01", mentions=False)  # K01 explains [C01, C01p, N01, P01]
    with pytest.raises(InputError) as exc:
        pipeline.check_year(root, "2023-2024")
    assert [str(p) for p in exc.value.problems] == [
        "forms/rules.yaml:规则 K01:explains 中的编号不存在:N01"
    ]


def test_unchanged_copy_reports_every_rule(copy_workspace):
    root = copy_workspace()
    without_rule(root, "no such id")  # the same catalogue, rewritten by yaml
    assert set(pipeline.check_year(root, "2023-2024").findings["id"]) == EXPECTED_IDS
