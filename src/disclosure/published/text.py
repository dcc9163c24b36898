"""The text and tables of a published report, whatever its format: PDF with a text layer
(pdfplumber), Word .docx (python-docx), HTML as a school's web page saves it (lxml) and plain
text or Markdown (tab-separated or pipe tables, HTML anchors in cells).

Every format gives the same shape, a `Document`: body text blocks in reading order and tables of
cells, each block and table row knowing where it is (page and line, or line of the file), so that
what cannot be read later is reported with its place. A cell also carries its tokens: the links
it holds (from anchors or PDF link annotations, so a URL broken over two printed lines is whole)
and its other words, in order.

pdfplumber rather than PyMuPDF: on the project's own 14-page report.pdf pdfplumber found the same
9 tables in 1.9 s against PyMuPDF's find_tables 16.8 s, and kept the text of wrapped cells in
reading order where PyMuPDF moved punctuation to other lines (see the issue-14 note)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from disclosure.errors import InputError

FORMATS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "text"}
FORMATS[".md"] = "text"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Word (.doc), Excel (.xls)
HEADING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|附\s*件)")
PAGE_NUMBER = re.compile(r"^[—\-－]\s*\d+\s*[—\-－]$")
URL = re.compile(r"https?://[^\s<>\"'，。；、）]+", re.IGNORECASE)


@dataclass
class Cell:
    text: str  # the cell's text, printed lines joined by "\n"
    tokens: list[str] = field(default_factory=list)  # links (whole) and other words, in order


@dataclass
class Table:
    rows: list[list[Cell]]
    places: list[str]  # where each row is, e.g. "第 3 页" or "第 120 行"


@dataclass
class Block:
    text: str
    place: str


@dataclass
class Document:
    path: Path
    kind: str  # pdf | docx | html | text
    blocks: list[Block]
    tables: list[Table]
    pages: int = 0


def read_document(path: Path) -> Document:
    """Read `path` by its format; a file that cannot be read raises InputError in Chinese, naming
    the file."""
    shown = path.name
    if not path.is_file():
        raise InputError.one(shown, "文件不存在")
    data = path.read_bytes()
    if not data.strip():
        raise InputError.one(shown, "文件为空,没有可读取的报告内容")
    suffix = path.suffix.lower()
    if data.startswith(OLE_MAGIC) or suffix == ".doc":
        raise InputError.one(
            shown, "这是旧版 Word(.doc)文件,无法直接读取;请在 Word 或 WPS 中另存为 .docx 后再导入"
        )
    kind = FORMATS.get(suffix)
    if data.startswith(b"%PDF"):
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04") and kind != "docx":
        kind = "docx"
    if kind == "pdf":
        return _pdf(path)
    if kind == "docx":
        return _docx(path)
    text = _decode(data, shown)
    if kind == "html" or (kind is None and re.search(r"<(html|body|table)\b", text[:4000], re.I)):
        return _html(path, text)
    return _text(path, text)


def _decode(data: bytes, shown: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError.one(shown, "文件既不是 UTF-8 也不是 GBK/GB18030 编码的文字,无法读取")


# --- plain text and Markdown ----------------------------------------------------------------------

MD_MARKUP = re.compile(r"^\s*#+\s*|\*\*|__")
MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def _text(path: Path, text: str) -> Document:
    """Lines with a tab (or Markdown pipe rows) are table rows; consecutive ones (blank lines
    allowed between them) form one table. Every other non-blank line is a block."""
    blocks: list[Block] = []
    tables: list[Table] = []
    current: Table | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        place = f"第 {number} 行"
        if "\t" in line or line.lstrip().startswith("|"):
            if PIPE_RULE.match(line):
                continue
            cells = line.strip().strip("|").split("|") if "\t" not in line else line.split("\t")
            if current is None:
                current = Table([], [])
                tables.append(current)
            current.rows.append([_markup_cell(c) for c in cells])
            current.places.append(place)
            continue
        if not line.strip():
            continue
        current = None
        clean = MD_AUTOLINK.sub(r"\1", MD_MARKUP.sub("", line)).strip()
        clean = re.sub(r"<[^>]+>", "", clean).strip()
        if clean:
            blocks.append(Block(unescape(clean), place))
    return Document(path, "text", blocks, tables)


ANCHOR = re.compile(r"<a\b[^>]*?href\s*=\s*\"([^\"]*)\"[^>]*>.*?</a>", re.I | re.S)


def _markup_cell(raw: str) -> Cell:
    """A text cell that may hold HTML anchors: each anchor is one token (its href)."""
    tokens: list[str] = []
    texts: list[str] = []
    position = 0
    for match in ANCHOR.finditer(raw):
        before = unescape(re.sub(r"<[^>]+>", " ", raw[position : match.start()]))
        tokens += before.split()
        texts.append(before)
        href = unescape(match.group(1)).strip()
        tokens.append(href)
        texts.append(f" {href} ")
        position = match.end()
    rest = unescape(re.sub(r"<[^>]+>", " ", raw[position:]))
    tokens += rest.split()
    texts.append(rest)
    return Cell(re.sub(r"[ \t]+", " ", "".join(texts)).strip(), tokens)


# --- HTML -----------------------------------------------------------------------------------------

BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "caption", "title")


def _html(path: Path, text: str) -> Document:
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise InputError.one(path.name, f"HTML 无法解析:{exc}") from None
    for bad in tree.xpath("//script|//style|//head") + _chrome(tree):
        bad.drop_tree()
    for br in tree.xpath("//br"):
        br.tail = "\n" + (br.tail or "")
    tables: list[Table] = []
    for table in tree.xpath("//table[not(ancestor::table)]"):
        trs = [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]
        rows, places = _html_grid(trs)
        tables.append(Table(rows, places))
    blocks: list[Block] = []
    xpath = " or ".join(f"self::{t}" for t in BLOCK_TAGS)
    for number, element in enumerate(tree.xpath(f"//body//*[{xpath}]"), 1):
        if element.xpath("ancestor::table"):
            continue
        if element.xpath(f".//*[{xpath}]|.//table|.//ol|.//ul"):
            own = (element.text or "").strip()  # a container's own text before its blocks
            if own:
                blocks.append(Block(own, f"HTML 第 {number} 个段落"))
            continue
        content = re.sub(r"[ \t\r\f\v]+", " ", element.text_content())
        joined = " ".join(part.strip() for part in content.split("\n") if part.strip())
        if element.tag == "h1":  # a title broken by <br> is one line
            joined = "".join(part.strip() for part in content.split("\n"))
        if joined:
            blocks.append(Block(joined, f"HTML 第 {number} 个段落"))
    return Document(path, "html", blocks, tables)


CHROME = re.compile(
    r"(^|[\s_-])(nav|menu|breadcrumbs?|position|crumb|footer|copyright|topbar|header)"
    r"($|[\s_-])",
    re.I,
)


def _chrome(tree) -> list:  # noqa: ANN001 (lxml element)
    """The site's chrome around the article: <nav>, <header>, <footer>, elements whose class or id
    names navigation, breadcrumbs or a footer, and list items that are nothing but a link (a menu),
    so that a menu entry such as "信息公开年度报告" is never taken for the report's title."""
    found = tree.xpath("//nav|//header|//footer")
    for element in tree.xpath("//body//*[@class or @id]"):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if CHROME.search(names) and not element.xpath(".//table"):
            found.append(element)
    for item in tree.xpath("//li[a]"):
        own = re.sub(r"\s+", "", item.text_content())
        linked = "".join(re.sub(r"\s+", "", a.text_content()) for a in item.xpath(".//a"))
        if own == linked:
            found.append(item)
    outermost = [e for e in found if not any(a in found for a in e.iterancestors())]
    return list(dict.fromkeys(outermost))


