"""All findings of a year: the rule catalogue plus the structural checks, errors first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from disclosure.checks import builtin as checks
from disclosure.checks.rules import environment, evaluate_rules, load_rules, ordered
from disclosure.compute.checklist import checklist_items
from disclosure.compute.narrative import context
from disclosure.compute.statistics import statistics
from disclosure.errors import InputError
from disclosure.inputs.dataset import YearData, load_year
from disclosure.workspace import NARRATIVE_FILE, PARAMS_DIR


def narrative_context(data: YearData, stats: pd.DataFrame) -> dict[str, object]:
    internal = data.tables.get("internal", pd.DataFrame(columns=["item", "count"]))
    return context(
        dict(zip(stats["row"], stats["value"], strict=True)),
        data.profile,
        dict(zip(internal["item"], internal["count"], strict=True)),
        data.year,
        data.params.start,
        data.params.end,
    )


def previous_statistics(data: YearData) -> tuple[str, pd.DataFrame | None]:
    """The previous year's rebuilt table, when that year's params exist in the workspace."""
    start = int(data.year[:4])
    previous = data.params.previous_year or f"{start - 1}-{start}"
    if not (data.root / PARAMS_DIR / f"{previous}.yaml").is_file():
        return previous, None
    try:
        return previous, statistics(load_year(data.root, previous))
    except InputError:
        return previous, None  # an unreadable previous year is reported when that year is run


def all_findings(
    data: YearData,
    stats: pd.DataFrame,
    items: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    previous_year: str | None = None,
) -> pd.DataFrame:
    rules = load_rules(data.root, len(data.rows))
    reported_file = data.table_files.get("reported_statistics")
    allowed = {r.row: r.allowed for r in data.rows if r.kind == "flag"}
    env = environment(stats)
    records = (
        checks.form_checks(stats, allowed, reported_file)
        + checks.published_checks(stats, reported_file)
        + checks.checklist_checks(items, env.get("p11"), data.table_files["checklist"])
        + checks.narrative_checks(data.narrative, narrative_context(data, stats), f"{data.params.data_dir}/{NARRATIVE_FILE}")
        + checks.yoy_checks(stats, previous, data.params.yoy_threshold, previous_year)
    )
    combined = pd.concat([evaluate_rules(rules, stats), checks.as_frame(records)], ignore_index=True)
    return ordered(combined)


def check_year(root: Path, year: str) -> tuple[YearData, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything `disclosure check` needs, without a kernel."""
    data = load_year(root, year)
    stats = statistics(data)
    items = checklist_items(data)
    previous_year, previous = previous_statistics(data)
    return data, stats, items, all_findings(data, stats, items, previous, previous_year)


def summary(findings: pd.DataFrame) -> dict[str, int]:
    failed = findings[findings["passed"] == False]  # noqa: E712
    return {
        "rules": len(findings),
        "errors": int((failed["severity"] == "error").sum()),
        "warnings": int((failed["severity"] == "warning").sum()),
    }
