"""Loading and validating params/<year>.yaml (disclosure.params)."""

import shutil
from pathlib import Path

import pytest
import yaml

from disclosure.errors import InputError
from disclosure.inputs.params import Correction, load_params, params_path, valid_academic_year

REPO = Path(__file__).resolve().parents[3]
YEAR = "2023-2024"
FILE = f"params/{YEAR}.yaml"


@pytest.fixture
def workspace(tmp_path):
    """A tiny workspace: the real forms and reference data, an empty data folder, no params yet."""
    shutil.copytree(REPO / "forms", tmp_path / "forms")
    shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    (tmp_path / "data" / "raw" / YEAR).mkdir(parents=True)
    (tmp_path / "params").mkdir()
    return tmp_path


def write_params(root, content, year=YEAR):
    path = root / "params" / f"{year}.yaml"
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(root, year=YEAR):
    with pytest.raises(InputError) as exc:
        load_params(root, year)
    return exc.value.problems


def messages(problems):
    return [p.message for p in problems]


VALID = {
    "academic_year": YEAR,
    "data_dir": f"data/raw/{YEAR}",
    "institution": "某某大学",
    "yoy_threshold": 0.5,
}


# --- valid ----------------------------------------------------------------------------------------


def test_valid_params(workspace):
    write_params(workspace, {"academic_year": "2022-2023"}, year="2022-2023")
    write_params(workspace, {**VALID, "previous_year": "2022-2023"})
    params = load_params(workspace, YEAR)
    assert params.academic_year == YEAR
    assert params.data_dir == f"data/raw/{YEAR}"
    assert params.institution == "某某大学"
    assert params.previous_year == "2022-2023"
    assert params.yoy_threshold == 0.5
    assert params.corrections == ()
    assert (params.start.isoformat(), params.end.isoformat()) == ("2023-09-01", "2024-08-31")


def test_data_dir_defaults_to_data_raw_year(workspace):
    write_params(workspace, {"academic_year": YEAR})
    assert load_params(workspace, YEAR).data_dir == f"data/raw/{YEAR}"


def test_integer_threshold_is_accepted_as_float(workspace):
    write_params(workspace, {**VALID, "yoy_threshold": 2})
    params = load_params(workspace, YEAR)
    assert params.yoy_threshold == 2.0
    assert isinstance(params.yoy_threshold, float)


def test_the_real_params_file_loads():
    params = load_params(REPO, YEAR)
    assert params.institution == "重庆机电职业技术大学"


# One well-formed correction; the tests below each break one thing in a copy of it.
GOOD_CORRECTION = {
    "table": "checklist",
    "match": {"item": 7},
    "field": "count",
    "value": 3,
    "reason": "按第一行读数",
    "by": "张三",
    "on": "2024-11-20",
}


def test_valid_correction_is_parsed(workspace):
    correction = dict(GOOD_CORRECTION)
    write_params(workspace, {**VALID, "corrections": [correction]})
    (parsed,) = load_params(workspace, YEAR).corrections
    assert parsed == Correction(
        table="checklist",
        match={"item": 7},
        field="count",
        value=3,
        reason="按第一行读数",
        by="张三",
        on="2024-11-20",
        expect=1,
    )


# --- one problem at a time ------------------------------------------------------------------------


def test_unknown_key(workspace):
    write_params(workspace, {**VALID, "colour": "red"})
    (problem,) = problems_of(workspace)
    assert problem.file == FILE
    assert "未知参数“colour”" in problem.message
    assert "academic_year、data_dir" in problem.message  # lists what is allowed


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("yoy_threshold", "high", "0 到 10 之间的数"),
        ("yoy_threshold", True, "0 到 10 之间的数"),
        ("institution", 42, "学校名称(文本)"),
        ("academic_year", 2023, "形如 2023-2024 的学年"),
        ("corrections", {"table": "x"}, "更正列表"),
    ],
)
def test_wrong_type(workspace, key, value, expected):
    write_params(workspace, {**VALID, key: value})
    found = messages(problems_of(workspace))
    assert any(f"参数“{key}”" in m and "类型不对" in m and expected in m for m in found), found


