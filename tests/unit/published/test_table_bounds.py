"""Where 附件1's statistics table ends (issue 25): a continuation without a header and of the same
width is read on; a table of another width ends it, and no later table of the same width is
appended after that; a repeated header continues it."""

from __future__ import annotations

from pathlib import Path

from disclosure.published import parse
from disclosure.published.text import Cell, Document, Table

HEAD = ["序号", "项目", "数量", "单位"]


def table(rows: list[list[str]], page: int) -> Table:
    return Table([[Cell(c) for c in row] for row in rows], [f"第 {page} 页"] * len(rows))


def document(*tables: Table) -> Document:
    return Document(Path("r.pdf"), "pdf", [], list(tables))


def labels(doc: Document) -> list[str]:
    found = parse.find_table(doc, parse.STATISTICS_HEADER, {"no", "label", "value"})
    return [row[found.columns["label"]].text for row in found.rows]


FIRST = table([HEAD, ["1", "专项经费", "8000", "元"], ["2", "专职人员", "1", "人"]], 1)
NEXT = table([["3", "兼职人员", "10", "人"]], 2)
CHECKLIST = table(
    [["类别", "序号", "公开数量", "链接", "是否在平台公布"], ["一", "1", "2", "x", "是"]], 3
)
UNRELATED = table([["1", "学院甲", "30", "人"]], 4)


def test_a_headless_table_of_the_same_width_continues_the_table():
    assert labels(document(FIRST, NEXT)) == ["专项经费", "专职人员", "兼职人员"]


def test_a_repeated_header_continues_the_table():
    again = table([HEAD, ["3", "兼职人员", "10", "人"]], 2)
    assert labels(document(FIRST, again)) == ["专项经费", "专职人员", "兼职人员"]


def test_a_table_of_another_width_ends_it():
    assert labels(document(FIRST, CHECKLIST)) == ["专项经费", "专职人员"]
    narrower = table([["3", "兼职人员", "10"]], 2)
    assert labels(document(FIRST, narrower)) == ["专项经费", "专职人员"]


def test_a_later_table_of_the_same_width_after_the_end_is_not_appended():
    assert labels(document(FIRST, NEXT, CHECKLIST, UNRELATED)) == [
        "专项经费",
        "专职人员",
        "兼职人员",
    ]


def test_tables_before_the_header_are_passed_over():
    assert labels(document(UNRELATED, FIRST)) == ["专项经费", "专职人员"]
    assert labels(document(UNRELATED)) == []
