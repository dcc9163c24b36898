"""The rule catalogue over many institution-years at once: one long table, each rule evaluated once.

The per-year engine (`checks.rules.evaluate_rules`) walks each expression once per year. Here every
name a rule uses is one array holding its value in every institution-year (`Stack`), so a rule over
the table's values is evaluated once for the whole collection; a rule over a table's rows
(`over: checklist`) once over the long table of every year's rows. The findings are the per-year
engine's, field for field (tests/unit/checks/test_columnar.py compares them on random years):

- arithmetic and comparisons run in numpy on the rows whose values are all whole numbers below
  2^53 (exact there); every other row goes through the same Python operators element by element,
  where a TypeError (a number compared with text) marks that row as the per-year engine does;
- the text of a check with its values filled in is the per-year `expr.fill` text: the expression is
  unparsed once with a marker per name, and each year's values are put in the markers;
- what needs code — `engine: code` rules, a failing rule's `explain` rows, the message of each
  failing row — is computed per failing year with the per-year functions, so it cannot diverge.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from disclosure.checks.findings import COLUMNS
from disclosure.checks.rules import (
    PARAMETERS,
    PLACEHOLDER,
    REQUIREMENTS,
    Context,
    Rule,
    _messages,
    _plain,
    evaluate_rules,
    parse_shown,
)
from disclosure.expr import BINARY, COMPARE, FUNCTIONS, blank, dotted, evaluate, names, parse

KEY = "_key"  # position of the institution-year in the stack, in every long table
EXACT = (
    2**31
)  # ints below this (and floats) are evaluated in float64: exact for sums and products of two
DETAILS = ("all", "failed")


TYPE_NOTE = "(类型不符:数字与文字无法比较)"


@dataclass
class Stack:
    """Every institution-year's rule context, as columns: `values[name][i]` is year i's value."""

    keys: pd.DataFrame  # one row per institution-year (any key columns, e.g. institution, year)
    contexts: list[Context]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # every year's rows, with KEY
    _sources: dict[str, np.ndarray] = field(default_factory=dict)
    _columns: dict[str, Columns] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.contexts)

    def value(self, name: str) -> np.ndarray:
        if name not in self.values:
            self.values[name] = _objects([c.values.get(name) for c in self.contexts])
        return self.values[name]

    def source(self, name: str) -> np.ndarray:
        """Where each year's value of `name` came from (the per-year engine's `_source`)."""
        if name not in self._sources:
            table = name.partition(".")[0]
            self._sources[name] = _objects(
                [
                    c.sources[name]
                    if name in c.sources
                    else c.table_sources.get(table, "参数文件" if name in PARAMETERS else name)
                    for c in self.contexts
                ]
            )
        return self._sources[name]

    @property
    def columns(self) -> Columns:
        """The years' values (rN, pN, parameters, sums), one row per institution-year."""
        if "" not in self._columns:
            self._columns[""] = Columns(self.value)
        return self._columns[""]

    def row_columns(self, table: str) -> Columns:
        """A table's rows of every year: its own cells as the per-year engine reads them, and the
        year's values repeated on each of its rows (a row's own column wins: `{**env, **row}`)."""
        if table not in self._columns:
            long = self.tables[table]
            keys = long[KEY].to_numpy()

            def lookup(name: str) -> np.ndarray:
                if name in long.columns and name != KEY:
                    return long[name].to_numpy()
                return self.value(name)[keys]

            self._columns[table] = Columns(lookup)
        return self._columns[table]


def stack(contexts: list[Context], keys: pd.DataFrame) -> Stack:
    """The long tables of many years' contexts (keys: one row per context, in the same order)."""
    out = Stack(keys.reset_index(drop=True), list(contexts))
    names_seen = dict.fromkeys(n for c in contexts for n in c.values)
    for name in names_seen:
        out.value(name)
    for table in dict.fromkeys(t for c in contexts for t in c.tables):
        frames = [c.tables[table] for c in contexts]
        lengths = [len(f) for f in frames]
        long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        for column in long.columns:  # an int column beside a float one became floats: exact
            if (
                long[column].dtype.kind == "f"
                and np.nanmax(np.abs(long[column]), initial=0) >= 2**53
            ):
                long[column] = pd.concat(
                    [f[column].astype(object) for f in frames], ignore_index=True
                )
        plain = pd.DataFrame(
            {column: _plain_array(long[column]) for column in long.columns}, index=long.index
        )
        plain[KEY] = np.repeat(np.arange(len(frames)), lengths)
        out.tables[table] = plain
    return out


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