@pytest.mark.parametrize("threshold", [0, -1, 11])
def test_threshold_out_of_range(workspace, threshold):
    write_params(workspace, {**VALID, "yoy_threshold": threshold})
    (problem,) = problems_of(workspace)
    assert "yoy_threshold" in problem.message and "超出范围" in problem.message


@pytest.mark.parametrize("bad", ["2023-2025", "23-24", "2023/2024", "2024-2023"])
def test_bad_academic_year_format(workspace, bad):
    write_params(workspace, {**VALID, "academic_year": bad})
    found = messages(problems_of(workspace))
    assert any(f"“{bad}”不是有效学年" in m and "YYYY-YYYY" in m for m in found), found


def test_bad_previous_year(workspace):
    write_params(workspace, {**VALID, "previous_year": "2022-2024"})
    (problem,) = problems_of(workspace)
    assert "previous_year" in problem.message and "“2022-2024”不是有效学年" in problem.message


# --- previous_year: a valid year, earlier than this one, whose params exist ---------------------


@pytest.mark.parametrize(
    "previous, says",
    [
        ("2024-2025", "参数“previous_year”为“2024-2025”,晚于本学年 2023-2024"),
        ("2030-2031", "参数“previous_year”为“2030-2031”,晚于本学年 2023-2024"),
        (YEAR, f"参数“previous_year”为“{YEAR}”,与本学年相同"),
    ],
)
def test_previous_year_not_earlier_than_this_year(workspace, previous, says):
    write_params(workspace, {"academic_year": previous}, year=previous)  # exists, still refused
    write_params(workspace, {**VALID, "previous_year": previous})
    (problem,) = problems_of(workspace)
    assert problem.file == FILE
    assert problem.message.startswith(says)
    assert "上一学年应早于本学年(如 2022-2023)" in problem.message


def test_previous_year_given_without_its_params_file(workspace):
    write_params(workspace, {**VALID, "previous_year": "2021-2022"})
    (problem,) = problems_of(workspace)
    assert problem.file == FILE
    assert problem.message.startswith(
        "参数“previous_year”指定的上一学年 2021-2022 没有参数文件 params/2021-2022.yaml"
    )
    assert "删去 previous_year" in problem.message


def test_previous_year_two_years_back_with_its_params_file_is_accepted(workspace):
    write_params(workspace, {"academic_year": "2021-2022"}, year="2021-2022")
    write_params(workspace, {**VALID, "previous_year": "2021-2022"})
    assert load_params(workspace, YEAR).previous_year == "2021-2022"


def test_default_previous_year_may_be_absent(workspace):
    write_params(workspace, VALID)  # no previous_year and no params/2022-2023.yaml: a first year
    assert load_params(workspace, YEAR).previous_year is None


def test_badly_formed_previous_year_is_reported_once(workspace):
    write_params(workspace, {**VALID, "previous_year": "2024-2023"})
    (problem,) = problems_of(workspace)  # not also "later" or "no params file"
    assert "“2024-2023”不是有效学年" in problem.message


def test_academic_year_differs_from_file_name(workspace):
    write_params(workspace, {**VALID, "academic_year": "2022-2023"})
    (problem,) = problems_of(workspace)  # valid in itself, only the mismatch is reported
    assert "2022-2023" in problem.message
    assert f"与文件名的学年 {YEAR} 不一致" in problem.message


def test_missing_academic_year(workspace):
    write_params(workspace, {"data_dir": f"data/raw/{YEAR}"})
    (problem,) = problems_of(workspace)
    assert "缺少参数“academic_year”" in problem.message


