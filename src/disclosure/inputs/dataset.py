"""Everything one academic year's run reads: parameters, forms, profile, raw tables, narrative."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import workspace as paths
from disclosure.errors import InputError, Problem
from disclosure.inputs.corrections import AppliedCorrection, apply_corrections
from disclosure.inputs.forms import (
    FigureSpec,
    ProfileField,
    RowDef,
    Section,
    TableDef,
    load_layout,
    load_profile_schema,
    load_statistics_form,
    load_table_defs,
)
from disclosure.inputs.params import Params, load_params
from disclosure.inputs.provenance import file_record
from disclosure.inputs.read import WORKBOOK_FILE, find_table_file, read_text_table, sheet_names
from disclosure.inputs.validate import validate
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import inside


@dataclass
class YearData:
    root: Path
    params: Params
    rows: list[RowDef]
    table_defs: dict[str, TableDef]
    profile: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    table_files: dict[str, str]
    narrative: dict[str, Any] | None
    reference: pd.DataFrame
    inputs: list[dict[str, object]] = field(default_factory=list)
    read_notes: dict[str, list[str]] = field(default_factory=dict)
    corrections: list[AppliedCorrection] = field(default_factory=list)
    sections: tuple[Section, ...] = ()
    figures: tuple[FigureSpec, ...] = ()

    @property
    def year(self) -> str:
        return self.params.academic_year

    @property
    def data_dir(self) -> Path:
        return self.root / self.params.data_dir


def load_year(root: Path, year: str) -> YearData:
    """Load and validate a year; every problem in every file is collected before raising."""
    root = root.resolve()
    params = load_params(root, year)
    defs = load_table_defs(root)
    rows = load_statistics_form(root, defs)
    sections, figures = load_layout(root, rows)
    folder = inside(root, params.data_dir, "参数“data_dir”")
    problems: list[Problem] = []
    profile_schema = load_profile_schema(root)
    profile = _profile(folder, root, problems, profile_schema)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    shown_dir = folder.relative_to(root).as_posix()
    sheets: list[str] = []
    book_broken = False
    if (folder / WORKBOOK_FILE).is_file():
        try:
            sheets = sheet_names(folder / WORKBOOK_FILE, f"{shown_dir}/{WORKBOOK_FILE}")
        except InputError as exc:  # reported once, not once per table
            problems += exc.problems
            book_broken = True
    for name, schema in defs.items():
        try:
            located = find_table_file(folder, name, sheets, shown_dir)
        except InputError as exc:
            problems += exc.problems
            continue
        if located is None:
            if not schema.optional_file and not book_broken:
                problems.append(
                    Problem(
                        f"{params.data_dir}/{name}.csv",
                        "缺少该文件(也可用同名 .xlsx);没有数据时请保留只含表头的文件",
                    )
                )
            continue
        path, sheet = located
        shown = path.relative_to(root).as_posix() + (f"[{sheet}]" if sheet else "")
        try:
            text = read_text_table(path, shown, sheet)
        except InputError as exc:
            problems += exc.problems
            continue
        frame, found = validate(text, schema, shown, params.start, params.end)
        problems += found
        tables[name], files[name] = frame, shown
        notes[shown] = [f"编码:{text.encoding}", *text.notes]
    narrative_path = folder / paths.NARRATIVE_FILE
    narrative = None
    if narrative_path.is_file():
        try:
            narrative = read_yaml(narrative_path, narrative_path.relative_to(root).as_posix())
        except InputError as exc:
            problems += exc.problems
    reference = pd.read_csv(
        root / paths.CHECKLIST_ITEMS, encoding="utf-8", dtype={"item": int, "category_no": int}
    )
    if problems:
        raise InputError(problems)
    applied = apply_corrections(
        params,
        tables,
        files,
        profile,
        f"{paths.PARAMS_DIR}/{year}.yaml",
        defs,
        profile_ints(profile_schema),
    )
    inputs = [file_record(p, root) for p in _input_files(root, folder)]
    return YearData(
        root,
        params,
        rows,
        defs,
        profile,
        tables,
        files,
        narrative,
        reference,
        inputs,
        notes,
        applied,
        sections,
        figures,
    )


def profile_ints(schema: dict[str, ProfileField]) -> tuple[str, ...]:
    return tuple(name for name, f in schema.items() if f.type == "int")


def _profile(
    folder: Path, root: Path, problems: list[Problem], schema: dict[str, ProfileField]
) -> dict[str, Any]:
    path = folder / paths.PROFILE_FILE
    shown = path.relative_to(root).as_posix()
    if not path.is_file():
        problems.append(Problem(shown, "缺少学校概况文件 profile.yaml"))
        return {}
    try:
        data = read_yaml(path, shown)
    except InputError as exc:  # keep going: the other files' problems are reported too
        problems += exc.problems
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(shown, "应为“键: 值”形式的映射"))
        return {}
    ints = profile_ints(schema)
    texts = tuple(name for name, f in schema.items() if f.type == "text")
    for key in data:
        if key not in schema:
            problems.append(Problem(shown, f"未知键“{key}”"))
    for key in (name for name, f in schema.items() if f.required):
        if (
            key not in data
            or data[key] is None
            or (isinstance(data[key], str) and not data[key].strip())
        ):
            problems.append(Problem(shown, f"缺少“{key}”"))
    for key in ints:
        value = data.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            problems.append(
                Problem(
                    shown, f"“{key}”的值“{value}”加了引号,是文字;请去掉引号写成数字 {value.strip()}"
                )
            )
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            problems.append(Problem(shown, f"“{key}”应为非负整数,实际为“{value}”"))
    for key in texts:
        if key in data and data[key] is not None:
            data[key] = str(
                data[key]
            )  # the form checks the words; the loader keeps what was written
    return data


def _input_files(root: Path, folder: Path) -> list[Path]:
    fixed = [
        root / p
        for p in (
            paths.STATISTICS_FORM,
            paths.TABLES_FORM,
            paths.RULES_FORM,
            paths.CHECKLIST_ITEMS,
            paths.WORKBOOK,
        )
    ]
    year_files = sorted(p for p in folder.iterdir() if p.is_file())
    params = sorted((root / paths.PARAMS_DIR).glob("*.yaml"))
    return [p for p in fixed if p.is_file()] + [p for p in params if p.is_file()] + year_files
