"""The syntax of narrative.yaml (disclosure.inputs.narrative): placeholders, literal braces and
choices of wording, refused before any kernel starts when they cannot be printed."""

import pytest

from disclosure.inputs.narrative import (
    all_paragraphs,
    available_names,
    choices,
    placeholders,
    problems,
    texts,
    tokens,
)

NAMES = {"r10", "r19", "year", "profile.institution", "internal.党委文件"}
SHOWN = "data/raw/2024-2025/narrative.yaml"


def messages(narrative):
    return [p.message for p in problems(narrative, SHOWN, NAMES)]


def test_tokens_split_text_names_and_literal_braces():
    assert list(tokens("共 {r10} 条{{x}}")) == [
        ("text", "共 "),
        ("name", "r10"),
        ("text", " 条"),
        ("text", "{"),
        ("text", "x"),
        ("text", "}"),
    ]


@pytest.mark.parametrize("text", ["{", "}", "a { b", "{}"])
def test_a_lone_brace_is_a_brace_token(text):
    assert any(kind == "brace" for kind, _ in tokens(text))


def test_placeholders_strip_spaces_and_skip_literal_braces():
    assert placeholders("{ r10 } {{r11}} {year}") == ["r10", "year"]


def test_available_names_leave_out_empty_profile_fields():
    names = available_names(
        [1, 2],
        {
            "institution": "某大学",
            "signer": "",
            "report_date": None,
            "contact": {"phone": "1", "fax": " "},
        },
        ["党委文件"],
    )
    assert names == {
        "r1", "r2", "year", "period_start", "period_end", "profile.institution",
        "profile.contact.phone", "internal.党委文件",
    }  # fmt: skip


def test_a_narrative_whose_placeholders_all_have_data_has_no_problem():
    narrative = {
        "title": "{year}报告",
        "opening": [{"template": "{profile.institution} 发布 {r10} 条,{{备注}}"}],
        "attachments": ["{internal.党委文件}"],
    }
    assert messages(narrative) == []


@pytest.mark.parametrize(
    "template, expected",
    [
        ("{r99}", "开头第 1 段的占位符“{r99}”不是统计表的行号"),
        (
            "{profile.signer}",
            "开头第 1 段的占位符“{profile.signer}”在 profile.yaml 中没有数据(缺少该项或为空)",
        ),
        ("{internal.广播}", "开头第 1 段的占位符“{internal.广播}”在 internal.csv 中没有这一项"),
        (
            "{学校}",
            "开头第 1 段的占位符“{学校}”未知;可用 rN、profile.键、internal.项目、year、"
            "period_start、period_end",
        ),
        ("共 { 条", "开头第 1 段有不成对的花括号“{”;要印出花括号请写 {{ 或 }}"),
    ],
)
def test_each_unprintable_placeholder_is_named_with_why(template, expected):
    assert messages({"opening": [{"template": template}]}) == [expected]


def test_problems_name_the_title_section_and_attachment():
    narrative = {
        "title": "{r98}",
        "sections": [{"part": "二", "paragraphs": [{"subheading": "x"}, {"template": "{r97}"}]}],
        "attachments": ["a", "{r96}"],
    }
    assert [m.split("的占位符")[0] for m in messages(narrative)] == [
        "标题",
        "第二部分第 2 段",
        "第 2 个附件",
    ]


def choice(*wordings):
    return {"sections": [{"part": "四", "paragraphs": [{"choose": list(wordings)}]}]}


def test_a_choice_ending_with_an_otherwise_is_accepted():
    assert (
        messages(choice({"when": "r19 == 0", "template": "未收到"}, {"template": "{r19} 件"})) == []
    )


def test_every_wording_of_a_choice_is_checked_for_placeholders():
    found = messages(choice({"when": "r19 == 0", "template": "{r99}"}, {"template": "{r98}"}))
    assert [m.split("的占位符")[0] for m in found] == [
        "第四部分第 1 段(措辞 1)",
        "第四部分第 1 段(措辞 2)",
    ]


@pytest.mark.parametrize(
    "wordings, expected",
    [
        ([], "第四部分第 1 段的 choose 应为非空列表"),
        (
            [{"when": "r19 == 0", "template": "a"}],
            "第四部分第 1 段 choose 的最后一项不应有 when(它是其余情况的措辞)",
        ),
        ([{"template": "a"}, {"template": "b"}], "第四部分第 1 段 choose 第 1 项缺少条件 when"),
        (
            [{"when": "r19 ==", "template": "a"}, {"template": "b"}],
            "第四部分第 1 段 choose 第 1 项的条件 when:",
        ),
        (
            [{"when": "r77 == 0", "template": "a"}, {"template": "b"}],
            "第四部分第 1 段 choose 第 1 项的条件 when 中的“r77”没有对应的数据",
        ),
        (["文字", {"template": "b"}], "第四部分第 1 段 choose 第 1 项应为含 template 的映射"),
    ],
)
def test_a_malformed_choice_is_refused(wordings, expected):
    found = messages({"sections": [{"part": "四", "paragraphs": [{"choose": wordings}]}]})
    assert len(found) == 1 and found[0].startswith(expected)


def test_choices_of_a_plain_paragraph_is_the_paragraph():
    para = {"template": "a"}
    assert choices(para) == [para]
    assert choices({"choose": [{"template": "a"}, "x"]}) == [{"template": "a"}]


def test_all_paragraphs_skip_subheadings_and_non_mappings():
    narrative = {
        "opening": ["x", {"template": "a"}],
        "sections": [{"part": "一", "paragraphs": [{"subheading": "s"}, {"choose": []}]}, "y"],
    }
    assert [w for w, _ in all_paragraphs(narrative)] == ["开头第 2 段", "第一部分第 2 段"]


def test_texts_of_a_non_mapping_narrative_is_nothing():
    assert problems(["a"], SHOWN, NAMES) == []
    assert list(texts({"title": 3})) == []
