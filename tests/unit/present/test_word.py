"""report.docx (disclosure.present.word), read back with python-docx as an office would open it."""

import io
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from workspaces import report_document

from disclosure import pipeline
from disclosure.present import document, word

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def doc():
    return report_document(pipeline.check_year(REPO, "2023-2024"))


@pytest.fixture(scope="module")
def docx(doc):
    return Document(io.BytesIO(word.docx_bytes(doc)))


def test_the_statistics_table_has_the_form_columns_and_all_55_rows(docx):
    table = docx.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "内容", "数量", "单位"]
    assert [r.cells[0].text for r in table.rows[1:]] == [str(n) for n in range(1, 56)]
    assert table.rows[11].cells[2].text == "178"


def test_the_checklist_table_has_the_printed_columns_and_all_50_items(docx):
    table = docx.tables[1]
    assert [c.text for c in table.rows[0].cells] == list(document.CHECKLIST_HEADERS)
    assert [r.cells[1].text for r in table.rows[1:]] == [str(n) for n in range(1, 51)]
    assert table.rows[1].cells[0].text == "第 1 大类"
    links = table.rows[2].cells[3].paragraphs
    assert [p.text for p in links][-1] == "等 6 条"  # one link per paragraph


def test_the_text_holds_the_head_every_section_and_no_review_material(docx, doc):
    text = "\n".join(p.text for p in docx.paragraphs)
    assert doc["document_number"] in text and "签发人：石晓辉" in text
    for section in doc["sections"]:
        assert f"{section['part']}、{section['heading']}" in text
    assert "附件：1. 2023-2024 学年信息公开工作统计表" in text
    assert "未通过校验" not in text and "校验结果" not in text and "审阅" not in text


def test_pages_are_a4_with_the_gbt9704_margins_and_a_landscape_checklist(docx):
    first, second = docx.sections

    def mm(*lengths):  # Word keeps lengths in twips: whole millimetres after rounding
        return tuple(round(length.mm) for length in lengths)

    assert mm(first.page_width, first.page_height) == (210, 297)
    assert mm(first.top_margin, first.left_margin, first.bottom_margin, first.right_margin) == (
        37, 28, 35, 26,
    )  # fmt: skip
    assert second.orientation == WD_ORIENT.LANDSCAPE and mm(second.page_width) == (297,)


def test_fonts_are_named_for_cjk_text(docx):
    runs = [r for p in docx.paragraphs for r in p.runs if r.text.strip()]
    east_asia = {
        r._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        for r in runs
    }
    assert {word.SERIF, word.SANS, word.KAI} <= east_asia
    issuer = next(r for r in runs if r.text == "重庆机电职业技术大学")
    assert issuer.font.color.rgb == word.RED and issuer.font.size.pt == word.ISSUER_PT


def test_page_numbers_are_dashed_on_odd_and_even_pages(docx):
    section = docx.sections[0]
    assert docx.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert 'w:instr="PAGE"' in xml and "— " in footer.paragraphs[0].text


def test_the_same_document_gives_the_same_bytes(doc):
    assert word.docx_bytes(doc) == word.docx_bytes(doc)
    changed = dict(doc, signer="李四")
    assert word.docx_bytes(changed) != word.docx_bytes(doc)
