"""House style and figures; the CJK font is resolved by name and a missing glyph is an error.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas: no pyplot, so no global
figure registry to close, no GUI backend and none of pyplot's imports in the kernel (or in the
runner, which only resolves the font)."""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib import font_manager

from disclosure.errors import FontMissing

if TYPE_CHECKING:  # the runner imports this module for the font check only: no figure machinery
    import pandas as pd
    from matplotlib.figure import Figure

    from disclosure.inputs.forms import FigureSpec

CJK_FONT = "Noto Sans CJK SC"
FAMILY = ["DejaVu Sans", CJK_FONT]
COLORS = ["#8c1d18", "#b8860b", "#2f5d8a", "#5b7f3a", "#6b4c9a", "#7a7a7a"]


def cjk_font_file() -> Path:
    try:
        found = font_manager.findfont(
            font_manager.FontProperties(family=CJK_FONT), fallback_to_default=False
        )
    except ValueError:
        raise FontMissing(
            f"找不到中文字体“{CJK_FONT}”,图中汉字会显示为方框;请安装 Debian 软件包 fonts-noto-cjk "
            "(apt-get install --no-install-recommends fonts-noto-cjk)"
        ) from None
    return Path(found)


def undrawable(text: str) -> list[str]:
    """The characters of `text` that no font of the figures has a glyph for (each once, in order
    of appearance): drawn, they would stop the figure with a missing-glyph error. The fonts must
    be installed (cjk_font_file)."""
    maps = _charmaps()
    return list(
        dict.fromkeys(c for c in text if not c.isspace() and all(ord(c) not in m for m in maps))
    )


@functools.lru_cache(maxsize=1)
def _charmaps() -> tuple[frozenset[int], ...]:
    from matplotlib import ft2font

    paths = [
        font_manager.findfont(font_manager.FontProperties(family=f), fallback_to_default=False)
        for f in FAMILY
    ]
    return tuple(frozenset(ft2font.FT2Font(p).get_charmap()) for p in paths)


def setup() -> Path:
    """Apply the house style; return the CJK font file used (recorded in the manifest)."""
    font = cjk_font_file()
    matplotlib.use("Agg")  # no screen on a server
    matplotlib.rcParams.update(
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
            # `$…$` in a school's name or a caption is text, not TeX: mathtext would draw it in
            # another font (boxes for Chinese) without the missing-glyph warning.
            "text.parse_math": False,
            "text.usetex": False,
        }
    )
    # Matplotlib only warns when a glyph is missing; a report with boxes must not be published.
    warnings.filterwarnings("error", message=r".*Glyph .* missing from.*")
    return font


def _figure(figsize: tuple[float, float]) -> Figure:
    """A figure on its own Agg canvas (no pyplot): laid out and saved by the same renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    """PNG bytes without a timestamp, so reruns give identical files."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def _finish(fig: Figure, ax, title: str, source: str) -> Figure:
    ax.set_title(title, loc="left", parse_math=False)
    fig.text(
        0.01,
        -0.02,
        f"数据来源:{source}",
        fontsize=8,
        color="#555555",
        ha="left",
        va="top",
        parse_math=False,
        usetex=False,
    )
    fig.tight_layout()
    return fig


def _length(value: object) -> float:
    """A count as a bar length. Matplotlib converts ints to C longs, so a Python int past 2^63 - 1
    would stop the figure; the exact number is kept in the bar's label (see `_label`)."""
    return float(int(value or 0))


def _label(value: object) -> str:
    """A count as printed on its bar: every digit ("%g" would print 1234567 as 1.23457e+06)."""
    return str(int(value or 0))


def _barh(
    labels: list[str], values: list[int], unit: str, title: str, source: str, xlabel: str
) -> Figure:
    fig = _figure((7, 0.45 * max(len(labels), 3) + 1.2))
    ax = fig.subplots()
    bars = ax.barh(labels[::-1], [_length(v) for v in values[::-1]], color=COLORS[0])
    ax.bar_label(bars, labels=[f"{_label(v)}{unit}" for v in values[::-1]], padding=3, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max([_length(v) for v in values] + [1.0]) * 1.18)
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, source)


