"""Apply the corrections written in params to the loaded tables, recording before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .errors import InputError, Problem
from .params import Correction
from .validate import LINE


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
    corrections: tuple[Correction, ...], tables: dict[str, pd.DataFrame], files: dict[str, str],
    profile: dict[str, Any], shown: str,
) -> list[AppliedCorrection]:
    applied: list[AppliedCorrection] = []
    problems: list[Problem] = []
    for number, c in enumerate(corrections, 1):
        label = f"第 {number} 条更正({c.table}.{c.field})"
        if c.table == "profile":
            if c.field not in profile:
                problems.append(Problem(shown, f"{label}:profile.yaml 中没有“{c.field}”"))
                continue
            applied.append(AppliedCorrection("profile", "profile.yaml", c.field, profile[c.field], c.value, c.reason, c.by, c.on))
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
            problems.append(Problem(shown, f"{label}:条件 {c.match} 匹配到 {len(hits)} 行,应为 {c.expect} 行"))
            continue
        for index in hits:
            before = frame.at[index, c.field]
            frame.at[index, c.field] = c.value
            where = f"{files[c.table]} 第 {frame.at[index, LINE]} 行"
            applied.append(AppliedCorrection(c.table, where, c.field, before, c.value, c.reason, c.by, c.on))
    if problems:
        raise InputError(problems)
    return applied