# --- truth, row by row, without walking the expression once per row ----------------------------


def _plain_array(column: pd.Series) -> np.ndarray:
    """A long column's cells as checks.rules.rows gives them to the per-year engine: NaN None,
    whole floats ints, numpy scalars plain."""
    values = column.to_numpy()
    if column.dtype.kind in "iub":
        return _objects(values.tolist())
    if column.dtype.kind == "f":
        out = _objects(values.tolist())
        nan = np.isnan(values)
        whole = ~nan & (np.floor(values) == values) & (np.abs(values) < 2**53)
        out[nan] = None
        out[whole] = _objects(values[whole].astype(np.int64).tolist())
        odd = ~nan & ~whole & np.isinf(values)  # inf stays a float, as _plain leaves it
        out[odd] = _objects(values[odd].tolist())
        return out
    out = _objects(values.tolist())
    odd = np.flatnonzero(_KIND(out).astype(bool)) if len(out) else []
    out[odd] = _objects([_plain(out[i]) for i in odd])
    return out


# True where a cell is not already what rows() gives (int, bool, str, None, list ...)
_KIND = np.frompyfunc(lambda v: type(v) not in (int, bool, str, type(None), list), 1, 1)
_NUMBER = np.frompyfunc(lambda v: (type(v) is int and -EXACT < v < EXACT) or type(v) is float, 1, 1)
_NUMPY_CALLS: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "max": lambda *a: functools.reduce(np.maximum, a),
    "min": lambda *a: functools.reduce(np.minimum, a),
}


class Columns:
    """name -> the object array of its value in each row, with what evaluation needs cached per
    name: which rows hold a plain number (float64 arithmetic is then Python's), and a code per
    distinct value (type-aware: 1, 1.0 and True are three values)."""

    def __init__(self, lookup: Callable[[str], np.ndarray]):
        self.lookup = lookup
        self._values: dict[str, np.ndarray] = {}
        self._numbers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._codes: dict[str, np.ndarray] = {}

    def values(self, name: str) -> np.ndarray:
        if name not in self._values:
            self._values[name] = self.lookup(name)
        return self._values[name]

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in self._numbers:
            values = self.values(name)
            kind = pd.api.types.infer_dtype(values, skipna=True) if len(values) else "empty"
            if kind in ("integer", "floating", "mixed-integer-float"):
                mask = ~pd.isna(values)  # NaN goes the exact way, with the per-year evaluator
                floats = np.zeros(len(values), dtype=np.float64)
                floats[mask] = values[mask].astype(np.float64)
                mask &= np.abs(floats) < EXACT
            else:
                mask = _NUMBER(values).astype(bool) if len(values) else np.zeros(0, dtype=bool)
                floats = np.zeros(len(values), dtype=np.float64)
                floats[mask] = values[mask].astype(np.float64)
            self._numbers[name] = (mask, floats)
        return self._numbers[name]

    def codes(self, name: str) -> np.ndarray:
        if name not in self._codes:
            values = self.values(name)
            kind = pd.api.types.infer_dtype(values, skipna=True) if len(values) else "empty"
            none = values == None  # noqa: E711  (element-wise: which cells are None)
            if kind in ("string", "integer", "boolean", "empty") and (
                int(none.sum()) == int(pd.isna(values).sum())
            ):  # one type besides None (NaN, a float, would share None's code)
                self._codes[name] = pd.factorize(values, use_na_sentinel=False)[0]
                return self._codes[name]
            try:
                codes = pd.factorize(values, use_na_sentinel=False)[0]
            except TypeError:  # lists (a row's allowed values): compared as tuples
                hashable = _objects([tuple(v) if isinstance(v, list) else v for v in values])
                codes = pd.factorize(hashable, use_na_sentinel=False)[0]
            # Equal values of other types (1, 1.0, True; 0.0, -0.0; None, NaN) print differently:
            # the pair (value, printed) tells them apart.
            printed = pd.factorize(pd.Series(values, dtype=object).astype(str).to_numpy())[0]
            both = codes.astype(np.int64) * (int(printed.max(initial=0)) + 1) + printed
            self._codes[name] = pd.factorize(both)[0]
        return self._codes[name]


