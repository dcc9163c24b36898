"""A tiny, safe expression language for `where` filters, rule checks and rule messages.

Expressions are parsed with `ast` and walked node by node. Accepted: names, `table.column`
(a whole column, for aggregates), literals, arithmetic, comparisons, and/or/not, and calls of the
functions in FUNCTIONS. Nothing else, so a string from a file can never run code.
"""

from __future__ import annotations

import ast
import functools
import math
import numbers
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from disclosure.errors import ExpressionError

BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def blank(value: Any) -> bool:
    """None, NaN or text of only spaces: a cell nobody filled."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    return isinstance(value, str) and not value.strip()


def number(value: Any) -> Any:
    """A count as printed: digits (full-width too, spaces ignored) become an int; else the text."""
    if blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = "".join(str(value).translate(FULL_WIDTH).split())
    return int(text) if text.isascii() and text.isdigit() else text


def compact(value: Any) -> str:
    """A value as text with every space removed: how a printed cell is compared with a rebuilt
    one."""
    return "" if blank(value) else "".join(str(number(value)).split())


def is_count(value: Any) -> bool:
    """A non-negative whole number (not a bool, not text)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_text(value: Any) -> bool:
    """Words: not blank and not only digits and dots."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and not all(c in "0123456789." for c in value.strip())
    )


def percent(value: Any) -> str:
    return f"{value:+.0%}"


def exact(value: Any) -> int | Fraction:
    """One cell as pd.to_numeric(errors="coerce") reads it, but exact: blank or text 0, a whole
    float its int, a fraction kept as a Fraction."""
    if blank(value):
        return 0
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        return int(value)
    if isinstance(value, (numbers.Real, Decimal)):
        return Fraction(value) if math.isfinite(value) else 0
    if isinstance(value, str) and "/" not in value:
        try:
            return Fraction(value.strip())
        except ValueError:
            return 0
    return 0


def exact_sum(values: Any) -> int:
    """`sum(table.column)` and a form row's total: exact in Python ints (numpy's int64 would wrap
    past 2^63 - 1); a fraction is kept exact and the total truncated."""
    cells = (
        values.tolist()
        if isinstance(values, np.ndarray)
        else pd.Series(values, dtype=object).tolist()
    )
    if all(type(v) is int for v in cells):  # the usual column: validated ints, summed in C
        return sum(cells)
    return int(sum(exact(v) for v in cells))


# name -> (function, whether it reads a whole column). The only calls an expression may make.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "max": max,
    "min": min,
    "sum": exact_sum,
    "blank": blank,
    "number": number,
    "compact": compact,
    "is_count": is_count,
    "is_text": is_text,
    "percent": percent,
}


def parse(text: str) -> ast.Expression:
    """Parse and validate `text`; raise ExpressionError naming the offending part."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"表达式“{text}”语法错误:{exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            offending = ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__
            raise ExpressionError(f"表达式“{text}”中不允许使用“{offending}”")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
            raise ExpressionError(f"表达式“{text}”中的常量“{node.value!r}”类型不允许")
        if isinstance(node, ast.BinOp) and type(node.op) not in BINARY:
            raise ExpressionError(f"表达式“{text}”中不允许运算符“{type(node.op).__name__}”")
        if isinstance(node, ast.Call) and not _allowed_call(node):
            raise ExpressionError(
                f"表达式“{text}”中不允许调用“{ast.unparse(node)}”;可用的函数:{'、'.join(FUNCTIONS)}"
            )
        if isinstance(node, ast.Attribute) and not _column_reference(node):
            raise ExpressionError(f"表达式“{text}”中不允许“{ast.unparse(node)}”;只能写“表名.列名”")
    return tree


@functools.lru_cache(maxsize=1024)
def parsed(text: str) -> ast.Expression:
    """`parse(text)`, parsed once per text: shared, so never to be changed (evaluate and fill
    do not change it; an ast.NodeTransformer would)."""
    return parse(text)


def _allowed_call(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords


def _column_reference(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and not node.attr.startswith("_")


def dotted(node: ast.AST) -> str | None:
    """`checklist.count` for a column reference; a plain name for a name; else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def names(tree: ast.AST) -> list[str]:
    """The distinct names used, in order of first appearance."""
    seen: dict[str, None] = {}

    def visit(node: ast.AST) -> None:  # depth-first, left to right (ast.walk is breadth-first)
        if isinstance(node, ast.Call):  # the function's own name is not a value
            for arg in node.args:
                visit(arg)
            return
        name = dotted(node)
        if name is not None:
            seen.setdefault(name, None)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return list(seen)


def evaluate(tree: ast.Expression, env: Mapping[str, Any]) -> Any:
    """Evaluate a parsed expression; values may be scalars, pandas Series or numpy arrays (the
    last two element-wise)."""
    return _eval(tree.body, env)


def fill(tree: ast.Expression, env: Mapping[str, Any]) -> str:
    """The expression with each name replaced by its value, e.g. `8000 == 0`.

    A call over a whole column (`sum(checklist.count)`) is replaced by its result; other calls keep
    their name with the values filled in (`abs(70 - 10)`), so the arithmetic stays readable.
    """

    class Substitute(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            if any(isinstance(a, ast.Attribute) for a in node.args):
                return ast.Constant(value=_eval(node, env))
            node.args = [self.visit(a) for a in node.args]
            return node

        def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
            return self.visit_Name(ast.Name(id=dotted(node) or "?"))

        def visit_Name(self, node: ast.Name) -> ast.AST:
            value = env.get(node.id)
            if type(value).__module__ == "numpy" and hasattr(value, "item"):
                value = value.item()  # a numpy scalar shown as the plain number or text it is
            if value is None or (isinstance(value, float) and value != value):
                return ast.Name(id="∅")
            if isinstance(value, (list, tuple)):
                return ast.List(elts=[ast.Constant(value=v) for v in value])
            return ast.Constant(value=value) if isinstance(value, (int, float, str)) else node

    return ast.unparse(Substitute().visit(ast.parse(ast.unparse(tree), mode="eval")))


def _eval(node: ast.AST, env: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted(node) or "?"
        if name not in env:
            raise ExpressionError(f"未知名称“{name}”")
        return env[name]
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]  # checked by parse
        return function(*[_eval(a, env) for a in node.args])
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, env) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return ~value if _vector(value) else not value
        if isinstance(node.op, ast.USub):
            return -value
        raise ExpressionError(f"不允许的一元运算“{type(node.op).__name__}”")
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, env) for v in node.values]
        result = values[0]
        for value in values[1:]:
            if isinstance(node.op, ast.And):
                result = (result & value) if _vector(result, value) else (result and value)
            else:
                result = (result | value) if _vector(result, value) else (result or value)
        return result
    if isinstance(node, ast.Compare):
        return _compare(node, env)
    raise ExpressionError(f"不允许的表达式“{ast.unparse(node)}”")


def _compare(node: ast.Compare, env: Mapping[str, Any]) -> Any:
    left = _eval(node.left, env)
    result: Any = True
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _eval(right_node, env)
        if isinstance(op, (ast.In, ast.NotIn)):
            hit = _member(left, right)
            part = (~hit if _vector(hit) else not hit) if isinstance(op, ast.NotIn) else hit
        elif type(op) in COMPARE:
            part = COMPARE[type(op)](left, right)
        else:
            raise ExpressionError(f"不允许的比较“{type(op).__name__}”")
        result = (result & part) if _vector(result, part) else (result and part)
        left = right
    return result


def _vector(*values: Any) -> bool:
    """Whether any value is a column (a pandas Series or a numpy array): element-wise then."""
    return any(isinstance(v, (pd.Series, np.ndarray)) for v in values)


def _member(left: Any, right: Any) -> Any:
    if isinstance(left, pd.Series):
        return left.isin(right)
    if isinstance(left, np.ndarray):
        return np.array([v in right for v in left], dtype=bool)
    return left in right


_ALLOWED = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.Load,
    ast.List,
    ast.Tuple,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
)