def _span(td, name: str) -> int:  # noqa: ANN001
    try:
        return max(1, min(int(td.get(name, "1")), 1000))
    except ValueError:
        return 1


def _html_grid(trs) -> tuple[list[list[Cell]], list[str]]:  # noqa: ANN001
    """Rows of cells on the table's grid: a cell spanning rows (a category label printed once for
    its items) is repeated in each row it covers; a cell spanning columns is followed by empty
    cells, so every column keeps its header's position."""
    rows: list[list[Cell]] = []
    places: list[str] = []
    pending: dict[int, tuple[Cell, int]] = {}  # column -> (cell, rows still covered)
    for index, tr in enumerate(trs, 1):
        row: list[Cell] = []
        tds = iter(tr.xpath("./td|./th"))
        column = 0
        td = next(tds, None)
        while td is not None or any(c >= column for c in pending):
            if column in pending:
                cell, left = pending.pop(column)
                row.append(cell)
                if left > 1:
                    pending[column] = (cell, left - 1)
                column += 1
                continue
            if td is None:
                break
            cell = _html_cell(td)
            row.append(cell)
            if _span(td, "rowspan") > 1:
                pending[column] = (cell, _span(td, "rowspan") - 1)
            column += 1
            for _ in range(_span(td, "colspan") - 1):
                row.append(Cell(""))
                column += 1
            td = next(tds, None)
        if row:
            rows.append(row)
            places.append(f"表格第 {index} 行")
    return rows, places


