"""Checks that need code, registered by id. Each id is declared in forms/rules.yaml with
`engine: code`, so that one file lists every check; the catalogue test keeps the two in step.

A registered check takes the rule context and returns (problems, where the values came from).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from disclosure.checks.rules import Context
from disclosure.compute.narrative import paragraphs, printed_values
from disclosure.expr import evaluate, fill, names, parsed
from disclosure.inputs.forms import TO_FILL, superseded
from disclosure.workspace import CITATIONS_FORM, CLAIMS_FORM

# (problems, where the values came from[, the problems in words for the office])
CodeCheck = Callable[[Context], tuple[Any, ...]]
CODE_CHECKS: dict[str, CodeCheck] = {}


def register(rule_id: str) -> Callable[[CodeCheck], CodeCheck]:
    def add(function: CodeCheck) -> CodeCheck:
        if rule_id in CODE_CHECKS:
            raise ValueError(f"code check {rule_id} registered twice")
        CODE_CHECKS[rule_id] = function
        return function

    return add


DIGITS = re.compile(r"\d+")


def _narrative(context: Context) -> tuple[list[str], list[str]]:
    """(numbers printed differently from their data, paragraphs whose text does not follow the
    template)."""
    narrative: dict[str, Any] = context.extras.get("narrative") or {}
    values: dict[str, Any] = context.extras.get("narrative_values") or {}
    wrong, unaligned = [], []
    for where, para in paragraphs(narrative, values):
        if not para.get("printed"):
            continue
        found = printed_values(para["template"], para["printed"])
        if found is None:
            unaligned.append(f"{where}印刷文字与模板不对应")
            continue
        for name, printed in found:
            if (
                name in values
                and DIGITS.fullmatch(str(values[name]))
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


ROW = re.compile(r"^[rp]([1-9]\d*)$")


def _claims(context: Context, rule_id: str) -> tuple[list[str], list[str]]:
    """Each sentence of the printed narrative that asserts something the data does not hold:
    (with the condition filled in, for the auditor; in words, for the office)."""
    claims = [c for c in context.extras.get("claims") or [] if c.rule == rule_id]
    problems, said = [], []
    for where, sentence in context.extras.get("narrative_sentences") or []:
        for claim in claims:
            for match in claim.says.finditer(sentence):
                env = {**context.values, **{k: int(v) for k, v in match.groupdict().items()}}
                tree = parsed(claim.holds)
                if not evaluate(tree, env):
                    quoted = sentence if len(sentence) <= 40 else sentence[:40] + "…"
                    problems.append(f"{where}“{quoted}”称{claim.means},但数据为 {fill(tree, env)}")
                    said.append(f"{where}“{quoted}”{_contradiction(claim, tree, env)}")
    return problems, said


def _contradiction(claim: Any, tree: Any, env: dict[str, Any]) -> str:
    """What the data says against a claim, in words: the rows it names, or the year."""
    facts = []
    for name in names(tree):
        row = ROW.match(name)
        if row:
            facts.append(f"统计表第 {row.group(1)} 行为 {env.get(name)}")
        elif name == "report_year":
            facts.append(f"本学年结束于 {env.get(name)} 年")
    if claim.rule == "N06":
        return f"所引通知不是本学年的:{claim.means},{'、'.join(facts)}"
    return f"称{claim.means},但{'、'.join(facts)}"


@register("N05")
def narrative_claims(context: Context) -> tuple[list[str], str]:
    source = context.table_sources.get("narrative", "narrative.yaml")
    problems, said = _claims(context, "N05")
    return problems, f"{source}；{CLAIMS_FORM}", said


@register("N06")
def cited_notice_year(context: Context) -> tuple[list[str], str]:
    source = context.table_sources.get("narrative", "narrative.yaml")
    problems, said = _claims(context, "N06")
    return problems, f"{source}；{CLAIMS_FORM}", said


@register("N07")
def current_instruments(context: Context) -> tuple[list[str], str]:
    """Every instrument the printed narrative cites was in force on the report's date (its
    成文日期, or the reporting deadline when none is filled in)."""
    on = str(context.values.get("profile.report_date") or context.values.get("report_deadline"))
    citations = context.extras.get("citations") or []
    problems = [
        f"{where}{said}"
        for where, sentence in context.extras.get("narrative_sentences") or []
        for said in superseded(citations, sentence, on)
    ]
    source = context.table_sources.get("narrative", "narrative.yaml")
    return problems, f"{source}；{CITATIONS_FORM}"


@register("N08")
def nothing_left_to_fill(context: Context) -> tuple[list[str], str]:
    """No placeholder 【待填:…】 of `disclosure init` is left in the printed narrative."""
    problems = [
        f"{where}尚待填写:{found.group(1)}"
        for where, sentence in context.extras.get("narrative_sentences") or []
        for found in TO_FILL.finditer(sentence)
    ]
    return problems, context.table_sources.get("narrative", "narrative.yaml")


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
