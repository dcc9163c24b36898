"""Load and validate a year's parameters (params/<year>.yaml) before any kernel starts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from disclosure.errors import InputError, Problem
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import DATA_RAW_DIR, PARAMS_DIR, inside

YEAR_PATTERN = re.compile(r"([0-9]{4})-([0-9]{4})")  # ASCII digits, matched whole


@dataclass(frozen=True)
class Correction:
    """A change to one raw value, made in parameters so the raw file stays untouched."""

    table: str
    match: dict[str, Any]
    field: str
    value: Any
    reason: str
    by: str
    on: str
    expect: int = 1


@dataclass(frozen=True)
class Params:
    academic_year: str
    data_dir: str
    institution: str | None = None
    previous_year: str | None = None
    yoy_threshold: float = 0.5
    corrections: tuple[Correction, ...] = field(default_factory=tuple)
    report_figures: bool = False  # the figures also in the publication copy (always in review)

    @property
    def start(self) -> date:
        return date(int(self.academic_year[:4]), 9, 1)

    @property
    def end(self) -> date:
        return date(int(self.academic_year[5:]), 8, 31)


# key -> (python types accepted, what to say in the message)
SCHEMA: dict[str, tuple[tuple[type, ...], str]] = {
    "academic_year": ((str,), "形如 2023-2024 的学年"),
    "data_dir": ((str,), "工作区内的原始数据文件夹路径(文本)"),
    "institution": ((str,), "学校名称(文本)"),
    "previous_year": ((str,), "上一学年,形如 2022-2023"),
    "yoy_threshold": ((int, float), "0 到 10 之间的数(如 0.5 表示变化超过 50% 时提示)"),
    "corrections": ((list,), "更正列表"),
    "report_figures": ((bool,), "true 或 false(发布版是否附图表;审阅版总附图表)"),
}
CORRECTION_KEYS = {"table", "match", "field", "value", "reason", "by", "on", "expect"}
CORRECTION_REQUIRED = CORRECTION_KEYS - {"expect", "match"}


def valid_academic_year(year: str, file: str, key: str = "academic_year") -> list[Problem]:
    m = YEAR_PATTERN.fullmatch(year) if isinstance(year, str) else None
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        return [
            Problem(
                file,
                f"参数“{key}”的值“{year}”不是有效学年,"
                "应为 YYYY-YYYY 且后一年比前一年大 1(如 2023-2024)",
            )
        ]
    return []


def params_path(root: Path, year: str) -> Path:
    problems = valid_academic_year(year, "命令行", "学年")
    if problems:
        raise InputError(problems)
    path = root / PARAMS_DIR / f"{year}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (root / PARAMS_DIR).glob("*.yaml"))
        raise InputError.one(
            str(path.relative_to(root)),
            f"没有学年 {year} 的参数文件;已有的学年:{'、'.join(known) or '无'}",
        )
    return path


def load_params(root: Path, year: str) -> Params:
    """Read params/<year>.yaml, collect every problem, raise InputError naming each key."""
    path = params_path(root, year)
    rel = str(path.relative_to(root))
    raw = read_yaml(path, rel)
    if not isinstance(raw, dict):
        raise InputError.one(rel, "参数文件应为“键: 值”形式的映射")
    problems: list[Problem] = []
    for key, value in raw.items():
        if key not in SCHEMA:
            problems.append(Problem(rel, f"未知参数“{key}”;允许的参数:{'、'.join(SCHEMA)}"))
            continue
        types, expected = SCHEMA[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            problems.append(Problem(rel, f"参数“{key}”的值“{value}”类型不对,应为{expected}"))
    if "academic_year" not in raw:
        problems.append(Problem(rel, "缺少参数“academic_year”"))
    elif isinstance(raw["academic_year"], str):
        problems += valid_academic_year(raw["academic_year"], rel)
        if raw["academic_year"] != year:
            problems.append(
                Problem(
                    rel,
                    f"参数 academic_year 为“{raw['academic_year']}”,与文件名的学年 {year} 不一致",
                )
            )
    if isinstance(raw.get("previous_year"), str):
        problems += _previous_year(root, raw["previous_year"], year, rel)
    threshold = raw.get("yoy_threshold", 0.5)
    if (
        isinstance(threshold, (int, float))
        and not isinstance(threshold, bool)
        and not 0 < threshold <= 10
    ):
        problems.append(
            Problem(rel, f"参数“yoy_threshold”的值 {threshold} 超出范围,应为 0 到 10 之间的数")
        )
    data_dir = raw.get("data_dir", f"{DATA_RAW_DIR}/{year}")
    if isinstance(data_dir, str):
        try:
            folder = inside(root, data_dir, "参数“data_dir”")
            if not folder.is_dir():
                problems.append(Problem(rel, _no_folder(root, folder, data_dir)))
        except InputError as exc:
            problems += [Problem(rel, p.message) for p in exc.problems]
    corrections = _corrections(raw.get("corrections") or [], rel, problems)
    if problems:
        raise InputError(problems)
    return Params(
        academic_year=raw["academic_year"],
        data_dir=data_dir,
        institution=raw.get("institution"),
        previous_year=raw.get("previous_year"),
        yoy_threshold=float(threshold),
        corrections=tuple(corrections),
        report_figures=bool(raw.get("report_figures", False)),
    )


def _no_folder(root: Path, folder: Path, data_dir: str) -> str:
    """Why data_dir names no folder: a file of that name, Windows' backslashes, or nothing."""
    said = f"参数“data_dir”指向的“{data_dir}”"
    if folder.exists():
        return f"{said}是一个文件,不是文件夹;请把原始数据放在该名称的文件夹中,或改正 data_dir"
    if "\\" in data_dir:
        slashed = data_dir.replace("\\", "/")
        there = "(该文件夹存在)" if (root / slashed).is_dir() else ""
        return (
            f"{said}不存在:路径中用了反斜杠“\\”(Windows 的写法);请改用“/”分隔,写成 {slashed}{there}"
        )
    return f"参数“data_dir”指向的文件夹“{data_dir}”不存在"


