"""Numbers that cannot lie: extreme values on a copy of the real 2023-2024 workspace.

Counts have a declared range (the `max:` ceilings of forms/tables.yaml), so 2^62 or 10^20 in a cell
is an input error naming the file, the spreadsheet row and the column, never a crash and never a
number in the report. Sums are exact Python ints, so even without the ceiling nothing wraps around
at 2^63. A published table one line longer than the form, full-width digits in the published table
and a bad `previous_year` are each handled with a message, not a crash.

Editing a raw file makes check D01 (SOURCE.yaml hashes) fail by design; that is a finding, not a
crash, and is not asserted here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from workspaces import build_workspace

from disclosure import pipeline
from disclosure.compute.checklist import checklist_categories
from disclosure.compute.narrative import year_context
from disclosure.compute.statistics import exact_sum, row_value
from disclosure.errors import InputError
from disclosure.expr import FUNCTIONS, evaluate, parse
from disclosure.inputs.forms import RowDef
from disclosure.present import bundle, charts, document, excel, report, word

YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"
PARAMS = f"params/{YEAR}.yaml"
A = f"{RAW}/applications.csv"
BIG = 2**62


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return build_workspace(tmp_path / "ws", repo_years=True)


def append_rows(root: Path, table: str, rows: list[dict[str, object]]) -> None:
    """Append rows (by column name) to a raw CSV of the year."""
    path = root / RAW / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path.write_text(text + buffer.getvalue(), encoding="utf-8")


def set_cell(root: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell addressed as in Excel: line 1 is the header."""
    path = root / RAW / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[line - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def refused(root: Path) -> list[str]:
    """check_year must refuse the input (InputError, never another exception); its problems."""
    with pytest.raises(InputError) as exc:
        pipeline.check_year(root, YEAR)
    return [str(p) for p in exc.value.problems]


def application(number: int, count: object) -> dict[str, object]:
    return {
        "id": f"2023-{number:03d}",
        "received": "2023-10-09",
        "channel": "电子邮件",
        "applicant": "公民",
        "topic": "招生",
        "concluded": "是",
        "outcome": "同意公开",
        "fee": 0,
        "count": count,
    }


def render(result: pipeline.YearResult, to_png: bool = False) -> None:
    """The kernel-free parts of `run`: every figure, the results bundle, the report fragments."""
    data, stats, before = result.data, result.statistics, result.previous
    charts.setup()
    for spec in data.figures:
        figure = charts.draw(
            spec, stats, result.categories, before.statistics, (before.year, data.year), "来源"
        )
        if to_png:
            assert charts.png(figure).startswith(b"\x89PNG")
        else:
            plt.close(figure)
    bundle.results(stats, result.checklist, result.categories, result.findings)
    ctx = year_context(data, stats)
    doc = document.build(data.profile, data.narrative, ctx, stats, result.checklist, data.year, "")
    report.statistics_table(doc, review=True)
    report.checklist_table(doc)
    report.body(doc)
    word.docx_bytes(doc)
    excel.xlsx_bytes(doc)


# --- 2^62 twice -----------------------------------------------------------------------------------


def test_two_application_counts_of_2_62_are_refused_naming_file_row_and_column(ws):
    append_rows(ws, "applications", [application(1, BIG), application(2, BIG)])
    problems = refused(ws)
    expected = (
        "第 {line} 行 列“count”:应为不超过 1000000 的非负整数,实际为 4611686018427387904"
        "(超过 forms/tables.yaml 为该列规定的上限"
    )
    assert len(problems) == 2, problems
    for line, problem in zip((2, 3), problems, strict=True):
        assert problem.startswith(f"{A} {expected.format(line=line)}"), problem


def test_the_sum_functions_are_exact_for_2_62_plus_2_62():
    assert BIG + BIG == 2**63  # one more than int64 can hold
    frame = pd.DataFrame({"count": [BIG, BIG], "_line": [2, 3]})  # int64, as pandas reads numbers
    # compute/statistics: a form row's sum
    row = RowDef(row=19, label="", unit="件", kind="count", source="applications")
    fake = type("Fake", (), {"tables": {"applications": frame}, "table_files": {"applications": A}})
    assert row_value(row, fake())[0] == 2**63
    assert exact_sum(frame["count"]) == 2**63
    # expr: sum() in a rule
    assert FUNCTIONS["sum"](frame["count"]) == 2**63
    assert evaluate(parse("sum(applications.count)"), {"applications.count": frame["count"]}) == (
        2**63
    )
    # compute/checklist: the total of a category
    items = pd.DataFrame(
        {
            "ref_category": [1, 1],
            "category_name": ["基本信息", "基本信息"],
            "item": [1, 2],
            "published": [True, True],
            "count": pd.Series([BIG, BIG], dtype=object),
        }
    )
    assert checklist_categories(items)["count"].tolist() == [2**63]


def test_without_the_ceiling_2_62_twice_is_summed_exactly_through_check_and_run(ws):
    """Lift the ceiling in this workspace's form: the rebuilt row is 2^63 exactly, not -2^63."""
    form = ws / "forms" / "tables.yaml"
    edit_yaml(form, lambda d: d["tables"]["applications"]["columns"]["count"].pop("max"))
    append_rows(ws, "applications", [application(1, BIG), application(2, BIG)])
    result = pipeline.check_year(ws, YEAR)
    value = result.statistics.set_index("row")["value"]
    assert value[19] == value[20] == value[29] == value[47] == 2**63
    findings = result.findings.set_index("id")
    assert findings.loc["A01", "passed"] == True  # noqa: E712  (2^63 == 0 + 0 + 2^63 + 0)
    render(result, to_png=True)


# --- 10^20 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, line, column",
    [
        ("publications", 2, "count"),
        ("checklist", 8, "count"),
        ("internal", 3, "count"),
        ("media_reports", 2, "count"),
    ],
)
def test_a_count_of_10_20_is_refused_at_input_never_a_crash(ws, table, line, column):
    set_cell(ws, table, line, column, str(10**20))
    (problem,) = refused(ws)
    assert problem.startswith(f"{RAW}/{table}.csv 第 {line} 行 列“{column}”:应为不超过 "), problem
    assert f"实际为 {10**20}(" in problem


