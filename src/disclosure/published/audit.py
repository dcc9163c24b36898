"""`disclosure audit`: check published reports, one file or a folder of them.

For each report: read it (importer.read_report), detect its template family, run the document
rules of forms/audit.yaml (structure, citations, dates, prose against the table) and, for a family
that carries the form's statistics table, import it into a temporary workspace and run the checks of
forms/rules.yaml that a published report allows (`catalogue`), unchanged. A rule that does not
apply to the family is a row that says so (跳过). The checklist rubric gives a score.

Outputs (in --out): <report>.findings.csv per report, audit_summary.csv and .xlsx across the
reports (school, year, family, errors, warnings, score, each rule's result) and overview.html with
a figure of the most frequent failures. A report that cannot be read is a row of the summary.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import workspace as paths
from disclosure.checks.findings import OUTCOME_ZH, SEVERITY_ZH, said
from disclosure.errors import InputError
from disclosure.expr import FULL_WIDTH, evaluate, is_count, number, parse
from disclosure.inputs.forms import Citation, load_citations, superseded
from disclosure.published import detect
from disclosure.published.detect import Family
from disclosure.published.importer import (
    Reading,
    form_shape,
    import_problems,
    read_report,
    write_year,
)
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


def due_date(rule: dict[str, Any], ctx: Context) -> Outcome:
    period = _period(ctx)
    issued = ctx.reading.header.report_date
    if period is None or not issued:
        return _na("未印出成文日期" if not issued else "未识别学年")
    month, day = (int(x) for x in ctx.family.due.split("-"))
    deadline = date(period[1].year + (1 if ctx.family.period == "calendar" else 0), month, day)
    if date.fromisoformat(issued) > deadline:
        late = (date.fromisoformat(issued) - deadline).days
        return _failed(f"成文日期 {issued},晚于报送期限 {deadline.isoformat()}({late} 天)")
    return _passed(f"成文日期 {issued},不晚于 {deadline.isoformat()}")


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
    problems = import_problems(reading, root) if family and family.statistics else []
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
    """(percentage, points, points possible) of the checklist under the rubric."""
    if checklist is None or not rubric:
        return None, 0, 0
    levels = [(parse(str(lv["when"])), int(lv["points"])) for lv in rubric.get("levels") or []]
    overrides = {
        int(k): [(parse(str(lv["when"])), int(lv["points"])) for lv in v]
        for k, v in (rubric.get("items") or {}).items()
    }
    earned = possible = 0
    for row in checklist.to_dict("records"):
        item_levels = overrides.get(int(row["item"]), levels)
        possible += max((p for _, p in item_levels), default=0)
        env = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for tree, points in item_levels:
            if bool(evaluate(tree, env)):
                earned += points
                break
    return (round(100 * earned / possible, 1) if possible else None), earned, possible


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
    percent, _, _ = score(checklist, spec.get("rubric") or {})
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


def summary(audits: list[ReportAudit]) -> pd.DataFrame:
    """One row per report: school, year, family, errors, warnings, score, each rule's result."""
    ids: list[str] = []
    for a in audits:  # the forms' order: document rules, then the catalogue
        ids += [i for i in a.rule_ids or list(a.findings["id"]) if i not in ids]
    records = []
    for a in audits:
        record: dict[str, Any] = {
            "文件": a.file,
            "状态": a.status,
            "学校": a.school,
            "学年": a.year,
            "模板": a.family,
            "错误": a.errors if a.status != READ_FAILED else None,
            "提示": a.warnings if a.status != READ_FAILED else None,
            "清单得分": a.score,
            "说明": a.message,
        }
        outcomes = dict(zip(a.findings["id"], a.findings["outcome"], strict=True))
        for i in ids:
            record[i] = OUTCOME_ZH.get(outcomes.get(i, ""), "")
        records.append(record)
    return pd.DataFrame(records)


def failure_counts(audits: list[ReportAudit]) -> pd.DataFrame:
    """How many reports fail each rule, most frequent first."""
    counts: dict[tuple[str, str], int] = {}
    for a in audits:
        failed = a.findings[a.findings["outcome"] == "failed"]
        for rule_id, title in zip(failed["id"], failed["title"], strict=True):
            counts[(rule_id, title)] = counts.get((rule_id, title), 0) + 1
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


def overview_html(audits: list[ReportAudit], table: pd.DataFrame) -> str:
    counts = failure_counts(audits)
    readable = sum(a.status != READ_FAILED for a in audits)
    figure = ""
    if not counts.empty:
        encoded = base64.b64encode(failure_figure(counts, readable)).decode("ascii")
        figure = f'<img alt="最常见的未通过校验项" src="data:image/png;base64,{encoded}">'
    else:
        figure = "<p>所有报告均通过全部校验。</p>"
    columns = ["文件", "状态", "学校", "学年", "模板", "错误", "提示", "清单得分"]
    ranked = table.sort_values("清单得分", ascending=False, na_position="last", kind="stable")
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_shown(r[c]))}</td>" for c in columns) + "</tr>"
        for r in ranked.to_dict("records")
    )
    failing = "".join(
        f"<tr><td>{escape(r['id'])}</td><td>{escape(r['title'])}</td><td>{r['reports']}</td></tr>"
        for r in counts.to_dict("records")
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>已公布报告审查概览</title><style>"
        "body{font-family:'Noto Sans CJK SC',sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
        "img{max-width:100%;height:auto}"
        "</style></head><body>"
        f"<h1>已公布报告审查概览</h1><p>共 {len(audits)} 份报告,{readable} 份可读取,"
        f"{len(audits) - readable} 份无法读取。</p>"
        f"<h2>最常见的未通过校验项</h2>{figure}"
        f"<table><tr><th>编号</th><th>校验项</th><th>未通过的报告数</th></tr>{failing}</table>"
        "<h2>各报告(按清单得分排序)</h2>"
        f"<table><tr>{''.join(f'<th>{c}</th>' for c in columns)}</tr>{rows}</table>"
        "</body></html>"
    )


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def write_outputs(out: Path, audits: list[ReportAudit]) -> list[Path]:
    """Per-report findings, audit_summary.csv/.xlsx and overview.html in `out`."""
    written = []
    for a in audits:
        if a.status == READ_FAILED:
            continue
        target = out / f"{a.file}.findings.csv"
        frame = a.findings.assign(
            severity_zh=a.findings["severity"].map(SEVERITY_ZH).fillna(""),
            outcome_zh=a.findings["outcome"].map(OUTCOME_ZH),
        )
        write_text(target, frame.to_csv(index=False))
        written.append(target)
    table = summary(audits)
    write_text(out / "audit_summary.csv", table.to_csv(index=False))
    buffer = io.BytesIO()
    table.to_excel(buffer, index=False, sheet_name="审查汇总")
    write_bytes(out / "audit_summary.xlsx", buffer.getvalue())
    write_text(out / "overview.html", overview_html(audits, table))
    return written + [out / n for n in ("audit_summary.csv", "audit_summary.xlsx", "overview.html")]