def _numeric_ok(node: ast.AST) -> bool:
    """Plain arithmetic and comparison of numbers (no text, lists, and/or/not, or functions beyond
    abs, max and min): numpy evaluates it exactly as Python does on rows of plain numbers."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and (
            isinstance(sub.value, bool) or not isinstance(sub.value, (int, float))
        ):
            return False
        if isinstance(sub, (ast.List, ast.Tuple, ast.In, ast.NotIn, ast.BoolOp, ast.Not)):
            return False
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div):
            return False  # Python raises on a zero divisor, numpy would not
        if isinstance(sub, ast.Call) and sub.func.id not in _NUMPY_CALLS:  # type: ignore[attr-defined]
            return False
    return True


def _numeric(node: ast.AST, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        return arrays[dotted(node) or "?"]
    if isinstance(node, ast.Call):
        return _NUMPY_CALLS[node.func.id](*[_numeric(a, arrays) for a in node.args])  # type: ignore[attr-defined]
    if isinstance(node, ast.UnaryOp):
        return -_numeric(node.operand, arrays)
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_numeric(node.left, arrays), _numeric(node.right, arrays))
    if isinstance(node, ast.Compare):
        left = _numeric(node.left, arrays)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _numeric(right_node, arrays)
            result = result & COMPARE[type(op)](left, right)
            left = right
        return result
    raise TypeError(type(node).__name__)  # excluded by _numeric_ok


def truth(node: ast.AST, columns: Columns, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(truth, type mismatch) of an expression in rows `at`, as the per-year engine reads it:
    and/or evaluate every operand (a TypeError in any one is a mismatch), `not` negates; each
    other part is a leaf."""
    if isinstance(node, ast.Expression):
        return truth(node.body, columns, at)
    if isinstance(node, ast.BoolOp):
        parts = [truth(v, columns, at) for v in node.values]
        value = parts[0][0].copy()
        mismatch = parts[0][1].copy()
        for part_value, part_mismatch in parts[1:]:
            value = (value & part_value) if isinstance(node.op, ast.And) else (value | part_value)
            mismatch |= part_mismatch
        return value, mismatch
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        value, mismatch = truth(node.operand, columns, at)
        return ~value, mismatch
    return _leaf(node, columns, at)


