"""`disclosure audit`: check published reports, one file or a folder of them.

For each report: read it (importer.read_report), detect its template family, run the document
rules of forms/audit.yaml (structure, citations, dates, prose against the table) and, for a family
that carries the form's statistics table, import it into a temporary workspace and run the checks of
forms/rules.yaml that a published report allows (`catalogue`), unchanged. A rule that does not
apply to the family is a row that says so (跳过). The checklist rubric gives a score.

Outputs (in --out): <report>.findings.csv per report; audit_summary.json, .csv (BOM) and .xlsx
across the reports, merged with the folder's earlier audits (school, year, result, errors,
warnings, score, 成文日期, days late, each rule's result); overview.html with the reports in a
table that sorts and each report's findings with their detail and place. A report that cannot be
read is a row of the summary.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from disclosure import workspace as paths
from disclosure.checks.findings import OUTCOME_ZH, SEVERITY_ZH, said
from disclosure.errors import InputError
from disclosure.expr import FULL_WIDTH, evaluate, is_count, number, parse
from disclosure.inputs.forms import Citation, load_citations, superseded
from disclosure.pipeline import STATUS_ZH
from disclosure.published import detect
from disclosure.published.detect import Family
from disclosure.published.importer import (
    Reading,
    form_shape,
    import_problems,
    read_report,
    write_year,
)
from disclosure.published.page import cell, page, sortable
from disclosure.published.parse import squash
from disclosure.published.text import FORMATS
from disclosure.workspace import write_bytes, write_text

CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
READ_FAILED = "无法读取"
COLUMNS = ("id", "severity", "title", "outcome", "detail", "basis", "hint", "source")


def cn_number(text: str) -> int | None:
    """一 … 九十九 as an int (part counts and part numbers)."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)


@dataclass
class Context:
    """What a document rule reads."""

    reading: Reading
    family: Family | None
    published: dict[int, Any]  # form row -> printed value (by position, as the engine reads it)
    citations: tuple[Citation, ...] = ()  # forms/citations.csv: what is in force when


@dataclass
class Outcome:
    outcome: str  # passed | failed | not_applicable
    detail: str


Kind = Callable[[dict[str, Any], Context], Outcome]


def _passed(detail: str) -> Outcome:
    return Outcome("passed", detail)


def _failed(detail: str) -> Outcome:
    return Outcome("failed", detail)


def _na(detail: str) -> Outcome:
    return Outcome("not_applicable", detail)


# --- the document rules (kinds of forms/audit.yaml) -----------------------------------------------


def family_rule(rule: dict[str, Any], ctx: Context) -> Outcome:
    if ctx.family is None:
        return _failed("未能识别模板类别:正文结构与 forms/audit.yaml 中任何模板都不符")
    return _passed(ctx.family.title)


def parts_present(rule: dict[str, Any], ctx: Context) -> Outcome:
    headings = [squash(p.heading) for p in ctx.reading.narrative.parts]
    missing = [
        part
        for part in ctx.family.parts
        if not any(re.search(part, heading) for heading in headings)
    ]
    shown = "、".join(f"{p.part}、{p.heading}" for p in ctx.reading.narrative.parts) or "无"
    if missing:
        return _failed(f"缺少:{'、'.join(missing)}(印出的部分:{shown})")
    return _passed(f"{len(ctx.family.parts)} 个部分齐全")


def part_count(rule: dict[str, Any], ctx: Context) -> Outcome:
    text = squash(ctx.reading.narrative.all_text())
    match = re.search(rule["pattern"], text)
    printed = len(ctx.reading.narrative.parts)
    if not match:
        return _na(f"正文未说明部分数(印出 {printed} 个部分)")
    stated = cn_number(match.group(1))
    if stated != printed:
        return _failed(f"正文称“{match.group(0)}”,印出 {printed} 个部分")
    return _passed(f"{match.group(0)},印出 {printed} 个部分")


def citation(rule: dict[str, Any], ctx: Context) -> Outcome:
    """No instrument of forms/citations.csv is cited after it left force (on the report's date;
    an undated report is judged as of today's texts)."""
    text = ctx.reading.narrative.all_text()
    issued = ctx.reading.header.report_date
    stale = superseded(ctx.citations, text, issued or "9999-12-31")
    if stale:
        return _failed("；".join(stale))
    old = [c.number for c in ctx.citations if c.in_force_to and c.cited_in(text)]
    if old:
        return _passed(f"引用{'、'.join(old)},成文日期 {issued} 时仍有效")
    return _passed("未引用已失效的版本")


