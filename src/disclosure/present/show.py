"""What the workbook notebook displays: readable tables with Chinese headings, the form's blocks
and figures.

Kept out of the notebook so cells stay one call each (no def/loops in cells) and so it is tested.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from html import escape

import pandas as pd

from disclosure.checks.findings import PASSED_ZH, SEVERITY_ZH, failed, grouped, sentence
from disclosure.errors import ChecksFailed
from disclosure.inputs.dataset import YearData
from disclosure.inputs.forms import FigureSpec, Section, load_column_titles
from disclosure.inputs.provenance import versions
from disclosure.present.bundle import figure

AGREES = {True: "一致", False: "不一致", None: "未公布"}

HEADINGS = {
    "row": "行号",
    "label": "项目",
    "unit": "单位",
    "kind": "类型",
    "value": "重算值",
    "definition": "计算方法",
    "source": "数据来源(文件与行)",
    "printed_no": "印刷序号",
    "reported": "公布值",
    "agrees": "一致",
    "previous": "上一学年",
    "hint": "修改建议",
    "cause": "原因",
    "id": "编号",
    "severity": "级别",
    "family": "类别",
    "title": "校验项",
    "check": "校验式",
    "filled": "代入数值",
    "passed": "通过",
    "sources": "数值来源",
    "basis": "依据",
    "message": "问题",
}


def display_options() -> None:
    """Show every cell whole: a formula or source cut at pandas' 50 characters cannot be audited."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", None)
    pd.set_option("display.max_columns", None)


def params_table(data: YearData) -> pd.DataFrame:
    p = data.params
    rows = [
        ("学年", p.academic_year),
        ("统计期间", f"{p.start} 至 {p.end}"),
        ("学校", p.institution or data.profile.get("institution")),
        ("原始数据文件夹", p.data_dir),
        ("同比提示阈值", f"{p.yoy_threshold:.0%}"),
        ("更正条数", len(p.corrections)),
    ]
    return pd.DataFrame(rows, columns=["参数", "值"])


def inputs_table(data: YearData) -> pd.DataFrame:
    frame = pd.DataFrame(data.inputs).rename(
        columns={"path": "文件", "bytes": "字节", "sha256": "SHA-256"}
    )

    def notes(path: str) -> str:  # a workbook's sheets are noted as "<file>[<sheet>]"
        return ";".join(
            n
            for key, ns in data.read_notes.items()
            if key == path or key.startswith(path + "[")
            for n in ns
        )

    frame["读取说明"] = frame["文件"].map(notes)
    return frame


def versions_table() -> pd.DataFrame:
    return pd.DataFrame(sorted(versions().items()), columns=["软件包", "版本"])


def corrections_table(data: YearData) -> pd.DataFrame:
    columns = ["表", "位置", "字段", "更正前", "更正后", "原因", "更正人", "日期"]
    return pd.DataFrame([list(asdict(c).values()) for c in data.corrections], columns=columns)


def raw(data: YearData, name: str) -> pd.DataFrame:
    """A raw table as read, with the spreadsheet line of each row first (header is line 1)."""
    frame = data.tables.get(name)
    if frame is None:
        return pd.DataFrame({"说明": [f"{name} 无此文件"]})
    columns = ["_line", *[c for c in frame.columns if c != "_line"]]
    return frame[columns].rename(columns={"_line": "行"}).set_index("行").fillna("")


Link = tuple[str, str]  # (text shown, href)


