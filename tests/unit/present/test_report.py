"""HTML fragments of the report (disclosure.present.report).

Data is escaped, only http(s) URLs become links, and the markup comes from the Jinja templates in
templates/fragments.
"""

from importlib.resources import files

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from disclosure.present import report

XSS = "<script>alert(1)</script>"
ATTR = '" onmouseover="alert(1)'
NOT_LINK = '<span class="not-link" title="不是 http(s) 网址,按文字显示">'
FRAGMENTS = [
    "link",
    "header",
    "body",
    "review_summary",
    "statistics_table",
    "checklist_table",
    "findings_table",
    "figure_block",
    "figures_section",
]


def soup(html):
    return BeautifulSoup(html, "html.parser")


def assert_inert(html):
    """No element or attribute injected by the data survives parsing."""
    parsed = soup(html)
    assert parsed.find("script") is None
    assert not any(attr.startswith("on") for tag in parsed.find_all(True) for attr in tag.attrs)
    assert "<script>" not in html


def texts(tags):
    return [tag.get_text() for tag in tags]


# --- the template environment ---------------------------------------------------------------


@pytest.mark.parametrize("name", FRAGMENTS)
def test_every_fragment_has_a_packaged_template(name):
    folder = files("disclosure.present") / "templates" / "fragments"
    assert (folder / f"{name}.html.j2").is_file()


def test_one_environment_with_autoescape_on():
    env = report._environment()
    assert env is report._environment()
    assert env.autoescape is True


def test_values_are_printed_escaped_the_standard_library_way():
    template = report._environment().from_string('<p title="{{ v }}">{{ v }}</p>')
    html = template.render(v="<a href='x'>\"&\"</a>")
    quoted = "&lt;a href=&#x27;x&#x27;&gt;&quot;&amp;&quot;&lt;/a&gt;"
    assert html == f'<p title="{quoted}">{quoted}</p>'


@pytest.mark.parametrize("value", [None, float("nan")])
def test_none_and_nan_print_as_nothing(value):
    assert report._environment().from_string("<td>{{ v }}</td>").render(v=value) == "<td></td>"


def test_only_html_already_built_passes_unescaped():
    template = report._environment().from_string("{{ built }}{{ text }}")
    assert template.render(built=Markup("<br>"), text="<br>") == "<br>&lt;br&gt;"


def test_template_line_breaks_and_indentation_are_dropped_but_spaces_in_a_line_kept():
    source = "<ul>\n  {% for x in xs %}\n    <li>第 {{ x }} 项</li>\n  {% endfor %}\n</ul>\n"
    html = report._environment().from_string(source).render(xs=[1, 2])
    assert html == "<ul><li>第 1 项</li><li>第 2 项</li></ul>"


def test_a_line_break_in_a_value_is_kept():
    assert report._environment().from_string("<p>{{ v }}</p>").render(v="a\n  b") == "<p>a\n  b</p>"


# --- link -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://www.cqvtu.edu.cn/index.php?c=category&id=8", "http://a.cn/x", "HTTPS://A.CN/"],
)
def test_link_renders_http_urls_as_anchors(url):
    anchor = soup(report.link(url)).find("a")
    assert anchor is not None
    assert anchor["href"] == url
    assert anchor.get_text() == url  # the break points (<wbr>) add no text


@pytest.mark.parametrize(
    "url, parts",
    [
        ("https://a.cn/x?c=1&id=8", ["https://", "a.cn/", "x?", "c=", "1&", "id=", "8"]),
        ("http://a.cn/", ["http://", "a.cn/"]),  # nothing after the last break point
        ("https://a.cn/lqcx/#/", ["https://", "a.cn/", "lqcx/", "#/"]),
        ("https://xn--a.cn", ["https://", "xn--a.cn"]),  # never inside a word
    ],
)
def test_links_break_only_after_slash_question_ampersand_equals(url, parts):
    assert report._break_parts(url) == parts
    assert str(report.breakable(url)) == "<wbr>".join(parts).replace("&", "&amp;")


def test_link_escapes_the_ampersand_in_href():
    html = report.link("https://a.cn/?a=1&b=2")
    assert 'href="https://a.cn/?a=1&amp;b=2"' in html


def test_link_exact_output():
    assert report.link("http://a.cn/x") == '<a href="http://a.cn/x">http://<wbr>a.cn/<wbr>x</a>'
    assert report.link("<b>") == f"{NOT_LINK}&lt;b&gt;</span>"


