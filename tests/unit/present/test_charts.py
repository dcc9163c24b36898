"""House style and figures (disclosure.present.charts): the CJK font, each kind of figure of the
real form drawn from the rebuilt rows, reproducible PNG bytes and missing glyphs as errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from workspaces import REPO_ROOT

from disclosure import pipeline
from disclosure.errors import FontMissing
from disclosure.present import charts

matplotlib.use("Agg")

YEAR = "2023-2024"
YEARS = ("2022-2023", YEAR)
SOURCE = "重庆机电职业技术大学 2023-2024 学年原始数据"


@pytest.fixture(scope="module")
def year() -> pipeline.YearResult:
    return pipeline.check_year(REPO_ROOT, YEAR)


@pytest.fixture(autouse=True)
def styled() -> None:
    charts.setup()
    yield
    plt.close("all")


def spec_of(year: pipeline.YearResult, name: str):
    return next(s for s in year.data.figures if s.name == name)


def draw(year: pipeline.YearResult, name: str, stats=None, previous=None) -> Figure:
    """The figure `name` of the form, from the year's rows (or `stats`) and categories."""
    stats = year.statistics if stats is None else stats
    return charts.draw(spec_of(year, name), stats, year.categories, previous, YEARS, SOURCE)


def bars(ax) -> dict[str, int]:
    """Label -> bar value of the first bar container of a horizontal bar chart."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    return dict(zip(labels, ax.containers[0].datavalues.tolist(), strict=True))


def numbered(stats: pd.DataFrame) -> pd.DataFrame:
    """Every count row valued by its own number (row 27 -> 27): each bar says which row it drew."""
    rows = stats[["row", "kind", "value"]].values
    return stats.assign(value=[r if k == "count" else v for r, k, v in rows])


# --- the font --------------------------------------------------------------------------------


def test_cjk_font_file_is_the_installed_noto_sans_cjk_file() -> None:
    found = charts.cjk_font_file()
    assert found.is_file()
    assert "NotoSansCJK" in found.name


def test_cjk_font_file_raises_font_missing_naming_the_package_when_findfont_fails(
    monkeypatch,
) -> None:
    def not_found(*args, **kwargs):
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager, "findfont", not_found)
    with pytest.raises(FontMissing, match="Noto Sans CJK SC") as caught:
        charts.cjk_font_file()
    assert "fonts-noto-cjk" in str(caught.value)
    with pytest.raises(FontMissing):
        charts.setup()


def test_setup_applies_the_house_style_and_returns_the_font_file() -> None:
    plt.rcParams["font.family"] = ["serif"]
    font = charts.setup()
    assert isinstance(font, Path) and font == charts.cjk_font_file()
    assert plt.rcParams["font.family"] == ["DejaVu Sans", "Noto Sans CJK SC"]
    assert plt.rcParams["axes.unicode_minus"] is False
    assert plt.rcParams["svg.hashsalt"] == "disclosure"
    assert matplotlib.get_backend().lower() == "agg"


# --- each kind of figure ---------------------------------------------------------------------


def test_bars_publications_by_channel_equal_rows_10_and_12_to_15(year) -> None:
    fig = draw(year, "publications_by_channel")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert bars(ax) == {
        "门户网站": 335,
        "信息公开平台": 174,
        "办公内网": 198,
        "新闻发布会": 0,
        "官方微博微信": 387,
    }
    assert ax.get_title(loc="left") == "2023-2024 学年主动公开信息(按渠道)"
    assert ax.get_xlabel() == "数量(条/次)"
    assert [t.get_text() for t in fig.texts] == [f"数据来源:{SOURCE}"]


def test_bars_media_by_prominence_equal_rows_16_to_18(year) -> None:
    fig = draw(year, "media_by_prominence")
    assert bars(fig.axes[0]) == {"各类媒体报道": 56, "其中头版": 0, "其中头版头条": 0}


def test_bars_follow_the_rebuilt_values_not_fixed_numbers(year) -> None:
    stats = numbered(year.statistics)
    fig = draw(year, "publications_by_channel", stats)
    assert bars(fig.axes[0]) == {
        "门户网站": 10,
        "信息公开平台": 12,
        "办公内网": 13,
        "新闻发布会": 14,
        "官方微博微信": 15,
    }


def test_categories_figure_shows_items_published_and_counts_of_each_category(year) -> None:
    fig = draw(year, "checklist_by_category")
    left, right = fig.axes
    cats = year.categories
    names = [f"{n}. {c}" for n, c in zip(cats["category_no"], cats["category_name"], strict=True)]
    assert [t.get_text() for t in left.get_yticklabels()] == names[::-1]
    items, published = left.containers
    assert items.datavalues.tolist()[::-1] == [6, 8, 7, 5, 9, 4, 3, 4, 2, 2]
    assert published.datavalues.tolist()[::-1] == cats["published"].tolist()
    assert right.containers[0].datavalues.tolist()[::-1] == [20, 9, 2, 4, 119, 14, 6, 2, 2, 0]
    assert sum(right.containers[0].datavalues) == 178  # row 11


def test_panels_applications_draw_one_panel_per_group_with_its_rows(year) -> None:
    spec = spec_of(year, "applications")
    fig = draw(year, "applications", numbered(year.statistics))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["提交方式", "申请人", "涉及内容", "办理结果"]
    for ax, (_, rows) in zip(visible, spec.panels, strict=True):
        assert bars(ax) == {label: row for row, label in rows}
    assert visible[0].get_title(loc="left") == "2023-2024 学年依申请公开情况"


def test_panels_hide_the_unused_cell_of_an_odd_number_of_panels(year) -> None:
    spec = spec_of(year, "applications")
    three = dataclasses.replace(spec, panels=spec.panels[:3])
    fig = charts.draw(three, year.statistics, year.categories, None, YEARS, SOURCE)
    assert [ax.get_visible() for ax in fig.axes] == [True, True, True, False]


def test_years_figure_puts_the_previous_year_beside_this_year(year) -> None:
    spec = spec_of(year, "across_years")
    previous = year.statistics.assign(value=[2 * r for r in year.statistics["row"]])
    fig = draw(year, "across_years", previous=previous)
    ax = fig.axes[0]
    old, new = ax.containers
    assert [t.get_text() for t in ax.get_xticklabels()] == [label for _, label in spec.rows]
    assert old.datavalues.tolist() == [
        20,
        24,
        22,
        30,
        32,
        38,
    ]  # rows 10, 12, 11, 15, 16, 19 doubled
    assert new.datavalues.tolist() == [335, 174, 178, 387, 56, 0]
    assert ax.get_legend_handles_labels()[1] == ["2022-2023 学年", "2023-2024 学年"]
    assert ax.get_title(loc="left") == "主要指标跨学年对比(2022-2023 与 2023-2024)"


def test_years_figure_without_a_previous_table_draws_zero_for_last_year(year) -> None:
    fig = draw(year, "across_years")
    old, new = fig.axes[0].containers
    assert old.datavalues.tolist() == [0] * 6
    assert new.datavalues.tolist() == [335, 174, 178, 387, 56, 0]


# --- PNG bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "publications_by_channel",
        "checklist_by_category",
        "media_by_prominence",
        "applications",
        "across_years",
    ],
)
def test_png_of_the_same_figure_is_byte_identical_and_carries_no_software_stamp(year, name) -> None:
    def once() -> bytes:
        return charts.png(draw(year, name, previous=year.statistics))

    first, second = once(), once()
    assert first == second
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"Matplotlib" not in first and b"Software" not in first


def test_figures_are_drawn_on_agg_without_pyplot_state(year) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    plt.close("all")
    fig = draw(year, "media_by_prominence")
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert plt.get_fignums() == []  # nothing registered with pyplot, nothing left to close
    assert charts.png(fig).startswith(b"\x89PNG")
    assert plt.get_fignums() == []


def test_chinese_text_renders_without_a_missing_glyph_after_setup() -> None:
    fig, ax = plt.subplots()
    ax.set_title("信息公开工作年度报告 −1")
    assert charts.png(fig).startswith(b"\x89PNG")


def test_a_glyph_missing_from_every_font_raises_after_setup() -> None:
    fig, ax = plt.subplots()
    ax.set_title("\ue000")  # a private-use character: no font draws it
    with pytest.raises(UserWarning, match="missing from font"):
        charts.png(fig)


# --- `$…$` is text, never TeX ------------------------------------------------------------------

DOLLARS = "重庆$机电$职业技术大学 $x^2$"


def test_setup_turns_mathtext_and_tex_off() -> None:
    assert plt.rcParams["text.parse_math"] is False
    assert plt.rcParams["text.usetex"] is False


def test_dollars_in_the_source_and_title_are_drawn_as_plain_text(year) -> None:
    spec = dataclasses.replace(spec_of(year, "media_by_prominence"), caption=DOLLARS)
    fig = charts.draw(spec, year.statistics, year.categories, None, YEARS, DOLLARS)
    (source,) = fig.texts
    assert source.get_text() == f"数据来源:{DOLLARS}"
    texts = [source, fig.axes[0].title, fig.axes[0]._left_title]
    for text in texts:
        # Text._preprocess_math returns (text, False) when the text is drawn as plain text
        assert text._preprocess_math(text.get_text())[1] is False
    assert charts.png(fig).startswith(b"\x89PNG")  # and no missing-glyph error


def test_dollars_would_be_mathtext_with_matplotlib_defaults() -> None:
    """The control: with parse_math on, the same text is parsed as TeX."""
    with matplotlib.rc_context({"text.parse_math": True}):
        fig, ax = plt.subplots()
        text = ax.text(0, 0, DOLLARS)
        assert text._preprocess_math(DOLLARS)[1] is True
        plt.close(fig)


# --- characters no figure font draws are found before drawing (issue 26) ------------------------


def test_undrawable_names_each_character_no_figure_font_holds_once_in_order() -> None:
    assert charts.undrawable(DOLLARS) == []  # `$` and ^ are in DejaVu Sans, hanzi in Noto CJK
    assert charts.undrawable("重庆𠀀机电\ue000大学𠀀 \u3000\n") == ["𠀀", "\ue000"]


def test_what_undrawable_finds_is_what_stops_a_figure() -> None:
    """The control: each character undrawable() names makes drawing raise; the others do not."""
    for text, fails in (("重庆𠀀大学", True), ("重庆$机电$", False)):
        fig = charts._figure((2, 1))
        fig.text(0, 0, text)
        if fails:
            with pytest.raises(UserWarning, match="missing from font"):
                charts.png(fig)
        else:
            assert charts.png(fig).startswith(b"\x89PNG")
