"""`disclosure import`: a published report read into a year folder in the project's own raw format.

    data/raw/<year>/reported_statistics.csv   every printed line, numbering and values as printed
    data/raw/<year>/checklist.csv             counts, links, flags and remarks as printed
    data/raw/<year>/profile.yaml              header (school, 文号, 签发人, addressee, 成文日期) and
                                              the profile rows (1-9, 54) of the printed table
    data/raw/<year>/narrative.yaml            the prose by part (template = the printed text, so a
                                              run re-renders it), with every number each paragraph
                                              states
    data/raw/<year>/publications.csv          the channels of rows 10, 12-15 as printed (the only
                                              register the printed table gives whole); the other
                                              registers header-only
    data/raw/<year>/SOURCE.yaml               the report's file name and sha256, the template
                                              family, what could not be read, and the sha256 of
                                              every file written (check D01)
    params/<year>.yaml

Everything is read and checked before anything is written; a report that cannot be imported
raises InputError (exit 2) and leaves the workspace untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from disclosure import workspace as paths
from disclosure.errors import InputError, Problem
from disclosure.expr import is_count, number
from disclosure.inputs.forms import load_table_defs
from disclosure.inputs.formset import load_formset
from disclosure.inputs.params import valid_academic_year
from disclosure.published import detect, parse
from disclosure.published.detect import Family
from disclosure.published.parse import Header, Item, Line, Narrative
from disclosure.published.text import Document, read_document
from disclosure.workspace import inside, write_bytes

CHECKLIST_COLUMNS = (
    "category", "item", "count", "count_alt", "count_printed", "links", "on_platform", "remark",
    "transcription_note",
)  # fmt: skip
# profile.yaml fields read from the printed table: (field, row, int?)
PROFILE_ROWS = (
    ("portal", 1, False),
    ("disclosure_platform", 2, False),
    ("leader", 3, False),
    ("office", 4, False),
    ("reception", 5, False),
    ("special_funding_project", 6, False),
    ("special_funding_amount", 7, True),
    ("staff_full_time", 8, True),
    ("staff_part_time", 9, True),
    ("fee_policy", 54, False),
)
CHANNELS = (("门户网站", 10), ("信息公开平台", 12), ("办公内网", 13), ("新闻发布会", 14))
CHANNELS += (("官方微博微信", 15),)
MISSING = "未印出"


@dataclass
class Reading:
    """Everything read from one report; nothing written yet."""

    source: Path
    sha256: str
    document: Document
    header: Header
    narrative: Narrative
    lines: list[Line]
    items: list[Item]
    family: Family | None
    year: str
    institution: str
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return detect.document_text(self.document)


@dataclass(frozen=True)
class FormShape:
    """What the workspace's forms ask a report to print: the statistics table's rows (label and
    unit, in order) and the checklist's item numbers."""

    labels: tuple[str, ...]
    units: tuple[str, ...]
    items: tuple[int, ...]


def form_shape(root: Path) -> FormShape:
    """The one place published/ reads the shape of the forms (the statistics form's rows, the
    reference checklist's items): the workspace's FormSet (inputs.formset)."""
    forms = load_formset(root)
    return FormShape(
        tuple(r.label for r in forms.rows),
        tuple(r.unit for r in forms.rows),
        tuple(int(i) for i in forms.reference["item"]),
    )


def form_labels(root: Path) -> list[str]:
    return list(form_shape(root).labels)


def strip_units(lines: list[Line], units: tuple[str, ...]) -> list[str]:
    """A unit typed beside a count ("198条") is taken off when it is the row's unit (printed in
    the 单位 column or the form's); a note says so. Other text is left as printed."""
    notes = []
    for index, line in enumerate(lines):
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([^\d\s]{1,2})", line.value)
        form_unit = units[index] if index < len(units) else ""
        if not m or m.group(2) not in {line.unit, form_unit} - {""}:
            continue
        notes.append(
            f"{line.place}:统计表第 {index + 1} 行数量印为“{line.value}”,"
            f"去掉单位“{m.group(2)}”读作 {m.group(1)}"
        )
        line.value = m.group(1)
        line.unit = line.unit or m.group(2)
    return notes


