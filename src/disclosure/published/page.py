"""The standalone HTML pages a commission reads (the audit overview, the commission overview):
one page, no network, readable on a phone (a viewport tag, tables that scroll sideways), with
tables that sort when a heading is clicked and filter as one types (a small inline script).
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = (
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:1em;line-height:1.5;"
    "font-size:15px;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.25em;margin-top:1.6em}h3{font-size:1.05em}"
    ".wide{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #999;padding:3px 6px;vertical-align:top;text-align:left}"
    "th{background:#eee}th.sort{cursor:pointer;white-space:nowrap}"
    "th.sort:after{content:' ⇅';color:#888}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.w{min-width:15em}td.m{min-width:5.5em}"  # in a table that scrolls: words, names
    "img{max-width:min(100%,760px);height:auto}"
    ".bad{color:#b00020}.ok{color:#1b5e20}.note{color:#555;font-size:.92em}"
    "input.filter{font-size:1em;padding:4px;width:min(24em,100%);box-sizing:border-box}"
    "ul.findings{padding-left:1.2em}ul.findings li{margin:.3em 0}"
    "@page{size:A4 landscape;margin:1cm}"
    "@media print{input.filter{display:none}th.sort:after{content:''}"
    "body{margin:0;font-size:9pt}td.w{min-width:0;width:30%}td.m{min-width:0}"
    "th,td{padding:2px 3px}}"
)

# Click a heading of a table.sortable to sort by it (numbers as numbers, again to reverse); type in
# the input.filter before it to show only the rows that contain the text.
SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll('th').forEach(function (th, col) {
    th.classList.add('sort');
    th.addEventListener('click', function () {
      var up = th.dataset.dir !== 'up';
      th.dataset.dir = up ? 'up' : 'down';
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.v || a.cells[col].textContent.trim();
        var y = b.cells[col].dataset.v || b.cells[col].textContent.trim();
        var nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny
          : (x === '' ? 1 : y === '' ? -1 : x.localeCompare(y, 'zh-CN'));
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var box = table.parentNode.previousElementSibling;
  if (box && box.classList.contains('filter')) {
    box.addEventListener('input', function () {
      var q = box.value.trim();
      Array.prototype.forEach.call(body.rows, function (r) {
        r.style.display = !q || r.textContent.indexOf(q) >= 0 ? '' : 'none';
      });
    });
  }
});
"""


def shown(value: Any) -> str:
    """A cell's text: nothing for None or NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def cell(value: Any, link: str = "", numeric: bool = False, width: str = "") -> str:
    """A table cell; `width` "w" for running words, "m" for a name (the least they keep on a
    narrow screen, where the table scrolls sideways rather than squeezing them)."""
    text = escape(shown(value))
    if link:
        text = f'<a href="{escape(link)}">{text}</a>'
    kind = "n" if numeric else width
    return f'<td class="{kind}">{text}</td>' if kind else f"<td>{text}</td>"


def sortable(headers: list[str], rows: list[str], filter_hint: str = "") -> str:
    """A table whose headings sort it, in a box that scrolls sideways on a narrow screen; with
    `filter_hint`, a text box before it that filters its rows."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    box = (
        f'<input class="filter" type="search" placeholder="{escape(filter_hint)}">'
        if filter_hint
        else ""
    )
    table = f'<table class="sortable"><thead><tr>{head}</tr></thead>'
    table += f"<tbody>{''.join(rows)}</tbody></table>"
    return f'{box}<div class="wide">{table}</div>'


def page(title: str, body: str) -> str:
    """A whole page: UTF-8, Chinese, a viewport tag (a phone lays it out at its own width)."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}<script>{SCRIPT}</script></body></html>"
    )
