"""Apply the corrections written in params to the loaded tables, recording before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from disclosure.errors import InputError, Problem
from disclosure.inputs.forms import TableDef
from disclosure.inputs.params import Params
from disclosure.inputs.validate import LINE, typed


@dataclass(frozen=True)
class AppliedCorrection:
    table: str
    location: str
    field: str
    before: Any
    after: Any
    reason: str
    by: str
    on: str


def apply_corrections(
    params: Params,
    tables: dict[str, pd.DataFrame],
    files: dict[str, str],
    profile: dict[str, Any],
    shown: str,
    defs: dict[str, TableDef],
    profile_ints: tuple[str, ...],
) -> list[AppliedCorrection]:
    """Apply each correction; a corrected value must pass the same checks as a raw one."""
    applied: list[AppliedCorrection] = []
    problems: list[Problem] = []
    for number, c in enumerate(params.corrections, 1):
        label = f"第 {number} 条更正({c.table}.{c.field})"
        if c.table == "profile":
            if c.field not in profile:
                problems.append(Problem(shown, f"{label}:profile.yaml 中没有“{c.field}”"))
                continue
            if c.field in profile_ints and (
                isinstance(c.value, bool) or not isinstance(c.value, int) or c.value < 0
            ):
                problems.append(Problem(shown, f"{label}:更正值“{c.value}”应为非负整数"))
                continue
            applied.append(
                AppliedCorrection(
                    "profile",
                    "profile.yaml",
                    c.field,
                    profile[c.field],
                    c.value,
                    c.reason,
                    c.by,
                    c.on,
                )
            )
            profile[c.field] = c.value
            continue
        frame = tables.get(c.table)
        if frame is None:
            problems.append(Problem(shown, f"{label}:没有名为“{c.table}”的原始表"))
            continue
        unknown = [k for k in [*c.match, c.field] if k not in frame.columns]
        if unknown:
            problems.append(Problem(shown, f"{label}:表 {c.table} 没有列 {'、'.join(unknown)}"))
            continue
        mask = pd.Series(True, index=frame.index)
        for key, value in c.match.items():
            mask &= frame[key].astype(str) == str(value)
        hits = frame.index[mask]
        if len(hits) != c.expect:
            condition = "、".join(f"{k} = {v}" for k, v in c.match.items())
            problems.append(
                Problem(shown, f"{label}:条件“{condition}”匹配到 {len(hits)} 行,应为 {c.expect} 行")
            )
            continue
        found: list[Problem] = []
        raw = (
            "" if c.value is None else str(c.value)
        )  # an empty `value:` blanks the cell (checked like one)
        value = typed(raw, defs[c.table].column(c.field), shown, params.start, params.end, found)
        if found:
            problems.append(Problem(shown, f"{label}:更正值“{c.value}”不合格:{found[0].message}"))
            continue
        for index in hits:
            before = frame.at[index, c.field]
            frame.at[index, c.field] = value
            where = f"{files[c.table]} 第 {frame.at[index, LINE]} 行"
            applied.append(
                AppliedCorrection(c.table, where, c.field, before, value, c.reason, c.by, c.on)
            )
    if problems:
        raise InputError(problems)
    return applied