def read_report(
    root: Path, path: Path, year: str | None = None, institution: str | None = None
) -> Reading:
    """Read and parse a report and detect its family, year and institution (InputError when the
    file itself cannot be read)."""
    doc = read_document(path)
    head = parse.header(doc)
    story = parse.narrative(doc, head)
    lines, line_notes = parse.statistics_lines(doc)
    shape = form_shape(root)
    items, item_notes = parse.checklist_items(doc, max(shape.items, default=0))
    spec = detect.load_audit_form(root)
    line_notes += strip_units(lines, shape.units)
    family = detect.family_of(detect.document_text(doc), lines, list(shape.labels), spec)
    reading = Reading(
        path,
        hashlib.sha256(path.read_bytes()).hexdigest(),
        doc,
        head,
        story,
        lines,
        items,
        family,
        _year(head, story, doc, year, family),
        detect.institution(head, institution),
        line_notes + item_notes,
    )
    for item in items:
        reading.notes += [f"清单第 {item.item} 项:{n}" for n in item.notes]
    return reading


def _year(
    head: Header, story: Narrative, doc: Document, year: str | None, family: Family | None
) -> str:
    """The academic year, or for a calendar-year family the calendar year (YYYY)."""
    if family is not None and family.period == "calendar" and not year:
        return detect.calendar_year(doc)
    return detect.academic_year(head, story, doc, year)


def import_problems(reading: Reading, root: Path, missing_items_ok: bool = False) -> list[Problem]:
    """Why this reading cannot become a year folder (empty when it can). `missing_items_ok`: a
    checklist that lacks some items is imported (the audit lets the engine's K02 name them)."""
    shown = reading.source.name
    if reading.family is None or not reading.family.importable:
        share = detect.form_share(reading.lines, form_labels(root))
        what = f"识别为“{reading.family.title}”" if reading.family else "未能识别其模板"
        return [
            Problem(
                shown,
                f"{what};附件1统计表与 {paths.STATISTICS_FORM} 的 "
                f"{len(form_shape(root).labels)} 行统计表不符"
                f"(印出 {len(reading.lines)} 行,{share:.0%} 的行与模板一致),"
                "无法导入。其他省份或其他格式的报告,需先在 forms/audit.yaml 的 families 中"
                "登记其模板和统计表后才能导入",
            )
        ]
    problems = []
    if not reading.year:
        problems.append(Problem(shown, "未能从报告中识别学年;请用 --year 指定(如 2023-2024)"))
    else:
        problems += valid_academic_year(reading.year, "命令行或报告标题", "学年")
    if not reading.institution:
        problems.append(Problem(shown, "未能从报告中识别学校名称;请用 --institution 指定"))
    if not reading.items:
        problems.append(Problem(shown, "未找到附件2清单对照检查表(表头应含“序号”“公开数量”“链接”)"))
    return problems + shape_problems(reading, form_shape(root), missing_items_ok)


def _where(places: list[str]) -> str:
    shown = "、".join(dict.fromkeys(places))
    return shown if len(shown) <= 60 else shown[:60] + "…"


def shape_problems(
    reading: Reading, shape: FormShape, missing_items_ok: bool = False
) -> list[Problem]:
    """A table read in part is refused, never imported: the statistics table must give every row
    of the form once (as many lines, no label twice) and the checklist every item once. Each
    problem says what was found and where."""
    shown = reading.source.name
    problems = []
    lines, rows = reading.lines, len(shape.labels)
    if lines and len(lines) != rows:
        problems.append(
            Problem(
                shown,
                f"附件1统计表读出 {len(lines)} 行(自{lines[0].place}至{lines[-1].place}),"
                f"而 {paths.STATISTICS_FORM} 的统计表有 {rows} 行;各行无法一一对应,不予导入。"
                "请核对报告中统计表是否完整、是否有合并或拆开的行",
            )
        )
    form = {detect.normal_label(label) for label in shape.labels}
    seen: dict[str, list[str]] = {}
    for line in lines:
        key = detect.normal_label(line.label)
        if key in form:
            seen.setdefault(key, []).append(line.place)
    for key, places in seen.items():
        if len(places) > 1:
            problems.append(
                Problem(
                    shown,
                    f"附件1统计表中“{key}”一行印了 {len(places)} 次({_where(places)}),"
                    "每行只应出现一次,不予导入",
                )
            )
    if not reading.items:
        return problems
    where: dict[int, list[str]] = {}
    for item in reading.items:
        where.setdefault(item.item, []).append(item.place)
    missing = [] if missing_items_ok else [n for n in shape.items if n not in where]
    twice = {n: p for n, p in where.items() if len(p) > 1}
    extra = [n for n in where if n not in shape.items]
    if missing or twice or extra:
        first, last = reading.items[0].place, reading.items[-1].place
        found = f"附件2清单读出 {len(reading.items)} 项(自{first}至{last})"
        parts = []
        if missing:
            parts.append(f"缺少第 {_numbers(missing)} 项")
        parts += [f"第 {n} 项出现 {len(p)} 次({_where(p)})" for n, p in sorted(twice.items())]
        if extra:
            parts.append(f"多出第 {_numbers(extra)} 项(清单只有 {len(shape.items)} 项)")
        problems.append(Problem(shown, f"{found}:{';'.join(parts)};不予导入"))
    return problems