def _html_cell(td) -> Cell:  # noqa: ANN001 (lxml element)
    tokens: list[str] = []
    for node in td.iter():
        if node.tag == "a" and node.get("href"):
            tokens.append(node.get("href").strip())
            if node.tail:
                tokens += node.tail.split()
            continue
        if node.xpath("ancestor::a[@href]"):
            if node.tail and node.getparent() is not None and node.getparent().tag != "a":
                tokens += node.tail.split()
            continue
        if node is td:
            tokens += (node.text or "").split()
        else:
            tokens += (node.text or "").split() + (node.tail or "").split()
    text = "\n".join(line.strip() for line in td.text_content().split("\n") if line.strip())
    return Cell(text, tokens)


# --- Word .docx -----------------------------------------------------------------------------------


def _docx(path: Path) -> Document:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError.one(path.name, f"不是可读取的 Word(.docx)文件:{exc}") from None
    blocks: list[Block] = []
    tables: list[Table] = []
    paragraph_no = 0
    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            rows, places = [], []
            for index, row in enumerate(item.rows, 1):
                seen: set[int] = set()
                cells = []
                for cell in row.cells:
                    # A cell merged across columns is returned once per grid column: the first
                    # holds it, the others are empty, so every column keeps its header's position
                    # (a cell merged down the rows is repeated in each, as HTML's rowspan is).
                    if id(cell._tc) in seen:
                        cells.append(Cell(""))
                        continue
                    seen.add(id(cell._tc))
                    cells.append(_docx_cell(cell))
                rows.append(cells)
                places.append(f"第 {len(tables) + 1} 个表格第 {index} 行")
            tables.append(Table(rows, places))
            continue
        paragraph_no += 1
        text = item.text.strip()
        if text:
            blocks.append(Block(text, f"第 {paragraph_no} 段"))
    return Document(path, "docx", blocks, tables)


def _docx_cell(cell) -> Cell:  # noqa: ANN001 (python-docx cell)
    from docx.text.hyperlink import Hyperlink

    tokens: list[str] = []
    lines: list[str] = []
    for paragraph in cell.paragraphs:
        lines.append(paragraph.text.strip())
        for part in paragraph.iter_inner_content():
            if isinstance(part, Hyperlink) and part.address:
                tokens.append(part.url or part.address)
            else:
                tokens += part.text.split()
    return Cell("\n".join(line for line in lines if line), tokens)


