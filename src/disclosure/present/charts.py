"""House style and figures; the CJK font is resolved by name and a missing glyph is an error."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on a server; set before pyplot is imported
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CJK_FONT = "Noto Sans CJK SC"
FAMILY = ["DejaVu Sans", CJK_FONT]
COLORS = ["#8c1d18", "#b8860b", "#2f5d8a", "#5b7f3a", "#6b4c9a", "#7a7a7a"]


class FontMissing(RuntimeError):
    """The CJK font is not installed: figures would show boxes instead of characters."""


def cjk_font_file() -> Path:
    try:
        found = font_manager.findfont(font_manager.FontProperties(family=CJK_FONT), fallback_to_default=False)
    except ValueError:
        raise FontMissing(
            f"找不到中文字体“{CJK_FONT}”,图中汉字会显示为方框;请安装 Debian 软件包 fonts-noto-cjk "
            "(apt-get install --no-install-recommends fonts-noto-cjk)"
        ) from None
    return Path(found)


def setup() -> Path:
    """Apply the house style; return the CJK font file used (recorded in the manifest)."""
    font = cjk_font_file()
    plt.rcParams.update(
        {
            "font.family": FAMILY,
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "svg.hashsalt": "disclosure",
            "axes.titleweight": "bold",
        }
    )
    # Matplotlib only warns when a glyph is missing; a report with boxes must not be published.
    warnings.filterwarnings("error", message=r".*Glyph .* missing from.*")
    return font


def png(fig: Figure) -> bytes:
    """PNG bytes without a timestamp, so reruns give identical files."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _finish(fig: Figure, ax, title: str, source: str) -> Figure:
    ax.set_title(title, loc="left")
    fig.text(0.01, -0.02, f"数据来源:{source}", fontsize=8, color="#555555", ha="left", va="top")
    fig.tight_layout()
    return fig


def _barh(labels: list[str], values: list[int], unit: str, title: str, source: str, xlabel: str) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(labels), 3) + 1.2))
    bars = ax.barh(labels[::-1], values[::-1], color=COLORS[0])
    ax.bar_label(bars, labels=[f"{v}{unit}" for v in values[::-1]], padding=3, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(values + [1]) * 1.18)
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, source)


def publications_by_channel(publications: pd.DataFrame, year: str, source: str) -> Figure:
    labels = publications["channel"].tolist()
    values = [int(v) for v in publications["count"]]
    return _barh(labels, values, "", f"{year} 学年主动公开信息(按渠道)", source, "数量(条/次)")


def checklist_by_category(categories: pd.DataFrame, year: str, source: str) -> Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.6), sharey=True)
    names = [f"{n}. {c}" for n, c in zip(categories["category_no"], categories["category_name"], strict=True)][::-1]
    items, published = categories["items"].tolist()[::-1], categories["published"].tolist()[::-1]
    left.barh(names, items, color="#e6d5c3", label="清单事项数")
    left.barh(names, published, color=COLORS[0], label="已公开事项数(数量 > 0)")
    left.set_xlabel("事项数")
    left.legend(loc="lower right", fontsize=8)
    left.grid(axis="y", visible=False)
    counts = categories["count"].tolist()[::-1]
    bars = right.barh(names, counts, color=COLORS[2])
    right.bar_label(bars, padding=3, fontsize=9)
    right.set_xlabel("公开信息数量(条)")
    right.set_xlim(0, max(counts + [1]) * 1.2)
    right.grid(axis="y", visible=False)
    return _finish(fig, left, f"{year} 学年清单事项公开情况(按类别)", source)


def media_by_prominence(stats: pd.DataFrame, year: str, source: str) -> Figure:
    value = dict(zip(stats["row"], stats["value"], strict=True))
    labels = ["各类媒体报道", "其中头版", "其中头版头条"]
    values = [int(value[16]), int(value[17]), int(value[18])]
    return _barh(labels, values, "", f"{year} 学年媒体有关本校的报道(按显著程度)", source, "报道数(条)")


def applications_panels(applications: pd.DataFrame, year: str, source: str) -> Figure:
    """Applications by channel, applicant, topic and outcome (only drawn when there are any)."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (column, title) in zip(
        axes.flat, [("channel", "提交方式"), ("applicant", "申请人"), ("topic", "涉及内容"), ("outcome", "办理结果")], strict=True
    ):
        counts = applications.groupby(applications[column].fillna("未办结"))["count"].sum().sort_values()
        ax.barh(counts.index.tolist(), counts.tolist(), color=COLORS[2])
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("申请数(件)")
    return _finish(fig, axes.flat[0], f"{year} 学年依申请公开情况", source)


YEAR_ROWS = {10: "门户网站", 12: "信息公开平台", 11: "清单事项", 15: "官方微博微信", 16: "媒体报道", 19: "收到申请"}


def across_years(previous: pd.DataFrame, current: pd.DataFrame, previous_year: str, year: str, source: str) -> Figure:
    """Main counts of this year beside the previous year's."""
    before = dict(zip(previous["row"], previous["value"], strict=True))
    now = dict(zip(current["row"], current["value"], strict=True))
    labels = list(YEAR_ROWS.values())
    x = range(len(labels))
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.38
    old_bars = ax.bar(
        [i - width / 2 for i in x],
        [int(before.get(r, 0)) for r in YEAR_ROWS],
        width,
        color="#c9b8a6",
        label=f"{previous_year} 学年",
    )
    new_bars = ax.bar(
        [i + width / 2 for i in x], [int(now.get(r, 0)) for r in YEAR_ROWS], width, color=COLORS[0], label=f"{year} 学年"
    )
    ax.bar_label(old_bars, fontsize=8, padding=2)
    ax.bar_label(new_bars, fontsize=8, padding=2)
    ax.set_xticks(list(x), labels)
    ax.set_ylabel("数量(条/件)")
    ax.legend(fontsize=9)
    ax.grid(axis="x", visible=False)
    return _finish(fig, ax, f"主要指标跨学年对比({previous_year} 与 {year})", source)