def _leaf(node: ast.AST, columns: Columns, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A leaf in numpy where every value is a plain number; elsewhere expr.evaluate itself, once per
    distinct combination of the leaf's values."""
    used = names(node)
    value = np.zeros(len(at), dtype=bool)
    mismatch = np.zeros(len(at), dtype=bool)
    if not len(at):
        return value, mismatch
    numeric = np.full(len(at), _numeric_ok(node))
    for name in used:
        if numeric.any():
            numeric &= columns.numbers(name)[0][at]
    if numeric.any():
        rows_ = at[numeric]
        arrays = {n: columns.numbers(n)[1][rows_] for n in used}
        result = _numeric(node, arrays)
        value[numeric] = np.broadcast_to(np.asarray(result) != 0, (len(rows_),))
    rest = np.flatnonzero(~numeric)
    if not len(rest):
        return value, mismatch
    rows_ = at[rest]
    signature = np.zeros(len(rows_), dtype=np.int64)
    for name in used:
        codes = columns.codes(name)[rows_]
        signature = pd.factorize(signature * (int(codes.max()) + 1) + codes)[0].astype(np.int64)
    _, first, inverse = np.unique(signature, return_index=True, return_inverse=True)
    tree = ast.Expression(body=node)
    distinct_value = np.zeros(len(first), dtype=bool)
    distinct_mismatch = np.zeros(len(first), dtype=bool)
    for k, row in enumerate(rows_[first]):
        env = {n: columns.values(n)[row] for n in used}
        try:
            distinct_value[k] = bool(evaluate(tree, env))
        except TypeError:
            distinct_mismatch[k] = True
    value[rest] = distinct_value[inverse]
    mismatch[rest] = distinct_mismatch[inverse]
    return value, mismatch


# --- the filled-in text ---------------------------------------------------------------------------


class _Shown:
    """expr.fill, once per expression: its text with one marker per name, and each value's text."""

    def __init__(self, tree: ast.Expression, aggregate_names: dict[int, str]):
        marks: dict[str, str] = {}
        aggregates = aggregate_names

        class Mark(ast.NodeTransformer):
            def visit_Call(self, node: ast.Call) -> ast.AST:
                if any(isinstance(a, ast.Attribute) for a in node.args):
                    return self.visit_Name(ast.Name(id=aggregates[id(node)]))
                node.args = [self.visit(a) for a in node.args]
                return node

            def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
                return self.visit_Name(ast.Name(id=dotted(node) or "?"))

            def visit_Name(self, node: ast.Name) -> ast.AST:
                mark = marks.setdefault(node.id, f"__mark{len(marks)}__")
                return ast.Name(id=mark)

        text = ast.unparse(Mark().visit(tree))
        self.parts: list[str | tuple[str]] = []
        names_by_mark = {m: n for n, m in marks.items()}
        for piece in _split(text, list(names_by_mark)):
            self.parts.append((names_by_mark[piece],) if piece in names_by_mark else piece)
        self._cache: dict[Any, str] = {}

    def text(self, value: Any, name: str) -> str:
        if type(value).__module__ == "numpy" and hasattr(value, "item"):
            value = value.item()
        if value is None or (isinstance(value, float) and value != value):
            return "∅"
        if isinstance(value, (list, tuple)):
            return ast.unparse(ast.List(elts=[ast.Constant(value=v) for v in value]))
        if isinstance(value, (int, float, str)):
            key = (type(value), value)
            if key not in self._cache:
                self._cache[key] = ast.unparse(ast.Constant(value=value))
            return self._cache[key]
        return name

    def fill(self, columns: Columns, at: np.ndarray) -> np.ndarray:
        out = _objects([""] * len(at))
        for part in self.parts:
            if isinstance(part, tuple):
                name = part[0]
                column = columns.values(name)[at]
                out = out + _objects([self.text(v, name) for v in column])
            else:
                out = out + part
        return out


def _split(text: str, marks: list[str]) -> list[str]:
    pieces = [text]
    for mark in marks:
        nxt: list[str] = []
        for piece in pieces:
            if piece in marks:
                nxt.append(piece)
                continue
            chunks = piece.split(mark)
            for j, chunk in enumerate(chunks):
                if j:
                    nxt.append(mark)
                if chunk:
                    nxt.append(chunk)
        pieces = nxt
    return pieces


# --- the rules ------------------------------------------------------------------------------------


def check_stack(
    data: Stack, rules: list[Rule], code: Mapping[str, Any] | None = None, detail: str = "all"
) -> pd.DataFrame:
    """Every rule on every institution-year of `data`: the per-year findings tables, one under the
    other, each ordered as `findings.ordered` orders it, with `data.keys`' columns in front.

    detail="failed" leaves `filled` and `sources` empty where a check passed (what `disclosure
    check` prints needs only the others); "all" fills every one, as the per-year engine does.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {DETAILS}")
    n = len(data)
    results = [_rule(data, rule, code or {}, detail) for rule in rules]
    failed_by_id = {r.id: res[0] == False for r, res in zip(rules, results, strict=True)}  # noqa: E712
    causes = _causes(rules, failed_by_id, n)
    which = np.repeat(np.arange(len(rules)), n)  # the rule of each finding
    year = np.tile(np.arange(n), len(rules))  # its institution-year
    passed = np.concatenate([res[0] for res in results]) if rules else _objects([])
    severity = np.array([r.severity for r in rules], dtype=object)[which]
    # findings.ordered within each year: failed errors, failed warnings, ..., then by id
    state = np.where(passed == False, 0, np.where(passed == True, 2, 1))  # noqa: E712
    id_order = {rule_id: k for k, rule_id in enumerate(sorted(r.id for r in rules))}
    id_rank = np.array([id_order[r.id] for r in rules], dtype=np.int64)[which]
    order = np.lexsort((id_rank, state * 2 + (severity != "error"), year))

    def field(values: list[Any]) -> np.ndarray:
        return np.array(values + [None], dtype=object)[:-1][which][order]

    filled = np.concatenate([res[1] for res in results]) if rules else _objects([])
    sources = np.concatenate([res[2] for res in results]) if rules else _objects([])
    if detail == "failed":  # the code checks fill theirs anyway
        filled[passed == True] = sources[passed == True] = ""  # noqa: E712
    columns: dict[str, Any] = {
        "id": field([r.id for r in rules]),
        "severity": severity[order],
        "family": field([r.family for r in rules]),
        "title": field([r.title for r in rules]),
        "check": field([r.shown for r in rules]),
        "filled": filled[order],
        "passed": passed[order],
        "sources": sources[order],
        "basis": field([r.basis for r in rules]),
        "hint": field([r.hint for r in rules]),
        "cause": np.concatenate([causes[r.id] for r in rules])[order] if rules else [],
    }
    keys = data.keys.iloc[year[order]].reset_index(drop=True)
    return pd.concat([keys, pd.DataFrame(columns, columns=COLUMNS)], axis=1)


def _causes(rules: list[Rule], failed: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """checks.rules._with_causes, for every year at once."""
    cause = {r.id: _objects([""] * n) for r in rules}
    for rule in rules:
        for consequence in rule.explains:
            hit = failed[rule.id] & failed[consequence] & (cause[consequence] == "")
            cause[consequence][hit] = rule.id
    return cause


def _rule(
    data: Stack, rule: Rule, code: Mapping[str, Any], detail: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(passed, filled, sources) of one rule in every year."""
    n = len(data)
    passed, filled, sources = _objects([None] * n), _objects([""] * n), _objects([""] * n)
    missing = [_objects([""] * n)]
    lacking = np.zeros(n, dtype=bool)
    for requirement in rule.requires:
        absent = np.array([requirement not in c.available for c in data.contexts], dtype=bool)
        if absent.any():
            text = _objects([""] * n)
            text[absent] = REQUIREMENTS.get(requirement, requirement)
            missing.append(text)
            lacking |= absent
    if lacking.any():
        joined = ["；".join(t[i] for t in missing[1:] if t[i]) for i in np.flatnonzero(lacking)]
        filled[lacking] = _objects([f"不适用:{j}" for j in joined])
    todo = np.flatnonzero(~lacking)
    if not len(todo):
        return passed, filled, sources
    over, _, _ = parse_shown(rule.shown)
    if rule.engine == "code" or not _columnar(rule):
        _per_year(data, rule, code, todo, passed, filled, sources)
    elif over:
        _over_rows(data, rule, todo, passed, filled, sources, detail)
    else:
        _over_values(data, rule, todo, passed, filled, sources, detail)
    return passed, filled, sources


def _columnar(rule: Rule) -> bool:
    """Whether every name of the rule is a value or a column of its own table (a whole column is
    read only inside a call, as `sum(checklist.count)`)."""
    tree = parse(parse_shown(rule.shown)[2])
    bare = set(names(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Attribute) for a in node.args):
            if node.func.id != "sum" or not all(  # type: ignore[attr-defined]
                isinstance(a, ast.Attribute) for a in node.args
            ):
                return False
    column_names = {n for n in bare if "." in n}
    return all(_inside_sum(tree, n) for n in column_names)


def _inside_sum(tree: ast.Expression, name: str) -> bool:
    outside = []

    def visit(node: ast.AST, in_sum: bool) -> None:
        if isinstance(node, ast.Attribute) and dotted(node) == name and not in_sum:
            outside.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child, in_sum or (isinstance(node, ast.Call) and node.func.id == "sum"))  # type: ignore[attr-defined]

    visit(tree, False)
    return not outside