def notice_number(rule: dict[str, Any], ctx: Context) -> Outcome:
    text = ctx.reading.text
    cited = [squash(m.group("cited")) for m in re.finditer(rule["pattern"], text)]
    if not cited:
        return _na("未引用清单的文号")
    wrong = [c for c in cited if c != squash(rule["current"])]
    if wrong:
        return _failed(f"清单文号印为“{'、'.join(wrong)}”,应为{rule['current']}")
    return _passed(f"清单文号为{rule['current']}")


def _period(ctx: Context) -> tuple[date, date] | None:
    year = ctx.reading.year or ""
    calendar = ctx.family is not None and ctx.family.period == "calendar"
    if calendar and re.fullmatch(r"\d{4}", year):
        return date(int(year), 1, 1), date(int(year), 12, 31)
    if calendar or not re.fullmatch(r"\d{4}-\d{4}", year):
        return None
    start = int(year[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def deadline(ctx: Context) -> date | None:
    """The day the report was due (None when its year or form is not known)."""
    period = _period(ctx)
    if period is None or ctx.family is None:
        return None
    month, day = (int(x) for x in ctx.family.due.split("-"))
    return date(period[1].year + (1 if ctx.family.period == "calendar" else 0), month, day)


def due_date(rule: dict[str, Any], ctx: Context) -> Outcome:
    due = deadline(ctx)
    issued = ctx.reading.header.report_date
    if due is None or not issued:
        return _na("未印出成文日期" if not issued else "未识别学年")
    if date.fromisoformat(issued) > due:
        late = (date.fromisoformat(issued) - due).days
        return _failed(f"成文日期 {issued},晚于报送期限 {due.isoformat()}({late} 天)")
    return _passed(f"成文日期 {issued},不晚于 {due.isoformat()}")


def period(rule: dict[str, Any], ctx: Context) -> Outcome:
    expected = _period(ctx)
    text = ctx.reading.narrative.all_text()
    match = re.search(rule["pattern"], text)
    if expected is None:
        return _na("未识别学年")
    if not match:
        return _na("正文未写明统计期限")
    try:
        g = [int(x) for x in match.groups()]
        stated = (date(g[0], g[1], g[2]), date(g[3], g[4], g[5]))
    except ValueError:
        return _failed(f"统计期限“{match.group(0)}”不是有效日期")
    shown = f"{expected[0]:%Y-%m-%d} 至 {expected[1]:%Y-%m-%d}"
    if stated != expected:
        return _failed(f"正文为“{match.group(0)}”,应为 {shown}")
    return _passed(shown)


def other_years(rule: dict[str, Any], ctx: Context) -> Outcome:
    year = ctx.reading.year
    spans = {f"{a}-{b}" for a, b in re.findall(rule["pattern"], ctx.reading.narrative.all_text())}
    others = sorted(s for s in spans if s != year)
    if others:
        return _failed(f"报告学年 {year},正文另写有 {'、'.join(others)} 学年")
    return _passed(f"正文只写 {year} 学年" if spans else "正文未写学年")


def narrative_numbers(rule: dict[str, Any], ctx: Context) -> Outcome:
    texts = []
    story = ctx.reading.narrative
    texts += [("开头", p.text) for p in story.opening]
    for part in story.parts:
        texts += [(f"第{part.part}部分", p.text) for p in part.paragraphs]
    wrong, right = [], 0
    for anchor in rule["anchors"]:
        row = int(anchor["row"])
        published = number(ctx.published.get(row))
        for where, text in texts:
            normal = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text.translate(FULL_WIDTH))
            for match in re.finditer(anchor["pattern"], normal):
                stated = int(match.group("n")) if "n" in match.groupdict() else anchor["value"]
                if is_count(published) and published == stated:
                    right += 1
                    continue
                shown = "未印出" if published is None else f"“{published}”"
                wrong.append(f"{where}“{match.group(0)}”≠ 统计表第 {row} 行公布 {shown}")
    if wrong:
        return _failed(";".join(wrong))
    if not right:
        return _na("正文没有可与统计表对照的数字")
    return _passed(f"正文 {right} 处数字与统计表一致")


KINDS: dict[str, Kind] = {
    "family": family_rule,
    "parts_present": parts_present,
    "part_count": part_count,
    "citation": citation,
    "notice_number": notice_number,
    "due_date": due_date,
    "period": period,
    "other_years": other_years,
    "narrative_numbers": narrative_numbers,
}
NEEDS_FAMILY = {"parts_present", "due_date", "period", "other_years"}
NEEDS_TABLE = {"narrative_numbers"}


def document_findings(spec: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    rows = []
    for rule in spec.get("rules") or []:
        kind = rule["kind"]
        if kind in NEEDS_FAMILY and ctx.family is None:
            outcome = Outcome("skipped", "未识别模板类别,无从判断,已跳过")
        elif kind in NEEDS_TABLE and (ctx.family is None or not ctx.family.statistics):
            family = ctx.family.title if ctx.family else "未识别的模板"
            outcome = Outcome("skipped", f"不适用于{family}(无本表单的统计表),已跳过")
        else:
            outcome = KINDS[kind](rule, ctx)
        rows.append(_row(rule, outcome.outcome, outcome.detail, detect.AUDIT_FORM))
    return rows


def _row(rule: dict[str, Any], outcome: str, detail: str, source: str) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "severity": rule["severity"],
        "title": rule["title"],
        "outcome": outcome,
        "detail": detail,
        "basis": rule.get("basis", ""),
        "hint": rule.get("hint", ""),
        "source": source,
    }


# --- the catalogue on the imported year -----------------------------------------------------------


def catalogue_findings(
    root: Path, reading: Reading, spec: dict[str, Any]
) -> tuple[list[dict[str, Any]], pd.DataFrame | None]:
    """The rules of forms/rules.yaml named in `catalogue`, evaluated on the report imported into a
    temporary workspace (the same engine as `disclosure check`); and the checklist it built."""
    from disclosure.pipeline import check_year

    wanted = list(spec.get("catalogue") or [])
    family = reading.family
    statistics = family is not None and family.statistics
    problems = import_problems(reading, root, missing_items_ok=True) if statistics else []
    if family is None or not family.statistics or problems:
        if family is None:
            why = "未识别模板类别,统计表与清单无从核对,已跳过"
        elif problems:
            why = ";".join(str(p) for p in problems)
        else:
            why = f"不适用于{family.title}(无 {len(form_shape(root).labels)} 行统计表),已跳过"
        titles = _catalogue_titles(root)
        return [_skipped(i, titles, why) for i in wanted], None
    with tempfile.TemporaryDirectory(prefix="disclosure-audit-") as tmp:
        work = Path(tmp)
        for part in (paths.FORMS_DIR, paths.REFERENCE_DIR):
            shutil.copytree(root / part, work / part)
        write_year(work, reading)
        try:
            result = check_year(work, reading.year)
        except InputError as exc:  # named in the report's terms, never the temporary folder's
            why = f"{reading.source.name}:导入后的数据无法校验:" + ";".join(
                in_report(p.message if p.file.startswith(paths.DATA_RAW_DIR) else str(p), reading,
                          p.file, p.row)
                for p in exc.problems
            )  # fmt: skip
            titles = _catalogue_titles(root)
            rows = [_skipped(i, titles, why) for i in wanted]
            return rows, None
    findings = result.findings.set_index("id")
    rows = []
    for rule_id in wanted:
        if rule_id not in findings.index:
            continue
        f = findings.loc[rule_id]
        passed = f["passed"]
        outcome = "passed" if passed is True else "failed" if passed is False else "not_applicable"
        rows.append(
            {
                "id": rule_id,
                "severity": f["severity"],
                "title": f["title"],
                "outcome": outcome,
                "detail": in_report(said(f), reading),  # in words; the check is in rules.yaml
                "basis": f.get("basis", ""),
                "hint": f.get("hint", ""),
                "source": paths.RULES_FORM,
            }
        )
    return rows, result.checklist


def _skipped(rule_id: str, titles: dict[str, tuple[str, str]], why: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "severity": titles.get(rule_id, ("", ""))[0],
        "title": titles.get(rule_id, ("", ""))[1],
        "outcome": "skipped",
        "detail": why,
        "basis": "",
        "hint": "",
        "source": paths.RULES_FORM,
    }


ITEM_LINE = re.compile(r"第 (\d+) 项(?P<middle>[^;；]*?)[(（]第 \d+ 行[)）]")


def in_report(text: str, reading: Reading, file: str = "", row: int | None = None) -> str:
    """A message of the engine about the imported year, said in the report's terms: "第 7 项 …
    (第 8 行)" (a line of the temporary checklist.csv) names the page or line of the report
    where item 7 is printed; a problem of a temporary file names the report's table and row."""
    places = {item.item: item.place for item in reading.items}
    name = reading.source.name

    def item_place(m: re.Match[str]) -> str:
        place = places.get(int(m.group(1)))
        where = f"({name} {place})" if place else f"({name})"
        return f"第 {m.group(1)} 项{m.group('middle')}{where}"

    text = ITEM_LINE.sub(item_place, text)
    if not file:
        return text
    if file.endswith("checklist.csv") and row is not None and 2 <= row <= len(reading.items) + 1:
        item = reading.items[row - 2]
        return f"{name} 清单第 {item.item} 项({item.place}):{text}"
    if (
        file.endswith("reported_statistics.csv")
        and row is not None
        and 2 <= row <= len(reading.lines) + 1
    ):
        return f"{name} 统计表第 {row - 1} 行({reading.lines[row - 2].place}):{text}"
    return f"{name}:{text}"


def _catalogue_titles(root: Path) -> dict[str, tuple[str, str]]:
    """id -> (severity, title) of every rule of forms/rules.yaml, to name a skipped rule."""
    from disclosure.inputs.yamlio import read_yaml

    spec = read_yaml(root / paths.RULES_FORM, paths.RULES_FORM) or {}
    return {
        str(rule["id"]): (str(rule.get("severity", "")), str(rule.get("title", "")))
        for family in (spec.get("families") or {}).values()
        for rule in family.get("rules") or []
    }


# --- the rubric -----------------------------------------------------------------------------------


def score(checklist: pd.DataFrame | None, rubric: dict[str, Any]) -> tuple[float | None, int, int]:
    """(percentage, points, points possible) of the checklist under the rubric, over the items the
    report prints: an item it lacks (no checklist line; K02 names it) is left out, never a crash."""
    items = score_items(checklist, rubric)
    earned, possible = sum(i[1] for i in items), sum(i[2] for i in items)
    return (round(100 * earned / possible, 1) if possible else None), earned, possible


def score_items(
    checklist: pd.DataFrame | None, rubric: dict[str, Any]
) -> list[tuple[int, int, int]]:
    """(item, points, points possible) of each checklist item under the rubric: the score
    explained item by item (an item the report does not print is not listed)."""
    if checklist is None or not rubric:
        return []
    levels = [(parse(str(lv["when"])), int(lv["points"])) for lv in rubric.get("levels") or []]
    overrides = {
        int(k): [(parse(str(lv["when"])), int(lv["points"])) for lv in v]
        for k, v in (rubric.get("items") or {}).items()
    }
    items = []
    for row in checklist.to_dict("records"):
        env = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        if "line" in env and env["line"] is None:  # padded by the engine: not in the report
            continue
        item_levels = overrides.get(int(row["item"]), levels)
        earned = next((p for tree, p in item_levels if bool(evaluate(tree, env))), 0)
        items.append((int(row["item"]), earned, max((p for _, p in item_levels), default=0)))
    return items


# --- one report, many reports ---------------------------------------------------------------------


@dataclass
class ReportAudit:
    file: str
    status: str  # 已审查 | 无法读取
    school: str = ""
    year: str = ""
    family: str = ""
    findings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS))
    score: float | None = None
    message: str = ""
    rule_ids: list[str] = field(default_factory=list)  # the rules in the forms' order
    issued: str = ""  # 成文日期 as printed (ISO)
    days_late: int | None = None  # after the due day (0: on time; None: not known)
    score_items: list[tuple[int, int, int]] = field(default_factory=list)  # item, points, possible

    @property
    def errors(self) -> int:
        f = self.findings
        return int(((f["outcome"] == "failed") & (f["severity"] == "error")).sum())

    @property
    def warnings(self) -> int:
        f = self.findings
        return int(((f["outcome"] == "failed") & (f["severity"] == "warning")).sum())

    def failed_ids(self) -> set[str]:
        return set(self.findings.loc[self.findings["outcome"] == "failed", "id"])