@pytest.mark.parametrize(
    "token",
    [
        "javascript:alert(1)",
        "QQ：2852377027",
        "ftp://a.cn/file",
        "data:text/html,<script>alert(1)</script>",
        "www.cqvtu.edu.cn",
        'https://a.cn/"onmouseover="alert(1)',
        "https://a.cn/<script>",
    ],
)
def test_link_makes_other_tokens_inert_text(token):
    html = report.link(token)
    parsed = soup(html)
    assert parsed.find("a") is None
    span = parsed.find("span", class_="not-link")
    assert span is not None
    assert span.get_text() == token  # shown exactly as printed
    assert_inert(html)


# --- the document's fragments escape every data string -------------------------------------


def doc(**changes):
    base = {
        "year": "2023-2024",
        "issuer": "某某大学",
        "document_number": "某大文〔2024〕1号",
        "signer": "张三",
        "addressee": "重庆市教育委员会",
        "title": "关于报送的报告",
        "opening": ["共 3 条。"],
        "sections": [{"part": "一", "heading": "概述", "paragraphs": [{"subheading": "(一)"}]}],
        "attachments": ["统计表"],
        "signature": "某某大学",
        "date": "2024 年 10 月 14 日",
        "statistics": [
            {"row": 10, "label": "主动公开", "value": "335", "unit": "条", "published": "330",
             "agrees": False},
            {"row": 11, "label": "清单", "value": "174", "unit": "条", "published": "174",
             "agrees": True},
        ],
        "checklist": [
            {"category": 2, "category_name": "招生", "item": 9, "count": 2,
             "links": ["1.录取查询：", "https://crh.cqvtu.edu.cn/lqcx/#/", "javascript:alert(1)"],
             "on_platform": "否", "remark": ""},
            {"category": 2, "category_name": "招生", "item": 10, "count": 0, "links": ["无"],
             "on_platform": "", "remark": ""},
            {"category": 3, "category_name": "财务", "item": 15, "count": 1,
             "links": ["http://a.cn/1"], "on_platform": "是", "remark": "说明"},
        ],
    }  # fmt: skip
    base.update(changes)
    return base


def test_header_is_the_gbt9704_head_with_number_and_signer_on_one_line():
    parsed = soup(report.header(doc()))
    assert parsed.find("div", class_="issuer").get_text() == "某某大学"
    line = parsed.find("div", class_="docline")
    assert texts(line.find_all("span", recursive=False)) == ["某大文〔2024〕1号", "签发人：张三"]
    assert line.find("span", class_="signer-name").get_text() == "张三"
    assert parsed.find("div", class_="red-rule") is not None
    assert parsed.find("h1").get_text() == "关于报送的报告"
    assert parsed.find("p", class_="addressee").get_text() == "重庆市教育委员会："


def test_header_escapes_the_profile():
    html = report.header(doc(issuer=XSS, document_number=ATTR, signer="<b>石</b>", title="<i>t"))
    assert_inert(html)
    parsed = soup(html)
    assert parsed.find("b") is None and parsed.find("i") is None
    assert parsed.find("div", class_="issuer").get_text() == XSS
    assert parsed.find("span", class_="docno").get_text() == ATTR


def test_body_exact_output():
    assert report.body(doc()) == (
        '<div class="doc-body"><p>共 3 条。</p><h2>一、概述</h2><h3>(一)</h3>'
        '<table class="attachments"><tr><td class="att-label">附件：</td>'
        '<td class="att-text">1. 统计表</td></tr></table>'
        '<div class="signature"><div class="sig-name">某某大学</div>'
        '<div class="sig-date">2024 年 10 月 14 日</div></div></div>'
    )


def test_body_lists_every_attachment_numbered_with_the_label_once():
    parsed = soup(report.body(doc(attachments=["统计表", "清单对照检查表"])))
    rows = [texts(tr.find_all("td")) for tr in parsed.find("table").find_all("tr")]
    assert rows == [["附件：", "1. 统计表"], ["", "2. 清单对照检查表"]]


def test_body_escapes_the_prose():
    paragraphs = [{"subheading": XSS}, {"text": "<img src=x onerror=alert(1)>"}]
    sections = [{"part": "二", "heading": "<u>主动公开</u>", "paragraphs": paragraphs}]
    html = report.body(doc(sections=sections, attachments=["附件<br>"], date=XSS))
    assert_inert(html)
    parsed = soup(html)
    assert parsed.find("img") is None and parsed.find("u") is None and parsed.find("br") is None
    assert parsed.find("h2").get_text() == "二、<u>主动公开</u>"
    assert parsed.find("h3").get_text() == XSS
    assert parsed.find("div", class_="sig-date").get_text() == XSS


