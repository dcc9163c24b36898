"""What the workbook notebook displays: readable tables with Chinese headings, the form's blocks
and figures.

Kept out of the notebook so cells stay one call each (no def/loops in cells) and so it is tested.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd

from disclosure.checks.findings import PASSED_ZH, SEVERITY_ZH, failed
from disclosure.errors import ChecksFailed
from disclosure.inputs.dataset import YearData
from disclosure.inputs.forms import FigureSpec, Section
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
    "id": "编号",
    "severity": "级别",
    "family": "类别",
    "title": "校验项",
    "check": "校验式",
    "filled": "代入数值",
    "passed": "通过",
    "sources": "数值来源",
    "basis": "依据",
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


def profile_table(data: YearData) -> pd.DataFrame:
    items = [
        (k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
        for k, v in data.profile.items()
    ]
    return pd.DataFrame(items, columns=["键", "值"])


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


def sections(stats: pd.DataFrame, blocks: tuple[Section, ...]) -> None:
    """Every block of the printed form under its heading: each form row is shown exactly once."""
    from IPython.display import Markdown, display

    for block in blocks:
        display(Markdown(f"### {block.heading}"))
        display(rows(stats, block.first, block.last))


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
