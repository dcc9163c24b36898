"""Read the forms of a workspace: the statistics table, the raw-table schemas and the rules."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from disclosure.errors import InputError, Problem
from disclosure.expr import ExpressionError, parse
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import CITATIONS_FORM, CLAIMS_FORM, STATISTICS_FORM, TABLES_FORM

KINDS = ("flag", "text", "count", "amount")
FLAG_DEFAULT = ("有", "无")


@dataclass(frozen=True)
class RowDef:
    """One row of the statistics table and where its value comes from."""

    row: int
    label: str
    unit: str
    kind: str
    source: str
    field: str | None = None
    where: str | None = None
    sum: str = "count"
    allowed: tuple[str, ...] = ()

    @property
    def expected(self) -> str:
        """What the form asks to be written in this row, in words."""
        if self.kind == "flag":
            return "或".join(self.allowed)
        return {"count": "非负整数", "amount": "非负整数", "text": "文字"}.get(self.kind, self.kind)

    @property
    def definition(self) -> str:
        """The row's computation in words an auditor can read."""
        if self.source == "profile":
            return f"profile.yaml: {self.field}"
        total = "合计 count" if self.sum == "count" else f"合计 {self.sum}"
        return f"{self.source}: {total}" + (f",条件 {self.where}" if self.where else "(全部行)")


@dataclass(frozen=True)
class Section:
    """A block of the printed form: rows first..last (last is filled in from the next block)."""

    title: str
    first: int
    last: int

    @property
    def heading(self) -> str:
        return (
            f"{self.title}(第 {self.first}-{self.last} 行)"
            if self.last > self.first
            else f"{self.title}(第 {self.first} 行)"
        )


@dataclass(frozen=True)
class FigureSpec:
    """A figure drawn from rebuilt rows (see the `figures:` block of forms/statistics.yaml)."""

    name: str
    caption: str
    kind: str
    rows: tuple[tuple[int, str], ...] = ()
    panels: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = ()
    when: str | None = None
    skipped: str = ""
    xlabel: str = ""
    ylabel: str = ""


FIGURE_KINDS = ("bars", "panels", "categories", "years")


@dataclass(frozen=True)
class ColumnDef:
    name: str
    type: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    default: Any = None
    min: int | None = None
    max: int | None = None
    title: str = field(default="", compare=False)  # its Chinese header (tables.yaml column_titles)

    @property
    def header(self) -> str:
        """The header `init` writes: the Chinese title, or the key when there is none."""
        return self.title or self.name


@dataclass(frozen=True)
class TableDef:
    name: str
    title: str
    columns: tuple[ColumnDef, ...]
    key: tuple[str, ...] = ()
    required_rows: bool = False
    optional_file: bool = False

    def column(self, name: str) -> ColumnDef:
        return next(c for c in self.columns if c.name == name)


