"""HTML fragments of the publication report (displayed by report-tagged notebook cells).

The markup lives in Jinja templates, one per fragment, in ``templates/fragments``; this module
only shapes the data for them. Every value from the data is escaped by the template environment;
a link becomes a link only when it is an http(s) URL.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterator
from functools import cache
from html import escape
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from disclosure.compute.checklist import URL, split_links
from disclosure.compute.narrative import chosen, fill

NUMERALS = "一二三四五六七八九十"

_LINE_BREAK = re.compile(r"\s*\n\s*")


class _JoinLines(Extension):
    """Drop every run of whitespace that contains a line break from the templates' own text.

    The fragments are written one element per line and indented for reading, while the HTML they
    produce has no line breaks. Only literal template text is affected, never a value or a tag, so
    a space that matters must stay on its line.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        for token in stream:
            if token.type == "data":
                token = Token(token.lineno, token.type, _LINE_BREAK.sub("", token.value))
            yield token


def _print(value: Any) -> Markup:
    """How every ``{{ value }}`` is printed: None and NaN as nothing, anything else escaped.

    The standard library's escaping (``&quot;``, ``&#x27;``) is used instead of MarkupSafe's
    (``&#34;``, ``&#39;``) so the report keeps its bytes; autoescaping stays on behind it. Values
    that are already HTML (``__html__``) are printed as they are.
    """
    if hasattr(value, "__html__"):
        return Markup(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Markup("")
    return Markup(escape(str(value)))


def _is_web_url(token: str) -> bool:
    return URL.match(token) is not None


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("disclosure.present", "templates/fragments"),
        autoescape=True,
        finalize=_print,
        undefined=StrictUndefined,
        extensions=[_JoinLines],
    )
    env.filters["split_links"] = split_links
    env.tests["web_url"] = _is_web_url
    return env


def _render(fragment: str, **values: Any) -> str:
    return _environment().get_template(f"{fragment}.html.j2").render(**values)


def link(token: str) -> str:
    return _render("link", token=token)


def banner(summary: dict[str, int]) -> str:
    return _render("banner", summary=summary)


def header(profile: dict[str, Any], title: str) -> str:
    return _render("header", profile=profile, title=title)


def body(narrative: dict[str, Any] | None, ctx: dict[str, Any]) -> str:
    def paragraph(para: dict[str, Any]) -> dict[str, Any]:
        if "subheading" in para:
            return {"subheading": para["subheading"]}
        return {"text": fill(chosen(para, ctx)["template"], ctx)}

    narrative = narrative or {}  # `check` refuses a year without one; fill() stays safe
    opening = [paragraph(p)["text"] for p in narrative.get("opening") or []]
    sections = [
        {
            "part": section.get("part"),
            "heading": section.get("heading"),
            "paragraphs": [paragraph(para) for para in section.get("paragraphs") or []],
        }
        for section in narrative.get("sections") or []
    ]
    attachments = [fill(a, ctx) for a in narrative.get("attachments") or []]
    return _render("body", opening=opening, sections=sections, attachments=attachments)


def signature(profile: dict[str, Any], date_text: str) -> str:
    return _render("signature", profile=profile, date_text=date_text)


def statistics_table(stats: pd.DataFrame, institution: str, year: str) -> str:
    return _render("statistics_table", rows=stats.itertuples(), institution=institution, year=year)


def checklist_table(items: pd.DataFrame, institution: str) -> str:
    categories = [
        (number, name, group.itertuples())
        for (number, name), group in items.groupby(["ref_category", "category_name"], sort=True)
    ]
    return _render("checklist_table", categories=categories, institution=institution)


def findings_table(findings: pd.DataFrame, corrections: pd.DataFrame) -> str:
    failed = findings[findings["passed"] == False]  # noqa: E712
    if corrections.empty:
        fix_columns, fix_rows = [], []
    else:
        fix_columns = list(corrections.columns)
        fix_rows = list(corrections.itertuples(index=False))
    return _render(
        "findings_table",
        total=len(findings),
        failed=list(failed.itertuples()),
        fix_columns=fix_columns,
        fix_rows=fix_rows,
    )


def figure_block(png_b64: str, caption: str) -> str:
    return _render("figure_block", png_b64=png_b64, caption=caption)


def fill_title(narrative: dict[str, Any] | None, ctx: dict[str, Any]) -> str:
    return fill((narrative or {}).get("title", "关于报送{year}学年度信息公开工作的报告"), ctx)


def date_text(profile: dict[str, Any]) -> str:
    from datetime import date

    from disclosure.compute.narrative import cn_date

    value = profile.get("report_date")
    return cn_date(date.fromisoformat(str(value))) if value else ""


def figures_section(year: str, figures: list[tuple[bytes | None, str]]) -> str:
    # figures a year does not have are skipped
    present = [(base64.b64encode(png).decode("ascii"), name) for png, name in figures if png]
    return _render("figures_section", year=year, figures=present)
