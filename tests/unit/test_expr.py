"""The safe expression language used by `where` filters and rule checks (disclosure.expr)."""

import ast
import math

import numpy as np
import pandas as pd
import pytest

from disclosure.expr import (
    FUNCTIONS,
    ExpressionError,
    blank,
    compact,
    evaluate,
    fill,
    is_count,
    is_text,
    names,
    number,
    parse,
    parsed,
    percent,
)

# --- parse: names, table.column, literals, arithmetic, comparisons, and/or/not, FUNCTIONS calls ---


@pytest.mark.parametrize(
    "text",
    [
        "r19 == r27 + r28 + r29 + r30",
        "channel == '门户网站'",
        "front_page == '是' and headline == '是'",
        "not concluded == '是' or fee > 0",
        "topic in ['财务', '招生']",
        "topic not in ('财务',)",
        "-r7 * 2 / 3 - 1 <= 0",
        "0 < r10 <= 1000",
        "abs(value - previous) <= yoy_threshold * max(previous, 1)",
        "sum(checklist.count) == p11",
        "not blank(line) and is_count(count) and is_text(text)",
        "number(printed_no) == row and compact(value) == compact(published)",
        "min(a, b) < 0 or percent(x) == '+0%'",
        "r19.real > 0",
    ],
)
def test_parse_accepts_the_language(text):
    tree = parse(text)
    assert tree.body is not None


@pytest.mark.parametrize(
    "text, shown",
    [
        ("__import__('os').system('id')", "__import__"),
        ("open('/etc/passwd')", "open("),
        ("len(x)", "len(x)"),
        ("x.__class__", "x.__class__"),
        ("checklist._private", "checklist._private"),
        ("a.b.c", "a.b.c"),
        ("x.count()", "x.count()"),
        ("abs(x=1)", "abs(x=1)"),
        ("max(*x)", "*x"),
        ("sum(x)(1)", "sum(x)(1)"),
        ("x[0]", "x[0]"),
        ("lambda: 1", "lambda"),
        ("x if y else z", "x if y else z"),
        ("[c for c in x]", "[c for c in x]"),
        ("{'a': 1}", "{'a': 1}"),
    ],
)
def test_parse_rejects_other_calls_dunder_attributes_subscripts_lambdas(text, shown):
    with pytest.raises(ExpressionError) as exc:
        parse(text)
    message = str(exc.value)
    assert "不允许" in message
    assert shown in message
    assert text in message  # the whole expression is quoted for the user


@pytest.mark.parametrize("text", ["import os", "x = 1", "a := 1", "r19 ==", "def f(): pass"])
def test_parse_rejects_statements_and_syntax_errors(text):
    with pytest.raises(ExpressionError, match="语法错误"):
        parse(text)


@pytest.mark.parametrize(
    "text, operator",
    [("2 ** 3", "Pow"), ("a % 2", "Mod"), ("a // 2", "FloorDiv")],
)
def test_parse_rejects_operators_outside_the_language(text, operator):
    with pytest.raises(ExpressionError, match=operator):
        parse(text)


@pytest.mark.parametrize("text", ["None", "b'x'", "x == ..."])
def test_parse_rejects_constants_of_other_types(text):
    with pytest.raises(ExpressionError, match="类型不允许"):
        parse(text)


def test_parse_rejects_identity_comparison():
    with pytest.raises(ExpressionError, match="Is"):
        parse("a is b")


def test_parse_strips_surrounding_whitespace():
    assert names(parse("  r1 == '有'\n")) == ["r1"]


# --- names --------------------------------------------------------------------


def test_names_are_distinct():
    found = names(parse("r19 == r27 + r19 + r28"))
    assert sorted(found) == ["r19", "r27", "r28"]
    assert len(found) == 3


def test_names_in_order_of_first_appearance():
    assert names(parse("r19 == r27 + r28 + r29 + r30")) == ["r19", "r27", "r28", "r29", "r30"]


def test_names_ignore_string_literals():
    assert names(parse("channel == 'r10'")) == ["channel"]


def test_names_list_table_columns_but_not_function_names():
    assert names(parse("sum(checklist.count) == p11")) == ["checklist.count", "p11"]
    found = names(parse("abs(value - previous) <= yoy_threshold * max(previous, 1)"))
    assert found == ["value", "previous", "yoy_threshold"]


