"""The rule catalogue over N institution-years at once; a single year is N = 1.

There is one rule engine (`checks.rules.evaluate_rules`, over `disclosure.expr`): every finding's
text, every not-applicable reason and every code check comes from it. Over many years this module
only *screens*: it decides, for a whole collection at once, which years pass a rule, and hands every
other year to that engine. A year that passes every rule costs one element of a few array
operations per rule; a year that fails a rule is evaluated by the per-year engine for that rule,
so its finding is the per-year finding by construction.

The screen evaluates a rule's parsed expression element-wise over one object array per name, with
Python's own operators on each element (so ints stay exact and text compares as text), and with
the per-year engine's `and`/`or`: every operand evaluated, then combined as Python combines two
values. Anything it cannot say exactly — a
missing name, a division, a TypeError anywhere, a value that is absent — sends the rule's years to
the per-year engine. `tests/unit/checks/test_many.py` checks the result against the per-year engine
on random years.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from disclosure.checks.findings import COLUMNS, Finding, ordered
from disclosure.checks.rules import (
    REQUIREMENTS,
    Context,
    Rule,
    _with_causes,
    evaluate_rules,
    parse_shown,
)
from disclosure.expr import COMPARE, FUNCTIONS, dotted, evaluate, names, parsed

DETAILS = ("all", "failed")
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


class Unsure(Exception):
    """The screen cannot decide exactly; the per-year engine will."""


def check_many(
    contexts: Sequence[Context],
    rules: list[Rule],
    code: Mapping[str, Any] | None = None,
    detail: str = "failed",
) -> list[pd.DataFrame]:
    """The findings of each context, in the per-year engine's order and texts.

    `detail="all"`: every finding of every year (the per-year engine on each). `"failed"`: only the
    failed checks of each year (passed is False), screened over all years at once.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {DETAILS}, not {detail!r}")
    if detail == "all":
        return [_frame(evaluate_rules(rules, ctx, code)) for ctx in contexts]
    todo = _screen(contexts, rules)  # rule id -> indices of the years it may fail
    out = []
    for i, ctx in enumerate(contexts):
        mine = [r for r in rules if i in todo[r.id]]
        found = [f for f in _evaluate(mine, ctx, code) if f.passed is False]
        # findings.ordered's order for failed checks: errors first, then by id
        found.sort(key=lambda f: (f.severity != "error", f.id))
        out.append(pd.DataFrame([f.record() for f in _with_causes(rules, found)], columns=COLUMNS))
    return out


def _evaluate(rules: list[Rule], ctx: Context, code: Mapping[str, Any] | None) -> list[Finding]:
    # evaluate_rules also marks causes, but only among the rules it is given: done again above.
    return evaluate_rules(rules, ctx, code) if rules else []


def _frame(findings: list[Finding]) -> pd.DataFrame:
    return ordered(pd.DataFrame([f.record() for f in findings], columns=COLUMNS))


def _screen(contexts: Sequence[Context], rules: list[Rule]) -> dict[str, set[int]]:
    """For each rule, the years it may fail (every other year passes or does not apply)."""
    n = len(contexts)
    every = set(range(n))
    available = {
        r: np.array([r in c.available for c in contexts], dtype=bool) for r in REQUIREMENTS
    }
    values = _Values(contexts)
    long: dict[str, _Long] = {}
    todo: dict[str, set[int]] = {}
    for rule in rules:
        applies = np.ones(n, dtype=bool)
        for requirement in rule.requires:
            applies &= available[requirement]
        if rule.engine == "code":
            todo[rule.id] = set(np.flatnonzero(applies).tolist())
            continue
        over, where, check = parse_shown(rule.shown)
        try:
            if over is None:
                failing = _values_failing(parsed(check), values, np.flatnonzero(applies))
            else:
                table = long.get(over) or long.setdefault(over, _Long(contexts, over, values))
                failing = table.failing(where, check, applies)
        except (Unsure, TypeError, ArithmeticError, ValueError):
            failing = np.flatnonzero(applies)
        todo[rule.id] = set(failing.tolist()) & every
    return todo


class _Values:
    """Each value name (rN, pN, parameters, header names) as one array over the years; a call over
    a whole column (`sum(checklist.count)`) as one array of its per-year results."""

    def __init__(self, contexts: Sequence[Context]) -> None:
        self.contexts = contexts
        self.arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.arrays:
            if not all(name in c.values for c in self.contexts):
                raise Unsure(name)
            self.arrays[name] = _objects([c.values[name] for c in self.contexts])
        return self.arrays[name]

    def call(self, node: ast.Call) -> np.ndarray:
        key = ast.unparse(node)
        if key not in self.arrays:
            tree = ast.Expression(body=node)
            used = [n for n in names(tree) if "." in n]
            self.arrays[key] = _objects([evaluate(tree, _columns(c, used)) for c in self.contexts])
        return self.arrays[key]


def _columns(ctx: Context, used: list[str]) -> dict[str, Any]:
    """The whole columns (`table.column`) a call reads, as the per-year engine's env holds them."""
    out = {}
    for name in used:
        table, _, column = name.partition(".")
        if table not in ctx.tables or column not in ctx.tables[table]:
            raise Unsure(name)
        out[name] = ctx.tables[table][column]
    return out