@dataclass(frozen=True)
class Anchored:
    """A table whose rows carry HTML anchors (`ids`) and whose cells may link elsewhere in the
    audit copy (`links`: column -> per row, the links that replace the cell's text, or none), so an
    auditor clicks from a number to the rows it came from. Shown as plain text outside HTML."""

    frame: pd.DataFrame
    ids: tuple[str, ...]
    links: dict[str, tuple[tuple[Link, ...], ...]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return repr(self.frame)

    def _repr_html_(self) -> str:
        index = escape(str(self.frame.index.name or ""))
        head = "".join(f"<th>{escape(str(c))}</th>" for c in self.frame.columns)
        body = []
        for i, (label, row) in enumerate(self.frame.iterrows()):
            cells = [self._cell(i, str(column), value) for column, value in row.items()]
            anchor = f' id="{escape(self.ids[i])}"' if self.ids[i] else ""
            body.append(f"<tr{anchor}><th>{escape(str(label))}</th>{''.join(cells)}</tr>")
        return (
            f'<table class="dataframe anchored"><thead><tr><th>{index}</th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def _cell(self, i: int, column: str, value: object) -> str:
        links = self.links.get(column, ())[i] if column in self.links else ()
        if not links:
            return f"<td>{escape('' if _blank(value) else str(value))}</td>"
        shown = "、".join(f'<a href="{escape(href)}">{escape(text)}</a>' for text, href in links)
        return f"<td>{shown}</td>"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def raw_anchor(table: str, line: object) -> str:
    """The anchor of one raw row in the audit copy: raw-<table>-<spreadsheet line>."""
    return f"raw-{table}-{line}"


def row_anchor(row: object) -> str:
    """The anchor of one statistics row in the audit copy: r-<row>."""
    return f"r-{row}"


def raw_table(data: YearData, name: str) -> Anchored | pd.DataFrame:
    """raw(), each row anchored by its spreadsheet line (the target of 数据来源 links)."""
    view = raw(data, name)
    if name not in data.tables:
        return view
    titles = load_column_titles(data.root)
    view = view.rename(columns={c: f"{titles[c]}({c})" for c in view.columns if c in titles})
    return Anchored(view, tuple(raw_anchor(name, line) for line in view.index))


def rows_table(stats: pd.DataFrame, first: int, last: int) -> Anchored:
    """rows(), each row anchored as r-<row>; its 数据来源 links to the first raw row it sums."""
    view = rows(stats, first, last)
    part = stats[(stats["row"] >= first) & (stats["row"] <= last)]
    links: dict[str, tuple[tuple[Link, ...], ...]] = {}
    if "source_rows" in part:
        links[HEADINGS["source"]] = tuple(
            source_links(file, table, lines)
            for file, table, lines in zip(
                part["source_file"], part["source_table"], part["source_rows"], strict=True
            )
        )
    return Anchored(view, tuple(row_anchor(r) for r in part["row"]), links)


def source_links(file: str, table: str, lines: list[object]) -> tuple[Link, ...]:
    """One link per raw row a statistics row sums (the first names the file)."""
    if table == "profile":
        return tuple((f"{file}: {key}", f"#{raw_anchor(table, key)}") for key in lines or [])
    return tuple(
        (f"{file} 第 {line} 行" if n == 0 else f"{line}", f"#{raw_anchor(table, line)}")
        for n, line in enumerate(lines or [])
    )


def profile_table(data: YearData) -> pd.DataFrame:
    items = [
        (k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
        for k, v in data.profile.items()
    ]
    return pd.DataFrame(items, columns=["键", "值"])


def profile_view(data: YearData) -> Anchored:
    """profile_table(), each key anchored as raw-profile-<key> (the target of rows 1-9 and 54)."""
    view = profile_table(data).set_index("键")
    return Anchored(view, tuple(raw_anchor("profile", key) for key in view.index))


def rows(stats: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    part = stats[(stats["row"] >= first) & (stats["row"] <= last)]
    keep = [
        "row",
        "label",
        "value",
        "unit",
        "definition",
        "source",
        "reported",
        "agrees",
        "previous",
    ]
    shown = [c for c in keep if c in part and (c != "previous" or stats[c].notna().any())]
    view = part[shown].assign(agrees=part["agrees"].map(AGREES))
    return view.rename(columns=HEADINGS).set_index("行号").fillna("")


def disagreements(stats: pd.DataFrame) -> pd.DataFrame:
    part = stats[stats["agrees"] == False]  # noqa: E712 (None = not published)
    return part[["row", "printed_no", "label", "value", "reported", "source"]].rename(
        columns=HEADINGS
    )


def findings_view(findings: pd.DataFrame, failed_only: bool = False) -> pd.DataFrame:
    part = failed(findings) if failed_only else findings
    view = part.assign(
        severity=part["severity"].map(SEVERITY_ZH), passed=part["passed"].map(PASSED_ZH)
    )
    return view.rename(columns=HEADINGS)


def involved(finding: pd.Series) -> tuple[Link, ...]:
    """Links to the rows a finding involves: statistics rows (r-N) or checklist lines (raw-…)."""
    check, filled = str(finding["check"]), str(finding["filled"])
    if check.startswith("对 checklist"):
        lines = dict.fromkeys(re.findall(r"第 (\d+) 行\)", filled))
        return tuple((f"清单第 {n} 行", f"#{raw_anchor('checklist', n)}") for n in lines)
    if check.startswith("对 statistics"):
        rows_ = dict.fromkeys(re.findall(r"第 (\d+) 行", filled))
        return tuple((f"统计表第 {n} 行", f"#{row_anchor(n)}") for n in rows_)
    rows_ = dict.fromkeys(re.findall(r"\b[rp](\d+)\b", check))
    return tuple((f"统计表第 {n} 行", f"#{row_anchor(n)}") for n in rows_)


def findings_by_cause(findings: pd.DataFrame) -> None:
    """Each failed check as one plain sentence with a fix hint, grouped by cause: a failure that
    another failure explains (forms/rules.yaml `explains`) is listed under it, not as a new one."""
    from IPython.display import HTML, display

    def item(finding: pd.Series) -> str:
        links = "、".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in involved(finding))
        where = f"<br><small>涉及:{links}</small>" if links else ""
        return f"<li>{escape(sentence(finding))}{where}"

    parts = []
    for cause, consequences in grouped(findings):
        under = "".join(
            item(c).replace("<li>", f"<li>由 {escape(str(cause['id']))} 引起:", 1) + "</li>"
            for c in consequences
        )
        parts.append(item(cause) + (f"<ul>{under}</ul>" if under else "") + "</li>")
    if not parts:
        display(HTML("<p>全部校验通过。</p>"))
        return
    display(HTML(f'<ol class="findings-by-cause">{"".join(parts)}</ol>'))


def checklist_view(items: pd.DataFrame) -> pd.DataFrame:
    keep = {
        "ref_category": "类别",
        "item": "序号",
        "item_text": "事项",
        "count": "公开数量",
        "n_links": "链接数",
        "n_distinct_links": "不同链接数",
        "on_platform": "平台公布",
        "mandatory": "必须公开",
        "remark": "其他需说明事项",
    }
    return (
        items[list(keep)].astype(object).where(items[list(keep)].notna(), "").rename(columns=keep)
    )


def categories_view(categories: pd.DataFrame) -> pd.DataFrame:
    """The checklist by category, with Chinese headings."""
    names = {
        "category_no": "类别",
        "category_name": "类别名称",
        "items": "事项数",
        "published": "已公开事项数",
        "count": "公开信息数量",
        "coverage": "已公开比例",
    }
    return categories[list(names)].rename(columns=names).set_index("类别")


def sections(stats: pd.DataFrame, blocks: tuple[Section, ...]) -> None:
    """Every block of the printed form under its heading: each form row is shown exactly once."""
    from IPython.display import Markdown, display

    for block in blocks:
        display(Markdown(f"### {block.heading}"))
        display(rows_table(stats, block.first, block.last))


def figures(
    specs: tuple[FigureSpec, ...],
    stats: pd.DataFrame,
    categories: pd.DataFrame,
    previous: pd.DataFrame | None,
    years: tuple[str, str],
    source: str,
) -> list[tuple[bytes | None, str]]:
    """Draw and display every figure of the form; a figure whose `when` is false is named, not
    drawn."""
    from IPython.display import Markdown, display

    from disclosure.expr import evaluate, parse
    from disclosure.present import charts

    env: dict[str, object] = {f"r{r}": v for r, v in zip(stats["row"], stats["value"], strict=True)}
    env["previous_year"] = previous is not None
    drawn: list[tuple[bytes | None, str]] = []
    for spec in specs:
        if spec.when and not evaluate(parse(spec.when), env):
            display(Markdown(spec.skipped or f"不绘制“{spec.caption}”(条件 {spec.when} 不成立)。"))
            drawn.append((None, spec.caption))
            continue
        image = charts.png(charts.draw(spec, stats, categories, previous, years, source))
        figure(image, spec.name, spec.caption)
        drawn.append((image, spec.caption))
    return drawn


def chart_setup() -> str:
    """The house style applied; the CJK font file used (recorded in the manifest)."""
    from disclosure.present import charts

    return str(charts.setup())


def html(fragment: str) -> None:
    from IPython.display import HTML, display

    display(HTML(fragment))


def stop_if_strict(strict: bool, outcome: dict[str, int]) -> None:
    if strict and outcome["errors"]:
        raise ChecksFailed(f"未通过校验:{outcome['errors']} 项错误级校验未通过(严格模式在此停止)")
