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
    "banner",
    "header",
    "body",
    "signature",
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
    assert anchor.get_text() == url


def test_link_escapes_the_ampersand_in_href():
    html = report.link("https://a.cn/?a=1&b=2")
    assert 'href="https://a.cn/?a=1&amp;b=2"' in html


def test_link_exact_output():
    assert report.link("http://a.cn/x") == '<a href="http://a.cn/x">http://a.cn/x</a>'
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


# --- banner ---------------------------------------------------------------------------------


def test_banner_only_when_errors():
    assert report.banner({"rules": 40, "errors": 0, "warnings": 3}) == ""
    html = report.banner({"rules": 40, "errors": 2, "warnings": 3})
    div = soup(html).find("div", class_="banner")
    assert div is not None
    assert "未通过校验" in div.get_text()
    assert "2 项错误级校验未通过" in div.get_text()
    assert "3 项提示" in div.get_text()


def test_banner_exact_output():
    assert report.banner({"errors": 1, "warnings": 0}) == (
        '<div class="banner failed"><strong>未通过校验</strong>:1 项错误级校验未通过、'
        "0 项提示,详见附件“校验结果”。本报告中的数字如实取自原始数据,矛盾之处未作修饰。</div>"
    )


def test_banner_escapes_its_counts():
    html = report.banner({"errors": XSS, "warnings": ATTR})
    assert_inert(html)
    assert f"{XSS} 项错误级校验未通过、{ATTR} 项提示" in soup(html).get_text()


# --- fragments escape every data string -----------------------------------------------------


def test_statistics_table_escapes_data():
    stats = pd.DataFrame(
        {
            "row": [1, 2],
            "label": [XSS, "门户网站"],
            "value": ["有", ATTR],
            "unit": ["", "<b>条</b>"],
        }
    )
    html = report.statistics_table(stats, "<i>某某大学</i>", "2023-2024")
    assert_inert(html)
    parsed = soup(html)
    cells = [texts(tr.find_all("td")) for tr in parsed.find("tbody").find_all("tr")]
    assert cells == [["1", XSS, "有", ""], ["2", "门户网站", ATTR, "<b>条</b>"]]
    assert parsed.find("b") is None and parsed.find("i") is None
    assert "学校名称:<i>某某大学</i>" in parsed.find("p", class_="annex-meta").get_text()


def test_statistics_table_escapes_the_year():
    html = report.statistics_table(pd.DataFrame(columns=["row", "label", "value", "unit"]), "", XSS)
    assert_inert(html)
    assert soup(html).find("h2").get_text() == f"{XSS} 学年度信息公开工作统计表"


def test_statistics_table_exact_output():
    stats = pd.DataFrame({"row": [10], "label": ["主动公开"], "value": [335], "unit": ["条"]})
    assert report.statistics_table(stats, "某某大学", "2023-2024") == (
        '<section class="annex"><div class="annex-no">附件 1</div>'
        '<h2 class="annex-title">2023-2024 学年度信息公开工作统计表</h2>'
        '<p class="annex-meta">学校名称:某某大学</p><table class="stat"><colgroup>'
        '<col style="width:7%"><col style="width:73%"><col style="width:11%"><col style="width:9%">'
        "</colgroup><thead><tr><th>序号</th><th>内容</th><th>数量</th><th>单位</th></tr></thead>"
        '<tbody><tr><td class="no">10</td><td>主动公开</td>'
        '<td class="val"><a class="trace" href="#r-10">335</a></td>'
        '<td class="unit">条</td></tr></tbody></table></section>'
    )


def checklist_items(remark, links):
    return pd.DataFrame(
        {
            "ref_category": [2, 2],
            "category_name": ["招生<考试>信息", "招生<考试>信息"],
            "item": [9, 10],
            "item_text": ["录取程序", XSS],
            "count": [2, 0],
            "links": [links, "QQ：2852377027"],
            "on_platform": ["否", None],
            "remark": [remark, float("nan")],
        }
    )


def test_checklist_table_escapes_remarks_and_renders_only_web_links():
    items = checklist_items(XSS, "https://crh.cqvtu.edu.cn/lqcx/#/ javascript:alert(1)")
    html = report.checklist_table(items, "某某大学")
    assert_inert(html)
    parsed = soup(html)
    assert [a["href"] for a in parsed.find_all("a")] == ["https://crh.cqvtu.edu.cn/lqcx/#/"]
    inert = texts(parsed.find_all("span", class_="not-link"))
    assert inert == ["javascript:alert(1)", "QQ：2852377027"]
    rows = parsed.find("tbody").find_all("tr")
    assert rows[0].get_text() == "第 2 大类 招生<考试>信息"
    item9 = texts(rows[1].find_all("td"))
    assert item9[0] == "9" and item9[2] == "2" and item9[5] == XSS
    item10 = texts(rows[2].find_all("td"))
    assert item10[1] == XSS
    assert item10[2] == ""  # a zero count is left blank, as on the printed form
    assert item10[4] == "" and item10[5] == ""  # None / NaN print as empty


