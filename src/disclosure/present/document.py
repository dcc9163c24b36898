"""The report as one document: every word and number the copies print, built once from the data.

The publication copy (HTML, PDF, Word), the review copy and the Excel statistics sheet are laid
out from this one structure, so they cannot say different things. It is plain JSON (the results
bundle carries it out of the kernel), in reading order:

- the head: issuer, document number, signer, title, addressee;
- the body: opening paragraphs and numbered sections, each paragraph in the wording the data chose;
- the attachment list, the signature and the date;
- 附件1: the statistics table as printed (序号, 内容, 数量 or 有/无, 单位), with the published value
  beside the rebuilt one for the review copy;
- 附件2: the checklist as printed (类别, 序号, 公开数量, 链接 one per line, 是否在平台公布, 说明).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import pandas as pd

from disclosure.compute.narrative import chosen, fill
from disclosure.expr import fill as fill_expression
from disclosure.expr import parse
from disclosure.inputs.narrative import all_paragraphs, choices

DEFAULT_TITLE = "关于报送{year}学年度信息公开工作的报告"
# The printed forms' column headings (the HTML fragments print the same words).
STATISTICS_HEADERS = ("序号", "内容", "数量", "单位")
CHECKLIST_HEADERS = (
    "类别",
    "序号",
    "公开数量(条)",
    "链接",
    "是否在门户网站信息公开平台公布",
    "其他需说明事项",
)
CHECKLIST_TITLE = "高等学校信息公开事项清单({n} 条)对照检查表"  # n: the form's item count


def checklist_title(n_items: int) -> str:
    """附件2's title, with the checklist's item count taken from the form (its reference items)."""
    return CHECKLIST_TITLE.format(n=n_items)


def annex2_title(doc: Mapping[str, Any]) -> str:
    """附件2's title of a built document (from its own checklist when it carries no title)."""
    return str(doc.get("checklist_title") or checklist_title(len(doc["checklist"])))


def build(
    profile: Mapping[str, Any],
    narrative: Mapping[str, Any] | None,
    ctx: Mapping[str, Any],
    stats: pd.DataFrame,
    items: pd.DataFrame,
    year: str,
    date_text: str,
) -> dict[str, Any]:
    """The whole report of one year, from the profile, the narrative and the rebuilt tables."""
    narrative = narrative or {}
    return {
        "year": year,
        "issuer": _text(profile.get("institution")),
        "document_number": _text(profile.get("document_number")),
        "signer": _text(profile.get("signer")),
        "addressee": _text(profile.get("addressee")),
        "title": fill(str(narrative.get("title") or DEFAULT_TITLE), ctx),
        "opening": [_paragraph(p, ctx)["text"] for p in narrative.get("opening") or []],
        "sections": [
            {
                "part": _text(section.get("part")),
                "heading": _text(section.get("heading")),
                "paragraphs": [_paragraph(p, ctx) for p in section.get("paragraphs") or []],
            }
            for section in narrative.get("sections") or []
        ],
        "attachments": [fill(str(a), ctx) for a in narrative.get("attachments") or []],
        "signature": _text(profile.get("institution")),
        "date": date_text,
        "statistics": statistics_rows(stats),
        "checklist": checklist_rows(items),
        "checklist_title": checklist_title(len(items)),
    }


def _paragraph(para: Mapping[str, Any], ctx: Mapping[str, Any]) -> dict[str, str]:
    if "subheading" in para:
        return {"subheading": str(para["subheading"])}
    return {"text": fill(str(chosen(para, ctx)["template"]), ctx)}


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def statistics_rows(stats: pd.DataFrame) -> list[dict[str, Any]]:
    """附件1 as printed: number, label, value (a count, an amount, 有/无 or 收费/不收费) and unit;
    `published` and `agrees` for the review copy (None where no published table exists)."""
    out = []
    for row in stats.itertuples(index=False):
        published = getattr(row, "reported", None)
        has_published = published is not None and _text(published) != ""
        out.append(
            {
                "row": int(row.row),
                "label": str(row.label),
                "value": _text(row.value),
                "unit": _text(row.unit),
                "published": _text(published) if has_published else None,
                "agrees": bool(row.agrees) if has_published else None,
            }
        )
    return out


def link_lines(links: list[str], count: int, printed: str) -> list[str]:
    """The 链接 cell, one line each: as printed when the raw table kept the printed cell (labels
    such as "1. 招生章程：", "无", "等 6 条"), otherwise every link on its own line, "等 N 条" when
    the count is more than the links shown, and "无" when nothing is published."""
    if printed.strip():
        return [line.strip() for line in printed.splitlines() if line.strip()]
    if not links:
        return ["无"] if count == 0 else []
    lines = list(links)
    if count > len(set(links)):
        lines.append(f"等 {count} 条")
    return lines


def checklist_rows(items: pd.DataFrame) -> list[dict[str, Any]]:
    """附件2 as printed: category (number and name), item number, count (blank when 0), the
    link lines, published on the platform (是/否), remark."""
    printed = (
        items["links_printed"] if "links_printed" in items else pd.Series("", index=items.index)
    )
    out = []
    for row, cell in zip(items.itertuples(index=False), printed, strict=True):
        count = 0 if pd.isna(row.count) else int(row.count)  # an item the school did not list
        links = list(row.links_list) if isinstance(row.links_list, (list, tuple)) else []
        out.append(
            {
                "category": int(row.ref_category),
                "category_name": str(row.category_name),
                "item": int(row.item),
                "count": count,
                "links": link_lines(links, count, _text(cell)),
                "on_platform": _text(row.on_platform),
                "remark": _text(row.remark),
            }
        )
    return out


def wording_choices(narrative: Mapping[str, Any] | None, ctx: Mapping[str, Any]) -> pd.DataFrame:
    """For the audit copy: each paragraph written as a choice of wordings, which wording was
    printed, and the conditions with this year's values filled in."""
    rows = []
    names = {k: v for k, v in ctx.items() if k.isidentifier() or "." in k}
    for where, para in all_paragraphs(narrative or {}):
        if "choose" not in para:
            continue
        wordings = choices(para)
        picked = chosen(para, ctx)
        for i, wording in enumerate(wordings, 1):
            condition = wording.get("when")
            rows.append(
                {
                    "段落": where,
                    "措辞": i,
                    "条件": condition if condition else "(其余情况)",
                    "代入数值": fill_expression(parse(str(condition)), names) if condition else "",
                    "选用": "✔" if wording is picked else "",
                    "模板": str(wording.get("template", "")),
                }
            )
    return pd.DataFrame(rows, columns=["段落", "措辞", "条件", "代入数值", "选用", "模板"])


ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


SAVED_AT = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
FIXED_SAVE_TIME = b"2000-01-01T00:00:00Z"


def stable_zip(data: bytes) -> bytes:
    """An Office file (a zip) rewritten with fixed entry times and a fixed "last saved" time, so
    that the same document gives the same bytes (python-docx and openpyxl stamp each entry with the
    current time, and openpyxl writes the time of saving into docProps/core.xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = SAVED_AT.sub(rb"\g<1>" + FIXED_SAVE_TIME + rb"\g<2>", content)
            target.writestr(entry, content)
    return out.getvalue()
