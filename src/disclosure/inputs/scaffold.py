"""`disclosure init <year>`: the next year's params file and empty raw-data templates."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import yaml

from disclosure import workspace as paths
from disclosure.errors import InputError
from disclosure.inputs.forms import (
    TableDef,
    current_text,
    load_citations,
    load_profile_schema,
    load_table_defs,
    without_last_years_notice,
)
from disclosure.inputs.narrative import all_paragraphs, choices
from disclosure.inputs.params import valid_academic_year
from disclosure.inputs.read import WORKBOOK_FILE
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import inside, write_bytes, write_text


def init_year(root: Path, year: str, fmt: str = "csv") -> list[Path]:
    problems = valid_academic_year(year, "命令行", "学年")
    if problems:
        raise InputError(problems)
    params_file = root / paths.PARAMS_DIR / f"{year}.yaml"
    folder = inside(root, f"{paths.DATA_RAW_DIR}/{year}", "数据文件夹")
    if params_file.exists() or folder.exists():
        raise InputError.one(
            str(params_file.relative_to(root)),
            f"学年 {year} 已存在(参数文件或数据文件夹);为免覆盖,init 不做任何改动",
        )
    defs = {k: v for k, v in load_table_defs(root).items() if k != "reported_statistics"}
    previous = _previous(root, year)
    written: list[Path] = []
    params = (
        f"# Run parameters of the {year} academic year "
        "(keys: see params/<year>.yaml in README.md).\n"
        f'academic_year: "{year}"\n'
        f"data_dir: {paths.DATA_RAW_DIR}/{year}\n"
        "yoy_threshold: 0.5\n"
        "corrections: []\n"
    )
    write_text(params_file, params)
    written.append(params_file)
    schema = load_profile_schema(root)
    profile = {name: f.template for name, f in schema.items() if f.has_template}
    if previous:
        old = read_yaml(previous / paths.PROFILE_FILE) or {}
        profile.update({k: old[k] for k, f in schema.items() if f.carry_over and k in old})
    write_text(
        folder / paths.PROFILE_FILE,
        "# 本学年概况(统计表第 1-9、54 行等);请逐项核对后填写\n"
        + yaml.safe_dump(profile, allow_unicode=True, sort_keys=False),
    )
    written.append(folder / paths.PROFILE_FILE)
    citations = load_citations(root)
    if previous and (previous / paths.NARRATIVE_FILE).is_file():
        narrative = read_yaml(previous / paths.NARRATIVE_FILE) or {}
        for _, para in all_paragraphs(narrative):
            for wording in choices(para):
                wording.pop("printed", None)  # type: ignore[attr-defined]
                if isinstance(wording.get("template"), str):  # current law, this year's notice
                    text = current_text(citations, wording["template"])
                    wording["template"] = without_last_years_notice(text)  # type: ignore[index]
        write_text(
            folder / paths.NARRATIVE_FILE,
            "# 报告正文模板(由上一学年复制,数字均为占位符;所引法规已换为现行文号,"
            "编报通知换为“【待填:…】”,请填写本年度的通知)\n"
            + yaml.safe_dump(narrative, allow_unicode=True, sort_keys=False, width=200),
        )
        written.append(folder / paths.NARRATIVE_FILE)
    elif (root / paths.NARRATIVE_TEMPLATE).is_file():  # a school's first year: the form's template
        target = folder / paths.NARRATIVE_FILE
        write_text(target, (root / paths.NARRATIVE_TEMPLATE).read_text(encoding="utf-8"))
        written.append(target)
    reference = pd.read_csv(root / paths.CHECKLIST_ITEMS, encoding="utf-8")
    rows = {name: [] for name in defs}
    rows["checklist"] = [
        {"category": r.category_no, "item": r.item, "count": 0} for r in reference.itertuples()
    ]
    if fmt == "xlsx":
        target = folder / WORKBOOK_FILE
        write_bytes(target, _workbook(defs, rows))
        written.append(target)
    else:
        for name, schema in defs.items():
            target = folder / f"{name}.csv"
            write_text(target, _csv(schema, rows[name]))
            written.append(target)
    return written


def _previous(root: Path, year: str) -> Path | None:
    start = int(year[:4])
    folder = root / paths.DATA_RAW_DIR / f"{start - 1}-{start}"
    return folder if (folder / paths.PROFILE_FILE).is_file() else None


def _csv(schema: TableDef, rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.header for c in schema.columns])  # Chinese headers (keys also accepted)
    writer.writerows([[row.get(c.name, "") for c in schema.columns] for row in rows])
    return buffer.getvalue()


def _workbook(defs: dict[str, TableDef], rows: dict[str, list[dict]]) -> bytes:
    """One sheet per table; allowed values as drop-down lists, so typos cannot be typed."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    for name, schema in defs.items():
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in schema.columns])
        for row in rows[name]:
            sheet.append([row.get(c.name) for c in schema.columns])
        for index, col in enumerate(schema.columns, 1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(12, len(col.header) * 3)
            if col.type == "choice":
                rule = DataValidation(
                    type="list",
                    formula1='"' + ",".join(col.allowed) + '"',
                    allow_blank=not col.required,
                    showErrorMessage=True,
                    errorTitle="不允许的值",
                    error=f"请从下拉列表中选择:{'、'.join(col.allowed)}",
                )
            elif col.type == "int":
                rule = DataValidation(
                    type="whole",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="应为非负整数",
                    error="请填写 0 或正整数",
                )
            else:
                continue
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}2000")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# What a new workspace copies from its template: the form, the notebooks, the reference tables.
SHARED_PARTS = (paths.FORMS_DIR, paths.NOTEBOOKS_DIR, paths.REFERENCE_DIR)


def new_workspace(folder: Path, template: Path) -> list[Path]:
    """`disclosure new <folder>`: an empty workspace (the form, notebooks and reference tables of
    `template`, an empty params/ and data/raw/), ready for `init` or `import`."""
    if folder.exists() and any(folder.iterdir()):
        raise InputError.one(str(folder), "文件夹已存在且不为空;为免覆盖,new 不做任何改动")
    missing = [p for p in SHARED_PARTS if not (template / p).is_dir()]
    if missing:
        raise InputError.one(str(template), f"模板工作区缺少 {'、'.join(missing)}")
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for part in SHARED_PARTS:
        shutil.copytree(
            template / part,
            folder / part,
            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
        )
        made.append(folder / part)
    for empty in (paths.PARAMS_DIR, paths.DATA_RAW_DIR):
        (folder / empty).mkdir(parents=True, exist_ok=True)
        made.append(folder / empty)
    return made
