"""The rule engine: every rule of forms/rules.yaml is evaluated (lazily, none stops the others).

A rule's check reads like the printed form (`r19 == r27 + r28 + r29 + r30`). Names are `rN` (the
rebuilt value of row N) and `pN` (the published value of row N, when a published table exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from disclosure.errors import InputError, Problem
from disclosure.expr import ExpressionError, evaluate, fill, names, parse
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import RULES_FORM

NAME = re.compile(r"^([rp])([1-9]\d*)$")  # r7, never r07: names must match the environment exactly
SEVERITIES = ("error", "warning")
COLUMNS = ["id", "severity", "family", "title", "check", "filled", "passed", "sources", "basis"]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    check: str
    severity: str
    family: str
    basis: str = ""


def load_rules(root: Path, n_rows: int) -> list[Rule]:
    """Read and validate every rule; a rule naming an unknown row fails loudly with its id."""
    data = read_yaml(root / RULES_FORM, RULES_FORM)
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for family, items in (data.get("families") or {}).items():
        for spec in items.get("rules", []):
            rule_id = str(spec.get("id", "?"))
            try:
                rule = Rule(
                    id=rule_id,
                    title=str(spec["title"]),
                    check=str(spec["check"]),
                    severity=str(spec.get("severity", "error")),
                    family=str(family),
                    basis=str(spec.get("basis", "")),
                )
            except KeyError as exc:
                problems.append(Problem(RULES_FORM, f"规则 {rule_id} 缺少 {exc}"))
                continue
            problems += [Problem(RULES_FORM, f"规则 {rule_id}:{m}") for m in _check_rule(rule, n_rows, seen)]
            seen.add(rule_id)
            rules.append(rule)
    if problems:
        raise InputError(problems)
    return rules


def _check_rule(rule: Rule, n_rows: int, seen: set[str]) -> list[str]:
    out = []
    if rule.id in seen:
        out.append("编号重复")
    if rule.severity not in SEVERITIES:
        out.append(f"severity“{rule.severity}”应为 error 或 warning")
    try:
        tree = parse(rule.check)
    except ExpressionError as exc:
        return out + [str(exc)]
    for name in names(tree):
        m = NAME.match(name)
        if not m:
            out.append(f"未知名称“{name}”,只能用 rN(重算值)或 pN(公布值)")
        elif not 1 <= int(m.group(2)) <= n_rows:
            out.append(f"“{name}”引用了不存在的第 {m.group(2)} 行(统计表只有 1 到 {n_rows} 行)")
    return out


def environment(stats: pd.DataFrame) -> dict[str, object]:
    """rN and pN values; a published value is a number when it reads as one, else its text."""
    env: dict[str, object] = {}
    for row, value, reported in zip(stats["row"], stats["value"], stats.get("reported", [None] * len(stats)), strict=True):
        env[f"r{row}"] = value
        env[f"p{row}"] = _number(reported)
    return env


def _number(text: object) -> object:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = str(text).strip()
    return int(s) if re.fullmatch(r"\d+", s) else s


def evaluate_rules(rules: list[Rule], stats: pd.DataFrame) -> pd.DataFrame:
    env = environment(stats)
    sources = dict(zip(stats["row"], stats["source"], strict=True))
    records = []
    for rule in rules:
        tree = parse(rule.check)
        used = names(tree)
        if any(env.get(n) is None for n in used):
            passed, filled = None, fill(tree, env) + "(公布值缺失,不适用)"
        else:
            filled = fill(tree, env)
            try:
                passed = bool(evaluate(tree, env))
            except TypeError:
                passed, filled = False, filled + "(类型不符:数字与文字无法比较)"
        where = "；".join(f"{n}←{sources[int(n[1:])] if n[0] == 'r' else '已公布统计表 第 ' + n[1:] + ' 行'}" for n in used)
        records.append(
            {
                "id": rule.id,
                "severity": rule.severity,
                "family": rule.family,
                "title": rule.title,
                "check": rule.check,
                "filled": filled,
                "passed": passed,
                "sources": where,
                "basis": rule.basis,
            }
        )
    return pd.DataFrame(records, columns=COLUMNS)


def ordered(findings: pd.DataFrame) -> pd.DataFrame:
    """Failed errors first, then failed warnings, then the rest; stable by id within each group."""
    rank = findings["passed"].map({False: 0, None: 1, True: 2}).fillna(1) * 2 + (findings["severity"] != "error")
    return findings.assign(_rank=rank).sort_values(["_rank", "id"], kind="stable").drop(columns="_rank").reset_index(drop=True)
