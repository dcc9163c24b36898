"""The rule engine: every check of forms/rules.yaml, evaluated lazily (none stops the others).

Three shapes of rule, all written in the expression language of `disclosure.expr`:
- a check over the table's values, like the printed form: `r19 == r27 + r28 + r29 + r30`
  (`rN` rebuilt value of row N, `pN` published value, `table.column` a whole column for `sum()`);
- a check over the rows of a table: `over: checklist`, an optional `where:` and a row-level `check:`
  naming that table's columns, with a `message:` for each failing row;
- `engine: code`: a check that needs code, registered by id in `disclosure.checks.builtin`.

What the auditor reads is what runs: a rule is evaluated from its displayed text (`Rule.shown`), and
`parse_shown` is the only way from that text back to a scope, a filter and a check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from disclosure.checks.findings import COLUMNS, Finding
from disclosure.errors import ExpressionError, InputError, Problem
from disclosure.expr import blank, evaluate, fill, names, parse, parsed
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import RULES_FORM

ROW_NAME = re.compile(
    r"^([rp])([1-9]\d*)$"
)  # r7, never r07: names must match the environment exactly
SEVERITIES = ("error", "warning")
ENGINES = ("expr", "code")
# What a rule may require; a rule whose requirement is absent is reported as not applicable.
REQUIREMENTS = {
    "reported_statistics": "无已公布统计表",
    "previous_year": "工作区中没有上一学年的数据",
    "source_record": "原始数据文件夹没有记录文件哈希的 SOURCE.yaml",
}
PARAMETERS = ("yoy_threshold", "published_lines", "form_rows")
# What the header rules (family H) name: profile.yaml's header fields and the reporting window
# (checks.catalogue.header_values builds them).
HEADER_NAMES = (
    "profile.document_number",
    "profile.signer",
    "profile.report_date",
    "document_number_year",
    "report_year",
    "period_end",
    "report_deadline",
)
SHOWN = re.compile(
    r"^对 (?P<over>\w+) 中(?:满足 (?P<where>.+?) 的)?每一行:(?P<check>.+)$", re.DOTALL
)
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Explain:
    """Rows that explain a failure (K01: an item read two ways), listed under the rule's problem."""

    over: str
    where: str | None
    message: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    check: str
    severity: str
    family: str
    basis: str = ""
    over: str | None = None
    where: str | None = None
    message: str = ""
    requires: tuple[str, ...] = ()
    engine: str = "expr"
    explain: Explain | None = None
    hint: str = ""
    explains: tuple[str, ...] = ()  # failures of these rules are consequences of this one's
    sentence: str = ""  # a failure in words, each {expression} replaced by its value

    @property
    def shown(self) -> str:
        """The check as the auditor reads it, and as it is evaluated."""
        if self.engine == "code" or not self.over:
            return self.check
        scope = f"满足 {self.where} 的" if self.where else ""
        return f"对 {self.over} 中{scope}每一行:{self.check}"


def parse_shown(text: str) -> tuple[str | None, str | None, str]:
    """(over, where, check) from a displayed check; a check with no scope is over the table's
    values."""
    found = SHOWN.match(text)
    if not found:
        return None, None, text
    return found["over"], found["where"], found["check"]


@dataclass
class Context:
    """Everything a rule may name: values (rN, pN, parameters), tables (for `over:` and `t.c`),
    where each value came from, and which requirements hold."""

    values: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    sources: dict[str, str]
    table_sources: dict[str, str]
    available: set[str] = field(default_factory=set)
    extras: dict[str, Any] = field(
        default_factory=dict
    )  # what code checks read (narrative, hashes)
    _records: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def env(self) -> dict[str, Any]:
        env = dict(self.values)
        for name, frame in self.tables.items():
            env.update({f"{name}.{c}": frame[c] for c in frame.columns})
        return env

    def records(self, table: str) -> list[dict[str, Any]]:
        """The rows of a table as plain values (see `rows`), made once per context."""
        if table not in self._records:
            self._records[table] = rows(self.tables[table])
        return self._records[table]


