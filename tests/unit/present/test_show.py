"""What the workbook displays (disclosure.present.show): views with Chinese headings, the form's
blocks and the figures, on the real 2023-2024 year (no kernel: IPython's display is replaced)."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest
from IPython.display import Markdown
from workspaces import REPO_ROOT

from disclosure import pipeline
from disclosure.errors import ChecksFailed
from disclosure.inputs.corrections import AppliedCorrection
from disclosure.inputs.forms import Section
from disclosure.present import charts, show
from disclosure.present.bundle import FIGURE_KEY

matplotlib.use("Agg")

YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"
YEARS = ("2022-2023", YEAR)
SOURCE = "测试数据"


@pytest.fixture(scope="module")
def year() -> pipeline.YearResult:
    return pipeline.check_year(REPO_ROOT, YEAR)


@pytest.fixture
def shown(monkeypatch) -> list[tuple[tuple, dict]]:
    """Everything passed to IPython.display.display during the test, in order."""
    import IPython.display

    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **kw: calls.append((a, kw)))
    return calls


@pytest.fixture
def styled() -> None:
    charts.setup()  # as the notebook does before show.figures


def with_previous_values(stats: pd.DataFrame, values: dict[int, object]) -> pd.DataFrame:
    return stats.assign(previous=[values.get(r) for r in stats["row"]])


# --- parameters, inputs, corrections ---------------------------------------------------------


def test_params_table_lists_the_year_period_school_folder_threshold_and_corrections(year) -> None:
    table = show.params_table(year.data)
    assert table.columns.tolist() == ["参数", "值"]
    assert dict(zip(table["参数"], table["值"], strict=True)) == {
        "学年": YEAR,
        "统计期间": "2023-09-01 至 2024-08-31",
        "学校": "重庆机电职业技术大学",
        "原始数据文件夹": RAW,
        "同比提示阈值": "50%",
        "更正条数": 0,
    }


def test_params_table_takes_the_school_from_the_profile_when_params_do_not_name_it(year) -> None:
    params = dataclasses.replace(year.data.params, institution=None, yoy_threshold=0.25)
    data = dataclasses.replace(year.data, params=params, profile={"institution": "某某大学"})
    values = dict(zip(*show.params_table(data).T.values, strict=True))
    assert values["学校"] == "某某大学"
    assert values["同比提示阈值"] == "25%"


def test_inputs_table_gives_each_input_file_its_hash_and_reading_notes(year) -> None:
    table = show.inputs_table(year.data).set_index("文件")
    assert table.columns.tolist() == ["字节", "SHA-256", "读取说明"]
    assert table.loc[f"{RAW}/publications.csv", "读取说明"] == "编码:UTF-8"
    assert table.loc["forms/rules.yaml", "读取说明"] == ""
    record = next(r for r in year.data.inputs if r["path"] == "forms/rules.yaml")
    assert table.loc["forms/rules.yaml", "SHA-256"] == record["sha256"]


def test_inputs_table_joins_the_notes_of_every_sheet_of_a_workbook_under_its_file() -> None:
    data = SimpleNamespace(
        inputs=[
            {"path": "d/tables.xlsx", "bytes": 1, "sha256": "a"},
            {"path": "d/tables.xlsx.bak", "bytes": 2, "sha256": "b"},
        ],
        read_notes={
            "d/tables.xlsx[publications]": ["编码:xlsx"],
            "d/tables.xlsx[checklist]": ["空行已跳过", "合并单元格已展开"],
            "d/tables.xlsx.bak": ["备份"],
        },
    )
    notes = show.inputs_table(data).set_index("文件")["读取说明"].to_dict()
    assert notes == {
        "d/tables.xlsx": "编码:xlsx;空行已跳过;合并单元格已展开",
        "d/tables.xlsx.bak": "备份",
    }


def test_corrections_table_shows_each_applied_correction_in_chinese_columns(year) -> None:
    assert show.corrections_table(year.data).columns.tolist() == [
        "表",
        "位置",
        "字段",
        "更正前",
        "更正后",
        "原因",
        "更正人",
        "日期",
    ]
    assert show.corrections_table(year.data).empty
    values = (
        "profile",
        "profile.yaml",
        "leader",
        "校长",
        "副校长",
        "核对原件",
        "张三",
        "2024-11-20",
    )
    fix = AppliedCorrection(*values)
    table = show.corrections_table(dataclasses.replace(year.data, corrections=[fix]))
    assert table.iloc[0].tolist() == list(values)


def test_versions_table_lists_python_and_pandas_sorted(year) -> None:
    table = show.versions_table()
    assert table.columns.tolist() == ["软件包", "版本"]
    assert {"python", "pandas"} <= set(table["软件包"])
    assert table["软件包"].tolist() == sorted(table["软件包"])


def test_profile_table_writes_nested_values_as_json_with_chinese_kept(year) -> None:
    table = show.profile_table(year.data).set_index("键")["值"]
    assert table["institution"] == "重庆机电职业技术大学"
    assert json.loads(table["contact"])["office"] == "校长办公室"
    assert "校长办公室" in table["contact"]


# --- raw tables ------------------------------------------------------------------------------


def test_raw_indexes_each_row_by_its_spreadsheet_line_and_blanks_missing_cells(year) -> None:
    table = show.raw(year.data, "publications")
    assert table.index.name == "行"
    assert table.index.tolist() == [2, 3, 4, 5, 6]
    assert "_line" not in table.columns and table.columns[0] == "channel"
    assert table.loc[2, "count"] == 335 and table.loc[6, "channel"] == "官方微博微信"
    checklist = show.raw(year.data, "checklist")
    assert checklist.index.tolist() == list(range(2, 52))
    assert checklist.loc[2, "remark"] == ""  # None in the table, blank on screen


def test_raw_of_a_table_without_a_file_says_so(year) -> None:
    table = show.raw(year.data, "no_such_table")
    assert table.to_dict("list") == {"说明": ["no_such_table 无此文件"]}


def test_raw_table_anchors_each_row_by_its_table_and_spreadsheet_line(year) -> None:
    table = show.raw_table(year.data, "publications")
    assert isinstance(table, show.Anchored)
    assert table.ids == tuple(f"raw-publications-{n}" for n in range(2, 7))
    assert table.frame.columns.tolist() == [
        "渠道(channel)",
        "数量(count)",
        "单位(unit)",
        "备注(note)",
    ]
    assert table.frame.values.tolist() == show.raw(year.data, "publications").values.tolist()
    assert '<tr id="raw-publications-2"><th>2</th><td>门户网站</td>' in table._repr_html_()
    assert isinstance(show.raw_table(year.data, "no_such_table"), pd.DataFrame)


def test_profile_view_anchors_each_key(year) -> None:
    view = show.profile_view(year.data)
    assert view.ids[:2] == ("raw-profile-institution", "raw-profile-document_number")
    assert view.frame.loc["institution", "值"] == "重庆机电职业技术大学"


# --- the statistics table --------------------------------------------------------------------


def test_rows_shows_only_the_rows_in_range_with_chinese_headings(year) -> None:
    view = show.rows(year.statistics, 10, 18)
    assert view.index.name == "行号"
    assert view.index.tolist() == list(range(10, 19))
    assert view.columns.tolist() == [
        "项目",
        "重算值",
        "单位",
        "计算方法",
        "数据来源(文件与行)",
        "公布值",
        "一致",
    ]
    assert view.loc[11, "重算值"] == 178 and view.loc[11, "公布值"] == "174"
    assert view.loc[11, "一致"] == "不一致" and view.loc[10, "一致"] == "一致"


def test_rows_table_anchors_each_row_and_links_its_source_to_the_raw_rows(year) -> None:
    table = show.rows_table(year.statistics, 10, 11)
    assert table.frame.equals(show.rows(year.statistics, 10, 11))
    assert table.ids == ("r-10", "r-11")
    row10, row11 = table.links["数据来源(文件与行)"]
    assert row10 == (("data/raw/2023-2024/publications.csv 第 2 行", "#raw-publications-2"),)
    assert row11[0] == ("data/raw/2023-2024/checklist.csv 第 2 行", "#raw-checklist-2")
    assert [href for _, href in row11] == [f"#raw-checklist-{n}" for n in range(2, 52)]
    html = table._repr_html_()
    assert '<tr id="r-10">' in html and '<a href="#raw-publications-2">' in html


def test_rows_hides_the_previous_year_column_when_no_previous_value_exists(year) -> None:
    assert year.statistics["previous"].isna().all()
    assert "上一学年" not in show.rows(year.statistics, 1, 55).columns


def test_rows_shows_the_previous_year_column_when_any_row_has_a_previous_value(year) -> None:
    stats = with_previous_values(year.statistics, {1: "有"})
    view = show.rows(stats, 10, 12)  # no previous value in this block: the column is still shown
    assert view.columns[-1] == "上一学年"
    assert view["上一学年"].tolist() == ["", "", ""]
    assert show.rows(stats, 1, 2)["上一学年"].tolist() == ["有", ""]


def test_rows_says_not_published_when_the_year_has_no_published_value(year) -> None:
    stats = year.statistics.assign(agrees=None, reported=None)
    view = show.rows(stats, 1, 3)
    assert view["一致"].tolist() == ["未公布"] * 3
    assert view["公布值"].tolist() == ["", "", ""]


def test_disagreements_lists_only_row_11_with_its_printed_number_and_values(year) -> None:
    table = show.disagreements(year.statistics)
    assert table.columns.tolist() == [
        "行号",
        "印刷序号",
        "项目",
        "重算值",
        "公布值",
        "数据来源(文件与行)",
    ]
    assert table[["行号", "印刷序号", "重算值", "公布值"]].values.tolist() == [
        [11, "11", 178, "174"]
    ]


def test_disagreements_leaves_out_rows_that_were_not_published(year) -> None:
    stats = year.statistics.assign(agrees=[None] * 55)
    assert show.disagreements(stats).empty


# --- findings and checklist ------------------------------------------------------------------


def test_findings_view_failed_only_keeps_the_19_failed_checks_in_chinese(year) -> None:
    view = show.findings_view(year.findings, failed_only=True)
    assert len(view) == 19
    assert view.columns.tolist() == [
        "编号",
        "级别",
        "类别",
        "校验项",
        "校验式",
        "代入数值",
        "通过",
        "数值来源",
        "依据",
        "修改建议",
        "原因",
        "问题",
    ]
    assert set(view["通过"]) == {"未通过"}
    assert view["级别"].value_counts().to_dict() == {"错误": 11, "提示": 8}
    assert "Y01" not in set(view["编号"])  # not applicable is not failed


def test_findings_view_of_all_checks_says_passed_failed_and_not_applicable(year) -> None:
    view = show.findings_view(year.findings).set_index("编号")
    assert len(view) == 71
    assert view.loc["C01", ["级别", "通过"]].tolist() == ["错误", "未通过"]
    assert view.loc["K05", ["级别", "通过"]].tolist() == ["提示", "未通过"]
    assert view.loc["A01", "通过"] == "通过"
    assert view.loc["Y01", "通过"] == "不适用"
    assert view.loc["C01", "原因"] == "K01" and view.loc["K01", "原因"] == ""


def test_findings_by_cause_lists_each_consequence_under_its_cause(year, shown) -> None:
    show.findings_by_cause(year.findings)
    ((args, _),) = shown
    html = args[0].data
    assert html.startswith('<ol class="findings-by-cause"><li>[错误] F03 ')
    assert html.count("由 K01 引起:") == 3 and html.count("由 F03 引起:") == 3
    assert html.count("由 S02 引起:") == 1
    assert "<li>由 K01 引起:[错误] C01 信息公开平台公开数不少于清单事项公开数" in html
    assert "修改建议:核对清单各事项的公开数量" in html
    assert '<a href="#r-11">统计表第 11 行</a>' in html


def test_findings_by_cause_says_so_when_everything_passes(year, shown) -> None:
    show.findings_by_cause(year.findings.assign(passed=True))
    assert shown[0][0][0].data == "<p>全部校验通过。</p>"


def test_checklist_view_has_the_50_items_under_chinese_headings(year) -> None:
    view = show.checklist_view(year.checklist)
    assert view.columns.tolist() == [
        "类别",
        "序号",
        "事项",
        "公开数量",
        "链接数",
        "不同链接数",
        "平台公布",
        "必须公开",
        "其他需说明事项",
    ]
    assert view["序号"].tolist() == list(range(1, 51))
    first = view.iloc[0]
    assert (first["类别"], first["公开数量"], first["链接数"], first["不同链接数"]) == (
        1,
        11,
        10,
        9,
    )


# --- blocks of the printed form --------------------------------------------------------------


def test_sections_displays_every_form_row_exactly_once_under_its_heading(year, shown) -> None:
    show.sections(year.statistics, year.data.sections)
    headings = [a[0].data for a, _ in shown if isinstance(a[0], Markdown)]
    tables = [a[0] for a, _ in shown if isinstance(a[0], show.Anchored)]
    assert len(headings) == len(tables) == 5 == len(shown) // 2
    assert headings[0] == "### 基本情况(第 1-9 行)"
    assert headings[1] == "### 主动公开与媒体报道(第 10-18 行)"
    assert [row for t in tables for row in t.frame.index] == list(range(1, 56))
    assert [i for t in tables for i in t.ids] == [f"r-{n}" for n in range(1, 56)]


def test_sections_heading_of_a_one_row_block_names_one_row(year, shown) -> None:
    show.sections(year.statistics, (Section("公开指南", 5, 5), Section("其他", 6, 7)))
    assert shown[0][0][0].data == "### 公开指南(第 5 行)"
    assert shown[1][0][0].frame.index.tolist() == [5]
    assert shown[3][0][0].frame.index.tolist() == [6, 7]


# --- figures ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("styled")
def test_figures_draws_the_three_unconditional_figures_and_names_the_skipped_two(year, shown):
    assert year.statistics.loc[year.statistics["row"] == 19, "value"].item() == 0
    drawn = show.figures(year.data.figures, year.statistics, year.categories, None, YEARS, SOURCE)
    assert [caption for _, caption in drawn] == [spec.caption for spec in year.data.figures]
    assert [image is not None for image, _ in drawn] == [True, True, True, False, False]
    tagged = [kw["metadata"][FIGURE_KEY] for _, kw in shown if FIGURE_KEY in kw.get("metadata", {})]
    assert tagged == ["publications_by_channel", "checklist_by_category", "media_by_prominence"]
    notes = [a[0].data for a, _ in shown if isinstance(a[0], Markdown)]
    assert notes == [
        "本学年未收到信息公开申请,不绘制依申请公开图。",
        "工作区中没有上一学年的数据,不绘制跨学年对比图。",
    ]


def test_figures_displays_the_same_png_bytes_it_returns(year, shown, styled) -> None:
    first = year.data.figures[:1]
    drawn = show.figures(first, year.statistics, year.categories, None, YEARS, SOURCE)
    image = shown[0][0][0]
    assert image.data == drawn[0][0]
    assert drawn[0][0].startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.usefixtures("styled")
def test_figures_draws_applications_and_across_years_when_their_conditions_hold(year, shown):
    stats = year.statistics.copy()
    stats.loc[stats["row"] == 19, "value"] = 3
    previous = year.statistics
    drawn = show.figures(year.data.figures, stats, year.categories, previous, YEARS, SOURCE)
    assert all(image is not None for image, _ in drawn)
    assert not [a for a, _ in shown if isinstance(a[0], Markdown)]
    tagged = [kw["metadata"][FIGURE_KEY] for _, kw in shown]
    assert tagged == [spec.name for spec in year.data.figures]


def test_figures_without_a_skipped_text_says_which_condition_failed(year, shown, styled) -> None:
    spec = next(s for s in year.data.figures if s.name == "applications")
    bare = dataclasses.replace(spec, skipped="")
    drawn = show.figures((bare,), year.statistics, year.categories, None, YEARS, SOURCE)
    assert drawn == [(None, "依申请公开情况")]
    assert shown[0][0][0].data == "不绘制“依申请公开情况”(条件 r19 > 0 不成立)。"


def test_chart_setup_returns_the_cjk_font_file(styled) -> None:
    assert show.chart_setup() == str(charts.cjk_font_file())


def test_html_displays_the_fragment_as_html(shown) -> None:
    show.html("<p>报告</p>")
    assert shown[0][0][0].data == "<p>报告</p>"
    assert type(shown[0][0][0]).__name__ == "HTML"


# --- strict runs -----------------------------------------------------------------------------


def test_stop_if_strict_raises_when_strict_and_an_error_failed() -> None:
    with pytest.raises(ChecksFailed, match="未通过校验:2 项错误级校验未通过"):
        show.stop_if_strict(True, {"rules": 41, "errors": 2, "warnings": 0})


@pytest.mark.parametrize(
    "strict, outcome",
    [
        (True, {"rules": 41, "errors": 0, "warnings": 6}),
        (False, {"rules": 41, "errors": 9, "warnings": 6}),
        (False, {"rules": 41, "errors": 0, "warnings": 0}),
    ],
)
def test_stop_if_strict_lets_the_run_go_on_without_strict_or_without_errors(strict, outcome):
    assert show.stop_if_strict(strict, outcome) is None