def draw(
    spec: FigureSpec,
    stats: pd.DataFrame,
    categories: pd.DataFrame,
    previous: pd.DataFrame | None,
    years: tuple[str, str],
    source: str,
) -> Figure:
    """The figure `spec` of forms/statistics.yaml, from the rebuilt rows (years: previous, this)."""
    value = dict(zip(stats["row"], stats["value"], strict=True))
    title = f"{years[1]} 学年{spec.caption}"
    if spec.kind == "bars":
        labels = [label for _, label in spec.rows]
        return _barh(labels, [int(value[r]) for r, _ in spec.rows], "", title, source, spec.xlabel)
    if spec.kind == "panels":
        return _panels(spec, value, title, source)
    if spec.kind == "categories":
        return checklist_by_category(categories, title, source)
    before = {} if previous is None else dict(zip(previous["row"], previous["value"], strict=True))
    return _years(spec, before, value, years, source)


def checklist_by_category(categories: pd.DataFrame, title: str, source: str) -> Figure:
    fig = _figure((9, 4.6))
    left, right = fig.subplots(1, 2, sharey=True)
    names = [
        f"{n}. {c}"
        for n, c in zip(categories["category_no"], categories["category_name"], strict=True)
    ][::-1]
    items, published = categories["items"].tolist()[::-1], categories["published"].tolist()[::-1]
    left.barh(names, [_length(v) for v in items], color="#e6d5c3", label="清单事项数")
    left.barh(
        names, [_length(v) for v in published], color=COLORS[0], label="已公开事项数(数量 > 0)"
    )
    left.set_xlabel("事项数")
    left.legend(loc="lower right", fontsize=8)
    left.grid(axis="y", visible=False)
    counts = categories["count"].tolist()[::-1]
    bars = right.barh(names, [_length(v) for v in counts], color=COLORS[2])
    right.bar_label(bars, labels=[_label(v) for v in counts], padding=3, fontsize=9)
    right.set_xlabel("公开信息数量(条)")
    right.set_xlim(0, max([_length(v) for v in counts] + [1.0]) * 1.2)
    right.grid(axis="y", visible=False)
    return _finish(fig, left, title, source)


def _panels(spec: FigureSpec, value: dict[int, object], title: str, source: str) -> Figure:
    """One panel per group of rows (applications by channel, applicant, topic, outcome)."""
    columns = 2
    lines = -(-len(spec.panels) // columns)
    fig = _figure((10, 3.5 * lines))
    axes = fig.subplots(lines, columns, squeeze=False)
    for ax in axes.flat[len(spec.panels) :]:
        ax.set_visible(False)
    for ax, (panel_title, rows) in zip(axes.flat, spec.panels, strict=False):
        ax.barh(
            [label for _, label in rows][::-1],
            [_length(value[r]) for r, _ in rows][::-1],
            color=COLORS[2],
        )
        ax.set_title(panel_title, fontsize=10)
        ax.set_xlabel(spec.xlabel)
    return _finish(fig, axes.flat[0], title, source)


def _years(
    spec: FigureSpec,
    before: dict[int, object],
    now: dict[int, object],
    years: tuple[str, str],
    source: str,
) -> Figure:
    """Main counts of this year beside the previous year's."""
    labels = [label for _, label in spec.rows]
    x = range(len(labels))
    fig = _figure((8, 4))
    ax = fig.subplots()
    width = 0.38
    old = [int(before.get(r) or 0) for r, _ in spec.rows]
    new = [int(now.get(r) or 0) for r, _ in spec.rows]
    old_bars = ax.bar(
        [i - width / 2 for i in x],
        [_length(v) for v in old],
        width,
        color="#c9b8a6",
        label=f"{years[0]} 学年",
    )
    new_bars = ax.bar(
        [i + width / 2 for i in x],
        [_length(v) for v in new],
        width,
        color=COLORS[0],
        label=f"{years[1]} 学年",
    )
    ax.bar_label(old_bars, labels=[_label(v) for v in old], fontsize=8, padding=2)
    ax.bar_label(new_bars, labels=[_label(v) for v in new], fontsize=8, padding=2)
    ax.set_xticks(list(x), labels)
    ax.set_ylabel(spec.ylabel)
    ax.legend(fontsize=9)
    ax.grid(axis="x", visible=False)
    return _finish(fig, ax, f"{spec.caption}({years[0]} 与 {years[1]})", source)