def audit_report(
    root: Path, path: Path, year: str | None = None, institution: str | None = None
) -> ReportAudit:
    """Audit one report (InputError when the file cannot be read at all)."""
    spec = detect.load_audit_form(root)
    reading = read_report(root, path, year, institution)
    published = {i: line.value for i, line in enumerate(reading.lines, 1)}
    ctx = Context(reading, reading.family, published, tuple(load_citations(root)))
    rows = document_findings(spec, ctx)
    catalogue, checklist = catalogue_findings(root, reading, spec)
    rows += catalogue
    items = score_items(checklist, spec.get("rubric") or {})
    percent, _, _ = score(checklist, spec.get("rubric") or {})
    due, issued = deadline(ctx), reading.header.report_date or ""
    late = max((date.fromisoformat(issued) - due).days, 0) if due and issued else None
    findings = pd.DataFrame(rows, columns=COLUMNS)
    order = {"failed": 0, "passed": 1, "not_applicable": 2, "skipped": 3}
    findings = findings.sort_values(
        by=["outcome", "severity"],
        key=lambda s: s.map(order) if s.name == "outcome" else s.map({"error": 0}).fillna(1),
        kind="stable",
    ).reset_index(drop=True)
    return ReportAudit(
        path.name,
        "已审查",
        reading.institution,
        reading.year,
        reading.family.id if reading.family else "",
        findings,
        percent,
        "; ".join(reading.notes),
        [str(r["id"]) for r in rows],
        issued,
        late,
        items,
    )


