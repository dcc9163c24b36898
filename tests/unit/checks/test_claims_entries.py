"""Every claim of forms/claims.yaml (checks N05 and N06) has a sentence that makes it fail, naming
what the sentence asserts, and the same sentence passing when the data agrees (issue 25). A claim
added to the form without its case here fails `test_every_claim_has_its_case`."""

from __future__ import annotations

import pytest
from workspaces import REPO_ROOT

from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.rules import Context
from disclosure.inputs.forms import load_claims

CLAIMS = load_claims(REPO_ROOT)
WHERE = "第二部分第 1 段"

# means -> (sentence, values where it holds, values where it fails, the data as the message shows)
CASES = {
    "未收到信息公开申请": ("学校未收到信息公开申请。", {"r19": 0}, {"r19": 1}, "1 == 0"),
    "无信息公开申请收费": ("无信息公开申请收费情况。", {"r55": 0}, {"r55": 30}, "30 == 0"),
    "无因信息公开引起的行政复议": (
        "本学年未发生因信息公开引起的行政复议。",
        {"r21": 0},
        {"r21": 1},
        "1 == 0",
    ),
    "无因信息公开引起的行政诉讼": (
        "本学年没有因信息公开引起的行政诉讼。",
        {"r24": 0},
        {"r24": 2},
        "2 == 0",
    ),
    "无不予公开的信息": ("本学年无不予公开的信息。", {"r51": 0}, {"r51": 4}, "4 == 0"),
    "官网发布信息的条数(第 10 行)": (
        "官网发布各类信息 335 条。",
        {"r10": 335},
        {"r10": 336},
        "335 == 336",
    ),
    "新媒体平台发布信息的条数(第 15 行)": (
        "新媒体平台发布 30 条。",
        {"r15": 30},
        {"r15": 29},
        "30 == 29",
    ),
    "主动公开清单事项的条数(第 11 行)": (
        "主动公开高等学校信息公开事项清单（50 条）信息 174 条。",
        {"r11": 174},
        {"r11": 178},
        "174 == 178",
    ),
    "媒体报道的条数(第 16 行)": (
        "本学年度中央和地方各类媒体有关本校的报道 56 条。",
        {"r16": 56},
        {"r16": 0},
        "56 == 0",
    ),
    "收到信息公开申请的件数(第 19 行)": (
        "学校共收到信息公开申请 3 件。",
        {"r19": 3},
        {"r19": 4},
        "3 == 4",
    ),
    "办结申请的件数(第 20 行)": ("已办结 3 件。", {"r20": 3}, {"r20": 2}, "3 == 2"),
    "公开电子信箱接到信件的件数(第 52 行)": (
        "公开电子信箱共接到 12 件。",
        {"r52": 12},
        {"r52": 13},
        "12 == 13",
    ),
    "公开电子信箱信件办结的件数(第 53 行)": (
        "公开电子信箱来信均已办结 11 件。",
        {"r53": 11},
        {"r53": 12},
        "11 == 12",
    ),
    "行政复议的件数(第 21 行)": ("因信息公开引起行政复议 2 件。", {"r21": 2}, {"r21": 0}, "2 == 0"),
    "行政诉讼的件数(第 24 行)": ("因信息公开引起行政诉讼 1 件。", {"r24": 1}, {"r24": 3}, "1 == 3"),
    "办理申请共收费(第 55 行)": ("办理申请共收费 30 元。", {"r55": 30}, {"r55": 0}, "30 == 0"),
    "所引编报年度报告的通知应为本学年结束当年的通知": (
        "根据《关于编报 2024 年高校信息公开工作年度报告的通知》（渝教办发〔2024〕1 号）",
        {"report_year": 2024},
        {"report_year": 2025},
        "2024 >= 2025 and 2024 >= 2025",
    ),
}


def run(claim, sentence: str, values: dict[str, int]) -> list[str]:
    context = Context(
        values, {}, {}, {}, extras={"claims": [claim], "narrative_sentences": [(WHERE, sentence)]}
    )
    problems, source, *_said = CODE_CHECKS[claim.rule](context)
    assert source.endswith("forms/claims.yaml")
    return problems


def test_every_claim_has_its_case():
    means = [c.means for c in CLAIMS]
    assert len(means) == len(set(means)), "two claims say the same thing"
    assert set(means) == set(CASES)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.means for c in CLAIMS])
def test_each_claim_passes_when_the_data_agrees_and_fails_naming_what_it_says(claim):
    sentence, holds, fails, shown = CASES[claim.means]
    assert run(claim, sentence, holds) == []
    said = sentence if len(sentence) <= 40 else sentence[:40] + "…"
    assert run(claim, sentence, fails) == [f"{WHERE}“{said}”称{claim.means},但数据为 {shown}"]
    # the other check never reports it
    other = "N06" if claim.rule == "N05" else "N05"
    context = Context(
        fails, {}, {}, {}, extras={"claims": [claim], "narrative_sentences": [(WHERE, sentence)]}
    )
    assert CODE_CHECKS[other](context)[0] == []


def test_n06_fails_on_an_older_notice_year_on_either_side():
    (claim,) = [c for c in CLAIMS if c.rule == "N06"]
    cite = "根据《关于编报 {asked} 年高校信息公开工作年度报告的通知》（渝教办发〔{issued}〕1 号）"
    assert run(claim, cite.format(asked=2024, issued=2024), {"report_year": 2024}) == []
    assert run(claim, cite.format(asked=2025, issued=2025), {"report_year": 2024}) == []
    assert run(claim, cite.format(asked=2023, issued=2024), {"report_year": 2024})
    assert run(claim, cite.format(asked=2024, issued=2023), {"report_year": 2024})


def test_every_match_of_a_claim_in_a_sentence_is_checked():
    (claim,) = [c for c in CLAIMS if c.means.startswith("收到信息公开申请的件数")]
    sentence = "收到信息公开申请 3 件，另收到口头申请 4 件。"
    problems = run(claim, sentence, {"r19": 3})
    assert len(problems) == 1 and problems[0].endswith("但数据为 4 == 3")
    assert len(run(claim, sentence, {"r19": 5})) == 2
