"""The parts of a report read from its Document: header, prose, statistics lines, checklist."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from disclosure.published import parse
from disclosure.published.text import Block, Cell, Document, Table, read_document

REPO = Path(__file__).resolve().parents[3]
RAW = REPO / "data" / "raw" / "2023-2024"
URL = "https://www.example.edu.cn/index.php?c=show&id=1"

ITEMS = 50  # the bundled form's last checklist item (data/reference/checklist_items.csv)


def doc_of(blocks: list[str], tables: list[list[list[str | Cell]]] | None = None) -> Document:
    def cell(value: str | Cell) -> Cell:
        return value if isinstance(value, Cell) else Cell(value, value.split())

    built = [
        Table([[cell(c) for c in row] for row in t], [f"第 {i} 行" for i in range(1, len(t) + 1)])
        for t in tables or []
    ]
    return Document(
        Path("r.txt"), "text", [Block(t, f"第 {i} 行") for i, t in enumerate(blocks, 1)], built
    )


HEADER = [
    "某某职业技术大学",
    "某大文〔2024〕7号",
    "签发人:张三",
    "某某职业技术大学 关于报送2023-2024学年度信息公开工作的 报告",
    "重庆市教育委员会：",
    "根据有关文件要求，现公布报告。本报告由概述等七个部分组",
    "成。统计期限自 2023 年 9 月 1 日至 2024 年 8 月 31 日。",
    "一、信息公开情况概述",
    "（一）加强领导",
    "学校召开会议 3 次，印发文件 1,200 份。",
    "二、主动公开信息情况",
    "官网发布信息 335 条。",
    "附件：1. 2023-2024 学年信息公开工作统计表",
    "2. 高等学校信息公开事项清单（50 条）对照检查表",
    "某某职业技术大学",
    "2024 年 10 月 9 日",
]


# --- header and prose -----------------------------------------------------------------------------


def test_header_fields_from_the_top_of_the_report():
    head = parse.header(doc_of(HEADER))
    assert (head.institution, head.document_number, head.signer) == (
        "某某职业技术大学",
        "某大文〔2024〕7号",
        "张三",
    )
    assert head.title == "关于报送2023-2024学年度信息公开工作的报告"  # line-wrap spaces dropped
    assert (head.addressee, head.year, head.report_date) == (
        "重庆市教育委员会",
        "2023-2024",
        "2024-10-09",
    )
    assert (head.body_start, head.body_end) == (5, 12)


def test_a_title_on_two_lines_is_joined():
    blocks = [
        "某某大学",
        "某某大学关于报送2023-2024学年度信息公开工作",
        "年度报告",
        "市教委：",
        "正文。",
    ]
    assert parse.header(doc_of(blocks)).title == "关于报送2023-2024学年度信息公开工作年度报告"


def test_the_institution_falls_back_to_the_tables_school_name():
    head = parse.header(doc_of(["关于报送的报告", "市教委：", "学校名称：某某学院"]))
    assert head.institution == "某某学院"


def test_the_signature_ends_the_prose_without_an_attachment_list():
    blocks = HEADER[:12] + ["某某职业技术大学", "2024 年 11 月 1 日", "附件1"]
    head = parse.header(doc_of(blocks))
    assert (head.body_end, head.report_date) == (12, "2024-11-01")


def test_prose_parts_subheadings_and_a_paragraph_joined_across_a_page_break():
    document = doc_of(HEADER)
    story = parse.narrative(document, parse.header(document))
    assert [p.text for p in story.opening] == [HEADER[5] + HEADER[6]]  # "组" / "成" joined
    assert [(p.part, p.heading) for p in story.parts] == [
        ("一", "信息公开情况概述"),
        ("二", "主动公开信息情况"),
    ]
    assert [(p.text, p.subheading) for p in story.parts[0].paragraphs] == [
        ("（一）加强领导", True),
        ("学校召开会议 3 次，印发文件 1,200 份。", False),
    ]
    assert story.attachments == [
        "2023-2024 学年信息公开工作统计表",
        "高等学校信息公开事项清单（50 条）对照检查表",
    ]


def test_every_number_with_its_unit():
    assert parse.numbers("召开会议 3 次，印发文件 1,200 份，占 12.5%，电话 023-6000。") == [
        {"value": 3, "unit": "次", "printed": "3 次"},
        {"value": 1200, "unit": "份", "printed": "1,200 份"},
        {"value": 12.5, "unit": "%", "printed": "12.5%"},
    ]


# --- tables found by their header cells -----------------------------------------------------------


STAT_HEADER = ["序号", "内 容", "数量", "单位"]


def test_statistics_lines_as_printed_across_a_repeated_header():
    tables = [
        [STAT_HEADER, ["1", "本校门户网站", "有", ""], ["2", "经费", "8000", "元"]],
        [STAT_HEADER, ["50", "不予公开", "0", "条"]],
    ]
    lines, notes = parse.statistics_lines(doc_of([], tables))
    assert [(x.printed_no, x.label, x.value, x.unit) for x in lines] == [
        ("1", "本校门户网站", "有", ""),
        ("2", "经费", "8000", "元"),
        ("50", "不予公开", "0", "条"),
    ]
    assert notes == []


def test_statistics_columns_are_found_by_header_wherever_they_are():
    moved = [["单位", "数量", "项目", "序号"], ["人", "10", "兼职人员", "9"]]
    lines, _ = parse.statistics_lines(doc_of([], [moved]))
    assert [(x.printed_no, x.label, x.value, x.unit) for x in lines] == [
        ("9", "兼职人员", "10", "人")
    ]


def test_a_continuation_table_without_header_of_the_same_width_is_read():
    tables = [[STAT_HEADER, ["1", "甲", "有", ""]], [["2", "乙", "3", "条"]], [["x", "y"]]]
    lines, _ = parse.statistics_lines(doc_of([], tables))
    assert [x.printed_no for x in lines] == ["1", "2"]


def test_what_cannot_be_read_in_the_statistics_is_a_note_with_its_place():
    tables = [[STAT_HEADER, ["一", "甲", "有", ""], ["3", "", "5", "条"]]]
    lines, notes = parse.statistics_lines(doc_of([], tables))
    assert [x.printed_no for x in lines] == ["一"]
    assert notes == [
        "第 2 行:统计表一行的序号“一”不是数字,按原样读入",
        "第 3 行:统计表一行缺少“内容”栏(序号“3”,数量“5”),未读入",
    ]


def test_no_statistics_table_gives_no_lines():
    assert parse.statistics_lines(doc_of(["正文"], [[["编号", "级别"]]])) == ([], [])


# --- the checklist --------------------------------------------------------------------------------

CHECK_HEADER = [
    "类别",
    "序号",
    "公开数量(条)",
    "链接",
    "是否在门户网站信息公开平台公布",
    "其他需说明事项",
]


def items_of(rows: list[list[str | Cell]]) -> list[parse.Item]:
    items, _ = parse.checklist_items(doc_of([], [[CHECK_HEADER, *rows]]), ITEMS)
    return items


def test_category_labels_fill_down_and_a_label_row_sets_the_category():
    items = items_of(
        [
            ["第 1 大类", "1", "2", URL, "是", ""],
            ["", "2", "", "无", "", ""],
            ["第 2 大类 招生考试信息", "", "", "", "", ""],
            ["", "3", "1", URL, "否", "备注"],
        ]
    )
    assert [
        (i.category, i.item, i.count, i.count_printed, i.on_platform, i.remark) for i in items
    ] == [
        (1, 1, 2, "2", "是", ""),
        (1, 2, 0, "", "", ""),
        (2, 3, 1, "1", "否", "备注"),
    ]
    assert items[1].links == []  # "无"


def test_labels_numbering_and_tallies_are_not_links_but_other_tokens_are():
    cell = Cell("", ["1.", "招生章程：", URL, "(1)", "普通类", "QQ：2852377027", "等", "6", "条"])
    assert items_of([["第 1 大类", "1", "6", cell, "是", ""]])[0].links == [URL, "QQ：2852377027"]


def test_a_row_printed_one_column_right_is_read_in_place():
    items = items_of(
        [
            ["第 1 大类", "1", "1", URL, "是", ""],
            ["", "第 2 大", "2", "3", URL, "是"],  # 序号 cell holds a category fragment
            ["", "", "3", "1", URL, "是"],  # 序号 cell blank
        ]
    )
    assert [(i.category, i.item, i.count, i.on_platform) for i in items] == [
        (1, 1, 1, "是"),
        (2, 2, 3, "是"),
        (2, 3, 1, "是"),
    ]
    assert items[1].notes == ["第 3 行:本行印刷右移一列,按原位置读入"]


def test_a_shift_needs_the_next_expected_item_number():
    items = items_of([["第 1 大类", "1", "1", URL, "是", ""], ["", "", "7", "1", URL, "是"]])
    assert [i.item for i in items] == [1]  # 7 is not item 2: a continuation, not a shifted item


def test_continuation_rows_after_a_page_break():
    items = items_of(
        [
            ["第 1 大类", "1", "1", "https://a.cn/index.php?c=show&id=1", "是", ""],
            ["", "", "910", "", "", ""],  # a number alone: the tail of the last link
            ["", "2", "5", "https://a.cn/?c=category&i", "", ""],
            [
                "类",
                "",
                "",
                Cell("d=150 https://a.cn/?id=118", ["d=150", "https://a.cn/?id=118"]),
                "是",
                "",
            ],
            ["", "第 2 大", "3", "3", "https://a.cn/zs", "是"],
            [
                "类",
                "",
                "",
                Cell("4 2.招生计划： https://a.cn/jh", ["4", "2.招生计划：", "https://a.cn/jh"]),
                "",
                "",
            ],
        ]
    )
    first, second, third = items
    assert first.links == ["https://a.cn/index.php?c=show&id=1910"]
    assert second.links == ["https://a.cn/?c=category&id=150", "https://a.cn/?id=118"]
    assert second.on_platform == "是"  # printed on the continuation line
    assert (third.count, third.count_alt, third.count_printed) == (7, 3, "3 / 4")
    assert third.links == ["https://a.cn/zs", "https://a.cn/jh"]


def test_a_non_numeric_count_is_zero_with_a_note():
    items, notes = parse.checklist_items(
        doc_of([], [[CHECK_HEADER, ["第 1 大类", "1", "若干", URL, "是", ""]]]), ITEMS
    )
    assert items[0].count == 0
    assert notes == ["第 2 行:第 1 项的公开数量印为“若干”,不是数字,记 0"]


def test_an_orphan_continuation_row_is_a_note():
    items, notes = parse.checklist_items(
        doc_of([], [[CHECK_HEADER, ["", "", "", URL, "", ""]]]), ITEMS
    )
    assert items == [] and notes == ["第 2 行:清单中一行没有序号,且前面没有事项可并入,未读入"]


# --- the seed -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_doc(seed):
    return read_document(seed)


def test_the_seed_statistics_equal_the_transcription(seed_doc):
    with (RAW / "reported_statistics.csv").open(encoding="utf-8", newline="") as f:
        expected = [tuple(r.values()) for r in csv.DictReader(f)]
    lines, notes = parse.statistics_lines(seed_doc)
    assert [(x.printed_no, x.label, x.value, x.unit) for x in lines] == expected
    assert notes == []


def test_the_seed_checklist_equals_the_transcription(seed_doc):
    with (RAW / "checklist.csv").open(encoding="utf-8", newline="") as f:
        expected = list(csv.DictReader(f))
    items, _ = parse.checklist_items(seed_doc, ITEMS)
    got = [
        {
            "category": str(i.category), "item": str(i.item), "count": str(i.count),
            "count_alt": "" if i.count_alt is None else str(i.count_alt),
            "count_printed": i.count_printed, "links": " ".join(i.links),
            "on_platform": i.on_platform, "remark": i.remark,
        }
        for i in items
    ]  # fmt: skip
    assert got == [{k: r[k] for k in got[0]} for r in expected]


# --- office files (issue 23) ----------------------------------------------------------------------


def cells(*texts: str) -> list[Cell]:
    return [Cell(t, t.split()) for t in texts]


def test_a_two_row_header_is_read_as_one_the_lower_name_winning():
    rows = [cells("序号", "内 容", "填报情况", ""), cells("序号", "内 容", "数量", "单位")]
    head, taken = parse.header_rows(rows, 0, parse.STATISTICS_HEADER)
    assert [c.text for c in head] == ["序号", "内 容", "数量", "单位"] and taken == 2


def test_a_pasted_lower_header_row_stands_under_the_last_cell_above():
    rows = [cells("序号", "内 容", "填报情况"), cells("数量", "单位")]
    head, taken = parse.header_rows(rows, 0, parse.STATISTICS_HEADER)
    assert [c.text for c in head] == ["序号", "内 容", "数量", "单位"] and taken == 2


def test_a_data_row_under_the_header_is_not_part_of_it():
    rows = [cells("序号", "内 容", "数量", "单位"), cells("1", "本校门户网站", "有", "")]
    head, taken = parse.header_rows(rows, 0, parse.STATISTICS_HEADER)
    assert [c.text for c in head] == ["序号", "内 容", "数量", "单位"] and taken == 1
    assert parse.header_rows(rows[:1], 0, parse.STATISTICS_HEADER)[1] == 1


def test_a_statistics_table_with_a_two_row_header_keeps_its_units():
    doc = doc_of(
        [],
        [
            [
                ["序号", "内 容", "填报情况", ""],
                ["", "", "数量", "单位"],
                ["7", "专项经费", "8000", "元"],
            ]
        ],
    )
    lines, _ = parse.statistics_lines(doc)
    assert [(x.value, x.unit) for x in lines] == [("8000", "元")]


def test_a_row_split_by_a_page_break_continues_the_label_above():
    doc = doc_of(
        [],
        [[["序号", "内容", "数量", "单位"], ["14", "召开新", "0", "次"], ["", "闻发布会", "", ""]]],
    )
    lines, notes = parse.statistics_lines(doc)
    assert [(x.label, x.value) for x in lines] == [("召开新闻发布会", "0")] and notes == []


def test_pasted_rows_are_mended_split_rows_joined_and_rowspan_gaps_padded():
    rows = [
        cells("第 2 大类", "7", "3"),  # a two-line count ended the row
        cells("4", URL, "是", "x"),
        cells("8", "", "", "", ""),  # a rowspan gap: one cell short at the left
        cells("9", "1", URL, "是", "", ""),  # whole
    ]
    mended, places = parse.mend_pasted_rows(rows, ["a", "b", "c", "d"], 6)
    assert [c.text for c in mended[0]] == ["第 2 大类", "7", "3\n4", URL, "是", "x"]
    assert [c.text for c in mended[1]] == ["", "8", "", "", "", ""]
    assert len(mended[2]) == 6 and places == ["a", "c", "d"]


def test_a_short_pasted_row_is_not_joined_when_the_next_would_overflow():
    rows = [cells("8", "3"), cells("第 3 大类", "15", "1", URL, "是", "")]
    mended, _ = parse.mend_pasted_rows(rows, ["a", "b"], 6)
    assert [c.text for c in mended[0]] == ["", "", "", "", "8", "3"]
    assert len(mended) == 2


def test_pasted_checklist_reads_the_two_line_count_and_the_gap_rows():
    text = "\n".join(
        [
            "类别\t序号\t公开数量(条)\t链接\t是否在门户网站信息公开平台公布\t其他需说明事项",
            f"第 1 大类\t1\t2\t{URL} {URL}x\t是\t",
            f"2\t1\t{URL}\t是\t",
            "第 2 大类\t3\t3",
            f"4\t{URL}\t是\t",
        ]
    )
    path = Path("/tmp") / "pasted-checklist.txt"
    path.write_text(text, encoding="utf-8")
    items, _ = parse.checklist_items(read_document(path), ITEMS)
    assert [(i.category, i.item, i.count, i.count_alt) for i in items] == [
        (1, 1, 2, None), (1, 2, 1, None), (2, 3, 7, 3)
    ]  # fmt: skip
    assert "另一读法为 3" in items[2].notes[0]


@pytest.mark.parametrize(
    ("lines", "count", "alt", "ok"),
    [
        (["4"], 4, None, True),
        (["4条"], 4, None, True),
        (["3", "4"], 7, 3, True),
        (["1", "2", "3"], 0, None, False),
        (["四"], 0, None, False),
        ([""], 0, None, True),
    ],
)
def test_a_checklist_count_cell(lines, count, alt, ok):
    item = parse.Item(1, 1, 0, None, "", [], "", "", [], "第 1 行")
    assert parse._read_count(item, lines) is ok
    if ok:
        assert (item.count, item.count_alt) == (count, alt)
    if lines == ["4条"]:
        assert item.notes == ["公开数量印为“4条”,去掉单位“条”读作 4"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("2024 年 11 月 14 日", "2024-11-14"),
        ("某某职业技术大学\n2024 年 11 月 14 日", "2024-11-14"),
        ("某某职业技术大学 2024年11月14日", "2024-11-14"),
        ("某某职业技术大学于 2024 年 11 月 14 日召开会议", None),
        ("某某职业技术大学", None),
    ],
)
def test_the_signature_date_alone_or_after_the_institution(text, found):
    m = parse.signature_date(text, "某某职业技术大学")
    got = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None
    assert got == found


def test_a_signature_typed_with_shift_enter_gives_the_report_date():
    blocks = [*HEADER[:5], "一、概述", "正文。", "某某职业技术大学\n2024 年 11 月 14 日"]
    assert parse.header(doc_of(blocks)).report_date == "2024-11-14"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("关于报送2023-2024学年度信息公开工作的", True),
        ("某大学2023-2024学年信息公开工作年度报告", True),
        ("信息公开年度报告", False),
        ("关于我们", False),
        ("关于" + "很长" * 40, False),
    ],
)
def test_what_can_be_a_title(text, title):
    assert parse._title(text) is title


def test_a_menu_entry_before_the_report_is_not_its_title():
    blocks = ["首页", "信息公开年度报告", *HEADER]
    assert parse.header(doc_of(blocks)).title == "关于报送2023-2024学年度信息公开工作的报告"


@pytest.mark.parametrize(
    ("tokens", "links"),
    [
        (["1.录取查询：https://a.cn/x"], ["https://a.cn/x"]),
        (["查询https://a.cn/x，https://b.cn/y"], ["https://a.cn/x", "https://b.cn/y"]),
        (["1.", "录取查询：", "https://a.cn/x"], ["https://a.cn/x"]),
    ],
)
def test_urls_are_found_anywhere_in_a_cells_words(tokens, links):
    assert parse._link_tokens(Cell(" ".join(tokens), tokens)) == links


@pytest.mark.parametrize(
    ("token", "tail"),
    [("cn/index.php?", True), ("=36", True), ("85", True), ("2.", False), ("https://x.cn", False),
     ("等", False)],
)  # fmt: skip
def test_what_continues_a_link_cut_by_a_page_break(token, tail):
    assert parse._url_tail(token) is tail


def test_an_item_number_beyond_the_forms_last_item_is_not_an_item():
    rows = [["第 1 大类", "1", "2", URL, "是", ""], ["", "2", "3", URL, "是", ""]]
    doc = doc_of([], [[CHECK_HEADER, *rows]])
    assert [i.item for i in parse.checklist_items(doc, 2)[0]] == [1, 2]
    items, notes = parse.checklist_items(doc, 1)  # a form of one item: "2" is no item number
    assert [i.item for i in items] == [1] and any("续行" in n for n in items[0].notes)
