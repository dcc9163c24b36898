"""Narrative placeholders (disclosure.narrative): filling templates and reading numbers out of
printed prose."""

from datetime import date
from pathlib import Path

import pytest

from disclosure.compute.narrative import (
    chosen,
    cn_date,
    context,
    fill,
    paragraphs,
    printed_sentences,
    printed_values,
)

REPO = Path(__file__).resolve().parents[3]

CTX = {
    "r10": 335,
    "r15": 387,
    "year": "2023-2024",
    "profile.institution": "某某大学",
    "profile.contact.phone": "023—41586008",
}


# --- fill -----------------------------------------------------------------------------------------


def test_fill_replaces_every_placeholder():
    assert (
        fill("{year} 学年官网发布信息 {r10} 条、新媒体 {r15} 条。", CTX)
        == "2023-2024 学年官网发布信息 335 条、新媒体 387 条。"
    )


def test_fill_with_dotted_names_and_repeats():
    assert (
        fill("{profile.institution}({profile.institution})电话 {profile.contact.phone}", CTX)
        == "某某大学(某某大学)电话 023—41586008"
    )


def test_fill_without_placeholders_is_unchanged():
    assert fill("学校对信息公开宣传不够到位。", CTX) == "学校对信息公开宣传不够到位。"


def test_fill_unknown_placeholder_is_shown_as_a_marker_naming_it():
    assert fill("共 {r99} 条,官网 {r10} 条", CTX) == "共 〔缺少数据:r99〕 条,官网 335 条"
    assert fill("{profile.portal_url}", CTX) == "〔缺少数据:profile.portal_url〕"


def test_fill_prints_doubled_braces_as_literal_braces():
    assert fill("{{r10}} 是 {r10},}}{{", CTX) == "{r10} 是 335,}{"


CHOICE = {
    "choose": [
        {"when": "r19 == 0", "template": "未收到申请。"},
        {"when": "r19 == 1", "template": "收到 1 件申请。"},
        {"template": "收到 {r19} 件申请。"},
    ]
}


@pytest.mark.parametrize(
    "r19, expected", [(0, "未收到申请。"), (1, "收到 1 件申请。"), (2, "收到 {r19} 件申请。")]
)
def test_chosen_is_the_first_wording_whose_condition_holds_else_the_last(r19, expected):
    assert chosen(CHOICE, {"r19": r19})["template"] == expected


def test_chosen_of_a_plain_paragraph_is_itself():
    para = {"template": "共 {r10} 条"}
    assert chosen(para, CTX) is para


def test_chosen_reads_dotted_profile_names():
    para = {
        "choose": [
            {"when": "profile.fee_policy == '收费'", "template": "收费"},
            {"template": "不收费"},
        ]
    }
    assert chosen(para, {"profile.fee_policy": "收费"})["template"] == "收费"
    assert chosen(para, {"profile.fee_policy": "不收费"})["template"] == "不收费"


def test_paragraphs_with_values_give_the_chosen_wording():
    narrative = {"sections": [{"part": "四", "paragraphs": [CHOICE]}]}
    assert [(w, p["template"]) for w, p in paragraphs(narrative, {"r19": 3})] == [
        ("第四部分第 1 段", "收到 {r19} 件申请。")
    ]
    assert list(paragraphs(narrative)) == []  # without values, a choice has no single text


def test_printed_sentences_split_the_filled_text_at_sentence_ends():
    narrative = {
        "title": "{year}报告",
        "opening": [{"template": "共 {r10} 条；另 {r15} 条。好！"}],
        "sections": [{"part": "四", "paragraphs": [CHOICE]}],
        "attachments": ["统计表"],
    }
    assert printed_sentences(narrative, {**CTX, "r19": 0}) == [
        ("标题", "2023-2024报告"),
        ("开头第 1 段", "共 335 条；"),
        ("开头第 1 段", "另 387 条。"),
        ("开头第 1 段", "好！"),
        ("第四部分第 1 段", "未收到申请。"),
        ("第 1 个附件", "统计表"),
    ]
    assert printed_sentences(None, CTX) == []


def test_fill_does_not_treat_empty_braces_as_a_placeholder():
    assert fill("集合 {} 与 {r10}", CTX) == "集合 {} 与 335"


# --- context --------------------------------------------------------------------------------------


def test_context_flattens_every_source():
    ctx = context(
        {10: 335, 11: 178},
        {"institution": "某某大学", "contact": {"phone": "123"}},
        {"党委文件": 33},
        "2023-2024",
        date(2023, 9, 1),
        date(2024, 8, 31),
    )
    assert ctx["r10"] == 335 and ctx["r11"] == 178
    assert ctx["profile.institution"] == "某某大学"
    assert ctx["profile.contact.phone"] == "123"
    assert "profile.contact" not in ctx
    assert ctx["internal.党委文件"] == 33
    assert ctx["year"] == "2023-2024"
    assert ctx["period_start"] == "2023 年 9 月 1 日"
    assert ctx["period_end"] == "2024 年 8 月 31 日"