def test_names_inside_nested_calls():
    assert names(parse("compact(number(a)) == compact(b)")) == ["a", "b"]


# --- evaluate on scalars ------------------------------------------------------


@pytest.mark.parametrize(
    "text, env, expected",
    [
        ("r19 == r27 + r28", {"r19": 5, "r27": 2, "r28": 3}, True),
        ("r19 == r27 + r28", {"r19": 5, "r27": 2, "r28": 2}, False),
        ("r20 <= r19", {"r19": 3, "r20": 4}, False),
        ("r54 != '不收费' or r55 == 0", {"r54": "不收费", "r55": 0}, True),
        ("r54 != '不收费' or r55 == 0", {"r54": "不收费", "r55": 50}, False),
        ("not r1 == '有'", {"r1": "有"}, False),
        ("x in ['a', 'b']", {"x": "b"}, True),
        ("x not in ['a', 'b']", {"x": "b"}, False),
        ("1 < x <= 3", {"x": 3}, True),
        ("1 < x <= 3", {"x": 4}, False),
        ("-x + 2 * 3 / 2", {"x": 1}, 2.0),
        ("0 or 5", {}, 5),
        ("0 and y", {"y": 5}, 0),
    ],
)
def test_evaluate_scalars(text, env, expected):
    assert evaluate(parse(text), env) == expected


def test_evaluate_unknown_name_names_it():
    with pytest.raises(ExpressionError, match="未知名称“r99”"):
        evaluate(parse("r99 == 0"), {"r1": 1})


def test_attribute_of_a_name_parses_but_is_an_unknown_name_when_evaluated():
    tree = parse("r19.real > 0")
    assert names(tree) == ["r19.real"]
    with pytest.raises(ExpressionError, match="未知名称“r19.real”"):
        evaluate(tree, {"r19": 5})


def test_refused_call_lists_the_functions():
    with pytest.raises(ExpressionError) as exc:
        parse("len(x) > 0")
    functions = "abs、max、min、sum、blank、number、compact、is_count、is_text、percent"
    assert str(exc.value) == f"表达式“len(x) > 0”中不允许调用“len(x)”;可用的函数:{functions}"


def test_refused_attribute_says_only_table_column():
    with pytest.raises(ExpressionError) as exc:
        parse("x.__class__")
    assert str(exc.value) == "表达式“x.__class__”中不允许“x.__class__”;只能写“表名.列名”"


# --- evaluate on pandas Series (where-filters) --------------------------------


@pytest.fixture
def media():
    # object dtype, as disclosure.validate builds its frames
    return {
        "front_page": pd.Series(["是", "否", "是", "是"], dtype=object),
        "headline": pd.Series(["是", "是", "否", "是"], dtype=object),
        "level": pd.Series(["中央", "地方", "地方", "未区分"], dtype=object),
        "count": pd.Series([1, 2, 3, 4], dtype=object),
    }


def test_series_equality(media):
    result = evaluate(parse("front_page == '是'"), media)
    assert isinstance(result, pd.Series)
    assert result.tolist() == [True, False, True, True]


def test_series_and(media):
    result = evaluate(parse("front_page == '是' and headline == '是'"), media)
    assert result.tolist() == [True, False, False, True]


def test_series_or(media):
    result = evaluate(parse("front_page == '否' or headline == '否'"), media)
    assert result.tolist() == [False, True, True, False]


def test_series_not(media):
    result = evaluate(parse("not front_page == '是'"), media)
    assert result.tolist() == [False, True, False, False]


def test_series_in_and_not_in(media):
    inside = evaluate(parse("level in ['中央', '地方']"), media)
    assert inside.tolist() == [True, True, True, False]
    outside = evaluate(parse("level not in ('中央', '地方')"), media)
    assert outside.tolist() == [False, False, False, True]


def test_series_mixed_with_scalar_in_boolean_operators(media):
    # a scalar True/False on one side of and/or must broadcast, not collapse the Series
    both = evaluate(parse("flag and level == '地方'"), {**media, "flag": True})
    assert both.tolist() == [False, True, True, False]
    either = evaluate(parse("flag or level == '地方'"), {**media, "flag": False})
    assert either.tolist() == [False, True, True, False]