def test_an_application_count_and_fee_of_10_20_are_both_refused(ws):
    append_rows(ws, "applications", [{**application(1, 10**20), "fee": 10**20}])
    problems = refused(ws)
    assert [p.split(":", 1)[0] for p in problems] == [
        f"{A} 第 2 行 列“fee”",
        f"{A} 第 2 行 列“count”",
    ]


@pytest.mark.parametrize("key", ["staff_full_time", "special_funding_amount", "columns_opened"])
def test_a_profile_int_of_10_20_is_refused_naming_the_key(ws, key):
    edit_yaml(ws / RAW / "profile.yaml", lambda d: d.update({key: 10**20}))
    (problem,) = refused(ws)
    assert problem.startswith(f"{RAW}/profile.yaml:“{key}”应为不超过 "), problem
    assert f"实际为 {10**20}(" in problem


def test_a_profile_correction_of_10_20_is_refused_like_a_written_value(ws):
    correction = {
        "table": "profile",
        "field": "staff_part_time",
        "value": 10**20,
        "reason": "测试",
        "by": "张三",
        "on": "2024-11-20",
    }
    edit_yaml(ws / PARAMS, lambda d: d.update(corrections=[correction]))
    (problem,) = refused(ws)
    assert problem.startswith(
        f"{PARAMS}:第 1 条更正(profile.staff_part_time):更正值“{10**20}”不合格"
    ), problem


def test_a_table_correction_of_10_20_is_refused(ws):
    correction = {
        "table": "publications",
        "match": {"channel": "门户网站"},
        "field": "count",
        "value": 10**20,
        "reason": "测试",
        "by": "张三",
        "on": "2024-11-20",
    }
    edit_yaml(ws / PARAMS, lambda d: d.update(corrections=[correction]))
    (problem,) = refused(ws)
    assert problem.startswith(f"{PARAMS}:第 1 条更正(publications.count)"), problem
    assert "应为不超过 10000000 的非负整数" in problem


def test_counts_at_the_ceilings_pass_check_and_run(ws):
    for line in range(2, 7):
        set_cell(ws, "publications", line, "count", "10000000")
    set_cell(ws, "media_reports", 2, "count", "1000000")
    append_rows(ws, "applications", [application(n, 1_000_000) for n in range(1, 4)])
    result = pipeline.check_year(ws, YEAR)
    value = result.statistics.set_index("row")["value"]
    assert (value[10], value[16], value[19]) == (10_000_000, 1_000_000, 3_000_000)
    render(result)


# --- the published table --------------------------------------------------------------------------


def test_a_56th_published_line_does_not_crash_check_or_run(ws):
    path = ws / RAW / "reported_statistics.csv"
    path.write_text(path.read_text(encoding="utf-8") + "56,多出的一行,0,件\n", encoding="utf-8")
    result = pipeline.check_year(ws, YEAR)
    assert len(result.data.tables["reported_statistics"]) == 56
    assert len(result.statistics) == 55
    assert result.statistics["row"].tolist() == list(range(1, 56))
    render(result)


def test_full_width_published_digits_agree_with_the_rebuilt_value(ws):
    set_cell(ws, "reported_statistics", 17, "value", "５６")  # form row 16, rebuilt 56
    result = pipeline.check_year(ws, YEAR)
    row16 = result.statistics.set_index("row").loc[16]
    assert (row16["value"], row16["reported"], row16["published"]) == (56, "５６", 56)
    assert row16["agrees"] == True  # noqa: E712
    p01 = result.findings.set_index("id").loc["P01"]
    assert "第 16 行" not in str(p01["filled"])  # row 11 still disagrees (178 vs 174)
    assert "第 11 行" in str(p01["filled"])


# --- previous_year --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "previous, says",
    [
        ("2024-2025", "参数“previous_year”为“2024-2025”,晚于本学年 2023-2024"),
        (YEAR, "参数“previous_year”为“2023-2024”,与本学年相同"),
        (
            "2022-2023",
            "参数“previous_year”指定的上一学年 2022-2023 没有参数文件 params/2022-2023.yaml",
        ),
    ],
    ids=["later", "equal", "missing"],
)
def test_a_bad_previous_year_is_refused_naming_the_params_file(ws, previous, says):
    edit_yaml(ws / PARAMS, lambda d: d.update(previous_year=previous))
    (problem,) = refused(ws)
    assert problem.startswith(f"{PARAMS}:{says}"), problem


def test_without_previous_year_a_missing_previous_year_is_the_normal_first_year(ws):
    result = pipeline.check_year(ws, YEAR)
    assert result.previous == pipeline.Previous("2022-2023", None)