def test_cn_date():
    assert cn_date(date(2024, 11, 14)) == "2024 年 11 月 14 日"


def test_paragraphs_in_reading_order():
    narrative = {
        "opening": [{"template": "a"}, {"template": "b"}],
        "sections": [{"part": "二", "paragraphs": [{"subheading": "(一)"}, {"template": "c"}]}],
    }
    assert [(where, p["template"]) for where, p in paragraphs(narrative)] == [
        ("开头第 1 段", "a"),
        ("开头第 2 段", "b"),
        ("第二部分第 2 段", "c"),
    ]


# --- printed_values -------------------------------------------------------------------------------

TEMPLATE = "官网发布新闻、通知公告等信息 {r10} 条。官微、官博等新媒体平台发布信息 {r15} 条。"


def test_printed_values_align_the_template():
    printed = "官网发布新闻、通知公告等信息 335 条。官微、官博等新媒体平台发布信息 387 条。"
    assert printed_values(TEMPLATE, printed) == [("r10", "335"), ("r15", "387")]


def test_printed_values_ignore_whitespace_on_both_sides():
    printed = "官网发布新闻、通知公告等信息335条。\n官微、官博等新媒体 平台发布信息  387  条。"
    assert printed_values(TEMPLATE, printed) == [("r10", "335"), ("r15", "387")]


def test_printed_values_return_what_was_printed_even_when_wrong():
    printed = "官网发布新闻、通知公告等信息 336 条。官微、官博等新媒体平台发布信息 三百 条。"
    assert printed_values(TEMPLATE, printed) == [("r10", "336"), ("r15", "三百")]


@pytest.mark.parametrize(
    "printed",
    [
        "官网发布新闻等信息 335 条。官微、官博等新媒体平台发布信息 387 条。",  # words differ
        "官网发布新闻、通知公告等信息 335 条。",  # truncated
        # extra text
        "官网发布新闻、通知公告等信息 335 条。官微、官博等新媒体平台发布信息 387 条。另有补充。",
        "",
    ],
)
def test_printed_values_none_when_text_does_not_follow_the_template(printed):
    assert printed_values(TEMPLATE, printed) is None


def test_printed_values_escape_regex_characters_in_the_template():
    template = "统计期限(注:含 {r10} 条)[见附表]*。"
    assert printed_values(template, "统计期限(注:含 12 条)[见附表]*。") == [("r10", "12")]
    assert printed_values(template, "统计期限(注:含 12 条)[见附表]x。") is None


def test_printed_values_without_placeholders():
    assert printed_values("学校 无 举报。", "学校无举报。") == []
    assert printed_values("学校无举报。", "学校有举报。") is None


def test_printed_values_of_the_real_narrative():
    import yaml

    with open(REPO / "data/raw/2023-2024/narrative.yaml", encoding="utf-8") as handle:
        narrative = yaml.safe_load(handle)
    para = narrative["sections"][1]["paragraphs"][1]
    values = dict(printed_values(para["template"], para["printed"]))
    assert values["r10"] == "335"
    assert values["r11"] == "174"  # the printed 174 that the rebuilt 178 contradicts
    assert values["profile.columns_opened"] == "15"


# --- printed_values in linear time: the answer of a lazy regular expression, without backtracking -


def lazy_regex(template: str, printed: str):
    """The oracle: the backtracking regular expression printed_values used to build."""
    import re

    squeeze = re.compile(r"\s+")
    parts = re.split(r"\{([^{}]+)\}", template)
    pattern = "(.+?)".join(re.escape(squeeze.sub("", p)) for p in parts[::2])
    found = re.fullmatch(pattern, squeeze.sub("", printed), flags=re.DOTALL)
    return None if not found else list(zip(parts[1::2], found.groups(), strict=True))


def test_printed_values_agree_with_the_lazy_regex_on_random_texts():
    import random

    rng = random.Random(20231)
    alphabet = "ab元,条 "
    for _ in range(5000):
        template = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        for k in range(rng.randint(0, 4)):
            template += f"{{p{k}}}" + "".join(
                rng.choice(alphabet) for _ in range(rng.randint(0, 2))
            )
        printed = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert printed_values(template, printed) == lazy_regex(template, printed), (
            template,
            printed,
        )


def test_adjacent_placeholders_take_one_character_each_but_the_last():
    assert printed_values("共{a}{b}{c}件", "共12345件") == [("a", "1"), ("b", "2"), ("c", "345")]


def test_six_adjacent_placeholders_before_text_that_never_follows_give_none():
    """The input that made the regex backtrack for 44 s: answered by one scan."""
    template = "共{r10}{r12}{r13}{r14}{r15}{r16}件"
    assert printed_values(template, "共" + "1" * 4000 + "条") is None


def test_a_template_without_placeholders_matches_only_its_own_text():
    assert printed_values("没有数字。", "没有 数字。") == []
    assert printed_values("没有数字。", "没有数字") is None
