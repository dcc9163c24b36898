"""What the workbook notebook displays: readable tables with Chinese headings, and results to export.

Kept out of the notebook so cells stay one call each (no def/loops in cells) and so it is tested.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pandas as pd

from disclosure.inputs.dataset import YearData
from disclosure.inputs.provenance import versions

AGREES = {True: "一致", False: "不一致", None: "未公布"}
RESULTS_MIME = "application/vnd.disclosure.results+json"
FIGURE_KEY = "disclosure_figure"

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
    frame = pd.DataFrame(data.inputs).rename(columns={"path": "文件", "bytes": "字节", "sha256": "SHA-256"})

    def notes(path: str) -> str:  # a workbook's sheets are noted as "<file>[<sheet>]"
        return ";".join(n for key, ns in data.read_notes.items() if key == path or key.startswith(path + "[") for n in ns)

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
    items = [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v) for k, v in data.profile.items()]
    return pd.DataFrame(items, columns=["键", "值"])


def rows(stats: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    part = stats[(stats["row"] >= first) & (stats["row"] <= last)]
    keep = ["row", "label", "value", "unit", "definition", "source", "reported", "agrees"]
    view = part[[c for c in keep if c in part]].assign(agrees=part["agrees"].map(AGREES))
    return view.rename(columns=HEADINGS).set_index("行号").fillna("")


def disagreements(stats: pd.DataFrame) -> pd.DataFrame:
    part = stats[stats["agrees"] == False]  # noqa: E712 (None = not published)
    return part[["row", "printed_no", "label", "value", "reported", "source"]].rename(columns=HEADINGS)


def findings_view(findings: pd.DataFrame, failed_only: bool = False) -> pd.DataFrame:
    part = findings[findings["passed"] == False] if failed_only else findings  # noqa: E712
    view = part.assign(
        severity=part["severity"].map({"error": "错误", "warning": "提示"}),
        passed=part["passed"].map({True: "通过", False: "未通过", None: "不适用"}),
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
    return items[list(keep)].rename(columns=keep)


def results(stats: pd.DataFrame, items: pd.DataFrame, categories: pd.DataFrame, findings: pd.DataFrame) -> dict[str, Any]:
    """The bundle the runner writes as CSV/JSON: taken from the executed notebook, so outputs are the evidence's."""

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    item_cols = [
        "item",
        "ref_category",
        "category_name",
        "item_text",
        "count",
        "count_alt",
        "count_printed",
        "links",
        "n_links",
        "n_distinct_links",
        "n_web_links",
        "on_platform",
        "mandatory",
        "remark",
        "status",
    ]
    summary = f"已导出:统计表 {len(stats)} 行、清单 {len(items)} 项、校验 {len(findings)} 项"
    return {
        "text/plain": summary,
        RESULTS_MIME: {
            "statistics": records(stats.drop(columns=["kind"])),
            "checklist": records(items[item_cols].rename(columns={"ref_category": "category_no"})),
            "categories": records(categories),
            "findings": records(findings),
        },
    }


def figure(png_bytes: bytes, name: str, caption: str) -> None:
    """Display a figure as PNG, tagged with its file name so the runner can save it to figures/."""
    from IPython.display import Image, display

    display(Image(data=png_bytes, format="png"), metadata={FIGURE_KEY: name, "caption": caption})


def applications_figure(data: YearData, year: str, source: str) -> bytes | None:
    """Applications by channel/applicant/topic/outcome, only in a year that has any."""
    from disclosure.present import charts

    frame = data.tables.get("applications")
    if frame is None or frame.empty:
        from IPython.display import Markdown, display

        display(Markdown("本学年未收到信息公开申请,不绘制依申请公开图。"))
        return None
    image = charts.png(charts.applications_panels(frame, year, source))
    figure(image, "applications", "依申请公开情况")
    return image


def years_figure(previous: pd.DataFrame | None, stats: pd.DataFrame, previous_year: str, year: str, source: str) -> bytes | None:
    """This year beside the previous one, when the workspace holds the previous year."""
    from disclosure.present import charts

    if previous is None:
        from IPython.display import Markdown, display

        display(Markdown(f"工作区中没有上一学年({previous_year})的数据,不绘制跨学年对比图。"))
        return None
    image = charts.png(charts.across_years(previous, stats, previous_year, year, source))
    figure(image, "across_years", "主要指标跨学年对比")
    return image


def export(bundle: dict[str, Any]) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def html(fragment: str) -> None:
    from IPython.display import HTML, display

    display(HTML(fragment))


class ChecksFailed(RuntimeError):
    """Raised in strict runs so papermill stops at the findings and keeps the notebook as evidence."""


def stop_if_strict(strict: bool, outcome: dict[str, int]) -> None:
    if strict and outcome["errors"]:
        raise ChecksFailed(f"未通过校验:{outcome['errors']} 项错误级校验未通过(严格模式在此停止)")