def test_data_dir_missing(workspace):
    write_params(workspace, {**VALID, "data_dir": "data/raw/nowhere"})
    (problem,) = problems_of(workspace)
    assert "data_dir" in problem.message
    assert "“data/raw/nowhere”不存在" in problem.message


def test_data_dir_with_backslashes_suggests_slashes_and_says_whether_that_folder_exists(workspace):
    write_params(workspace, {**VALID, "data_dir": f"data\\raw\\{YEAR}"})
    (problem,) = problems_of(workspace)
    assert problem.message == (
        f"参数“data_dir”指向的“data\\raw\\{YEAR}”不存在:路径中用了反斜杠“\\”(Windows 的写法);"
        f"请改用“/”分隔,写成 data/raw/{YEAR}(该文件夹存在)"
    )
    write_params(workspace, {**VALID, "data_dir": "data\\raw\\nowhere"})
    (problem,) = problems_of(workspace)
    assert problem.message.endswith("写成 data/raw/nowhere")


def test_data_dir_that_is_a_file(workspace):
    (workspace / "data" / "raw" / "2023-2024.csv").write_text("channel,count\n", encoding="utf-8")
    write_params(workspace, {**VALID, "data_dir": "data/raw/2023-2024.csv"})
    (problem,) = problems_of(workspace)
    assert problem.message.startswith(
        "参数“data_dir”指向的“data/raw/2023-2024.csv”是一个文件,不是文件夹"
    )


def test_default_data_dir_missing(workspace):
    shutil.rmtree(workspace / "data" / "raw" / YEAR)
    write_params(workspace, {"academic_year": YEAR})
    (problem,) = problems_of(workspace)
    assert f"data/raw/{YEAR}" in problem.message and "不存在" in problem.message


@pytest.mark.parametrize("escape", ["../..", "../outside", "/tmp"])
def test_data_dir_escaping_the_workspace(workspace, escape):
    write_params(workspace, {**VALID, "data_dir": escape})
    (problem,) = problems_of(workspace)
    assert problem.file == FILE
    assert "data_dir" in problem.message
    assert "工作区之外" in problem.message


def test_correction_missing_reason(workspace):
    correction = {k: v for k, v in GOOD_CORRECTION.items() if k != "reason"}
    write_params(workspace, {**VALID, "corrections": [correction]})
    (problem,) = problems_of(workspace)
    assert "第 1 条更正缺少:reason" in problem.message
    assert "原因" in problem.message


def test_correction_unknown_key_and_not_a_mapping(workspace):
    corrections = [{**GOOD_CORRECTION, "colour": 1}, "just text"]
    write_params(workspace, {**VALID, "corrections": corrections})
    found = messages(problems_of(workspace))
    assert any("第 1 条更正有未知键:colour" in m for m in found)
    assert any(m.startswith("第 2 条更正应为映射") for m in found)


def test_correction_with_empty_match_on_a_table(workspace):
    correction = {**GOOD_CORRECTION, "match": {}}
    write_params(workspace, {**VALID, "corrections": [correction]})
    (problem,) = problems_of(workspace)
    assert "match 应为非空映射" in problem.message


def test_correction_with_non_numeric_expect(workspace):
    correction = {**GOOD_CORRECTION, "expect": "two"}
    write_params(workspace, {**VALID, "corrections": [correction]})
    (problem,) = problems_of(workspace)
    assert "expect" in problem.message


def test_not_a_mapping(workspace):
    write_params(workspace, "- just\n- a list\n")
    (problem,) = problems_of(workspace)
    assert "映射" in problem.message


def test_yaml_syntax_error_names_the_line(workspace):
    write_params(workspace, f"academic_year: {YEAR}\ndata_dir: [unclosed\n")
    (problem,) = problems_of(workspace)
    assert problem.file == FILE
    assert "YAML 格式错误" in problem.message
    assert problem.row is not None and problem.row >= 2


def test_tab_indentation_gets_a_hint(workspace):
    write_params(workspace, f"academic_year: {YEAR}\ncorrections:\n\t- table: x\n")
    (problem,) = problems_of(workspace)
    assert "Tab" in problem.message


