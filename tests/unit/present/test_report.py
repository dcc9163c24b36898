"""HTML fragments of the report (disclosure.report): data is escaped, only http(s) URLs become links."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from disclosure.present import report

XSS = "<script>alert(1)</script>"
ATTR = '" onmouseover="alert(1)'


def soup(html):
    return BeautifulSoup(html, "html.parser")


def assert_inert(html):
    """No element or attribute injected by the data survives parsing."""
    parsed = soup(html)
    assert parsed.find("script") is None
    assert not any(attr.startswith("on") for tag in parsed.find_all(True) for attr in tag.attrs)
    assert "<script>" not in html


# --- link ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://www.cqvtu.edu.cn/index.php?c=category&id=8", "http://a.cn/x", "HTTPS://A.CN/"])
def test_link_renders_http_urls_as_anchors(url):
    anchor = soup(report.link(url)).find("a")
    assert anchor is not None
    assert anchor["href"] == url
    assert anchor.get_text() == url


def test_link_escapes_the_ampersand_in_href():
    html = report.link("https://a.cn/?a=1&b=2")
    assert 'href="https://a.cn/?a=1&amp;b=2"' in html


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


# --- banner -----------------------------------------------------------------------------------------------------------


def test_banner_only_when_errors():
    assert report.banner({"rules": 40, "errors": 0, "warnings": 3}) == ""
    html = report.banner({"rules": 40, "errors": 2, "warnings": 3})
    div = soup(html).find("div", class_="banner")
    assert div is not None
    assert "未通过校验" in div.get_text()
    assert "2 项错误级校验未通过" in div.get_text()
    assert "3 项提示" in div.get_text()


# --- fragments escape every data string -----------------------------------------------------------------------------------


def test_statistics_table_escapes_data():
    stats = pd.DataFrame({"row": [1, 2], "label": [XSS, "门户网站"], "value": ["有", ATTR], "unit": ["", "<b>条</b>"]})
    html = report.statistics_table(stats, "<i>某某大学</i>", "2023-2024")
    assert_inert(html)
    parsed = soup(html)
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in parsed.find("tbody").find_all("tr")]
    assert cells == [["1", XSS, "有", ""], ["2", "门户网站", ATTR, "<b>条</b>"]]
    assert parsed.find("b") is None and parsed.find("i") is None
    assert "学校名称:<i>某某大学</i>" in parsed.find("p", class_="annex-meta").get_text()


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
    html = report.checklist_table(checklist_items(XSS, "https://crh.cqvtu.edu.cn/lqcx/#/ javascript:alert(1)"), "某某大学")
    assert_inert(html)
    parsed = soup(html)
    assert [a["href"] for a in parsed.find_all("a")] == ["https://crh.cqvtu.edu.cn/lqcx/#/"]
    inert = [s.get_text() for s in parsed.find_all("span", class_="not-link")]
    assert inert == ["javascript:alert(1)", "QQ：2852377027"]
    rows = parsed.find("tbody").find_all("tr")
    assert rows[0].get_text() == "第 2 大类 招生<考试>信息"
    item9 = [td.get_text() for td in rows[1].find_all("td")]
    assert item9[0] == "9" and item9[2] == "2" and item9[5] == XSS
    item10 = [td.get_text() for td in rows[2].find_all("td")]
    assert item10[1] == XSS
    assert item10[2] == ""  # a zero count is left blank, as on the printed form
    assert item10[4] == "" and item10[5] == ""  # None / NaN print as empty


def findings(passed):
    return pd.DataFrame(
        {
            "id": ["C01", "F06"],
            "severity": ["error", "warning"],
            "title": ["清单<平台>", "人员"],
            "filled": [XSS, "0 + 0 > 0"],
            "passed": passed,
        }
    )


def test_findings_table_lists_failed_findings_escaped():
    html = report.findings_table(findings([False, False]), pd.DataFrame())
    assert_inert(html)
    parsed = soup(html)
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in parsed.find("table", class_="findings").tbody.find_all("tr")]
    assert rows == [["C01", "错误", "清单<平台>", XSS], ["F06", "提示", "人员", "0 + 0 > 0"]]
    assert "共 2 项校验,未通过 2 项" in parsed.get_text()


def test_findings_table_when_everything_passes():
    html = report.findings_table(findings([True, None]), pd.DataFrame())
    assert soup(html).find("table") is None
    assert "全部校验通过" in html


def test_findings_table_escapes_corrections():
    corrections = pd.DataFrame({"field": ["count"], "reason": [XSS]})
    html = report.findings_table(findings([True, True]), corrections)
    assert_inert(html)
    table = soup(html).find("table", class_="corrections")
    assert [th.get_text() for th in table.find_all("th")] == ["field", "reason"]
    assert [td.get_text() for td in table.find_all("td")] == ["count", XSS]


def test_header_and_signature_escape_the_profile():
    profile = {"institution": XSS, "document_number": ATTR, "signer": "<b>石</b>", "addressee": "重庆市教育委员会"}
    html = report.header(profile, "关于<报送>的报告") + report.signature(profile, "2024 年 11 月 14 日")
    assert_inert(html)
    parsed = soup(html)
    assert parsed.find("b") is None
    assert parsed.find("div", class_="issuer").get_text() == XSS
    assert parsed.find("div", class_="docno").get_text() == ATTR
    assert "关于<报送>的报告" in parsed.find("h1").get_text()
    assert parsed.find("p", class_="addressee").get_text() == "重庆市教育委员会:"


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
    paragraphs = [p.get_text() for p in parsed.find_all("p")]
    assert paragraphs == [f"学校 {XSS} 发布 335 条。", "<img src=x onerror=alert(1)>"]
    assert parsed.find("h2").get_text() == "二、<u>主动公开</u>"
    assert parsed.find("h3").get_text() == XSS
    assert parsed.find("li").get_text() == "附件 335<br>"


def test_figure_block_escapes_the_caption():
    html = report.figure_block("iVBORw0KGgo=", '图 1:"><script>alert(1)</script>')
    assert_inert(html)
    img = soup(html).find("img")
    assert img["alt"] == '图 1:"><script>alert(1)</script>'
    assert img["src"] == "data:image/png;base64,iVBORw0KGgo="


def test_figures_section_skips_missing_figures():
    html = report.figures_section("2023-2024", [(None, "清单覆盖率"), (b"\x89PNG", "主动公开渠道")])
    captions = [c.get_text() for c in soup(html).find_all("figcaption")]
    assert captions == ["图 1:2023-2024 学年主动公开渠道"]


def test_title_and_date_text():
    assert report.fill_title(None, {"year": "2023-2024"}) == "关于报送2023-2024学年度信息公开工作的报告"
    assert report.fill_title({"title": "{year} 报告"}, {"year": "2023-2024"}) == "2023-2024 报告"
    assert report.date_text({"report_date": "2024-11-14"}) == "2024 年 11 月 14 日"
    assert report.date_text({}) == ""