def _values_failing(tree: ast.Expression, values: _Values, at: np.ndarray) -> np.ndarray:
    """The years among `at` where a check over the table's values may fail: those where it is
    false, and those the per-year engine reports otherwise (an absent value: not applicable)."""
    if not len(at):
        return at
    absent = np.zeros(len(at), dtype=bool)
    for name in names(tree):
        if "." in name:
            continue  # a whole column, read only inside a call
        absent |= np.array([_absent(v) for v in values[name][at]], dtype=bool)
    present = at[~absent]
    screen = _Screen(
        lambda name, where: values[name][where], lambda node, where: values.call(node)[where]
    )
    result = screen.truth(tree.body, present)
    return present[~result]


class _Long:
    """A table (`statistics` or `checklist`) of every year, one object array per column, each cell
    the plain value the per-year engine's `rows` gives; `key` is the year of each row."""

    def __init__(self, contexts: Sequence[Context], table: str, values: _Values) -> None:
        records = [c.records(table) for c in contexts]
        columns = list(contexts[0].tables[table].columns) if contexts else []
        if any(list(c.tables[table].columns) != columns for c in contexts):
            raise Unsure(table)
        self.key = np.repeat(np.arange(len(contexts)), [len(r) for r in records])
        flat = [row for year in records for row in year]
        self.columns = {c: _objects([row[c] for row in flat]) for c in columns}
        self.values = values

    def get(self, name: str, where: np.ndarray) -> np.ndarray:
        if name in self.columns:
            return self.columns[name][where]
        return self.values[name][self.key[where]]

    def failing(self, where: str | None, check: str, applies: np.ndarray) -> np.ndarray:
        """The years with a row that satisfies `where` and fails `check`."""
        at = np.flatnonzero(applies[self.key])
        screen = _Screen(self.get, lambda node, where: self.values.call(node)[self.key[where]])
        if where:
            at = at[screen.truth(parsed(where).body, at)]
        bad = at[~screen.truth(parsed(check).body, at)]
        return np.unique(self.key[bad])


class _Screen:
    """Element-wise evaluation of a parsed expression at some positions, Python's semantics on each
    element."""

    def __init__(
        self,
        get: Callable[[str, np.ndarray], np.ndarray],
        call: Callable[[ast.Call, np.ndarray], np.ndarray],
    ) -> None:
        self.get, self.call = get, call

    def truth(self, node: ast.AST, at: np.ndarray) -> np.ndarray:
        return np.array([bool(v) for v in self.value(node, at)], dtype=bool)

    def value(self, node: ast.AST, at: np.ndarray) -> np.ndarray:
        n = len(at)
        if isinstance(node, ast.Constant):
            return _objects([node.value] * n)
        name = dotted(node)
        if name is not None:
            if "." in name:
                raise Unsure(name)  # a whole column outside a call
            return self.get(name, at)
        if isinstance(node, ast.Call):
            return self._call(node, at)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            f = _ARITHMETIC[type(node.op)]
            return _pairs(f, self.value(node.left, at), self.value(node.right, at))
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand, at)
            if isinstance(node.op, ast.Not):
                return _objects([not v for v in operand])
            if isinstance(node.op, ast.USub):
                return _objects([-v for v in operand])
        if isinstance(node, ast.BoolOp):
            return self._bool(node, at)
        if isinstance(node, ast.Compare):
            return self._compare(node, at)
        raise Unsure(ast.unparse(node))

    def _call(self, node: ast.Call, at: np.ndarray) -> np.ndarray:
        if any(isinstance(a, ast.Attribute) for a in node.args):
            return self.call(node, at)  # over a whole column: one value per year
        function = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]  # checked by parse
        args = [self.value(a, at) for a in node.args]
        return _objects([function(*xs) for xs in zip(*args, strict=True)])

    def _bool(self, node: ast.BoolOp, at: np.ndarray) -> np.ndarray:
        """`a and b` / `a or b` as the per-year engine takes them: every operand is evaluated
        (a type mismatch on the right counts even where the left decides), then combined as
        Python's `and`/`or` combine two values."""
        values = [self.value(v, at) for v in node.values]
        combine = _and if isinstance(node.op, ast.And) else _or
        result = values[0]
        for value in values[1:]:
            result = _pairs(combine, result, value)
        return result

    def _compare(self, node: ast.Compare, at: np.ndarray) -> np.ndarray:
        """A chain `a < b <= c`: every link evaluated, joined by `and`, as the per-year engine
        does."""
        result = _objects([True] * len(at))
        left = self.value(node.left, at)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self._operand(right_node, at)
            result = _pairs(_and, result, _pairs(_comparison(op), left, right))
            left = right
        return result

    def _operand(self, node: ast.AST, at: np.ndarray) -> np.ndarray:
        if isinstance(node, (ast.List, ast.Tuple)):  # a literal list: the same list everywhere
            if not all(isinstance(e, ast.Constant) for e in node.elts):
                raise Unsure(ast.unparse(node))
            return _objects([[e.value for e in node.elts]] * len(at))  # type: ignore[attr-defined]
        return self.value(node, at)


def _comparison(op: ast.cmpop) -> Callable[[Any, Any], Any]:
    if isinstance(op, ast.In):
        return lambda a, b: a in b
    if isinstance(op, ast.NotIn):
        return lambda a, b: a not in b
    if type(op) in COMPARE:
        return COMPARE[type(op)]
    raise Unsure(type(op).__name__)


def _and(a: Any, b: Any) -> Any:
    return a and b


def _or(a: Any, b: Any) -> Any:
    return a or b


def _pairs(f: Callable[[Any, Any], Any], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return _objects([f(a, b) for a, b in zip(left, right, strict=True)])


def _objects(values: list[Any]) -> np.ndarray:
    """A one-dimensional object array holding exactly these values (a list stays one cell)."""
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        array[i] = value
    return array


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)