def _per_year(
    data: Stack,
    rule: Rule,
    code: Mapping[str, Any],
    todo: np.ndarray,
    passed: np.ndarray,
    filled: np.ndarray,
    sources: np.ndarray,
) -> None:
    """A rule the columns cannot say: a registered code check (called as the per-year engine calls
    it), or an expression naming a whole column outside sum() (the per-year engine itself)."""
    for i in todo:
        context = data.contexts[i]
        if rule.engine == "code":
            problems, where = code[rule.id](context)
            passed[i], filled[i], sources[i] = not problems, "；".join(problems) or "无问题", where
        else:
            finding = evaluate_rules([rule], context, code)[0]
            passed[i], filled[i], sources[i] = finding.passed, finding.filled, finding.sources


def _aggregates(data: Stack, tree: ast.Expression) -> dict[int, str]:
    """Name each `sum(table.column)` call of `tree` and put its per-year value among the stack's
    values (exact, with the expression language's own sum)."""
    named: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Attribute) for a in node.args):
            name = f"__{ast.unparse(node)}"
            named[id(node)] = name
            if name not in data.values:
                table, _, col = (dotted(node.args[0]) or "?").partition(".")
                data.values[name] = _sums(data, table, col)
    return named


def _sums(data: Stack, table: str, column: str) -> np.ndarray:
    """`sum(table.column)` of every year: expr.exact_sum, with numpy where it is exact (a column
    of plain ints whose every year's total stays far below 2^53)."""
    long = data.tables[table]
    values = long[column].to_numpy()
    keys = long[KEY].to_numpy()
    if (
        len(values)
        and pd.api.types.infer_dtype(values, skipna=False) == "integer"
        and np.abs(values.astype(np.float64)).max() * len(values) < 2**52
    ):
        totals = np.bincount(keys, weights=values.astype(np.float64), minlength=len(data))
        return _objects(totals.astype(np.int64).tolist())
    return _objects([FUNCTIONS["sum"](c.tables[table][column]) for c in data.contexts])


