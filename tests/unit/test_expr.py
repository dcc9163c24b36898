"""The safe expression language used by `where` filters and rule checks (disclosure.expr)."""

import pandas as pd
import pytest

from disclosure.expr import ExpressionError, evaluate, fill, names, parse

# --- parse: only names, literals, arithmetic, comparisons and and/or/not --------------------------


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
        ("r19.real", "r19.real"),
        ("x[0]", "x[0]"),
        ("lambda: 1", "lambda"),
        ("x if y else z", "x if y else z"),
        ("[c for c in x]", "[c for c in x]"),
        ("{'a': 1}", "{'a': 1}"),
    ],
)
def test_parse_rejects_calls_attributes_subscripts_lambdas(text, shown):
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


@pytest.mark.parametrize("text, operator", [("2 ** 3", "Pow"), ("a % 2", "Mod"), ("a // 2", "FloorDiv")])
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


# --- names ------------------------------------------------------------------------------------------


def test_names_are_distinct():
    found = names(parse("r19 == r27 + r19 + r28"))
    assert sorted(found) == ["r19", "r27", "r28"]
    assert len(found) == 3


def test_names_in_order_of_first_appearance():
    assert names(parse("r19 == r27 + r28 + r29 + r30")) == ["r19", "r27", "r28", "r29", "r30"]


def test_names_ignore_string_literals():
    assert names(parse("channel == 'r10'")) == ["channel"]


# --- evaluate on scalars ---------------------------------------------------------------------------


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


# --- evaluate on pandas Series (where-filters) ------------------------------------------------------


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
    assert evaluate(parse("level in ['中央', '地方']"), media).tolist() == [True, True, True, False]
    assert evaluate(parse("level not in ('中央', '地方')"), media).tolist() == [False, False, False, True]


def test_series_mixed_with_scalar_in_boolean_operators(media):
    # a scalar True/False on one side of and/or must broadcast, not collapse the Series
    assert evaluate(parse("flag and level == '地方'"), {**media, "flag": True}).tolist() == [False, True, True, False]
    assert evaluate(parse("flag or level == '地方'"), {**media, "flag": False}).tolist() == [False, True, True, False]


def test_series_chained_comparison(media):
    assert evaluate(parse("1 < count <= 3"), media).tolist() == [False, True, True, False]


def test_series_where_filter_selects_rows(media):
    frame = pd.DataFrame(media)
    mask = evaluate(parse("front_page == '是' and not level == '中央'"), {c: frame[c] for c in frame})
    assert frame.loc[mask, "count"].tolist() == [3, 4]


# --- fill ---------------------------------------------------------------------------------------------


def test_fill_shows_values():
    assert fill(parse("r7 == 0"), {"r7": 8000}) == "8000 == 0"


def test_fill_quotes_text_values():
    assert fill(parse("r6 != '无' or r7 == 0"), {"r6": "无", "r7": 8000}) == "'无' != '无' or 8000 == 0"


def test_fill_marks_missing_values():
    assert fill(parse("p19 == p27 + p28"), {"p19": 3, "p27": None, "p28": 1}) == "3 == ∅ + 1"


def test_fill_keeps_operators_and_does_not_change_the_tree():
    tree = parse("r19 == r27 + r28")
    assert fill(tree, {"r19": 5, "r27": 2, "r28": 3}) == "5 == 2 + 3"
    assert names(tree) == ["r19", "r27", "r28"]  # the original tree still has names
    assert evaluate(tree, {"r19": 5, "r27": 2, "r28": 3}) is True
