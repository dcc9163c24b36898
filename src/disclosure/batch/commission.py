"""`disclosure overview`: the commission's view of every school and year, whichever way each came
in: a collection's rebuilt workspaces (their kept evidence and the batch record) and folders of
audited posted reports (audit_summary.json). Built from what is there; nothing is run again.

One page (commission.html, and commission.pdf from it): the school table (school, year, source,
result, errors, warnings, the top causes in words, checklist score, 成文日期 and days late, links
relative to the page to review.pdf / report.pdf / the audit's findings), sortable and filterable
without a network; then a ranking, what changed since each school's previous year, and totals.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from disclosure import workspace as paths
from disclosure.batch.collection import institution_years
from disclosure.batch.run import read_record
from disclosure.errors import InputError
from disclosure.evidence.verdict import FINDINGS_JSON, read_verdict
from disclosure.pipeline import STATUS_ZH
from disclosure.published import audit
from disclosure.published.page import cell, page, sortable
from disclosure.workspace import write_bytes, write_text

REBUILT = "重建的工作区"
POSTED = "已公布的报告"
HTML_FILE = "commission.html"
PDF_FILE = "commission.pdf"
# 高等学校信息公开办法: the annual report is due by 31 October after the academic year's end.
DUE_MONTH_DAY = (10, 31)
TOP_CAUSES = 3


@dataclass
class Row:
    school: str
    year: str
    source: str  # REBUILT | POSTED
    status: str = ""  # a key of pipeline.STATUS_ZH ("" when the year has no outputs yet)
    errors: int | None = None
    warnings: int | None = None
    causes: str = ""  # the top causes in words
    score: float | None = None
    issued: str = ""
    days_late: int | None = None
    links: list[tuple[str, Path | str]] = field(default_factory=list)  # (label, file or file#id)
    origin: str = ""  # the collection or audit folder the row came from

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status) if self.status else "尚无输出"


def days_late(year: str, issued: str) -> int | None:
    """Days after 31 October following the academic year `year` (YYYY-YYYY); 0 when on time."""
    if not issued or len(year) != 9:
        return None
    try:
        due = date(int(year[5:]), *DUE_MONTH_DAY)
        return max((date.fromisoformat(str(issued)) - due).days, 0)
    except ValueError:
        return None


def causes_text(titles: list[str]) -> str:
    shown = "；".join(titles[:TOP_CAUSES])
    return shown + (f" 等 {len(titles)} 项" if len(titles) > TOP_CAUSES else "")


def plain(title: str, detail: str) -> str:
    """A failed rule in words: its title, with the detail when it is words too (a catalogue
    rule's detail is its evaluated expression, which a commission does not read)."""
    formula = any(op in detail for op in ("==", "!=", ">=", "<=", " or ", " and "))
    return f"{title}:{detail}" if detail and not formula else title


def _profile(folder: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load((folder / paths.PROFILE_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def collection_rows(collection: Path) -> list[Row]:
    """Every institution-year of a collection, from its kept outputs (the verdict through
    evidence.verdict) and the batch record (the status of a year that did not finish)."""
    from disclosure.batch.run import _data_dir

    recorded = {o.key: o for o in read_record(collection)}
    rows = []
    for item in institution_years(collection):
        profile = _profile(_data_dir(item))
        school = str(profile.get("institution") or item.institution)
        issued = str(profile.get("report_date") or "")
        row = Row(school, item.year, REBUILT, issued=issued, origin=str(collection))
        row.days_late = days_late(item.year, issued)
        folder = item.root / paths.OUTPUTS_DIR / item.year
        outcome = recorded.get(item.key)
        if (folder / FINDINGS_JSON).is_file():
            verdict = read_verdict(folder)
            row.errors, row.warnings = verdict.errors, verdict.warnings
            row.status = "failed_checks" if verdict.errors else "passed"
            titles = _titles(folder)
            row.causes = causes_text([titles.get(i, i) for i in verdict.failed_errors])
            row.score = _score(collection, folder)
            for label, name in (("审阅版", "review.pdf"), ("报告", "report.pdf")):
                if (folder / name).is_file():
                    row.links.append((label, folder / name))
        if outcome is not None and outcome.status not in ("passed", "failed_checks", "skipped"):
            row.status, row.causes = outcome.status, outcome.message  # the latest run failed
            evidence = Path(outcome.evidence) if outcome.evidence else None
            if evidence is not None and evidence.is_dir():
                kept = sorted(evidence.glob("*.ipynb"))
                row.links.append(("失败记录", kept[0] if kept else evidence))
        rows.append(row)
    return rows


def _titles(folder: Path) -> dict[str, str]:
    """Each rule's title as findings.json recorded it (the words of a failed rule)."""
    records = json.loads((folder / FINDINGS_JSON).read_text(encoding="utf-8-sig"))
    return {str(r.get("id")): str(r.get("title", "")) for r in records if isinstance(r, dict)}


def _score(collection: Path, folder: Path) -> float | None:
    """The checklist score of a rebuilt year under the audit rubric (forms/audit.yaml), as a posted
    report's is scored."""
    import pandas as pd

    from disclosure.published.detect import load_audit_form

    if not (folder / "checklist.csv").is_file():
        return None
    try:
        rubric = load_audit_form(collection).get("rubric") or {}
        checklist = pd.read_csv(folder / "checklist.csv")
        return audit.score(checklist, rubric)[0]
    except (InputError, KeyError, ValueError, OSError):
        return None


def audit_rows(folder: Path) -> list[Row]:
    """Every report of an audit folder (its audit_summary.json)."""
    rows = []
    for r in audit.read_record(folder):
        titles = [plain(f["title"], f["detail"]) for f in r.get("failed") or []]
        row = Row(
            r.get("school") or r["file"],
            r.get("year") or "",
            POSTED,
            r["result"],
            r.get("errors"),
            r.get("warnings"),
            causes_text(titles) if r["status"] != audit.READ_FAILED else r.get("message", ""),
            r.get("score"),
            r.get("issued") or "",
            r.get("days_late"),
            origin=str(folder),
        )
        row.links.append(("审查详情", f"{folder / 'overview.html'}#{audit.anchor(r['file'])}"))
        if r.get("findings_file") and (folder / r["findings_file"]).is_file():
            row.links.append(("校验结果", folder / r["findings_file"]))
        rows.append(row)
    return rows


def rows_of(path: Path) -> list[Row]:
    """The rows of a collection (collection.yaml) or of an audit folder (audit_summary.json)."""
    if (path / paths.COLLECTION_FILE).is_file():
        return collection_rows(path)
    if (path / audit.RECORD_FILE).is_file():
        return audit_rows(path)
    raise InputError.one(
        str(path),
        f"既不是机构集合(没有 {paths.COLLECTION_FILE}),也不是审查结果文件夹"
        f"(没有 {audit.RECORD_FILE});请先运行 disclosure batch 或 disclosure audit",
    )


def _href(target: Path | str, out: Path) -> str:
    """A link relative to the page's folder (the folder can be zipped and mailed)."""
    text = str(target)
    file, _, frag = text.partition("#")
    rel = Path(os.path.relpath(file, out)).as_posix()
    return quote(rel) + (f"#{frag}" if frag else "")


def school_table(rows: list[Row], out: Path) -> str:
    headers = ["学校", "学年", "来源", "结果", "错误", "提示", "主要问题", "清单得分"]
    headers += ["成文日期", "逾期天数", "链接"]
    body = []
    for r in rows:
        links = " ".join(
            f'<a href="{escape(_href(target, out))}">{escape(label)}</a>'
            for label, target in r.links
        )
        bad = r.status not in ("passed", "")
        body.append(
            f'<tr class="{"bad" if bad else ""}">'
            + cell(r.school, width="m")
            + cell(r.year)
            + cell(r.source)
            + cell(r.status_zh)
            + cell(r.errors, numeric=True)
            + cell(r.warnings, numeric=True)
            + cell(r.causes, width="w")
            + cell(r.score, numeric=True)
            + cell(r.issued)
            + cell(r.days_late, numeric=True)
            + f"<td>{links}</td></tr>"
        )
    return sortable(headers, body, "筛选(输入学校、学年、结果或问题)")


def ranking(rows: list[Row]) -> str:
    """Schools by their latest year: fewest errors first, then the higher score."""
    latest: dict[str, Row] = {}
    for r in sorted(rows, key=lambda r: r.year):
        if r.errors is not None:
            latest[r.school] = r
    ordered = sorted(latest.values(), key=lambda r: (r.errors, -(r.score or 0), r.school))
    body = [
        f"<tr>{cell(n, numeric=True)}{cell(r.school)}{cell(r.year)}{cell(r.source)}"
        f"{cell(r.errors, numeric=True)}{cell(r.warnings, numeric=True)}"
        f"{cell(r.score, numeric=True)}</tr>"
        for n, r in enumerate(ordered, 1)
    ]
    headers = ["名次", "学校", "最近学年", "来源", "错误", "提示", "清单得分"]
    return sortable(headers, body) if body else "<p>尚无可排名的学校。</p>"


def changes(rows: list[Row]) -> str:
    """Each school's errors and warnings against its previous year."""
    by_school: dict[str, list[Row]] = {}
    for r in rows:
        if r.errors is not None:
            by_school.setdefault(r.school, []).append(r)
    body = []
    for school, years in sorted(by_school.items()):
        years.sort(key=lambda r: r.year)
        for before, now in zip(years, years[1:], strict=False):
            delta = (now.errors or 0) - (before.errors or 0)
            word = "增加" if delta > 0 else "减少" if delta < 0 else "持平"
            body.append(
                f"<tr>{cell(school)}{cell(before.year)}{cell(now.year)}"
                f"{cell(before.errors, numeric=True)}{cell(now.errors, numeric=True)}"
                f"{cell(f'{word} {abs(delta)}' if delta else word)}</tr>"
            )
    headers = ["学校", "上一学年", "本学年", "上年错误", "本年错误", "变化"]
    return sortable(headers, body) if body else "<p>尚无同一学校连续两个学年的结果。</p>"


def totals(rows: list[Row]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status_zh] = counts.get(r.status_zh, 0) + 1
    body = [f"<tr>{cell(k)}{cell(v, numeric=True)}</tr>" for k, v in sorted(counts.items())]
    schools = len({r.school for r in rows})
    late = sum(1 for r in rows if r.days_late)
    return (
        f"<p>共 {schools} 所学校、{len(rows)} 个学校学年;"
        f"其中重建的工作区 {sum(r.source == REBUILT for r in rows)} 个、"
        f"已公布的报告 {sum(r.source == POSTED for r in rows)} 个;逾期报送 {late} 个。</p>"
        + sortable(["结果", "学校学年数"], body)
    )


def overview_html(rows: list[Row], out: Path, title: str) -> str:
    # most errors first; the years without a verdict (not run, unreadable) after the rest
    rows = sorted(rows, key=lambda r: (r.errors is None, -(r.errors or 0), r.school, r.year))
    body = (
        f'<p class="note">来源:{escape("、".join(sorted({Path(r.origin).name for r in rows})))}。'
        "点击表头排序,在筛选框中输入文字只看相关的行;链接指向同一文件夹中的文件。</p>"
        "<h2>各学校各学年</h2>" + school_table(rows, out)
        + "<h2>排名(各校最近一个学年)</h2>" + ranking(rows)
        + "<h2>与上一学年相比</h2>" + changes(rows)
        + "<h2>全省合计</h2>" + totals(rows)
    )  # fmt: skip
    return page(title, body)


def title_of(sources: list[Path]) -> str:
    names = []
    for source in sources:
        name = source.name
        if (source / paths.COLLECTION_FILE).is_file():
            record = yaml.safe_load((source / paths.COLLECTION_FILE).read_text(encoding="utf-8"))
            name = str((record or {}).get("name") or name)
        names.append(name)
    return f"信息公开年度报告审查总览:{'、'.join(names)}"


def write_overview(sources: list[Path], out: Path) -> dict[str, Path]:
    """commission.html and commission.pdf in `out`, from every source's rows."""
    from weasyprint import HTML

    rows = [row for source in sources for row in rows_of(source)]
    out.mkdir(parents=True, exist_ok=True)
    html = overview_html(rows, out.resolve(), title_of(sources))
    write_text(out / HTML_FILE, html)
    write_bytes(out / PDF_FILE, HTML(string=html, base_url=str(out)).write_pdf())
    return {"html": out / HTML_FILE, "pdf": out / PDF_FILE, "rows": len(rows)}  # type: ignore[dict-item]