class _Substituted(ast.NodeTransformer):
    def __init__(self, named: dict[int, str]):
        self.named = named

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if id(node) in self.named:
            return ast.Name(id=self.named[id(node)])
        node.args = [self.visit(a) for a in node.args]
        return node


def _plain_tree(data: Stack, text: str) -> ast.Expression:
    """The expression with each `sum(table.column)` replaced by a name of the stack."""
    tree = parse(text)
    return _Substituted(_aggregates(data, tree)).visit(tree)


def _over_values(
    data: Stack,
    rule: Rule,
    todo: np.ndarray,
    passed: np.ndarray,
    filled: np.ndarray,
    sources: np.ndarray,
    detail: str,
) -> None:
    text = parse_shown(rule.shown)[2]
    used = names(parse(text))
    shown_tree = parse(text)  # _Shown and _Substituted rewrite their tree: one parse each
    shown = _Shown(shown_tree, _aggregates(data, shown_tree))
    plain = _plain_tree(data, text)
    plain_used = names(plain)
    absent = {n: pd.isna(data.value(n)[todo]).astype(bool) for n in plain_used}
    any_absent = np.zeros(len(todo), dtype=bool)
    for mask in absent.values():
        any_absent |= mask
    value, mismatch = truth(plain, data.columns, todo[~any_absent])
    result = _objects([None] * len(todo))
    result[~any_absent] = _objects((value & ~mismatch).tolist())
    where_mismatch = np.zeros(len(todo), dtype=bool)
    where_mismatch[~any_absent] = mismatch
    passed[todo] = result
    show = np.ones(len(todo), dtype=bool) if detail == "all" else ~(result == True)  # noqa: E712
    at = todo[show]
    if not len(at):
        return
    text_filled = shown.fill(data.columns, at)
    for j, i in enumerate(np.flatnonzero(show)):
        if any_absent[i]:
            absent_names = [n for n in plain_used if absent[n][i]]
            kind = "公布值" if all(n.startswith("p") for n in absent_names) else "数值"
            text_filled[j] += f"({kind}缺失,不适用)"
        elif where_mismatch[i]:
            text_filled[j] += TYPE_NOTE
        elif result[i] is False and rule.explain:
            year = int(todo[i])
            explain = rule.explain
            lines = _messages(
                explain.over,
                explain.where,
                None,
                explain.message,
                data.contexts[year],
                _YearEnv(data, year),
            )
            text_filled[j] += "".join(f"；{line}" for line in lines)
    filled[at] = text_filled
    where = _objects([""] * len(at))
    for k, name in enumerate(used):
        where = where + (("；" if k else "") + f"{name}←") + data.source(name)[at]
    sources[at] = where