def test_series_chained_comparison(media):
    assert evaluate(parse("1 < count <= 3"), media).tolist() == [False, True, True, False]


def test_series_where_filter_selects_rows(media):
    frame = pd.DataFrame(media)
    mask = evaluate(
        parse("front_page == '是' and not level == '中央'"), {c: frame[c] for c in frame}
    )
    assert frame.loc[mask, "count"].tolist() == [3, 4]


# --- fill ---------------------------------------------------------------------


def test_fill_shows_values():
    assert fill(parse("r7 == 0"), {"r7": 8000}) == "8000 == 0"


def test_fill_quotes_text_values():
    assert (
        fill(parse("r6 != '无' or r7 == 0"), {"r6": "无", "r7": 8000})
        == "'无' != '无' or 8000 == 0"
    )


def test_fill_marks_missing_values():
    assert fill(parse("p19 == p27 + p28"), {"p19": 3, "p27": None, "p28": 1}) == "3 == ∅ + 1"


def test_fill_keeps_operators_and_does_not_change_the_tree():
    tree = parse("r19 == r27 + r28")
    assert fill(tree, {"r19": 5, "r27": 2, "r28": 3}) == "5 == 2 + 3"
    assert names(tree) == ["r19", "r27", "r28"]  # the original tree still has names
    assert evaluate(tree, {"r19": 5, "r27": 2, "r28": 3}) is True


def test_fill_shows_an_aggregate_as_its_value():
    env = {"checklist.count": pd.Series([11, None, 7], dtype=object), "p11": 174}
    assert fill(parse("sum(checklist.count) == p11"), env) == "18 == 174"


def test_fill_keeps_other_calls_readable():
    tree = parse("abs(value - previous) <= yoy_threshold * max(previous, 1)")
    env = {"value": 70, "previous": 10, "yoy_threshold": 0.5}
    assert fill(tree, env) == "abs(70 - 10) <= 0.5 * max(10, 1)"


def test_fill_inside_a_call_marks_missing_values():
    tree = parse("compact(value) == compact(published)")
    assert fill(tree, {"value": 3, "published": None}) == "compact(3) == compact(∅)"


def test_fill_shows_a_list_value():
    env = {"value": "0 元", "allowed": ["有", "无"]}
    assert fill(parse("value in allowed"), env) == "'0 元' in ['有', '无']"


# Latent bug: src/disclosure/expr.py fill(), visit_Name, keeps a numpy int64 / bool as the name and
# prints numpy float64 / str_ values with their repr ("np.float64(0.5)"), because only Python
# int/float/str are treated as plain values. The pipeline passes Python values today.
@pytest.mark.parametrize(
    "value, shown",
    [(np.int64(3), "3 == 2"), (np.float64(0.5), "0.5 == 2"), (np.str_("x"), "'x' == 2")],
    ids=["int64", "float64", "str_"],
)
def test_fill_shows_numpy_scalars_as_plain_values(value, shown):
    assert fill(parse("r1 == 2"), {"r1": value}) == shown


# --- FUNCTIONS: every function a rule may call --------------------------------

TESTED_FUNCTIONS = {
    "abs", "max", "min", "sum", "blank", "number", "compact", "is_count", "is_text", "percent",
}  # fmt: skip


def test_every_function_is_tested():
    assert set(FUNCTIONS) == TESTED_FUNCTIONS


@pytest.mark.parametrize(
    "value, expected",
    [(None, True), (float("nan"), True), (np.nan, True), ("", True), ("  ", True), ("\u3000", True)]
    + [(0, False), ("0", False), ("a", False), (0.0, False), (False, False)],
)
def test_blank_is_true_only_for_unfilled_cells(value, expected):
    assert blank(value) is expected
    assert evaluate(parse("blank(x)"), {"x": value}) is expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("５６", 56),
        ("1 7 4", 174),
        (" 174 ", 174),
        ("０", 0),
        (11, 11),
        (11.0, 11),
        ("0 元", "0元"),
        ("-1", "-1"),
        ("12.5", "12.5"),
        (12.5, "12.5"),
        ("３ / ４", "3/4"),
        ("三", "三"),
    ],
)
def test_number_reads_a_printed_count(value, expected):
    found = number(value)
    assert found == expected
    assert type(found) is type(expected)
    assert evaluate(parse("number(x)"), {"x": value}) == expected