def test_statistics_table_publication_copy_has_the_form_columns_and_no_marks():
    parsed = soup(report.statistics_table(doc()))
    assert texts(parsed.find("thead").find_all("th")) == ["序号", "内容", "数量", "单位"]
    rows = [texts(tr.find_all("td")) for tr in parsed.find("tbody").find_all("tr")]
    assert rows == [["10", "主动公开", "335", "条"], ["11", "清单", "174", "条"]]
    assert parsed.find("tr", class_="differs") is None and "公布" not in parsed.get_text()
    assert parsed.find("div", class_="annex-no").get_text() == "附件1"


def test_statistics_table_review_copy_marks_only_the_rows_that_differ():
    parsed = soup(report.statistics_table(doc(), review=True))
    marked = parsed.find_all("tr", class_="differs")
    assert [tr.find("td").get_text() for tr in marked] == ["10"]
    assert marked[0].find("div", class_="published").get_text() == "公布：330"


def test_statistics_table_review_copy_marks_nothing_without_a_published_table():
    rows = [dict(r, published=None, agrees=None) for r in doc()["statistics"]]
    assert (
        soup(report.statistics_table(doc(statistics=rows), review=True)).find(
            "tr", class_="differs"
        )
        is None
    )


def test_statistics_table_escapes_data():
    rows = [{"row": 1, "label": XSS, "value": ATTR, "unit": "<b>条</b>", "published": None,
             "agrees": None}]  # fmt: skip
    html = report.statistics_table(doc(statistics=rows, issuer="<i>某某大学</i>", year=XSS))
    assert_inert(html)
    parsed = soup(html)
    assert texts(parsed.find("tbody").find_all("td")) == ["1", XSS, ATTR, "<b>条</b>"]
    assert parsed.find("h2").get_text() == f"{XSS} 学年度信息公开工作统计表"


def test_checklist_table_has_the_printed_columns_and_spans_each_category():
    parsed = soup(report.checklist_table(doc()))
    assert texts(parsed.find("thead").find_all("th")) == [
        "类别", "序号", "公开数量(条)", "链接", "是否在门户网站信息公开平台公布", "其他需说明事项",
    ]  # fmt: skip
    rows = parsed.find("tbody").find_all("tr")
    first = rows[0].find("td", class_="cat")
    assert first.get_text() == "第 2 大类" and first["rowspan"] == "2"
    assert rows[1].find("td", class_="cat") is None
    assert rows[2].find("td", class_="cat")["rowspan"] == "1"


def test_checklist_table_one_link_per_line_and_only_web_links_are_anchors():
    html = report.checklist_table(doc())
    assert_inert(html)
    parsed = soup(html)
    lines = parsed.find("tbody").find_all("tr")[0].find_all("div", class_="link-line")
    assert texts(lines) == [
        "1.录取查询：",
        "https://crh.cqvtu.edu.cn/lqcx/#/",
        "javascript:alert(1)",
    ]
    assert [a["href"] for a in parsed.find_all("a")] == [
        "https://crh.cqvtu.edu.cn/lqcx/#/", "http://a.cn/1"
    ]  # fmt: skip


def test_checklist_table_leaves_a_zero_count_blank_and_prints_none_as_written():
    cells = texts(
        soup(report.checklist_table(doc())).find("tbody").find_all("tr")[1].find_all("td")
    )
    assert cells == ["10", "", "无", "", ""]


def test_checklist_table_escapes_the_institution_and_remarks():
    items = [dict(doc()["checklist"][2], remark=XSS)]
    html = report.checklist_table(doc(checklist=items, issuer=XSS))
    assert_inert(html)
    assert soup(html).find("p", class_="annex-meta").get_text() == f"学校名称：{XSS}"
    assert soup(html).find("td", class_="remark").get_text() == XSS


def findings(passed, severity=("error", "warning")):
    return pd.DataFrame(
        {
            "id": ["C01", "F06"],
            "severity": list(severity),
            "title": ["清单<平台>", "人员"],
            "filled": [XSS, "0 + 0 > 0"],
            "message": [f"平台{XSS}少于清单", ""],  # F06: a finding from before the column
            "passed": passed,
            "hint": ["核对清单", None],
            "cause": ["", ""],
        }
    )


