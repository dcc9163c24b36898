"""A tiny, safe expression language for `where` filters and rule checks.

Expressions are parsed with `ast` and walked node by node; only names, literals, arithmetic,
comparisons and and/or/not are accepted, so a string from a file can never run code.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

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


class ExpressionError(ValueError):
    """An expression that uses something outside the language, or names something unknown."""


def parse(text: str) -> ast.Expression:
    """Parse and validate `text`; raise ExpressionError naming the offending part."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"表达式“{text}”语法错误:{exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                f"表达式“{text}”中不允许使用“{ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__}”"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
            raise ExpressionError(f"表达式“{text}”中的常量“{node.value!r}”类型不允许")
        if isinstance(node, ast.BinOp) and type(node.op) not in BINARY:
            raise ExpressionError(f"表达式“{text}”中不允许运算符“{type(node.op).__name__}”")
    return tree


def names(tree: ast.AST) -> list[str]:
    """The distinct names used, in order of first appearance."""
    seen: dict[str, None] = {}

    def visit(node: ast.AST) -> None:  # depth-first, left to right (ast.walk is breadth-first)
        if isinstance(node, ast.Name):
            seen.setdefault(node.id, None)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return list(seen)


def evaluate(tree: ast.Expression, env: Mapping[str, Any]) -> Any:
    """Evaluate a parsed expression; values may be scalars or pandas Series (element-wise)."""
    return _eval(tree.body, env)


def fill(tree: ast.Expression, env: Mapping[str, Any]) -> str:
    """The expression with each name replaced by its value, e.g. `8000 == 0`."""

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            value = env.get(node.id)
            return ast.Name(id="∅") if value is None else ast.Constant(value=value)

    return ast.unparse(Substitute().visit(ast.parse(ast.unparse(tree), mode="eval")))


def _eval(node: ast.AST, env: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ExpressionError(f"未知名称“{node.id}”")
        return env[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, env) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return ~value if isinstance(value, pd.Series) else not value
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
            hit = left.isin(right) if isinstance(left, pd.Series) else left in right
            part = (~hit if isinstance(hit, pd.Series) else not hit) if isinstance(op, ast.NotIn) else hit
        elif type(op) in COMPARE:
            part = COMPARE[type(op)](left, right)
        else:
            raise ExpressionError(f"不允许的比较“{type(op).__name__}”")
        result = (result & part) if _vector(result, part) else (result and part)
        left = right
    return result


def _vector(*values: Any) -> bool:
    return any(isinstance(v, pd.Series) for v in values)


_ALLOWED = (
    ast.Expression,
    ast.Constant,
    ast.Name,
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
