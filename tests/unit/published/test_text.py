"""Reading a report in each format into blocks and tables, and the formats that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure.errors import InputError
from disclosure.published.text import read_document

URL_A = "https://www.example.edu.cn/index.php?c=category&id=8"
URL_B = "https://xsc.example.edu.cn/index.php?c=show&id=1910"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- plain text and Markdown ----------------------------------------------------------------------


def test_the_seed_has_its_header_blocks_and_two_tables(seed):
    doc = read_document(seed)
    assert doc.kind == "text"
    texts = [b.text for b in doc.blocks]
    assert texts[:3] == ["重庆机电职业技术大学", "重机电文〔2024〕50号", "签发人:石晓辉"]
    assert doc.blocks[0].place == "第 3 行"  # the file's own line, for messages
    # 附件1 (55 lines and two header rows) and 附件2 (header, 50 items, continuation lines)
    assert [len(t.rows) for t in doc.tables] == [57, 54]


def test_markdown_markup_is_removed_from_blocks(tmp_path):
    path = write(
        tmp_path, "r.md", "## 一、概述\n\n#### **四、依申请公开**\n\n（网址：<https://a.cn/>）\n"
    )
    assert [b.text for b in read_document(path).blocks] == [
        "一、概述",
        "四、依申请公开",
        "（网址：https://a.cn/）",
    ]


def test_an_anchor_in_a_tab_cell_is_one_token_its_href_decoded(tmp_path):
    row = f'1\t<a href="{URL_A.replace("&", "&amp;")}">x</a> 等 6 条\t是\n'
    doc = read_document(write(tmp_path, "r.txt", "序号\t链接\t是否\n" + row))
    cell = doc.tables[0].rows[1][1]
    assert cell.tokens == [URL_A, "等", "6", "条"]


def test_pipe_tables_are_tables_and_their_rule_line_is_skipped(tmp_path):
    doc = read_document(write(tmp_path, "r.md", "| 序号 | 内容 |\n|---|---|\n| 1 | 有 |\n"))
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [["序号", "内容"], ["1", "有"]]


def test_gbk_text_is_read(tmp_path):
    path = write(tmp_path, "r.txt", "重庆机电职业技术大学\n".encode("gb18030"))
    assert read_document(path).blocks[0].text == "重庆机电职业技术大学"


# --- HTML -----------------------------------------------------------------------------------------


def test_html_grid_repeats_a_row_span_and_pads_a_column_span(tmp_path):
    html = (
        "<html><body><table>"
        "<tr><th>类别</th><th>序号</th><th>链接</th></tr>"
        '<tr><td rowspan="2">第 1 大类</td><td>1</td>'
        f'<td><div><a href="{URL_A}">https://<wbr/>www…</a></div><div>等 11 条</div></td></tr>'
        "<tr><td>2</td><td>无</td></tr>"
        '<tr><td colspan="3">第 2 大类 招生</td></tr>'
        "</table></body></html>"
    )
    rows = read_document(write(tmp_path, "r.html", html)).tables[0].rows
    assert [[c.text for c in row] for row in rows[2:]] == [
        ["第 1 大类", "2", "无"],
        ["第 2 大类 招生", "", ""],
    ]
    assert rows[1][2].tokens == [URL_A, "等", "11", "条"]


def test_html_blocks_skip_tables_and_scripts_and_join_a_broken_title(tmp_path):
    html = (
        "<html><head><title>t</title><script>var x=1;</script></head><body>"
        "<h1>重庆某大学<br>关于报送的报告</h1><p>正文 <b>一段</b></p>"
        "<table><tr><td><p>表内</p></td></tr></table>"
        "<div>附件:<ol><li>1. 统计表</li></ol></div></body></html>"
    )
    blocks = [b.text for b in read_document(write(tmp_path, "r.html", html)).blocks]
    assert blocks == ["重庆某大学关于报送的报告", "正文 一段", "附件:", "1. 统计表"]


def test_an_html_file_without_its_extension_is_recognised(tmp_path):
    doc = read_document(write(tmp_path, "report", "<html><body><p>甲</p></body></html>"))
    assert doc.kind == "html"


# --- Word .docx -----------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("重庆某大学")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "链接"
    table.cell(1, 0).text, table.cell(1, 1).text = "1", f"{URL_A} 等 3 条"
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 2)).text = "第 1 大类"
    document.add_paragraph("二、主动公开")
    path = tmp_path / "r.docx"
    document.save(path)
    doc = read_document(path)
    assert [b.text for b in doc.blocks] == ["重庆某大学", "二、主动公开"]
    assert [c.tokens for c in doc.tables[0].rows[1]] == [["1"], [URL_A, "等", "3", "条"]]
    # a merged cell once, the columns it covers kept empty (so columns keep their positions)
    assert [c.text for c in doc.tables[1].rows[0]] == ["第 1 大类", "", ""]


def test_a_zip_that_is_not_a_docx_is_refused_in_chinese(tmp_path):
    import zipfile

    path = tmp_path / "r.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(InputError, match="不是可读取的 Word"):
        read_document(path)


# --- PDF ------------------------------------------------------------------------------------------


PDF_HTML = (
    "<html><head><style>td{border:1px solid #000}</style></head>"
    "<body style='font-family:\"Noto Sans CJK SC\"'><p>重庆某大学</p>"
    "<p>二、主动公开信息情况</p>"
    "<table style='border-collapse:collapse;width:60mm' border='1'>"
    "<tr><td>序号</td><td>链接</td></tr>"
    f"<tr><td>1</td><td style='width:40mm;word-break:break-all'><a href='{URL_A}'>{URL_A}</a>"
    f" <a href='{URL_B}'>{URL_B}</a> 等 9 条</td></tr></table></body></html>"
)


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory, make_pdf) -> Path:
    return make_pdf(PDF_HTML, tmp_path_factory.mktemp("pdf") / "r.pdf")


def test_pdf_text_and_a_wrapped_anchor_read_whole(text_pdf):
    doc = read_document(text_pdf)
    assert doc.kind == "pdf" and doc.pages == 1
    assert [b.text for b in doc.blocks[:2]] == ["重庆某大学", "二、主动公开信息情况"]
    links = doc.tables[0].rows[1][1]
    assert "\n" in links.text  # the URLs wrap over several printed lines ...
    assert links.tokens == [URL_A, URL_B, "等", "9", "条"]  # ... and come back whole


def test_a_scanned_pdf_without_text_layer_is_refused(tmp_path, text_pdf):
    import pymupdf as fitz

    source = fitz.open(text_pdf)
    picture = source[0].get_pixmap(dpi=50)
    scanned = fitz.open()
    page = scanned.new_page()
    page.insert_image(page.rect, pixmap=picture)
    target = tmp_path / "scanned.pdf"
    scanned.save(target)
    with pytest.raises(InputError, match="没有文字层") as caught:
        read_document(target)
    assert caught.value.problems[0].file == "scanned.pdf"


def test_an_encrypted_pdf_is_refused(tmp_path, text_pdf):
    import pymupdf as fitz

    target = tmp_path / "locked.pdf"
    fitz.open(text_pdf).save(
        target, encryption=fitz.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner"
    )
    with pytest.raises(InputError, match="PDF 已加密"):
        read_document(target)


def test_a_broken_pdf_is_refused(tmp_path):
    with pytest.raises(InputError, match="PDF"):
        read_document(write(tmp_path, "r.pdf", b"%PDF-1.7\nnot really a pdf"))


# --- what cannot be read --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.pdf", b"", "文件为空"),
        ("blank.txt", b"  \n\n", "文件为空"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版 Word"),
        ("renamed.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版 Word"),
        ("latin.txt", b"\xff\xfe\xfa\x80\x81", "编码"),
    ],
    ids=["empty", "blank", "doc", "doc-renamed", "undecodable"],
)
def test_unreadable_files_raise_a_chinese_message_naming_the_file(tmp_path, name, content, message):
    with pytest.raises(InputError, match=message) as caught:
        read_document(write(tmp_path, name, content))
    assert caught.value.problems[0].file == name


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="不存在"):
        read_document(tmp_path / "nowhere.pdf")


# --- office files (issue 23) ----------------------------------------------------------------------


def test_a_wrapped_url_is_made_whole_and_a_list_mark_is_not_glued_to_it():
    from disclosure.published.text import unwrap_urls

    text = "1.录取查询：https://\nwww.example.\ncn/x?id\n=8\n2.\nhttps://b.cn/y 等\n3 条"
    assert unwrap_urls(text) == [
        "1.录取查询：https://www.example.cn/x?id=8", "2.", "https://b.cn/y", "等", "3", "条"
    ]  # fmt: skip
    assert unwrap_urls("https://a.cn/x\nhttps://b.cn/y") == ["https://a.cn/x", "https://b.cn/y"]


def _line(text: str) -> dict:
    return {"text": text}


@pytest.mark.parametrize(("pages", "running"), [(2, True), (3, True), (4, True), (5, False)])
def test_a_running_header_is_a_line_on_at_least_half_the_pages(pages, running):
    from disclosure.published.text import _page_key, _running_lines

    body = [[_line(f"正文第 {n} 页第 {k} 行") for k in range(6)] for n in range(pages)]
    for n, lines in enumerate(body[: max(2, pages // 2)]):
        lines.insert(0, _line("某大学信息公开工作年度报告"))
        lines.append(_line(f"— {n + 1} —"))
    found = _running_lines(body)
    assert (_page_key("某大学信息公开工作年度报告") in found) is running
    assert (_page_key("— 1 —") in found) is running  # page numbers count as one text
    assert _running_lines([[_line("某大学")]]) == set()  # one page: nothing repeats


def test_cms_chrome_is_dropped_and_the_article_kept(tmp_path):
    page = (
        "<html><head><meta charset='gbk'><title>信息公开年度报告-某大学</title></head><body>"
        "<ul class='nav'><li><a href='/'>首页</a></li>"
        "<li><a href='/n'>信息公开年度报告</a></li></ul>"
        "<div class='position'>当前位置：首页 &gt; 年度报告</div>"
        "<div class='article'><p><span>某大学</span><span>2023-2024学年</span></p>"
        "<ul><li><a href='/x'>附件下载</a> 说明</li></ul></div>"
        "<div id='footer'>版权所有</div><footer>备案号</footer></body></html>"
    )
    path = write(tmp_path, "page.html", page.encode("gbk"))
    texts = [b.text for b in read_document(path).blocks]
    assert texts == ["某大学2023-2024学年", "附件下载 说明"]


def test_docx_with_a_merged_header_keeps_every_column(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    top, below = table.rows[0].cells, table.rows[1].cells
    top[0].text, top[2].text, below[2].text, below[3].text = "序号", "填报情况", "数量", "单位"
    top[0].merge(below[0])
    top[2].merge(top[3])
    document.save(tmp_path / "m.docx")
    rows = read_document(tmp_path / "m.docx").tables[0].rows
    assert [c.text for c in rows[0]] == ["序号", "", "填报情况", ""]
    assert [c.text for c in rows[1]] == ["序号", "", "数量", "单位"]  # merged down: repeated
