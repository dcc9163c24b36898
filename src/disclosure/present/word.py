"""The publication copy as a Word file (python-docx): the same document as report.pdf, editable,
with real tables, in the GB/T 9704-2012 layout as far as Word and the free fonts allow.

- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm);
- the issuer's mark in red, document number and signer on one line, a red rule;
- the title in the heavy serif (二号, 22 pt), body in the serif (三号, 16 pt), 一、 headings in the
  sans (黑体), (一) headings and the signer's name in Kai (楷体);
- page numbers "— N —" (四号), right on odd pages and left on even pages;
- 附件1 portrait, 附件2 landscape, each starting a new page, header rows repeated on every page.

The bytes are reproducible: fixed document properties and fixed times inside the zip.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from disclosure.present.document import (
    CHECKLIST_HEADERS,
    STATISTICS_HEADERS,
    annex2_title,
    stable_zip,
)

SERIF = "Noto Serif CJK SC"  # body (in place of 仿宋: no free FangSong covers GB 2312)
HEAVY = SERIF  # title and issuer's mark, in bold (in place of 小标宋)
SANS = "Noto Sans CJK SC"  # 一、 headings and annex labels (黑体)
KAI = "AR PL KaitiM GB"  # (一) headings, signer's name (楷体)
RED = RGBColor(0xC0, 0x00, 0x00)
BODY_PT, TITLE_PT, ISSUER_PT, PAGE_NO_PT, TABLE_PT = 16, 22, 30, 14, 10.5
FIXED_TIME = datetime(2000, 1, 1)


def docx_bytes(doc: dict[str, Any]) -> bytes:
    """report.docx of one report document (present.document.build)."""
    word = Document()
    _page(word.sections[0], landscape=False)
    word.settings.odd_and_even_pages_header_footer = True
    _page_numbers(word.sections[0])
    normal = word.styles["Normal"]
    _font(normal.font, SERIF, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(28.9)  # 22 lines on the 225 mm 版心

    _head(word, doc)
    _body(word, doc)
    _statistics(word, doc)
    _checklist(word, doc)

    core = word.core_properties
    core.title, core.author, core.last_modified_by = doc["title"], doc["issuer"], doc["issuer"]
    core.created = core.modified = core.last_printed = FIXED_TIME
    core.revision = 1
    out = io.BytesIO()
    word.save(out)
    return stable_zip(out.getvalue())


def _page(section: Any, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    if landscape:  # the page turned: the binding edge is at the top
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)


def _font(font: Any, name: str, size: float, bold: bool = False) -> None:
    """A font for both Latin and CJK text (Word keeps the East Asian face apart)."""
    font.name, font.size, font.bold = name, Pt(size), bold
    fonts = font._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)


def _run(paragraph: Any, text: str, face: str = SERIF, size: float = BODY_PT, **kw: Any) -> Any:
    run = paragraph.add_run(text)
    _font(run.font, face, size, bold=kw.get("bold", False))
    if kw.get("color") is not None:
        run.font.color.rgb = kw["color"]
    return run


def _para(word: Any, align: Any = None, indent: bool = False, before: float = 0) -> Any:
    paragraph = word.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    paragraph.paragraph_format.space_before = Pt(before)
    return paragraph


def _page_numbers(section: Any) -> None:
    """ "— N —" in 四号: right-aligned on odd pages, left-aligned on even pages."""
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        _run(paragraph, "— ", SERIF, PAGE_NO_PT)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        number = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        number.append(text)
        field.append(number)
        paragraph._p.append(field)
        _run(paragraph, " —", SERIF, PAGE_NO_PT)


def _red_rule(paragraph: Any) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "4"),
        ("w:color", "C00000"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _head(word: Any, doc: dict[str, Any]) -> None:
    issuer = _para(word, WD_ALIGN_PARAGRAPH.CENTER, before=BODY_PT * 2)
    _run(issuer, doc["issuer"], HEAVY, ISSUER_PT, color=RED, bold=True)
    line = _para(word, before=BODY_PT)
    width = Mm(156)
    line.paragraph_format.tab_stops.add_tab_stop(width - Pt(BODY_PT), WD_TAB_ALIGNMENT.RIGHT)
    line.paragraph_format.left_indent = Pt(BODY_PT)
    _run(line, doc["document_number"])
    _run(line, "\t签发人：")
    _run(line, doc["signer"], KAI)
    _red_rule(line)
    title = _para(word, WD_ALIGN_PARAGRAPH.CENTER, before=BODY_PT * 2)
    _run(title, doc["title"], HEAVY, TITLE_PT, bold=True)
    title.paragraph_format.space_after = Pt(BODY_PT)
    _run(_para(word), f"{doc['addressee']}：")


def _body(word: Any, doc: dict[str, Any]) -> None:
    for text in doc["opening"]:
        _run(_para(word, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True), text)
    for section in doc["sections"]:
        _run(_para(word, indent=True), f"{section['part']}、{section['heading']}", SANS)
        for paragraph in section["paragraphs"]:
            if "subheading" in paragraph:
                _run(_para(word, indent=True), paragraph["subheading"], KAI)
            else:
                _run(_para(word, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True), paragraph["text"])
    for i, text in enumerate(doc["attachments"], 1):
        paragraph = _para(word, before=BODY_PT if i == 1 else 0)
        paragraph.paragraph_format.left_indent = Pt(BODY_PT * (2 if i == 1 else 5))
        _run(paragraph, ("附件：" if i == 1 else "") + f"{i}. {text}")
    name = _para(word, WD_ALIGN_PARAGRAPH.RIGHT, before=BODY_PT * 3)
    name.paragraph_format.right_indent = Pt(BODY_PT * 2)
    _run(name, doc["signature"])
    date = _para(word, WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = Pt(BODY_PT * 4)
    _run(date, doc["date"])


def _annex_head(word: Any, label: str, title: str, issuer: str, new_page: bool) -> None:
    if new_page:
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _run(_para(word), label, SANS)
    _run(_para(word, WD_ALIGN_PARAGRAPH.CENTER), title, HEAVY, 18, bold=True)
    _run(_para(word), f"学校名称：{issuer}", SERIF, 12)


def _table(word: Any, headers: list[str], widths_mm: list[float]) -> Any:
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    _widths(table, widths_mm)
    return table


def _widths(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths: the grid (what LibreOffice and WPS read) and every cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _cell(cell: Any, text: str, bold: bool = False, align: Any = None, lines: Any = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = 1.0
    if align is not None:
        paragraph.alignment = align
    for i, line in enumerate(lines if lines is not None else [text]):
        if i:
            paragraph = cell.add_paragraph()
            paragraph.paragraph_format.line_spacing = 1.0
        _run(paragraph, line, SERIF, TABLE_PT, bold=bold)


def _statistics(word: Any, doc: dict[str, Any]) -> None:
    _annex_head(word, "附件1", f"{doc['year']} 学年度信息公开工作统计表", doc["issuer"], True)
    table = _table(word, list(STATISTICS_HEADERS), [14, 106, 22, 14])
    center = WD_ALIGN_PARAGRAPH.CENTER
    for row in doc["statistics"]:
        cells = table.add_row().cells
        _cell(cells[0], str(row["row"]), align=center)
        _cell(cells[1], row["label"])
        _cell(cells[2], row["value"], align=center)
        _cell(cells[3], row["unit"], align=center)
    _widths(table, [14, 106, 22, 14])


def _checklist(word: Any, doc: dict[str, Any]) -> None:
    section = word.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    _annex_head(word, "附件2", annex2_title(doc), doc["issuer"], False)
    headers = list(CHECKLIST_HEADERS)
    widths = [22, 12, 18, 118, 24, 31]
    table = _table(word, headers, widths)
    center = WD_ALIGN_PARAGRAPH.CENTER
    first_of: dict[int, Any] = {}
    for item in doc["checklist"]:
        row = table.add_row()
        cells = row.cells
        category = item["category"]
        if category in first_of:
            first_of[category].merge(cells[0])
        else:
            first_of[category] = cells[0]
            _cell(cells[0], f"第 {category} 大类", align=center)
        _cell(cells[1], str(item["item"]), align=center)
        _cell(cells[2], str(item["count"]) if item["count"] > 0 else "", align=center)
        _cell(cells[3], "", lines=item["links"] or [""])
        _cell(cells[4], item["on_platform"], align=center)
        _cell(cells[5], item["remark"])
    _widths(table, widths)