def load_layout(
    root: Path, rows: list[RowDef]
) -> tuple[tuple[Section, ...], tuple[FigureSpec, ...]]:
    """The printed form's blocks and the figures, checked against the rows of the form."""
    rel = STATISTICS_FORM
    data = read_yaml(root / rel, rel) or {}
    numbers = [r.row for r in rows]
    last_row = max(numbers, default=0)
    problems: list[Problem] = []
    specs = data.get("sections") or [{"first": 1, "title": "统计表"}]
    bad = [
        i
        for i, s in enumerate(specs, 1)
        if not isinstance(s, dict) or not str(s.get("first", "")).isdigit() or "title" not in s
    ]
    if bad:
        raise InputError([Problem(rel, f"sections 第 {i} 项应有整数 first 和 title") for i in bad])
    firsts = [int(s["first"]) for s in specs]
    if firsts != sorted(set(firsts)) or firsts[0] != 1 or firsts[-1] > last_row:
        problems.append(
            Problem(
                rel, f"sections 的 first 应从 1 起递增且不超过最后一行 {last_row},实际为 {firsts}"
            )
        )
    ends = [f - 1 for f in firsts[1:]] + [last_row]
    sections = tuple(
        Section(str(s["title"]), f, e) for s, f, e in zip(specs, firsts, ends, strict=True)
    )
    figures = []
    for number, spec in enumerate(data.get("figures") or [], 1):
        missing = [
            k for k in ("name", "caption", "kind") if not isinstance(spec, dict) or k not in spec
        ]
        if missing:
            problems.append(Problem(rel, f"figures 第 {number} 项缺少 {'、'.join(missing)}"))
            continue
        figure = FigureSpec(
            name=str(spec["name"]),
            caption=str(spec["caption"]),
            kind=str(spec["kind"]),
            rows=_row_labels(spec.get("rows")),
            panels=tuple(
                (str(p["title"]), _row_labels(p["rows"])) for p in spec.get("panels") or []
            ),
            when=spec.get("when"),
            skipped=str(spec.get("skipped", "")),
            xlabel=str(spec.get("xlabel", "")),
            ylabel=str(spec.get("ylabel", "")),
        )
        used = [r for r, _ in figure.rows] + [r for _, part in figure.panels for r, _ in part]
        if figure.kind not in FIGURE_KINDS:
            problems.append(
                Problem(
                    rel,
                    f"图“{figure.name}”的 kind“{figure.kind}”未知,应为 {'/'.join(FIGURE_KINDS)}",
                )
            )
        problems += [
            Problem(rel, f"图“{figure.name}”引用了不存在的第 {r} 行")
            for r in used
            if r not in numbers
        ]
        figures.append(figure)
    if problems:
        raise InputError(problems)
    return sections, tuple(figures)


def _row_labels(spec: Any) -> tuple[tuple[int, str], ...]:
    return tuple((int(k), str(v)) for k, v in (spec or {}).items())