def test_checklist_table_escapes_the_institution():
    html = report.checklist_table(checklist_items("", None), XSS)
    assert_inert(html)
    assert soup(html).find("p", class_="annex-meta").get_text() == f"学校名称:{XSS}"


def test_checklist_table_separates_links_with_one_space():
    html = report.checklist_table(checklist_items("", "http://a.cn/1 x&y  http://a.cn/2"), "")
    cell = soup(html).find("td", class_="links")
    assert cell.decode_contents() == (
        f'<a href="http://a.cn/1">http://a.cn/1</a> {NOT_LINK}x&amp;y</span> <a href="http://a.cn/2">http://a.cn/2</a>'
    )


def findings(passed, severity=("error", "warning")):
    return pd.DataFrame(
        {
            "id": ["C01", "F06"],
            "severity": list(severity),
            "title": ["清单<平台>", "人员"],
            "filled": [XSS, "0 + 0 > 0"],
            "passed": passed,
        }
    )


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


def test_findings_table_exact_output_when_everything_passes():
    assert report.findings_table(findings([True, True]), pd.DataFrame()) == (
        '<section class="annex"><div class="annex-no">附件 3</div>'
        '<h2 class="annex-title">校验结果(未通过的校验项)</h2>'
        '<p class="annex-meta">共 2 项校验,未通过 0 项。'
        "编号可在计算底稿(audit.html)中查到每项的算式与数据来源。</p>"
        "<p>全部校验通过。</p></section>"
    )


def test_findings_table_escapes_corrections():
    corrections = pd.DataFrame({"field": ["count"], "reason": [XSS]})
    html = report.findings_table(findings([True, True]), corrections)
    assert_inert(html)
    table = soup(html).find("table", class_="corrections")
    assert texts(table.find_all("th")) == ["field", "reason"]
    assert texts(table.find_all("td")) == ["count", XSS]


def test_findings_table_escapes_correction_headings():
    corrections = pd.DataFrame({XSS: ["x"]})
    html = report.findings_table(findings([True, True]), corrections)
    assert_inert(html)
    assert texts(soup(html).find("table", class_="corrections").find_all("th")) == [XSS]


def test_findings_table_without_correction_rows_has_no_corrections_table():
    html = report.findings_table(findings([True, True]), pd.DataFrame(columns=["field"]))
    assert "对原始数据的更正" not in html


def test_header_and_signature_escape_the_profile():
    profile = {
        "institution": XSS,
        "document_number": ATTR,
        "signer": "<b>石</b>",
        "addressee": "重庆市教育委员会",
    }
    html = report.header(profile, "关于<报送>的报告")
    html += report.signature(profile, "2024 年 11 月 14 日")
    assert_inert(html)
    parsed = soup(html)
    assert parsed.find("b") is None
    assert parsed.find("div", class_="issuer").get_text() == XSS
    assert parsed.find("div", class_="docno").get_text() == ATTR
    assert "关于<报送>的报告" in parsed.find("h1").get_text()
    assert parsed.find("p", class_="addressee").get_text() == "重庆市教育委员会:"


def test_header_exact_output_with_missing_profile_fields():
    assert report.header({"institution": "某某大学"}, "报告") == (
        '<div class="doc-head"><div class="issuer">某某大学</div><div class="docno"></div>'
        '<div class="signer">签发人:</div></div>'
        '<h1 class="doc-title">某某大学<br>报告</h1><p class="addressee">:</p>'
    )


def test_signature_escapes_the_date_text():
    html = report.signature({"institution": "某某大学"}, XSS)
    assert_inert(html)
    assert texts(soup(html).find_all("div")[1:]) == ["某某大学", XSS]


def test_signature_exact_output():
    assert report.signature({"institution": "A&B"}, "2024 年 11 月 14 日") == (
        '<div class="signature"><div>A&amp;B</div><div>2024 年 11 月 14 日</div></div>'
    )


