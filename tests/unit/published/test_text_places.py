"""The places a Word report's tables are named by (issue 25): the first table is 第 1 个表格, the
next 第 2 个, each row by its number, so that a message points at the printed row."""

from __future__ import annotations

import docx

from disclosure.published.text import read_document


def test_word_tables_are_numbered_from_one_and_rows_within_each(tmp_path):
    document = docx.Document()
    document.add_paragraph("附件1")
    first = document.add_table(rows=2, cols=2)
    first.cell(0, 0).text, first.cell(1, 0).text = "序号", "1"
    document.add_paragraph("附件2")
    second = document.add_table(rows=3, cols=2)
    second.cell(2, 1).text = "末行"
    path = tmp_path / "r.docx"
    document.save(path)
    tables = read_document(path).tables
    assert [t.places for t in tables] == [
        ["第 1 个表格第 1 行", "第 1 个表格第 2 行"],
        ["第 2 个表格第 1 行", "第 2 个表格第 2 行", "第 2 个表格第 3 行"],
    ]
    assert tables[0].rows[1][0].text == "1" and tables[1].rows[2][1].text == "末行"