def test_review_summary_lists_each_failed_check_with_its_fix():
    html = report.review_summary(findings([False, False]), "2023-2024", "某某大学")
    assert_inert(html)
    parsed = soup(html)
    items = parsed.find("ol").find_all("li", recursive=False)
    # each problem leads in words (a finding without one falls back to its filled-in check)
    assert [li.find("strong").get_text() for li in items] == [f"平台{XSS}少于清单", "0 + 0 > 0"]
    what = [li.find("div", class_="what").get_text() for li in items]
    assert what == ["校验：C01 清单<平台>", "校验：F06 人员"]
    assert items[0].find("div", class_="fix").get_text() == "修改建议：核对清单"
    assert items[1].find("div", class_="fix") is None  # no hint, no empty advice
    assert "2 项错误、0 项提示" not in parsed.get_text()
    assert "1 项错误、1 项提示未通过" in parsed.get_text()


def test_review_summary_puts_consequences_under_their_cause():
    frame = findings([False, False]).assign(cause=["", "C01"])
    items = soup(report.review_summary(frame, "2023-2024", "某")).find("ol").find_all("li")
    assert len(items) == 1
    assert items[0].find("div", class_="also").get_text() == "由此引起：F06"


def test_review_summary_when_everything_passes():
    html = report.review_summary(findings([True, None]), "2023-2024", "某")
    assert soup(html).find("ol") is None and "全部校验通过" in html


def test_findings_table_lists_failed_findings_escaped():
    html = report.findings_table(findings([False, False]), pd.DataFrame())
    assert_inert(html)
    parsed = soup(html)
    table = parsed.find("table", class_="findings")
    rows = [texts(tr.find_all("td")) for tr in table.tbody.find_all("tr")]
    assert rows == [["C01", "错误", "清单<平台>", XSS], ["F06", "提示", "人员", "0 + 0 > 0"]]
    assert "共 2 项校验,未通过 2 项" in parsed.get_text()


def test_findings_table_escapes_the_severity_class():
    hostile = findings([False, True], severity=(ATTR, "warning"))
    html = report.findings_table(hostile, pd.DataFrame())
    assert_inert(html)
    assert soup(html).find("table", class_="findings").tbody.tr["class"] == ATTR.split()


def test_findings_table_when_everything_passes():
    html = report.findings_table(findings([True, None]), pd.DataFrame())
    assert soup(html).find("table") is None
    assert "全部校验通过" in html


def test_findings_table_escapes_corrections():
    corrections = pd.DataFrame({"field": ["count"], "reason": [XSS]})
    html = report.findings_table(findings([True, True]), corrections)
    assert_inert(html)
    table = soup(html).find("table", class_="corrections")
    assert texts(table.find_all("th")) == ["field", "reason"]
    assert texts(table.find_all("td")) == ["count", XSS]


def test_findings_table_without_correction_rows_has_no_corrections_table():
    html = report.findings_table(findings([True, True]), pd.DataFrame(columns=["field"]))
    assert "对原始数据的更正" not in html


def test_review_summary_values_are_what_the_page_prints():
    values = report.review_summary_values(findings([False, True]), "2023-2024", "某某大学")
    assert values["summary"]["errors"] == 1 and values["summary"]["warnings"] == 0
    assert [g["id"] for g in values["groups"]] == ["C01"]
    assert values["groups"][0]["hint"] == "核对清单" and values["groups"][0]["consequences"] == ""
    assert (values["year"], values["institution"]) == ("2023-2024", "某某大学")
    hintless = report.review_summary_values(findings([True, False]), "2023-2024", "某")
    assert hintless["groups"][0]["hint"] == ""  # None in the findings: no advice


def test_findings_values_list_only_failed_checks_and_the_corrections_as_text():
    fixes = pd.DataFrame({"表": ["items"], "更正后": [float("nan")], "条数": [3]})
    values = report.findings_values(findings([False, True]), fixes)
    assert values["total"] == 2
    assert values["failed"] == [
        {"id": "C01", "severity": "error", "title": "清单<平台>", "filled": XSS}
    ]
    assert values["fix_columns"] == ["表", "更正后", "条数"]
    assert values["fix_rows"] == [["items", "", "3"]]
    assert report.findings_values(findings([True, True]), pd.DataFrame())["fix_rows"] == []
