"""Checks that need code, registered by id. Each id is declared in forms/rules.yaml with
`engine: code`, so that one file lists every check; the catalogue test keeps the two in step.

A registered check takes the rule context and returns (problems, where the values came from).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from disclosure.checks.rules import Context
from disclosure.compute.narrative import missing_placeholders, paragraphs, printed_values

CodeCheck = Callable[[Context], tuple[list[str], str]]
CODE_CHECKS: dict[str, CodeCheck] = {}


def register(rule_id: str) -> Callable[[CodeCheck], CodeCheck]:
    def add(function: CodeCheck) -> CodeCheck:
        if rule_id in CODE_CHECKS:
            raise ValueError(f"code check {rule_id} registered twice")
        CODE_CHECKS[rule_id] = function
        return function

    return add


def _narrative(context: Context) -> tuple[list[str], list[str]]:
    """(numbers printed differently from their data, paragraphs whose text does not follow the
    template)."""
    narrative: dict[str, Any] = context.extras.get("narrative") or {}
    values: dict[str, Any] = context.extras.get("narrative_values") or {}
    wrong, unaligned = [], []
    for where, para in paragraphs(narrative):
        if not para.get("printed"):
            continue
        found = printed_values(para["template"], para["printed"])
        if found is None:
            unaligned.append(f"{where}印刷文字与模板不对应")
            continue
        for name, printed in found:
            if (
                name in values
                and re.fullmatch(r"\d+", str(values[name]))
                and printed != str(values[name])
            ):
                wrong.append(f"{where}印为“{printed}”,{name} 为 {values[name]}")
    return wrong, unaligned


@register("N01")
def narrative_numbers(context: Context) -> tuple[list[str], str]:
    return _narrative(context)[0], context.table_sources.get("narrative", "narrative.yaml")


@register("N02")
def narrative_alignment(context: Context) -> tuple[list[str], str]:
    return _narrative(context)[1], context.table_sources.get("narrative", "narrative.yaml")


@register("N03")
def narrative_placeholders(context: Context) -> tuple[list[str], str]:
    narrative = context.extras.get("narrative")
    values = context.extras.get("narrative_values") or {}
    return missing_placeholders(narrative, values), context.table_sources.get("narrative", "")


@register("N04")
def narrative_present(context: Context) -> tuple[list[str], str]:
    where = context.table_sources.get("narrative", "narrative.yaml")
    return ([] if context.extras.get("narrative") else [f"缺少 {where},报告正文无法生成"]), where


@register("D01")
def raw_files_as_recorded(context: Context) -> tuple[list[str], str]:
    """The raw files hash as SOURCE.yaml recorded them: raw data is read-only, corrections go in
    params."""
    recorded: dict[str, str] = context.extras.get("source_hashes") or {}
    actual: dict[str, str] = context.extras.get("raw_hashes") or {}
    problems = []
    for name, digest in sorted(recorded.items()):
        if name not in actual:
            problems.append(f"{name} 已不存在")
        elif actual[name] != digest:
            problems.append(
                f"{name} 的 SHA-256 与记录不符"
                f"(现为 {actual[name][:12]}…,记录为 {str(digest)[:12]}…)"
            )
    return problems, context.table_sources.get("source_record", "SOURCE.yaml")