@pytest.mark.parametrize("value", [None, "", "   ", float("nan")])
def test_number_of_a_blank_cell_is_none(value):
    assert number(value) is None


def test_number_keeps_a_bool():
    assert number(True) is True


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ""),
        ("", ""),
        (174, "174"),
        ("1 7 4", "174"),
        ("５６", "56"),
        (11.0, "11"),
        ("0 元", "0元"),
        ("校 长", "校长"),
        (12.5, "12.5"),
    ],
)
def test_compact_removes_spaces_and_reads_digits(value, expected):
    assert compact(value) == expected
    assert evaluate(parse("compact(x)"), {"x": value}) == expected


def test_compact_makes_spacing_and_digit_width_irrelevant():
    assert evaluate(parse("compact(a) == compact(b)"), {"a": 8000, "b": "８ ０００"}) is True
    assert evaluate(parse("compact(a) == compact(b)"), {"a": 8000, "b": "8001"}) is False


@pytest.mark.parametrize(
    "value, expected",
    [(0, True), (1, True), (174, True)]
    + [(-1, False), (True, False), (False, False)]
    + [("5", False), (5.0, False), (None, False)],
)
def test_is_count_accepts_only_non_negative_ints(value, expected):
    assert is_count(value) is expected
    assert evaluate(parse("is_count(x)"), {"x": value}) is expected


@pytest.mark.parametrize(
    "value, expected",
    [("校长", True), ("办公室", True), ("v1.2", True), ("0 元", True)]
    + [("12.5", False), ("", False), ("  ", False), ("123", False), (" 1.2 ", False)]
    + [(5, False), (None, False)],
)
def test_is_text_rejects_numbers_and_blanks(value, expected):
    assert is_text(value) is expected
    assert evaluate(parse("is_text(x)"), {"x": value}) is expected


@pytest.mark.parametrize(
    "value, expected",
    [(0.6, "+60%"), (-0.55, "-55%"), (0, "+0%"), (5, "+500%"), (1 / 3, "+33%")],
)
def test_percent_is_a_signed_whole_percentage(value, expected):
    assert percent(value) == expected
    assert evaluate(parse("percent(x)"), {"x": value}) == expected


def test_sum_over_a_column_with_a_none():
    env = {"checklist.count": pd.Series([11, None, 7], dtype=object)}
    found = evaluate(parse("sum(checklist.count)"), env)
    assert found == 18
    assert type(found) is int


def test_sum_counts_text_as_zero_and_reads_numeric_text():
    env = {"t.c": pd.Series(["2", "x", 3, float("nan")], dtype=object)}
    assert evaluate(parse("sum(t.c)"), env) == 5


def test_sum_of_an_empty_column_is_zero():
    assert evaluate(parse("sum(t.c)"), {"t.c": pd.Series([], dtype=object)}) == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("abs(a - b)", 7),
        ("abs(b - a)", 7),
        ("max(b, 1)", 10),
        ("max(c, 1)", 1),
        ("min(a, b)", 3),
        ("min(a, b, c)", 0),
        ("abs(a - b) <= 0.5 * max(c, 1) or abs(a - b) < 5", False),
        ("abs(a - b) <= 7 * max(c, 1)", True),
    ],
)
def test_abs_max_min_evaluate_like_python(text, expected):
    assert evaluate(parse(text), {"a": 3, "b": 10, "c": 0}) == expected


def test_abs_max_min_are_the_python_builtins():
    assert FUNCTIONS["abs"] is abs and FUNCTIONS["max"] is max and FUNCTIONS["min"] is min
    assert math.isclose(evaluate(parse("max(x, 0.5)"), {"x": 0.25}), 0.5)


def test_parsed_is_parse_once_per_text():
    first = parsed("r19 == r20 + 1")
    assert parsed("r19 == r20 + 1") is first
    assert ast.dump(first) == ast.dump(parse("r19 == r20 + 1"))
    assert parsed("r19 == r20") is not first
    with pytest.raises(ExpressionError):
        parsed("__import__('os')")