def catalogue(forms: Any, columns: Mapping[str, tuple[str, ...]]) -> list[Rule]:
    """The rule catalogue of a FormSet (inputs.formset), for tables with these columns: read and
    validated once per FormSet and set of columns (kept in the FormSet's memo)."""
    key = ("rules", tuple(sorted((name, tuple(cols)) for name, cols in columns.items())))
    if key not in forms.memo:
        forms.memo[key] = tuple(load_rules(forms.root, forms.n_rows, columns))
    return list(forms.memo[key])


def load_rules(root: Path, n_rows: int, columns: Mapping[str, tuple[str, ...]]) -> list[Rule]:
    """Read and validate every rule; each problem names the rule's id.

    `columns` are the columns of each table a rule may go `over` (and name as `table.column`).
    """
    data = read_yaml(root / RULES_FORM, RULES_FORM) or {}
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for family, spec_family in (data.get("families") or {}).items():
        for spec in (spec_family or {}).get("rules", []):
            rule_id = str(spec.get("id", "?"))
            try:
                rule = _rule(spec, str(family), str((spec_family or {}).get("hint", "")))
            except (KeyError, TypeError) as exc:
                problems.append(Problem(RULES_FORM, f"规则 {rule_id} 缺少或错写了 {exc}"))
                continue
            found = _check_rule(rule, n_rows, columns, seen)
            problems += [Problem(RULES_FORM, f"规则 {rule_id}:{m}") for m in found]
            seen.add(rule_id)
            rules.append(rule)
    known = {rule.id for rule in rules}
    for rule in rules:
        unknown = [i for i in rule.explains if i not in known or i == rule.id]
        if unknown:
            problems.append(
                Problem(RULES_FORM, f"规则 {rule.id}:explains 中的编号不存在:{'、'.join(unknown)}")
            )
    if problems:
        raise InputError(problems)
    return rules


def _rule(spec: dict[str, Any], family: str, family_hint: str = "") -> Rule:
    explain = spec.get("explain")
    return Rule(
        id=str(spec["id"]),
        title=str(spec["title"]),
        check=str(spec["check"]),
        severity=str(spec.get("severity", "error")),
        family=family,
        basis=str(spec.get("basis", "")),
        over=spec.get("over"),
        where=spec.get("where"),
        message=str(spec.get("message", "")),
        requires=tuple(spec.get("requires", ())),
        engine=str(spec.get("engine", "expr")),
        explain=Explain(explain["over"], explain.get("where"), explain["message"])
        if explain
        else None,
        hint=str(spec.get("hint", family_hint)),
        explains=tuple(str(i) for i in spec.get("explains", ())),
        sentence=str(spec.get("sentence", "")),
    )


def _check_rule(
    rule: Rule, n_rows: int, columns: Mapping[str, tuple[str, ...]], seen: set[str]
) -> list[str]:
    out = []
    if rule.id in seen:
        out.append("编号重复")
    if rule.severity not in SEVERITIES:
        out.append(f"severity“{rule.severity}”应为 error 或 warning")
    if rule.engine not in ENGINES:
        out.append(f"engine“{rule.engine}”应为 expr 或 code")
    out += [
        f"requires“{r}”未知,只能是 {'、'.join(REQUIREMENTS)}"
        for r in rule.requires
        if r not in REQUIREMENTS
    ]
    if rule.engine == "code":
        return out
    if rule.over is not None and rule.over not in columns:
        return out + [f"over“{rule.over}”不是可逐行检查的表,只能是 {'、'.join(columns)}"]
    if rule.explain and rule.explain.over not in columns:
        return out + [
            f"explain 的 over“{rule.explain.over}”不是可逐行检查的表,只能是 {'、'.join(columns)}"
        ]
    if rule.over is None and (rule.where or rule.message):
        out.append("where 和 message 只用于逐行检查的规则(需同时写 over)")
    if rule.over is not None and rule.sentence:
        out.append("逐行检查的规则用 message 说明每一行的问题,不写 sentence")
    row_columns = columns.get(rule.over or "", ())
    texts = [rule.check, rule.where, *PLACEHOLDER.findall(rule.message)]
    texts += PLACEHOLDER.findall(rule.sentence)
    if rule.explain:
        texts += [rule.explain.where, *PLACEHOLDER.findall(rule.explain.message)]
        row_columns += columns.get(rule.explain.over, ())
    for text in filter(None, texts):
        try:
            tree = parse(text)
        except ExpressionError as exc:
            out.append(str(exc))
            continue
        out += [m for n in names(tree) if (m := _unknown(n, n_rows, columns, row_columns))]
    return out


