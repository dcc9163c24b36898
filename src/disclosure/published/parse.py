"""Read the parts of a published report out of its `Document`: the header (school, 文号, 签发人,
addressee, 成文日期), the prose by part with every number it states, the 附件1 statistics lines
as printed and the 附件2 checklist as printed.

Tables are found by their header cells (序号 / 内容 or 项目 / 数量 / 单位; 序号 / 公开数量 / 链接),
never by position, so a column added, dropped or moved is still read. What cannot be read is kept
as a note naming its page and line; nothing is guessed silently."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from disclosure.published.text import LIST_MARK, URL, URL_PIECE, Cell, Document

CN_NUMERALS = "一二三四五六七八九十"
PART = re.compile(rf"^([{CN_NUMERALS}]+)、\s*(.+)$")
SUBHEADING = re.compile(rf"^[（(]([{CN_NUMERALS}]+)[)）]\s*(.*)$")
DOC_NUMBER = re.compile(r"(?:^|\s)([\u4e00-\u9fff]{1,12}〔\s*\d{4}\s*〕\s*\d+\s*号)(?:\s|$)")
SIGNER = re.compile(r"签\s*发\s*人\s*[:：]\s*(\S+)")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
YEAR_SPAN = re.compile(r"(\d{4})\s*[-—–－~至]\s*(\d{4})\s*学年")
ATTACHMENT_LIST = re.compile(r"^附\s*件\s*[:：]")
NUMBER_WITH_UNIT = re.compile(
    r"(?<![\d.])(\d[\d,，]*(?:\.\d+)?)\s*(条|件|次|份|个|人|元|万元|项|篇|期|场|名|%)"
)
TALLY = re.compile(r"等\s*\d+\s*条")
NUMBERING = re.compile(r"^(\d+[.、．:：]|[（(]\d+[)）])")
CATEGORY = re.compile(r"第\s*(\d+)\s*大(?:类)?")
INT = re.compile(r"^\d+$")


def flat(text: str) -> str:
    """A cell's printed lines joined without a space: CJK text wraps anywhere, and a PDF's text
    layer does not say whether a wrap replaced a space (the note of issue 14 explains)."""
    return re.sub(r"[ \t]*\n[ \t]*", "", text).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- header ---------------------------------------------------------------------------------------


@dataclass
class Header:
    institution: str = ""
    document_number: str = ""
    signer: str = ""
    title: str = ""
    addressee: str = ""
    report_date: str = ""  # YYYY-MM-DD
    year: str = ""  # academic year named in the title, e.g. 2023-2024
    body_start: int = 0  # index of the first prose block after the addressee
    body_end: int = 0  # index after the last prose block (before 附件 list / signature)


def header(doc: Document) -> Header:
    blocks = doc.blocks
    head = Header()
    first_part = next((i for i, b in enumerate(blocks) if PART.match(b.text)), len(blocks))
    for index, block in enumerate(blocks[:first_part]):
        text = block.text.strip()
        number, signer = DOC_NUMBER.search(text), SIGNER.search(text)
        if number or signer:  # one line or two: 文号 and 签发人
            head.document_number = head.document_number or (squash(number[1]) if number else "")
            head.signer = head.signer or (signer[1] if signer else "")
            continue
        if not head.institution and re.fullmatch(r"[^\s:：]{2,30}(大学|学院|学校)", text):
            head.institution = text
        elif not head.title and _title(text):
            head.title = text
            following = index + 1
            while not head.title.endswith("报告") and following < first_part:
                more = blocks[following].text.strip()
                if _addressee(more) or len(more) > 40:
                    break
                head.title += more  # a title printed on two lines
                following += 1
        elif not head.addressee and _addressee(text) and head.title:
            head.addressee = text.rstrip(":：").strip()
            head.body_start = index + 1
    if head.title and head.institution and head.title.startswith(head.institution):
        head.title = head.title[len(head.institution) :].strip()
    head.title = re.sub(r"\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+", "", head.title)
    if m := YEAR_SPAN.search(head.title):
        head.year = f"{m.group(1)}-{m.group(2)}"
    if not head.body_start:
        head.body_start = next(
            (i for i, b in enumerate(blocks) if len(b.text) > 60 and "。" in b.text), first_part
        )
    end = len(blocks)
    for index in range(head.body_start, len(blocks)):
        text = blocks[index].text.strip()
        if ATTACHMENT_LIST.match(text) or re.match(r"^附\s*件\s*\d", text):
            end = index
            break
        following = blocks[index + 1].text.strip() if index + 1 < len(blocks) else ""
        signed = signature_date(text, head.institution)
        if signed or (text == head.institution and DATE.fullmatch(following)):  # the signature
            end = index
            break
    head.body_end = end
    # The signature: a date standing alone, or after the institution in one paragraph (a line
    # break typed with Shift+Enter), after the prose.
    for block in blocks[end : end + 12] + blocks[max(end - 3, 0) : end]:
        if m := signature_date(block.text, head.institution):
            head.report_date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            break
    if not head.institution:
        for block in blocks:
            if m := re.match(r"学校名称\s*[:：]\s*(\S+)", block.text):
                head.institution = m.group(1)
                break
    return head


def signature_date(text: str, institution: str) -> re.Match[str] | None:
    """The date of a signature block: a date alone, or the institution and a date in one
    paragraph (lines broken with Shift+Enter or <br>)."""
    rest = squash(text)
    if institution and rest.startswith(squash(institution)):
        rest = rest[len(squash(institution)) :]
    return DATE.fullmatch(rest)


def _title(text: str) -> bool:
    """A report's title: short, and either "关于…" (its first line, when printed on two) or naming
    a year and 报告 (a menu entry such as "信息公开年度报告" or "关于我们" is neither)."""
    if len(text) >= 80:
        return False
    return ("关于" in text and len(text) >= 8) or (
        "报告" in text and bool(re.search(r"\d{4}", text))
    )


def _addressee(text: str) -> bool:
    text = text.strip()
    return len(text) <= 30 and text.endswith((":", "：")) and "签发" not in text


# --- narrative ------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    place: str
    subheading: bool = False


@dataclass
class Part:
    part: str  # 一, 二 ...
    heading: str
    place: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Narrative:
    opening: list[Paragraph]
    parts: list[Part]
    attachments: list[str]

    def all_text(self) -> str:
        texts = [p.text for p in self.opening]
        for part in self.parts:
            texts.append(f"{part.part}、{part.heading}")
            texts += [p.text for p in part.paragraphs]
        return "\n".join(texts)


END_PUNCTUATION = tuple("。；;！？!?:：”）)")


def narrative(doc: Document, head: Header) -> Narrative:
    """The prose between the addressee and the attachment list, by part. A paragraph a page
    break split (the previous line does not end a sentence and the next is not a heading) is
    joined again."""
    opening: list[Paragraph] = []
    parts: list[Part] = []
    blocks = doc.blocks[head.body_start : head.body_end]
    previous: Paragraph | None = None
    for block in blocks:
        text = block.text.strip()
        if m := PART.match(text):
            parts.append(Part(m.group(1), m.group(2).strip(), block.place))
            previous = None
            continue
        is_sub = bool(SUBHEADING.match(text)) and len(text) <= 40 and not text.endswith("。")
        is_sub = is_sub and not text.endswith(("：", ":"))
        if previous is not None and not previous.subheading and not is_sub:
            if not previous.text.endswith(END_PUNCTUATION) and not SUBHEADING.match(text):
                previous.text += text
                continue
        paragraph = Paragraph(text, block.place, is_sub)
        (parts[-1].paragraphs if parts else opening).append(paragraph)
        previous = paragraph
    attachments: list[str] = []
    index = head.body_end
    while index < len(doc.blocks):
        text = doc.blocks[index].text.strip()
        labelled = bool(ATTACHMENT_LIST.match(text))
        text = ATTACHMENT_LIST.sub("", text).strip()
        if labelled and not text:  # "附件:" on a line of its own
            index += 1
            continue
        if not text or signature_date(text, head.institution) or text == head.institution:
            break
        if re.match(r"^\d+\s*[.、．]", text) or not attachments:
            attachments.append(re.sub(r"^\d+\s*[.、．]\s*", "", text))
            index += 1
            continue
        break
    return Narrative(opening, parts, attachments)


def numbers(text: str) -> list[dict[str, Any]]:
    """Every number the text states with its unit (条, 件, 次 ...), in order."""
    found = []
    for match in NUMBER_WITH_UNIT.finditer(text):
        raw = match.group(1)
        value = raw.replace(",", "").replace("，", "")
        found.append(
            {
                "value": int(value) if value.isdigit() else float(value),
                "unit": match.group(2),
                "printed": match.group(0),
            }
        )
    return found


# --- tables by their header cells -----------------------------------------------------------------


@dataclass
class Found:
    """Rows of a table found by its header, across the pieces a page break made."""

    columns: dict[str, int]
    rows: list[list[Cell]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    title_place: str = ""


def _header_columns(row: list[Cell], wanted: dict[str, tuple[str, ...]]) -> dict[str, int] | None:
    names = [squash(c.text) for c in row]
    columns: dict[str, int] = {}
    for key, options in wanted.items():
        for index, name in enumerate(names):
            if name and any(name.startswith(o) or o == name for o in options):
                columns.setdefault(key, index)
                break
    return columns


STATISTICS_HEADER = {
    "no": ("序号",),
    "label": ("内容", "项目", "指标"),
    "value": ("数量", "有/无", "数值", "填报"),
    "unit": ("单位",),
}
CHECKLIST_HEADER = {
    "category": ("类别", "大类"),
    "item": ("序号",),
    "text": ("事项", "清单事项"),
    "count": ("公开数量", "数量"),
    "links": ("链接", "网址"),
    "on_platform": ("是否在", "是否在门户网站", "平台公布"),
    "remark": ("其他需说明", "其他需说明事项", "备注", "说明"),
}


def find_table(doc: Document, wanted: dict[str, tuple[str, ...]], needed: set[str]) -> Found:
    """All rows under a header row holding the `needed` columns; a following table whose first
    row is the same header, or that has no header but as many columns, continues it. A header on
    two rows (填报情况 over 数量 | 单位) is read as one: a column takes its lower name."""
    found: Found | None = None
    width = 0
    for table in doc.tables:
        rows, places = table.rows, table.places
        start = None
        columns = None
        for index, row in enumerate(rows[:3]):
            columns = _header_columns(row, wanted)
            if columns is not None and needed <= set(columns):
                start = index
                break
        if start is not None and columns is not None:
            head, skip = header_rows(rows, start, wanted)
            columns = _header_columns(head, wanted) or columns
            if found is None:
                found = Found(columns, title_place=places[start] if places else "")
                width = len(head)
            rows, places = rows[start + skip :], places[start + skip :]
        elif found is not None and rows and len(rows[0]) == width:
            pass
        else:
            if found is not None:
                break
            continue
        if doc.kind == "text":
            rows, places = mend_pasted_rows(rows, places, width)
        found.rows += rows
        found.places += places
    return found or Found({})


def _is_header_word(text: str, wanted: dict[str, tuple[str, ...]]) -> bool:
    name = squash(text)
    return any(name.startswith(o) or o == name for options in wanted.values() for o in options)


def header_rows(
    rows: list[list[Cell]], start: int, wanted: dict[str, tuple[str, ...]]
) -> tuple[list[Cell], int]:
    """The header starting at `rows[start]` as one row, and how many rows it takes. The row below
    is part of it when every cell it prints is a header word (数量, 单位) or repeats the cell above
    (a name merged down both rows); printed shorter (a browser copies only the cells under a
    merged one), it stands under the last cells of the row above."""
    top = rows[start]
    if start + 1 >= len(rows):
        return top, 1
    below = rows[start + 1]
    texts = [squash(c.text) for c in below if squash(c.text)]
    if not texts or not all(_is_header_word(t, wanted) for t in texts):
        return top, 1
    if len(below) < len(top):  # 3 cells over 2: the last one spans those below it
        below = top[: len(top) - 1] + below if len(below) > 1 else below
        top = top[: len(top) - 1] + [top[-1]] * (len(below) - len(top) + 1)
    merged = []
    for index in range(max(len(top), len(below))):
        upper = top[index] if index < len(top) else Cell("")
        lower = below[index] if index < len(below) else Cell("")
        merged.append(lower if squash(lower.text) else upper)
    return merged, 2


def mend_pasted_rows(
    rows: list[list[Cell]], places: list[str], width: int
) -> tuple[list[list[Cell]], list[str]]:
    """Rows of text pasted from a browser, put back on the table's grid: a cell holding two lines
    ends its row early and the rest of the row follows on the next line (the two are joined, the
    cell keeping both lines); a cell spanning rows is copied in its first row only, so the rows
    below it are short by that many cells at the left (they are padded there)."""
    out_rows: list[list[Cell]] = []
    out_places: list[str] = []
    index = 0
    while index < len(rows):
        row, place = list(rows[index]), places[index]
        while (
            len(row) < width - 1
            and index + 1 < len(rows)
            and len(row) + len(rows[index + 1]) - 1 <= width
        ):
            following = rows[index + 1]
            last = row[-1]
            joined = f"{last.text}\n{following[0].text}".strip("\n")
            row[-1] = Cell(joined, last.tokens + following[0].tokens)
            row += following[1:]
            index += 1
        if 0 < len(row) < width:
            row = [Cell("") for _ in range(width - len(row))] + row
        out_rows.append(row)
        out_places.append(place)
        index += 1
    return out_rows, out_places


# --- 附件1: the statistics lines ----------------------------------------------------------------


@dataclass
class Line:
    printed_no: str
    label: str
    value: str
    unit: str
    place: str


def statistics_lines(doc: Document) -> tuple[list[Line], list[str]]:
    """Every printed line of the statistics table, numbering and values as printed; notes on what
    could not be read."""
    found = find_table(doc, STATISTICS_HEADER, {"no", "label", "value"})
    notes: list[str] = []
    lines: list[Line] = []
    cols = found.columns
    for row, place in zip(found.rows, found.places, strict=True):

        def cell(key: str, row: list[Cell] = row) -> str:
            index = cols.get(key)
            return flat(row[index].text) if index is not None and index < len(row) else ""

        no, label, value, unit = cell("no"), cell("label"), cell("value"), cell("unit")
        if not (no or label or value):
            continue
        if squash(no) == "序号":  # a header repeated inside a table
            continue
        if not squash(no) and not value and not unit and label and lines:
            lines[-1].label += label  # a row the page break split: the rest of its label
            continue
        if not label:
            notes.append(f"{place}:统计表一行缺少“内容”栏(序号“{no}”,数量“{value}”),未读入")
            continue
        if not INT.match(squash(no)):
            notes.append(f"{place}:统计表一行的序号“{no}”不是数字,按原样读入")
        lines.append(Line(squash(no), label, value.strip(), unit.strip(), place))
    return lines, notes


# --- 附件2: the checklist -----------------------------------------------------------------------


@dataclass
class Item:
    category: int | None
    item: int
    count: int
    count_alt: int | None
    count_printed: str
    links: list[str]
    on_platform: str
    remark: str
    notes: list[str]
    place: str


def checklist_items(doc: Document, highest: int) -> tuple[list[Item], list[str]]:
    """The checklist as printed (an item number is a whole number from 1 to `highest`, the form's
    last item). A row printed one column to the right (its 序号 cell holds a
    category fragment or is blank while the next cell holds the expected item number) is read
    back in place; a row with no 序号 after a page break continues the item above it; a category
    label ("第 N 大类", possibly split as "第 N 大" / "类") applies to the items below it."""
    found = find_table(doc, CHECKLIST_HEADER, {"item", "count", "links"})
    cols = found.columns
    notes: list[str] = []
    items: list[Item] = []
    category: int | None = None
    shifted_item: Item | None = None
    for row, place in zip(found.rows, found.places, strict=True):
        texts = [flat(c.text) for c in row]
        if not any(texts):
            continue
        joined = squash("".join(texts))
        item_col = cols["item"]
        expected = (items[-1].item + 1) if items else 1
        here = _int(texts, item_col, highest)
        shift = 1 if here is None and _int(texts, item_col + 1, highest) == expected else 0
        if len(row) == 1 or (CATEGORY.match(joined) and here is None and not shift):
            if m := CATEGORY.match(joined):
                category = int(m.group(1))
            continue
        if "category" in cols:
            label = texts[cols["category"] + shift] if shift else texts[cols["category"]]
            if shift:
                label = texts[item_col]
            if m := CATEGORY.search(squash(label)):
                category = int(m.group(1))
        number = _int(texts, item_col + shift, highest)
        if number is None:
            if items:
                _continue_item(items[-1], row, texts, cols, 1 if items[-1] is shifted_item else 0)
                items[-1].notes.append(f"{place} 的续行并入第 {items[-1].item} 项")
            else:
                notes.append(f"{place}:清单中一行没有序号,且前面没有事项可并入,未读入")
            continue

        def at(key: str, texts: list[str] = texts, shift: int = shift) -> str:
            index = cols.get(key)
            if index is None or index + shift >= len(texts):
                return ""
            return texts[index + shift]

        count_text = at("count")
        links_cell = row[cols["links"] + shift] if cols["links"] + shift < len(row) else Cell("")
        item = Item(
            category,
            number,
            _count(count_text),
            None,
            count_text,
            _link_tokens(links_cell),
            _flag(at("on_platform")),
            re.sub(r"\s+", " ", at("remark").replace("\n", "")).strip(),
            [f"{place}:本行印刷右移一列,按原位置读入"] if shift else [],
            place,
        )
        count_index = cols["count"] + shift
        count_lines = row[count_index].text.split("\n") if count_index < len(row) else []
        if not _read_count(item, count_lines) and count_text:
            notes.append(f"{place}:第 {number} 项的公开数量印为“{count_text}”,不是数字,记 0")
        shifted_item = item if shift else None
        items.append(item)
    return items, notes


COUNT_WITH_UNIT = re.compile(r"^(\d+)条$")


def _read_count(item: Item, lines: list[str]) -> bool:
    """The count of a checklist cell: a number, a number with the unit typed beside it ("4条",
    stripped with a note) or two numbers on two lines of one cell (their sum, the first kept as
    the alternative reading, with a note). False when the cell holds something else."""
    values = []
    for line in (squash(x) for x in lines):
        if not line:
            continue
        if m := COUNT_WITH_UNIT.match(line):
            item.notes.append(f"公开数量印为“{line}”,去掉单位“条”读作 {m.group(1)}")
            line = m.group(1)
        if not INT.match(line):
            return False
        values.append(int(line))
    if not values:
        return True
    item.count = sum(values)
    if len(values) == 2:
        item.count_alt = values[0]
        item.count_printed = f"{values[0]} / {values[1]}"
        item.notes.append(
            f"公开数量一格印有两行“{values[0]}”“{values[1]}”,按两数之和 {item.count} 读入,"
            f"另一读法为 {values[0]}"
        )
    elif len(values) > 2:
        return False
    return True


def _url_tail(token: str) -> bool:
    """A piece of a URL that a page break cut off (no "http", not a list mark)."""
    return (
        "http" not in token.lower()
        and bool(URL_PIECE.fullmatch(token))
        and not LIST_MARK.match(token)
    )


def _int(texts: list[str], index: int, highest: int) -> int | None:
    if index >= len(texts):
        return None
    text = squash(texts[index])
    return int(text) if INT.match(text) and 1 <= int(text) <= highest else None


def _count(text: str) -> int:
    text = squash(text)
    return int(text) if INT.match(text) else 0


def _flag(text: str) -> str:
    text = squash(text)
    return text if text in ("是", "否") else ""


def _link_tokens(cell: Cell) -> list[str]:
    """The links of a cell as the checklist records them: URLs, and other printed tokens that are
    not labels (numbering such as "1."/"(1)", words ending in a colon, a tally "等 N 条", "无")."""
    text = " ".join(cell.tokens)
    text = TALLY.sub(" ", text)
    out = []
    for token in text.split():
        if URL.fullmatch(token):
            out.append(token)
            continue
        if glued := URL.findall(token):  # "1.录取查询：https://…" typed as one word
            out += glued
            continue
        if token in ("无", "/", "-", "—") or NUMBERING.match(token):
            continue
        if token.endswith(("：", ":")):
            continue
        if not re.search(r"[A-Za-z0-9]", token):
            continue  # a label in words (普通类, 专升本)
        out.append(token)
    return out


def _continue_item(
    item: Item, row: list[Cell], texts: list[str], cols: dict[str, int], shift: int
) -> None:
    """A continuation row after a page break: a second printed count, a link's tail, more links,
    a flag or remark left for the next page."""
    count_index = cols["count"] + shift
    links_index = cols["links"] + shift
    count_raw = texts[count_index].strip() if count_index < len(texts) else ""
    count_cell = row[count_index] if count_index < len(row) else Cell("")
    links_cell = row[links_index] if links_index < len(row) else Cell("")
    others = [t for i, t in enumerate(texts) if t and i != count_index]
    others = [t for t in others if not CATEGORY.search(squash(t)) and squash(t) != "类"]
    lead = re.match(r"^(\d+)(?:\s+|$)", count_raw)
    tokens = list(links_cell.tokens)
    lead_value = None
    if lead and squash(count_raw) == lead.group(1):
        if not others and item.links:
            # A number alone on the continuation line: the tail of the last link, cut by the
            # page break.
            item.links[-1] += lead.group(1)
            return
        lead_value = int(lead.group(1))
    elif lead:  # a second count printed in one cell with the links that follow it
        lead_value = int(lead.group(1))
        tokens = count_cell.tokens[1:] + tokens
    if lead_value is not None:
        item.count_alt = item.count
        item.count_printed = f"{item.count_printed} / {lead_value}"
        item.count += lead_value
    if item.links and item.links[-1].lower().startswith("http"):
        while tokens and _url_tail(tokens[0]):  # a link's tail carried to the next page
            item.links[-1] += tokens.pop(0)
    item.links += _link_tokens(Cell(" ".join(tokens), tokens))
    flag_index = cols.get("on_platform")
    if flag_index is not None and not item.on_platform and flag_index + shift < len(texts):
        item.on_platform = _flag(texts[flag_index + shift])
