"""The contract between the kernel and the runner, both sides in one place.

The kernel side (`results`, `export`, `figure`) displays the year's tables as a JSON output of a
tagged cell, and each figure as a PNG tagged with its file name. The runner side (`results_of`,
`figures_of`, `findings_of`) reads them back out of the executed notebook, so the CSV/JSON outputs
and figures are the evidence's own numbers, never a second computation.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pandas as pd

RESULTS_MIME = "application/vnd.disclosure.results+json"
FIGURE_KEY = "disclosure_figure"
CHECKLIST_EXPORT = [
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


# --- kernel side ----------------------------------------------------------------------------------


def results(
    stats: pd.DataFrame,
    items: pd.DataFrame,
    categories: pd.DataFrame,
    findings: pd.DataFrame,
    inputs: list[dict[str, object]] | None = None,
    document: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The bundle the runner writes as CSV/JSON (and, with `inputs`, the lineage of every row;
    with `document`, the report the Word and Excel copies are laid out from)."""

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    shown = f"已导出:统计表 {len(stats)} 行、清单 {len(items)} 项、校验 {len(findings)} 项"
    return {
        "text/plain": shown,
        RESULTS_MIME: {
            "statistics": records(stats.drop(columns=["kind"])),
            "checklist": records(
                items[CHECKLIST_EXPORT].rename(columns={"ref_category": "category_no"})
            ),
            "categories": records(categories),
            "findings": records(findings),
            "inputs": list(inputs or []),
            "document": document,
        },
    }


def export(bundle: dict[str, Any]) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def figure(png_bytes: bytes, name: str, caption: str) -> None:
    """Display a figure as PNG, tagged with its file name so the runner can save it to figures/."""
    from IPython.display import Image, display

    display(Image(data=png_bytes, format="png"), metadata={FIGURE_KEY: name, "caption": caption})


# --- runner side ----------------------------------------------------------------------------------


def results_of(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if RESULTS_MIME in output.get("data", {}):
                return output["data"][RESULTS_MIME]
    raise RuntimeError("执行后的底稿中没有导出结果的单元格输出(标签 results)")


def document_of(nb: Any) -> dict[str, Any]:
    """The report document the kernel built (present.document), for the Word and Excel copies."""
    document = results_of(nb).get("document")
    if not document:
        raise RuntimeError("执行后的底稿中没有报告文档(导出结果中缺少 document)")
    return document


def findings_of(nb: Any) -> pd.DataFrame:
    return pd.DataFrame(results_of(nb)["findings"])


def figures_of(nb: Any) -> dict[str, bytes]:
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get(FIGURE_KEY)
            if name and "image/png" in output.get("data", {}):
                found[name] = base64.b64decode(output["data"]["image/png"])
    return found
