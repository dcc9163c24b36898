"""Everything one academic year's run reads: parameters, forms, profile, raw tables, narrative."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import workspace as paths
from disclosure.errors import InputError, Problem
from disclosure.inputs.corrections import AppliedCorrection, apply_corrections
from disclosure.inputs.forms import FigureSpec, ProfileField, RowDef, Section, TableDef
from disclosure.inputs.formset import FormSet, load_formset
from disclosure.inputs.narrative import available_names
from disclosure.inputs.narrative import problems as narrative_problems
from disclosure.inputs.params import Params, load_params
from disclosure.inputs.provenance import file_record
from disclosure.inputs.read import WORKBOOK_FILE, find_table_file, read_text_table, sheet_names
from disclosure.inputs.validate import hidden, out_of_range, validate
from disclosure.inputs.yamlio import read_yaml, short
from disclosure.workspace import PARAMS_DIR, inside


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
    forms: FormSet | None = None  # the form these were read with (rows, rules, claims, edition)

    @property
    def year(self) -> str:
        return self.params.academic_year

    @property
    def data_dir(self) -> Path:
        return self.root / self.params.data_dir


def load_year(root: Path, year: str, forms: FormSet | None = None) -> YearData:
    """Load and validate a year; every problem in every file is collected before raising.

    `forms` is the workspace's FormSet when the caller holds it (a collection shares one); else it
    is loaded (once per process for each content of forms/)."""
    root = root.resolve()
    fixed = [root / PARAMS_DIR / f"{year}.yaml", *_fixed_files(root)]
    outside = _outside(root, [p for p in fixed if p.is_symlink()])
    if outside:
        raise InputError(outside)
    params = load_params(root, year)
    forms = forms or load_formset(root)
    defs, rows = forms.table_defs, list(forms.rows)
    folder = inside(root, params.data_dir, "参数“data_dir”")
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    problems: list[Problem] = _outside(root, [p for p in entries if p.is_symlink()])
    if problems:  # never read: their content would go into the manifest and the evidence zip
        raise InputError(problems)
    profile_schema, ceilings = forms.profile_schema, forms.ceilings
    profile = _profile(folder, root, problems, profile_schema, ceilings)
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
                        _look_alikes(entries, name)
                        or "缺少该文件(也可用同名 .xlsx);没有数据时请保留只含表头的文件",
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
    narrative_shown = narrative_path.relative_to(root).as_posix()
    narrative = None
    if narrative_path.is_file():
        try:
            narrative = read_yaml(narrative_path, narrative_shown)
        except InputError as exc:
            problems += exc.problems
        else:
            problems += _narrative_shape(narrative, narrative_shown)
    if narrative is None and not any(p.file == narrative_shown for p in problems):
        problems.append(
            Problem(
                narrative_shown,
                "缺少报告正文(文件不存在或为空);disclosure init 会从上一学年复制正文模板",
            )
        )
    reference = forms.reference.copy()
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
    # A corrected profile value has the same ceiling as a written one.
    beyond = _corrected_beyond_ceiling(params, f"{paths.PARAMS_DIR}/{year}.yaml", ceilings)
    if beyond:
        raise InputError(beyond)
    internal = tables.get("internal")
    names = available_names(
        [r.row for r in rows],
        profile,
        [] if internal is None else [str(i) for i in internal["item"]],
    )
    unfilled = narrative_problems(narrative, narrative_shown, names)
    if unfilled:
        raise InputError(unfilled)
    inputs = [file_record(p, root) for p in _input_files(root, folder, year)]
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
        forms.sections,
        forms.figures,
        forms,
    )


# What a table saved in another format is, and how to make it readable.
OTHER_FORMATS = {
    ".xls": "旧版 Excel 97-2003 格式,无法读取;请在 Excel 中打开,另存为“Excel 工作簿(.xlsx)”",
    ".xlsm": "含宏的 Excel 工作簿,不读取;请另存为“Excel 工作簿(.xlsx)”",
    ".et": "金山 WPS 表格格式,无法读取;请在 WPS 中另存为 .xlsx 或 CSV UTF-8",
    ".ods": "开放文档(OpenDocument)表格格式,无法读取;请另存为 .xlsx 或 CSV UTF-8",
    ".txt": "文本文件;若内容是逗号分隔的表格,请把扩展名改为 .csv",
    ".numbers": "苹果 Numbers 表格格式,无法读取;请导出为 .xlsx 或 CSV",
}


def _look_alikes(entries: list[Path], stem: str) -> str:
    """The files of the folder that are the missing table under another name or format: names
    differing in case (`Publications.CSV`), another extension (`.xls`), or one added (`.csv.txt`).
    Only looked for once the table has been found missing."""
    found = []
    for entry in entries:
        name = entry.name
        if not name.lower().startswith(stem.lower() + "."):
            continue
        suffix = entry.suffix.lower()
        if entry.is_dir():
            if name.lower() in (f"{stem}.csv", f"{stem}.xlsx"):
                found.append(f"有名为“{name}”的文件夹,不是文件;请把表格文件放在这个位置")
        elif suffix in (".csv", ".xlsx") and entry.stem.lower() == stem:
            found.append(f"有“{name}”,但文件名的大小写与“{stem}{suffix}”不同;请改为全小写")
        elif name.lower().startswith(f"{stem}.csv.") or name.lower().startswith(f"{stem}.xlsx."):
            right = name[: len(stem) + (4 if name.lower().startswith(f"{stem}.csv.") else 5)]
            found.append(f"有“{name}”,多了扩展名;请改名为“{right.lower()}”")
        elif suffix in OTHER_FORMATS and entry.stem.lower() == stem:
            found.append(f"有“{name}”,是{OTHER_FORMATS[suffix]}")
    return f"缺少该文件;文件夹中{';'.join(found)}" if found else ""


def profile_ints(schema: dict[str, ProfileField]) -> tuple[str, ...]:
    return tuple(name for name, f in schema.items() if f.type == "int")


def profile_ceilings(root: Path) -> dict[str, int]:
    """The `max:` of each int field of the profile schema (forms/tables.yaml `profile:`)."""
    return load_formset(root).ceilings


def _profile(
    folder: Path,
    root: Path,
    problems: list[Problem],
    schema: dict[str, ProfileField],
    ceilings: dict[str, int] | None = None,
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
            problems.append(
                Problem(
                    shown,
                    (isinstance(key, str) and hidden(key, "键", "不是概况的键", tuple(schema)))
                    or f"未知键“{short(key)}”",
                )
            )
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
            problems.append(Problem(shown, f"“{key}”应为非负整数,实际为“{short(value)}”"))
        elif value is not None:
            beyond = out_of_range(value, None, (ceilings or {}).get(key), "该项")
            if beyond:
                problems.append(Problem(shown, f"“{key}”{beyond}"))
    for key in texts:
        if key in data and data[key] is not None:
            data[key] = str(
                data[key]
            )  # the form checks the words; the loader keeps what was written
    problems += _report_date(data.get("report_date"), shown)
    return data


def _corrected_beyond_ceiling(
    params: Params, shown: str, ceilings: dict[str, int]
) -> list[Problem]:
    """A correction of a profile int above the field's ceiling (table cells are typed and checked
    by the corrections themselves)."""
    problems = []
    for number, c in enumerate(params.corrections, 1):
        if c.table != "profile" or not isinstance(c.value, int) or isinstance(c.value, bool):
            continue
        beyond = out_of_range(c.value, None, ceilings.get(c.field), "该项")
        if beyond:
            label = f"第 {number} 条更正({c.table}.{c.field})"
            problems.append(Problem(shown, f"{label}:更正值“{c.value}”不合格:{beyond}"))
    return problems


def _report_date(value: Any, shown: str) -> list[Problem]:
    """report_date is printed under the signature as a date, so it must be one (or be empty)."""
    if value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, date):
        return []
    try:
        date.fromisoformat(str(value).strip())
    except ValueError:
        return [
            Problem(
                shown, f"“report_date”的值“{value}”不是日期;应写成 YYYY-MM-DD(如 2024-11-14)或留空"
            )
        ]
    return []


# --- narrative.yaml: the shape the report and checks N01/N02 read -------------------------------


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _narrative_shape(narrative: Any, shown: str) -> list[Problem]:
    """The keys the report reads, each of the kind it reads (an empty file is no narrative)."""
    if narrative is None:
        return []
    if not isinstance(narrative, dict):
        return [Problem(shown, "应为“键: 值”形式的映射(title、opening、sections、attachments)")]
    problems: list[Problem] = []
    if "title" in narrative and not isinstance(narrative["title"], str):
        problems.append(Problem(shown, f"title 应为文字,实际为“{short(narrative['title'])}”"))
    for key in ("opening", "sections", "attachments"):
        if narrative.get(key) is not None and not isinstance(narrative[key], list):
            problems.append(Problem(shown, f"{key} 应为列表(每项以“- ”开头)"))
    for i, para in enumerate(_items(narrative.get("opening")), 1):
        problems += _paragraph(para, f"开头第 {i} 段", shown, subheading=False)
    for n, section in enumerate(_items(narrative.get("sections")), 1):
        if not isinstance(section, dict):
            problems.append(
                Problem(shown, f"sections 第 {n} 项应为映射(part、heading、paragraphs)")
            )
            continue
        paragraphs = section.get("paragraphs")
        if paragraphs is not None and not isinstance(paragraphs, list):
            problems.append(Problem(shown, f"sections 第 {n} 项的 paragraphs 应为列表"))
        for i, para in enumerate(_items(paragraphs), 1):
            where = f"第{section.get('part', '?')}部分第 {i} 段"
            problems += _paragraph(para, where, shown, subheading=True)
    for i, text in enumerate(_items(narrative.get("attachments")), 1):
        if not isinstance(text, str):
            problems.append(Problem(shown, f"attachments 第 {i} 项应为文字,实际为“{text}”"))
    return problems


def _paragraph(para: Any, where: str, shown: str, subheading: bool) -> list[Problem]:
    if subheading and isinstance(para, dict) and "subheading" in para:
        return []
    if isinstance(para, dict) and "choose" in para:
        return []  # a choice of wordings: inputs.narrative checks each
    wanted = "template(或 subheading)" if subheading else "template"
    if not isinstance(para, dict) or not isinstance(para.get("template"), str):
        return [Problem(shown, f"{where}应为含文字 {wanted} 的映射")]
    if para.get("printed") is not None and not isinstance(para["printed"], str):
        return [Problem(shown, f"{where}的 printed 应为文字")]
    return _paragraph_length(para, where, shown)


MAX_PARAGRAPH_CHARS = 5000  # the longest paragraph of a real report is about 500 characters


def _paragraph_length(para: dict[str, Any], where: str, shown: str) -> list[Problem]:
    """Bounded work for the report and checks N01/N02, which align each paragraph's printed text
    with its template: one paragraph is at most MAX_PARAGRAPH_CHARS characters."""
    return [
        Problem(
            shown,
            f"{where}的 {key} 有 {len(para[key])} 个字符,超过每段 {MAX_PARAGRAPH_CHARS} 字符上限;"
            "请分成几段",
        )
        for key in ("template", "printed")
        if isinstance(para.get(key), str) and len(para[key]) > MAX_PARAGRAPH_CHARS
    ]


def _fixed_files(root: Path) -> list[Path]:
    return [
        root / p
        for p in (
            paths.STATISTICS_FORM,
            paths.TABLES_FORM,
            paths.RULES_FORM,
            paths.CLAIMS_FORM,
            paths.CHECKLIST_ITEMS,
            paths.WORKBOOK,
        )
    ]


def _outside(root: Path, links: list[Path]) -> list[Problem]:
    """A problem for each symbolic link that resolves outside the workspace (or nowhere)."""
    problems = []
    for link in links:
        target = link.resolve()
        if target != root and root not in target.parents:
            problems.append(
                Problem(
                    link.relative_to(root).as_posix(),
                    f"是指向工作区之外({short(str(target), 60)})的符号链接,拒绝读取;"
                    "请把文件本身复制进工作区",
                )
            )
    return problems


def _input_files(root: Path, folder: Path, year: str) -> list[Path]:
    """What a year's evidence records as its inputs: the forms, workbook and reference files, this
    year's params and its data folder; no other year's params (each year stands alone)."""
    fixed = _fixed_files(root)
    year_files = sorted(p for p in folder.iterdir() if p.is_file())
    params = root / paths.PARAMS_DIR / f"{year}.yaml"
    return [p for p in fixed if p.is_file()] + [params] + year_files