# --- every problem is collected, not only the first -----------------------------------------------


def test_all_problems_are_collected(workspace):
    write_params(
        workspace,
        {
            "academic_year": "2023-2025",
            "data_dir": "../..",
            "colour": "red",
            "yoy_threshold": "high",
            "corrections": [{k: v for k, v in GOOD_CORRECTION.items() if k != "reason"}],
        },
    )
    problems = problems_of(workspace)
    found = messages(problems)
    expected = [
        "未知参数“colour”",
        "参数“yoy_threshold”的值“high”类型不对",
        "“2023-2025”不是有效学年",
        f"与文件名的学年 {YEAR} 不一致",
        "工作区之外",
        "第 1 条更正缺少:reason",
    ]
    for part in expected:
        assert any(part in m for m in found), (part, found)
    assert len(problems) == len(expected)
    assert all(p.file == FILE for p in problems)


def test_input_error_text_lists_every_problem(workspace):
    write_params(workspace, {**VALID, "colour": 1, "shape": 2})
    with pytest.raises(InputError) as exc:
        load_params(workspace, YEAR)
    text = str(exc.value)
    assert "colour" in text and "shape" in text
    assert text.count(FILE) == 2


# --- the year given on the command line -----------------------------------------------------------


def test_params_path_of_a_known_year(workspace):
    path = write_params(workspace, VALID)
    assert params_path(workspace, YEAR) == path


def test_unknown_year_on_the_command_line(workspace):
    write_params(workspace, VALID)
    with pytest.raises(InputError) as exc:
        params_path(workspace, "2022-2023")
    (problem,) = exc.value.problems
    assert problem.file == "params/2022-2023.yaml"
    assert "没有学年 2022-2023 的参数文件" in problem.message
    assert f"已有的学年:{YEAR}" in problem.message


def test_unknown_year_when_there_are_no_params(workspace):
    with pytest.raises(InputError, match="已有的学年:无"):
        load_params(workspace, YEAR)


@pytest.mark.parametrize("bad", ["23-24", "2023-2025", "2023", "../2023-2024"])
def test_malformed_year_on_the_command_line(workspace, bad):
    write_params(workspace, VALID)
    with pytest.raises(InputError) as exc:
        params_path(workspace, bad)
    (problem,) = exc.value.problems
    assert problem.file == "命令行"
    assert f"“{bad}”不是有效学年" in problem.message


# --- valid_academic_year (was check_year) ---------------------------------------------------------


@pytest.mark.parametrize("year", ["2023-2024", "1999-2000", "2099-2100"])
def test_valid_academic_year_accepts_consecutive_years(year):
    assert valid_academic_year(year, FILE) == []


@pytest.mark.parametrize(
    "bad",
    ["2023-2025", "2023/2024", 2023, "2024-2023", "2023-2023", "2023-2024 ", "x2023-2024", None],
)
def test_valid_academic_year_refuses_with_the_chinese_message(bad):
    (problem,) = valid_academic_year(bad, FILE)
    assert problem.file == FILE
    assert (problem.row, problem.column) == (None, None)
    expected = (
        f"参数“academic_year”的值“{bad}”不是有效学年,"
        "应为 YYYY-YYYY 且后一年比前一年大 1(如 2023-2024)"
    )
    assert problem.message == expected


def test_valid_academic_year_names_the_key_it_was_given():
    (problem,) = valid_academic_year("2022-2024", "命令行", "学年")
    assert problem.file == "命令行"
    assert problem.message.startswith("参数“学年”的值“2022-2024”不是有效学年")


def test_check_year_is_gone_after_the_rename():
    from disclosure.inputs import params

    assert not hasattr(params, "check_year")


def test_valid_academic_year_refuses_a_trailing_newline():
    assert valid_academic_year("2023-2024\n", FILE) != []