def report_files(folder: Path) -> list[Path]:
    """The reports of a folder: every file of a known format (and .doc, to say it cannot be
    read), in name order."""
    known = set(FORMATS) | {".doc"}
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in known)


def audit_many(
    root: Path, files: Iterable[Path], progress: Callable[[Path], None] | None = None
) -> list[ReportAudit]:
    audits = []
    for path in files:
        try:
            audits.append(audit_report(root, path))
        except InputError as exc:
            audits.append(ReportAudit(path.name, READ_FAILED, message=str(exc)))
        if progress:
            progress(path)
    return audits


RECORD_FILE = "audit_summary.json"  # for programs: every report's audit, merged across runs
SUMMARY_COLUMNS = ["文件", "状态", "结果", "学校", "学年", "模板", "错误", "提示", "清单得分"]
SUMMARY_COLUMNS += ["成文日期", "逾期天数", "说明"]


def record_of(a: ReportAudit) -> dict[str, Any]:
    """A report's audit as plain values (audit_summary.json): what the summary, the overview and
    the commission overview show."""
    read = a.status != READ_FAILED
    failed = a.findings[a.findings["outcome"] == "failed"]
    return {
        "file": a.file,
        "status": a.status,
        "result": ("failed_checks" if a.errors else "passed") if read else "bad_input",
        "school": a.school,
        "year": a.year,
        "family": a.family,
        "errors": a.errors if read else None,
        "warnings": a.warnings if read else None,
        "score": a.score,
        "score_items": [list(i) for i in a.score_items],
        "issued": a.issued,
        "days_late": a.days_late,
        "message": a.message,
        "findings_file": f"{a.file}.findings.csv" if read else "",
        "rule_ids": a.rule_ids or [str(i) for i in a.findings["id"]],
        "outcomes": {
            str(k): str(v) for k, v in zip(a.findings["id"], a.findings["outcome"], strict=True)
        },
        "failed": [
            {k: str(r[k]) for k in ("id", "severity", "title", "detail", "source")}
            for r in failed.to_dict("records")
        ],
    }


