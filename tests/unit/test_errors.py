"""The package's exceptions and the input problem naming file, row and column (errors.py)."""

from pathlib import Path

import pytest

from disclosure import errors
from disclosure.errors import (
    ChecksFailed,
    ExpressionError,
    FontMissing,
    InputError,
    Problem,
    RunFailed,
)

# --- Problem ------------------------------------------------------------------------------------


def test_problem_without_row_or_column_is_file_then_message():
    assert str(Problem("params/2023-2024.yaml", "缺少参数")) == "params/2023-2024.yaml:缺少参数"


def test_problem_with_row_names_the_spreadsheet_row():
    assert str(Problem("a.csv", "不能为空", row=3)) == "a.csv 第 3 行:不能为空"


def test_problem_with_column_only_names_the_column():
    assert str(Problem("a.csv", "重复", column="count")) == "a.csv 列“count”:重复"


def test_problem_with_row_and_column_names_both_row_first():
    problem = Problem("a.csv", "应为非负整数", row=7, column="count")
    assert str(problem) == "a.csv 第 7 行 列“count”:应为非负整数"


def test_problem_row_zero_is_still_shown():
    # row 0 is a row number, not "no row": only None means no row
    assert str(Problem("a.csv", "m", row=0)) == "a.csv 第 0 行:m"


def test_problem_empty_column_name_is_not_shown():
    assert str(Problem("a.csv", "m", column="")) == "a.csv:m"


def test_problem_defaults_to_no_row_and_no_column():
    problem = Problem("f", "m")
    assert (problem.row, problem.column) == (None, None)


def test_problem_is_frozen_and_comparable():
    assert Problem("f", "m", 2, "c") == Problem("f", "m", 2, "c")
    with pytest.raises(AttributeError):
        Problem("f", "m").row = 3  # type: ignore[misc]


# --- InputError ---------------------------------------------------------------------------------


def test_input_error_keeps_every_problem_in_order():
    problems = [Problem("a.csv", "一", row=2), Problem("b.csv", "二"), Problem("c.yaml", "三")]
    error = InputError(problems)
    assert error.problems == problems


def test_input_error_message_joins_every_problem_one_per_line():
    error = InputError([Problem("a.csv", "一", row=2, column="x"), Problem("b.csv", "二")])
    assert str(error) == "a.csv 第 2 行 列“x”:一\nb.csv:二"


def test_input_error_copies_the_list_it_was_given():
    problems = [Problem("a.csv", "一")]
    error = InputError(problems)
    problems.append(Problem("b.csv", "二"))
    assert len(error.problems) == 1


def test_input_error_one_builds_a_single_problem_with_row_and_column():
    error = InputError.one("a.csv", "不能为空", row=4, column="channel")
    assert isinstance(error, InputError)
    assert error.problems == [Problem("a.csv", "不能为空", 4, "channel")]
    assert str(error) == "a.csv 第 4 行 列“channel”:不能为空"


def test_input_error_one_without_row_or_column():
    error = InputError.one("params/x.yaml", "缺少参数")
    assert error.problems == [Problem("params/x.yaml", "缺少参数", None, None)]
    assert str(error) == "params/x.yaml:缺少参数"


def test_input_error_is_an_exception_that_can_be_raised_and_caught():
    with pytest.raises(InputError, match="坏了"):
        raise InputError.one("f", "坏了")


# --- the other exceptions -----------------------------------------------------------------------


def test_run_failed_keeps_the_failed_notebook_folder_and_message(tmp_path):
    error = RunFailed("内核退出", tmp_path / "failed")
    assert error.failed_dir == tmp_path / "failed"
    assert str(error) == "内核退出"


def test_run_failed_without_a_folder():
    assert RunFailed("内核退出", None).failed_dir is None


def test_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)
    with pytest.raises(ValueError, match="语法错误"):
        raise ExpressionError("语法错误")


def test_checks_failed_and_font_missing_are_runtime_errors():
    assert issubclass(ChecksFailed, RuntimeError)
    assert issubclass(FontMissing, RuntimeError)


@pytest.mark.parametrize(
    "name",
    ["Problem", "InputError", "ExpressionError", "RunFailed", "ChecksFailed", "FontMissing"],
)
def test_every_exception_is_defined_in_errors_py(name):
    cls = getattr(errors, name)
    assert cls.__module__ == "disclosure.errors"


def test_expr_uses_the_expression_error_of_errors_py():
    from disclosure import expr

    assert expr.ExpressionError is ExpressionError


def test_errors_py_imports_nothing_from_the_package():
    # every stage imports errors.py; an import back into the package would be a cycle
    source = Path(errors.__file__).read_text(encoding="utf-8")
    assert "from disclosure" not in source and "import disclosure" not in source