def load_statistics_form(root: Path, tables: dict[str, TableDef]) -> list[RowDef]:
    rel = STATISTICS_FORM
    data = read_yaml(root / rel, rel)
    problems: list[Problem] = []
    rows: list[RowDef] = []
    for i, spec in enumerate(data.get("rows", []), 1):
        where = f"第 {i} 个行定义"
        try:
            row = RowDef(
                row=int(spec["row"]),
                label=str(spec["label"]),
                unit=str(spec.get("unit", "")),
                kind=str(spec["kind"]),
                source=str(spec["from"]),
                field=spec.get("field"),
                where=spec.get("where"),
                sum=str(spec.get("sum", "count")),
                allowed=tuple(spec.get("allowed", FLAG_DEFAULT if spec["kind"] == "flag" else ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                Problem(rel, f"{where}缺少或错写了键 {exc}(需要 row、label、kind、from)")
            )
            continue
        problems += _check_row(row, tables, rel)
        rows.append(row)
    numbers = [r.row for r in rows]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(Problem(rel, f"行号应从 1 起连续且不重复,实际为 {numbers}"))
    if problems:
        raise InputError(problems)
    return rows


def _check_row(row: RowDef, tables: dict[str, TableDef], rel: str) -> list[Problem]:
    out: list[Problem] = []
    if row.kind not in KINDS:
        out.append(Problem(rel, f"第 {row.row} 行的 kind“{row.kind}”未知,应为 {'/'.join(KINDS)}"))
    if row.source == "profile":
        if not row.field:
            out.append(Problem(rel, f"第 {row.row} 行取自 profile,须给出 field"))
        return out
    if row.source not in tables:
        return out + [Problem(rel, f"第 {row.row} 行的 from“{row.source}”不是已定义的原始表")]
    known = {c.name for c in tables[row.source].columns}
    if row.sum not in known:
        out.append(Problem(rel, f"第 {row.row} 行的 sum“{row.sum}”不是 {row.source} 的列"))
    if row.where:
        try:
            from disclosure.expr import names

            unknown = [n for n in names(parse(row.where)) if n not in known]
            if unknown:
                out.append(
                    Problem(
                        rel,
                        f"第 {row.row} 行的 where 用了 {row.source} 没有的列:{'、'.join(unknown)}",
                    )
                )
        except ExpressionError as exc:
            out.append(Problem(rel, f"第 {row.row} 行:{exc}"))
    return out


def load_column_titles(root: Path) -> dict[str, str]:
    """Chinese headings of raw-table columns (`column_titles` of forms/tables.yaml)."""
    data = read_yaml(root / TABLES_FORM, TABLES_FORM) or {}
    return {str(k): str(v) for k, v in (data.get("column_titles") or {}).items()}


def load_table_defs(root: Path) -> dict[str, TableDef]:
    data = read_yaml(root / TABLES_FORM, TABLES_FORM)
    out: dict[str, TableDef] = {}
    for name, spec in data["tables"].items():
        columns = tuple(
            ColumnDef(
                name=col,
                type=c["type"],
                required=bool(c.get("required", False)),
                allowed=tuple(c.get("allowed", ())),
                default=c.get("default"),
                min=c.get("min"),
                max=c.get("max"),
                title=str((data.get("column_titles") or {}).get(col) or ""),
            )
            for col, c in spec["columns"].items()
        )
        out[name] = TableDef(
            name=name,
            title=spec.get("title", name),
            columns=columns,
            key=tuple(spec.get("key", ())),
            required_rows=bool(spec.get("required_rows", False)),
            optional_file=bool(spec.get("optional_file", False)),
        )
    return out


@dataclass(frozen=True)
class ProfileField:
    name: str
    type: str  # int | text | any
    required: bool = False
    carry_over: bool = False
    template: Any = None
    has_template: bool = False


def load_profile_schema(root: Path) -> dict[str, ProfileField]:
    """The keys of profile.yaml (the `profile:` block of forms/tables.yaml)."""
    data = read_yaml(root / TABLES_FORM, TABLES_FORM) or {}
    fields = (data.get("profile") or {}).get("fields") or {}
    return {
        name: ProfileField(
            name=name,
            type=str(spec.get("type", "text")),
            required=bool(spec.get("required", False)),
            carry_over=bool(spec.get("carry_over", False)),
            template=spec.get("template"),
            has_template="template" in spec,
        )
        for name, spec in fields.items()
    }


CLAIM_RULES = ("N05", "N06")


@dataclass(frozen=True)
class Claim:
    """What a sentence of the report asserts (forms/claims.yaml): when `says` is found in a
    sentence, `holds` must be true of the data and the numbers the sentence states."""

    rule: str
    says: re.Pattern[str]
    holds: str
    means: str


def load_claims(root: Path) -> list[Claim]:
    """The claims of forms/claims.yaml, every pattern compiled and every condition parsed."""
    data = read_yaml(root / CLAIMS_FORM, CLAIMS_FORM) or {}
    claims, problems = [], []
    for i, spec in enumerate(data.get("claims") or [], 1):
        where = f"第 {i} 条断言"
        if not isinstance(spec, dict) or spec.get("rule") not in CLAIM_RULES:
            problems.append(Problem(CLAIMS_FORM, f"{where}的 rule 应为 {'、'.join(CLAIM_RULES)}"))
            continue
        try:
            says = re.compile(str(spec["says"]))
            parse(str(spec["holds"]))
        except KeyError as exc:
            problems.append(Problem(CLAIMS_FORM, f"{where}缺少 {exc}"))
            continue
        except re.error as exc:
            problems.append(Problem(CLAIMS_FORM, f"{where}的 says 不是正则表达式:{exc}"))
            continue
        except ExpressionError as exc:
            problems.append(Problem(CLAIMS_FORM, f"{where}的 holds:{exc}"))
            continue
        claims.append(Claim(spec["rule"], says, str(spec["holds"]), str(spec.get("means", ""))))
    if problems:
        raise InputError(problems)
    return claims


@dataclass(frozen=True)
class Citation:
    """An instrument a report cites (forms/citations.csv): its number, when it was in force and
    what replaced it (`in_force_to` and `replaced_by` empty while it is in force)."""

    instrument: str
    number: str
    in_force_from: str
    in_force_to: str
    replaced_by: str

    def cited_in(self, text: str) -> bool:
        """Whether `text` cites this number (spaces, as in 国务院令 第 492 号, ignored)."""
        return squashed(self.number) in squashed(text)

    def pattern(self) -> re.Pattern[str]:
        """This number as printed, with any spaces between its characters."""
        return re.compile(r"\s*".join(map(re.escape, squashed(self.number))))


CITATION_COLUMNS = ("instrument", "number", "in_force_from", "in_force_to", "replaced_by")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def load_citations(root: Path) -> list[Citation]:
    """The instruments of forms/citations.csv; a missing file is an empty table."""
    path = root / CITATIONS_FORM
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CITATION_COLUMNS if c not in (reader.fieldnames or [])]
            records = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError.one(CITATIONS_FORM, f"无法读取引用文件表:{exc}") from None
    if missing:
        raise InputError.one(CITATIONS_FORM, f"缺少列:{'、'.join(missing)}")
    out, problems = [], []
    numbers = set()
    for line, record in enumerate(records, 2):
        row = {c: (record.get(c) or "").strip() for c in CITATION_COLUMNS}
        for column in ("instrument", "number", "in_force_from"):
            if not row[column]:
                problems.append(Problem(CITATIONS_FORM, f"{column} 不能为空", line, column))
        for column in ("in_force_from", "in_force_to"):
            if row[column] and not ISO_DATE.match(row[column]):
                problems.append(
                    Problem(CITATIONS_FORM, f"“{row[column]}”应为 YYYY-MM-DD 日期", line, column)
                )
        if bool(row["in_force_to"]) != bool(row["replaced_by"]):
            problems.append(
                Problem(
                    CITATIONS_FORM,
                    "已失效的文件须同时写 in_force_to 与 replaced_by(现行文件两者都空)",
                    line,
                    "replaced_by",
                )
            )
        if row["number"] in numbers:
            problems.append(Problem(CITATIONS_FORM, f"文号“{row['number']}”重复", line, "number"))
        numbers.add(row["number"])
        out.append(Citation(**row))
    known = {c.number for c in out}
    problems += [
        Problem(CITATIONS_FORM, f"replaced_by“{c.replaced_by}”不在本表中", i, "replaced_by")
        for i, c in enumerate(out, 2)
        if c.replaced_by and c.replaced_by not in known
    ]
    if problems:
        raise InputError(problems)
    return out


def superseded(citations: list[Citation] | tuple[Citation, ...], text: str, on: str) -> list[str]:
    """What `text`, dated `on` (YYYY-MM-DD), cites that was no longer in force then, in words."""
    return [
        f"引用了{c.number}({c.instrument}),该文件 {c.in_force_to} 后已由{c.replaced_by}取代"
        for c in citations
        if c.in_force_to and on > c.in_force_to and c.cited_in(text)
    ]


def current_text(citations: list[Citation] | tuple[Citation, ...], text: str) -> str:
    """`text` with every superseded number replaced by the one that replaced it (to the end of the
    chain: 492号 -> 711号)."""
    by_number = {c.number: c for c in citations}
    for c in citations:
        if c.replaced_by:
            now = c
            while now.replaced_by and now.replaced_by in by_number:
                now = by_number[now.replaced_by]
            text = c.pattern().sub(now.number, text)
    return text


# Placeholders a new year's narrative carries until the analyst fills them in (check N08 names
# them): 【待填:what to write】.
TO_FILL = re.compile(r"【待填[:：]([^】]*)】")
# The province's notice on the year's report, as cited in the prose: its title and number.
NOTICE = re.compile(
    r"《[^《》]{0,60}编报\s*\d{4}\s*年[^《》]{0,60}通知》\s*[（(][^（）()]{0,20}〔\s*\d{4}\s*〕"
    r"[^（）()]{0,10}号\s*[)）]"
)
NOTICE_TO_FILL = "《【待填:本年度编报年度报告的通知名称】》(【待填:该通知的文号】)"


def without_last_years_notice(text: str) -> str:
    """`text` with the cited notice on last year's report replaced by a placeholder."""
    return NOTICE.sub(NOTICE_TO_FILL, text)
