"""The syntax of narrative.yaml, checked before any kernel starts.

- ``{name}`` is a placeholder: a statistics row ``rN``, a profile field ``profile.key`` (or
  ``profile.key.sub``), an internal count ``internal.item``, or ``year``, ``period_start``,
  ``period_end``. Every placeholder must name data this year has.
- ``{{`` and ``}}`` print a literal brace; any other lone brace is an error.
- A paragraph may be a choice of wordings chosen by the data::

      - choose:
          - when: "r19 == 0"            # an expression over rN (disclosure.expr)
            template: "…未收到…申请…"
          - template: "…共收到申请 {r19} 件…"   # the last one, without `when`: otherwise

  The first wording whose ``when`` holds is printed, so the prose cannot say "none" while its
  row is not zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from disclosure.errors import ExpressionError, Problem
from disclosure.expr import names as expression_names
from disclosure.expr import parse

# A literal brace ({{ or }}), a placeholder, or a lone brace (an error). Linear: no nesting.
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]+)\}|[{}]")
FIXED_NAMES = ("year", "period_start", "period_end")


def tokens(text: str) -> Iterator[tuple[str, str | None]]:
    """(kind, value) pieces of a template: ("text", …), ("name", …), ("brace", …)."""
    last = 0
    for match in TOKEN.finditer(text):
        if match.start() > last:
            yield "text", text[last : match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            yield "text", token[0]
        elif match.group(1) is not None:
            yield "name", match.group(1).strip()
        else:
            yield "brace", token
        last = match.end()
    if last < len(text):
        yield "text", text[last:]


def placeholders(text: str) -> list[str]:
    return [value for kind, value in tokens(text) if kind == "name" and value is not None]


def choices(para: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The wordings of a paragraph: its ``choose`` list, or the paragraph itself."""
    chosen = para.get("choose")
    return [c for c in chosen if isinstance(c, Mapping)] if isinstance(chosen, list) else [para]


def available_names(
    rows: list[int], profile: Mapping[str, Any], internal_items: list[str]
) -> set[str]:
    """Every placeholder this year's data can fill (a field left empty fills nothing)."""
    found = {f"r{row}" for row in rows} | set(FIXED_NAMES)
    for key, value in profile.items():
        if isinstance(value, Mapping):
            found |= {f"profile.{key}.{k}" for k, v in value.items() if not _empty(v)}
        elif not _empty(value):
            found.add(f"profile.{key}")
    return found | {f"internal.{item}" for item in internal_items}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def problems(narrative: Any, shown: str, names: set[str]) -> list[Problem]:
    """Everything `run` would print wrongly: missing data, unknown names, lone braces, choices
    without an otherwise, conditions that do not parse. One message per problem, naming where."""
    if not isinstance(narrative, Mapping):
        return []  # the shape check reports it
    found: list[Problem] = []
    for where, text in texts(narrative):
        found += _text_problems(text, where, shown, names)
    for where, para in _choice_paragraphs(narrative):
        wordings = para["choose"]
        if not isinstance(wordings, list) or not wordings:
            found.append(Problem(shown, f"{where}的 choose 应为非空列表"))
            continue
        for i, wording in enumerate(wordings, 1):
            last = i == len(wordings)
            if not isinstance(wording, Mapping) or not isinstance(wording.get("template"), str):
                found.append(Problem(shown, f"{where} choose 第 {i} 项应为含 template 的映射"))
            elif last and "when" in wording:
                found.append(
                    Problem(shown, f"{where} choose 的最后一项不应有 when(它是其余情况的措辞)")
                )
            elif not last and not isinstance(wording.get("when"), str):
                found.append(Problem(shown, f"{where} choose 第 {i} 项缺少条件 when"))
            elif not last:
                found += _condition_problems(
                    wording["when"], f"{where} choose 第 {i} 项", shown, names
                )
    return found


def _condition_problems(text: str, where: str, shown: str, names: set[str]) -> list[Problem]:
    try:
        tree = parse(text)
    except ExpressionError as exc:
        return [Problem(shown, f"{where}的条件 when:{exc}")]
    unknown = [n for n in expression_names(tree) if n not in names]
    return [Problem(shown, f"{where}的条件 when 中的“{n}”没有对应的数据") for n in unknown]


def _text_problems(text: str, where: str, shown: str, names: set[str]) -> list[Problem]:
    found = []
    for kind, value in tokens(text):
        if kind == "brace":
            found.append(
                Problem(shown, f"{where}有不成对的花括号“{value}”;要印出花括号请写 {{{{ 或 }}}}")
            )
        elif kind == "name" and value not in names:
            found.append(Problem(shown, f"{where}的占位符“{{{value}}}”{_why_missing(value)}"))
    return found


def _why_missing(name: str | None) -> str:
    name = name or ""
    if re.fullmatch(r"r\d+", name):
        return "不是统计表的行号"
    if name.startswith("profile."):
        return "在 profile.yaml 中没有数据(缺少该项或为空)"
    if name.startswith("internal."):
        return "在 internal.csv 中没有这一项"
    return "未知;可用 rN、profile.键、internal.项目、year、period_start、period_end"


def texts(narrative: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, template) for the title, every wording of every paragraph and every attachment."""
    if isinstance(narrative.get("title"), str):
        yield "标题", narrative["title"]
    for where, para in all_paragraphs(narrative):
        for i, wording in enumerate(choices(para), 1):
            if isinstance(wording.get("template"), str):
                label = f"{where}(措辞 {i})" if "choose" in para else where
                yield label, wording["template"]
    for i, text in enumerate(_list(narrative.get("attachments")), 1):
        if isinstance(text, str):
            yield f"第 {i} 个附件", text


def all_paragraphs(narrative: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, paragraph) for every prose paragraph (not subheadings), in reading order."""
    for i, para in enumerate(_list(narrative.get("opening")), 1):
        if isinstance(para, Mapping):
            yield f"开头第 {i} 段", para
    for section in _list(narrative.get("sections")):
        if not isinstance(section, Mapping):
            continue
        for i, para in enumerate(_list(section.get("paragraphs")), 1):
            if isinstance(para, Mapping) and ("template" in para or "choose" in para):
                yield f"第{section.get('part', '?')}部分第 {i} 段", para


def _choice_paragraphs(narrative: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    return ((w, p) for w, p in all_paragraphs(narrative) if "choose" in p)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
