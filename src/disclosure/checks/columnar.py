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
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from disclosure.checks import builtin
from disclosure.checks.findings import COLUMNS
from disclosure.checks.rules import (
    PLACEHOLDER,
    REQUIREMENTS,
    Context,
    Rule,
    _messages,
    _plain,
    _source,
    evaluate_rules,
    parse_shown,
    render,
)
from disclosure.errors import ExpressionError
from disclosure.expr import (
    BINARY,
    COMPARE,
    FUNCTIONS,
    blank,
    dotted,
    evaluate,
    fill,
    names,
    parse,
    parsed,
)
from disclosure.workspace import CLAIMS_FORM

KEY = "_key"  # position of the institution-year in the stack, in every long table
DETAILS = ("all", "failed")


TYPE_NOTE = "(类型不符:数字与文字无法比较)"


@dataclass
class Stack:
    """Every institution-year's rule context, as columns: `values[name][i]` is year i's value."""

    keys: pd.DataFrame  # one row per institution-year (any key columns, e.g. institution, year)
    contexts: list[Context]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # every year's rows, with KEY
    _available: dict[str, np.ndarray] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # what code checks' twins share
    _columns: dict[str, Columns] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.contexts)

    def value(self, name: str) -> np.ndarray:
        if name not in self.values:
            self.values[name] = _objects([c.values.get(name) for c in self.contexts])
        return self.values[name]

    def source(self, name: str, at: np.ndarray) -> np.ndarray:
        """Where the value of `name` came from in years `at` (the per-year engine's `_source`)."""
        return _objects([_source(name, self.contexts[i]) for i in at])

    def table_source(self, table: str, at: np.ndarray) -> np.ndarray:
        return _objects([self.contexts[i].table_sources.get(table, table) for i in at])

    def available(self, requirement: str) -> np.ndarray:
        """Whether each year has `requirement` (a rule's `requires`)."""
        if requirement not in self._available:
            self._available[requirement] = np.array(
                [requirement in c.available for c in self.contexts], dtype=bool
            )
        return self._available[requirement]

    def is_value(self, name: str) -> bool:
        """A name of the years' values (profile.signer), not a table's column."""
        return name in self.values and name.partition(".")[0] not in self.tables

    def todo_rows(self, table: str, todo: np.ndarray) -> np.ndarray:
        """Which rows of a long table belong to the years `todo`."""
        wanted = np.zeros(len(self), dtype=bool)
        wanted[todo] = True
        return wanted[self.tables[table][KEY].to_numpy()]

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

            def spread(name: str) -> tuple[Columns, np.ndarray] | None:
                own = name in long.columns or name.startswith(DERIVED)
                return None if own or name not in self.values else (self.columns, keys)

            self._columns[table] = Columns(lookup, spread)
        return self._columns[table]


def stack(
    contexts: list[Context], keys: pd.DataFrame, encode: bool | Iterable[str] = True
) -> Stack:
    """The long tables of many years' contexts (keys: one row per context, in the same order).

    encode: compute each column's types, numbers and distinct-value codes now (what loading a
    columnar table does), so that checking reads only arrays; given names (`rule_names`), only
    those columns; False: each is computed when a rule first reads it."""
    out = Stack(keys.reset_index(drop=True), list(contexts))
    names_seen = dict.fromkeys(n for c in contexts for n in c.values)
    for name in names_seen:
        out.value(name)
    for table in dict.fromkeys(t for c in contexts for t in c.tables):
        frames = [c.tables[table] for c in contexts]
        lengths = [len(f) for f in frames]
        plain = _concatenated(frames)
        plain[KEY] = np.repeat(np.arange(len(frames)), lengths)
        out.tables[table] = plain
    if encode:  # what the rules read of each column, computed once here (see Columns)
        wanted = None if encode is True else set(encode)
        for name in names_seen:
            if wanted is None or name in wanted:
                out.columns.encode(name)
        for table, long in out.tables.items():
            for column in long.columns:
                if column != KEY and (wanted is None or column in wanted):
                    out.row_columns(table).encode(column)
    return out


def _concatenated(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other (pd.concat), each cell as rows() gives it."""
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in long.columns:  # an int column beside a float one became floats: exact
        if long[column].dtype.kind == "f" and np.nanmax(np.abs(long[column]), initial=0) >= 2**53:
            long[column] = pd.concat([f[column].astype(object) for f in frames], ignore_index=True)
    return _object_frame({column: _plain_array(long[column]) for column in long.columns})


def _object_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Columns of Python objects kept as they are (pandas would make a text column's None NaN)."""
    return pd.DataFrame({c: pd.Series(v, dtype=object, copy=False) for c, v in columns.items()})


def rule_names(rules: list[Rule]) -> set[str]:
    """Every name the rules' checks, filters and messages read (what `stack` may encode)."""
    found: set[str] = set()
    for rule in rules:
        over, where, check = parse_shown(rule.shown)
        texts = [] if rule.engine == "code" else [check, where]
        texts += PLACEHOLDER.findall(rule.message)
        if rule.explain:
            texts += [rule.explain.where, *PLACEHOLDER.findall(rule.explain.message)]
        for text in filter(None, texts):
            found.update(_parsed_names(text)[1])
    return found


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
        finite = np.isfinite(values)
        whole = finite & (np.floor(values) == values)
        small = whole & (np.abs(values) < 2**53)
        out[nan] = None
        out[small] = _objects(values[small].astype(np.int64).tolist())
        big = whole & ~small  # _plain makes any whole float an int, however large
        out[big] = _objects([int(v) for v in values[big].tolist()])
        return out  # inf stays a float, as _plain leaves it
    out = values.astype(object) if values.dtype != object else values.copy()
    kinds, distinct = pd.factorize(_types(out))
    odd_kinds = [k for k, kind in enumerate(distinct) if kind not in _PLAIN_TYPES]
    if odd_kinds:
        odd = np.flatnonzero(np.isin(kinds, odd_kinds))
        out[odd] = _objects([_plain(out[i]) for i in odd])
    return out


# what rows() gives unchanged; a cell of another type (a float, NaN, a numpy scalar) goes through
# checks.rules._plain
_PLAIN_TYPES = (int, bool, str, type(None), list)
_NUMPY_CALLS: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "max": lambda *a: functools.reduce(np.maximum, a),
    "min": lambda *a: functools.reduce(np.minimum, a),
}
DERIVED = "§"  # a name standing for a one-name part of an expression (see _prepare)