def _numbers(values: list[int]) -> str:
    shown = "、".join(str(v) for v in values[:12])
    return shown + (f" 等 {len(values)} 个" if len(values) > 12 else "")


def import_report(
    root: Path, path: Path, year: str | None = None, institution: str | None = None
) -> tuple[Reading, list[Path]]:
    """Read `path` and write its year folder and params file under `root`; nothing is written
    when anything is wrong."""
    reading = read_report(root, path, year, institution)
    problems = import_problems(reading, root)
    if problems:
        raise InputError(problems)
    return reading, write_year(root, reading)


def write_year(root: Path, reading: Reading) -> list[Path]:
    params_file = root / paths.PARAMS_DIR / f"{reading.year}.yaml"
    folder = inside(root, f"{paths.DATA_RAW_DIR}/{reading.year}", "数据文件夹")
    if params_file.exists() or folder.exists():
        raise InputError.one(
            params_file.relative_to(root).as_posix(),
            f"学年 {reading.year} 已存在(参数文件或数据文件夹);为免覆盖,import 不做任何改动",
        )
    files = year_files(root, reading)
    written = []
    for name, content in files.items():
        write_bytes(folder / name, content)
        written.append(folder / name)
    write_bytes(params_file, params_text(reading).encode("utf-8"))
    return [params_file, *written]


def params_text(reading: Reading) -> str:
    return (
        f"# Run parameters of {reading.year}, imported from {reading.source.name} "
        "(disclosure import).\n"
        + yaml.safe_dump(
            {
                "academic_year": reading.year,
                "institution": reading.institution,
                "data_dir": f"{paths.DATA_RAW_DIR}/{reading.year}",
                "yoy_threshold": 0.5,
                "corrections": [],
            },
            allow_unicode=True,
            sort_keys=False,
        )
    )