class _YearEnv(Mapping[str, Any]):
    """One year's Context.env(), looked up lazily: a row's own cells (when given), its values,
    then `table.column` Series."""

    def __init__(
        self, data: Stack, year: int, row: tuple[Columns, int, frozenset[str]] | None = None
    ):
        self.context = data.contexts[year]
        self.row = row

    def __getitem__(self, name: str) -> Any:
        if self.row is not None and name in self.row[2]:
            return self.row[0].values(name)[self.row[1]]
        if name in self.context.values:
            return self.context.values[name]
        table, _, column = name.partition(".")
        if column and table in self.context.tables and column in self.context.tables[table]:
            return self.context.tables[table][column]
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        try:
            self[str(name)]
        except KeyError:
            return False
        return True

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.context.env())

    def __len__(self) -> int:
        return len(self.context.env())


@functools.lru_cache(maxsize=256)
def _placeholder(text: str) -> ast.Expression:
    return parse(text)


def _render(message: str, env: Mapping[str, Any]) -> str:
    """checks.rules.render, with each placeholder parsed once."""

    def one(match: re.Match[str]) -> str:
        value = evaluate(_placeholder(match.group(1)), env)
        if isinstance(value, (list, tuple)):
            return "、".join(map(str, value))
        return "" if blank(value) else str(value)

    return PLACEHOLDER.sub(one, message)


def _over_rows(
    data: Stack,
    rule: Rule,
    todo: np.ndarray,
    passed: np.ndarray,
    filled: np.ndarray,
    sources: np.ndarray,
    detail: str,
) -> None:
    over, where, check = parse_shown(rule.shown)
    assert over is not None
    columns = data.row_columns(over)
    keys = data.tables[over][KEY].to_numpy()
    at = np.flatnonzero(np.isin(keys, todo))
    bad = np.zeros(len(keys), dtype=bool)
    note = np.zeros(len(keys), dtype=bool)
    if where:
        value, mismatch = truth(_plain_tree(data, where), columns, at)
        bad[at[mismatch]] = note[at[mismatch]] = True
        at_check = at[value & ~mismatch]
    else:
        at_check = at
    if check:
        value, mismatch = truth(_plain_tree(data, check), columns, at_check)
        bad[at_check[~value | mismatch]] = True
        note[at_check[mismatch]] = True
    else:
        bad[at_check] = True
    passed[todo] = True
    if detail == "all":
        filled[todo] = "无问题"
        sources[todo] = _objects([data.contexts[i].table_sources.get(over, over) for i in todo])
    failing = np.flatnonzero(bad)
    if not len(failing):
        return
    own = frozenset(c for c in data.tables[over].columns if c != KEY)
    lines: dict[int, list[str]] = {}
    for r in failing:  # rows in table order, so each year's messages are in its rows' order
        year = int(keys[r])
        text = _render(rule.message, _YearEnv(data, year, (columns, int(r), own)))
        lines.setdefault(year, []).append(text + (TYPE_NOTE if note[r] else ""))
    for year, messages in lines.items():
        passed[year] = False
        filled[year] = "；".join(messages)
        sources[year] = data.contexts[year].table_sources.get(over, over)


__all__ = ["Columns", "Stack", "check_stack", "stack", "truth"]