def _previous_year(root: Path, previous: str, year: str, rel: str) -> list[Problem]:
    """An explicit previous_year must be a valid year, earlier than this one, with its own params.

    (Without the parameter the previous year is the one before, and may be absent: a first year.)
    """
    problems = valid_academic_year(previous, rel, "previous_year")
    if problems:
        return problems
    if previous == year:
        return [
            Problem(
                rel,
                f"参数“previous_year”为“{previous}”,与本学年相同;"
                "上一学年应早于本学年(如 "
                f"{int(year[:4]) - 1}-{year[:4]}),没有上一学年时请删去该参数",
            )
        ]
    if previous > year:  # both are YYYY-YYYY, so the text order is the order of the years
        return [
            Problem(
                rel,
                f"参数“previous_year”为“{previous}”,晚于本学年 {year};"
                f"上一学年应早于本学年(如 {int(year[:4]) - 1}-{year[:4]})",
            )
        ]
    wanted = f"{PARAMS_DIR}/{previous}.yaml"
    if not (root / wanted).is_file():
        return [
            Problem(
                rel,
                f"参数“previous_year”指定的上一学年 {previous} 没有参数文件 {wanted};"
                "请添加该学年,或删去 previous_year(没有上一学年时不作跨学年对比)",
            )
        ]
    return []


def _corrections(items: Any, rel: str, problems: list[Problem]) -> list[Correction]:
    out: list[Correction] = []
    if not isinstance(items, list):
        return out
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(
                Problem(rel, f"第 {i} 条更正应为映射(table/match/field/value/reason/by/on)")
            )
            continue
        # YAML 1.1 reads a bare `on:` key as the boolean True; the documented key is "on".
        item = {("on" if key is True else key): value for key, value in item.items()}
        unknown = set(item) - CORRECTION_KEYS
        missing = CORRECTION_REQUIRED - set(item)
        if unknown:
            problems.append(
                Problem(rel, f"第 {i} 条更正有未知键:{'、'.join(sorted(map(str, unknown)))}")
            )
        if missing:
            problems.append(
                Problem(
                    rel,
                    f"第 {i} 条更正缺少:{'、'.join(sorted(missing))}"
                    "(每条更正须写明原因、更正人和日期)",
                )
            )
        if unknown or missing:
            continue
        match = item.get("match") or {}
        if not isinstance(match, dict) or (not match and item["table"] != "profile"):
            problems.append(
                Problem(rel, f"第 {i} 条更正的 match 应为非空映射(列名: 值),用来找到要更正的行")
            )
            continue
        expect = item.get("expect", 1)
        if isinstance(expect, bool) or not isinstance(expect, int) or expect < 1:
            problems.append(
                Problem(rel, f"第 {i} 条更正的 expect 应为正整数(要更正的行数),实际为“{expect}”")
            )
            continue
        out.append(
            Correction(
                table=str(item["table"]),
                match=dict(match),
                field=str(item["field"]),
                value=item["value"],
                reason=str(item["reason"]),
                by=str(item["by"]),
                on=str(item["on"]),
                expect=expect,
            )
        )
    return out