def year_files(root: Path, reading: Reading) -> dict[str, bytes]:
    """The files of the year folder, by name, as bytes (SOURCE.yaml last, with their hashes)."""
    files: dict[str, bytes] = {}
    files["reported_statistics.csv"] = _csv(
        ("printed_no", "label", "value", "unit"),
        [(x.printed_no, x.label, x.value, x.unit) for x in reading.lines],
    )
    files["checklist.csv"] = _csv(CHECKLIST_COLUMNS, checklist_rows(reading, root))
    profile, profile_notes = profile_of(reading)
    files["profile.yaml"] = _yaml(
        f"# 由 {reading.source.name} 导入(disclosure import):报告抬头与统计表第 1-9、54 行\n",
        profile,
    )
    files["narrative.yaml"] = _yaml(
        f"# 由 {reading.source.name} 导入:正文按部分照录;template 即印刷文字(重新生成报告时原样"
        "印出),numbers 为该段写明的数字\n",
        narrative_of(reading),
    )
    defs = load_table_defs(root)
    for name, spec in defs.items():
        if name in ("checklist", "reported_statistics"):
            continue
        rows = publications(reading) if name == "publications" else []
        columns = tuple(c.name for c in spec.columns)
        files[f"{name}.csv"] = _csv(columns, [[r.get(c, "") for c in columns] for r in rows])
    source = {
        "source": {
            "document": f"{reading.institution} {reading.header.title}".strip(),
            "file": reading.source.name,
            "sha256": reading.sha256,
            "format": reading.document.kind,
            "family": reading.family.id if reading.family else "",
            "imported_by": "disclosure import",
            "imported_on": date.today().isoformat(),
        },
        "notes": reading.notes + profile_notes or ["全部内容均已读入,无无法识别之处"],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files[paths.SOURCE_FILE] = _yaml(
        "# 导入来源:报告文件及其 SHA-256;files 为本文件夹其他文件的 SHA-256(校验 D01)\n", source
    )
    return files


def _csv(columns: tuple[str, ...], rows: list[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _yaml(comment: str, data: Any) -> bytes:
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return (comment + body).encode("utf-8")


def checklist_rows(reading: Reading, root: Path) -> list[list[Any]]:
    import pandas as pd

    reference = pd.read_csv(root / paths.CHECKLIST_ITEMS, encoding="utf-8")
    ref_category = dict(zip(reference["item"], reference["category_no"], strict=True))
    rows = []
    for item in reading.items:
        notes = list(item.notes)
        category = item.category
        if category is None:
            category = int(ref_category.get(item.item, 0)) or 1
            notes.append(f"类别未印出,按参考清单记第 {category} 大类")
        rows.append(
            [
                category,
                item.item,
                item.count,
                "" if item.count_alt is None else item.count_alt,
                item.count_printed,
                " ".join(item.links),
                item.on_platform,
                item.remark,
                ";".join(notes),
            ]
        )
    return rows


def printed(reading: Reading, row: int) -> Line | None:
    """The printed line in the position of form row `row` (how the published table is read)."""
    return reading.lines[row - 1] if len(reading.lines) >= row else None


def profile_of(reading: Reading) -> tuple[dict[str, Any], list[str]]:
    head = reading.header
    profile: dict[str, Any] = {"institution": reading.institution}
    for key in ("document_number", "signer", "addressee"):
        if getattr(head, key):
            profile[key] = getattr(head, key)
    notes = []
    for name, row, integer in PROFILE_ROWS:
        line = printed(reading, row)
        value = line.value if line else ""
        if integer:
            parsed = number(value)
            if is_count(parsed):
                profile[name] = parsed
            else:
                profile[name] = 0
                notes.append(f"统计表第 {row} 行印为“{value}”,不是非负整数;profile.{name} 记 0")
        else:
            shown = f"{value} {line.unit}".strip() if line and line.unit and value else value
            profile[name] = shown or MISSING
            if not shown:
                notes.append(f"统计表第 {row} 行未印出数值;profile.{name} 记“{MISSING}”")
    urls = [u for u in parse.URL.findall(reading.narrative.all_text())]
    if urls:
        profile["portal_url"] = urls[0]
    columns = re.search(r"栏目共计\s*(\d+)\s*个", reading.narrative.all_text())
    profile["columns_opened"] = int(columns.group(1)) if columns else 0
    if head.report_date:
        profile["report_date"] = head.report_date
    return profile, notes


def narrative_of(reading: Reading) -> dict[str, Any]:
    story = reading.narrative

    def para(p: parse.Paragraph) -> dict[str, Any]:
        if p.subheading:
            return {"subheading": p.text}
        text = p.text.replace("{", "｛").replace("}", "｝")  # braces would read as placeholders
        out: dict[str, Any] = {"template": text, "printed": p.text}
        stated = [n["printed"] for n in parse.numbers(p.text)]
        if stated:
            out["numbers"] = stated
        return out

    return {
        "title": reading.header.title,
        "opening": [para(p) for p in story.opening if not p.subheading],
        "sections": [
            {"part": s.part, "heading": s.heading, "paragraphs": [para(p) for p in s.paragraphs]}
            for s in story.parts
        ],
        "attachments": story.attachments,
    }


def publications(reading: Reading) -> list[dict[str, Any]]:
    rows = []
    for channel, row in CHANNELS:
        line = printed(reading, row)
        value = number(line.value) if line else None
        note = f"统计表第 {row} 行"
        if not is_count(value) or value > 10_000_000:
            note += f"印为“{line.value if line else ''}”,不是可用的条数,记 0"
            value = 0
        unit = line.unit if line and line.unit else ""
        rows.append({"channel": channel, "count": value, "unit": unit, "note": note})
    return rows