# --- PDF ------------------------------------------------------------------------------------------


def _pdf(path: Path) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(str(path))
    except PdfminerException as exc:  # pdfplumber wraps what pdfminer raised
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise InputError.one(
                path.name, "PDF 已加密(需要密码),无法读取;请提供未加密的文件"
            ) from None
        raise InputError.one(path.name, f"PDF 文件已损坏或不是 PDF,无法读取:{cause}") from None
    blocks: list[Block] = []
    tables: list[Table] = []
    with pdf:
        chars = 0
        pages: list[tuple[int, list[dict], float]] = []
        for number, page in enumerate(pdf.pages, 1):
            # A one-column "table" is a frame or rule lines around text (the GB/T 9704 head), not
            # a table: its text stays in the body.
            found = [t for t in page.find_tables() if any(len(r.cells) > 1 for r in t.rows)]
            outside = page
            for table in found:
                tables.append(_pdf_table(page, table, number))
                outside = outside.outside_bbox(_clip(table.bbox, page))
            lines = outside.extract_text_lines(return_chars=False)
            chars += sum(len(line["text"].strip()) for line in lines)
            chars += sum(len(c.text) for t in tables for r in t.rows for c in r)
            pages.append((number, lines, float(page.width)))
        running = _running_lines([lines for _, lines, _ in pages])
        for number, lines, width in pages:
            kept = [line for line in lines if _page_key(line["text"]) not in running]
            blocks += _pdf_paragraphs(kept, number, width)
        if chars == 0:
            raise InputError.one(
                path.name,
                f"PDF 共 {len(pdf.pages)} 页,没有文字层(可能是扫描件或图片),无法读取;"
                "请先做文字识别(OCR)生成带文字层的 PDF,或改用 Word/HTML 版本",
            )
        return Document(path, "pdf", blocks, tables, len(pdf.pages))


def _clip(bbox: tuple[float, float, float, float], page) -> tuple[float, ...]:  # noqa: ANN001
    x0, top, x1, bottom = bbox
    return (max(x0, 0), max(top, 0), min(x1, page.width), min(bottom, page.height))