def _unknown(
    name: str, n_rows: int, columns: Mapping[str, tuple[str, ...]], row_columns: Any
) -> str:
    m = ROW_NAME.match(name)
    if m:
        if 1 <= int(m.group(2)) <= n_rows:
            return ""
        return f"“{name}”引用了不存在的第 {m.group(2)} 行(统计表只有 1 到 {n_rows} 行)"
    if name in PARAMETERS or name in HEADER_NAMES or name in row_columns:
        return ""
    table, _, column = name.partition(".")
    if column and column in columns.get(table, ()):
        return ""
    return (
        f"未知名称“{name}”,只能用 rN(重算值)、pN(公布值)、"
        f"参数 {'、'.join(PARAMETERS)}、逐行检查的列或“表名.列名”"
    )


def evaluate_rules(
    rules: list[Rule], context: Context, code: Mapping[str, Any] | None = None
) -> list[Finding]:
    """Every rule, in catalogue order; `code` maps an `engine: code` id to its registered check."""
    env = context.env()
    out: list[Finding] = []
    for rule in rules:
        missing = [REQUIREMENTS[r] for r in rule.requires if r not in context.available]
        if missing:
            reason = f"不适用:{'；'.join(missing)}"
            out.append(_finding(rule, None, reason, "", reason))
        elif rule.engine == "code":
            problems, sources, *said = (code or {})[rule.id](context)
            words = "；".join(said[0] if said else problems)  # a check may word them for the office
            filled = "；".join(problems) or "无问题"
            out.append(_finding(rule, not problems, filled, sources, words))
        elif parse_shown(rule.shown)[0]:
            out.append(_over_rows(rule, context, env))
        else:
            out.append(_over_values(rule, context, env))
    return _with_causes(rules, out)


def _with_causes(rules: list[Rule], findings: list[Finding]) -> list[Finding]:
    """Mark each failure that a failed rule `explains` with that rule's id (the first one wins)."""
    failed = {f.id for f in findings if f.passed is False}
    cause: dict[str, str] = {}
    for rule in rules:
        if rule.id in failed:
            for consequence in rule.explains:
                if consequence in failed:
                    cause.setdefault(consequence, rule.id)
    return [replace(f, cause=cause[f.id]) if f.id in cause else f for f in findings]


def _over_values(rule: Rule, context: Context, env: dict[str, Any]) -> Finding:
    tree = parsed(parse_shown(rule.shown)[2])
    used = names(tree)
    where = "；".join(f"{n}←{_source(n, context)}" for n in used)
    filled = fill(tree, env)
    if any(_absent(env.get(n)) for n in used):
        absent = "公布值" if all(n.startswith("p") for n in used if _absent(env.get(n))) else "数值"
        why = f"{absent}缺失,不适用"
        return _finding(rule, None, f"{filled}({why})", where, why)
    try:
        passed = bool(evaluate(tree, env))
    except TypeError:
        mismatch = "(类型不符:数字与文字无法比较)"
        return _finding(rule, False, filled + mismatch, where, _said(rule, env) + mismatch)
    if passed:
        return _finding(rule, passed, filled, where)
    said = _said(rule, env)
    if rule.explain:
        explained = _messages(
            rule.explain.over, rule.explain.where, None, rule.explain.message, context, env
        )
        filled += "".join(f"；{line}" for line in explained)
        said += "".join(f"；{line}" for line in explained)
    return _finding(rule, passed, filled, where, said)