def read_record(out: Path) -> list[dict[str, Any]]:
    """The reports audited into `out` before (audit_summary.json), none when there is no record;
    InputError naming the file when it cannot be read."""
    path = out / RECORD_FILE
    if not path.is_file():
        return []
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InputError.one(str(path), f"无法读取审查记录:{exc}") from None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and {"file", "status", "result"} <= set(r) for r in records
    ):
        raise InputError.one(str(path), "应为每份报告审查结果的列表")
    return records


def merged(earlier: list[dict[str, Any]], latest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per report file: the latest audit's, else the earlier one's; by file name."""
    by_file = {r["file"]: r for r in earlier}
    by_file.update({r["file"]: r for r in latest})
    return [by_file[f] for f in sorted(by_file)]


def summary_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per report: school, year, result, errors, warnings, score, 成文日期, days late, and
    each rule's result (in the forms' order: document rules, then the catalogue)."""
    ids: list[str] = []
    for r in records:
        ids += [i for i in r.get("rule_ids") or [] if i not in ids]
    rows = []
    for r in records:
        values = [r["file"], r["status"], STATUS_ZH.get(r["result"], r["result"])]
        values += [r.get(k) for k in ("school", "year", "family", "errors", "warnings", "score")]
        values += [r.get("issued") or "", r.get("days_late"), r.get("message") or ""]
        row = dict(zip(SUMMARY_COLUMNS, values, strict=True))
        outcomes = r.get("outcomes") or {}
        row.update({i: OUTCOME_ZH.get(outcomes.get(i, ""), "") for i in ids})
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS + ids)