def _page_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _running_lines(pages: list[list[dict]]) -> set[str]:
    """The running page header and footer: a line printed among the first or last two lines of
    at least half of the pages (two at least), page numbers counted as one text."""
    seen: dict[str, int] = {}
    for lines in pages:
        edge = {_page_key(line["text"]) for line in lines[:2] + lines[-2:]}
        for key in edge - {""}:
            seen[key] = seen.get(key, 0) + 1
    least = max(2, (len(pages) + 1) // 2)
    return {key for key, n in seen.items() if n >= least}


def _pdf_paragraphs(lines: list[dict], page: int, width: float) -> list[Block]:
    """Printed lines joined into paragraphs: a line that reaches the right margin continues on
    the next one. Each paragraph keeps the page and line where it starts."""
    if not lines:
        return []
    right = max(line["x1"] for line in lines)
    blocks: list[Block] = []
    open_block = False
    for index, line in enumerate(lines, 1):
        text = line["text"].strip()
        if not text or PAGE_NUMBER.match(text):
            continue
        size = (line["x1"] - line["x0"]) / max(len(text), 1)
        if open_block and blocks and not HEADING.match(text):
            blocks[-1].text += text
        else:
            blocks.append(Block(text, f"第 {page} 页第 {index} 行"))
        open_block = line["x1"] >= right - 1.5 * size and line["x0"] < width / 3
        if HEADING.match(text) and len(text) <= 40 and not text.endswith("。"):
            open_block = False  # a heading ends at its line, even one reaching the margin
    return blocks


def _pdf_table(page, table, number: int) -> Table:  # noqa: ANN001 (pdfplumber objects)
    links = _pdf_links(page, table.bbox)
    area = page.within_bbox(_clip(table.bbox, page))
    words = area.extract_words()
    rows: list[list[Cell]] = []
    places: list[str] = []
    for row, texts in zip(table.rows, table.extract(), strict=False):
        cells = []
        for bbox, text in zip(row.cells, texts, strict=False):
            if bbox is None:  # covered by a merged cell: keep the column's position
                cells.append(Cell(""))
                continue
            cells.append(_pdf_cell(text or "", bbox, links, words))
        rows.append(cells)
        places.append(f"第 {number} 页")
    return Table(rows, places)


def _pdf_links(page, bbox) -> list[tuple[str, tuple[float, ...], bool]]:  # noqa: ANN001
    """The link annotations in `bbox`: (uri, rectangle, starts an anchor). A renderer writes one
    rectangle per line or per fragment of an anchor; a rectangle whose printed text begins with
    "http" (or whose URI differs from the one before) starts a new anchor; the others continue
    it."""
    import bisect

    chars = sorted(page.within_bbox(_clip(bbox, page)).chars, key=lambda c: c["top"])
    tops = [c["top"] for c in chars]
    out = []
    previous = None
    for link in page.hyperlinks:
        uri = link.get("uri")
        box = (link["x0"], link["top"], link["x1"], link["bottom"])
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if not uri or not _inside(centre, bbox):
            continue
        near = chars[bisect.bisect_left(tops, box[1] - 20) : bisect.bisect_right(tops, box[3] + 1)]
        inside = [c for c in near if _inside(_centre(c), box)]
        text = "".join(c["text"] for c in sorted(inside, key=lambda c: (round(c["top"]), c["x0"])))
        if not text.strip():
            continue  # a zero-width rectangle (a line-break opportunity inside the anchor)
        starts = previous != uri or text.lower().startswith("http")
        out.append((uri, box, starts))
        previous = uri
    return out


def _centre(obj: dict) -> tuple[float, float]:
    return (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2


def _inside(point: tuple[float, float], box: tuple[float, ...]) -> bool:
    x, y = point
    return box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5


def _pdf_cell(text: str, bbox, links, words) -> Cell:  # noqa: ANN001
    """A cell's tokens: each anchor in it once (however many rectangles it was drawn in), and the
    words outside any link rectangle, in reading order."""
    found: list[tuple[float, float, str]] = []
    boxes = []
    for uri, box, starts in links:
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if not _inside(centre, bbox):
            continue
        boxes.append(box)
        if starts:
            found.append((box[1], box[0], uri))
    for word in words:
        centre = ((word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2)
        if not _inside(centre, bbox) or any(_inside(centre, box) for box in boxes):
            continue
        found.append((word["top"], word["x0"], word["text"]))
    if not boxes:  # printed without link annotations: URLs are only text, wrapped in the cell
        return Cell(text.strip(), unwrap_urls(text))
    found.sort(key=lambda t: (round(t[0]), t[1]))
    return Cell(text.strip(), [t for _, _, t in found])


URL_PIECE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
LIST_MARK = re.compile(r"^(\d+[.、．]|[（(]\d+[)）])$")


def unwrap_urls(text: str) -> list[str]:
    """The words of a cell's printed lines, a URL that a narrow column wrapped over several lines
    made whole again: a word holding "http" that ends its line continues with the first word of
    the next line while that word is made of URL characters (and is not a list mark like "2.")."""
    tokens: list[str] = []
    open_url = False
    for line in text.split("\n"):
        words = line.split()
        for index, word in enumerate(words):
            glue = (
                open_url and index == 0 and "http" not in word.lower()
                and URL_PIECE.fullmatch(word) and not LIST_MARK.match(word)
            )  # fmt: skip
            if glue:
                tokens[-1] += word
            else:
                tokens.append(word)
                open_url = "http" in word.lower()
            open_url = open_url and index == len(words) - 1
    return tokens