def _said(rule: Rule, env: Mapping[str, Any]) -> str:
    """A failed rule's sentence with its values; its title, if it has none or a value cannot be
    worked out."""
    try:
        return render(rule.sentence, env) if rule.sentence else f"未满足“{rule.title}”"
    except (TypeError, ArithmeticError):
        return f"未满足“{rule.title}”"


def _over_rows(rule: Rule, context: Context, env: dict[str, Any]) -> Finding:
    over, where, check = parse_shown(rule.shown)
    assert over is not None
    problems = _messages(over, where, check, rule.message, context, env)
    filled = "；".join(problems)
    return _finding(
        rule, not problems, filled or "无问题", context.table_sources.get(over, over), filled
    )


def _messages(
    over: str,
    where: str | None,
    check: str | None,
    message: str,
    context: Context,
    env: dict[str, Any],
) -> list[str]:
    """The message of every row of `over` that satisfies `where` and fails `check` (all, if no
    check)."""
    where_tree = parsed(where) if where else None
    check_tree = parsed(check) if check else None
    out = []
    for row in context.records(over):
        local = {**env, **row}
        try:
            if where_tree is not None and not evaluate(where_tree, local):
                continue
            failed = check_tree is None or not evaluate(check_tree, local)
            note = ""
        except TypeError:
            failed, note = True, "(类型不符:数字与文字无法比较)"
        if failed:
            out.append(render(message, local) + note)
    return out


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain values: NaN is None, a whole float is an int (a spreadsheet line is 11, not
    11.0)."""
    names = list(frame.columns)
    columns = [plain_column(frame[c]) for c in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def plain_column(column: pd.Series) -> list[Any]:
    """A column's cells as `rows` gives them (see `_plain`), converted a column at a time."""
    values = column.tolist()  # Python scalars for numeric dtypes, the objects themselves else
    numpy_ints = isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub"  # not Int64
    if numpy_ints or (column.dtype == object and all(type(v) in _KEPT for v in values)):
        return values
    return [_plain(v) for v in values]


_KEPT = (int, str, bool, type(None), list)  # cells _plain returns unchanged


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else int(value) if value.is_integer() else value
    if value is pd.NA:
        return None
    return (
        value.item()
        if hasattr(value, "item") and not isinstance(value, (list, tuple, str))
        else value
    )


def render(message: str, env: Mapping[str, Any]) -> str:
    """A rule's message with each `{expression}` replaced by its value."""

    def one(match: re.Match[str]) -> str:
        value = evaluate(parsed(match.group(1)), env)
        if isinstance(value, (list, tuple)):
            return "、".join(map(str, value))
        return "" if blank(value) else str(value)

    return PLACEHOLDER.sub(one, message)


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _source(name: str, context: Context) -> str:
    if name in context.sources:
        return context.sources[name]
    table = name.partition(".")[0]
    return context.table_sources.get(table, "参数文件" if name in PARAMETERS else name)


def _finding(
    rule: Rule, passed: bool | None, filled: str, sources: str, message: str = ""
) -> Finding:
    return Finding(
        id=rule.id,
        severity=rule.severity,
        family=rule.family,
        title=rule.title,
        check=rule.shown,
        filled=filled,
        passed=passed,
        sources=sources,
        basis=rule.basis,
        hint=rule.hint,
        message=message if passed is not True else "",
    )


def as_frame(findings: list[Finding]) -> pd.DataFrame:
    return pd.DataFrame([f.record() for f in findings], columns=COLUMNS)
