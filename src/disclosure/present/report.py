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

from disclosure.checks.findings import SEVERITY_ZH, grouped, said, summary
from disclosure.compute.checklist import URL, split_links
from disclosure.present.document import annex2_title

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
    env.filters["breakable"] = breakable
    env.tests["web_url"] = _is_web_url
    return env


def _render(fragment: str, **values: Any) -> str:
    return _environment().get_template(f"{fragment}.html.j2").render(**values)


BREAK_AFTER = re.compile(r"([/?&=])")


def breakable(url: str) -> Markup:
    """A URL with break opportunities only after / ? & = (never inside a word)."""
    return Markup("<wbr>".join(escape(part) for part in _break_parts(url)))


def _break_parts(url: str) -> list[str]:
    parts, last = [], 0
    for match in BREAK_AFTER.finditer(url):
        if match.end() < len(url) and url[match.end()] not in "/":
            parts.append(url[last : match.end()])
            last = match.end()
    return [*parts, url[last:]]


def link(token: str) -> str:
    return _render("link", token=token)


def header(doc: dict[str, Any]) -> str:
    return _render("header", doc=doc)


def body(doc: dict[str, Any]) -> str:
    """Opening, sections, attachment list, signature and date."""
    return _render("body", doc=doc)


def statistics_table(doc: dict[str, Any], review: bool = False) -> str:
    return _render("statistics_table", doc=doc, review=review)


def checklist_table(doc: dict[str, Any]) -> str:
    categories: dict[int, list[dict[str, Any]]] = {}
    for row in doc["checklist"]:
        categories.setdefault(row["category"], []).append(row)
    return _render(
        "checklist_table",
        doc=doc,
        title=annex2_title(doc),
        categories=sorted(categories.items()),
    )


def review_summary(findings: pd.DataFrame, year: str, institution: str) -> str:
    """The review copy's first page: each failed check that no other explains, in plain words,
    with what to fix and what it caused."""
    return _render("review_summary", **review_summary_values(findings, year, institution))


def review_summary_values(findings: pd.DataFrame, year: str, institution: str) -> dict[str, Any]:
    """What the review copy's first page prints (the HTML fragment and the Typst template)."""
    groups = [
        {
            "id": str(root["id"]),
            "title": str(root["title"]),
            "severity": str(root["severity"]),
            "severity_zh": SEVERITY_ZH.get(str(root["severity"]), ""),
            "filled": str(root["filled"]),
            "message": said(root),
            "hint": root.get("hint") if isinstance(root.get("hint"), str) else "",
            "consequences": "、".join(str(c["id"]) for c in consequences),
        }
        for root, consequences in grouped(findings)
    ]
    return {
        "summary": summary(findings),
        "groups": groups,
        "year": year,
        "institution": institution,
    }


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


def findings_values(findings: pd.DataFrame, corrections: pd.DataFrame) -> dict[str, Any]:
    """What the review copy's findings appendix prints, as plain values (the Typst template)."""
    failed = findings[findings["passed"] == False]  # noqa: E712
    return {
        "total": len(findings),
        "failed": [
            {k: _text(row[k]) for k in ("id", "severity", "title", "filled")}
            for _, row in failed.iterrows()
        ],
        "fix_columns": [str(c) for c in corrections.columns] if not corrections.empty else [],
        "fix_rows": [[_text(v) for v in row] for row in corrections.itertuples(index=False)],
    }


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def figure_block(png_b64: str, caption: str) -> str:
    return _render("figure_block", png_b64=png_b64, caption=caption)


def date_text(profile: dict[str, Any]) -> str:
    from datetime import date

    from disclosure.compute.narrative import cn_date

    value = profile.get("report_date")
    return cn_date(date.fromisoformat(str(value))) if value else ""


def figures_section(year: str, figures: list[tuple[bytes | None, str]]) -> str:
    # figures a year does not have are skipped
    present = [(base64.b64encode(png).decode("ascii"), name) for png, name in figures if png]
    return _render("figures_section", year=year, figures=present)
