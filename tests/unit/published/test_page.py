"""The standalone pages: a viewport tag, escaped cells, links, sortable tables with a filter."""

from __future__ import annotations

from disclosure.published import page


def test_a_page_has_a_viewport_tag_and_the_sort_script():
    html = page.page("标题<x>", "<p>正文</p>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<title>标题&lt;x&gt;</title>" in html and "<p>正文</p>" in html
    assert "table.sortable" in html and "localeCompare" in html and "http" not in html


def test_cells_escape_link_and_align_numbers():
    assert page.cell("a<b") == "<td>a&lt;b</td>"
    assert page.cell(None) == "<td></td>" and page.cell(float("nan")) == "<td></td>"
    assert page.cell(3, numeric=True) == '<td class="n">3</td>'
    assert page.cell("x", "r.pdf#p") == '<td><a href="r.pdf#p">x</a></td>'
    assert page.cell("问题", width="w") == '<td class="w">问题</td>'
    assert "td.w{min-width:15em}" in page.STYLE


def test_a_sortable_table_with_and_without_a_filter():
    rows = ["<tr><td>1</td></tr>"]
    with_box = page.sortable(["错误"], rows, "筛选")
    assert with_box.startswith('<input class="filter" type="search" placeholder="筛选">')
    assert '<div class="wide"><table class="sortable">' in with_box
    assert "<tbody><tr><td>1</td></tr></tbody>" in with_box
    assert not page.sortable(["错误"], rows).startswith("<input")