def test_body_escapes_templates_and_filled_values():
    narrative = {
        "opening": [{"template": "学校 {profile.institution} 发布 {r10} 条。"}],
        "sections": [
            {
                "part": "二",
                "heading": "<u>主动公开</u>",
                "paragraphs": [{"subheading": XSS}, {"template": "<img src=x onerror=alert(1)>"}],
            }
        ],
        "attachments": ["附件 {r10}<br>"],
    }
    html = report.body(narrative, {"profile.institution": XSS, "r10": 335})
    assert_inert(html)
    parsed = soup(html)
    assert parsed.find("img") is None and parsed.find("u") is None and parsed.find("br") is None
    paragraphs = texts(parsed.find_all("p"))
    assert paragraphs == [f"学校 {XSS} 发布 335 条。", "<img src=x onerror=alert(1)>"]
    assert parsed.find("h2").get_text() == "二、<u>主动公开</u>"
    assert parsed.find("h3").get_text() == XSS
    assert parsed.find("li").get_text() == "附件 335<br>"


def test_body_exact_output():
    narrative = {
        "opening": [{"template": "共 {r10} 条。"}],
        "sections": [{"part": "一", "heading": "概述", "paragraphs": [{"subheading": "(一)"}]}],
        "attachments": ["统计表"],
    }
    assert report.body(narrative, {"r10": 3}) == (
        '<div class="doc-body"><p>共 3 条。</p><h2>一、概述</h2><h3>(一)</h3>'
        '<div class="attachments">附件:<ol><li>统计表</li></ol></div></div>'
    )
    assert report.body({}, {}) == '<div class="doc-body"></div>'


def test_body_shows_a_missing_placeholder_as_a_marker():
    html = report.body({"sections": [{"paragraphs": [{"template": "共 {r99} 条"}]}]}, {})
    assert texts(soup(html).find_all("p")) == ["共 〔缺少数据:r99〕 条"]
    assert report.fill_title({"title": "{学校}的报告"}, {}) == "〔缺少数据:学校〕的报告"


def test_body_of_no_narrative_is_empty():
    assert report.body(None, {"r10": 3}) == '<div class="doc-body"></div>'


def test_figure_block_escapes_the_caption():
    html = report.figure_block("iVBORw0KGgo=", '图 1:"><script>alert(1)</script>')
    assert_inert(html)
    img = soup(html).find("img")
    assert img["alt"] == '图 1:"><script>alert(1)</script>'
    assert img["src"] == "data:image/png;base64,iVBORw0KGgo="


def test_figure_block_exact_output():
    assert report.figure_block("QUJD", "图 1:\"a\" & 'b'") == (
        '<figure class="chart"><img alt="图 1:&quot;a&quot; &amp; &#x27;b&#x27;" '
        'src="data:image/png;base64,QUJD"><figcaption>图 1:&quot;a&quot; &amp; &#x27;b&#x27;'
        "</figcaption></figure>"
    )


def test_figures_section_skips_missing_figures():
    html = report.figures_section("2023-2024", [(None, "清单覆盖率"), (b"\x89PNG", "主动公开渠道")])
    captions = texts(soup(html).find_all("figcaption"))
    assert captions == ["图 1:2023-2024 学年主动公开渠道"]


def test_figures_section_escapes_year_and_captions():
    html = report.figures_section(XSS, [(b"ABC", ATTR)])
    assert_inert(html)
    figure = soup(html).find("figure")
    assert figure.img["alt"] == figure.figcaption.get_text() == f"图 1:{XSS} 学年{ATTR}"


def test_figures_section_exact_output():
    assert report.figures_section("2023-2024", [(b"ABC", "甲"), (b"", "乙"), (b"DE", "丙")]) == (
        '<section class="annex figures"><div class="annex-no">附图</div>'
        '<h2 class="annex-title">图表</h2>'
        '<figure class="chart"><img alt="图 1:2023-2024 学年甲" src="data:image/png;base64,QUJD">'
        "<figcaption>图 1:2023-2024 学年甲</figcaption></figure>"
        '<figure class="chart"><img alt="图 2:2023-2024 学年丙" src="data:image/png;base64,REU=">'
        "<figcaption>图 2:2023-2024 学年丙</figcaption></figure></section>"
    )


def test_title_and_date_text():
    title = report.fill_title(None, {"year": "2023-2024"})
    assert title == "关于报送2023-2024学年度信息公开工作的报告"
    assert report.fill_title({"title": "{year} 报告"}, {"year": "2023-2024"}) == "2023-2024 报告"
    assert report.date_text({"report_date": "2024-11-14"}) == "2024 年 11 月 14 日"
    assert report.date_text({}) == ""