def summary(audits: list[ReportAudit]) -> pd.DataFrame:
    """The summary of these audits (summary_table of their records)."""
    return summary_table([record_of(a) for a in audits])


def failure_counts(records: list[dict[str, Any]]) -> pd.DataFrame:
    """How many reports fail each rule, most frequent first."""
    counts: dict[tuple[str, str], int] = {}
    for r in records:
        for f in r.get("failed") or []:
            counts[(f["id"], f["title"])] = counts.get((f["id"], f["title"]), 0) + 1
    frame = pd.DataFrame(
        [(i, t, n) for (i, t), n in counts.items()], columns=["id", "title", "reports"]
    )
    return frame.sort_values(["reports", "id"], ascending=[False, True]).reset_index(drop=True)


def failure_figure(counts: pd.DataFrame, total: int, top: int = 15) -> bytes:
    """A horizontal bar chart of the most frequent failures, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from disclosure.present import charts

    charts.setup()
    shown = counts.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * max(len(shown), 1) + 1.4))
    labels = [f"{i} {t}" if len(t) <= 24 else f"{i} {t[:23]}…" for i, t in
              zip(shown["id"], shown["title"], strict=True)]  # fmt: skip
    ax.barh(labels, shown["reports"], color=charts.COLORS[0])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # reports are counted whole
    ax.set_xlabel(f"未通过的报告数(共 {total} 份)")
    ax.set_title("最常见的未通过校验项")
    for y, value in enumerate(shown["reports"]):
        ax.text(value, y, f" {value}", va="center")
    ax.set_xlim(0, max(shown["reports"].max(), 1) * 1.12)  # room for the count beside the bar
    fig.tight_layout()
    data = charts.png(fig)
    plt.close(fig)
    return data


def anchor(file: str) -> str:
    """The id of a report's section in overview.html (the commission overview links to it)."""
    return "r-" + re.sub(r"[^0-9A-Za-z_-]", lambda m: f"_{ord(m.group()):x}", file)


def score_text(r: dict[str, Any]) -> str:
    """The checklist score explained item by item (the rubric of forms/audit.yaml)."""
    items = r.get("score_items") or []
    if r.get("score") is None or not items:
        return "无清单得分(报告未附可识别的公开事项清单)。"
    earned, possible = sum(i[1] for i in items), sum(i[2] for i in items)
    each = "、".join(f"第 {i} 项 {p}/{m}" for i, p, m in items)
    return (
        f"清单得分 {r['score']} = 各事项得分之和 {earned} ÷ 满分 {possible} × 100"
        f"(按 forms/audit.yaml 的评分规则逐项计分:{each})。"
    )


def place(source: str) -> str:
    """Where a finding is: the report's page or line, or, for a rule of the catalogue whose
    detail names the place itself, the rule file it comes from."""
    label = "规则来源" if source.startswith("forms/") else "位置"
    return f"{label}:{escape(source)}"


def report_section(r: dict[str, Any]) -> str:
    """One report: its result, 成文日期, the score explained, and each failed rule with its
    detail and where in the report it is printed."""
    title = " ".join(x for x in (r.get("school"), r.get("year")) if x) or r["file"]
    head = f'<h3 id="{anchor(r["file"])}">{escape(title)}'
    head += f'<span class="note">({escape(r["file"])})</span></h3>'
    if r["status"] == READ_FAILED:
        return head + f'<p class="bad">{READ_FAILED}:{escape(r.get("message") or "")}</p>'
    link = f'<a href="{escape(quote(r["findings_file"]))}">全部校验结果(CSV)</a>'
    late = r.get("days_late")
    dated = f"成文日期 {r['issued']}" if r.get("issued") else "未印出成文日期"
    dated += f",逾期 {late} 天" if late else ""
    lines = [
        f"<p>{escape(STATUS_ZH[r['result']])}:{r['errors']} 项错误、{r['warnings']} 项提示;"
        f"{escape(dated)}。{link}</p>",
        f'<p class="note">{escape(score_text(r))}</p>',
    ]
    failed = r.get("failed") or []
    if failed:
        items = "".join(
            f"<li><b>[{escape(SEVERITY_ZH.get(f['severity'], f['severity']))}] {escape(f['id'])}"
            f" {escape(f['title'])}</b>:{escape(f['detail'])}"
            + (f'<br><span class="note">{place(f["source"])}</span>' if f["source"] else "")
            + "</li>"
            for f in failed
        )
        lines.append(f'<ul class="findings">{items}</ul>')
    else:
        lines.append('<p class="ok">全部适用的校验均通过。</p>')
    if r.get("message"):
        lines.append(f'<p class="note">说明:{escape(r["message"])}</p>')
    return head + "".join(lines)


