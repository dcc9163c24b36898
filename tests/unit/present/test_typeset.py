"""report.pdf and review.pdf laid out by Typst (disclosure.present.typeset), read back as a reader
and the importer would: metadata, text layer in reading order, link annotations, bookmarks."""

from __future__ import annotations

import copy
import io
import subprocess
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from workspaces import report_document

from disclosure import pipeline
from disclosure.errors import FontMissing
from disclosure.present import report, typeset

REPO = Path(__file__).resolve().parents[3]
YEAR = "2023-2024"


@pytest.fixture(scope="module")
def checked():
    return pipeline.check_year(REPO, YEAR)


@pytest.fixture(scope="module")
def doc(checked):
    return report_document(checked)


@pytest.fixture(scope="module")
def publication(doc) -> bytes:
    return typeset.pdf_bytes(
        typeset.publication(doc, f"{doc['issuer']}{YEAR}学年信息公开工作年度报告")
    )


def text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_the_same_document_gives_the_same_bytes(doc, publication):
    again = typeset.pdf_bytes(
        typeset.publication(doc, f"{doc['issuer']}{YEAR}学年信息公开工作年度报告")
    )
    assert again == publication


def test_metadata_names_title_institution_and_chinese(doc, publication):
    with pdfplumber.open(io.BytesIO(publication)) as pdf:
        info = pdf.metadata
        assert info["Title"] == f"{doc['issuer']}{YEAR}学年信息公开工作年度报告"
        assert info["Author"] == doc["issuer"]
        assert pdf.doc.catalog["Lang"] == b"zh-CN"
        assert "CreationDate" not in info  # no time in the file: reruns are byte-identical


def test_the_text_layer_reads_in_document_order(doc, publication):
    text = "".join(text_of(publication).split())
    marks = [
        doc["issuer"],
        doc["document_number"].replace(" ", ""),
        doc["addressee"],
        *("".join(f"{s['part']}、{s['heading']}".split()) for s in doc["sections"]),
        "附件1",
        "附件2",
    ]
    places = [text.find(m) for m in marks]
    assert all(p >= 0 for p in places), list(zip(marks, places, strict=True))
    assert places == sorted(places)


def test_every_url_of_the_checklist_is_a_link_annotation(doc, publication):
    urls = {t for row in doc["checklist"] for t in row["links"] if t.startswith("http")}
    with pdfplumber.open(io.BytesIO(publication)) as pdf:
        linked = {h["uri"] for page in pdf.pages for h in page.hyperlinks}
        landscape = [p.width > p.height for p in pdf.pages]
    assert urls and linked == urls
    assert landscape[-1] and not landscape[0]  # 附件2 on landscape pages, the letter upright


def test_bookmarks_follow_the_headings(doc, publication):
    with pdfplumber.open(io.BytesIO(publication)) as pdf:
        from pdfminer.pdfdocument import PDFDocument

        titles = [title for _, title, *_ in PDFDocument.get_outlines(pdf.doc)]
    for section in doc["sections"]:
        assert f"{section['part']}、{section['heading']}" in titles
    assert any("统计表" in t for t in titles) and any("对照检查表" in t for t in titles)


def test_the_review_copy_marks_a_differing_value_and_lists_the_failed_checks(doc, checked):
    marked = copy.deepcopy(doc)
    marked["statistics"][9]["agrees"] = False
    marked["statistics"][9]["published"] = "98765"
    findings = checked.findings
    data = typeset.review(
        marked,
        "审阅版",
        report.review_summary_values(findings, YEAR, doc["issuer"]),
        report.findings_values(findings, pd.DataFrame()),
    )
    text = text_of(typeset.pdf_bytes(data))
    assert text.index("校验摘要") < text.index(doc["addressee"]) < text.index("审阅附录")
    assert "公布：98765" in text
    failed = findings[findings["passed"] == False]  # noqa: E712
    assert f"未通过 {len(failed)} 项" in text
    publication = text_of(typeset.pdf_bytes(typeset.publication(marked, "x")))
    assert "公布：98765" not in publication and "校验摘要" not in publication


def test_a_character_the_fonts_lack_stops_the_layout(doc):
    odd = copy.deepcopy(doc)
    odd["signer"] = "张😀"
    assert ("😀", "AR PL KaitiM GB") in typeset.missing_glyphs(typeset.publication(odd, "x"))
    with pytest.raises(FontMissing, match="U\\+1F600"):
        typeset.pdf_bytes(typeset.publication(odd, "x"))
    assert typeset.missing_glyphs(typeset.publication(doc, "x")) == []


def test_a_character_only_the_body_font_has_is_refused_in_a_kai_heading(doc):
    odd = copy.deepcopy(doc)
    rare = "珺"  # in Noto Serif CJK SC, not in GB 2312 (so not in AR PL KaitiM GB)
    assert ord(rare) in typeset._characters(typeset.SERIF)
    assert ord(rare) not in typeset._characters(typeset.KAI)
    odd["title"] = rare
    assert typeset.missing_glyphs(typeset.publication(odd, "x")) == []
    odd["signer"] = rare
    assert typeset.missing_glyphs(typeset.publication(odd, "x")) == [(rare, typeset.KAI)]


def test_a_font_typst_cannot_find_is_named(monkeypatch, doc):
    import typst

    monkeypatch.setattr(typeset, "_compiler", lambda: typst.Compiler(ignore_system_fonts=True))
    with pytest.raises(FontMissing, match="Noto Serif CJK SC"):
        typeset.pdf_bytes(typeset.publication(doc, "x"))


def test_nan_becomes_null_for_typst():
    assert typeset._plain({"a": [float("nan"), 1.5, "x"]}) == {"a": [None, 1.5, "x"]}