class Columns:
    """name -> the object array of its value in each row, with what evaluation needs cached per
    name: the Python type of each value (as a small code), which rows hold a plain finite number
    and its float64 value (float64 arithmetic is then Python's, see _bound), and a code per
    distinct value (type-aware: 1, 1.0 and True are three values; 0.0 and -0.0 two). A name made
    by _prepare (`§...`) is a one-name part of an expression, evaluated over its name's column
    (_vectorised) or once per distinct value of it."""

    def __init__(
        self,
        lookup: Callable[[str], np.ndarray],
        spread: Callable[[str], tuple[Columns, np.ndarray] | None] | None = None,
    ):
        self.lookup = lookup
        # (the year columns, the year of each row) for a year's value repeated on its rows: what
        # is cached of it is the year column's, taken row by row
        self.spread = spread or (lambda name: None)
        self._values: dict[str, np.ndarray] = {}
        self._numbers: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._mismatch: dict[str, np.ndarray | None] = {}
        self._kinds: dict[str, tuple[np.ndarray, list[type]]] = {}
        self._bools: dict[str, np.ndarray | None] = {}

    def encode(self, name: str) -> None:
        """Compute what evaluation reads of a column now (a stack does it when it is built)."""
        self.numbers(name)
        self.codes(name)

    def values(self, name: str) -> np.ndarray:
        if name not in self._values:
            if name.startswith(DERIVED) and name not in self._bools:
                self._derive(name)
            if name in self._bools and name not in self._values:  # derived as bools
                self._values[name] = _objects(self._bools[name].tolist())  # type: ignore[union-attr]
            elif name not in self._values:
                self._values[name] = self.lookup(name)
        return self._values[name]

    def mismatch(self, name: str) -> np.ndarray | None:
        """Rows where a derived name's part raised a TypeError (None: none did, or not derived)."""
        if name.startswith(DERIVED) and name not in self._values and name not in self._bools:
            self._derive(name)
        return self._mismatch.get(name)

    def bools(self, name: str) -> np.ndarray | None:
        """The values as a bool array, when every value is a bool."""
        if name.startswith(DERIVED) and name not in self._values and name not in self._bools:
            self._derive(name)
        if name not in self._bools:
            every = len(self.values(name)) > 0 and bool(self.of_type(name, bool).all())
            self._bools[name] = self.values(name).astype(bool) if every else None
        return self._bools[name]

    def _derive(self, name: str) -> None:
        node, source = _DERIVED_PARTS[name]
        fast = _vectorised(node, source, self)
        codes, first = self.codes(source)
        if fast is not None:
            if fast.dtype == bool:
                self._bools[name] = fast
            else:
                self._values[name] = fast
                self._derived_kinds(name, fast[first], codes)
            return
        function = _function(node)
        values = self.values(source)
        results, raised = [], []
        for row in first:
            try:
                results.append(function({source: values[row]}))
                raised.append(False)
            except TypeError:
                results.append(None)
                raised.append(True)
        if results and not any(raised) and all(type(r) is bool for r in results):
            self._bools[name] = np.array(results, dtype=bool)[codes]
            return
        self._values[name] = _objects(results)[codes]
        self._derived_kinds(name, _objects(results), codes)
        self._mismatch[name] = np.array(raised, dtype=bool)[codes] if any(raised) else None

    def _derived_kinds(self, name: str, distinct: np.ndarray, codes: np.ndarray) -> None:
        """The types of a derived column from its value for each distinct value of its source
        (one value of the source, one result)."""
        type_codes, types = pd.factorize(_types(distinct))
        self._kinds[name] = (type_codes[codes], list(types))

    def kinds(self, name: str) -> tuple[np.ndarray, list[type]]:
        """(a code per row for the Python type of its value, the types in code order)."""
        if name not in self._kinds:
            spread = self.spread(name)
            if spread is not None:
                codes, distinct = spread[0].kinds(name)
                self._kinds[name] = (codes[spread[1]], distinct)
                return self._kinds[name]
            values = self.values(name)
            codes, distinct = pd.factorize(_types(values))
            self._kinds[name] = (codes, list(distinct))
        return self._kinds[name]

    def of_type(self, name: str, kind: type) -> np.ndarray:
        """Rows whose value is exactly of type `kind` (a bool is not an int here)."""
        codes, distinct = self.kinds(name)
        if kind not in distinct:
            return np.zeros(len(codes), dtype=bool)
        return codes == distinct.index(kind)

    def absent(self, name: str) -> np.ndarray:
        """Rows whose value is None or NaN (checks.rules._absent)."""
        if self.bools(name) is not None:
            return np.zeros(len(self._bools[name]), dtype=bool)  # type: ignore[arg-type]
        out = self.of_type(name, type(None))
        floats = self.of_type(name, float)
        if floats.any():
            out[floats] = np.isnan(self.values(name)[floats].astype(np.float64))
        return out

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray, float]:
        """(rows holding a finite int or float, not a bool; their float64 values; the largest
        magnitude among them)."""
        if name not in self._numbers and (spread := self.spread(name)) is not None:
            mask, floats, _ = spread[0].numbers(name)
            rows_floats = floats[spread[1]]
            self._numbers[name] = (
                mask[spread[1]],
                rows_floats,
                float(np.abs(rows_floats).max(initial=0.0)),
            )
        if name not in self._numbers:
            values = self.values(name)
            mask = self.of_type(name, int) | self.of_type(name, float)
            floats = np.zeros(len(values), dtype=np.float64)
            if mask.all():
                try:
                    floats = values.astype(np.float64)
                except OverflowError:
                    floats = _floats(values)
            elif mask.any():
                try:
                    floats[mask] = values[mask].astype(np.float64)
                except OverflowError:  # an int beyond float64: that row goes the exact way
                    floats[mask] = _floats(values[mask])
            mask &= np.isfinite(floats)
            floats[~mask] = 0.0
            largest = float(np.abs(floats).max(initial=0.0))
            self._numbers[name] = (mask, floats, largest)
        return self._numbers[name]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(a code per row, equal exactly where the values are the same value of the same type and
        print the same; the first row of each code)."""
        if name not in self._codes and (spread := self.spread(name)) is not None:
            codes, first = _dense(spread[0].codes(name)[0][spread[1]])
            self._codes[name] = (codes, first)
        if name not in self._codes:
            values = self.values(name)
            bools = self._bools.get(name)
            if bools is not None:
                codes = bools.astype(np.int64)
            else:
                try:
                    codes = pd.factorize(values, use_na_sentinel=False)[0]
                except TypeError:  # lists (a row's allowed values): compared as tuples
                    hashable = _objects([tuple(v) if isinstance(v, list) else v for v in values])
                    codes = pd.factorize(hashable, use_na_sentinel=False)[0]
                kinds, distinct = self.kinds(name)
                if len(distinct) > 1:  # 1, 1.0, True; None, NaN: one code each per type
                    codes = codes.astype(np.int64) * len(distinct) + kinds
                floats = self.of_type(name, float)
                if floats.any():  # 0.0 and -0.0 are equal but print differently
                    sign = np.zeros(len(values), dtype=np.int64)
                    sign[floats] = np.signbit(values[floats].astype(np.float64))
                    codes = codes.astype(np.int64) * 2 + sign
            codes, first = _dense(codes)
            self._codes[name] = (codes, first)
        return self._codes[name]


def _floats(values: np.ndarray) -> np.ndarray:
    return np.array([float(v) if abs(v) < 2**1000 else np.inf for v in values], dtype=np.float64)


def _vectorised(node: ast.AST, source: str, columns: Columns) -> np.ndarray | None:
    """A one-name part evaluated over the whole column without Python per row, for the shapes
    the catalogue uses most: `x == 'text'` / `x != 'text'` (Python's own operator, element-wise;
    it never raises), `f(x)` for the functions in _BY_TYPE, and `not` of a bool result. None:
    another shape (Columns evaluates it once per distinct value). A bool array when every result
    is a bool."""
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in _ELEMENTWISE
        and isinstance(node.left, (ast.Name, ast.Attribute))
        and isinstance(node.comparators[0], ast.Constant)
    ):
        constant = node.comparators[0].value
        codes, first = columns.codes(source)
        values = columns.values(source)
        distinct = _ELEMENTWISE[type(node.ops[0])](values[first], constant)
        if not _all_bool(distinct):
            return None
        return distinct.astype(bool)[codes]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _vectorised(node.operand, source, columns)
        return ~inner if inner is not None and inner.dtype == bool else None
    if (
        isinstance(node, ast.Call)
        and node.func.id in _BY_TYPE  # type: ignore[attr-defined]
        and len(node.args) == 1
        and isinstance(node.args[0], (ast.Name, ast.Attribute))
    ):
        return _by_type(node.func.id, source, columns)  # type: ignore[attr-defined]
    return None


def _all_bool(values: np.ndarray) -> bool:
    return all(type(v) is bool for v in values)


def _by_type(function_name: str, name: str, columns: Columns) -> np.ndarray:
    """FUNCTIONS[function_name] of every value of `name`: by numpy for the types whose answer
    needs no Python (a blank None, a count's sign), once per distinct value for the others."""
    function = FUNCTIONS[function_name]
    boolean = function_name in _BOOLEAN
    values = columns.values(name)
    kinds, distinct_kinds = columns.kinds(name)
    out = np.zeros(len(values), dtype=bool) if boolean else np.full(len(values), None, dtype=object)
    for code, kind in enumerate(distinct_kinds):
        rows = np.flatnonzero(kinds == code) if len(distinct_kinds) > 1 else slice(None)
        rule = _BY_TYPE[function_name].get(kind)
        if rule is not None:
            out[rows] = rule(values[rows], columns, name, rows)
            continue
        subset = values[rows]
        codes, first = _dense(columns.codes(name)[0][rows])  # type-aware: one value each
        out[rows] = _objects([function(subset[i]) for i in first])[codes]
    return out


def _count_sign(values: np.ndarray, columns: Columns, name: str, rows: Any) -> np.ndarray:
    """is_count of ints: not negative (float64 keeps the sign of any int; beyond its range,
    Python compares)."""
    mask, floats, _ = columns.numbers(name)
    out = floats[rows] >= 0
    odd = ~mask[rows]
    if odd.any():
        out[odd] = [v >= 0 for v in values[odd]]
    return out


def _constant(answer: Any) -> Callable[..., Any]:
    return lambda values, *_: answer


def _float_nan(values: np.ndarray, *_: Any) -> np.ndarray:
    return np.isnan(values.astype(np.float64))


def _same(values: np.ndarray, *_: Any) -> np.ndarray:
    return values


def _int_texts(values: np.ndarray, *_: Any) -> np.ndarray:
    """compact of ints: str(int) (an int's text has no space), one call in C per value."""
    return _objects(list(map(str, values)))


def _bool_texts(values: np.ndarray, *_: Any) -> np.ndarray:
    """compact of bools: number leaves a bool as it is; its text is 'True' or 'False'."""
    return np.where(values.astype(bool), "True", "False").astype(object)


_BOOLEAN = ("blank", "is_count", "is_text")  # functions whose every result is a bool
# function -> {exact Python type -> its answer for an array of values of that type}
_BY_TYPE: dict[str, dict[type, Callable[..., Any]]] = {
    "blank": {
        type(None): _constant(True),
        int: _constant(False),
        bool: _constant(False),
        list: _constant(False),
        float: _float_nan,
    },
    "is_count": {
        type(None): _constant(False),
        bool: _constant(False),
        float: _constant(False),
        str: _constant(False),
        list: _constant(False),
        int: _count_sign,
    },
    "is_text": {
        type(None): _constant(False),
        bool: _constant(False),
        float: _constant(False),
        int: _constant(False),
        list: _constant(False),
    },
    "number": {type(None): _constant(None), int: _same, bool: _same},
    "compact": {type(None): _constant(""), int: _int_texts, bool: _bool_texts},
}


def _dense(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes renumbered 0, 1, ... in order of first appearance, the first row of each): one
    hashing pass, no sort."""
    dense = pd.factorize(codes)[0].astype(np.int64)
    if not len(dense):
        return dense, dense
    before = np.maximum.accumulate(np.concatenate(([-1], dense[:-1])))
    return dense, np.flatnonzero(dense > before)


def _types(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(type, values), dtype=object, count=len(values))


_DERIVED_PARTS: dict[str, tuple[ast.AST, str]] = {}


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


def _bound(node: ast.AST, sizes: Mapping[str, Any]) -> Any:
    """An upper bound of the magnitude of every value computed in `node` (operands included),
    given a bound of each name's: where it stays below 2^52, every whole number involved is exact
    in float64, so numpy's float64 arithmetic gives Python's int and float results."""
    if isinstance(node, ast.Constant):
        return abs(float(node.value))
    if isinstance(node, (ast.Name, ast.Attribute)):
        return sizes[dotted(node) or "?"]
    if isinstance(node, ast.Call):
        return functools.reduce(np.maximum, [_bound(a, sizes) for a in node.args])
    if isinstance(node, ast.UnaryOp):
        return _bound(node.operand, sizes)
    if isinstance(node, ast.BinOp):
        left, right = _bound(node.left, sizes), _bound(node.right, sizes)
        both = (
            (left * right)
            if isinstance(node.op, ast.Mult)
            else np.maximum(left, right)  # a quotient: a float; only the ints under it count
            if isinstance(node.op, ast.Div)
            else (left + right)
        )
        return np.maximum(both, np.maximum(left, right))
    if isinstance(node, ast.Compare):
        parts = [_bound(node.left, sizes)] + [_bound(c, sizes) for c in node.comparators]
        return functools.reduce(np.maximum, parts)
    raise TypeError(type(node).__name__)  # excluded by _numeric_ok


BOUND = 2.0**52  # below this, whole numbers and their sums and products are exact in float64


class _Prepared(ast.NodeTransformer):
    """Each part of an expression that names one value and that numpy cannot evaluate
    (`blank(line)`, `kind in ['count', 'amount']`, `compact(value)`) becomes a name of its own,
    whose column Columns evaluates once per distinct value."""

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Name, ast.Attribute)):
            used = names(node)
            if len(used) == 1 and not _numeric_ok(node) and not _whole_column(node):
                name = f"{DERIVED}{ast.unparse(node)}"
                _DERIVED_PARTS.setdefault(name, (node, used[0]))
                return ast.Name(id=name)
        return super().generic_visit(node)


def _whole_column(node: ast.AST) -> bool:
    return any(
        isinstance(a, ast.Attribute)
        for s in ast.walk(node)
        if isinstance(s, ast.Call)
        for a in s.args
    )


@functools.lru_cache(maxsize=1024)
def _prepare_text(text: str) -> ast.Expression:
    return _Prepared().visit(parse(text))


def _prepare(node: ast.AST) -> ast.AST:
    tree = node if isinstance(node, ast.Expression) else ast.Expression(body=node)
    return _prepare_text(ast.unparse(tree)).body


def truth(node: ast.AST, columns: Columns, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(truth, type mismatch) of an expression in rows `at`, as the per-year engine reads it:
    and/or evaluate every operand (a TypeError in any one is a mismatch), `not` negates; each
    other part is a leaf."""
    return _truth(_prepare(node), columns, at)


def _truth(node: ast.AST, columns: Columns, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(node, ast.Expression):
        return _truth(node.body, columns, at)
    if isinstance(node, ast.BoolOp):
        parts = [_truth(v, columns, at) for v in node.values]
        value = parts[0][0].copy()
        mismatch = parts[0][1].copy()
        for part_value, part_mismatch in parts[1:]:
            value = (value & part_value) if isinstance(node.op, ast.And) else (value | part_value)
            mismatch |= part_mismatch
        return value, mismatch
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        value, mismatch = _truth(node.operand, columns, at)
        return ~value, mismatch
    return _leaf(node, columns, at)


_PLANS: dict[int, tuple[ast.AST, list[str], bool, Callable[[Mapping[str, Any]], Any]]] = {}


def _leaf_plan(node: ast.AST) -> tuple[ast.AST, list[str], bool, Callable[..., Any]]:
    """(node, its names, whether numpy may evaluate it, its compiled evaluator), kept with the
    node (prepared trees are cached, so their nodes live on and their ids are not reused)."""
    plan = _PLANS.get(id(node))
    if plan is None or plan[0] is not node:
        plan = _PLANS[id(node)] = (node, names(node), _numeric_ok(node), compiled(node))
    return plan


def _function(node: ast.AST) -> Callable[[Mapping[str, Any]], Any]:
    return _leaf_plan(node)[3]


def _leaf(node: ast.AST, columns: Columns, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A leaf in numpy where every value is a plain number and the magnitudes keep float64 exact;
    `==`/`!=` of two values by Python's own operator, element-wise; elsewhere expr.evaluate
    itself, once per distinct combination of the leaf's values."""
    node, used, numeric_ok, function = _leaf_plan(node)
    value = np.zeros(len(at), dtype=bool)
    mismatch = np.zeros(len(at), dtype=bool)
    if not len(at):
        return value, mismatch
    same = _same_function_compared(node)
    if same is not None:
        return _compare_same_function(*same, columns, at)
    for name in used:
        raised = columns.mismatch(name)
        if raised is not None:
            mismatch |= raised[at]
    if isinstance(node, (ast.Name, ast.Attribute)):
        bools = columns.bools(used[0])
        if bools is not None:
            return bools[at].copy(), mismatch
    todo = np.ones(len(at), dtype=bool)
    if numeric_ok and used:
        numeric = np.ones(len(at), dtype=bool)
        for name in used:
            numeric &= columns.numbers(name)[0][at]
        if numeric.any():
            if _bound(node, {n: columns.numbers(n)[2] for n in used}) >= BOUND:
                sizes = {n: np.abs(columns.numbers(n)[1][at]) for n in used}
                numeric &= _bound(node, sizes) < BOUND
            rows_ = at[numeric]
            arrays = {n: columns.numbers(n)[1][rows_] for n in used}
            result = _numeric(node, arrays)
            value[numeric] = np.broadcast_to(np.asarray(result) != 0, (len(rows_),))
            todo &= ~numeric
    rest = np.flatnonzero(todo)
    if not len(rest):
        return value, mismatch
    rows_ = at[rest]
    if (
        len(used) > 1
        and isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in _ELEMENTWISE
        and all(
            isinstance(s, (ast.Name, ast.Attribute, ast.Constant))
            for s in (node.left, node.comparators[0])
        )
    ):  # Python's == never raises: element by element, in C
        left, right = (
            s.value if isinstance(s, ast.Constant) else columns.values(dotted(s) or "?")[rows_]
            for s in (node.left, node.comparators[0])
        )
        value[rest] = _ELEMENTWISE[type(node.ops[0])](left, right).astype(bool)
        return value, mismatch
    signature = np.zeros(len(rows_), dtype=np.int64)
    for name in used:
        codes = columns.codes(name)[0][rows_]
        signature = signature * (int(codes.max()) + 1) + codes
        if len(used) > 2:
            signature = _dense(signature)[0]
    inverse, first = _dense(signature)
    distinct_value = np.zeros(len(first), dtype=bool)
    distinct_mismatch = np.zeros(len(first), dtype=bool)
    for k, row in enumerate(rows_[first]):
        env = {n: columns.values(n)[row] for n in used}
        try:
            distinct_value[k] = bool(function(env))
        except TypeError:
            distinct_mismatch[k] = True
    inverse = inverse.reshape(-1)
    value[rest] = distinct_value[inverse]
    mismatch[rest] |= distinct_mismatch[inverse]
    return value, mismatch


# functions f with f(a) == f(b) exactly when a == b for two ints, and f(None) of neither
# (number(n) is n; compact(n) is str(n), never empty; compact(None) is "", number(None) None)
_INT_FAITHFUL = ("compact", "number")


def _same_function_compared(node: ast.AST) -> tuple[str, str, str, bool] | None:
    """(function, left name, right name, whether ==) of a leaf `f(a) == f(b)` or `f(a) != f(b)`
    whose parts _prepare made derived names, for f in _INT_FAITHFUL; None otherwise."""
    if not (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in _ELEMENTWISE
        and isinstance(node.left, ast.Name)
        and isinstance(node.comparators[0], ast.Name)
    ):
        return None
    parts = [_DERIVED_PARTS.get(n.id) for n in (node.left, node.comparators[0])]  # type: ignore[attr-defined]
    calls = [p[0] for p in parts if p is not None]
    if len(calls) != 2 or not all(
        isinstance(c, ast.Call)
        and len(c.args) == 1
        and not c.keywords
        and isinstance(c.args[0], (ast.Name, ast.Attribute))
        and c.func.id in _INT_FAITHFUL  # type: ignore[attr-defined]
        for c in calls
    ):
        return None
    if calls[0].func.id != calls[1].func.id:  # type: ignore[attr-defined]
        return None
    return (
        calls[0].func.id,  # type: ignore[attr-defined]
        parts[0][1],  # type: ignore[index]
        parts[1][1],  # type: ignore[index]
        isinstance(node.ops[0], ast.Eq),
    )


def _compare_same_function(
    function_name: str, left: str, right: str, equal: bool, columns: Columns, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`f(left) == f(right)` (or !=) in rows `at` without computing f where both values are ints
    exact in float64 or None (see _INT_FAITHFUL); f once per distinct value elsewhere, compared
    by Python's operator (a TypeError from f is a mismatch, as in the per-year engine)."""
    kinds = {}
    for name in (left, right):
        exact = columns.of_type(name, int)[at] & columns.numbers(name)[0][at]
        exact &= np.abs(columns.numbers(name)[1][at]) < 2.0**53
        kinds[name] = (exact, columns.of_type(name, type(None))[at])
    (int_l, none_l), (int_r, none_r) = kinds[left], kinds[right]
    simple = (int_l | none_l) & (int_r | none_r)
    same = np.zeros(len(at), dtype=bool)
    same[none_l & none_r] = True
    both = int_l & int_r
    same[both] = columns.numbers(left)[1][at[both]] == columns.numbers(right)[1][at[both]]
    mismatch = np.zeros(len(at), dtype=bool)
    rest = np.flatnonzero(~simple)
    if len(rest):
        function = FUNCTIONS[function_name]
        results = []
        for name in (left, right):
            rows = at[rest]
            codes, first = _dense(columns.codes(name)[0][rows])
            values = columns.values(name)
            out, raised = [], []
            for row in rows[first]:
                try:
                    out.append(function(values[row]))
                    raised.append(False)
                except TypeError:
                    out.append(None)
                    raised.append(True)
            results.append(_objects(out)[codes])
            mismatch[rest] |= np.array(raised, dtype=bool)[codes]
        same[rest] = _ELEMENTWISE[ast.Eq](results[0], results[1]).astype(bool)
    value = same if equal else ~same
    return value & ~mismatch if mismatch.any() else value, mismatch


_ELEMENTWISE = {
    ast.Eq: np.frompyfunc(operator.eq, 2, 1),
    ast.NotEq: np.frompyfunc(operator.ne, 2, 1),
}


# --- expr.evaluate as Python closures -------------------------------------------------------------


def compiled(node: ast.AST) -> Callable[[Mapping[str, Any]], Any]:
    """expr.evaluate(node, env) on plain values (no pandas Series) as nested closures: the same
    operators and functions in the same order, without walking the tree at each call."""
    node = node.body if isinstance(node, ast.Expression) else node
    return _compiled(node)


def _compiled(node: ast.AST) -> Callable[[Mapping[str, Any]], Any]:
    if isinstance(node, ast.Constant):
        constant = node.value
        return lambda env: constant
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted(node) or "?"

        def lookup(env: Mapping[str, Any]) -> Any:
            if name not in env:
                raise ExpressionError(f"未知名称“{name}”")
            return env[name]

        return lookup
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
        args = [_compiled(a) for a in node.args]
        if len(args) == 1:
            only = args[0]
            return lambda env: function(only(env))
        return lambda env: function(*[a(env) for a in args])
    if isinstance(node, (ast.List, ast.Tuple)):
        elements = [_compiled(e) for e in node.elts]
        return lambda env: [e(env) for e in elements]
    if isinstance(node, ast.UnaryOp):
        operand = _compiled(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda env: not operand(env)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        op = BINARY[type(node.op)]
        left, right = _compiled(node.left), _compiled(node.right)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.BoolOp):
        parts = [_compiled(v) for v in node.values]
        conjunction = isinstance(node.op, ast.And)

        def boolean(env: Mapping[str, Any]) -> Any:
            values = [p(env) for p in parts]  # every operand, as expr._eval
            result = values[0]
            for value in values[1:]:
                result = (result and value) if conjunction else (result or value)
            return result

        return boolean
    if isinstance(node, ast.Compare) and all(
        type(op) in COMPARE or isinstance(op, (ast.In, ast.NotIn)) for op in node.ops
    ):
        first = _compiled(node.left)
        steps = [
            (
                _membership(op) if isinstance(op, (ast.In, ast.NotIn)) else COMPARE[type(op)],
                _compiled(c),
            )
            for op, c in zip(node.ops, node.comparators, strict=True)
        ]
        if len(steps) == 1:
            ((op, right),) = steps
            return lambda env: op(first(env), right(env))

        def compare(env: Mapping[str, Any]) -> Any:
            left = first(env)
            result: Any = True
            for op, right_of in steps:
                right = right_of(env)
                part = op(left, right)  # every comparison, as expr._compare
                result = result and part
                left = right
            return result

        return compare
    tree = ast.Expression(body=node)  # anything else: the evaluator itself (and its errors)
    return lambda env: evaluate(tree, env)


def _membership(op: ast.cmpop) -> Callable[[Any, Any], bool]:
    if isinstance(op, ast.In):
        return lambda left, right: left in right
    return lambda left, right: left not in right


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

    @staticmethod
    def text(value: Any, name: str) -> str:
        if type(value).__module__ == "numpy" and hasattr(value, "item"):
            value = value.item()
        if value is None or (isinstance(value, float) and value != value):
            return "∅"
        if isinstance(value, (list, tuple)):
            return ast.unparse(ast.List(elts=[ast.Constant(value=v) for v in value]))
        if isinstance(value, (int, float, str)):
            return ast.unparse(ast.Constant(value=value))
        return name

    def fill(self, columns: Columns, at: np.ndarray) -> np.ndarray:
        out = np.full(len(at), "", dtype=object)
        for part in self.parts:
            if isinstance(part, tuple):
                name = part[0]
                out = out + _per_distinct(columns, name, at, lambda v, n=name: self.text(v, n))
            else:
                out = out + part
        return out


def _per_distinct(
    columns: Columns, name: str, at: np.ndarray, function: Callable[[Any], Any]
) -> np.ndarray:
    """function(value of `name`) in rows `at`, called once per distinct value."""
    codes, first = columns.codes(name)
    inverse, first_at = _dense(codes[at])
    distinct = codes[at][first_at]
    values = columns.values(name)
    return _objects([function(values[first[c]]) for c in distinct])[inverse.reshape(-1)]


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


@functools.lru_cache(maxsize=1024)
def _shown(text: str) -> tuple[_Shown, list[str]]:
    """The filled-in text's template of a check, and the names the per-year engine lists in
    `sources` (every name, a whole column inside sum() included)."""
    tree = parse(text)
    used = names(tree)
    return _Shown(tree, _aggregate_names(tree)), used


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
    failed = np.concatenate([failed_by_id[r.id] for r in rules]) if rules else np.zeros(0, bool)
    held = (
        np.concatenate([res[0] == True for res in results]) if rules else np.zeros(0, bool)  # noqa: E712
    )
    # findings.ordered within each year: failed errors, failed warnings, ..., then by id
    state = np.where(failed, 0, np.where(held, 2, 1))
    id_order = {rule_id: k for k, rule_id in enumerate(sorted(r.id for r in rules))}
    id_rank = np.array([id_order[r.id] for r in rules], dtype=np.int64)[which]
    warning = np.array([r.severity != "error" for r in rules], dtype=bool)[which]
    order = np.lexsort((id_rank, state * 2 + warning, year))
    rule_of = which[order]

    def field(values: list[Any]) -> pd.api.extensions.ExtensionArray | np.ndarray:
        """A column of one value per rule: the rules' values typed as pandas types them (every
        rule is in the column, so the column holds the same values), taken row by row."""
        return pd.Series(_objects(values)).array.take(rule_of)

    filled = np.concatenate([res[1] for res in results]) if rules else _objects([])
    sources = np.concatenate([res[2] for res in results]) if rules else _objects([])
    if detail == "failed":  # the code checks fill theirs anyway
        filled[held] = sources[held] = ""
    columns: dict[str, Any] = {
        "id": field([r.id for r in rules]),
        "severity": field([r.severity for r in rules]),
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
    cause = {r.id: np.full(n, "", dtype=object) for r in rules}
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
    passed, filled, sources = (
        np.full(n, None, dtype=object),
        np.full(n, "", dtype=object),
        np.full(n, "", dtype=object),
    )
    lacking = np.zeros(n, dtype=bool)
    text = np.full(n, "", dtype=object)
    for requirement in rule.requires:
        absent = ~data.available(requirement)
        if absent.any():
            missing = REQUIREMENTS.get(requirement, requirement)
            text[absent] = np.where(text[absent] == "", missing, text[absent] + "；" + missing)
            lacking |= absent
    if lacking.any():
        filled[lacking] = "不适用:" + text[lacking]
    todo = np.flatnonzero(~lacking)
    if not len(todo):
        return passed, filled, sources
    over, _, _ = parse_shown(rule.shown)
    if rule.engine == "code" and VECTORISED.get(rule.id, (None,))[0] is code.get(rule.id):
        VECTORISED[rule.id][1](data, todo, passed, filled, sources)
    elif rule.engine == "code" or not _columnar(data, rule):
        _per_year(data, rule, code, todo, passed, filled, sources)
    elif over:
        _over_rows(data, rule, todo, passed, filled, sources, detail)
    else:
        _over_values(data, rule, todo, passed, filled, sources, detail)
    return passed, filled, sources


def _columnar(data: Stack, rule: Rule) -> bool:
    """Whether every name of the rule is a value or a column of its own table (a whole column is
    read only inside a call, as `sum(checklist.count)`)."""
    calls, dotted_names = _columnar_plan(parse_shown(rule.shown)[2])
    for call_names, a_sum in calls:
        of_values = all(data.is_value(n) for n in call_names)  # blank(profile.signer)
        if not of_values and not a_sum:
            return False
    return all(inside for n, inside in dotted_names if not data.is_value(n))


@functools.lru_cache(maxsize=1024)
def _columnar_plan(
    text: str,
) -> tuple[tuple[tuple[tuple[str, ...], bool], ...], tuple[tuple[str, bool], ...]]:
    """What _columnar reads of an expression: (each call with a dotted argument: its names,
    whether it is a sum of dotted names only), (each dotted name, whether it is only inside a
    sum)."""
    tree, bare = _parsed_names(text)
    calls = tuple(
        (
            tuple(names(node)),
            node.func.id == "sum"  # type: ignore[attr-defined]
            and all(isinstance(a, ast.Attribute) for a in node.args),
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Attribute) for a in node.args)
    )
    return calls, tuple((n, _inside_sum(tree, n)) for n in sorted(bare) if "." in n)


@functools.lru_cache(maxsize=1024)
def _parsed_names(text: str) -> tuple[ast.Expression, frozenset[str]]:
    tree = parse(text)
    return tree, frozenset(names(tree))


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


def _aggregate_names(tree: ast.Expression) -> dict[int, str]:
    """A name for each `sum(table.column)` call of `tree`."""
    return {
        id(node): f"__{ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Attribute) for a in node.args)
    }


def _register_sums(data: Stack, tree: ast.Expression) -> None:
    """Put the per-year value of each call of `tree` with a dotted argument (`sum(table.column)`,
    `blank(profile.signer)`: what expr.fill shows as its result) among the stack's values."""
    for node, name in _dotted_calls(tree):
        if name not in data.values:
            if all(data.is_value(n) for n in names(node)):
                data.values[name] = _values(node, data.columns, np.arange(len(data)))
            else:
                table, _, col = (dotted(node.args[0]) or "?").partition(".")  # type: ignore[attr-defined]
                data.values[name] = _sums(data, table, col)


_DOTTED_CALLS: dict[int, tuple[ast.Expression, list[tuple[ast.AST, str]]]] = {}


def _dotted_calls(tree: ast.Expression) -> list[tuple[ast.AST, str]]:
    """(node, stack name) of each call of `tree` with a dotted argument, kept with the tree (the
    trees passed are cached, so their ids are not reused while they live)."""
    kept = _DOTTED_CALLS.get(id(tree))
    if kept is None or kept[0] is not tree:
        found = [
            (node, f"__{ast.unparse(node)}")
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and any(isinstance(a, ast.Attribute) for a in node.args)
        ]
        kept = _DOTTED_CALLS[id(tree)] = (tree, found)
    return kept[1]


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


@functools.lru_cache(maxsize=1024)
def _plain_text(text: str) -> tuple[ast.Expression, ast.Expression, list[str]]:
    """(the expression, the same with each `sum(table.column)` a name of the stack and each
    one-name part a derived name (_prepare), the names of the latter before preparing)."""
    tree, fresh = parse(text), parse(text)
    plain = _Substituted(_aggregate_names(fresh)).visit(fresh)
    used = names(plain)
    return tree, _Prepared().visit(plain), used


def _plain_tree(data: Stack, text: str) -> ast.Expression:
    """The prepared expression, its sums registered among the stack's values."""
    tree, prepared, _ = _plain_text(text)
    _register_sums(data, tree)
    return prepared


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
    shown, used = _shown(text)
    plain = _plain_tree(data, text)
    plain_used = _plain_text(text)[2]
    columns = data.columns
    absent = {n: columns.absent(n)[todo] for n in plain_used}
    any_absent = np.zeros(len(todo), dtype=bool)
    not_published = np.zeros(len(todo), dtype=bool)  # a missing value that is not a pN
    for name, mask in absent.items():
        any_absent |= mask
        if not name.startswith("p"):
            not_published |= mask
    value, mismatch = _truth(plain, columns, todo[~any_absent])
    result = np.full(len(todo), None, dtype=object)
    result[~any_absent] = value & ~mismatch
    where_mismatch = np.zeros(len(todo), dtype=bool)
    where_mismatch[~any_absent] = mismatch
    passed[todo] = result
    show = np.ones(len(todo), dtype=bool) if detail == "all" else ~(result == True)  # noqa: E712
    at = todo[show]
    if not len(at):
        return
    text_filled = shown.fill(columns, at)
    notes = np.full(len(at), "", dtype=object)
    absent_at, not_published_at = any_absent[show], not_published[show]
    notes[absent_at & not_published_at] = "(数值缺失,不适用)"
    notes[absent_at & ~not_published_at] = "(公布值缺失,不适用)"
    notes[~absent_at & where_mismatch[show]] = TYPE_NOTE
    text_filled = text_filled + notes
    if rule.explain:
        for j in np.flatnonzero((result[show] == False) & ~where_mismatch[show]):  # noqa: E712
            year = int(at[j])
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
    where = np.full(len(at), "", dtype=object)
    for k, name in enumerate(used):
        where = where + (("；" if k else "") + f"{name}←") + data.source(name, at)
    sources[at] = where


class _YearEnv(Mapping[str, Any]):
    """One year's Context.env(), looked up lazily: its values, then `table.column` Series."""

    def __init__(self, data: Stack, year: int):
        self.context = data.contexts[year]

    def __getitem__(self, name: str) -> Any:
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
def _message_parts(message: str) -> list[str | tuple[str]]:
    """A row message as literal text and (placeholder expression,) parts."""
    parts: list[str | tuple[str]] = []
    last = 0
    for match in PLACEHOLDER.finditer(message):
        parts.append(message[last : match.start()])
        parts.append((match.group(1),))
        last = match.end()
    parts.append(message[last:])
    return [p for p in parts if p != ""]


def _value_text(value: Any) -> str:
    """How checks.rules.render prints a placeholder's value."""
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return "" if blank(value) else str(value)


def _values(node: ast.AST, columns: Columns, at: np.ndarray) -> np.ndarray:
    """An expression's value in rows `at`: expr.evaluate once per distinct combination of its
    names' values (an exception is the per-year engine's: it propagates)."""
    distinct, inverse = _distinct_values(node, columns, at)
    return distinct[inverse]


def _distinct_values(
    node: ast.AST, columns: Columns, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(the expression's distinct results in rows `at`, which one each row has)."""
    node = node.body if isinstance(node, ast.Expression) else node
    used = names(node)
    function = compiled(node)
    signature = np.zeros(len(at), dtype=np.int64)
    for name in used:
        codes = columns.codes(name)[0][at]
        signature = _dense(signature * (int(codes.max()) + 1) + codes)[0]
    inverse, first = _dense(signature)
    results = [function({n: columns.values(n)[row] for n in used}) for row in at[first]]
    return _objects(results), inverse


def _render_rows(data: Stack, message: str, columns: Columns, rows: np.ndarray) -> np.ndarray:
    """checks.rules.render of a row message in each of `rows`, each placeholder evaluated once per
    distinct combination of its values (a quotient in float64 where that is exact: _quotients)."""
    pattern, placed = [], []
    for part in _message_parts(message):
        if isinstance(part, str):
            pattern.append(part.replace("{", "{{").replace("}", "}}"))
            continue
        text = part[0]
        _register_sums(data, _plain_text(text)[0])
        plain = _placeholder_tree(text)
        texts = np.full(len(rows), None, dtype=object)
        done = _quotients(plain, columns, rows, texts)
        rest = np.flatnonzero(~done)
        if len(rest):
            distinct, inverse = _distinct_values(plain, columns, rows[rest])
            texts[rest] = _objects([_value_text(v) for v in distinct])[inverse]
        pattern.append("{}")
        placed.append(texts)
    if not placed:
        return np.full(len(rows), "".join(pattern).format(), dtype=object)
    return _objects(list(map("".join(pattern).format, *placed)))  # one call per row, in C


@functools.lru_cache(maxsize=1024)
def _placeholder_tree(text: str) -> ast.Expression:
    """A placeholder's expression with each `sum(table.column)` a name of the stack (cached:
    callers must not change it)."""
    fresh = parse(text)
    return _Substituted(_aggregate_names(fresh)).visit(fresh)


def _float_typed(node: ast.AST) -> bool:
    """Whether Python's value of `node` is a float whatever ints its names hold (a quotient, or
    +, -, * with a float operand)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, float)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Div) or _float_typed(node.left) or _float_typed(node.right)
    if isinstance(node, ast.UnaryOp):
        return _float_typed(node.operand)
    if isinstance(node, ast.Call) and node.func.id == "abs":  # type: ignore[attr-defined]
        return _float_typed(node.args[0])
    return False


def _quotient_ok(node: ast.AST) -> bool:
    """Arithmetic numpy evaluates as Python does on ints once -0.0 is made 0 after each int
    result: +, -, *, / and unary +/-, int or float constants, abs anywhere, max and min only of
    int operands (of equal floats such as 0.0 and -0.0 Python returns the first, numpy either)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, (ast.Name, ast.Attribute)):
        return True
    if isinstance(node, ast.BinOp):
        return type(node.op) in BINARY and _quotient_ok(node.left) and _quotient_ok(node.right)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.USub, ast.UAdd)) and _quotient_ok(node.operand)
    if isinstance(node, ast.Call) and node.func.id in _NUMPY_CALLS and not node.keywords:  # type: ignore[attr-defined]
        if node.func.id != "abs" and any(_float_typed(a) for a in node.args):  # type: ignore[attr-defined]
            return False
        return len(node.args) >= 1 and all(_quotient_ok(a) for a in node.args)
    return False


def _quotient_plan(node: ast.AST) -> tuple[Callable[[Any], Any] | None, ast.AST] | None:
    """(the one-argument function applied last or None, the float arithmetic under it) of a
    placeholder such as `percent((value - previous) / max(previous, 1))`; None for another
    shape."""
    node = node.body if isinstance(node, ast.Expression) else node
    outer = None
    if (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and node.func.id in FUNCTIONS  # type: ignore[attr-defined]
        and node.func.id not in _NUMPY_CALLS  # type: ignore[attr-defined]
        and node.func.id != "sum"  # type: ignore[attr-defined]
    ):
        outer, node = FUNCTIONS[node.func.id], node.args[0]  # type: ignore[attr-defined]
    if not (_float_typed(node) and _quotient_ok(node)):
        return None
    return outer, node


def _float_arithmetic(
    node: ast.AST, arrays: Mapping[str, np.ndarray], ok: np.ndarray
) -> np.ndarray:
    """`node` in float64 (see _quotient_ok); `ok` loses each row where a divisor is 0 or a value
    is not finite (Python raises or differs there)."""
    if isinstance(node, ast.Constant):
        return np.float64(node.value)  # type: ignore[arg-type]
    if isinstance(node, (ast.Name, ast.Attribute)):
        return arrays[dotted(node) or "?"]
    if isinstance(node, ast.Call):
        out = _NUMPY_CALLS[node.func.id](  # type: ignore[attr-defined]
            *[_float_arithmetic(a, arrays, ok) for a in node.args]
        )
    elif isinstance(node, ast.UnaryOp):
        operand = _float_arithmetic(node.operand, arrays, ok)
        out = -operand if isinstance(node.op, ast.USub) else +operand
    else:
        left = _float_arithmetic(node.left, arrays, ok)  # type: ignore[attr-defined]
        right = _float_arithmetic(node.right, arrays, ok)  # type: ignore[attr-defined]
        if isinstance(node.op, ast.Div):  # type: ignore[attr-defined]
            ok &= right != 0
            right = np.where(right != 0, right, 1.0)
        out = BINARY[type(node.op)](left, right)  # type: ignore[attr-defined]
    if not _float_typed(node):
        out = out + 0.0  # an int result: Python has no -0
    ok &= np.isfinite(out)
    return out


def _quotients(node: ast.AST, columns: Columns, rows: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """Fill `texts` (render's text of a placeholder) in the rows where it is a float computed
    exactly as Python computes it: every name holds an int, every int involved stays below 2^52
    (exact in float64, _bound), no divisor is 0 and every value is finite. Python's float
    operations are IEEE-754's, as numpy's are; one text per distinct float (by its bits: 0.0 and
    -0.0 print differently). Returns which rows were filled."""
    done = np.zeros(len(rows), dtype=bool)
    plan = _quotient_plan(node)
    if plan is None or not len(rows):
        return done
    outer, arithmetic = plan
    used = names(arithmetic)
    ok = np.ones(len(rows), dtype=bool)
    for name in used:
        ok &= columns.of_type(name, int)[rows] & columns.numbers(name)[0][rows]
    if not ok.any():
        return done
    sizes = {n: np.abs(columns.numbers(n)[1][rows]) for n in used}
    ok &= _bound(arithmetic, sizes) < BOUND
    arrays = {n: columns.numbers(n)[1][rows] for n in used}
    with np.errstate(all="ignore"):
        result = np.broadcast_to(
            np.asarray(_float_arithmetic(arithmetic, arrays, ok), dtype=np.float64), (len(rows),)
        )
    at = np.flatnonzero(ok)
    if not len(at):
        return done
    codes, first = _dense(result[at].view(np.int64))
    distinct = result[at][first].tolist()
    values = [outer(v) for v in distinct] if outer is not None else distinct
    texts[at] = _objects([_value_text(v) for v in values])[codes]
    done[at] = True
    return done


def _whole_placedoutside_sum(data: Stack, texts: list[str]) -> bool:
    for text in texts:
        tree, bare = _parsed_names(text)
        outside = {n for n in bare if "." in n and not data.is_value(n)}
        if not all(_inside_sum(tree, n) for n in outside):
            return True
    return False


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
    at = np.flatnonzero(data.todo_rows(over, todo))
    bad = np.zeros(len(keys), dtype=bool)
    note = np.zeros(len(keys), dtype=bool)
    if where:
        value, mismatch = _truth(_plain_tree(data, where), columns, at)
        bad[at[mismatch]] = note[at[mismatch]] = True
        at_check = at[value & ~mismatch]
    else:
        at_check = at
    if check:
        value, mismatch = _truth(_plain_tree(data, check), columns, at_check)
        bad[at_check[~value | mismatch]] = True
        note[at_check[mismatch]] = True
    else:
        bad[at_check] = True
    passed[todo] = True
    if detail == "all":
        filled[todo] = "无问题"
        sources[todo] = data.table_source(over, todo)
    failing = np.flatnonzero(bad)
    if not len(failing):
        return
    placeholders = [p[0] for p in _message_parts(rule.message) if isinstance(p, tuple)]
    if _whole_placedoutside_sum(data, placeholders):  # a Series in a message: the year's env
        texts = _objects(
            [render(rule.message, _RowEnv(data, over, int(r), int(keys[r]))) for r in failing]
        )
    else:
        texts = _render_rows(data, rule.message, columns, failing)
    texts = texts + np.where(note[failing], TYPE_NOTE, "").astype(object)
    years, starts = np.unique(keys[failing], return_index=True)
    bounds = [*starts[1:], len(failing)]
    joined = _objects(["；".join(texts[s:e]) for s, e in zip(starts, bounds, strict=True)])
    passed[years] = False
    filled[years] = joined
    sources[years] = data.table_source(over, years)


class _RowEnv(_YearEnv):
    """A row's env: its own cells (checks.rules.rows), then the year's."""

    def __init__(self, data: Stack, over: str, row: int, year: int):
        super().__init__(data, year)
        self.columns, self.row = data.row_columns(over), row
        self.own = frozenset(c for c in data.tables[over].columns if c != KEY)

    def __getitem__(self, name: str) -> Any:
        if name in self.own:
            return self.columns.values(name)[self.row]
        return super().__getitem__(name)


# --- engine: code rules, with the per-year functions ----------------------------------------------


def _outcome(
    problems: list[str],
    where: str,
    i: int,
    passed: np.ndarray,
    filled: np.ndarray,
    sources: np.ndarray,
) -> None:
    """What evaluate_rules makes of a code check's (problems, sources)."""
    passed[i], filled[i], sources[i] = not problems, "；".join(problems) or "无问题", where


def _narrative_twin(part: int) -> Callable[..., None]:
    """N01 (part 0) and N02 (part 1) read the same builtin._narrative of a year: it is computed
    once per year for both. (Aligning the paragraphs of all years that share a template at once
    with np.strings was slower here: two paragraphs a year, a few placeholders each.)"""

    def twin(
        data: Stack, todo: np.ndarray, passed: np.ndarray, filled: np.ndarray, sources: np.ndarray
    ) -> None:
        memo = data.memo.setdefault("narrative", {})
        for i in todo.tolist():
            if i not in memo:
                memo[i] = builtin._narrative(data.contexts[i])
        where = _objects(
            [data.contexts[i].table_sources.get("narrative", "narrative.yaml") for i in todo]
        )
        passed[todo], filled[todo], sources[todo] = True, "无问题", where
        for i in todo.tolist():
            problems = memo[i][part]
            if problems:
                passed[i], filled[i] = False, "；".join(problems)

    return twin


def _claims_twin(rule_id: str, suffix: str) -> Callable[..., None]:
    """builtin._claims over every year at once: a claim's pattern is tried only on the sentences
    that hold the text every match of it contains (_required), which is most of the work."""

    def twin(
        data: Stack, todo: np.ndarray, passed: np.ndarray, filled: np.ndarray, sources: np.ndarray
    ) -> None:
        found: dict[int, list[tuple[int, int, int, str]]] = {}
        for group in _claim_groups(data, todo):
            claims = [c for c in group.claims if c.rule == rule_id]
            for c, claim in enumerate(claims):
                candidates = np.ones(len(group.sentences), dtype=bool)
                for text in _required(claim.says):
                    candidates &= group.holding(text)
                matches = [
                    (group.sentences[j], m, {key: int(v) for key, v in match.groupdict().items()})
                    for j in np.flatnonzero(candidates).tolist()
                    for m, match in enumerate(claim.says.finditer(group.sentences[j][3]))
                ]
                tree = parsed(claim.holds)
                for at in np.flatnonzero(~_claims_hold(data, tree, matches)).tolist():
                    (i, k, where, sentence), m, groups_ = matches[at]
                    env = {**data.contexts[i].values, **groups_}
                    said = sentence if len(sentence) <= 40 else sentence[:40] + "…"
                    text = f"{where}“{said}”称{claim.means},但数据为 {fill(tree, env)}"
                    found.setdefault(i, []).append((k, c, m, text))
        where = _objects(
            [data.contexts[i].table_sources.get("narrative", "narrative.yaml") for i in todo]
        )
        passed[todo], filled[todo], sources[todo] = True, "无问题", where + suffix
        for i, problems in found.items():
            passed[i], filled[i] = False, "；".join(text for *_, text in sorted(problems))

    return twin


def _claims_hold(
    data: Stack, tree: ast.Expression, matches: list[tuple[Any, int, dict[str, int]]]
) -> np.ndarray:
    """Whether `holds` is true for each match, with the year's values and the match's numbers
    (`{**values, **groups}`): over columns (`truth`), and expr.evaluate itself on each match where
    a name is missing or a part raised (so that the per-year check's error is raised)."""
    used = names(tree.body)
    n = len(matches)
    arrays: dict[str, np.ndarray] = {}
    alone = np.zeros(n, dtype=bool)
    for name in used:
        column = np.full(n, None, dtype=object)
        for row, ((i, *_), _, groups_) in enumerate(matches):
            if name in groups_:
                column[row] = groups_[name]
            elif name in data.contexts[i].values:
                column[row] = data.contexts[i].values[name]
            else:
                alone[row] = True  # a missing name: the evaluator says what happens
        arrays[name] = column
    out = np.zeros(n, dtype=bool)
    if n:
        value, mismatch = truth(tree.body, Columns(arrays.__getitem__), np.arange(n))
        out[:] = value
        alone |= mismatch
    holds = _function(tree.body)
    for row in np.flatnonzero(alone).tolist():
        (i, *_), _, groups_ = matches[row]
        out[row] = bool(holds({**data.contexts[i].values, **groups_}))
    return out


@dataclass
class _ClaimGroup:
    """Years with the same claims (a collection shares forms/), and their printed sentences."""

    claims: list[Any]
    sentences: list[tuple[int, int, str, str]]  # (year, k, where, sentence)
    _texts: np.ndarray | None = None
    _holding: dict[str, np.ndarray] = field(default_factory=dict)

    def holding(self, text: str) -> np.ndarray:
        """Which sentences may contain `text` (str.find in C over them all). Fixed-width numpy
        strings drop trailing NULs of both sides: the text's shortened run still occurs wherever
        the text did, so no sentence holding it is missed (the pattern decides the others)."""
        if text not in self._holding:
            if self._texts is None:
                self._texts = np.array([s for *_, s in self.sentences], dtype=str)
            if not len(self._texts):
                return np.zeros(0, dtype=bool)
            self._holding[text] = np.strings.find(self._texts, text) >= 0
        return self._holding[text]


def _claim_groups(data: Stack, todo: np.ndarray) -> list[_ClaimGroup]:
    """The years `todo` grouped by their claims, computed once for N05 and N06."""
    memo = data.memo.setdefault("claim_groups", {})
    wanted = todo.tobytes()
    if wanted not in memo:
        by_key: dict[tuple[Any, ...], list[int]] = {}
        by_list: dict[int, tuple[Any, ...]] = {}
        for i in todo.tolist():
            claims = data.contexts[i].extras.get("claims") or ()
            key = by_list.get(id(claims))
            if key is None:  # patterns are live objects: their ids are unique
                key = tuple([(c.rule, id(c.says), c.holds, c.means) for c in claims])
                by_list[id(claims)] = key
            by_key.setdefault(key, []).append(i)
        groups = []
        for years in by_key.values():
            sentences = [
                (i, k, where, sentence)
                for i in years
                for k, (where, sentence) in enumerate(
                    data.contexts[i].extras.get("narrative_sentences") or []
                )
            ]
            claims = list(data.contexts[years[0]].extras.get("claims") or [])
            groups.append(_ClaimGroup(claims, sentences))
        memo[wanted] = groups
    return memo[wanted]


@functools.lru_cache(maxsize=256)
def _required(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The runs of literal characters at the top level of a pattern: texts that every match
    contains (none when the pattern ignores case, or Python's parser is not the one known)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed_pattern = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001  (another Python's internals: no shortcut, still exact)
        return ()
    if (pattern.flags | parsed_pattern.state.flags) & re.IGNORECASE:
        return ()
    runs, run = [], ""
    for op, value in parsed_pattern:
        if op is _parser.LITERAL:
            run += chr(value)
        else:
            runs.append(run)
            run = ""
    runs.append(run)
    return tuple(r for r in runs if r)


def _source_record(
    data: Stack, todo: np.ndarray, passed: np.ndarray, filled: np.ndarray, sources: np.ndarray
) -> None:
    """D01: a year whose raw files hash exactly as recorded has no problem; the others go through
    the registered check itself."""
    for i in todo:
        context = data.contexts[i]
        recorded = context.extras.get("source_hashes") or {}
        if recorded == (context.extras.get("raw_hashes") or {}) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in recorded.items()
        ):
            where = context.table_sources.get("source_record", "SOURCE.yaml")
            _outcome([], where, i, passed, filled, sources)
        else:
            _outcome(*builtin.raw_files_as_recorded(context), i, passed, filled, sources)


# engine: code rule id -> (the registered check it stands for, its columnar twin); the twin is
# used only when the catalogue's check for that id is that very function
VECTORISED: dict[str, tuple[Callable[..., Any], Callable[..., None]]] = {
    "N01": (builtin.narrative_numbers, _narrative_twin(0)),
    "N02": (builtin.narrative_alignment, _narrative_twin(1)),
    "N05": (builtin.narrative_claims, _claims_twin("N05", f"；{CLAIMS_FORM}")),
    "N06": (builtin.cited_notice_year, _claims_twin("N06", f"；{CLAIMS_FORM}")),
    "D01": (builtin.raw_files_as_recorded, _source_record),
}


__all__ = ["Columns", "Stack", "check_stack", "rule_names", "stack", "truth"]