def overview_html(records: list[dict[str, Any]]) -> str:
    """overview.html: the most frequent failures, the reports in a table that sorts, and each
    report's findings with their detail and place."""
    counts = failure_counts(records)
    readable = sum(r["status"] != READ_FAILED for r in records)
    if counts.empty:
        figure = "<p>所有报告均通过全部校验。</p>"
    elif counts["reports"].max() > 1:  # a chart of bars that all equal 1 says nothing
        encoded = base64.b64encode(failure_figure(counts, readable)).decode("ascii")
        figure = f'<img alt="最常见的未通过校验项" src="data:image/png;base64,{encoded}">'
    else:
        figure = ""
    failing = [
        f"<tr>{cell(r['id'])}{cell(r['title'])}{cell(r['reports'], numeric=True)}</tr>"
        for r in counts.to_dict("records")
    ]
    rows = []
    for r in records:
        result = STATUS_ZH.get(r["result"], r["result"])
        rows.append(
            "<tr>"
            + cell(r.get("school") or r["file"], "#" + anchor(r["file"]), width="m")
            + cell(r.get("year"))
            + cell(result)
            + cell(r.get("errors"), numeric=True)
            + cell(r.get("warnings"), numeric=True)
            + cell(r.get("score"), numeric=True)
            + cell(r.get("issued"))
            + cell(r.get("days_late"), numeric=True)
            + cell(r["file"], quote(r["findings_file"]) if r.get("findings_file") else "")
            + "</tr>"
        )
    headers = ["学校", "学年", "结果", "错误", "提示", "清单得分", "成文日期", "逾期天数", "文件"]
    body = (
        f"<p>共 {len(records)} 份报告,{readable} 份可读取,{len(records) - readable} 份无法读取。"
        "点击表头可排序;学校名链接到该报告的审查详情。</p>"
        "<h2>各报告</h2>"
        + sortable(headers, rows, "筛选(输入学校、学年或结果)")
        + "<h2>最常见的未通过校验项</h2>"
        + figure
        + (sortable(["编号", "校验项", "未通过的报告数"], failing) if failing else "")
        + "<h2>各报告的审查详情</h2>"
        + "".join(report_section(r) for r in records)
    )
    return page("已公布报告审查概览", body)


def write_outputs(out: Path, audits: list[ReportAudit]) -> list[Path]:
    """Per-report findings (BOM CSV), and, merged with what `out` held from earlier audits (one
    row per report file), audit_summary.json, audit_summary.csv (BOM) and .xlsx, overview.html."""
    written = []
    for a in audits:
        if a.status == READ_FAILED:
            continue
        target = out / f"{a.file}.findings.csv"
        frame = a.findings.assign(
            severity_zh=a.findings["severity"].map(SEVERITY_ZH).fillna(""),
            outcome_zh=a.findings["outcome"].map(OUTCOME_ZH),
        )
        write_text(target, "\ufeff" + frame.to_csv(index=False))
        written.append(target)
    records = merged(read_record(out), [record_of(a) for a in audits])
    write_text(out / RECORD_FILE, json.dumps(records, ensure_ascii=False, indent=1))
    table = summary_table(records)
    write_text(out / "audit_summary.csv", "\ufeff" + table.to_csv(index=False))
    buffer = io.BytesIO()
    table.to_excel(buffer, index=False, sheet_name="审查汇总")
    write_bytes(out / "audit_summary.xlsx", buffer.getvalue())
    write_text(out / "overview.html", overview_html(records))
    names = (RECORD_FILE, "audit_summary.csv", "audit_summary.xlsx", "overview.html")
    return written + [out / n for n in names]
